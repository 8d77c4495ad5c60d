using Pade.Engine.Functional;
using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// The vision ops against libtorch's: pixel_shuffle / pixel_unshuffle (leading dims of any count), channel_shuffle,
/// Tensor.unfold, F.unfold / F.fold (batched and unbatched, padding wider than the kernel's reach), affine_grid (4-D
/// and 5-D), grid_sample (bilinear and nearest × padding mode × align_corners, grid points partly outside [−1, 1],
/// size-1 images; bicubic through interpolate, see below), max_unpool1d/2d after max_pool*_with_indices (with output_size), and lp_pool1d/2d.
/// </summary>
public static partial class OracleCases
{
    private static void AddVision(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7937 + 79);
        for (int i = 0; i < perFamily; i++)
        {
            int r = g.Int(1, 3), c = g.Int(1, 2), h = g.Int(1, 3), w = g.Int(1, 3);
            int[] lead = g.Pick(0, 1, 1, 2) switch { 0 => [], 1 => [g.Int(1, 2)], _ => [g.Int(1, 2), g.Int(1, 2)] };
            int[] xs = [.. lead, c * r * r, h, w];
            cases.Add(new("pixel_shuffle", $"{Fmt(xs)} upscale_factor {r}", [g.Input("x", xs)],
                x => F.PixelShuffle(x[0], r), x => TF.pixel_shuffle(x[0], r)));
            int[] us = [.. lead, c, h * r, w * r];
            cases.Add(new("pixel_unshuffle", $"{Fmt(us)} downscale_factor {r}", [g.Input("x", us)],
                x => F.PixelUnshuffle(x[0], r), x => TF.pixel_unshuffle(x[0], r)));
            int groups = g.Int(1, 3);
            int[] cs = [g.Int(1, 2), groups * g.Int(1, 3), .. Enumerable.Range(0, g.Int(1, 2)).Select(_ => g.Int(1, 3))];
            cases.Add(new("channel_shuffle", $"{Fmt(cs)} groups {groups}", [g.Input("x", cs)],
                x => F.ChannelShuffle(x[0], groups), x => x[0].channel_shuffle(groups)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var xs = g.Shape(1, 3, 5);
            int dim = g.Int(-xs.Length, xs.Length - 1), n = xs[(dim + xs.Length) % xs.Length];
            int size = g.Int(1, n), step = g.Int(1, 3);
            cases.Add(new("tensor_unfold", $"{Fmt(xs)} dim {dim} size {size} step {step}", [g.Input("x", xs)],
                x => x[0].Unfold(dim, size, step), x => x[0].unfold(dim, size, step)));
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            int c = g.Int(1, 2), h = g.Int(1, 6), w = g.Int(1, 6), kh = g.Int(1, 3), kw = g.Int(1, 3);
            int dh = g.Pick(1, 1, 2), dw = g.Pick(1, 1, 2), ph = g.Int(0, 2), pw = g.Int(0, 2), sh = g.Int(1, 3), sw = g.Int(1, 3);
            int numH = h + 2 * ph - dh * (kh - 1) - 1, numW = w + 2 * pw - dw * (kw - 1) - 1;
            if (numH < 0 || numW < 0) { i--; continue; }
            int oh = numH / sh + 1, ow = numW / sw + 1;
            bool batched = g.Coin(0.8);
            int[] xs = batched ? [g.Int(1, 2), c, h, w] : [c, h, w];
            string geo = $"kernel ({kh},{kw}) dilation ({dh},{dw}) padding ({ph},{pw}) stride ({sh},{sw})";
            // libtorch's C++ unfold takes 4-D only: an unbatched input goes through it with a batch of 1.
            cases.Add(new("unfold", $"{Fmt(xs)} {geo}", [g.Input("x", xs)],
                x => F.Unfold(x[0], (kh, kw), (dh, dw), (ph, pw), (sh, sw)),
                x => batched ? TF.unfold(x[0], (kh, kw), (dh, dw), (ph, pw), (sh, sw))
                    : TF.unfold(x[0].unsqueeze(0), (kh, kw), (dh, dw), (ph, pw), (sh, sw)).squeeze(0)));
            int[] fs = batched ? [xs[0], c * kh * kw, oh * ow] : [c * kh * kw, oh * ow];
            cases.Add(new("fold", $"{Fmt(fs)} output_size ({h},{w}) {geo}", [g.Input("x", fs)],
                x => F.Fold(x[0], (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw)),
                x => batched ? TF.fold(x[0], (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw))
                    : TF.fold(x[0].unsqueeze(0), (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw)).squeeze(0)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            bool three = g.Coin(0.3), align = g.Coin();
            int n = g.Int(1, 2);
            int[] size = three ? [n, 2, g.Int(1, 4), g.Int(1, 4), g.Int(1, 4)] : [n, 2, g.Int(1, 5), g.Int(1, 5)];
            int[] ts = three ? [n, 3, 4] : [n, 2, 3];
            cases.Add(new("affine_grid", $"theta {Fmt(ts)} size {Fmt(size)} align_corners {align}", [g.Input("theta", ts)],
                x => F.AffineGrid(x[0], size, align),
                x => TF.affine_grid(x[0], size.Select(v => (long)v).ToArray(), align)));
        }
        foreach (var mode in new[] { "bilinear", "nearest" })
            foreach (var padding in new[] { "zeros", "border", "reflection" })
                foreach (var align in new[] { false, true })
                    for (int i = 0; i < Math.Max(1, perFamily / 4); i++)
                    {
                        int n = g.Int(1, 2), c = g.Int(1, 2), h = g.Pick(1, g.Int(2, 5), g.Int(2, 5)), w = g.Pick(1, g.Int(2, 5), g.Int(2, 5));
                        int[] xs = [n, c, h, w], gs = [n, g.Int(1, 3), g.Int(1, 3), 2];
                        var tm = mode == "bilinear" ? torch.GridSampleMode.Bilinear : torch.GridSampleMode.Nearest;
                        var tp = padding switch { "zeros" => torch.GridSamplePaddingMode.Zeros, "border" => torch.GridSamplePaddingMode.Border, _ => torch.GridSamplePaddingMode.Reflection };
                        cases.Add(new("grid_sample", $"x {Fmt(xs)} grid {Fmt(gs)} mode {mode} padding_mode {padding} align_corners {align}",
                            [g.Input("x", xs), g.Input("grid", gs, -1.6, 1.6)],
                            x => F.GridSample(x[0], x[1], mode, padding, align),
                            x => TF.grid_sample(x[0], x[1], tm, tp, align)));
                    }
        // Bicubic: TorchSharp's GridSampleMode has no bicubic (libtorch's C++ GridSampleFuncOptions neither), so it is
        // compared where libtorch has it under another name: on the identity affine grid of size (OH, OW) with border
        // padding, grid_sample's bicubic taps are those of interpolate(size=(OH, OW), mode='bicubic') (the same source
        // coordinates either way of align_corners, the taps clamped to the image). The input's gradient is compared.
        for (int i = 0; i < perFamily; i++)
        {
            bool align = g.Coin();
            // An output size of 1 with align_corners differs: affine_grid puts its one point at 0 (the image's centre),
            // interpolate at the first pixel (libtorch's scale 0); the rest agree.
            int n = g.Int(1, 2), c = g.Int(1, 2), h = g.Int(1, 5), w = g.Int(1, 5), oh = g.Int(align ? 2 : 1, 7), ow = g.Int(align ? 2 : 1, 7);
            int[] xs = [n, c, h, w];
            cases.Add(new("grid_sample", $"x {Fmt(xs)} identity affine_grid ({oh},{ow}) mode bicubic padding_mode border align_corners {align} (= interpolate bicubic)",
                [g.Input("x", xs)],
                x =>
                {
                    var theta = Pade.Engine.Tensor.FromArray(new double[] { 1, 0, 0, 0, 1, 0 }, 1, 2, 3).To(x[0].DType).Expand(n, 2, 3);
                    return F.GridSample(x[0], F.AffineGrid(theta, [n, c, oh, ow], align), "bicubic", "border", align);
                },
                x => TF.interpolate(x[0], [oh, ow], null, torch.InterpolationMode.Bicubic, align)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            // Sizes that the windows tile exactly ((size − k) divisible by the stride), so the pooling indices, which
            // address the input plane, address the unpooled plane too (otherwise both libraries reject them).
            int kh = g.Int(1, 3), kw = g.Int(1, 3), sh = g.Int(1, 3), sw = g.Int(1, 3);
            int h = kh + sh * g.Int(0, 2), w = kw + sw * g.Int(0, 2);
            int[] xs = g.Coin(0.8) ? [g.Int(1, 2), g.Int(1, 2), h, w] : [g.Int(1, 2), h, w];
            int[]? outSize = g.Coin() ? null : g.Coin() ? [h, w] : [.. xs[..^2], h, w];
            var x0 = new OracleInput("x", xs, g.Distinct(xs.Aggregate(1L, (a, b) => a * b)));
            // TorchSharp 0.107's max_unpool2d/1d hand libtorch an empty output_size, so libtorch's side is the
            // definition in its own ops: its max_pool2d_with_indices, then a scatter of the values to the indices.
            cases.Add(new("max_unpool2d", $"max_pool2d_with_indices {Fmt(xs)} k({kh},{kw}) s({sh},{sw}) output_size {(outSize == null ? "none" : Fmt(outSize))}", [x0],
                x =>
                {
                    var (y, idx) = F.MaxPool2dWithIndices(x[0], (kh, kw), (sh, sw));
                    return F.MaxUnpool2d(y, idx, (kh, kw), (sh, sw), 0, outSize);
                },
                x =>
                {
                    var (y, idx) = TF.max_pool2d_with_indices(x[0], [kh, kw], [sh, sw]);
                    return TorchUnpool(y, idx, xs.Length - 2, h * w).reshape(xs.Select(v => (long)v).ToArray());
                }));
            int l = kw + sw * g.Int(0, 3);
            int[] ls = g.Coin(0.8) ? [g.Int(1, 2), g.Int(1, 2), l] : [g.Int(1, 2), l];
            var x1 = new OracleInput("x", ls, g.Distinct(ls.Aggregate(1L, (a, b) => a * b)));
            cases.Add(new("max_unpool1d", $"max_pool1d_with_indices {Fmt(ls)} k {kw} s {sw}", [x1],
                x =>
                {
                    var (y, idx) = F.MaxPool1dWithIndices(x[0], kw, sw);
                    return F.MaxUnpool1d(y, idx, kw, sw);
                },
                x =>
                {
                    var (y, idx) = TF.max_pool1d_with_indices(x[0], kw, sw);
                    return TorchUnpool(y, idx, ls.Length - 1, l).reshape(ls.Select(v => (long)v).ToArray());
                }));
        }
        for (int i = 0; i < perFamily; i++)
        {
            double p = g.Pick(1.0, 2.0, 3.0, 1.5);
            int kh = g.Int(1, 3), kw = g.Int(1, 3), h = g.Int(kh, 6), w = g.Int(kw, 6);
            bool strided = g.Coin(), ceil = g.Coin();
            int sh = strided ? g.Int(1, 3) : kh, sw = strided ? g.Int(1, 3) : kw;
            int[] xs = g.Coin(0.8) ? [g.Int(1, 2), g.Int(1, 2), h, w] : [g.Int(1, 2), h, w];
            // Positive inputs: a fractional power of a negative number is NaN in both.
            var x0 = g.Input("x", xs, 0.2, 2);
            cases.Add(new("lp_pool2d", $"{Fmt(xs)} norm_type {p} k({kh},{kw}) s({sh},{sw}) ceil_mode {ceil}", [x0],
                x => F.LPPool2d(x[0], p, (kh, kw), (sh, sw), ceil),
                x => TF.lp_pool2d(x[0], p, [kh, kw], [sh, sw], ceil)));
            int[] ls = [g.Int(1, 2), g.Int(1, 2), w];
            cases.Add(new("lp_pool1d", $"{Fmt(ls)} norm_type {p} k {kw} s {sw} ceil_mode {ceil}", [g.Input("x", ls, 0.2, 2)],
                x => F.LPPool1d(x[0], p, kw, sw, ceil),
                x => TF.lp_pool1d(x[0], p, kw, sw, ceil)));
        }
    }

    /// <summary>max_unpool by its definition in libtorch's ops: zeros of (planes, size), each value scattered to its
    /// index; y and indices flattened from dim <paramref name="planeDims"/> on.</summary>
    private static TorchSharp.torch.Tensor TorchUnpool(TorchSharp.torch.Tensor y, TorchSharp.torch.Tensor idx, int planeDims, int size)
    {
        var yf = y.flatten(planeDims);
        var zeros = TorchSharp.torch.zeros([.. yf.shape[..^1], size], dtype: y.dtype);
        return zeros.scatter(planeDims, idx.flatten(planeDims), yf);
    }
}
