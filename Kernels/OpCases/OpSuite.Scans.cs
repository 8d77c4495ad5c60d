using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>cumprod, cummax, cummin and logcumsumexp (cuda/reduce.cu scan_ with the Prod, Max, Min and LogSumExp ops;
/// cummax's indices are a Max scan of positions, its gradient gather.cu's scatter_add), and einsum and cdist, which
/// are compositions (batched GEMMs, sums, elementwise ops) checked end to end.</summary>
public static partial class OpSuite
{
    private static void AddScanCases(List<OpCase> cases)
    {
        // cumprod: factors ±[0.7, 1.3) (products of up to 16 terms stay below 70), along the last axis, the first
        // (inner > 1), a middle one given as negative; coarse inputs with exact zeros (one or several in a slice).
        (int[] Shape, int Dim, bool Coarse)[] cumprods = [([9, 16], 1, false), ([16, 9], 0, false), ([4, 6, 5], -2, false), ([7, 12], -1, true), ([12, 7], 0, true)];
        foreach (var (shape, dim, coarse) in cumprods)
        {
            int len = shape[dim < 0 ? dim + shape.Length : dim];
            var x = coarse ? Coarse("x", shape, -1, 1) : In("x", shape, 0.7, 1.3) with { View = t => t * Signs(t) };
            cases.Add(new("cumprod", $"{Fmt(shape)} dim {dim}{(coarse ? " zeros" : "")}", [x], (_, t) => One(t[0].Cumprod(dim)))
            {
                // Each product rounds len times; the gradient sums up to len products of up to 70 and divides.
                Tol = new Tolerance(len + 8, 1), GradTol = new Tolerance(8 * len, 8 * len * 70), Kernels = [ScanK],
            });
        }

        // cummax / cummin on coarse values (ties in most slices: the last index wins), with NaN and −∞ in the NaN cases.
        (int[] Shape, int Dim, bool Nan)[] extremes = [([13, 9], 1, false), ([9, 13], 0, true), ([3, 7, 5], -2, true), ([4, 0, 3], 2, false)];
        foreach (var (shape, dim, nan) in extremes)
            foreach (bool max in new[] { true, false })
                cases.Add(new(max ? "cummax" : "cummin", $"{Fmt(shape)} dim {dim}{(nan ? " nan" : "")}", [SortInput(shape, nan)],
                    (_, t) => { var (v, i) = max ? t[0].Cummax(dim) : t[0].Cummin(dim); return [v, i]; })
                {
                    // Values are copies; each gradient element receives upstream elements added in index order.
                    Tol = Tolerance.Exact, GradTol = Tolerance.Sum(shape.Length == 0 ? 1 : shape[dim < 0 ? dim + shape.Length : dim]),
                    Kernels = shape.Contains(0) ? [] : [ScanK, ScatterAddK], OutputNames = ["values", "indices"],
                });

        // logcumsumexp: stable steps max + log1p(exp(min − max)), and its backward (two reverse logcumsumexps).
        (int[] Shape, int Dim)[] lses = [([11, 17], 1), ([17, 11], 0), ([4, 6, 5], -2)];
        foreach (var (shape, dim) in lses)
        {
            int len = shape[dim < 0 ? dim + shape.Length : dim];
            cases.Add(new("logcumsumexp", $"{Fmt(shape)} dim {dim}", [In("x", shape, -3, 3)], (_, t) => One(t[0].LogCumSumExp(dim)))
            {
                Tol = Tolerance.Sum(len, 4), GradTol = new Tolerance(16 * len, 16 * len), Kernels = [ScanK],
            });
        }
        // −∞ inputs (coarse values below −1.5): a slice that starts with them stays −∞ until a finite value.
        cases.Add(new("logcumsumexp", "[9, 8] dim 1 -inf", [Coarse("x", [9, 8]) with
            {
                View = t => Tensor.Where(t.Lt(-1.5), Tensor.Full(t.ShapeCopy(), double.NegativeInfinity, t.DType, t.Device), t),
            }], (_, t) => One(t[0].LogCumSumExp(1)))
        {
            Tol = Tolerance.Sum(8, 4), Kernels = [ScanK], Backward = false,
        });

        // einsum: a batched contraction with a diagonal and an ellipsis; a three-operand chain.
        cases.Add(new("einsum", "...ii,...ij->...j", [In("a", [3, 5, 5]), In("b", [1, 5, 7])],
            (_, t) => One(Tensor.Einsum("...ii,...ij->...j", t[0], t[1])))
        {
            Tol = Tolerance.Sum(5), GradTol = Tolerance.Sum(5),
        });
        cases.Add(new("einsum", "bij,bjk,k->bi", [In("a", [4, 6, 9]), In("b", [4, 9, 3]), In("c", [3])],
            (_, t) => One(Tensor.Einsum("bij,bjk,k->bi", t[0], t[1], t[2])))
        {
            Tol = Tolerance.Sum(27), GradTol = Tolerance.Sum(27),
        });

        // cdist for p = 1, 2, ∞ and 3 over broadcast batches.
        foreach (double p in new[] { 1.0, 2.0, double.PositiveInfinity, 3.0 })
            cases.Add(new("cdist", $"[2, 7, 5] [1, 6, 5] p {p}", [In("x1", [2, 7, 5]), In("x2", [1, 6, 5], -0.9, 1.1)],
                (_, t) => One(Tensor.Cdist(t[0], t[1], p)))
            {
                Tol = Tolerance.Sum(8, 4), GradTol = Tolerance.Sum(16, 4),
            });
    }
}
