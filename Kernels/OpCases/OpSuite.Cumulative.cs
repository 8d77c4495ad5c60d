using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>cumsum (cuda/reduce.cu scan_, its backward the scan from the end) and prod (the product reduction; its
/// backward two exclusive product scans).</summary>
public static partial class OpSuite
{
    private const string ScanK = Reduce + "scan_{t}";

    private static void AddCumulativeCases(List<OpCase> cases)
    {
        // (shape, dim, kernels): along the last axis (one row per thread), along the first (inner > 1), a middle
        // axis given as negative, a single element, an empty tensor (no launch), a 0-d tensor.
        (int[] Shape, int Dim, string[] Kernels)[] cumsums =
        [
            ([37, 29], 1, [ScanK]), ([29, 37], 0, [ScanK]), ([5, 6, 7], -2, [ScanK]), ([1], 0, [ScanK]), ([4, 0, 3], 2, []),
            ([], -1, [ScanK]),
        ];
        foreach (var (shape, dim, kernels) in cumsums)
        {
            int len = shape.Length == 0 ? 1 : shape[dim < 0 ? dim + shape.Length : dim];
            cases.Add(new("cumsum", $"{Fmt(shape)} dim {dim}", [In("x", shape)], (_, x) => One(x[0].Cumsum(dim)))
            {
                // Partial sums of up to len terms in [-1, 1), in the same order on every device: the float32
                // roundings of the partial sums against float64.
                Tol = Tolerance.Sum(len), GradTol = Tolerance.Sum(len), Kernels = kernels,
            });
        }

        // (shape, dim (null: every element), keepDim, coarse, kernels). Factors in ±[0.6, 1.4) keep products of 37
        // terms normal in float32; the coarse cases have exact zeros, one or several in a slice of 4.
        (int[] Shape, int? Dim, bool KeepDim, bool Coarse, string[] Kernels)[] prods =
        [
            ([37, 29], 1, false, false, [RowsK, ScanK, BinaryK]),
            ([29, 37], 0, true, false, [StridedK, ScanK, BinaryK]),
            ([5, 6, 7], -2, false, false, [StridedK, ScanK, BinaryK]),
            ([7, 9], null, false, false, [RowsK, ScanK, BinaryK]),
            ([33, 4], -1, false, true, [RowsK, ScanK, BinaryK]),
            ([4, 33], 0, true, true, [StridedK, ScanK, BinaryK]),
            ([3, 0], 1, false, false, []),   // the empty product is 1; no kernel runs but the fill
        ];
        foreach (var (shape, dim, keepDim, coarse, kernels) in prods)
        {
            int len = dim is int d ? shape[d < 0 ? d + shape.Length : d] : shape.Aggregate(1, (a, b) => a * b);
            var x = coarse ? Coarse("x", shape, -1, 1) : In("x", shape, 0.6, 1.4) with { View = t => t * Signs(t) };
            cases.Add(new("prod", $"{Fmt(shape)} dim {dim?.ToString() ?? "none"}{(keepDim ? " keepdim" : "")}{(coarse ? " zeros" : "")}", [x],
                (_, t) => One(dim is int a ? t[0].Prod(a, keepDim) : t[0].Prod()))
            {
                // A product of len factors rounds len times (relative error, no cancellation); the gradient is two
                // partial products and the upstream gradient, about as many roundings.
                Tol = new Tolerance(len + 8, 1), GradTol = new Tolerance(2 * len + 8, 1), Kernels = kernels,
            });
        }
    }

    /// <summary>+1 or −1 by element (a fixed alternating pattern on the flat index, with a period of 3), so factors
    /// of both signs reach prod without values near 0.</summary>
    private static Tensor Signs(Tensor t)
    {
        var s = Enumerable.Range(0, (int)t.Numel).Select(i => i % 3 == 1 ? -1.0 : 1.0).ToArray();
        return Tensor.FromSpan<double>(s, t.ShapeCopy()).To(t.DType).To(t.Device);
    }
}
