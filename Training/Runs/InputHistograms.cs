using Pade.Engine;
using Pade.Layers;
using Pade.Training.Checkpoints;

namespace Pade.Training.Runs;

/// <summary>A histogram of values over [Low, High) in equal bins, with the counts that fell outside.</summary>
public sealed class Histogram(double low, double high, int bins)
{
    public double Low { get; } = low;
    public double High { get; } = high;
    public double[] Counts { get; } = new double[bins];
    public double Below { get; set; }
    public double Above { get; set; }

    public double BinWidth => (High - Low) / Counts.Length;
    public double Total => Counts.Sum() + Below + Above;

    public void Add(ReadOnlySpan<float> values)
    {
        double scale = Counts.Length / (High - Low);
        foreach (float v in values)
        {
            if (v < Low) Below++;
            else if (v >= High) Above++;
            else if (float.IsNaN(v)) continue;
            else Counts[Math.Min((int)((v - Low) * scale), Counts.Length - 1)]++;
        }
    }
}

/// <summary>
/// Records, per learnable activation layer (PAU, RPAU, ...), a histogram of the inputs it sees, to show the
/// learned function where it matters (<c>pade plot pau</c>). It observes through forward hooks
/// (<see cref="Module.RegisterForwardHook"/>) while <see cref="Recording"/> is open; the training run opens it for
/// its last evaluation pass.
/// </summary>
public sealed class InputHistograms
{
    public const double Range = 8;
    public const int Bins = 160;
    public const string FileName = "activation_inputs.safetensors";

    public Dictionary<string, Histogram> ByLayer { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts recording the inputs of the learnable ones among <paramref name="activations"/> (modules
    /// of <paramref name="model"/>, named as in its state dict); dispose to stop.</summary>
    public IDisposable Recording(Module model, IEnumerable<Module> activations)
    {
        var names = model.NamedModules().ToDictionary(m => m.Module, m => m.Name, (IEqualityComparer<Module>)ReferenceEqualityComparer.Instance);
        var hooks = new List<IDisposable>();
        foreach (var act in activations.Where(a => a.ParameterCount() > 0))
        {
            if (!names.TryGetValue(act, out var name)) continue;
            hooks.Add(act.RegisterForwardHook((_, input, _) => Observe(name, input)));
        }
        return new Stop(hooks);
    }

    void Observe(string name, Tensor x)
    {
        if (!ByLayer.TryGetValue(name, out var h)) ByLayer[name] = h = new Histogram(-Range, Range, Bins);
        using var _ = Tensor.NoGrad();
        h.Add(x.Detach().To(DType.Float32).ToArray<float>());
    }

    sealed class Stop(List<IDisposable> hooks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var h in hooks) h.Dispose();
        }
    }

    /// <summary>Saves as safetensors: per layer `NAME.counts` (F64 [bins]) and `NAME.outside` ([below, above]);
    /// the range is in the metadata.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Histogram> histograms)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, h) in histograms)
        {
            tensors.Add(new($"{name}.counts", Tensor.FromArray(h.Counts, h.Counts.Length)));
            tensors.Add(new($"{name}.outside", Tensor.FromArray(new[] { h.Below, h.Above }, 2)));
        }
        var meta = new Dictionary<string, string>
        {
            ["low"] = (-Range).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["high"] = Range.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
        TensorFiles.Save(path, tensors, meta);
    }

    public static Dictionary<string, Histogram> Load(string path)
    {
        var file = Engine.IO.Safetensors.Read(path);
        double Meta(string k, double d) => file.Metadata.TryGetValue(k, out var s) &&
            double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : d;
        double low = Meta("low", -Range), high = Meta("high", Range);
        var result = new Dictionary<string, Histogram>(StringComparer.Ordinal);
        foreach (var e in file.Entries.Where(e => e.Name.EndsWith(".counts", StringComparison.Ordinal)))
        {
            string name = e.Name[..^".counts".Length];
            var counts = e.ToArray<double>();
            var h = new Histogram(low, high, counts.Length);
            counts.CopyTo(h.Counts, 0);
            if (file.TryGet($"{name}.outside", out var o) && o is not null)
            {
                var out2 = o.ToArray<double>();
                h.Below = out2[0];
                h.Above = out2[1];
            }
            result[name] = h;
        }
        return result;
    }
}
