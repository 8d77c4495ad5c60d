using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// var, std and logsumexp against libtorch's: random axes (or none: torch's dim=None), keepdim, corrections 0, 1, 2
/// and 0.5, then PyTorch's edge cases (N − correction ≤ 0, equal values, 0-d tensors, infinities).
/// </summary>
/// <remarks>
/// TorchSharp 0.107 binds <c>unbiased</c> (correction 1 or 0) but not <c>correction</c>, and <c>logsumexp</c> over
/// one dim only (and its var without dims ignores unbiased = false). Corrections 2 and 0.5 are compared with libtorch's population variance scaled by N/(N − c) (its
/// standard deviation by √(N/(N − c))); logsumexp over several axes with libtorch's logsumexp over those axes moved
/// to the end and flattened into one.
/// </remarks>
public static partial class OracleCases
{
    private static void AddStatistics(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 17);
        foreach (var op in (string[])["var", "std"])
            for (int i = 0; i < perFamily * 2; i++)
            {
                var shape = g.Shape(1, 4, 6);
                bool whole = g.Coin(0.25), keep = !whole && g.Coin();
                var axes = whole ? null : Enumerable.Range(0, shape.Length).Where(_ => g.Coin()).ToArray();
                if (axes is []) axes = [g.Int(0, shape.Length - 1)];
                // Half the axes given as negative.
                var given = axes?.Select(a => g.Coin() ? a - shape.Length : a).ToArray();
                double c = g.Pick(0.0, 1.0, 1.0, 2.0, 0.5);
                long n = axes == null ? shape.Aggregate(1L, (p, q) => p * q) : axes.Aggregate(1L, (p, a) => p * shape[a]);
                if (n - c <= 0) c = 0; // the edge cases come below, one by one
                var label = $"{op} {Fmt(shape)} axes {(given == null ? "None" : Fmt(given))} correction {c} keepdim {keep}";
                cases.Add(Moment(op, label, g.Input("x", shape), given, c, keep, n));
            }

        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 4, 6);
            var axes = Enumerable.Range(0, shape.Length).Where(_ => g.Coin()).ToArray();
            if (axes.Length == 0) axes = [g.Int(0, shape.Length - 1)];
            var given = axes.Select(a => g.Coin() ? a - shape.Length : a).ToArray();
            bool keep = g.Coin();
            cases.Add(LogSumExp($"{Fmt(shape)} axes {Fmt(given)} keepdim {keep}", g.Input("x", shape, -50, 50), given, keep));
        }

        // Edge cases. One element with correction 1: 0/0, NaN, and a NaN gradient (both of PyTorch's branches).
        cases.Add(Moment("var", "var [1] axes None correction 1 (0/0)", new("x", [1], [0.7]), null, 1, false, 1));
        cases.Add(Moment("var", "var [3,1] axes [1] correction 1 (0/0)", new("x", [3, 1], [0.7, -1.2, 2]), [1], 1, false, 1));
        cases.Add(Moment("std", "std [3,1] axes [-1] correction 1 keepdim (0/0)", new("x", [3, 1], [0.7, -1.2, 2]), [-1], 1, true, 1));
        // Equal values: s = 0, and PyTorch's std gradient 0 there (not 0/0).
        cases.Add(Moment("std", "std [4] axes None correction 1 (equal values)", new("x", [4], [1.5, 1.5, 1.5, 1.5]), null, 1, false, 4));
        cases.Add(Moment("std", "std [2,3] axes [1] correction 0 (equal rows)", new("x", [2, 3], [1, 1, 1, -2, -2, -2]), [1], 0, false, 3));
        cases.Add(Moment("var", "var [2,3] axes [1] correction 1 (equal rows)", new("x", [2, 3], [1, 1, 1, -2, -2, -2]), [1], 1, false, 3));
        // 0-d tensors take axis 0 or -1.
        cases.Add(Moment("var", "var [] axes [0] correction 0 (0-d)", new("x", [], [0.7]), [0], 0, false, 1));
        cases.Add(Moment("std", "std [] axes [-1] correction 0 (0-d)", new("x", [], [0.7]), [-1], 0, false, 1));
        cases.Add(Moment("var", "var [] axes None correction 1 (0-d)", new("x", [], [0.7]), null, 1, false, 1));
        cases.Add(LogSumExp("[] axes [0] (0-d)", new("x", [], [0.7]), [0], false));
        // Infinities: rows all -inf (-inf), with +inf (+inf), with -inf among finite values, NaN; the gradient
        // e^(x − y) is NaN where x = y = ±inf, in both libraries.
        double ni = double.NegativeInfinity, pi = double.PositiveInfinity;
        cases.Add(LogSumExp("[5,2] axes [1] (infinities)", new("x", [5, 2], [ni, ni, 1, 2, pi, 1, ni, 0, pi, pi]), [1], false));
        cases.Add(LogSumExp("[2,3] axes [0] keepdim (infinities)", new("x", [2, 3], [ni, pi, 3, ni, ni, -40]), [0], true));
        cases.Add(LogSumExp("[2,2] axes [0,1] (NaN)", new("x", [2, 2], [double.NaN, 1, 2, 3]), [0, 1], false));
    }

    /// <summary>var or std with Pade's arguments; libtorch's unbiased flag for corrections 0 and 1, its population
    /// value rescaled for the others (see the remarks).</summary>
    private static OracleCase Moment(string op, string label, OracleInput x, int[]? axes, double c, bool keep, long n)
    {
        bool std = op == "std";
        TTensor Torch(TTensor t)
        {
            bool unbiased = c == 1; // else the population value, rescaled below for c ∉ {0, 1}
            var dims = axes?.Select(a => (long)a).ToArray();
            TTensor r = (std, dims) switch
            {
                // TorchSharp 0.107's var(input, unbiased) ignores unbiased = false (7 for [1, 2, 4, 7], not 5.25):
                // the population variance over every dim is asked for with the dims listed (the same value, and
                // libtorch's two backward branches agree where N − correction > 0).
                (false, null) when !unbiased => TorchSharp.torch.var(t, AllDims(t), false, false),
                (false, null) => TorchSharp.torch.var(t, unbiased),
                (true, null) => TorchSharp.torch.std(t, unbiased),
                (false, _) => TorchSharp.torch.var(t, dims, unbiased, keep),
                (true, _) => TorchSharp.torch.std(t, dims, unbiased, keep),
            };
            if (c is 0 or 1) return r;
            double scale = n / (n - c);
            return r * (std ? Math.Sqrt(scale) : scale);
        }
        return new(op, label, [x],
            p => std ? p[0].Std(axes, c, keep) : p[0].Var(axes, c, keep),
            t => Torch(t[0]));
    }

    private static long[] AllDims(TTensor t) => t.dim() == 0 ? [0] : Enumerable.Range(0, (int)t.dim()).Select(d => (long)d).ToArray();

    private static OracleCase LogSumExp(string label, OracleInput x, int[] axes, bool keep)
    {
        int rank = x.Shape.Length;
        return new("logsumexp", label, [x], p => p[0].LogSumExp(axes, keep), t =>
        {
            if (axes.Length == 1) return logsumexp(t[0], axes[0], keep);
            // Several axes: moved to the end, flattened into one, reduced by libtorch's logsumexp.
            var norm = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
            var keptAxes = Enumerable.Range(0, rank).Where(a => !norm.Contains(a)).ToArray();
            var moved = t[0].permute([.. keptAxes.Select(a => (long)a), .. norm.Order().Select(a => (long)a)]);
            var flat = moved.reshape([.. keptAxes.Select(a => (long)x.Shape[a]), -1]);
            var r = logsumexp(flat, -1, false);
            return keep ? r.reshape(x.Shape.Select((d, a) => norm.Contains(a) ? 1L : d).ToArray()) : r;
        });
    }
}
