using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// sort, argsort, topk, kthvalue and median against libtorch's, each as two cases: the values (with their gradient
/// through the indices) and the indices (as float64, not differentiable). Inputs are distinct values, or values with
/// ties, −0, NaN and ±∞. Pade's sort is always stable; libtorch's order of equal values is unspecified unless
/// stable = true (and its topk, kthvalue and median pick any of equal values), so on tied inputs the indices, and the
/// gradients they route, are compared only for a stable sort; the values always. median's NaN rule (the first NaN
/// of the slice) is compared on tied inputs too where the slice has a NaN: both libraries take the first. median along
/// a dim goes through <see cref="TorchMedian"/> (TorchSharp 0.107 binds only median of all elements).
/// </summary>
public static partial class OracleCases
{
    private static void AddSort(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 131);
        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 3, 7);
            int rank = shape.Length, axis = g.Int(0, rank - 1), dim = g.Coin() ? axis - rank : axis, n = shape[axis];
            bool tied = g.Coin(0.4), descending = g.Coin(), stable = tied || g.Coin(), keep = g.Coin();
            var x = SortInput(g, shape, tied);
            string label = $"{Fmt(shape)} dim {dim}{(tied ? " ties/nan/inf" : "")}";

            cases.Add(SortCase("sort", $"{label} descending {descending} stable {stable}", x, differentiable: true,
                p => p.Sort(dim, descending, stable).Values, t => t.sort(dim, descending, stable).Values));
            cases.Add(SortCase("sort", $"{label} descending {descending} stable {stable} indices", x, differentiable: false,
                p => p.ArgSort(dim, descending, stable), t => t.sort(dim, descending, stable).Indices));

            int k = g.Int(0, n);
            bool largest = g.Coin();
            cases.Add(SortCase("topk", $"{label} k {k} largest {largest}", x, !tied,
                p => p.TopK(k, dim, largest).Values, t => t.topk(k, dim, largest).values));
            if (!tied)
                cases.Add(SortCase("topk", $"{label} k {k} largest {largest} indices", x, false,
                    p => p.TopK(k, dim, largest).Indices, t => t.topk(k, dim, largest).indexes));

            int kth = g.Int(1, n);
            cases.Add(SortCase("kthvalue", $"{label} k {kth} keepdim {keep}", x, !tied,
                p => p.Kthvalue(kth, dim, keep).Values, t => t.kthvalue(kth, dim, keep).values));
            if (!tied)
                cases.Add(SortCase("kthvalue", $"{label} k {kth} keepdim {keep} indices", x, false,
                    p => p.Kthvalue(kth, dim, keep).Indices, t => t.kthvalue(kth, dim, keep).indices));

            cases.Add(SortCase("median", $"{label} keepdim {keep}", x, !tied,
                p => p.Median(dim, keep).Values, t => TorchMedian(t, dim, keep).Values));
            if (!tied)
                cases.Add(SortCase("median", $"{label} keepdim {keep} indices", x, false,
                    p => p.Median(dim, keep).Indices, t => TorchMedian(t, dim, keep).Indices));
            // Of every element: the gradient is shared among the ties in both libraries, so it is compared always.
            cases.Add(SortCase("median", $"{Fmt(shape)} all{(tied ? " ties/nan/inf" : "")}", x, true, p => p.Median(), t => t.median()));
        }
        // Fixed: a slice of one, k = 0 and k = size, a NaN beside ties (median and topk take the first NaN), all equal.
        var row = new OracleInput("x", [2, 5], [1, double.NaN, 0.5, double.NaN, -1, 2, 2, 2, 2, 2]);
        cases.Add(SortCase("sort", "[2,5] nan and all-equal rows stable", row, true, p => p.Sort(1, stable: true).Values, t => t.sort(1, false, true).Values));
        cases.Add(SortCase("sort", "[2,5] nan and all-equal rows stable descending indices", row, false,
            p => p.ArgSort(1, true, true), t => t.sort(1, true, true).Indices));
        cases.Add(SortCase("median", "[1,5] nan row indices", new OracleInput("x", [1, 5], [1, double.NaN, 0.5, double.NaN, -1]), false,
            p => p.Median(1).Indices, t => TorchMedian(t, 1, false).Indices));
        var one = g.Input("x", [3, 1]);
        cases.Add(SortCase("topk", "[3,1] k 1", one, true, p => p.TopK(1).Values, t => t.topk(1).values));
        cases.Add(SortCase("topk", "[3,1] dim 0 k 0", one, true, p => p.TopK(0, 0).Values, t => t.topk(0, 0).values));
        cases.Add(SortCase("kthvalue", "[3,1] dim 0 k 3", one, true, p => p.Kthvalue(3, 0).Values, t => t.kthvalue(3, 0).values));
    }

    /// <summary>Distinct values, or multiples of 1/2 in [−2, 2] (−0 among them) with NaN and ±∞ mixed in.</summary>
    private static OracleInput SortInput(OracleGen g, int[] shape, bool tied)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        if (!tied) return new OracleInput("x", shape, g.Distinct(count));
        var v = Enumerable.Range(0, count).Select(_ => g.Int(0, 11) switch
        {
            9 => double.NaN,
            10 => double.PositiveInfinity,
            11 => double.NegativeInfinity,
            var j => j == 4 && g.Coin() ? -0.0 : (j - 4) / 2.0,
        }).ToArray();
        return new OracleInput("x", shape, v);
    }

    /// <summary>
    /// torch.median(x, dim, keepdim), which TorchSharp 0.107 does not bind: libtorch's own rule, from its
    /// median_with_indices_impl: a slice with a NaN gives NaN at its first NaN (argmax of isnan: libtorch's argmax
    /// takes the first maximum), any other the ((n − 1) / 2 + 1)-th smallest through libtorch's kthvalue.
    /// </summary>
    private static (TTensor Values, TTensor Indices) TorchMedian(TTensor x, int dim, bool keep)
    {
        long n = x.shape[dim < 0 ? dim + x.dim() : dim];
        var (kv, ki) = x.kthvalue((n - 1) / 2 + 1, dim, keep);
        var isnan = x.isnan();
        var hasNan = isnan.any(dim, keep);
        var firstNan = isnan.to_type(TorchSharp.torch.ScalarType.Float64).argmax(dim, keep);
        return (TorchSharp.torch.where(hasNan, TorchSharp.torch.full_like(kv, double.NaN), kv), TorchSharp.torch.where(hasNan, firstNan, ki));
    }

    /// <summary>One output of Pade's op and of libtorch's, as float64 (indices converted), on input x.</summary>
    private static OracleCase SortCase(string family, string config, OracleInput x, bool differentiable, Func<PTensor, PTensor> pade, Func<TTensor, TTensor> torch) =>
        new(family, config, [x], p => pade(p[0]).To(Pade.Engine.DType.Float64), t => torch(t[0]).to_type(TorchSharp.torch.ScalarType.Float64),
            Tolerance: 1e-14, Differentiable: differentiable, Tolerance32: 1e-6);
}
