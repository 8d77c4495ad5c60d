using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>scatter, scatter_reduce and the ops composed of gather and scatter (index_add, index_copy, index_fill,
/// take, put, take_along_dim, masked_select, masked_scatter): the scatter_reduce kernel (cuda/gather.cu) in its four
/// modes, each with the scatter-add that counts the hits and the gather of the backward. Indices repeat (random
/// classes), so a plain scatter's last write and amax/amin ties (coarse inputs) are exercised; an index narrower
/// than the input in the other dims (the block narrowed and padded back), the last axis (I = 1).</summary>
public static partial class OpSuite
{
    private const string ScatterReduceK = "gather.cu:scatter_reduce_{t}";

    private static void AddScatterCases(List<OpCase> cases)
    {
        // (x, dim, index, src): D = x.size(dim), K = index.size(dim) entries per column.
        (int[] X, int Dim, int[] Index, int[] Src)[] shapes =
        [
            ([5, 7, 3], -2, [5, 12, 3], [5, 12, 3]),
            ([6, 5, 4], 0, [8, 3, 4], [9, 3, 5]),
            ([9, 4], 1, [9, 6], [9, 6]),
        ];
        foreach (var (x, dim, index, src) in shapes)
        {
            int a = dim < 0 ? dim + x.Length : dim, d = x[a], k = index[a];
            string detail = $"{Fmt(x)} dim {dim} index {Fmt(index)} src {Fmt(src)}";
            cases.Add(new("scatter", detail, [In("x", x), Indices("index", index, d), In("src", src)],
                (_, t) => One(t[0].Scatter(dim, t[1], t[2])))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Exact,
                Kernels = [ScatterReduceK, ScatterAddK, GatherK],
            });
            cases.Add(new("scatter value", $"{Fmt(x)} dim {dim} index {Fmt(index)}", [In("x", x), Indices("index", index, d)],
                (_, t) => One(t[0].Scatter(dim, t[1], 0.5)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Exact,
                Kernels = [ScatterReduceK, ScatterAddK],
            });
            foreach (var reduce in (string[])["sum", "prod", "mean", "amax", "amin"])
                foreach (bool includeSelf in new[] { true, false })
                {
                    bool extreme = reduce is "amax" or "amin";
                    // Coarse values tie for amax and amin (the gradient is shared among them).
                    OpInput[] inputs = extreme
                        ? [Coarse("x", x), Indices("index", index, d), Coarse("src", src)]
                        : [In("x", x), Indices("index", index, d), In("src", src, 0.5, 1.5)];
                    cases.Add(new($"scatter_reduce {reduce}", $"{detail} include_self {includeSelf}", inputs,
                        (_, t) => One(t[0].ScatterReduce(dim, t[1], t[2], reduce, includeSelf)))
                    {
                        Tol = reduce switch { "sum" or "mean" => Tolerance.Sum(k + 1), "prod" => Tolerance.Ulps(2 * k + 2), _ => Tolerance.Exact },
                        GradTol = reduce switch { "sum" => Tolerance.Exact, "mean" => Tolerance.Ulps(4), "prod" => Tolerance.Ulps(8 * k + 8), _ => Tolerance.Ulps(2) },
                        Kernels = reduce is "sum" or "mean" ? [ScatterAddK, GatherK] : [ScatterReduceK, ScatterAddK, GatherK],
                    });
                }
        }

        // Compositions: index_* through an expanded index, take and put on the flattened input (negative indices
        // come from the index input shifted by −numel for half of them: not here, the unit properties cover them).
        cases.Add(new("index_add", "[6, 7, 5] dim 1 index [9] alpha -0.5", [In("x", [6, 7, 5]), Indices("index", [9], 7), In("source", [6, 9, 5])],
            (_, t) => One(t[0].IndexAdd(1, t[1], t[2], -0.5)))
        {
            Tol = Tolerance.Sum(10), GradTol = Tolerance.Exact, Kernels = [ScatterAddK, GatherK],
        });
        cases.Add(new("index_copy", "[8, 5] dim -2 index [8]", [In("x", [8, 5]), Indices("index", [8], 8), In("source", [8, 5])],
            (_, t) => One(t[0].IndexCopy(-2, t[1], t[2])))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Exact, Kernels = [ScatterReduceK, ScatterAddK, GatherK],
        });
        cases.Add(new("index_fill", "[4, 9] dim 1 index [5]", [In("x", [4, 9]), Indices("index", [5], 9)],
            (_, t) => One(t[0].IndexFill(1, t[1], -2)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Exact, Kernels = [ScatterReduceK, ScatterAddK],
        });
        cases.Add(new("take", "[7, 6] index [4, 11]", [In("x", [7, 6]), Indices("index", [4, 11], 42)],
            (_, t) => One(t[0].Take(t[1])))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(44), Kernels = [GatherK, ScatterAddK],
        });
        foreach (bool accumulate in new[] { false, true })
            cases.Add(new("put", $"[5, 8] index [30] accumulate {accumulate}", [In("x", [5, 8]), Indices("index", [30], 40), In("source", [30])],
                (_, t) => One(t[0].Put(t[1], t[2], accumulate)))
            {
                Tol = accumulate ? Tolerance.Sum(31) : Tolerance.Exact, GradTol = Tolerance.Exact,
                Kernels = accumulate ? [ScatterAddK, GatherK] : [ScatterReduceK, ScatterAddK, GatherK],
            });
        cases.Add(new("take_along_dim", "[5, 1, 6] indices [5, 4, 3] dim -1", [In("x", [5, 1, 6]), Indices("indices", [5, 4, 3], 6)],
            (_, t) => One(t[0].TakeAlongDim(t[1], -1)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(12), Kernels = [GatherK, ScatterAddK],
        });
        // Masks from the sign of a fixed input (the same in float32 and the float64 reference), broadcast over rows.
        cases.Add(new("masked_select", "[6, 9] mask [9]", [In("x", [6, 9]), Fixed("m", [9])],
            (_, t) => One(t[0].MaskedSelect(t[1].Gt(0))))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(6), Kernels = [GatherK, ScatterAddK],
        });
        cases.Add(new("masked_scatter", "[7, 8] mask [7, 8] source [60]", [In("x", [7, 8]), Fixed("m", [7, 8]), In("source", [60])],
            (_, t) => One(t[0].MaskedScatter(t[1].Gt(0), t[2])))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Exact, Kernels = [ScatterReduceK, ScatterAddK, GatherK],
        });
    }
}
