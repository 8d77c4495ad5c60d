using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// Geometries large enough to take Pade's fast paths, which the small cases above never reach: Winograd and the direct
/// 3x3 kernels (8+ channels), the 1x1 GEMM path, the depthwise kernel, 2x2 max pooling, the SIMD loops of batch norm,
/// softmax and the pointwise ops with their vector tails, GEMM tiles and their edges, and the structure ops the networks
/// use (DenseNet's concatenation, views). Run with <c>--dtype float32</c> they check the float32 kernels users run by
/// default against libtorch in float64.
/// </summary>
public static partial class OracleCases
{
    private static void AddFastPaths(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        int[] planes = [1, 3, 4, 5, 7, 8, 9, 13, 16, 17, 20];
        for (int i = 0; i < perFamily * 2; i++)
        {
            // 3x3, stride 1: the direct kernels and im2col on small batches; paddings 0..2, channel counts off the
            // vector width.
            int c = g.Pick(8, 13, 16, 24, 32, 40), k = g.Pick(8, 16, 19, 32, 40), pad = g.Pick(1, 1, 0, 2);
            int h = g.Pick(planes), w = g.Pick(planes);
            if (h + 2 * pad < 3 || w + 2 * pad < 3) { i--; continue; }
            cases.Add(ConvLarge(g, g.Int(1, 4), c, h, w, k, 1, 3, 3, (1, 1), (pad, pad), g.Coin()));
            // Winograd's size: 16+ channels both ways and 128+ output tiles of 2x2 over the batch (its tiles, the
            // odd edges, the plane widths its lanes special-case, one and two chunks of samples).
            int n = g.Int(2, 8), hw = g.Pick(4, 8, 16, g.Int(5, 20)), ww = g.Coin(0.7) ? hw : g.Int(5, 20);
            pad = g.Pick(1, 1, 1, 0, 2);
            if ((long)n * ((hw + 2 * pad - 1) / 2) * ((ww + 2 * pad - 1) / 2) < 128) n = 8;
            cases.Add(ConvLarge(g, n, g.Pick(16, 19, 32, 48), hw, ww, g.Pick(16, 24, 32, 64), 1, 3, 3, (1, 1), (pad, pad), g.Coin()));
        }
        for (int i = 0; i < perFamily; i++)
        {
            // Strided 3x3 (ResNet's downsampling), 1x1 at stride 1 and 2 (bottlenecks, projections), depthwise 3x3
            // (MobileNetV2), the 7x7 stem and LeNet's 5x5.
            int n = g.Int(1, 3), h = g.Pick(planes), w = g.Pick(planes);
            int c = g.Pick(8, 16, 24, 33), k = g.Pick(8, 16, 32, 48);
            if (h >= 2 && w >= 2) cases.Add(ConvLarge(g, n, c, h, w, k, 1, 3, 3, (2, 2), (1, 1), g.Coin()));
            cases.Add(ConvLarge(g, n, g.Pick(16, 32, 64, 67), h, w, g.Pick(16, 24, 64), 1, 1, 1, g.Pick((1, 1), (2, 2)), (0, 0), g.Coin()));
            int dw = g.Pick(8, 16, 24, 32, 48);
            cases.Add(ConvLarge(g, n, dw, h, w, dw, dw, 3, 3, g.Pick((1, 1), (2, 2)), (1, 1), g.Coin()));
            int hs = g.Int(7, 24), ws = g.Int(7, 24);
            cases.Add(ConvLarge(g, n, 3, hs, ws, g.Pick(8, 16), 1, 7, 7, (2, 2), (3, 3), false));
            cases.Add(ConvLarge(g, n, g.Pick(1, 6), g.Int(5, 28), g.Int(5, 28), g.Pick(6, 16), 1, 5, 5, (1, 1), g.Pick((0, 0), (2, 2)), true));
        }

        for (int i = 0; i < perFamily; i++)
        {
            int n = g.Int(1, 4), c = g.Pick(1, 6, 16, 33, 64), h = g.Int(1, 17), w = g.Int(1, 17);
            int[] shape = [n, c, h, w];
            long numel = shape.Aggregate(1L, (a, b) => a * b);
            if (h >= 2 && w >= 2)
                cases.Add(new("max_pool2d large", $"{Fmt(shape)} k2 s2", [new OracleInput("x", shape, g.Distinct(numel))],
                    x => F.MaxPool2d(x[0], (2, 2), (2, 2), (0, 0), (1, 1), false), x => TF.max_pool2d(x[0], [2, 2], [2, 2])));
            bool ceil = g.Coin();
            cases.Add(new("max_pool2d large", $"{Fmt(shape)} k3 s2 p1 ceil_mode {ceil}", [new OracleInput("x", shape, g.Distinct(numel))],
                x => F.MaxPool2d(x[0], (3, 3), (2, 2), (1, 1), (1, 1), ceil), x => TF.max_pool2d(x[0], [3, 3], [2, 2], [1, 1], [1, 1], ceil)));
            if (h >= 2 && w >= 2)
                cases.Add(new("avg_pool2d large", $"{Fmt(shape)} k2 s2", [g.Input("x", shape)],
                    x => F.AvgPool2d(x[0], (2, 2), (2, 2), (0, 0), false, true, null), x => TF.avg_pool2d(x[0], [2, 2], [2, 2])));
            cases.Add(new("adaptive_avg_pool2d large", $"{Fmt(shape)} -> 1x1", [g.Input("x", shape)],
                x => F.AdaptiveAvgPool2d(x[0], new Size2(1, 1)), x => TF.adaptive_avg_pool2d(x[0], [1, 1])));

            bool training = g.Coin(0.7);
            cases.Add(new("batch_norm large", $"{Fmt(shape)} training {training}",
                [g.Input("x", shape, -3, 5), g.Input("weight", [c]), g.Input("bias", [c]),
                 new OracleInput("running_mean", [c], g.Values(c, -0.5, 0.5), Grad: false), new OracleInput("running_var", [c], g.Values(c, 0.5, 2), Grad: false)],
                x => F.BatchNorm(x[0], x[3].Clone(), x[4].Clone(), x[1], x[2], training, 0.1, 1e-5),
                x => TF.batch_norm(x[0], x[3].clone(), x[4].clone(), x[1], x[2], training, 0.1, 1e-5),
                Tolerance32: 3e-4));
            // The running statistics a training step leaves (PyTorch: the batch mean, and the unbiased variance).
            double momentum = g.Pick(0.1, 0.3);
            if (n * h * w > 1)
                cases.Add(new("batch_norm large", $"{Fmt(shape)} running statistics after a training step, momentum {momentum}",
                    [g.Input("x", shape, -3, 5), new OracleInput("running_mean", [c], g.Values(c, -0.5, 0.5), Grad: false),
                     new OracleInput("running_var", [c], g.Values(c, 0.5, 2), Grad: false)],
                    x =>
                    {
                        PTensor mean = x[1].Clone(), variance = x[2].Clone();
                        F.BatchNorm(x[0], mean, variance, null, null, true, momentum, 1e-5);
                        return PTensor.Concat([mean, variance]);
                    },
                    x =>
                    {
                        TorchSharp.torch.Tensor mean = x[1].clone(), variance = x[2].clone();
                        TF.batch_norm(x[0], mean, variance, null, null, true, momentum, 1e-5);
                        return cat([mean, variance]);
                    },
                    Differentiable: false));
        }

        for (int i = 0; i < perFamily; i++)
        {
            int n = g.Int(1, 64), classes = g.Pick(2, 10, 17, 100, 130);
            cases.Add(new("softmax large", $"softmax [{n},{classes}]", [g.Input("x", [n, classes], -6, 6)], x => x[0].Softmax(-1), x => TF.softmax(x[0], -1)));
            cases.Add(new("softmax large", $"log_softmax [{n},{classes}]", [g.Input("x", [n, classes], -6, 6)], x => x[0].LogSoftmax(-1), x => TF.log_softmax(x[0], -1)));
            double smoothing = g.Pick(0.0, 0.1);
            cases.Add(new("cross_entropy large", $"[{n},{classes}] label_smoothing {smoothing}", [g.Input("logits", [n, classes], -6, 6), g.Classes("target", [n], classes)],
                x => PTensor.CrossEntropy(x[0], x[1], labelSmoothing: smoothing), x => TF.cross_entropy(x[0], x[1], label_smoothing: smoothing)));

            int m = g.Int(1, 150), kk = g.Int(1, 150), nn = g.Int(1, 150);
            bool ta = g.Coin(), tb = g.Coin();
            int[] sa = ta ? [kk, m] : [m, kk], sb = tb ? [nn, kk] : [kk, nn];
            cases.Add(new("matmul large", $"{Fmt(sa)}{(ta ? "ᵀ" : "")} · {Fmt(sb)}{(tb ? "ᵀ" : "")}", [g.Input("a", sa), g.Input("b", sb)],
                x => PTensor.MatMul(ta ? x[0].Transpose(-1, -2) : x[0], tb ? x[1].Transpose(-1, -2) : x[1]),
                x => matmul(ta ? x[0].transpose(-1, -2) : x[0], tb ? x[1].transpose(-1, -2) : x[1]), Tolerance32: 2e-4));
            int fin = g.Int(1, 400), fout = g.Int(1, 130), batch = g.Int(1, 64);
            cases.Add(new("linear large", $"[{batch},{fin}] -> {fout}", [g.Input("x", [batch, fin]), g.Input("weight", [fout, fin]), g.Input("bias", [fout])],
                x => F.Linear(x[0], x[1], x[2]), x => TF.linear(x[0], x[1], x[2]), Tolerance32: 2e-4));
        }

        foreach (var (name, pade, torchOp, lo, hi) in Unary)
            for (int i = 0; i < Math.Max(1, perFamily / 4); i++)
            {
                // Lengths past one and several vectors, with tails; a strided view as input half of the time.
                int[] shape = g.Pick<int[]>([g.Int(1, 1000)], [g.Int(1, 4), g.Int(1, 40), g.Int(1, 33)]);
                bool transposed = shape.Length > 1 && g.Coin();
                var input = g.Input("x", shape, lo, hi, avoid: 0.01);
                string? wrong = name switch { "hardtanh" => HardtanhBinding, "celu" => CeluGradient, "hardsigmoid" => HardsigmoidGradient, _ => null };
                bool apart = name is "celu" or "hardsigmoid";
                string label = $"{name} {Fmt(shape)}{(transposed ? " transposed view" : "")}";
                Func<PTensor[], PTensor> p = x => pade(transposed ? x[0].Transpose(-1, -2) : x[0]);
                Func<TorchSharp.torch.Tensor[], TorchSharp.torch.Tensor> t = x => torchOp(transposed ? x[0].transpose(-1, -2) : x[0]);
                // CELU, hardsigmoid: the forward is compared alone, the gradient is listed apart (CeluGradient, HardsigmoidGradient).
                if (apart) cases.Add(new("pointwise large", label + " forward", [input], p, t, Differentiable: false));
                cases.Add(new("pointwise large", label + (apart ? " gradient" : ""), [input], p, t, OracleWrong: wrong));
            }

        AddStructure(cases, g, perFamily);
    }

    /// <summary>Broadcasting as the layers use it, reductions over large tensors, and the structure ops.</summary>
    private static void AddStructure(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        for (int i = 0; i < perFamily; i++)
        {
            int n = g.Int(1, 4), c = g.Pick(3, 16, 33), h = g.Int(1, 12), w = g.Int(1, 12);
            int[] x = [n, c, h, w];
            cases.Add(new("broadcast large", $"{Fmt(x)} + [{c},1,1]", [g.Input("a", x), g.Input("b", [c, 1, 1])], t => t[0] + t[1], t => t[0] + t[1]));
            cases.Add(new("broadcast large", $"{Fmt(x)} * [{n},{c},1,1]", [g.Input("a", x), g.Input("b", [n, c, 1, 1])], t => t[0] * t[1], t => t[0] * t[1]));
            cases.Add(new("broadcast large", $"{Fmt(x)} - [{w}]", [g.Input("a", x), g.Input("b", [w])], t => t[0] - t[1], t => t[0] - t[1]));
            cases.Add(new("broadcast large", $"[{n},1,{h},{w}] / {Fmt(x)}", [g.Input("a", [n, 1, h, w]), g.Input("b", x, 0.3, 2)], t => t[0] / t[1], t => t[0] / t[1]));

            AddReductions(cases, g, "reduce large", x);

            // DenseNet's concatenation along channels, and stack.
            int parts = g.Int(1, 4);
            var widths = Enumerable.Range(0, parts).Select(_ => g.Pick(1, 3, 16, 32)).ToArray();
            int axis = g.Pick(1, 1, 0, 3, -1);
            var inputs = widths.Select((cw, j) => g.Input($"p{j}", axis switch
            {
                1 => [n, cw, h, w],
                0 => [cw, c, h, w],
                _ => [n, c, h, cw],
            })).ToArray();
            cases.Add(new("structure", $"concat {string.Join(" ", inputs.Select(p => Fmt(p.Shape)))} axis {axis}", inputs,
                t => PTensor.Concat(t, axis), t => cat(t, axis)));
            var same = Enumerable.Range(0, parts).Select(j => g.Input($"p{j}", [n, c, h])).ToArray();
            int sAxis = g.Int(-4, 3);
            cases.Add(new("structure", $"stack {parts}x[{n},{c},{h}] axis {sAxis}", same, t => PTensor.Stack(t, sAxis), t => stack(t, sAxis)));

            // Views then arithmetic (non-contiguous inputs to the kernels), narrow and slice, constant padding.
            var perm = Enumerable.Range(0, 4).OrderBy(_ => g.Int(0, 1000)).ToArray();
            var tp = perm.Select(p => (long)p).ToArray();
            cases.Add(new("structure", $"permute {Fmt(x)} {Fmt(perm)} then exp", [g.Input("x", x)],
                t => t[0].Permute(perm).Exp(), t => t[0].permute(tp).exp()));
            cases.Add(new("structure", $"permute {Fmt(x)} {Fmt(perm)} contiguous then view", [g.Input("x", x)],
                t => t[0].Permute(perm).Contiguous().Reshape(-1), t => t[0].permute(tp).contiguous().reshape(-1)));
            int nAxis = g.Int(0, 3), start = g.Int(0, x[nAxis] - 1), length = g.Int(0, x[nAxis] - start);
            cases.Add(new("structure", $"narrow {Fmt(x)} axis {nAxis} start {start} length {length}", [g.Input("x", x)],
                t => t[0].Narrow(nAxis, start, length) * 2, t => t[0].narrow(nAxis, start, length) * 2));
            int sStart = g.Int(0, x[nAxis] - 1), sEnd = g.Int(sStart, x[nAxis]), sStep = g.Int(1, 3);
            cases.Add(new("structure", $"slice {Fmt(x)} axis {nAxis} [{sStart}:{sEnd}:{sStep}] then square", [g.Input("x", x)],
                t => t[0].Slice(nAxis, sStart, sEnd, sStep).Square(), t => t[0].slice(nAxis, sStart, sEnd, sStep).square()));
            int[] pads = Enumerable.Range(0, 2 * g.Int(1, 4)).Select(_ => g.Int(0, 3)).ToArray();
            double value = g.Pick(0.0, -1.5);
            cases.Add(new("structure", $"pad {Fmt(x)} {Fmt(pads)} value {value}", [g.Input("x", x)],
                t => t[0].Pad(pads, value), t => TF.pad(t[0], pads.Select(p => (long)p).ToArray(), value: value)));
            cases.Add(new("structure", $"expand [{c},1] -> [{n},{c},{w}] then mul", [g.Input("a", [c, 1]), g.Input("b", [n, c, w])],
                t => t[0].Expand(n, c, w) * t[1], t => t[0].expand(n, c, w) * t[1]));

            // What PyTorch also accepts: negative padding (a crop), a negative start, one image without a batch axis,
            // and mse_loss between shapes that broadcast.
            int[] crop = [-g.Int(0, w - 1), g.Int(-1, 2), g.Int(0, 2), -g.Int(0, h - 1)];
            if (w + crop[0] + Math.Min(crop[1], 0) < 0) crop[1] = 0;
            cases.Add(new("pytorch edge cases", $"pad {Fmt(x)} {Fmt(crop)}", [g.Input("x", x)],
                t => t[0].Pad(crop, 0.5), t => TF.pad(t[0], crop.Select(p => (long)p).ToArray(), value: 0.5)));
            int back = g.Int(1, x[nAxis]), len = g.Int(0, back);
            cases.Add(new("pytorch edge cases", $"narrow {Fmt(x)} axis {nAxis} start {-back} length {len}", [g.Input("x", x)],
                t => t[0].Narrow(nAxis, -back, len) * 2, t => t[0].narrow(nAxis, -back, len) * 2));
            int k = g.Pick(2, 5);
            cases.Add(new("pytorch edge cases", $"conv2d one image [{c},{h},{w}] w [{k},{c},3,3] padding 1",
                [g.Input("x", [c, h, w]), g.Input("weight", [k, c, 3, 3]), g.Input("bias", [k])],
                t => F.Conv2d(t[0], t[1], t[2], null, new Size2(1, 1)), t => TF.conv2d(t[0], t[1], t[2], padding: [1, 1])));
            if (h >= 2 && w >= 2)
                cases.Add(new("pytorch edge cases", $"max_pool2d one image [{c},{h},{w}] k2", [new OracleInput("x", [c, h, w], g.Distinct((long)c * h * w))],
                    t => F.MaxPool2d(t[0], (2, 2)), t => TF.max_pool2d(t[0], [2, 2])));
            cases.Add(new("pytorch edge cases", $"type promotion: float32 {Fmt(x)} * [{w}] + 0-d", [g.Input("a", x), g.Input("b", [w]), g.Input("s", [])],
                t => t[0].To(DType.Float32) * t[1] + t[2].To(DType.Float32),
                t => t[0].to_type(ScalarType.Float32) * t[1] + t[2].to_type(ScalarType.Float32), Tolerance: 1e-6));
            cases.Add(new("pytorch edge cases", $"type promotion: concat float32 {Fmt(x)} with {Fmt(x)} on axis 1", [g.Input("a", x), g.Input("b", x)],
                t => PTensor.Concat([t[0].To(DType.Float32), t[1]], 1),
                t => cat([t[0].to_type(ScalarType.Float32), t[1]], 1), Tolerance: 1e-6));
            cases.Add(new("pytorch edge cases", "0-d tensor with axis 0 and -1: softmax + log_softmax + sum + max", [g.Input("s", [])],
                t => t[0].Softmax(0) + t[0].LogSoftmax(-1) + t[0].Sum(0) + t[0].Max(-1),
                t => TF.softmax(t[0], 0) + TF.log_softmax(t[0], -1) + t[0].sum([0L]) + t[0].amax([-1L])));
            var reduction = g.Pick(Reduction.Mean, Reduction.Sum, Reduction.None);
            cases.Add(new("pytorch edge cases", $"mse_loss [{n},{c},1] vs [{w}] reduction {reduction}", [g.Input("a", [n, c, 1]), g.Input("b", [w])],
                t => PTensor.MseLoss(t[0], t[1], reduction), t => TF.mse_loss(t[0], t[1], Torch(reduction))));
        }
        // padding="same" with even and odd kernels and dilations (the extra row and column after the image), one image too.
        foreach (var (xs, kh, kw, dil) in new[] { (new[] { 2, 3, 7, 6 }, 2, 3, (3, 1)), (new[] { 3, 5, 4 }, 4, 1, (1, 1)), (new[] { 1, 2, 5, 5 }, 3, 3, (2, 2)) })
        {
            int cin = xs[^3];
            cases.Add(new("pytorch edge cases", $"conv2d padding same {Fmt(xs)} k {kh}x{kw} dilation {dil}",
                [g.Input("x", xs), g.Input("weight", [4, cin, kh, kw]), g.Input("bias", [4])],
                t => F.Conv2d(t[0], t[1], t[2], padding: "same", dilation: dil),
                t => TF.conv2d_padding(t[0], t[1], t[2], [1L, 1L], TorchSharp.Padding.Same, [dil.Item1, dil.Item2], 1)));
        }
        // clamp exactly at its bounds (x − x.detach() + c is c with gradient 1: PyTorch's subgradient there is 1) and
        // with min > max (every value is max, no gradient).
        cases.Add(new("pytorch edge cases", "clamp at its bounds [3, 4]", [g.Input("x", [3, 4])],
            t => (t[0] - t[0].Detach() + 0.5).Clamp(0.5, 2) + (t[0] - t[0].Detach() - 1).Clamp(-3, -1) + t[0].Clamp(0.3, -0.2),
            t => (t[0] - t[0].detach() + 0.5).clamp(0.5, 2) + (t[0] - t[0].detach() - 1).clamp(-3, -1) + t[0].clamp(0.3, -0.2)));
        // Adaptive pooling to an empty output (batched and one image): an empty result. Forward only: libtorch's
        // backward refuses the empty gradient ("Expected grad_output to have non-zero size"); Pade's is zero.
        foreach (var (shape, oh, ow) in new[] { (new[] { 2, 3, 5, 4 }, 0, 2), (new[] { 3, 5, 4 }, 2, 0) })
            cases.Add(new("pytorch edge cases", $"adaptive_avg_pool2d {Fmt(shape)} -> {oh}x{ow} (forward)", [g.Input("x", shape)],
                t => F.AdaptiveAvgPool2d(t[0], new Size2(oh, ow)), t => TF.adaptive_avg_pool2d(t[0], [oh, ow]), Differentiable: false));
    }

    /// <summary>A convolution case whose float32 tolerance grows with the length of its sums: the fan-in (forward and
    /// input gradient) and N·OH·OW (weight gradient).</summary>
    private static OracleCase ConvLarge(OracleGen g, int n, int c, int h, int w, int k, int groups, int kh, int kw,
        (int H, int W) stride, (int H, int W) pad, bool bias)
    {
        var conv = Conv(g, n, c, h, w, k, groups, kh, kw, stride, pad, (1, 1), bias);
        int oh = (h + 2 * pad.H - kh) / stride.H + 1, ow = (w + 2 * pad.W - kw) / stride.W + 1;
        double terms = Math.Max(c / groups * kh * kw, n * oh * ow);
        return conv with { Family = "conv2d large", Tolerance32 = 2e-5 * Math.Sqrt(terms) + 1e-4 };
    }
}
