using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>The 1-D layers through F.Conv1d, F.ConvTranspose1d and the 1-D pools: no kernel of their own, each is its
/// 2-D twin on a height-1 axis, so they launch conv.cu's and pool.cu's kernels with KH = 1 (and H = 1); these cases
/// check that those kernels take such geometries on every device.</summary>
public static partial class OpSuite
{
    private sealed record Conv1dPlan(string Label, int[] X, int K, int KW, int Stride, ConvPadding1d Padding, int Dilation, int Groups, bool Bias);

    private static void AddOneDCases(List<OpCase> cases)
    {
        Conv1dPlan[] convs =
        [
            new("[2, 3, 9] k3 s2 p1 -> 5", [2, 3, 9], 5, 3, 2, 1, 1, 1, true),
            new("[2, 4, 7] k3 p3 d2 groups 2 -> 6", [2, 4, 7], 6, 3, 1, 3, 2, 2, false),
            new("depthwise [2, 4, 8] k3 p1", [2, 4, 8], 4, 3, 1, 1, 1, 4, true),
            new("pointwise [2, 6, 5] k1 -> 3", [2, 6, 5], 3, 1, 1, 0, 1, 1, true),
            // The kernel reaches past a one-long sequence: only the padding-free tap reads it.
            new("[2, 2, 1] k3 p2 d2 -> 3", [2, 2, 1], 3, 3, 1, 2, 2, 1, true),
            new("[1, 3, 6] k4 padding same -> 2", [1, 3, 6], 2, 4, 1, "same", 1, 1, true),
            new("unbatched [3, 8] k2 s3 -> 4", [3, 8], 4, 2, 3, 0, 1, 1, true),
        ];
        foreach (var p in convs)
        {
            int c = p.X[^2], l = p.X[^1], n = p.X.Length == 3 ? p.X[0] : 1;
            var (pad, extra) = p.Padding.Resolve("conv1d", p.KW, p.Stride, p.Dilation);
            int ol = (l + extra + 2 * pad - p.Dilation * (p.KW - 1) - 1) / p.Stride + 1;
            bool depthwise = p.Groups == c && p.K == c;
            OpInput[] inputs = [In("x", p.X), In("w", [p.K, c / p.Groups, p.KW]), .. p.Bias ? [In("b", [p.K])] : Array.Empty<OpInput>()];
            cases.Add(new("conv1d", p.Label, inputs, (_, x) => One(F.Conv1d(x[0], x[1], p.Bias ? x[2] : null, p.Stride, p.Padding, p.Dilation, p.Groups)))
            {
                Tol = Tolerance.Sum(c / p.Groups * p.KW + 1),
                GradTols = [Tolerance.Sum(p.K / p.Groups * p.KW), Tolerance.Sum(n * ol), Tolerance.Sum(n * ol)],
                Kernels = depthwise
                    ? [Conv + "depthwise_forward_{t}", Conv + "depthwise_backward_input_{t}", Conv + "depthwise_backward_weight_{t}"]
                    : [Conv + "im2col_{t}", Conv + "conv_output_{t}", Conv + "conv_gather_dy_{t}", Conv + "col2im_{t}", GemmNN, GemmNT, GemmTN],
            });
        }

        (string Label, int[] X, int CoutPerGroup, int KW, int Stride, int Padding, int OutputPadding, int Dilation, int Groups, bool Bias)[] transposed =
        [
            ("[2, 3, 5] k3 s2 p1 op1 -> 4", [2, 3, 5], 4, 3, 2, 1, 1, 1, 1, true),
            ("[2, 4, 4] k2 s1 op2 d3 groups 2 -> 6", [2, 4, 4], 3, 2, 1, 0, 2, 3, 2, false),
            ("[1, 2, 1] k1 s1 -> 3", [1, 2, 1], 3, 1, 1, 0, 0, 1, 1, true),
            ("depthwise [2, 4, 6] k3 s2 p2 op1", [2, 4, 6], 1, 3, 2, 2, 1, 1, 4, true),
        ];
        foreach (var p in transposed)
        {
            int n = p.X[0], cin = p.X[1], l = p.X[2], cout = p.CoutPerGroup * p.Groups;
            int ol = (l - 1) * p.Stride - 2 * p.Padding + p.Dilation * (p.KW - 1) + p.OutputPadding + 1;
            bool depthwise = p.Groups == cin && cout == cin;
            OpInput[] inputs = [In("x", p.X), In("w", [cin, p.CoutPerGroup, p.KW]), .. p.Bias ? [In("b", [cout])] : Array.Empty<OpInput>()];
            cases.Add(new("conv_transpose1d", p.Label, inputs,
                (_, x) => One(F.ConvTranspose1d(x[0], x[1], p.Bias ? x[2] : null, p.Stride, p.Padding, p.OutputPadding, p.Groups, p.Dilation)))
            {
                Tol = Tolerance.Sum(cin / p.Groups * p.KW + 1),
                GradTols = [Tolerance.Sum(p.CoutPerGroup * p.KW), Tolerance.Sum(n * l), Tolerance.Sum(n * ol)],
                Kernels = depthwise
                    ? [Conv + "depthwise_forward_{t}", Conv + "depthwise_backward_input_{t}", Conv + "depthwise_backward_weight_{t}"]
                    : [Conv + "im2col_{t}", Conv + "conv_output_{t}", Conv + "conv_gather_dy_{t}", Conv + "col2im_{t}", GemmNN, GemmNT, GemmTN],
            });
        }

        // Pools: stride, padding, dilation (max only), ceil mode with a clipped last window, windows in the padding only.
        (string Label, int[] X, int K, int S, int P, int D, bool Ceil)[] pools =
        [
            ("[2, 3, 11] k3 s2 p1", [2, 3, 11], 3, 2, 1, 1, false),
            ("[1, 2, 8] k2", [1, 2, 8], 2, 2, 0, 1, false),
            ("[2, 3, 10] k3 s2 p1 ceil", [2, 3, 10], 3, 2, 1, 1, true),
            ("unbatched [3, 7] k2 ceil", [3, 7], 2, 2, 0, 1, true),
            ("[1, 1, 1] k1", [1, 1, 1], 1, 1, 0, 1, false),
        ];
        (string Label, int[] X, int K, int S, int P, int D, bool Ceil)[] dilated =
        [
            ("[2, 2, 9] k3 s1 p1 d2", [2, 2, 9], 3, 1, 1, 2, false),
            ("[1, 2, 5] k2 s1 p1 d4: windows in the padding", [1, 2, 5], 2, 1, 1, 4, false),
        ];
        foreach (var (label, shape, k, s, pad, d, ceil) in pools.Concat(dilated))
            cases.Add(new("max_pool1d", label, [Coarse("x", shape)], (_, x) => One(F.MaxPool1d(x[0], k, s, pad, d, ceil)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(Math.Ceiling((double)k / s)),
                Kernels = [Pool + "max_pool2d_{t}", Pool + "max_pool2d_backward_{t}"],
            });
        foreach (var (label, shape, k, s, pad, _, ceil) in pools)
            foreach (bool include in (bool[])[true, false])
                cases.Add(new("avg_pool1d", $"{label} count_include_pad={include}", [In("x", shape)],
                    (_, x) => One(F.AvgPool1d(x[0], k, s, pad, ceil, include)))
                {
                    Tol = Tolerance.Sum(k), GradTol = Tolerance.Sum(Math.Ceiling((double)k / s)),
                    Kernels = [Pool + "avg_pool2d_{t}", Pool + "avg_pool2d_backward_{t}"],
                });
        foreach (var (shape, o) in new (int[], int)[] { ([2, 3, 7], 3), ([2, 2, 3], 5), ([1, 3, 6], 1), ([3, 9], 4) })
        {
            cases.Add(new("adaptive_avg_pool1d", $"{Fmt(shape)} -> {o}", [In("x", shape)], (_, x) => One(F.AdaptiveAvgPool1d(x[0], o)))
            {
                Tol = Tolerance.Sum(shape[^1] / o + 2), GradTol = Tolerance.Sum(4),
                Kernels = [Pool + "adaptive_avg_pool2d_{t}", Pool + "adaptive_avg_pool2d_backward_{t}"],
            });
            cases.Add(new("adaptive_max_pool1d", $"{Fmt(shape)} -> {o}", [Coarse("x", shape)], (_, x) => One(F.AdaptiveMaxPool1d(x[0], o)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(4),
                Kernels = [Pool + "adaptive_max_pool2d_{t}", Pool + "adaptive_max_pool2d_backward_{t}"],
            });
        }
    }
}
