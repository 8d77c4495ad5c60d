using System.Diagnostics;
using System.Globalization;
using Pade.Engine.Autograd;
using Pade.Layers;
using Pade.Training.Optim;
using PadeModule = Pade.Layers.Module;
using PadeTensor = Pade.Engine.Tensor;

namespace Pade.Bench;

/// <summary>
/// Where a Pade training step of a whole network goes, by kind of layer (forward) and kind of autograd node
/// (backward). Unlike <see cref="LayerProfile"/> the graph is not cut: the step is the real one, and the times come
/// from forward hooks on every leaf module (the time since the previous leaf finished is charged to the leaf, so
/// the ops a container runs between its children, e.g. a residual add, count towards the next leaf) and from
/// <see cref="Graph.BackwardTimer"/>. Rows are sorted by total time; the last row is the whole step as timed from
/// outside, so the rows' sum shows what the hooks miss.
/// </summary>
public static class NetProfile
{
    public static readonly string[] Header = ["layer / node", "count per step", "fwd ms", "bwd ms", "share of step"];

    /// <summary>Profiles <paramref name="reps"/> steps after <paramref name="warmup"/> and returns medians per row.</summary>
    public static List<string[]> Run(PadeModule model, int batch, int channels, int warmup, int reps, bool verbose = false)
    {
        PadeTensor x = PadeTensor.Randn([batch, channels, 32, 32]);
        var rng = new Random(3);
        PadeTensor labels = PadeTensor.FromArray(Enumerable.Range(0, batch).Select(_ => rng.Next(10)).ToArray(), batch);
        var optimizer = new Sgd(model.Parameters(), lr: 0.01);
        model.Train();

        var forward = new Dictionary<string, (double Ms, int Count)>();
        var backward = new Dictionary<string, (double Ms, int Count)>();
        long mark = 0;
        var hooks = model.NamedModules().Select(m => m.Module).Where(m => !m.NamedChildren().Any())
            .Select(m => m.RegisterForwardHook((module, input, _) =>
            {
                long now = Stopwatch.GetTimestamp();
                Add(forward, ForwardKey(module, input), Stopwatch.GetElapsedTime(mark, now).TotalMilliseconds);
                mark = now;
            })).ToList();
        var perStep = new List<Dictionary<string, (double F, double B, int N)>>();
        var stepMs = new List<double>();
        try
        {
            Graph.BackwardTimer = (node, t) => Add(backward, BackwardKey(node), t.TotalMilliseconds);
            for (int rep = -warmup; rep < reps; rep++)
            {
                forward.Clear();
                backward.Clear();
                long start = Stopwatch.GetTimestamp();
                optimizer.ZeroGrad();
                mark = Stopwatch.GetTimestamp();
                PadeTensor logits = model.Forward(x);
                PadeTensor loss = PadeTensor.CrossEntropy(logits, labels);
                Add(forward, "(after the last layer: flatten, loss)", Stopwatch.GetElapsedTime(mark).TotalMilliseconds);
                loss.Backward();
                long stepStart = Stopwatch.GetTimestamp();
                optimizer.Step();
                Add(backward, "sgd step", Stopwatch.GetElapsedTime(stepStart).TotalMilliseconds);
                double total = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (verbose)
                {
                    var pool = Pade.Engine.BufferPool<float>.Stats();
                    Console.WriteLine($"  step {rep}: {total:F1} ms, loss {loss.Item():G4}, gen2 GCs {GC.CollectionCount(2)}, " +
                                      $"GC pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, pool: {pool}");
                }
                if (rep < 0) continue;
                stepMs.Add(total);
                var d = new Dictionary<string, (double F, double B, int N)>();
                foreach (var (k, v) in forward) d[k] = (v.Ms, 0, v.Count);
                foreach (var (k, v) in backward)
                    d[k] = d.TryGetValue(k, out var e) ? (e.F, v.Ms, Math.Max(e.N, v.Count)) : (0, v.Ms, v.Count);
                perStep.Add(d);
            }
        }
        finally
        {
            Graph.BackwardTimer = null;
            foreach (var h in hooks) h.Dispose();
        }

        double step = Median(stepMs);
        var names = perStep.SelectMany(d => d.Keys).Distinct().ToList();
        var rows = names.Select(n =>
        {
            double f = Median(perStep.Select(d => d.TryGetValue(n, out var v) ? v.F : 0).ToList());
            double b = Median(perStep.Select(d => d.TryGetValue(n, out var v) ? v.B : 0).ToList());
            int count = perStep[^1].TryGetValue(n, out var last) ? last.N : 0;
            return (Name: n, Count: count, F: f, B: b);
        }).OrderByDescending(r => r.F + r.B).ToList();
        var table = rows.Select(r => new[]
        {
            r.Name, $"{r.Count}", Ms(r.F), Ms(r.B), ((r.F + r.B) / step).ToString("P1", CultureInfo.InvariantCulture),
        }).ToList();
        table.Add(["**sum of rows**", "", Ms(rows.Sum(r => r.F)), Ms(rows.Sum(r => r.B)),
            (rows.Sum(r => r.F + r.B) / step).ToString("P1", CultureInfo.InvariantCulture)]);
        table.Add(["**whole step (median)**", "", "", "", Ms(step) + " ms"]);
        return table;
    }

    /// <summary>A convolution's row: kernel, channels (and groups), input side; its forward and backward share it.
    /// The stride is not known to the backward node, but no two convolutions of these networks differ only in it.</summary>
    static string ConvKey(int[] x, int[] w) =>
        $"conv {w[2]}x{w[3]} {x[1]}→{w[0]}{(w[1] != x[1] ? $" g{x[1] / w[1]}" : "")} {x[2]}²";

    /// <summary>Module types named as their autograd nodes, so a layer's forward and backward share a row.</summary>
    static readonly Dictionary<string, string> NodeNames = new()
    {
        ["ReLU"] = "relu", ["Pau"] = "pau", ["BatchNorm2d"] = "batch_norm", ["Linear"] = "linear",
        ["MaxPool2d"] = "max_pool2d", ["AvgPool2d"] = "avg_pool2d",
    };

    static string ForwardKey(PadeModule module, PadeTensor input) => module is Conv2d c
        ? ConvKey(input.ShapeCopy(), c.Weight.ShapeCopy())
        : NodeNames.GetValueOrDefault(module.GetType().Name, module.GetType().Name);

    static string BackwardKey(Node? node) => node switch
    {
        null => "grad accumulation",
        { Name: "conv2d" } => ConvKey(node.Inputs[0].Shape, node.Inputs[1].Shape),
        _ => node.Name,
    };

    static void Add(Dictionary<string, (double Ms, int Count)> d, string name, double ms) =>
        d[name] = d.TryGetValue(name, out var v) ? (v.Ms + ms, v.Count + 1) : (ms, 1);

    static string Ms(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

    static double Median(List<double> v)
    {
        if (v.Count == 0) return double.NaN;
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
