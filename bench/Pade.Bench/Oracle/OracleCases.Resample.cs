using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// interpolate (nearest, nearest-exact, linear, bilinear with align_corners false and true, area; sizes and integer or
/// fractional scale factors, up and down, recompute_scale_factor on and off) and adaptive_max_pool2d (windows that
/// shrink, grow and cover the image, null entries resolved for libtorch, which takes sizes only) against libtorch.
/// </summary>
public static partial class OracleCases
{
    private static void AddResample(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 41);
        for (int i = 0; i < perFamily * 4; i++)
        {
            bool twoD = g.Coin(0.7);
            int[] spatial = twoD ? [g.Int(1, 7), g.Int(1, 7)] : [g.Int(1, 9)];
            int[] shape = [g.Int(1, 2), g.Int(1, 3), .. spatial];
            string mode = g.Pick("nearest", "nearest-exact", twoD ? "bilinear" : "linear", twoD ? "bilinear" : "linear");
            bool linear = mode is "bilinear" or "linear";
            bool? align = linear ? g.Pick<bool?>(null, false, true) : null;
            int[]? size = null;
            double[]? scale = null;
            bool recompute = false;
            if (g.Coin())
            {
                size = spatial.Select(_ => g.Int(1, 10)).ToArray();
                if (g.Coin(0.25)) size = size[..1];
            }
            else
            {
                scale = spatial.Select(_ => g.Pick(0.5, 0.7, 1.3, 1.5, 1.7, 2.0, 2.5, 3.0, 1.0 / 3, 4.0)).ToArray();
                if (g.Coin(0.25)) scale = scale[..1];
                recompute = g.Coin(0.25);
                if (spatial.Select((s, d) => Math.Floor(s * (scale.Length == 1 ? scale[0] : scale[d]))).Any(o => o < 1))
                    (size, scale, recompute) = ([g.Int(1, 10)], null, false);
            }
            cases.Add(Interpolate(g, shape, size, scale, mode, align, recompute));
        }
        // PyTorch's reciprocal scale factor: in = 5, s = 1.7 reads ⌊o·0.588⌋, not ⌊o·5/8⌋; the x2 and same-size shortcuts
        // (out = in, out = 2·in with s ≠ 1, 2), which libtorch's CPU forward takes for 2-D outputs with OH + OW ≤ 128.
        cases.Add(Interpolate(g, [1, 2, 5, 5], null, [1.7], "nearest", null, false));
        cases.Add(Interpolate(g, [1, 2, 5, 5], null, [1.7], "nearest", null, true));
        cases.Add(Interpolate(g, [2, 1, 2, 3], null, [1.3, 2.2], "nearest", null, false));
        cases.Add(Interpolate(g, [2, 3, 2, 3], null, [1.3, 2.2], "nearest", null, false));
        cases.Add(Interpolate(g, [2, 3, 5], null, [2.2], "nearest", null, false));
        cases.Add(Interpolate(g, [1, 2, 2, 64], null, [1.3, 2.01], "nearest", null, false));
        cases.Add(Interpolate(g, [1, 2, 3, 50], [3, 130], null, "nearest-exact", null, false));
        cases.Add(Interpolate(g, [1, 2, 3, 50], [7, 125], null, "nearest", null, false));
        cases.Add(Interpolate(g, [1, 2, 3, 6], null, [2.0, 1.0], "bilinear", null, false));
        cases.Add(Interpolate(g, [1, 2, 5, 4], null, [1.1], "bilinear", false, false));   // out = in: a copy in PyTorch
        cases.Add(Interpolate(g, [1, 2, 1, 1], [4, 3], null, "bilinear", true, false));
        cases.Add(Interpolate(g, [2, 1, 6, 5], [1, 1], null, "bilinear", false, false));

        // Infinities in the input: libtorch forms λ·x for both taps of a linear mode, λ = 0 included, so an ∞ beside an
        // aligned source position (align_corners, out = in, the clamped first output) gives NaN there; nearest copies.
        cases.Add(WithInfinities(g, Interpolate(g, [1, 2, 5, 6], null, [2.0], "bilinear", null, false)));
        cases.Add(WithInfinities(g, Interpolate(g, [1, 1, 4, 5], [4, 5], null, "bilinear", false, false)));
        cases.Add(WithInfinities(g, Interpolate(g, [2, 2, 5], [9], null, "linear", true, false)));
        cases.Add(WithInfinities(g, Interpolate(g, [2, 2, 7], [7], null, "linear", null, false)));
        cases.Add(WithInfinities(g, Interpolate(g, [1, 2, 5, 5], [7, 5], null, "nearest", null, false)));

        for (int i = 0; i < perFamily * 2; i++)
        {
            int h = g.Int(1, 8), w = g.Int(1, 8);
            int[] shape = g.Coin(0.8) ? [g.Int(1, 2), g.Int(1, 3), h, w] : [g.Int(1, 3), h, w];
            int? oh = g.Coin(0.15) ? null : g.Int(1, 9), ow = g.Coin(0.15) ? null : g.Int(1, 9);
            cases.Add(AdaptiveMax(g, shape, oh, ow));
        }
        cases.Add(AdaptiveMax(g, [2, 3, 5, 7], 1, 1));
        cases.Add(AdaptiveMax(g, [1, 2, 1, 1], 3, 2));

        // area: adaptive average pooling to the output size.
        for (int i = 0; i < perFamily; i++)
        {
            bool twoD = g.Coin(0.7);
            int[] spatial = twoD ? [g.Int(1, 9), g.Int(1, 9)] : [g.Int(1, 9)];
            int[] shape = [g.Int(1, 2), g.Int(1, 3), .. spatial];
            if (g.Coin())
                cases.Add(Interpolate(g, shape, spatial.Select(_ => g.Int(1, 7)).ToArray(), null, "area", null, false));
            else
            {
                double[] scale = spatial.Select(_ => g.Pick(0.5, 0.7, 1.5, 2.0, 1.0 / 3)).ToArray();
                if (spatial.Select((s, d) => Math.Floor(s * scale[d])).All(o => o >= 1))
                    cases.Add(Interpolate(g, shape, null, scale, "area", null, false));
            }
        }
    }

    /// <summary>The case with about one input in five set to +∞ (at least one), the rest as generated.</summary>
    private static OracleCase WithInfinities(OracleGen g, OracleCase c)
    {
        var x = c.Inputs[0];
        var values = (double[])x.Values.Clone();
        for (int i = 0; i < values.Length; i++)
            if (g.Coin(0.2)) values[i] = double.PositiveInfinity;
        values[g.Int(0, values.Length - 1)] = double.PositiveInfinity;
        return c with { Config = c.Config + " with +inf inputs", Inputs = [x with { Values = values }] };
    }

    private static OracleCase Interpolate(OracleGen g, int[] shape, int[]? size, double[]? scale, string mode, bool? align, bool recompute)
    {
        int dims = shape.Length - 2;
        var torchMode = mode switch
        {
            "nearest" => InterpolationMode.Nearest,
            "nearest-exact" => InterpolationMode.NearestExact,
            "linear" => InterpolationMode.Linear,
            "area" => InterpolationMode.Area,
            "trilinear" => InterpolationMode.Trilinear,
            _ => InterpolationMode.Bilinear,
        };
        // libtorch's C++ interpolate wants one entry per spatial dim; Python's scalar form is expanded here.
        long[]? torchSize = size == null ? null : Enumerable.Range(0, dims).Select(d => (long)(size.Length == 1 ? size[0] : size[d])).ToArray();
        double[]? torchScale = scale == null ? null : Enumerable.Range(0, dims).Select(d => scale.Length == 1 ? scale[0] : scale[d]).ToArray();
        string label = $"{mode} {Fmt(shape)} " + (size != null ? $"size {Fmt(size)}" : $"scale_factor ({string.Join(", ", scale!.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))})") +
            (align is bool a ? $" align_corners {a}" : "") + (recompute ? " recompute_scale_factor" : "");
        // libtorch's CPU backward of the nearest modes indexes by nearest_idx (a float scale; for nearest the out = in
        // and out = 2·in shortcuts), its forward (one channel aside) by the kernel's scale without shortcuts: where the
        // two differ, its gradient is not the gradient of its output. Pade's is (the forward's transpose).
        string? wrong = null;
        var outs = Enumerable.Range(0, dims).Select(d => torchSize != null ? (int)torchSize[d] : (int)Math.Floor(shape[2 + d] * torchScale![d])).ToArray();
        if (mode is "nearest" or "nearest-exact" && !(dims == 2 && outs[0] + outs[1] <= 128))
            for (int d = 0; d < dims; d++)
            {
                int inS = shape[2 + d], outS = outs[d];
                double? f = torchScale != null && !recompute ? torchScale[d] : null;
                if (!F.ResampleTaps(inS, outS, mode, false, f, false).I0.SequenceEqual(F.ResampleTaps(inS, outS, mode, false, f, false, nearestIdx: true).I0))
                    wrong = $"libtorch's CPU backward routes the gradient of axis {d} ({inS} -> {outS}) by nearest_idx, which differs from its forward's indices there; Pade's gradient is the forward's transpose";
            }
        return new("interpolate", label, [g.Input("x", shape)],
            x => F.Interpolate(x[0], size, scale, mode, align, recompute ? true : null),
            x => TF.interpolate(x[0], torchSize, torchScale, torchMode, align, recompute), OracleWrong: wrong);
    }

    private static OracleCase AdaptiveMax(OracleGen g, int[] shape, int? oh, int? ow)
    {
        long rh = oh ?? shape[^2], rw = ow ?? shape[^1];
        // Distinct values: the gradient goes to one element per window, with no tie for libtorch and Pade to break.
        var x = new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (p, q) => p * q)));
        return new("adaptive_max_pool2d", $"{Fmt(shape)} -> ({oh?.ToString() ?? "None"}, {ow?.ToString() ?? "None"})", [x],
            t => F.AdaptiveMaxPool2d(t[0], (oh, ow)), t => TF.adaptive_max_pool2d(t[0], [rh, rw]));
    }
}
