using System.Diagnostics;
using System.Globalization;
using Pade.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;
using PadeLinear = Pade.Layers.Linear;
using PadeModule = Pade.Layers.Module;
using PadeTensor = Pade.Engine.Tensor;

namespace Pade.Bench;

/// <summary>
/// Where a LeNet training step spends its time, layer by layer, on both sides. The step is cut at every layer: each
/// layer's input is a fresh graph input, so its forward is timed alone, and its backward is timed alone as the
/// backward of its output from the gradient the layer above produced. The kernels are the ones of the whole step
/// (the first convolution computes no input gradient, the parameters accumulate theirs); the cut adds only a detach
/// per layer. Rows: the model's layers in order, then the loss (cross-entropy) and the SGD update.
/// </summary>
public static class LayerProfile
{
    public const int Batch = LayersSuite.LeNetBatch;

    public static readonly string[] Header =
        ["layer", "Pade fwd ms", "Pade bwd ms", "Torch fwd ms", "Torch bwd ms", "Pade / Torch (fwd+bwd)"];

    /// <summary>Medians over <paramref name="reps"/> steps after <paramref name="warmup"/> warm-up steps (Pade's
    /// buffer pool recycles only after a few steps' worth of buffers are outstanding, see Harness's MeasureOptions);
    /// rows in order, then a total.</summary>
    public static List<string[]> Run(string act, int threads, int warmup, int reps)
    {
        Harness.SetPadeThreads?.Invoke(threads);
        var pade = ProfilePade(act, warmup, reps);
        Harness.SetTorchThreads(threads);
        var torchTimes = ProfileTorch(act, warmup, reps);

        // The network's order is torch's (it lists flatten as a layer, Pade's LeNet flattens inside its Forward), then
        // anything only Pade has.
        var names = torchTimes.Keys.Concat(pade.Keys.Where(k => !torchTimes.ContainsKey(k))).ToList();

        var rows = new List<string[]>();
        double pf = 0, pb = 0, tf = 0, tb = 0;
        foreach (string name in names)
        {
            (double F, double B)? p = pade.TryGetValue(name, out var pv) ? pv : null;
            (double F, double B)? t = torchTimes.TryGetValue(name, out var tv) ? tv : null;
            pf += Z(p?.F ?? 0); pb += Z(p?.B ?? 0); tf += Z(t?.F ?? 0); tb += Z(t?.B ?? 0);
            rows.Add([name, Ms(p?.F), Ms(p?.B), Ms(t?.F), Ms(t?.B), Ratio(p, t)]);
        }
        rows.Add(["**sum**", Ms(pf), Ms(pb), Ms(tf), Ms(tb), Ratio((pf, pb), (tf, tb))]);
        return rows;
    }

    static string Ms(double? v) => v is { } x && !double.IsNaN(x) ? x.ToString("F3", CultureInfo.InvariantCulture) : "—";

    static double Z(double v) => double.IsNaN(v) ? 0 : v;

    static string Ratio((double F, double B)? p, (double F, double B)? t) =>
        p is { } a && t is { } b && Z(b.F) + Z(b.B) > 0
            ? ((Z(a.F) + Z(a.B)) / (Z(b.F) + Z(b.B))).ToString("F2", CultureInfo.InvariantCulture)
            : "—";

    static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    static double Time(Action a)
    {
        long start = Stopwatch.GetTimestamp();
        a();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Collects per-name timings over the reps and returns their medians.</summary>
    sealed class Samples
    {
        readonly Dictionary<string, (List<double> F, List<double> B)> byName = [];
        readonly List<string> order = [];

        public void Add(string name, double fwd, double bwd)
        {
            if (!byName.TryGetValue(name, out var l)) { l = ([], []); byName[name] = l; order.Add(name); }
            l.F.Add(fwd);
            l.B.Add(bwd);
        }

        public Dictionary<string, (double F, double B)> Medians()
        {
            var d = new Dictionary<string, (double, double)>();
            foreach (string n in order) d[n] = (Median(byName[n].F), Median(byName[n].B));
            return d;
        }
    }

    static Dictionary<string, (double F, double B)> ProfilePade(string act, int warmup, int reps)
    {
        PadeModule model = LayersPade.LeNet(act);
        model.Train();
        var layers = model.NamedChildren().ToList();
        PadeTensor x = PadeTensor.Randn([Batch, 1, 32, 32]);
        var rng = new Random(3);
        PadeTensor labels = PadeTensor.FromArray(Enumerable.Range(0, Batch).Select(_ => rng.Next(10)).ToArray(), Batch);
        var optimizer = new Sgd(model.Parameters(), lr: 0.01);
        var samples = new Samples();
        for (int rep = -warmup; rep < reps; rep++)
        {
            optimizer.ZeroGrad();
            int n = layers.Count;
            var outputs = new PadeTensor[n];
            var inputGrads = new PadeTensor?[n + 1];   // inputGrads[i]: dL/d(input of layer i); [n]: of the logits
            var fwd = new double[n];
            PadeTensor h = x;
            for (int i = 0; i < n; i++)
            {
                int k = i;
                // LeNet flattens [N, 120, 1, 1] to [N, 120] in its Forward before the first linear layer.
                if (layers[i].Module is PadeLinear && h.Rank > 2) h = h.Flatten(1);
                PadeTensor input = i == 0 ? h : PadeGrad.Capturing(h, g => inputGrads[k] = g);
                fwd[i] = Time(() => outputs[k] = layers[k].Module.Call(input));
                h = outputs[i];
            }
            PadeTensor logits = PadeGrad.Capturing(h, g => inputGrads[n] = g);
            PadeTensor? loss = null;
            double lossFwd = Time(() => loss = PadeTensor.CrossEntropy(logits, labels));
            double lossBwd = Time(() => loss!.Backward());
            var bwd = new double[n];
            for (int i = n - 1; i >= 0; i--)
            {
                PadeTensor g = inputGrads[i + 1]!.Reshape(outputs[i].ShapeCopy());
                int k = i;
                bwd[i] = Time(() => outputs[k].Backward(g));
            }
            double update = Time(optimizer.Step);
            if (rep < 0) continue;
            for (int i = 0; i < n; i++) samples.Add(layers[i].Name, fwd[i], bwd[i]);
            samples.Add("loss", lossFwd, lossBwd);
            samples.Add("sgd step", double.NaN, update);
        }
        return samples.Medians();
    }

    static Dictionary<string, (double F, double B)> ProfileTorch(string act, int warmup, int reps)
    {
        using var scope = NewDisposeScope();
        var model = TorchModels.LeNet(TorchModels.Activation(act));
        model.train();
        var layers = model.named_children().Select(c => (c.name, Module: (nn.Module<Tensor, Tensor>)c.module)).ToList();
        Tensor x = randn(Batch, 1, 32, 32);
        Tensor labels = randint(10, [Batch], dtype: ScalarType.Int64);
        var optimizer = optim.SGD(model.parameters(), 0.01);
        var samples = new Samples();
        for (int rep = -warmup; rep < reps; rep++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            int n = layers.Count;
            var inputs = new Tensor[n];
            var outputs = new Tensor[n];
            var fwd = new double[n];
            Tensor h = x;
            for (int i = 0; i < n; i++)
            {
                int k = i;
                inputs[i] = i == 0 ? h : h.detach().requires_grad_();
                fwd[i] = Time(() => outputs[k] = layers[k].Module.forward(inputs[k]));
                h = outputs[i];
            }
            Tensor logits = h.detach().requires_grad_();
            Tensor? loss = null;
            double lossFwd = Time(() => loss = nn.functional.cross_entropy(logits, labels));
            double lossBwd = Time(() => loss!.backward());
            var bwd = new double[n];
            Tensor g = logits.grad!;
            for (int i = n - 1; i >= 0; i--)
            {
                int k = i;
                Tensor upstream = g;
                bwd[i] = Time(() => outputs[k].backward([upstream]));
                if (i > 0) g = inputs[i].grad!;
            }
            double update = Time(() => optimizer.step());
            if (rep < 0) continue;
            for (int i = 0; i < n; i++) samples.Add(layers[i].name, fwd[i], bwd[i]);
            samples.Add("loss", lossFwd, lossBwd);
            samples.Add("sgd step", double.NaN, update);
        }
        return samples.Medians();
    }
}
