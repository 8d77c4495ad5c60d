using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using F = Pade.Engine.Functional.F;

namespace Pade.Bench.Oracle;

/// <summary>
/// The second batch of torch.nn modules against libtorch: softmax, log_softmax and softmin along a random dim
/// (negative half the time), glu, threshold, bilinear (batched, several leading dims, unbatched), unflatten (one
/// size inferred), softmax2d, rms_norm (over 1 to 3 trailing dims, default and given eps, with and without weight)
/// and embedding_bag (sum/mean/max, 1-D input with offsets and empty bags, include_last_offset, 2-D input,
/// per-sample weights, padding_idx). TorchSharp 0.107 has no rms_norm: its side is libtorch's ops in the formula
/// x·rsqrt(mean(x²) + ε)·w with ε = finfo(float64).eps. The dropouts draw random masks, which cannot be matched by
/// value: DropoutFamilyTests checks them structurally.
/// </summary>
public static partial class OracleCases
{
    private static void AddModules2(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of its own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7937 + 29);
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 4, 5);
            int rank = shape.Length, axis = g.Int(0, rank - 1), dim = g.Coin() ? axis - rank : axis;
            string label = $"{Fmt(shape)} dim {dim}";
            cases.Add(new("softmax_dim", label, [g.Input("x", shape, -3, 3)], p => F.Softmax(p[0], dim), t => nn.functional.softmax(t[0], dim),
                Tolerance: 1e-12, Tolerance32: 1e-5));
            cases.Add(new("log_softmax_dim", label, [g.Input("x", shape, -3, 3)], p => F.LogSoftmax(p[0], dim), t => nn.functional.log_softmax(t[0], dim),
                Tolerance: 1e-12, Tolerance32: 1e-5));
            cases.Add(new("softmin", label, [g.Input("x", shape, -3, 3)], p => F.Softmin(p[0], dim), t => nn.functional.softmin(t[0], dim),
                Tolerance: 1e-12, Tolerance32: 1e-5));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 4, 4);
            int rank = shape.Length, axis = g.Int(0, rank - 1), dim = g.Coin() ? axis - rank : axis;
            shape[axis] *= 2;
            cases.Add(new("glu", $"{Fmt(shape)} dim {dim}", [g.Input("x", shape, -3, 3)], p => F.Glu(p[0], dim), t => nn.functional.glu(t[0], dim),
                Tolerance: 1e-12, Tolerance32: 1e-5));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 4, 6);
            double th = g.Pick(-0.5, 0.0, 0.7, 1.25), value = g.Pick(0.0, -3.0, 20.0);
            // Values kept off the threshold, where the two sides of the switch meet.
            var x = new OracleInput("x", shape, g.Values(shape.Aggregate(1L, (a, b) => a * b)).Select(v => Math.Abs(v - th) < 1e-3 ? v + 0.01 : v).ToArray());
            cases.Add(new("threshold", $"{Fmt(shape)} threshold {th} value {value}", [x], p => F.Threshold(p[0], th, value),
                t => nn.functional.threshold(t[0], th, value), Tolerance: 0, Tolerance32: 1e-6));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var lead = Enumerable.Range(0, g.Int(0, 2)).Select(_ => g.Coin(0.25) ? 1 : g.Int(2, 4)).ToArray();
            int in1 = g.Int(1, 5), in2 = g.Int(1, 5), outF = g.Int(1, 4);
            bool bias = g.Coin(0.7);
            OracleInput[] inputs = bias
                ? [g.Input("input1", [.. lead, in1]), g.Input("input2", [.. lead, in2]), g.Input("weight", [outF, in1, in2], -1, 1), g.Input("bias", [outF], -1, 1)]
                : [g.Input("input1", [.. lead, in1]), g.Input("input2", [.. lead, in2]), g.Input("weight", [outF, in1, in2], -1, 1)];
            cases.Add(new("bilinear", $"x1 {Fmt([.. lead, in1])} x2 {Fmt([.. lead, in2])} -> {outF} bias {bias}", inputs,
                p => F.Bilinear(p[0], p[1], p[2], bias ? p[3] : null), t => nn.functional.bilinear(t[0], t[1], t[2], bias ? t[3] : null),
                Tolerance: 1e-12, Tolerance32: 1e-5));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(2, 4, 5);
            int rank = shape.Length, at = g.Int(0, rank - 1), dim = g.Coin() ? at - rank : at;
            var sizes = Factor(g, shape[at]);
            var unflat = (int[])sizes.Clone();
            if (g.Coin()) unflat[g.Int(0, unflat.Length - 1)] = -1;
            long[] lsizes = [.. unflat.Select(s => (long)s)];
            cases.Add(new("unflatten", $"{Fmt(shape)} dim {dim} sizes ({string.Join(",", unflat)})", [g.Input("x", shape)],
                p => new Pade.Layers.Unflatten(dim, unflat).Forward(p[0]),
                // TorchSharp 0.107's unflatten refuses a negative dim ("Invalid 'dim' argument") before libtorch sees it.
                t => t[0].unflatten(at, lsizes), Tolerance: 0, Tolerance32: 1e-7));
        }
        for (int i = 0; i < perFamily / 2; i++)
        {
            int[] shape = g.Coin() ? [g.Int(1, 3), g.Int(1, 4), g.Int(1, 4), g.Int(1, 4)] : [g.Int(1, 4), g.Int(1, 4), g.Int(1, 4)];
            cases.Add(new("softmax2d", Fmt(shape), [g.Input("x", shape, -3, 3)], p => new Pade.Layers.Activations.Softmax2d().Forward(p[0]),
                t => nn.functional.softmax(t[0], -3), Tolerance: 1e-12, Tolerance32: 1e-5));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 4, 5);
            int d = g.Int(1, Math.Min(3, shape.Length));
            var norm = shape[^d..];
            double? eps = g.Pick<double?>(null, 1e-5, 0.1);
            bool weight = g.Coin(0.7);
            long[] axes = [.. Enumerable.Range(shape.Length - d, d).Select(a => (long)a)];
            double e = eps ?? Math.Pow(2, -52);
            OracleInput[] inputs = weight ? [g.Input("x", shape), g.Input("weight", norm)] : [g.Input("x", shape)];
            cases.Add(new("rms_norm", $"{Fmt(shape)} normalized {Fmt(norm)} eps {eps?.ToString() ?? "None"} weight {weight}", inputs,
                p => F.RmsNorm(p[0], norm, weight ? p[1] : null, eps),
                t =>
                {
                    var y = t[0] * (t[0] * t[0]).mean(axes, keepdim: true).add(e).rsqrt();
                    return weight ? y * t[1] : y;
                }, Tolerance: 1e-12, Tolerance32: 1e-5));
        }
        for (int i = 0; i < perFamily * 2; i++) cases.Add(EmbeddingBagCase(g, i));
    }

    /// <summary>Sizes whose product is n (2 to 3 factors, some of them 1).</summary>
    private static int[] Factor(OracleGen g, int n)
    {
        var divisors = Enumerable.Range(1, n).Where(k => n % k == 0).ToArray();
        int a = g.Pick(divisors);
        if (g.Coin()) return [a, n / a];
        var rest = Enumerable.Range(1, n / a).Where(k => n / a % k == 0).ToArray();
        int b = g.Pick(rest);
        return [a, b, n / a / b];
    }

    private static OracleCase EmbeddingBagCase(OracleGen g, int i)
    {
        int n = g.Int(2, 8), dim = g.Int(1, 4);
        string mode = new[] { "sum", "mean", "max" }[i % 3];
        bool twoD = g.Coin(0.3);
        int[] lengths = twoD ? [] : [.. Enumerable.Range(0, g.Int(1, 4)).Select(_ => g.Coin(0.2) ? 0 : g.Int(1, 4))];
        int bags = twoD ? g.Int(1, 3) : lengths.Length, width = g.Int(1, 4);
        int total = twoD ? bags * width : lengths.Sum();
        if (total == 0) { lengths[0] = 1; total = 1; }
        bool includeLast = !twoD && g.Coin(0.3);
        int? pad = g.Coin(0.4) ? g.Int(0, n - 1) : null;
        bool perSample = mode == "sum" && g.Coin(0.5);
        int[] inputShape = twoD ? [bags, width] : [total];
        var idx = new OracleInput("input", inputShape, [.. Enumerable.Range(0, total).Select(_ => (double)g.Int(0, n - 1))], Grad: false, Indices: true);
        var starts = lengths.Select((_, b) => (double)lengths.Take(b).Sum()).ToArray();
        var offsets = new OracleInput("offsets", [starts.Length + (includeLast ? 1 : 0)], includeLast ? [.. starts, total] : starts, Grad: false, Indices: true);
        // Distinct weights: a max over rows of equal values would split its gradient differently.
        var weight = new OracleInput("weight", [n, dim], g.Distinct(n * dim));
        List<OracleInput> inputs = [idx, weight];
        if (!twoD) inputs.Add(offsets);
        if (perSample) inputs.Add(g.Input("per_sample_weights", inputShape));
        int psAt = twoD ? 2 : 3;
        var bagMode = mode switch { "sum" => EmbeddingBagMode.Sum, "mean" => EmbeddingBagMode.Mean, _ => EmbeddingBagMode.Max };
        string label = (twoD ? $"input {Fmt(inputShape)}" : $"bags [{string.Join(",", lengths)}]") +
                       $" weight [{n},{dim}] mode {mode} include_last_offset {includeLast} padding_idx {pad?.ToString() ?? "None"} per_sample_weights {perSample}";
        return new("embedding_bag", label, [.. inputs],
            p => F.EmbeddingBag(p[0], p[1], twoD ? null : p[2], mode: mode, perSampleWeights: perSample ? p[psAt] : null,
                includeLastOffset: includeLast, paddingIdx: pad),
            // TorchSharp 0.107 has no functional embedding_bag: libtorch's module built on the weight tensor itself
            // (from_pretrained registers that tensor as its parameter, so its gradient lands on the input).
            t => nn.EmbeddingBag_from_pretrained(t[1], freeze: false, mode: bagMode, include_last_offset: includeLast, padding_index: pad ?? -1)
                .forward(t[0], twoD ? null : t[2], perSample ? t[psAt] : null),
            Tolerance: 1e-12, Tolerance32: 1e-5);
    }
}
