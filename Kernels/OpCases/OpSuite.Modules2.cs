using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>The second batch of torch.nn's functional ops: softmin, glu, threshold, bilinear, rms_norm and
/// embedding_bag, compositions of existing kernels with no kernel of their own; these cases run them on every device
/// (on CUDA: softmax along inner and outer axes, narrow views, where, the GEMM, reductions, gather/scatter-add,
/// a masked max with −∞ for embedding_bag's bags, read back to the host for its offsets).</summary>
public static partial class OpSuite
{
    private static void AddModules2Cases(List<OpCase> cases)
    {
        foreach (var (shape, dim) in new[] { (new[] { 3, 5 }, 0), ([2, 4, 7], -1), ([2, 3, 4], 1) })
            cases.Add(new("softmin", $"{Fmt(shape)} dim {dim}", [In("x", shape, -3, 3)], (_, x) => One(F.Softmin(x[0], dim)))
            { Tol = Tolerance.Sum(shape[dim < 0 ? dim + shape.Length : dim], 4), GradTol = Tolerance.Sum(2 * shape[dim < 0 ? dim + shape.Length : dim], 8) });
        foreach (var (shape, dim) in new[] { (new[] { 3, 8 }, -1), ([2, 6, 5], 1), ([4, 3, 2], 0) })
            cases.Add(new("glu", $"{Fmt(shape)} dim {dim}", [In("x", shape, -3, 3)], (_, x) => One(F.Glu(x[0], dim)))
            { Tol = Tolerance.Sum(2, 4), GradTol = Tolerance.Sum(4, 4) });
        cases.Add(new("threshold", "[5, 37] threshold 0.25 value -2", [In("x", [5, 37], -2, 2)], (_, x) => One(F.Threshold(x[0], 0.25, -2))));
        cases.Add(new("bilinear", "[4, 5] x [4, 3] -> 6, bias", [In("x1", [4, 5]), In("x2", [4, 3]), In("weight", [6, 5, 3]), In("bias", [6])],
            (_, x) => One(F.Bilinear(x[0], x[1], x[2], x[3])))
        { Tol = Tolerance.Sum(15, 4), GradTol = Tolerance.Sum(30, 8) });
        cases.Add(new("bilinear", "[2, 3, 4] x [2, 3, 2] -> 3", [In("x1", [2, 3, 4]), In("x2", [2, 3, 2]), In("weight", [3, 4, 2])],
            (_, x) => One(F.Bilinear(x[0], x[1], x[2])))
        { Tol = Tolerance.Sum(8, 4), GradTol = Tolerance.Sum(16, 8) });
        cases.Add(new("rms_norm", "[3, 4, 5] over [4, 5] weight", [In("x", [3, 4, 5], -2, 2), In("weight", [4, 5], 0.5, 1.5)],
            (_, x) => One(F.RmsNorm(x[0], [4, 5], x[1])))
        { Tol = Tolerance.Sum(20, 4), GradTol = Tolerance.Sum(40, 8) });
        cases.Add(new("rms_norm", "[6, 9] over [9] eps 0.1", [In("x", [6, 9], -2, 2)], (_, x) => One(F.RmsNorm(x[0], [9], eps: 0.1)))
        { Tol = Tolerance.Sum(9, 4), GradTol = Tolerance.Sum(18, 8) });
        int[] offsets = [0, 3, 3, 7];
        foreach (var mode in new[] { "sum", "mean", "max" })
            cases.Add(new("embedding_bag", $"weight [9, 5] indices [10] bags {string.Join(",", offsets)} mode {mode} padding_idx 2",
                [Indices("input", [10], 9), In("weight", [9, 5], -2, 2)],
                (_, x) => One(F.EmbeddingBag(x[0], x[1], Tensor.FromArray(offsets, offsets.Length), mode: mode, paddingIdx: 2)))
            { Tol = Tolerance.Sum(4, 4), GradTol = Tolerance.Sum(4, 4) });
        cases.Add(new("embedding_bag", "weight [6, 3] input [4, 3] sum per_sample_weights",
            [Indices("input", [4, 3], 6), In("weight", [6, 3], -2, 2), In("per_sample_weights", [4, 3])],
            (_, x) => One(F.EmbeddingBag(x[0], x[1], mode: "sum", perSampleWeights: x[2])))
        { Tol = Tolerance.Sum(3, 4), GradTol = Tolerance.Sum(3, 4) });
    }
}
