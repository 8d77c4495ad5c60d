using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>Convolution (cuda/conv.cu: im2col + GEMM, direct depthwise kernels), pooling (cuda/pool.cu), batch
/// normalisation (cuda/batchnorm.cu), and layer and group normalisation (compositions: reduce.cu and
/// elementwise.cu) through F.*.</summary>
public static partial class OpSuite
{
    private const string Conv = "conv.cu:", Pool = "pool.cu:", Bn = "batchnorm.cu:", ResampleK = "resample.cu:resample_{t}";

    private sealed record ConvPlan(string Label, int[] X, int K, int KH, int KW, Size2 Stride, Size2 Padding, Size2 Dilation, int Groups, bool Bias);

    private static void AddLayerCases(List<OpCase> cases)
    {
        ConvPlan[] convs =
        [
            new("[2, 3, 7, 9] k3 s2 p1 -> 5", [2, 3, 7, 9], 5, 3, 3, 2, 1, 1, 1, true),
            new("[2, 4, 6, 5] k3x2 p1 groups 2 -> 4", [2, 4, 6, 5], 4, 3, 2, 1, 1, 1, 2, false),
            new("[1, 3, 8, 8] k3 d2 p2 -> 2", [1, 3, 8, 8], 2, 3, 3, 1, 2, 2, 1, true),
            new("depthwise [2, 4, 7, 7] k3 s2 p1", [2, 4, 7, 7], 4, 3, 3, 2, 1, 1, 4, true),
            new("pointwise [2, 6, 3, 5] k1 -> 7", [2, 6, 3, 5], 7, 1, 1, 1, 0, 1, 1, true),
            new("[1, 1, 1, 1] k1 -> 1", [1, 1, 1, 1], 1, 1, 1, 1, 0, 1, 1, true),
            // Kernel columns (rows) that read only padding, one-wide outputs, padding beyond the kernel's reach: the
            // geometries on which the CPU's tap ranges were once empty (Tests/Layers/ConvEdgeTests.cs).
            new("one channel [1, 1, 1, 5] k1x5 p(0, 2) d(1, 2)", [1, 1, 1, 5], 1, 1, 5, 1, (0, 2), (1, 2), 1, true),
            new("depthwise [2, 6, 4, 3] k4 p2 d2", [2, 6, 4, 3], 6, 4, 4, 1, 2, 2, 6, true),
            new("depthwise [2, 3, 3, 2] k3 s(1, 2) p3 d(1, 2)", [2, 3, 3, 2], 3, 3, 3, (1, 2), 3, (1, 2), 3, false),
            new("[1, 2, 2, 1] k1x3 p(0, 4) d(1, 3) -> 3", [1, 2, 2, 1], 3, 1, 3, 1, (0, 4), (1, 3), 1, true),
            new("[2, 1, 1, 1] k1x2 p(0, 20) d(1, 23) -> 2", [2, 1, 1, 1], 2, 1, 2, 1, (0, 20), (1, 23), 1, true),
            new("[1, 2, 2, 3] k3 s2 p3 -> 2", [1, 2, 2, 3], 2, 3, 3, 2, 3, 1, 1, false),
        ];
        foreach (var p in convs)
        {
            int n = p.X[0], c = p.X[1], h = p.X[2], w = p.X[3];
            int oh = (h + 2 * p.Padding.H - p.Dilation.H * (p.KH - 1) - 1) / p.Stride.H + 1;
            int ow = (w + 2 * p.Padding.W - p.Dilation.W * (p.KW - 1) - 1) / p.Stride.W + 1;
            bool depthwise = p.Groups == c && p.K == c; // as Conv2dGeometry.IsDepthwise (a 1-channel conv is one)
            OpInput[] inputs = [In("x", p.X), In("w", [p.K, c / p.Groups, p.KH, p.KW]), .. p.Bias ? [In("b", [p.K])] : Array.Empty<OpInput>()];
            double outputs = (double)n * oh * ow;
            cases.Add(new("conv2d", p.Label, inputs, (_, x) => One(F.Conv2d(x[0], x[1], p.Bias ? x[2] : null, p.Stride, p.Padding, p.Dilation, p.Groups)))
            {
                // y sums C/groups·KH·KW products (+ bias); dx sums K/groups·KH·KW; dw and db sum N·OH·OW.
                Tol = Tolerance.Sum(c / p.Groups * p.KH * p.KW + 1),
                GradTols = [Tolerance.Sum(p.K / p.Groups * p.KH * p.KW), Tolerance.Sum(outputs), Tolerance.Sum(outputs)],
                Kernels = depthwise
                    ? [Conv + "depthwise_forward_{t}", Conv + "depthwise_backward_input_{t}", Conv + "depthwise_backward_weight_{t}"]
                    : [Conv + "im2col_{t}", Conv + "conv_output_{t}", Conv + "conv_gather_dy_{t}", Conv + "col2im_{t}", GemmNN, GemmNT, GemmTN],
            });
        }

        // padding="same" with an even kernel: the extra bottom row and right column are padded first (a copy into
        // zeros), then the convolution pads 0 rows above and 1 column left.
        cases.Add(new("conv2d", "[2, 3, 6, 7] k2x3 padding same", [In("x", [2, 3, 6, 7]), In("w", [4, 3, 2, 3]), In("b", [4])],
            (_, x) => One(F.Conv2d(x[0], x[1], x[2], padding: "same")))
        {
            Tol = Tolerance.Sum(3 * 2 * 3 + 1),
            GradTols = [Tolerance.Sum(4 * 2 * 3), Tolerance.Sum(2 * 6 * 7), Tolerance.Sum(2 * 6 * 7)],
            Kernels = [Conv + "im2col_{t}", Conv + "conv_output_{t}", Conv + "conv_gather_dy_{t}", Conv + "col2im_{t}", GemmNN, GemmNT, GemmTN],
        });

        // Pooling: window, stride, padding, dilation (max only), ceil mode; max pooling on a 1/4 grid (ties: the first
        // maximum takes the gradient).
        (string Label, int[] X, Size2 K, Size2 S, Size2 P, Size2 D, bool Ceil)[] pools =
        [
            ("[2, 3, 9, 11] k3 s2 p1", [2, 3, 9, 11], 3, 2, 1, 1, false),
            ("[1, 2, 8, 8] k2 s2", [1, 2, 8, 8], 2, 2, 0, 1, false),
            ("[2, 1, 5, 5] k3 s1 p1", [2, 1, 5, 5], 3, 1, 1, 1, false),
            // Ceil mode: a last row and column of windows clipped by the image (and, for the average, the padding).
            ("[2, 3, 9, 10] k3 s2 p1 ceil", [2, 3, 9, 10], 3, 2, 1, 1, true),
            ("[1, 2, 7, 5] k2 s2 ceil", [1, 2, 7, 5], 2, 2, 0, 1, true),
            ("[1, 2, 6, 8] k(3, 2) s(2, 3) p(1, 0) ceil", [1, 2, 6, 8], (3, 2), (2, 3), (1, 0), 1, true),
        ];
        // Dilated max pooling, with ceil mode, and windows whose taps all fall in the padding (−∞, no gradient).
        (string Label, int[] X, Size2 K, Size2 S, Size2 P, Size2 D, bool Ceil)[] dilated =
        [
            ("[2, 2, 9, 8] k3 s1 p1 d2", [2, 2, 9, 8], 3, 1, 1, 2, false),
            ("[1, 3, 8, 7] k3 s2 p1 d(2, 3) ceil", [1, 3, 8, 7], 3, 2, 1, (2, 3), true),
            ("[1, 2, 3, 5] k2 s1 p1 d4: every window in the padding", [1, 2, 3, 5], 2, 1, 1, 4, false),
        ];
        foreach (var (label, shape, k, s, pad, d, ceil) in pools.Concat(dilated))
        {
            // Overlapping windows add up to ⌈k/s⌉² terms of dy into one dx element.
            double overlap = Math.Ceiling((double)k.H / s.H) * Math.Ceiling((double)k.W / s.W);
            cases.Add(new("max_pool2d", label, [Coarse("x", shape)], (_, x) => One(F.MaxPool2d(x[0], k, s, pad, d, ceil)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(overlap),
                Kernels = [Pool + "max_pool2d_{t}", Pool + "max_pool2d_backward_{t}"],
            });
        }
        foreach (var (label, shape, k, s, pad, _, ceil) in pools)
        {
            double overlap = Math.Ceiling((double)k.H / s.H) * Math.Ceiling((double)k.W / s.W);
            foreach (var (include, divisor) in new (bool, int?)[] { (true, null), (false, null), (true, 3) })
                cases.Add(new("avg_pool2d", $"{label} count_include_pad={include}{(divisor is int v ? $" divisor_override={v}" : "")}",
                    [In("x", shape)], (_, x) => One(F.AvgPool2d(x[0], k, s, pad, ceil, include, divisor)))
                {
                    Tol = Tolerance.Sum(k.H * k.W), GradTol = Tolerance.Sum(overlap),
                    Kernels = [Pool + "avg_pool2d_{t}", Pool + "avg_pool2d_backward_{t}"],
                });
        }
        foreach (var (h, w, oh, ow) in new[] { (7, 9, 3, 4), (5, 5, 1, 1), (4, 4, 4, 4) })
            cases.Add(new("adaptive_avg_pool2d", $"[2, 3, {h}, {w}] -> {oh}x{ow}", [In("x", [2, 3, h, w])],
                (_, x) => One(F.AdaptiveAvgPool2d(x[0], (oh, ow))))
            {
                // Windows of up to ⌈H/OH⌉+1 by ⌈W/OW⌉+1 elements; they overlap in as many places per element.
                Tol = Tolerance.Sum((h / oh + 2) * (w / ow + 2)), GradTol = Tolerance.Sum(4),
                Kernels = [Pool + "adaptive_avg_pool2d_{t}", Pool + "adaptive_avg_pool2d_backward_{t}"],
            });

        // Adaptive max pooling: coarse values (ties in most windows: the first maximum must win on every device),
        // windows that overlap (7 -> 3), grow (3 -> 5, upsampling) and cover the image (1x1); null keeps a size.
        foreach (var (shape, oh, ow) in new (int[], int?, int?)[] { ([2, 3, 7, 9], 3, 4), ([2, 2, 3, 4], 5, null), ([1, 3, 5, 5], 1, 1), ([3, 4, 6], 2, 3) })
            cases.Add(new("adaptive_max_pool2d", $"{Fmt(shape)} -> ({oh?.ToString() ?? "None"}, {ow?.ToString() ?? "None"})",
                [Coarse("x", shape)], (_, x) => One(F.AdaptiveMaxPool2d(x[0], (oh, ow))))
            {
                // Upsampling windows overlap: an element collects up to ⌈OH/H⌉+1 by ⌈OW/W⌉+1 gradients.
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(9),
                Kernels = [Pool + "adaptive_max_pool2d_{t}", Pool + "adaptive_max_pool2d_backward_{t}"],
            });

        // interpolate: resample.cu's 1-D pass along W, then H, with host-built taps (the backward the same kernel on
        // the transposed taps); nearest (shortcuts and fractional factors), nearest-exact, linear and bilinear with and
        // without align_corners, up and down, size-1 axes, an output longer than 16 384 / I rows per CPU task.
        (string Label, int[] X, int[]? Size, double[]? Scale, string Mode, bool? Align)[] resamples =
        [
            ("[2, 3, 5, 7] x2 nearest", [2, 3, 5, 7], null, [2.0], "nearest", null),
            ("[2, 3, 5, 7] x1.7 nearest", [2, 3, 5, 7], null, [1.7], "nearest", null),
            ("[2, 2, 9, 6] -> 4x11 nearest-exact", [2, 2, 9, 6], [4, 11], null, "nearest-exact", null),
            ("[2, 3, 5, 7] x(2.5, 0.6) bilinear", [2, 3, 5, 7], null, [2.5, 0.6], "bilinear", null),
            ("[1, 4, 6, 4] -> 9x1 bilinear align_corners", [1, 4, 6, 4], [9, 1], null, "bilinear", true),
            ("[1, 2, 1, 1] -> 3x5 bilinear", [1, 2, 1, 1], [3, 5], null, "bilinear", null),
            ("[2, 2, 12, 40] -> 5x70 bilinear", [2, 2, 12, 40], [5, 70], null, "bilinear", false),
            ("[3, 2, 10] x1.5 linear", [3, 2, 10], null, [1.5], "linear", false),
            ("[2, 1, 9] -> 4 nearest", [2, 1, 9], [4], null, "nearest", null),
        ];
        foreach (var (label, shape, size, scale, mode, align) in resamples)
            cases.Add(new("interpolate", label, [In("x", shape)], (_, x) => One(F.Interpolate(x[0], size, scale, mode, align)))
            {
                // Two taps per axis (four products) forward; the backward sums up to ⌈in/out⌉+1 outputs per axis.
                // float32 weights come from a float coordinate up to the input's size (PyTorch's opmath), off by its
                // ulp against the float64 reference's, so the error scales with that size.
                Tol = Tolerance.Sum(4, Math.Max(1, shape[2..].Max() / 8.0)), GradTol = Tolerance.Sum(16, Math.Max(1, shape[2..].Max() / 8.0)),
                Kernels = [ResampleK],
            });
        // bicubic (four clamped taps per axis, several on one input at a border) and antialias (bilinear and bicubic,
        // the filter stretched over up to 2·⌈2·in/out⌉ + 1 inputs when downsampling; an unchanged axis skipped): the
        // same kernel on new taps, forward and transposed.
        (string Label, int[] X, int[]? Size, double[]? Scale, string Mode, bool? Align, bool Aa)[] cubics =
        [
            ("[2, 3, 5, 7] x(2.5, 0.6) bicubic", [2, 3, 5, 7], null, [2.5, 0.6], "bicubic", null, false),
            ("[1, 2, 1, 4] -> 5x9 bicubic align_corners", [1, 2, 1, 4], [5, 9], null, "bicubic", true, false),
            ("[2, 2, 12, 40] -> 5x70 bicubic", [2, 2, 12, 40], [5, 70], null, "bicubic", false, false),
            ("[2, 3, 17, 9] -> 4x9 bilinear antialias", [2, 3, 17, 9], [4, 9], null, "bilinear", null, true),
            ("[1, 2, 9, 20] x(1.7, 0.3) bicubic antialias", [1, 2, 9, 20], null, [1.7, 0.3], "bicubic", false, true),
            ("[2, 2, 6, 5] -> 1x11 bicubic antialias align_corners", [2, 2, 6, 5], [1, 11], null, "bicubic", true, true),
        ];
        foreach (var (label, shape, size, scale, mode, align, aa) in cubics)
        {
            // Up to ⌈2·in/out⌉·2 + 1 taps per axis with antialias (4 for bicubic); the backward sums every output that
            // reads an input, up to ⌈in/out⌉ + 4 per axis.
            double taps = aa ? shape[2..].Select((v, d) => 2 * Math.Ceiling(2.0 * v / (size?[d] ?? Math.Floor(v * scale![d]))) + 1).Aggregate(1.0, (p, q) => p * q) : 16;
            cases.Add(new("interpolate", label, [In("x", shape)], (_, x) => One(F.Interpolate(x[0], size, scale, mode, align, null, aa)))
            {
                Tol = Tolerance.Sum(taps, Math.Max(1, shape[2..].Max() / 8.0)), GradTol = Tolerance.Sum(4 * taps, Math.Max(1, shape[2..].Max() / 8.0)),
                Kernels = [ResampleK],
            });
        }
        // +∞ inputs reach only the outputs whose taps read them (+∞, or NaN where a tap of weight 0 reads one, as in
        // libtorch: x2 bilinear's first output weighs its second tap 0), the rest stay finite.
        foreach (var (label, size, mode) in new[] { ("x2 bilinear", (int[]?)null, "bilinear"), ("-> 7x5 nearest", [7, 5], "nearest") })
            cases.Add(new("interpolate", $"[2, 2, 5, 6] {label} with infinities", [In("x", [2, 2, 5, 6])], (e, x) =>
                One(F.Interpolate(Tensor.Where(x[0].Gt(0.8), Tensor.Full([], double.PositiveInfinity, e.DType, e.Device), x[0]),
                    size, size == null ? [2.0] : null, mode)))
            {
                Tol = Tolerance.Sum(4), GradTol = Tolerance.Sum(16),
                Kernels = [ResampleK],
                Property = (_, y) =>
                {
                    var v = y[0].To(DType.Float64).ToArray<double>();
                    return v.Contains(double.PositiveInfinity) && v.Any(double.IsFinite) ? null : "no infinite output, or no finite one";
                },
            });
        cases.Add(new("interpolate", "[2, 3, 7, 5] -> 3x8 area", [In("x", [2, 3, 7, 5])], (_, x) => One(F.Interpolate(x[0], [3, 8], mode: "area")))
        {
            Tol = Tolerance.Sum(12), GradTol = Tolerance.Sum(4),
            Kernels = [Pool + "adaptive_avg_pool2d_{t}", Pool + "adaptive_avg_pool2d_backward_{t}"],
        });

        // Batch norm in training (batch statistics, running statistics updated in place: compared as outputs) and in
        // evaluation (running statistics), for [N, C, H, W] and [N, C].
        foreach (var shape in (int[][])[[4, 3, 5, 7], [5, 6]])
            foreach (bool training in (bool[])[true, false])
            {
                int ch = shape[1];
                long m = shape.Aggregate(1L, (a, d) => a * d) / ch;
                cases.Add(new("batch_norm", $"{Fmt(shape)} {(training ? "training" : "evaluation")}",
                    [In("x", shape, -2, 3), In("weight", [ch], 0.5, 1.5), In("bias", [ch], -0.5, 0.5),
                        Fixed("running_mean", [ch], -0.5, 0.5), Fixed("running_var", [ch], 0.5, 1.5)], (_, x) =>
                    {
                        var (rm, rv) = (x[3].Clone(), x[4].Clone());
                        return [F.BatchNorm(x[0], rm, rv, x[1], x[2], training, momentum: 0.1, eps: 1e-5), rm, rv];
                    })
                {
                    // Mean and variance sum M = N·H·W values up to 3 (squares up to 9); normalised values reach about
                    // 3/σ ≈ 4; the gradients sum M terms (dy·x̂ up to 4) per channel.
                    Tol = Tolerance.Sum(m, 9), GradTol = Tolerance.Sum(m, 4), OutputNames = ["y", "running_mean", "running_var"],
                    Kernels = training
                        ? [Bn + "batch_norm_stats_{t}", Bn + "batch_norm_forward_{t}", Bn + "batch_norm_backward_sums_{t}", Bn + "batch_norm_backward_dx_{t}"]
                        : [Bn + "batch_norm_forward_{t}", Bn + "batch_norm_backward_sums_{t}", Bn + "batch_norm_backward_dx_{t}"],
                });
            }

        // Layer norm and group norm: compositions of reductions and elementwise kernels (no kernel of their own), the
        // statistics over the trailing dims of x (group norm: of x viewed as [N, G, C/G·positions]).
        // (label, x, normalized shape or null for group norm, groups, weight, bias, kernels).
        (string Label, int[] X, int[]? Normalized, int Groups, bool Weight, bool Bias, string[] Kernels)[] norms =
        [
            ("[4, 3, 5] normalized [5]", [4, 3, 5], [5], 0, true, true, [RowsK, StridedK, UnaryK, BinaryK]),
            ("[6, 2, 3, 4] normalized [3, 4] weight only", [6, 2, 3, 4], [3, 4], 0, true, false, [RowsK, StridedK, UnaryK, BinaryK]),
            ("[7, 37] normalized [37] no affine", [7, 37], [37], 0, false, false, [RowsK, UnaryK, BinaryK]),
            ("[5, 2, 3] normalized [2, 3] bias only", [5, 2, 3], [2, 3], 0, false, true, [RowsK, StridedK, UnaryK, BinaryK]),
            ("[2, 6, 4, 5] groups 3", [2, 6, 4, 5], null, 3, true, true, [RowsK, StridedK, UnaryK, BinaryK]),
            ("[3, 4, 7] groups 2 no affine", [3, 4, 7], null, 2, false, false, [RowsK, UnaryK, BinaryK]),
            ("[4, 6] groups 6 weight only (one element per group)", [4, 6], null, 6, true, false, [RowsK, StridedK, UnaryK, BinaryK]),
        ];
        foreach (var (label, shape, normalized, groups, weight, bias, kernels) in norms)
        {
            int[] affine = normalized ?? [shape[1]];
            long total = shape.Aggregate(1L, (a, d) => a * d);
            long m = normalized != null ? normalized.Aggregate(1L, (a, d) => a * d) : total / shape[0] / groups;
            long batch = total / affine.Aggregate(1L, (a, d) => a * d);
            var inputs = new List<OpInput> { In("x", shape, -2, 3) };
            if (weight) inputs.Add(In("weight", affine, 0.5, 1.5));
            if (bias) inputs.Add(In("bias", affine, -0.5, 0.5));
            cases.Add(new(normalized != null ? "layer_norm" : "group_norm", label, inputs.ToArray(), (_, x) =>
            {
                Tensor? w = weight ? x[1] : null, b = bias ? x[weight ? 2 : 1] : null;
                return One(normalized != null ? F.LayerNorm(x[0], normalized, w, b) : F.GroupNorm(x[0], groups, w, b));
            })
            {
                // As batch norm: the mean and variance sum M values up to 3 (squares up to 9), x̂ reaches about 4;
                // dx sums M terms per normalisation (g·γ·x̂ up to 6), dγ and dβ sum the batch (g·x̂ up to 4).
                Tol = Tolerance.Sum(m, 9),
                GradTols = [Tolerance.Sum(m, 6), .. weight ? [Tolerance.Sum(batch, 4)] : Array.Empty<Tolerance>(), .. bias ? [Tolerance.Sum(batch, 4)] : Array.Empty<Tolerance>()],
                Kernels = kernels,
            });
        }
    }
}
