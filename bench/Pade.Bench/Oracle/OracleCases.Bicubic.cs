using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// interpolate with mode bicubic (family interpolate_bicubic) and with antialias for bilinear and bicubic (family
/// interpolate_aa) against libtorch's upsample_bicubic2d, _upsample_bilinear2d_aa and _upsample_bicubic2d_aa: sizes and
/// integer or fractional scale factors, up and down (strong downscales, where the antialias filter spans many
/// inputs), align_corners off and on, recompute_scale_factor, 1 -> n and n -> 1 axes, and +∞ inputs.
/// </summary>
public static partial class OracleCases
{
    private static void AddBicubic(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 47);
        for (int i = 0; i < perFamily * 4; i++)
        {
            int[] spatial = [g.Int(1, 9), g.Int(1, 9)];
            int[] shape = [g.Int(1, 2), g.Int(1, 3), .. spatial];
            string mode = g.Pick("bicubic", "bicubic", "bilinear");
            bool aa = mode == "bilinear" || g.Coin();
            bool? align = g.Pick<bool?>(null, false, true);
            int[]? size = null;
            double[]? scale = null;
            bool recompute = false;
            if (g.Coin())
            {
                size = spatial.Select(_ => g.Int(1, 12)).ToArray();
                if (g.Coin(0.25)) size = size[..1];
            }
            else
            {
                scale = spatial.Select(_ => g.Pick(0.3, 0.5, 0.7, 1.3, 1.5, 1.7, 2.0, 2.5, 3.0, 1.0 / 3, 0.25)).ToArray();
                if (g.Coin(0.25)) scale = scale[..1];
                recompute = g.Coin(0.25);
                if (spatial.Select((s, d) => Math.Floor(s * (scale.Length == 1 ? scale[0] : scale[d]))).Any(o => o < 1))
                    (size, scale, recompute) = ([g.Int(1, 12)], null, false);
            }
            cases.Add(Cubic(g, shape, size, scale, mode, align, recompute, aa));
        }
        // Edges: 1 -> n and n -> 1 axes, a strong downscale (the aa filter spans 5 and more inputs), fractional factors
        // whose 1/s is not in/out, the same size through a scale factor (plain bicubic still filters with s = 1/1.2).
        foreach (bool aa in new[] { false, true })
            foreach (string mode in aa ? new[] { "bilinear", "bicubic" } : ["bicubic"])
            {
                cases.Add(Cubic(g, [1, 2, 1, 1], [4, 3], null, mode, null, false, aa));
                cases.Add(Cubic(g, [2, 1, 6, 5], [1, 1], null, mode, false, false, aa));
                cases.Add(Cubic(g, [1, 1, 6, 5], [1, 1], null, mode, true, false, aa));
                cases.Add(Cubic(g, [1, 2, 20, 17], [3, 4], null, mode, null, false, aa));
                cases.Add(Cubic(g, [1, 2, 23, 9], null, [0.3, 0.45], mode, false, false, aa));
                cases.Add(Cubic(g, [1, 2, 7, 5], null, [1.7, 2.3], mode, true, false, aa));
                cases.Add(Cubic(g, [1, 1, 11, 4], [3, 13], null, mode, true, false, aa));
                cases.Add(Cubic(g, [2, 2, 5, 4], null, [1.1, 0.6], mode, false, false, aa));
            }
        cases.Add(Cubic(g, [1, 2, 2, 8], [5, 1], null, "bilinear", null, false, true));   // listed apart: libtorch's rows
        cases.Add(Cubic(g, [1, 2, 6, 1], [3, 1], null, "bicubic", null, false, true));    // all row 0's
        cases.Add(WithInfinities(g, Cubic(g, [1, 2, 5, 6], null, [2.0], "bicubic", null, false, false)));
        cases.Add(WithInfinities(g, Cubic(g, [1, 1, 4, 5], [4, 5], null, "bicubic", true, false, false)));
        // 9x8 -> 4x3: no antialias weight lands on a zero of the filter (|x| = 1), where float32's weight is 0 (0·∞ = NaN)
        // but float64's a tiny residual of libtorch's fused multiply-adds (±∞): the float32 run compares with float64.
        cases.Add(WithInfinities(g, Cubic(g, [1, 2, 9, 8], [4, 3], null, "bicubic", null, false, true)));
        cases.Add(WithInfinities(g, Cubic(g, [1, 2, 9, 7], [4, 14], null, "bilinear", null, false, true)));
    }

    private static OracleCase Cubic(OracleGen g, int[] shape, int[]? size, double[]? scale, string mode, bool? align, bool recompute, bool aa)
    {
        long[]? torchSize = size == null ? null : [.. Enumerable.Range(0, 2).Select(d => (long)(size.Length == 1 ? size[0] : size[d]))];
        double[]? torchScale = scale == null ? null : [.. Enumerable.Range(0, 2).Select(d => scale.Length == 1 ? scale[0] : scale[d])];
        string label = $"{mode}{(aa ? " antialias" : "")} {Fmt(shape)} " + (size != null ? $"size {Fmt(size)}" : $"scale_factor ({string.Join(", ", scale!.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))})") +
            (align is bool a ? $" align_corners {a}" : "") + (recompute ? " recompute_scale_factor" : "");
        // libtorch's antialiased forward copies an axis whose size does not change (its separable kernel skips it) but
        // its backward filters that axis with the scale factor's 1/s all the same: where s ≠ 1 there, its gradient is
        // not the gradient of its output. Pade's is (the identity, the forward's transpose).
        string? wrong = null;
        if (aa && torchScale != null && !recompute)
            for (int d = 0; d < 2; d++)
                if (Math.Floor(shape[2 + d] * torchScale[d]) == shape[2 + d] && torchScale[d] != 1)
                    wrong = $"libtorch's antialiased forward copies axis {d} ({shape[2 + d]} -> {shape[2 + d]}), its backward filters it with 1/{torchScale[d]}: not the gradient of its output; Pade's is the copy's";
        // libtorch's antialiased vertical pass takes its taps from the first element of its inner loop
        // (basic_loop_aa_vertical: data[..][0], constant along a row in the NCHW layout it assumes); with an output
        // width of 1 that size-1 dim is squeezed, the inner loop runs along H, and every output row repeats row 0.
        var outs = Enumerable.Range(0, 2).Select(d => torchSize != null ? (int)torchSize[d] : (int)Math.Floor(shape[2 + d] * torchScale![d])).ToArray();
        if (aa && outs[1] == 1 && outs[0] != shape[2] && outs[0] > 1)
            wrong = $"libtorch's antialiased forward with an output width of 1 gives every output row row 0's value (its vertical pass reads the first row's taps along an inner loop that runs over H once W = 1 is squeezed); Pade filters each row";
        var torchMode = mode == "bicubic" ? InterpolationMode.Bicubic : InterpolationMode.Bilinear;
        return new(aa ? "interpolate_aa" : "interpolate_bicubic", label, [g.Input("x", shape)],
            x => F.Interpolate(x[0], size, scale, mode, align, recompute ? true : null, aa),
            x => TF.interpolate(x[0], torchSize, torchScale, torchMode, align, recompute, antialias: aa), OracleWrong: wrong);
    }
}
