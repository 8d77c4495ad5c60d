using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>flip, roll, repeat, tile, repeat_interleave, chunk, split, tril, triu, masked_fill, amax, amin, argmin,
/// all, any, diagonal, diag and trace: compositions of the gather/scatter-add, copy, where, reduction and argmax
/// kernels (no kernel of their own), run on every device so a composition that leans on a kernel's edge path (a
/// broadcast index, a strided diagonal view, an empty piece) shows there too.</summary>
public static partial class OpSuite
{
    private static void AddTensorOpCases(List<OpCase> cases)
    {
        // Values move, never round: exact, and the gradients are sums of up to a few copies.
        OpCase Move(string family, string detail, int[] shape, Func<Tensor, Tensor> f, string[] kernels, double gradTerms = 1, bool view = false) =>
            new(family, detail, [view ? In("x", shape) with { View = t => t.Transpose(0, 1) } : In("x", shape)], (_, x) => One(f(x[0])))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(gradTerms), Kernels = kernels,
            };

        cases.Add(Move("flip", "[5, 7, 3] dims 0, -1", [5, 7, 3], t => t.Flip(0, -1), [GatherK, ScatterAddK]));
        cases.Add(Move("flip", "[9, 4] transposed dim 1", [9, 4], t => t.Flip(1), [GatherK, ScatterAddK, CopyK], view: true));
        cases.Add(Move("roll", "[6, 5] shifts 7, -2 dims 0, 1", [6, 5], t => t.Roll([7, -2], [0, 1]), [GatherK, ScatterAddK]));
        cases.Add(Move("roll", "[4, 3, 5] flattened shift -13", [4, 3, 5], t => t.Roll(-13), [GatherK, ScatterAddK]));
        cases.Add(Move("repeat", "[3, 1, 4] sizes 2, 2, 3, 1", [3, 1, 4], t => t.Repeat(2, 2, 3, 1), [CopyK], gradTerms: 12));
        cases.Add(Move("tile", "[5, 3] dims 3", [5, 3], t => t.Tile(3), [CopyK], gradTerms: 3));
        cases.Add(Move("repeat_interleave", "[4, 6] repeats 3 dim 1", [4, 6], t => t.RepeatInterleave(3, 1), [GatherK, ScatterAddK], gradTerms: 3));
        cases.Add(Move("repeat_interleave", "[5, 2] repeats [2, 0, 1, 3, 1] dim 0", [5, 2],
            t => t.RepeatInterleave(Tensor.FromArray([2, 0, 1, 3, 1]).To(t.Device), 0), [GatherK, ScatterAddK], gradTerms: 3));
        cases.Add(Move("repeat_interleave", "[3, 4] repeats 2 flattened", [3, 4], t => t.RepeatInterleave(2), [GatherK, ScatterAddK], gradTerms: 2));
        // The pieces weighted apart (by powers of 2, exact in float32) and joined again, so each piece's gradient
        // lands in its own slice.
        cases.Add(Move("chunk", "[7, 5] chunks 3 dim 0", [7, 5], t => Tensor.Concat(t.Chunk(3).Select((p, k) => p * (1 << k)).ToArray()), [UnaryK]));
        cases.Add(Move("split", "[4, 9] sizes [2, 0, 7] dim -1", [4, 9],
            t => Tensor.Concat(t.Split([2, 0, 7], -1).Select((p, k) => p * (1 << k)).ToArray(), 1), [UnaryK, CopyK]));
        cases.Add(Move("tril", "[3, 5, 6] diagonal -1", [3, 5, 6], t => t.Tril(-1), [WhereK]));
        cases.Add(Move("triu", "[6, 4] diagonal 2", [6, 4], t => t.Triu(2), [WhereK]));
        cases.Add(Move("triu", "[7, 5] transposed diagonal 0", [7, 5], t => t.Triu(), [WhereK], view: true));
        cases.Add(Move("diagonal", "[4, 3, 5] offset 1 dims 2, 0", [4, 3, 5], t => t.Diagonal(1, 2, 0).Contiguous(), [CopyK]));
        cases.Add(Move("diag", "[6] offset -2", [6], t => t.Diag(-2), [CopyK]));
        cases.Add(Move("diag", "[5, 7] offset 3", [5, 7], t => t.Diag(3), [CopyK]));
        cases.Add(new("trace", "[6, 8]", [In("x", [6, 8])], (_, x) => One(x[0].Trace()))
        {
            Tol = Tolerance.Sum(6), GradTol = Tolerance.Exact, Kernels = [CopyK],
        });

        cases.Add(new("masked_fill", "x [5, 1, 6] mask [4, 1] value -3.5",
            [In("x", [5, 1, 6]), Coarse("mask", [4, 1], 0, 0.5) with { Grad = false }],
            (_, x) => One(x[0].MaskedFill(x[1], -3.5)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(4), Kernels = [WhereK],
        });

        // Coarse values (multiples of 1/4): ties, whose gradient is shared evenly.
        foreach (var (dims, keep) in new (int[] Dims, bool Keep)[] { ([1], false), ([0, -1], true) })
        {
            cases.Add(new("amax", $"[6, 5, 7] dims {string.Join(" ", dims)}{(keep ? " keepdim" : "")}", [Coarse("x", [6, 5, 7], -1, 1)],
                (_, x) => One(x[0].Amax(dims, keep)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Ulps(8), Kernels = [BinaryK],
            });
            cases.Add(new("amin", $"[6, 5, 7] dims {string.Join(" ", dims)}{(keep ? " keepdim" : "")}", [Coarse("x", [6, 5, 7], -1, 1)],
                (_, x) => One(x[0].Amin(dims, keep)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Ulps(8), Kernels = [BinaryK],
            });
        }

        cases.Add(new("argmin", "[9, 13] dim 1 and flattened", [Coarse("x", [9, 13], -4, 4)],
            (_, x) => [x[0].ArgMin(1), x[0].ArgMin(0, keepDim: true), x[0].ArgMin()])
        {
            Backward = false, Tol = Tolerance.Exact, Kernels = [UnaryK, Reduce + "argmax_{t}"],
        });
        cases.Add(new("all any", "[8, 11] dim 0, dim -1 keepdim, everything", [Coarse("x", [8, 11], -0.5, 1) with { Grad = false }],
            (_, x) => [x[0].All(0), x[0].Any(0), x[0].All(-1, keepDim: true), x[0].Any(-1, keepDim: true), x[0].All(), x[0].Any()])
        {
            Backward = false, Tol = Tolerance.Exact, Kernels = [BinaryK],
        });
    }
}
