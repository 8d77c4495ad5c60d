using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>
/// The vision compositions on every device: unfold/fold (im2col/col2im on gather.cu's gather and scatter-add over
/// one index map, each the other's backward), grid_sample (coordinates in elementwise ops, taps through gather, the
/// input's gradient through scatter-add; each mode with a padding mode, grid points outside the image), the pixel
/// and channel shuffles (views and a copy), max_unpool2d (a masked scatter-add, its backward a gather) and lp_pool2d.
/// No kernel of their own: these cases check that the compositions run, and agree, on the CUDA device.
/// </summary>
public static partial class OpSuite
{
    private static void AddVisionCases(List<OpCase> cases)
    {
        (int[] X, Size2 K, Size2 D, Size2 P, Size2 S)[] folds =
        [
            ([2, 3, 7, 6], 3, 1, 1, 2),
            ([3, 5, 4], (2, 3), (2, 1), (2, 0), (1, 2)),
            ([1, 2, 9, 40], 3, 1, 0, 1),
        ];
        foreach (var (x, k, d, p, s) in folds)
        {
            int h = x[^2], w = x[^1], c = x[^3];
            int oh = (h + 2 * p.H - d.H * (k.H - 1) - 1) / s.H + 1, ow = (w + 2 * p.W - d.W * (k.W - 1) - 1) / s.W + 1;
            string geo = $"k{k} d{d} p{p} s{s}";
            cases.Add(new("unfold", $"{Fmt(x)} {geo}", [In("x", x)], (_, t) => One(F.Unfold(t[0], k, d, p, s)))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(k.H * k.W),
                Kernels = [GatherK, ScatterAddK],
            });
            int[] cols = x.Length == 4 ? [x[0], c * k.H * k.W, oh * ow] : [c * k.H * k.W, oh * ow];
            cases.Add(new("fold", $"{Fmt(cols)} -> ({h}, {w}) {geo}", [In("cols", cols)], (_, t) => One(F.Fold(t[0], (h, w), k, d, p, s)))
            {
                Tol = Tolerance.Sum(k.H * k.W), GradTol = Tolerance.Exact,
                Kernels = [ScatterAddK, GatherK],
            });
        }

        (int[] X, int[] Grid, string Mode, string Padding, bool Align)[] samples =
        [
            ([2, 3, 5, 6], [2, 4, 3, 2], "bilinear", "zeros", false),
            ([2, 3, 5, 6], [2, 4, 3, 2], "bilinear", "reflection", true),
            ([1, 2, 4, 7], [1, 3, 5, 2], "nearest", "border", false),
            ([2, 2, 6, 5], [2, 3, 3, 2], "bicubic", "reflection", false),
            ([1, 2, 3, 4], [1, 2, 4, 2], "bicubic", "zeros", true),
        ];
        foreach (var (x, grid, mode, padding, align) in samples)
            cases.Add(new("grid_sample", $"{Fmt(x)} grid {Fmt(grid)} {mode} {padding} align_corners {align}",
                [In("x", x), In("grid", grid, -1.4, 1.4)], (_, t) => One(F.GridSample(t[0], t[1], mode, padding, align)))
            {
                // Up to 16 taps of weights from float coordinate maths; the grid's gradient sums the taps' slopes.
                Tol = Tolerance.Sum(16, 2), GradTol = Tolerance.Sum(64, 8),
                Kernels = [GatherK, ScatterAddK],
            });
        cases.Add(new("affine_grid", "theta [2, 2, 3] size [2, 3, 5, 7]", [In("theta", [2, 2, 3])], (_, t) => One(F.AffineGrid(t[0], [2, 3, 5, 7])))
        {
            Tol = Tolerance.Sum(3), GradTol = Tolerance.Sum(35),
        });

        cases.Add(new("pixel_shuffle", "[2, 3, 12, 4, 5] r 2", [In("x", [2, 3, 12, 4, 5])], (_, t) => One(F.PixelShuffle(t[0], 2)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Exact, Kernels = [CopyK],
        });
        cases.Add(new("pixel_unshuffle", "[2, 3, 6, 9] r 3", [In("x", [2, 3, 6, 9])], (_, t) => One(F.PixelUnshuffle(t[0], 3)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Exact, Kernels = [CopyK],
        });
        cases.Add(new("channel_shuffle", "[2, 6, 3, 4] groups 3", [In("x", [2, 6, 3, 4])], (_, t) => One(F.ChannelShuffle(t[0], 3)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Exact, Kernels = [CopyK],
        });
        cases.Add(new("tensor_unfold", "[3, 10, 4] dim 1 size 3 step 2", [In("x", [3, 10, 4])], (_, t) => One(t[0].Unfold(1, 3, 2)))
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(2), Kernels = [ScatterAddK],
        });
        // Overlapping windows (stride 1 < kernel 2) repeat indices: the unpooled plane holds each maximum once.
        cases.Add(new("max_unpool2d", "max_pool2d_with_indices [2, 3, 6, 7] k2 s1", [Coarse("x", [2, 3, 6, 7])], (_, t) =>
        {
            var (y, idx) = F.MaxPool2dWithIndices(t[0], 2, 1);
            return One(F.MaxUnpool2d(y, idx, 2, 1));
        })
        {
            Tol = Tolerance.Exact, GradTol = Tolerance.Sum(4),
            Kernels = [ScatterAddK, GatherK],
        });
        cases.Add(new("lp_pool2d", "[2, 3, 7, 6] p 2 k3 s2", [In("x", [2, 3, 7, 6], 0.2, 2)], (_, t) => One(F.LPPool2d(t[0], 2, 3, 2)))
        {
            Tol = Tolerance.Sum(9), GradTol = Tolerance.Sum(9),
        });
    }
}
