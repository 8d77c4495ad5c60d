using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>movedim, rot90, tensor_split, hstack, meshgrid, combinations and broadcast_tensors: compositions of views,
/// the gather/scatter-add and copy kernels (no kernel of their own), run on every device so a composition that leans
/// on a kernel's edge path (a permuted view copied, an expanded view made contiguous, an empty piece) shows there too.</summary>
public static partial class OpSuite
{
    private static void AddShapeCases(List<OpCase> cases)
    {
        // Values move, never round: exact; gradients are sums of a few copies.
        OpCase Move(string family, string detail, int[][] shapes, Func<Tensor[], Tensor> f, string[] kernels, double gradTerms = 1) =>
            new(family, detail, shapes.Select((s, i) => In($"x{i}", s)).ToArray(), (_, x) => One(f(x)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(gradTerms), Kernels = kernels,
            };
        // Several outputs joined, each weighted apart by a power of 2 (exact in float32).
        static Tensor Join(Tensor[] parts) => Tensor.Concat(parts.Select((p, k) => p.Reshape(-1) * (1 << k)).ToArray());

        cases.Add(Move("movedim", "[2, 3, 4, 5] source 0, -1 destination 2, 0", [[2, 3, 4, 5]], x => x[0].Movedim([0, -1], [2, 0]).Contiguous(), [CopyK]));
        cases.Add(Move("rot90", "[5, 3, 4] k 7 dims -1, 0", [[5, 3, 4]], x => x[0].Rot90(7, [-1, 0]).Contiguous(), [GatherK, ScatterAddK, CopyK]));
        cases.Add(Move("rot90", "[6, 4] k 2", [[6, 4]], x => x[0].Rot90(2), [GatherK, ScatterAddK]));
        cases.Add(Move("tensor_split", "[9, 4] indices [2, -3, 20] dim 0", [[9, 4]], x => Join(x[0].TensorSplit([2, -3, 20])), [UnaryK]));
        cases.Add(Move("tensor_split", "[3, 7] sections 3 dim 1", [[3, 7]], x => Join(x[0].TensorSplit(3, 1)), [UnaryK]));
        cases.Add(Move("hstack", "[4, 2] [4, 5]", [[4, 2], [4, 5]], x => Tensor.Hstack(x), [CopyK]));
        cases.Add(Move("meshgrid", "[3] [5] [2] xy", [[3], [5], [2]], x => Join(Tensor.Meshgrid(x, "xy")), [CopyK], gradTerms: 15));
        cases.Add(Move("combinations", "[6] r 3 with replacement", [[6]], x => x[0].Combinations(3, withReplacement: true), [GatherK, ScatterAddK, CopyK], gradTerms: 21));
        cases.Add(Move("broadcast_tensors", "[4, 1, 3] [5, 1] [3]", [[4, 1, 3], [5, 1], [3]], x => Join(Tensor.BroadcastTensors(x)), [CopyK], gradTerms: 20));
    }
}
