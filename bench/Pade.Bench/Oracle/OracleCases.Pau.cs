using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// The fused PAU (<see cref="F.Pau"/>: versions A, B and C, shared and per-channel coefficients, the degrees of the
/// paper and others, lengths past the vector width) against the rational function composed of libtorch ops, as a
/// PyTorch user would write it: values and the gradients of x, the numerator and the denominator.
/// </summary>
public static partial class OracleCases
{
    private static void AddPau(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        for (int i = 0; i < perFamily * 2; i++)
        {
            var version = g.Pick(PauVersion.A, PauVersion.A, PauVersion.B, PauVersion.C);
            // (5, 4) is the paper's and has its own kernel; the others go through the general one.
            (int m, int n) = g.Coin(0.4) ? (5, 4) : (g.Int(0, 7), g.Int(1, 5));
            int nb = version == PauVersion.C ? n + 1 : n;
            int[] shape = g.Pick<int[]>([g.Int(1, 9)], [g.Int(1, 4), g.Int(1, 6), g.Int(1, 7)], [g.Int(1, 4), g.Int(1, 24), g.Int(1, 9), g.Int(1, 9)],
                [g.Int(1, 3000)]);
            bool perChannel = shape.Length > 1 && g.Coin(0.4);
            int channels = perChannel ? shape[1] : 1;
            int[] aShape = perChannel ? [channels, m + 1] : [m + 1], bShape = perChannel ? [channels, nb] : [nb];
            long numel = shape.Aggregate(1L, (p, q) => p * q);
            var b = g.Input("b", bShape, -1, 1, avoid: 0.05);
            var inputs = new[] { OffTheKink(g, shape, b.Values, version, perChannel ? channels : 1), g.Input("a", aShape, -1, 1, avoid: 0.05), b };
            cases.Add(new("pau", $"version {version} (m, n) = ({m}, {n}) x {Fmt(shape)}{(perChannel ? " per channel" : "")}", inputs,
                x => x[0].Pau(x[1], x[2], version), x => ComposedPau(x[0], x[1], x[2], version, perChannel, shape.Length),
                // The coefficient gradients sum over every element of x.
                Tolerance32: 1e-4 + 2e-5 * Math.Sqrt(numel)));
        }
    }

    /// <summary>
    /// x in [−3, 3] off the kinks of Q: |x| ≥ 0.01 (version A's |x|), and for B and C |A(x)| ≥ 0.05, where the
    /// gradient of |A| changes sign. An element that float32 puts on the other side of such a kink than float64 gets
    /// a coefficient gradient of the other sign (for C up to 2·|P|/0.01·|x|^k): a difference of the two evaluations,
    /// not of the two libraries, which the float32 run would otherwise report now and then.
    /// </summary>
    private static OracleInput OffTheKink(OracleGen g, int[] shape, double[] b, PauVersion version, int channels)
    {
        long numel = shape.Aggregate(1L, (p, q) => p * q), inner = numel / Math.Max(1, shape[0]) / channels;
        int nb = b.Length / channels, first = version == PauVersion.C ? 0 : 1;
        var x = new double[numel];
        for (long i = 0; i < numel; i++)
        {
            int c = channels == 1 ? 0 : (int)(i / inner % channels);
            double v, a;
            do
            {
                v = g.Values(1, -3, 3, avoid: 0.01)[0];
                a = 0;
                for (int k = nb - 1; k >= 0; k--) a = a * v + b[c * nb + k];
                if (first == 1) a *= v;
            } while (version != PauVersion.A && Math.Abs(a) < 0.05);
            x[i] = v;
        }
        return new OracleInput("x", shape, x);
    }

    /// <summary>P(x)/Q(x) by Horner's rule in torch ops; per-channel coefficients broadcast along axis 1.</summary>
    private static TTensor ComposedPau(TTensor x, TTensor a, TTensor b, PauVersion version, bool perChannel, int rank)
    {
        TTensor Coefficient(TTensor c, int j)
        {
            if (!perChannel) return c[j];
            var column = c.select(1, j);   // [C]
            var view = new long[rank];
            Array.Fill(view, 1L);
            view[1] = column.shape[0];
            return column.reshape(view);
        }
        long m = a.shape[^1] - 1, nb = b.shape[^1];
        TTensor p = Coefficient(a, (int)m) * TorchSharp.torch.ones_like(x);
        for (int j = (int)m - 1; j >= 0; j--) p = p * x + Coefficient(a, j);
        TTensor q;
        switch (version)
        {
            case PauVersion.A:
            {
                var ax = x.abs();
                TTensor s = Coefficient(b, (int)nb - 1).abs() * ax;
                for (int k = (int)nb - 2; k >= 0; k--) s = (s + Coefficient(b, k).abs()) * ax;
                q = s + 1;
                break;
            }
            case PauVersion.C:
            {
                TTensor s = Coefficient(b, (int)nb - 1) * TorchSharp.torch.ones_like(x);
                for (int k = (int)nb - 2; k >= 0; k--) s = s * x + Coefficient(b, k);
                q = s.abs() + 0.1;
                break;
            }
            default:
            {
                TTensor s = Coefficient(b, (int)nb - 1) * x;
                for (int k = (int)nb - 2; k >= 0; k--) s = (s + Coefficient(b, k)) * x;
                q = s.abs() + 1;
                break;
            }
        }
        return p / q;
    }
}
