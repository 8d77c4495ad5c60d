using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>Convolution, pooling, batch norm and linear layers through the functional API (layer and group norm:
/// OracleCases.Normalization.cs).</summary>
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
        AddFastPaths(cases, g, perFamily);
        AddPau(cases, g, perFamily);
        AddLearnableActivations(cases, g, perFamily);
        // Last, so that the random configurations of the families above stay as they were (the statistics draw from
        // a generator of their own).
        AddStatistics(cases, seed, perFamily);
        AddRegressionLosses(cases, g, perFamily);
        AddNormalization(cases, seed, perFamily);
        AddIndexing(cases, seed, perFamily);
        AddConvTranspose(cases, seed, perFamily);
        AddMath(cases, seed, perFamily);
        AddAdaptiveOptimizers(cases, seed, perFamily);
        AddResample(cases, seed, perFamily);
        AddOneD(cases, seed, perFamily);
        AddPad(cases, seed, perFamily);
        AddMoreLosses(cases, seed, perFamily);
        AddBicubic(cases, seed, perFamily);
        AddNormsDistances(cases, seed, perFamily);
        AddRecurrent(cases, seed, perFamily);
        AddSort(cases, seed, perFamily);
        AddTensorOps(cases, seed, perFamily);
        AddLrSchedulers(cases, seed, perFamily);
        AddAttention(cases, seed, perFamily);
        AddGaps(cases, seed, perFamily);
        AddDecoder(cases, seed, perFamily);
        AddMathOps(cases, seed, perFamily);
        AddThreeD(cases, seed, perFamily);
        AddLinalg(cases, seed, perFamily);
        AddScatter(cases, seed, perFamily);
        AddModules2(cases, seed, perFamily);
        AddOptimizers2(cases, seed, perFamily);
        AddVision(cases, seed, perFamily);
        AddPredicates(cases, seed, perFamily);
        AddCreation(cases, seed, perFamily);
        AddCtc(cases, seed, perFamily);
        AddShapes(cases, seed, perFamily);
        AddPoolIndices(cases, seed, perFamily);
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

        for (int i = 0; i < perFamily * 3; i++)
        {
            // PyTorch's constraints: padding ≤ kernel/2, an output of at least 1 (ceil_mode may add a last window
            // that starts inside the input or the left padding).
            int n = g.Int(1, 2), c = g.Int(1, 3), kh = g.Int(1, 4), kw = g.Int(1, 4), sh = g.Int(1, 3), sw = g.Int(1, 3);
            int ph = g.Int(0, kh / 2), pw = g.Int(0, kw / 2), dh = g.Pick(1, 1, 2), dw = g.Pick(1, 1, 2);
            bool ceil = g.Coin();
            int h = g.Int(1, 9), w = g.Int(1, 9);
            if (OutputSize(h, kh, sh, ph, dh, ceil) < 1 || OutputSize(w, kw, sw, pw, dw, ceil) < 1) { i--; continue; }
            int[] shape = [n, c, h, w];
            var label = $"{Fmt(shape)} k({kh},{kw}) s({sh},{sw}) p({ph},{pw}) ceil_mode {ceil}";
            var distinct = new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)));
            bool empty = HasEmptyWindow(h, kh, sh, ph, dh, ceil) || HasEmptyWindow(w, kw, sw, pw, dw, ceil);
            cases.Add(new("max_pool2d", $"{label} dilation ({dh},{dw})", [distinct],
                x => F.MaxPool2d(x[0], (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil),
                x => TF.max_pool2d(x[0], [kh, kw], [sh, sw], [ph, pw], [dh, dw], ceil),
                OracleWrong: empty ? EmptyPoolWindow : null));
            if (OutputSize(h, kh, sh, ph, 1, ceil) >= 1 && OutputSize(w, kw, sw, pw, 1, ceil) >= 1)
            {
                bool include = g.Coin();
                int? divisor = g.Coin(0.25) ? g.Int(1, 7) : null;
                cases.Add(new("avg_pool2d", $"{label} count_include_pad {include} divisor_override {divisor?.ToString() ?? "none"}", [g.Input("x", shape)],
                    x => F.AvgPool2d(x[0], (kh, kw), (sh, sw), (ph, pw), ceil, include, divisor),
                    x => TF.avg_pool2d(x[0], [kh, kw], [sh, sw], [ph, pw], ceil, include, divisor)));
            }
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

    /// <summary>
    /// A dilated window whose taps all fall in the padding: both give −∞, but libtorch's backward then adds that
    /// output's gradient to a real input element (its index starts at the window's first tap, a padding position,
    /// and is never replaced), while Pade passes none (nothing in the input produced the −∞).
    /// </summary>
    private const string EmptyPoolWindow =
        "a window reads only padding: libtorch routes the gradient of its -inf output to a real input element; Pade passes none";

    private static bool HasEmptyWindow(int size, int k, int s, int p, int d, bool ceil)
    {
        int outputs = OutputSize(size, k, s, p, d, ceil);
        for (int o = 0; o < outputs; o++)
            if (!Enumerable.Range(0, k).Any(j => o * s - p + j * d is var at && at >= 0 && at < size)) return true;
        return false;
    }

    /// <summary>PyTorch's pooling_output_shape: a last window in ceil mode must start inside the input or the left padding.</summary>
    private static int OutputSize(int size, int k, int s, int p, int d, bool ceil)
    {
        int span = size + 2 * p - d * (k - 1) - 1;
        if (span < 0) return 0;
        int o = (span + (ceil ? s - 1 : 0)) / s + 1;
        if (ceil && (o - 1) * s >= size + p) o--;
        return o;
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
