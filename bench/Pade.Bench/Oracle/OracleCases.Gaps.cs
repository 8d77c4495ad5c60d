using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// Small PyTorch gaps: linalg.vector_norm over a tuple of dims (negative ones, keepdim, ord = ±∞, 0, −1, fractional
/// and integer), with its gradient, and unique of the flattened tensor (values, inverse and counts, as float64; not
/// differentiable) on inputs with repeats.
/// </summary>
public static partial class OracleCases
{
    private static void AddGaps(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of its own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7933 + 17);
        double[] ords = [2, 1, 0.5, 3, 0, -1, double.PositiveInfinity, double.NegativeInfinity];
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(2, 4, 5);
            int rank = shape.Length;
            var dims = Enumerable.Range(0, rank).Where(_ => g.Coin()).Select(d => g.Coin() ? d - rank : d).ToArray();
            if (dims.Length == 0) dims = [g.Int(0, rank - 1)];
            double ord = ords[i % ords.Length];
            bool keep = g.Coin();
            var x = g.Input("x", shape);
            long[] ldims = [.. dims.Select(d => (long)d)];
            // ord 0 counts non-zeros: libtorch records no gradient for it (Pade's is 0), so only its values are compared.
            cases.Add(new("vector_norm_dims", $"{Fmt(shape)} dims [{string.Join(",", dims)}] ord {ord} keepdim {keep}", [x],
                p => Pade.Engine.Functional.F.VectorNorm(p[0], ord, dims, keep), t => torch.linalg.vector_norm(t[0], ord, ldims, keep),
                Tolerance: 1e-12, Differentiable: ord != 0, Tolerance32: 1e-5));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 3, 6);
            int count = shape.Aggregate(1, (a, b) => a * b), levels = g.Int(1, 5);
            var v = Enumerable.Range(0, count).Select(_ => g.Int(-levels, levels) / 2.0).ToArray();
            var x = new OracleInput("x", shape, v, Grad: false);
            string label = $"{Fmt(shape)} levels {levels}";
            cases.Add(UniqueCase($"{label} values", x, p => p.Unique().Values, t => t.unique().output));
            cases.Add(UniqueCase($"{label} inverse", x, p => p.Unique(returnInverse: true).Inverse!, t => t.unique(return_inverse: true).inverse_indices!));
            cases.Add(UniqueCase($"{label} counts", x, p => p.Unique(returnCounts: true).Counts!, t => t.unique(return_counts: true).counts!));
        }
    }

    private static OracleCase UniqueCase(string config, OracleInput x, Func<PTensor, PTensor> pade, Func<TTensor, TTensor> torch) =>
        new("unique", config, [x], p => pade(p[0]).To(Pade.Engine.DType.Float64), t => torch(t[0]).to_type(TorchSharp.torch.ScalarType.Float64),
            Tolerance: 0, Differentiable: false, Tolerance32: 0);
}
