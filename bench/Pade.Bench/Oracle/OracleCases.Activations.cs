using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// The paper's other learnable activations (PReLU, Maxout, APL, SReLU, SLAF, Swish with β, RReLU in evaluation),
/// shared and per-channel, against libtorch's own op (prelu, leaky_relu for RReLU's evaluation) or the formula
/// composed of libtorch ops.
/// </summary>
public static partial class OracleCases
{
    private static void AddLearnableActivations(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        const string family = "learnable activations";
        for (int i = 0; i < perFamily; i++)
        {
            int[] shape = g.Pick<int[]>([g.Int(1, 4), g.Int(1, 6)], [g.Int(1, 3), g.Int(1, 20), g.Int(1, 9)],
                [g.Int(1, 3), g.Int(1, 17), g.Int(1, 7), g.Int(1, 7)]);
            int c = shape[1], rank = shape.Length;
            bool perChannel = g.Coin();
            int pc = perChannel ? c : 1;
            string layout = $"x {Fmt(shape)}{(perChannel ? " per channel" : " shared")}";
            // A [P] parameter as [1, P, 1, ...] against x (P = C or 1).
            TTensor Channel(TTensor p) => p.reshape([1, p.shape[0], .. Enumerable.Repeat(1L, rank - 2)]);

            cases.Add(new(family, $"prelu {layout}", [g.Input("x", shape), g.Input("weight", [pc], -0.5, 0.8)],
                x => x[0].PRelu(x[1]), x => TF.prelu(x[0], x[1])));

            int k = g.Int(1, 4), groups = g.Int(1, 5);
            int[] mshape = [.. shape.Take(1), k * groups, .. shape.Skip(2)];
            cases.Add(new(family, $"maxout {k} pieces x {Fmt(mshape)}", [new OracleInput("x", mshape, g.Distinct(mshape.Aggregate(1L, (p, q) => p * q)))],
                x => x[0].Maxout(k), x => x[0].reshape([mshape[0], groups, k, .. mshape.Skip(2).Select(d => (long)d)]).amax(2)));

            int s = g.Int(1, 3);
            cases.Add(new(family, $"apl S = {s} {layout}", [g.Input("x", shape), g.Input("a", [s, pc], -1, 1), g.Input("b", [s, pc], -1.5, 1.5)],
                x => x[0].Apl(x[1], x[2]),
                x =>
                {
                    var y = TF.relu(x[0]);
                    for (int j = 0; j < s; j++) y = y + Channel(x[1][j]) * TF.relu(Channel(x[2][j]) - x[0]);
                    return y;
                }));

            cases.Add(new(family, $"srelu {layout}",
                [g.Input("x", shape, -3, 3), g.Input("t_left", [pc], -1.5, -0.2), g.Input("a_left", [pc], -0.5, 1.5),
                 g.Input("t_right", [pc], 0.2, 1.5), g.Input("a_right", [pc], -0.5, 1.5)],
                x => x[0].SRelu(x[1], x[2], x[3], x[4]),
                x =>
                {
                    TTensor tl = Channel(x[1]), al = Channel(x[2]), tr = Channel(x[3]), ar = Channel(x[4]);
                    return where(x[0] >= tr, tr + ar * (x[0] - tr), where(x[0] <= tl, tl + al * (x[0] - tl), x[0]));
                }));

            int degree = g.Int(0, 4);
            int[] cs = perChannel ? [c, degree + 1] : [degree + 1];
            cases.Add(new(family, $"slaf degree {degree} {layout}", [g.Input("x", shape, -1.5, 1.5), g.Input("coefficients", cs, -1, 1)],
                x => x[0].Slaf(x[1]),
                x =>
                {
                    TTensor Coefficient(int j) => perChannel ? Channel(x[1].select(1, j)) : x[1][j];
                    var y = Coefficient(degree) + 0 * x[0];   // depends on x, so degree 0 has a (zero) gradient in torch too
                    for (int j = degree - 1; j >= 0; j--) y = y * x[0] + Coefficient(j);
                    return y;
                }));

            double beta = g.Pick(0.5, 1.0, 1.7);
            cases.Add(new(family, $"swish beta {beta} x {Fmt(shape)}", [g.Input("x", shape, -4, 4)],
                x => x[0].Swish(beta), x => x[0] * (x[0] * beta).sigmoid()));
            cases.Add(new(family, $"rrelu evaluation x {Fmt(shape)}", [g.Input("x", shape)],
                // torch.nn.functional.rrelu(training=False) is leaky_relu with the mean slope (TorchSharp 0.107's rrelu has
                // no training argument).
                x => x[0].RRelu(0.1, 0.3, training: false), x => TF.leaky_relu(x[0], (0.1 + 0.3) / 2)));
        }
    }
}
