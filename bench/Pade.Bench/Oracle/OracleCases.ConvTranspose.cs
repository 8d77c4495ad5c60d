using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// conv_transpose2d against libtorch's: random strides, paddings (some wider than the kernel's reach), dilations,
/// groups (depthwise among them) and output_padding up to max(stride, dilation) − 1, so also at or beyond the stride
/// where the dilation allows it; then size-1 images, unbatched images and a 1x1 kernel. An empty batch is not compared
/// here (TorchSharp 0.107 cannot build an empty tensor from values); the unit tests check it.
/// </summary>
public static partial class OracleCases
{
    private static void AddConvTranspose(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 43);
        for (int i = 0; i < perFamily * 4; i++)
        {
            int groups = g.Pick(1, 1, 2, 3), cig = g.Int(1, 3), cog = g.Int(1, 3);
            if (g.Coin(0.2)) { cig = 1; cog = 1; groups = g.Int(1, 5); }   // depthwise
            int kh = g.Int(1, 4), kw = g.Int(1, 4);
            (int H, int W) stride = (g.Pick(1, 1, 2, 3), g.Pick(1, 2, 3)), dil = (g.Pick(1, 1, 2, 3), g.Pick(1, 1, 2));
            (int H, int W) op = (g.Int(0, Math.Max(stride.H, dil.H) - 1), g.Int(0, Math.Max(stride.W, dil.W) - 1));
            (int H, int W) pad = (g.Int(0, dil.H * (kh - 1) + 2), g.Int(0, dil.W * (kw - 1) + 2));
            int h = g.Int(1, 7), w = g.Int(1, 7);
            if ((h - 1) * stride.H - 2 * pad.H + dil.H * (kh - 1) + op.H < 0 || (w - 1) * stride.W - 2 * pad.W + dil.W * (kw - 1) + op.W < 0) { i--; continue; }
            cases.Add(ConvTranspose(g, [g.Int(1, 3), cig * groups, h, w], cog, groups, kh, kw, stride, pad, op, dil, g.Coin()));
        }
        cases.Add(ConvTranspose(g, [2, 3, 1, 1], 2, 1, 3, 3, (2, 2), (0, 0), (1, 1), (1, 1), true));       // a 1x1 image
        cases.Add(ConvTranspose(g, [1, 2, 1, 4], 2, 2, 1, 2, (3, 1), (0, 1), (2, 0), (1, 2), true));       // 1-row image, 1-row kernel
        cases.Add(ConvTranspose(g, [2, 4, 3, 3], 3, 1, 1, 1, (1, 1), (0, 0), (0, 0), (1, 1), false));      // 1x1 kernel
        cases.Add(ConvTranspose(g, [1, 2, 3, 3], 2, 1, 2, 2, (1, 1), (0, 0), (1, 2), (2, 3), true));       // output_padding ≥ stride
        cases.Add(ConvTranspose(g, [2, 2, 2, 3], 1, 2, 3, 3, (2, 3), (3, 4), (1, 2), (2, 1), true));       // padding beyond the reach
        cases.Add(ConvTranspose(g, [3, 5, 4], 2, 1, 3, 2, (2, 1), (1, 0), (1, 0), (1, 1), true));          // unbatched
        cases.Add(ConvTranspose(g, [4, 3, 3], 1, 4, 2, 3, (1, 2), (0, 1), (1, 1), (2, 1), false));         // unbatched, depthwise
    }

    private static OracleCase ConvTranspose(OracleGen g, int[] xs, int cog, int groups, int kh, int kw,
        (int H, int W) stride, (int H, int W) pad, (int H, int W) op, (int H, int W) dil, bool bias)
    {
        int cin = xs[^3], cout = cog * groups;
        int[] ws = [cin, cog, kh, kw];
        OracleInput[] inputs = bias ? [g.Input("x", xs), g.Input("weight", ws), g.Input("bias", [cout])] : [g.Input("x", xs), g.Input("weight", ws)];
        return new("conv_transpose2d",
            $"x {Fmt(xs)} w {Fmt(ws)} stride ({stride.H},{stride.W}) padding ({pad.H},{pad.W}) output_padding ({op.H},{op.W}) dilation ({dil.H},{dil.W}) groups {groups}",
            inputs,
            x => F.ConvTranspose2d(x[0], x[1], bias ? x[2] : null, new Size2(stride.H, stride.W), new Size2(pad.H, pad.W), new Size2(op.H, op.W), groups,
                new Size2(dil.H, dil.W)),
            x => TF.conv_transpose2d(x[0], x[1], bias ? x[2] : null, [stride.H, stride.W], [pad.H, pad.W], [op.H, op.W], [dil.H, dil.W], groups));
    }
}
