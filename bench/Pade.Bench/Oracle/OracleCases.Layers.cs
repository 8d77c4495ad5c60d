using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>Convolution, pooling, batch norm and linear layers through the functional API.</summary>
public static partial class OracleCases
{
    /// <summary>Every case, in a fixed order for a seed.</summary>
    public static List<OracleCase> All(int seed = 7, int perFamily = 12)
    {
        var g = new OracleGen(seed);
        var cases = new List<OracleCase>();
        AddOps(cases, g, perFamily);
        AddLayers(cases, g, perFamily);
        AddOptimizers(cases, g, perFamily);
        return cases;
    }

    private static void AddLayers(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        // The geometries the issue reported, then random ones, some with padding wider than the kernel's reach and
        // output widths of 1 (empty tap ranges for some output columns).
        cases.Add(Conv(g, n: 1, c: 1, h: 1, w: 5, k: 1, groups: 1, kh: 1, kw: 5, stride: (1, 1), pad: (0, 2), dil: (1, 2), bias: true));
        cases.Add(Conv(g, n: 2, c: 6, h: 4, w: 3, k: 6, groups: 6, kh: 4, kw: 4, stride: (1, 1), pad: (2, 2), dil: (2, 2), bias: true));
        for (int i = 0; i < perFamily * 4; i++)
        {
            int groups = g.Pick(1, 1, 2, 3);
            int cg = g.Int(1, 3), kg = g.Int(1, 3);
            bool depthwise = g.Coin(0.25);
            if (depthwise) { cg = 1; kg = 1; groups = g.Int(1, 6); }
            int kh = g.Int(1, 4), kw = g.Int(1, 4);
            (int, int) dil = (g.Pick(1, 1, 2, 3), g.Pick(1, 1, 2, 3)), stride = (g.Pick(1, 1, 2, 3), g.Pick(1, 1, 2));
            (int, int) pad = (g.Int(0, kh + 1), g.Int(0, kw + 1));
            int h = g.Int(1, 9), w = g.Int(1, 9);
            if (h + 2 * pad.Item1 - dil.Item1 * (kh - 1) - 1 < 0 || w + 2 * pad.Item2 - dil.Item2 * (kw - 1) - 1 < 0) { i--; continue; }
            cases.Add(Conv(g, g.Int(1, 3), cg * groups, h, w, kg * groups, groups, kh, kw, stride, pad, dil, g.Coin()));
        }

        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 2), c = g.Int(1, 3), k = g.Int(1, 4), s = g.Int(1, 3), p = g.Int(0, k / 2);
            int h = g.Int(Math.Max(1, k - 2 * p), 9), w = g.Int(Math.Max(1, k - 2 * p), 9);
            int[] shape = [n, c, h, w];
            var label = $"{Fmt(shape)} k{k} s{s} p{p}";
            var distinct = new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)));
            cases.Add(new("max_pool2d", label, [distinct],
                x => F.MaxPool2d(x[0], k, s, p), x => TF.max_pool2d(x[0], [k, k], [s, s], [p, p])));
            bool include = g.Coin();
            cases.Add(new("avg_pool2d", $"{label} count_include_pad {include}", [g.Input("x", shape)],
                x => F.AvgPool2d(x[0], k, s, p, include), x => TF.avg_pool2d(x[0], [k, k], [s, s], [p, p], count_include_pad: include)));
            int oh = g.Int(1, h + 1), ow = g.Int(1, w + 1);
            cases.Add(new("adaptive_avg_pool2d", $"{Fmt(shape)} -> {oh}x{ow}", [g.Input("x", shape)],
                x => F.AdaptiveAvgPool2d(x[0], new Size2(oh, ow)), x => TF.adaptive_avg_pool2d(x[0], [oh, ow])));
        }

        for (int i = 0; i < perFamily; i++)
        {
            int[] shape = g.Pick<int[]>([g.Int(2, 6), g.Int(1, 4)], [g.Int(1, 3), g.Int(1, 4), g.Int(2, 5)], [g.Int(1, 3), g.Int(1, 4), g.Int(1, 4), g.Int(2, 4)]);
            int c = shape[1];
            bool training = g.Coin(0.7);
            // Eval mode reads running statistics; training mode normalises by the batch's (biased variance).
            var mean = new OracleInput("running_mean", [c], g.Values(c, -0.5, 0.5), Grad: false);
            var variance = new OracleInput("running_var", [c], g.Values(c, 0.5, 2), Grad: false);
            cases.Add(new("batch_norm", $"{Fmt(shape)} training {training}",
                [g.Input("x", shape), g.Input("weight", [c]), g.Input("bias", [c]), mean, variance],
                x => F.BatchNorm(x[0], x[3].Clone(), x[4].Clone(), x[1], x[2], training, 0.1, 1e-5),
                x => TF.batch_norm(x[0], x[3].clone(), x[4].clone(), x[1], x[2], training, 0.1, 1e-5)));
        }

        for (int i = 0; i < perFamily; i++)
        {
            int[] batch = g.Pick<int[]>([g.Int(1, 5)], [g.Int(1, 3), g.Int(1, 3)]);
            int fin = g.Int(1, 7), fout = g.Int(1, 7);
            bool bias = g.Coin();
            OracleInput[] inputs = bias
                ? [g.Input("x", [.. batch, fin]), g.Input("weight", [fout, fin]), g.Input("bias", [fout])]
                : [g.Input("x", [.. batch, fin]), g.Input("weight", [fout, fin])];
            cases.Add(new("linear", $"{Fmt([.. batch, fin])} -> {fout} bias {bias}", inputs,
                x => F.Linear(x[0], x[1], bias ? x[2] : null), x => TF.linear(x[0], x[1], bias ? x[2] : null)));
        }
    }

    private static OracleCase Conv(OracleGen g, int n, int c, int h, int w, int k, int groups, int kh, int kw,
        (int H, int W) stride, (int H, int W) pad, (int H, int W) dil, bool bias)
    {
        int[] xs = [n, c, h, w], ws = [k, c / groups, kh, kw];
        OracleInput[] inputs = bias ? [g.Input("x", xs), g.Input("weight", ws), g.Input("bias", [k])] : [g.Input("x", xs), g.Input("weight", ws)];
        return new("conv2d", $"x {Fmt(xs)} w {Fmt(ws)} stride ({stride.H},{stride.W}) padding ({pad.H},{pad.W}) dilation ({dil.H},{dil.W}) groups {groups}",
            inputs,
            x => F.Conv2d(x[0], x[1], bias ? x[2] : null, new Size2(stride.H, stride.W), new Size2(pad.H, pad.W), new Size2(dil.H, dil.W), groups),
            x => TF.conv2d(x[0], x[1], bias ? x[2] : null, [stride.H, stride.W], [pad.H, pad.W], [dil.H, dil.W], groups));
    }
}
