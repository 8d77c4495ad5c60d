using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// torch.gather, torch.scatter_add, torch.index_select and torch.nn.functional.embedding against libtorch: random
/// shapes and axes (negative half the time), indices that repeat (more index entries along the axis than it has),
/// index extents smaller than the input's in the other dims, a larger src than the index for scatter_add, a
/// padding_idx (negative too) for embedding. Pade's int32 indices go to libtorch as int64. Empty indices are not
/// compared here (TorchSharp 0.107 cannot build an empty tensor from values; the unit properties cover them).
/// </summary>
public static partial class OracleCases
{
    private static void AddIndexing(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 113);
        for (int i = 0; i < perFamily * 2; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            var index = shape.Select((d, j) => j == axis ? g.Int(1, 2 * d + 1) : g.Coin(0.7) ? d : g.Int(1, d)).ToArray();
            cases.Add(new("gather", $"{Fmt(shape)} dim {dim} index {Fmt(index)}", [g.Input("x", shape), g.Classes("index", index, shape[axis])],
                x => PTensor.Gather(x[0], dim, x[1]), x => gather(x[0], dim, x[1])));
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            var index = shape.Select((d, j) => j == axis ? g.Int(1, 2 * d + 1) : g.Coin(0.7) ? d : g.Int(1, d)).ToArray();
            // A src larger than the index (its extra elements unused) only without gradients: libtorch's backward
            // returns gather(grad, dim, index), of the index's shape, and autograd refuses it for src.
            bool larger = g.Coin(0.25);
            var src = index.Select(d => larger ? d + g.Int(0, 2) : d).ToArray();
            cases.Add(new("scatter_add", $"{Fmt(shape)} dim {dim} index {Fmt(index)} src {Fmt(src)}",
                [g.Input("x", shape), g.Classes("index", index, shape[axis]), g.Input("src", src)],
                x => PTensor.ScatterAdd(x[0], dim, x[1], x[2]), x => x[0].scatter_add(dim, x[1], x[2]), Differentiable: !larger));
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            int k = g.Int(1, 9);
            cases.Add(new("index_select", $"{Fmt(shape)} dim {dim} index [{k}]", [g.Input("x", shape), g.Classes("index", [k], shape[axis])],
                x => PTensor.IndexSelect(x[0], dim, x[1]), x => x[0].index_select(dim, x[1])));
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 12), d = g.Int(1, 8);
            var indices = g.Shape(1, 3, 6);
            int? pad = g.Coin(0.5) ? g.Int(-n, n - 1) : null;
            cases.Add(new("embedding", $"weight [{n},{d}] indices {Fmt(indices)} padding_idx {pad?.ToString() ?? "None"}",
                [g.Classes("input", indices, n), g.Input("weight", [n, d])],
                x => F.Embedding(x[0], x[1], pad),
                // TorchSharp 0.107 has no functional embedding: libtorch's module, built on the weight tensor itself
                // (from_pretrained registers that tensor as its parameter, so its gradient lands on the input).
                x => nn.Embedding_from_pretrained(x[1], freeze: false, padding_idx: pad).forward(x[0])));
        }
    }

    /// <summary>A shape of rank 1 to 4, an axis, and the dim naming it (negative half the time).</summary>
    private static (int[] Shape, int Axis, int Dim) IndexedShape(OracleGen g)
    {
        var shape = g.Shape(1, 4, 6);
        int axis = g.Int(0, shape.Length - 1);
        return (shape, axis, g.Coin() ? axis : axis - shape.Length);
    }
}
