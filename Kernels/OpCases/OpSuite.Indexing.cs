using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>gather, scatter_add, index_select and embedding (cuda/gather.cu): each op's forward kernel and, in its
/// backward, the other one; indices repeat (the scatter-add sums), index rows shorter than the input (a narrowing
/// copy, and a pad in the backward), the last axis (I = 1), index_select's and embedding's broadcast index (strides
/// 0), a padding row.</summary>
public static partial class OpSuite
{
    private const string GatherK = "gather.cu:gather_{t}", ScatterAddK = "gather.cu:scatter_add_{t}";

    private static void AddIndexingCases(List<OpCase> cases)
    {
        // (x, dim, index shape): the index reaches x.size(dim) values, K of them per column.
        (int[] X, int Dim, int[] Index, string[] Extra)[] gathers =
        [
            ([5, 7, 3], 1, [5, 9, 3], []),
            ([37, 11], -1, [37, 4], []),
            ([6, 5, 4], 0, [8, 3, 4], [CopyK]),   // index narrower than x in dim 1: x is cut to it, the gradient padded
            ([1, 1], 0, [3, 1], []),
        ];
        foreach (var (x, dim, index, extra) in gathers)
        {
            int d = x[dim < 0 ? dim + x.Length : dim], k = index[dim < 0 ? dim + x.Length : dim];
            cases.Add(new("gather", $"{Fmt(x)} dim {dim} index {Fmt(index)}", [In("x", x), Indices("index", index, d)],
                (_, t) => One(Tensor.Gather(t[0], dim, t[1])))
            {
                // The forward copies; the gradient sums up to K terms per element, in index order on every device.
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(k),
                Kernels = [GatherK, ScatterAddK, .. extra],
            });
        }

        // A transposed input: the op copies it contiguous (and the gradient flows back through the transpose).
        cases.Add(new("gather", "[7, 5] transposed dim 1 index [5, 9]", [In("x", [7, 5]) with { View = t => t.T }, Indices("index", [5, 9], 7)],
            (_, t) => One(Tensor.Gather(t[0], 1, t[1])))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(9),
            Kernels = [GatherK, ScatterAddK, CopyK],
        });

        // scatter_add: src of the index's shape, and a larger src (its extra elements unused, their gradient 0).
        (int[] X, int Dim, int[] Index, int[] Src, string[] Extra)[] scatters =
        [
            ([4, 6, 5], 1, [4, 9, 5], [4, 9, 5], []),
            ([9, 3], -1, [9, 7], [10, 8], [CopyK]),
            ([300], 0, [1000], [1000], []),
        ];
        foreach (var (x, dim, index, src, extra) in scatters)
        {
            int a = dim < 0 ? dim + x.Length : dim, d = x[a], k = index[a];
            cases.Add(new("scatter_add", $"{Fmt(x)} dim {dim} index {Fmt(index)} src {Fmt(src)}", [In("x", x), Indices("index", index, d), In("src", src)],
                (_, t) => One(Tensor.ScatterAdd(t[0], dim, t[1], t[2])))
            {
                Tol = Tolerance.Sum(k + 1), GradTol = Tolerance.Exact,
                Kernels = [ScatterAddK, GatherK, .. extra],
            });
        }

        // index_select over a 1-D index repeated over the other dims (strides 0), repeats summing in the backward.
        (int[] X, int Dim, int K)[] selects = [([7, 300], 0, 50), ([3, 8, 5], 1, 11), ([4, 9], -1, 1)];
        foreach (var (x, dim, k) in selects)
        {
            int d = x[dim < 0 ? dim + x.Length : dim];
            cases.Add(new("index_select", $"{Fmt(x)} dim {dim} index [{k}]", [In("x", x), Indices("index", [k], d)],
                (_, t) => One(Tensor.IndexSelect(t[0], dim, t[1])))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(k),
                Kernels = [GatherK, ScatterAddK],
            });
        }

        // Embedding rows for a [4, 13] batch of tokens, with and without a padding row (its gradient masked).
        foreach (int? pad in new int?[] { null, 3 })
            cases.Add(new("embedding", $"[10, 16] indices [4, 13]{(pad is int p ? $" padding_idx {p}" : "")}", [In("weight", [10, 16]), Indices("indices", [4, 13], 10)],
                (_, t) => One(F.Embedding(t[1], t[0], pad)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(52),
                Kernels = [GatherK, ScatterAddK],
            });
    }
}
