using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>The 3-D layers: no kernel of their own. F.Conv3d is one 2-D convolution of depth taps stacked as channels,
/// F.ConvTranspose3d one 2-D transposed convolution then depth spreading (pads, narrows, adds), the pools two 2-D
/// pooling passes, 5-D interpolate three resample passes; these cases check that those kernels and the views, stacks
/// and pads around them give the same results on every device.</summary>
public static partial class OpSuite
{
    private static void AddThreeDCases(List<OpCase> cases)
    {
        string[] convKernels = [Conv + "im2col_{t}", Conv + "conv_output_{t}", Conv + "conv_gather_dy_{t}", Conv + "col2im_{t}", GemmNN, GemmNT, GemmTN];
        (string Label, int[] X, int K, int[] Kern, Size3 S, Size3 P, Size3 D, int Groups, bool Bias)[] convs =
        [
            ("[2, 3, 5, 6, 4] k3 s(2, 1, 1) p1 -> 4", [2, 3, 5, 6, 4], 4, [3, 3, 3], (2, 1, 1), 1, 1, 1, true),
            ("[1, 4, 4, 3, 5] k(2, 1, 3) d(2, 1, 1) groups 2 -> 6", [1, 4, 4, 3, 5], 6, [2, 1, 3], 1, (0, 0, 1), (2, 1, 1), 2, false),
            ("unbatched [2, 3, 3, 3] k2 p1 -> 3", [2, 3, 3, 3], 3, [2, 2, 2], 1, 1, 1, 1, true),
        ];
        foreach (var p in convs)
        {
            int c = p.X[^4], n = p.X.Length == 5 ? p.X[0] : 1, kvol = p.Kern[0] * p.Kern[1] * p.Kern[2];
            int[] sp = p.X[^3..], s = [p.S.D, p.S.H, p.S.W], pad = [p.P.D, p.P.H, p.P.W], d = [p.D.D, p.D.H, p.D.W];
            int outs = n * Enumerable.Range(0, 3).Aggregate(1, (acc, a) => acc * ((sp[a] + 2 * pad[a] - d[a] * (p.Kern[a] - 1) - 1) / s[a] + 1));
            OpInput[] inputs = [In("x", p.X), In("w", [p.K, c / p.Groups, .. p.Kern]), .. p.Bias ? [In("b", [p.K])] : Array.Empty<OpInput>()];
            cases.Add(new("conv3d", p.Label, inputs,
                (_, x) => One(F.Conv3d(x[0], x[1], p.Bias ? x[2] : null, p.S, p.P, p.D, p.Groups)))
            {
                Tol = Tolerance.Sum(c / p.Groups * kvol + 1),
                GradTols = [Tolerance.Sum(p.K / p.Groups * kvol), Tolerance.Sum(outs), Tolerance.Sum(outs)],
                Kernels = convKernels,
            });
        }

        (string Label, int[] X, int CoutPerGroup, int[] Kern, Size3 S, Size3 P, Size3 Op, Size3 D, int Groups, bool Bias)[] transposed =
        [
            ("[2, 3, 3, 4, 2] k3 s2 p1 op1 -> 4", [2, 3, 3, 4, 2], 4, [3, 3, 3], 2, 1, 1, 1, 1, true),
            ("[1, 4, 2, 3, 3] k(2, 2, 1) s(3, 1, 2) op(1, 1, 0) d(1, 2, 1) groups 2 -> 6", [1, 4, 2, 3, 3], 3, [2, 2, 1], (3, 1, 2), 0, (1, 1, 0), (1, 2, 1), 2, false),
        ];
        foreach (var p in transposed)
        {
            int n = p.X[0], cin = p.X[1], cout = p.CoutPerGroup * p.Groups, kvol = p.Kern[0] * p.Kern[1] * p.Kern[2];
            int ins = n * p.X[2] * p.X[3] * p.X[4];
            int[] s = [p.S.D, p.S.H, p.S.W], pad = [p.P.D, p.P.H, p.P.W], op = [p.Op.D, p.Op.H, p.Op.W], d = [p.D.D, p.D.H, p.D.W];
            int outs = n * Enumerable.Range(0, 3).Aggregate(1, (acc, a) => acc * ((p.X[2 + a] - 1) * s[a] - 2 * pad[a] + d[a] * (p.Kern[a] - 1) + op[a] + 1));
            OpInput[] inputs = [In("x", p.X), In("w", [cin, p.CoutPerGroup, .. p.Kern]), .. p.Bias ? [In("b", [cout])] : Array.Empty<OpInput>()];
            cases.Add(new("conv_transpose3d", p.Label, inputs,
                (_, x) => One(F.ConvTranspose3d(x[0], x[1], p.Bias ? x[2] : null, p.S, p.P, p.Op, p.Groups, p.D)))
            {
                Tol = Tolerance.Sum(cin / p.Groups * kvol + 1),
                GradTols = [Tolerance.Sum(p.CoutPerGroup * kvol), Tolerance.Sum(ins), Tolerance.Sum(outs)],
                Kernels = convKernels,
            });
        }

        (string Label, int[] X, Size3 K, Size3 S, Size3 P, Size3 D, bool Ceil)[] pools =
        [
            ("[2, 3, 5, 6, 7] k3 s2 p1", [2, 3, 5, 6, 7], 3, 2, 1, 1, false),
            ("[1, 2, 4, 5, 3] k(2, 2, 1) ceil", [1, 2, 4, 5, 3], (2, 2, 1), (2, 2, 1), 0, 1, true),
            ("unbatched [2, 5, 4, 4] k2 s1 d(2, 1, 1)", [2, 5, 4, 4], 2, 1, 0, (2, 1, 1), false),
        ];
        foreach (var (label, shape, k, s, pad, d, ceil) in pools)
        {
            double overlap = Math.Ceiling((double)k.D / s.D) * Math.Ceiling((double)k.H / s.H) * Math.Ceiling((double)k.W / s.W);
            cases.Add(new("max_pool3d", label, [Coarse("x", shape)], (_, x) => One(F.MaxPool3d(x[0], k, s, pad, d, ceil)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(overlap),
                Kernels = [Pool + "max_pool2d_{t}", Pool + "max_pool2d_backward_{t}"],
            });
            if (d != new Size3(1, 1, 1)) continue;
            foreach (bool include in (bool[])[true, false])
                cases.Add(new("avg_pool3d", $"{label} count_include_pad={include}" + (include ? "" : " divisor_override=5"), [In("x", shape)],
                    (_, x) => One(F.AvgPool3d(x[0], k, s, pad, ceil, include, include ? null : 5)))
                {
                    Tol = Tolerance.Sum(k.D * k.H * k.W + 2), GradTol = Tolerance.Sum(overlap + 2),
                    Kernels = [Pool + "avg_pool2d_{t}", Pool + "avg_pool2d_backward_{t}"],
                });
        }
        foreach (var (shape, o) in new (int[], AdaptiveSize3)[] { ([2, 3, 5, 7, 4], (2, 3, 4)), ([1, 2, 3, 2, 2], (4, 1, 3)), ([2, 4, 5, 6], 1) })
        {
            cases.Add(new("adaptive_avg_pool3d", $"{Fmt(shape)} -> {o}", [In("x", shape)], (_, x) => One(F.AdaptiveAvgPool3d(x[0], o)))
            {
                Tol = Tolerance.Sum(shape[^3] * shape[^2] * shape[^1] + 2), GradTol = Tolerance.Sum(8),
                Kernels = [Pool + "adaptive_avg_pool2d_{t}", Pool + "adaptive_avg_pool2d_backward_{t}"],
            });
            cases.Add(new("adaptive_max_pool3d", $"{Fmt(shape)} -> {o}", [Coarse("x", shape)], (_, x) => One(F.AdaptiveMaxPool3d(x[0], o)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(8),
                Kernels = [Pool + "adaptive_max_pool2d_{t}", Pool + "adaptive_max_pool2d_backward_{t}"],
            });
        }

        (string Label, int[] X, int[]? Size, double[]? Scale, string Mode, bool? Align)[] resamples =
        [
            ("[2, 2, 3, 4, 5] x2 trilinear", [2, 2, 3, 4, 5], null, [2.0], "trilinear", null),
            ("[1, 3, 4, 3, 5] -> 2x6x7 trilinear align_corners", [1, 3, 4, 3, 5], [2, 6, 7], null, "trilinear", true),
            ("[2, 2, 3, 4, 2] x(1.5, 0.5, 2) nearest", [2, 2, 3, 4, 2], null, [1.5, 0.5, 2.0], "nearest", null),
            ("[1, 2, 2, 5, 3] -> 3x2x4 nearest-exact", [1, 2, 2, 5, 3], [3, 2, 4], null, "nearest-exact", null),
        ];
        foreach (var (label, shape, size, scale, mode, align) in resamples)
            cases.Add(new("interpolate", label, [In("x", shape)], (_, x) => One(F.Interpolate(x[0], size, scale, mode, align)))
            {
                // Two taps per axis (eight products) forward; the backward sums up to ⌈in/out⌉+1 outputs per axis.
                Tol = Tolerance.Sum(8, Math.Max(1, shape[2..].Max() / 8.0)), GradTol = Tolerance.Sum(64, Math.Max(1, shape[2..].Max() / 8.0)),
                Kernels = [ResampleK],
            });
    }
}
