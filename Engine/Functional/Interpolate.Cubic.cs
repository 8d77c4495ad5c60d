namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// The bicubic taps of one axis as libtorch 2.10's CPU forward forms them (HelperInterpCubic::compute_indices_weights
    /// and UpSample.h), a compressed row list: output o reads taps[offsets[o] ..] (always 4) with their weights.
    /// s = (in − 1)/(out − 1) (0 for out = 1) with align corners, else 1/scale_factor (in/out without one); the source
    /// coordinate is s·o with align corners, else s·(o + ½) − ½, NOT clamped at 0 (area_pixel_compute_source_index with
    /// cubic = true); i = min(⌊src⌋, in − 1) (floorf), t = clamp(src − i, 0, 1) (guard_index_and_lambda); the weights are
    /// Keys' cubic convolution with A = −0.75 at t + 1, t, 1 − t, 2 − t (get_cubic_upsample_coefficients) and the taps
    /// i − 1 .. i + 2 clamped to [0, in − 1] (upsample_get_value_bounded), so at a border several taps read the same
    /// input, each its own product as in libtorch. Every step rounds in float32 when <paramref name="single"/>
    /// (libtorch's opmath for float), so the float32 weights are libtorch's own. No out = in shortcut: libtorch has none
    /// here (with s = 1 the weights are 0, 1, 0, 0). libtorch's x86 build fuses s·(o + ½) − ½ and the polynomials'
    /// multiply-adds (see <see cref="Conv1"/>); so does this, so the weights are its bits in both types.
    /// </summary>
    public static (int[] Offsets, int[] Taps, double[] Weights) CubicTaps(int inSize, int outSize, bool alignCorners, double? scaleFactor, bool single)
    {
        double R(double v) => single ? (float)v : v;   // one rounding per float op: float arithmetic, exactly
        double scale = alignCorners ? (outSize > 1 ? R((double)(inSize - 1) / (outSize - 1)) : 0) : ScaleValue(inSize, outSize, scaleFactor, single);
        var offsets = new int[outSize + 1];
        var taps = new int[4 * outSize];
        var weights = new double[4 * outSize];
        for (int o = 0; o < outSize; o++)
        {
            double real = alignCorners ? R(scale * o) : HalfPixel(scale, o, single);
            int i = Math.Min((int)MathF.Floor((float)real), inSize - 1);
            double t = Math.Min(Math.Max(R(real - i), 0), 1);
            const double a = -0.75;
            double x2 = R(1 - t);
            double[] c = [Conv2(R(t + 1), a, single), Conv1(t, a, single), Conv1(x2, a, single), Conv2(R(x2 + 1), a, single)];
            for (int j = 0; j < 4; j++)
            {
                taps[4 * o + j] = Math.Clamp(i + j - 1, 0, inSize - 1);
                weights[4 * o + j] = c[j];
            }
            offsets[o + 1] = 4 * (o + 1);
        }
        return (offsets, taps, weights);
    }

    /// <summary>
    /// The antialiased taps of one axis, as libtorch 2.10's CPU _upsample_bilinear2d_aa / _upsample_bicubic2d_aa
    /// (UpSampleKernel.cpp's _compute_index_ranges_weights and _compute_indices_min_size_weights_aa, after Pillow):
    /// s as <see cref="CubicTaps"/>; the filter is the triangle (bilinear, support 1) or Keys' cubic with A = −0.5
    /// (bicubic, support 2, not the −0.75 of plain bicubic), its support stretched by s when s ≥ 1 (downsampling) and
    /// its argument scaled by 1/s there; output o centred at c = s·(o + ½) reads inputs xmin .. xmin + xsize − 1 with
    /// xmin = max(trunc(c − support + ½), 0), xsize = min(trunc(c + support + ½), in) − xmin, weights
    /// filter((j − c + ½)/s) normalised by their sum (taps outside the input are dropped, not clamped: the weights
    /// renormalise instead). align_corners only changes s. Arithmetic in the input's type, as libtorch's (float for
    /// float32, with its double intermediates where C++ promotes). The caller skips an axis whose size does not change,
    /// as libtorch does.
    /// </summary>
    public static (int[] Offsets, int[] Taps, double[] Weights) AntialiasTaps(int inSize, int outSize, string mode, bool alignCorners,
        double? scaleFactor, bool single)
    {
        double R(double v) => single ? (float)v : v;
        bool cubic = mode == "bicubic";
        double scale = alignCorners ? (outSize > 1 ? R((double)(inSize - 1) / (outSize - 1)) : 0) : ScaleValue(inSize, outSize, scaleFactor, single);
        int interp = cubic ? 4 : 2;
        double support = R(scale >= 1 ? interp * 0.5 * scale : interp * 0.5);
        int maxSize = (int)Math.Ceiling(support) * 2 + 1;
        double invScale = scale >= 1 ? R(1.0 / scale) : 1;
        var offsets = new int[outSize + 1];
        var taps = new List<int>(outSize * maxSize);
        var weights = new List<double>(outSize * maxSize);
        var w = new double[maxSize];
        for (int o = 0; o < outSize; o++)
        {
            double center = R(scale * (o + 0.5));
            int xmin = (int)Math.Max((long)(R(center - support) + 0.5), 0);
            int xsize = (int)Math.Clamp(Math.Min((long)(R(center + support) + 0.5), inSize) - xmin, 0, maxSize);
            double total = 0;
            for (int j = 0; j < xsize; j++)
            {
                // (j + xmin − center + 0.5)·invscale: the difference in the type, the rest in double (C++'s promotion).
                double x = R((R(j + xmin - center) + 0.5) * invScale);
                w[j] = cubic ? KeysCubic(x, -0.5, single) : Triangle(x, single);
                total = R(total + w[j]);
            }
            if (total != 0)
                for (int j = 0; j < xsize; j++) w[j] = R(w[j] / total);
            if (xsize == 0) { taps.Add(Math.Min(xmin, inSize - 1)); weights.Add(0); }   // libtorch reads one tap, weighed 0
            for (int j = 0; j < xsize; j++) { taps.Add(xmin + j); weights.Add(w[j]); }
            offsets[o + 1] = taps.Count;
        }
        return (offsets, [.. taps], [.. weights]);
    }

    /// <summary>area_pixel_compute_source_index without align corners, s·(o + ½) − ½, as libtorch's x86 build
    /// computes it: one fused multiply-add (GCC contracts it in the FMA-enabled CPU kernels, see <see cref="Conv1"/>),
    /// in the kernel's type. Rounding the product first is an ulp off libtorch's weights now and then.</summary>
    private static double HalfPixel(double scale, int o, bool single) => single
        ? MathF.FusedMultiplyAdd((float)scale, (float)(o + 0.5), -0.5f)
        : Math.FusedMultiplyAdd(scale, o + 0.5, -0.5);

    /// <summary>compute_scales_value: 1/scale_factor when given (and positive), else in/out, in the kernel's type.</summary>
    private static double ScaleValue(int inSize, int outSize, double? scaleFactor, bool single) => scaleFactor is double sf && sf > 0
        ? (single ? (float)(1.0 / sf) : 1.0 / sf)
        : (single ? (float)((double)inSize / outSize) : (double)inSize / outSize);

    /// <summary>cubic_convolution1: ((A + 2)·x − (A + 3))·x·x + 1, for |x| ≤ 1, as libtorch's x86 build computes it:
    /// its CPU kernels are compiled with FMA (AVX2 / AVX-512 capabilities) and GCC contracts a·b + c into one fused
    /// multiply-add, so fma(fma(A + 2, x, −(A + 3))·x, x, 1), rounded in the type (the weights then match its bits,
    /// and a weight of 0 at |x| = 1 comes out as libtorch's, a tiny residual where x is one ulp off 1).</summary>
    private static double Conv1(double x, double a, bool single) => single
        ? MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd((float)(a + 2), (float)x, (float)-(a + 3)) * (float)x, (float)x, 1f)
        : Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(a + 2, x, -(a + 3)) * x, x, 1);

    /// <summary>cubic_convolution2: ((A·x − 5A)·x + 8A)·x − 4A, for 1 ≤ |x| ≤ 2, contracted as <see cref="Conv1"/>:
    /// fma(fma(fma(A, x, −5A), x, 8A), x, −4A).</summary>
    private static double Conv2(double x, double a, bool single) => single
        ? MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd((float)a, (float)x, (float)(-5 * a)), (float)x, (float)(8 * a)), (float)x, (float)(-4 * a))
        : Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(a, x, -5 * a), x, 8 * a), x, -4 * a);

    /// <summary>HelperInterpCubic::aa_filter: Keys' cubic of |x| (0 beyond 2).</summary>
    private static double KeysCubic(double x, double a, bool single)
    {
        x = Math.Abs(x);
        return x < 1 ? Conv1(x, a, single) : x < 2 ? Conv2(x, a, single) : 0;
    }

    /// <summary>HelperInterpLinear::aa_filter: 1 − |x| (0 beyond 1).</summary>
    private static double Triangle(double x, bool single)
    {
        x = Math.Abs(x);
        return x < 1 ? (single ? (float)(1 - x) : 1 - x) : 0;
    }
}
