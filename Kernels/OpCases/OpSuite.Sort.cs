using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>sort, argsort, topk, kthvalue and median (cuda/sort.cu; the values' gradient scatter-adds back through the
/// indices, gather.cu). Coarse inputs tie in most rows, so the indices check the sort's stability on every device;
/// the NaN cases turn the inputs above 1.5 into NaN and those below −1.5 into −∞.</summary>
public static partial class OpSuite
{
    private const string SortK = "sort.cu:sort_{t}";

    private static void AddSortCases(List<OpCase> cases)
    {
        // (shape, dim, descending, nan, kernels): the last axis, a middle one given as negative (inner > 1), a long
        // row, a single-element row, an empty tensor (no launch), NaN and −∞ in both directions.
        (int[] Shape, int Dim, bool Descending, bool Nan, string[] Kernels)[] sorts =
        [
            ([17, 31], 1, false, false, [SortK, ScatterAddK]),
            ([9, 7, 5], -2, true, false, [SortK, ScatterAddK]),
            ([300], 0, false, false, [SortK, ScatterAddK]),
            ([6, 1], 1, false, false, [SortK, ScatterAddK]),
            ([4, 0, 3], 2, false, false, []),
            ([13, 9], 1, false, true, [SortK, ScatterAddK]),
            ([13, 9], 0, true, true, [SortK, ScatterAddK]),
        ];
        foreach (var (shape, dim, descending, nan, kernels) in sorts)
            cases.Add(new("sort", $"{Fmt(shape)} dim {dim}{(descending ? " descending" : "")}{(nan ? " nan" : "")}", [SortInput(shape, nan)],
                (_, x) => { var (v, i) = x[0].Sort(dim, descending); return [v, i]; })
            {
                // Values are copies and each gradient element receives exactly one upstream element.
                Tol = Tolerance.Exact, Kernels = kernels, OutputNames = ["values", "indices"],
            });

        // topk: largest along the last axis, smallest along the first, k = the whole dim.
        (int[] Shape, int K, int Dim, bool Largest)[] topks = [([9, 33], 5, 1, true), ([33, 9], 4, 0, false), ([5, 6], 6, -1, true)];
        foreach (var (shape, k, dim, largest) in topks)
            cases.Add(new("topk", $"{Fmt(shape)} k {k} dim {dim}{(largest ? "" : " smallest")}", [SortInput(shape, nan: true)],
                (_, x) => { var (v, i) = x[0].TopK(k, dim, largest); return [v, i]; })
            {
                Tol = Tolerance.Exact, Kernels = [SortK, ScatterAddK], OutputNames = ["values", "indices"],
            });

        cases.Add(new("kthvalue", "[7, 12] k 3 dim 1 keepdim", [SortInput([7, 12], nan: false)],
            (_, x) => { var (v, i) = x[0].Kthvalue(3, 1, keepDim: true); return [v, i]; })
        {
            Tol = Tolerance.Exact, Kernels = [SortK, ScatterAddK], OutputNames = ["values", "indices"],
        });

        // median along a dim (NaN rows give their first NaN; the gather of the middle position and its scatter) and of
        // every element (the gradient shared among the ties: a division).
        cases.Add(new("median", "[8, 11] dim 1 nan", [SortInput([8, 11], nan: true)],
            (_, x) => { var (v, i) = x[0].Median(1); return [v, i]; })
        {
            Tol = Tolerance.Exact, Kernels = [SortK, GatherK, ScatterAddK], OutputNames = ["values", "indices"],
        });
        cases.Add(new("median", "[6, 7] all", [SortInput([6, 7], nan: false)], (_, x) => One(x[0].Median()))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Ulps(4), Kernels = [SortK],
        });
    }

    /// <summary>Coarse values in [−2, 2) (ties, exact in float32); with <paramref name="nan"/> those above 1.5 become
    /// NaN and those below −1.5 −∞ (through where, so the gradient still reaches every leaf element).</summary>
    private static OpInput SortInput(int[] shape, bool nan) => !nan ? Coarse("x", shape) : Coarse("x", shape) with
    {
        View = t => Tensor.Where(t.Gt(1.5), Tensor.Full(t.ShapeCopy(), double.NaN, t.DType, t.Device),
            Tensor.Where(t.Lt(-1.5), Tensor.Full(t.ShapeCopy(), double.NegativeInfinity, t.DType, t.Device), t)),
    };
}
