using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>Instance norm (the batch-norm kernels on [1, N·C, *]), local response norm, normalize, cosine similarity,
/// pairwise distance and embedding's max_norm: compositions of existing kernels, no kernel of their own; these cases
/// run them on every device (on CUDA: reductions along inner and outer axes, where, pow, the batch-norm kernels).</summary>
public static partial class OpSuite
{
    private static void AddNormsDistancesCases(List<OpCase> cases)
    {
        cases.Add(new("instance_norm", "[2, 3, 5] affine, running statistics",
            [In("x", [2, 3, 5], -2, 3), In("weight", [3], 0.5, 1.5), In("bias", [3], -0.5, 0.5),
                Fixed("running_mean", [3], -0.5, 0.5), Fixed("running_var", [3], 0.5, 1.5)], (_, x) =>
            {
                var (rm, rv) = (x[3].Clone(), x[4].Clone());
                return [F.InstanceNorm(x[0], rm, rv, x[1], x[2], momentum: 0.2), rm, rv];
            })
        {
            Tol = Tolerance.Sum(5, 9), GradTol = Tolerance.Sum(10, 4), OutputNames = ["y", "running_mean", "running_var"],
            Kernels = [Bn + "batch_norm_stats_{t}", Bn + "batch_norm_forward_{t}", Bn + "batch_norm_backward_sums_{t}", Bn + "batch_norm_backward_dx_{t}"],
        });
        cases.Add(new("instance_norm", "[3, 2, 4, 3] evaluation", [In("x", [3, 2, 4, 3], -2, 3),
                Fixed("running_mean", [2], -0.5, 0.5), Fixed("running_var", [2], 0.5, 1.5)],
            (_, x) => One(F.InstanceNorm(x[0], x[1], x[2], useInputStats: false)))
        {
            Tol = Tolerance.Sum(1, 9), GradTol = Tolerance.Sum(12, 4),
            Kernels = [Bn + "batch_norm_forward_{t}"],
        });
        foreach (var (shape, size) in new[] { (new[] { 2, 5, 3, 4 }, 3), ([2, 4, 6], 2), ([1, 3, 2, 2, 2], 5) })
            cases.Add(new("local_response_norm", $"{Fmt(shape)} size {size}", [In("x", shape, -2, 2)],
                (_, x) => One(F.LocalResponseNorm(x[0], size, alpha: 0.5, beta: 0.75, k: 1)))
            { Tol = Tolerance.Sum(size, 8), GradTol = Tolerance.Sum(2 * size, 16) });
        foreach (var (shape, dim, p) in new[] { (new[] { 4, 6 }, 1, 2.0), ([3, 4, 5], -1, 3.0), ([5, 7], 0, 1.0), ([2, 9, 3], 1, double.PositiveInfinity) })
            cases.Add(new("normalize", $"{Fmt(shape)} dim {dim} p {p}", [In("x", shape, -2, 2)], (_, x) => One(F.Normalize(x[0], p, dim)))
            { Tol = Tolerance.Sum(shape[dim < 0 ? dim + shape.Length : dim], 4), GradTol = Tolerance.Sum(2 * shape[dim < 0 ? dim + shape.Length : dim], 8) });
        cases.Add(new("cosine_similarity", "[4, 6] and [6] dim -1", [In("x1", [4, 6], -2, 2), In("x2", [6], -2, 2)],
            (_, x) => One(F.CosineSimilarity(x[0], x[1], -1)))
        { Tol = Tolerance.Sum(6, 4), GradTol = Tolerance.Sum(24, 8) });
        cases.Add(new("cosine_similarity", "[3, 5, 2] dim 1", [In("x1", [3, 5, 2], -2, 2), In("x2", [3, 5, 2], -2, 2)],
            (_, x) => One(F.CosineSimilarity(x[0], x[1], 1)))
        { Tol = Tolerance.Sum(5, 4), GradTol = Tolerance.Sum(10, 8) });
        foreach (var (a, b, p, keep) in new[] { (new[] { 5, 7 }, new[] { 5, 7 }, 2.0, false), ([3, 4], [4], 1.0, true), ([6], [6], 3.0, false) })
            cases.Add(new("pairwise_distance", $"{Fmt(a)} and {Fmt(b)} p {p} keepdim {keep}", [In("x1", a, -2, 2), In("x2", b, -2, 2)],
                (_, x) => One(F.PairwiseDistance(x[0], x[1], p, keepDim: keep)))
            { Tol = Tolerance.Sum(a[^1], 8), GradTol = Tolerance.Sum(2 * a.Length * a[^1], 8) });
        cases.Add(new("embedding_max_norm", "weight [7, 4] indices [2, 5] max_norm 1", [Indices("input", [2, 5], 7), In("weight", [7, 4], -2, 2)],
            (_, x) =>
            {
                var w = x[1].Detach().Clone();
                return [F.Embedding(x[0], w, maxNorm: 1.0), w];
            })
        { Tol = Tolerance.Sum(4, 4), OutputNames = ["y", "weight"], Backward = false });
    }
}
