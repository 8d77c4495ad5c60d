using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>interpolate(X, size | scale_factor, mode bicubic or bilinear, align_corners, recompute_scale_factor,
/// antialias) on (N, C, H, W).</summary>
public sealed record CubicCase(Spec X, string Mode, bool Antialias, int[]? Size, double[]? Scale, bool? Align, bool? Recompute, ulong Seed)
{
    public Tensor Call(Tensor x) => F.Interpolate(x, Size, Scale, Mode, Align, Recompute, Antialias);

    public override string ToString() =>
        $"X {X}, mode {Mode}, antialias {Antialias}, size {(Size == null ? "none" : Shapes.Format(Size))}, scale_factor {(Scale == null ? "none" : string.Join(", ", Scale))}, " +
        $"align_corners {Align?.ToString() ?? "none"}, recompute_scale_factor {Recompute?.ToString() ?? "none"}, seed {Seed}";
}

public static class CubicGen
{
    /// <summary>Integer and fractional factors, up and down; 0.25 and 0.3 stretch the antialias filter over 9 and
    /// more inputs, 1.1 can keep an axis's size with s ≠ 1.</summary>
    private static readonly Gen<double> Factor = Gen.Elements(0.25, 0.3, 0.5, 0.7, 1.0, 1.1, 1.5, 2.0, 2.5, 1.0 / 3, 1.7, 3.0);

    /// <summary>bicubic, or bilinear/bicubic with antialias; N 0..2 (empty batches included), C 1..2, H and W 1..8
    /// (1 -> n and n -> 1 axes); a size 1..10 (one entry for both dims a quarter of the time) or a scale factor whose
    /// output is not empty.</summary>
    public static readonly Gen<CubicCase> Case =
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 2)))
        from c in Gen.Choose(1, 2)
        from spatial in Gen.ArrayOf(Gen.Choose(1, 8), 2)
        from mode in Gen.Elements("bicubic", "bicubic", "bilinear")
        from aaCoin in Gen.Elements(true, false)
        from useSize in Gen.Elements(true, false)
        from one in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from sizes in Gen.ArrayOf(Gen.Choose(1, 10), 2)
        from factors in Gen.ArrayOf(Factor, 2)
        from align in Gen.Elements<bool?>(null, false, true)
        from recompute in Gen.Elements<bool?>(null, false, true)
        let shape = new[] { n, c }.Concat(spatial).ToArray()
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        let f = one ? factors[..1] : factors
        let scaleOk = spatial.Select((s, i) => Math.Floor(s * (f.Length == 1 ? f[0] : f[i]))).All(o => o >= 1)
        let bySize = useSize || !scaleOk
        select new CubicCase(x, mode, mode == "bilinear" || aaCoin, bySize ? (one ? sizes[..1] : sizes) : null, bySize ? null : f,
            align, bySize ? null : recompute, seed);
}

public static class CubicArbitraries
{
    public static Arbitrary<CubicCase> Case() => CubicGen.Case.ToArbitrary();
}

/// <summary>
/// interpolate's bicubic mode and its antialias option: values against plain float64 loops of libtorch's formulas
/// (Keys' cubic convolution with A = −0.75 on clamped taps; the antialias filter, triangle or Keys' A = −0.5,
/// stretched by the scale when downsampling and normalised), gradients against central differences, libtorch's
/// weights to the bit (its FMA-contracted arithmetic), and the errors PyTorch raises.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(CubicArbitraries)], MaxTest = 150)]
public class InterpolateCubicTests
{
    // ---- reference: plain loops --------------------------------------------------------------------------------

    /// <summary>Keys' cubic convolution kernel at distance d with parameter a.</summary>
    private static double Keys(double d, double a)
    {
        d = Math.Abs(d);
        return d <= 1 ? (a + 2) * d * d * d - (a + 3) * d * d + 1 : d < 2 ? a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a : 0;
    }

    /// <summary>The taps (input index, weight) of output o along one axis, from the definitions in float64 (the
    /// floor in float, as libtorch's floorf). Antialias leaves an axis of unchanged size alone (libtorch copies it).</summary>
    private static (int I, double W)[] Taps(int o, int inS, int outS, string mode, bool aa, bool align, double? factor)
    {
        double scale = align ? (outS > 1 ? (inS - 1.0) / (outS - 1) : 0) : factor is double f ? 1.0 / f : (double)inS / outS;
        if (aa)
        {
            if (inS == outS) return [(o, 1.0)];
            double stretch = Math.Max(scale, 1), support = (mode == "bicubic" ? 2 : 1) * stretch, center = scale * (o + 0.5);
            int lo = Math.Max((int)Math.Floor(center - support + 0.5), 0), hi = Math.Min((int)Math.Floor(center + support + 0.5), inS);
            var w = Enumerable.Range(lo, hi - lo).Select(k => (k - center + 0.5) / stretch)
                .Select(d => mode == "bicubic" ? Keys(d, -0.5) : Math.Max(0, 1 - Math.Abs(d))).ToArray();
            double total = w.Sum();
            return Enumerable.Range(lo, hi - lo).Select(k => (k, total != 0 ? w[k - lo] / total : w[k - lo])).ToArray();
        }
        if (mode == "bilinear") throw new ArgumentException("plain bilinear is InterpolateTests' reference");
        double real = align ? scale * o : scale * (o + 0.5) - 0.5;   // not clamped at 0 for cubic
        int i = Math.Min((int)MathF.Floor((float)real), inS - 1);
        double t = Math.Clamp(real - i, 0, 1);
        return Enumerable.Range(-1, 4).Select(j => (Math.Clamp(i + j, 0, inS - 1), Keys(t - j, -0.75))).ToArray();
    }

    private static Nd Reference(CubicCase c, out int[] outSizes)
    {
        var shape = c.X.Shape;
        int planes = shape[0] * shape[1], inH = shape[2], inW = shape[3];
        var outs = new int[2];
        var factors = new double?[2];
        for (int d = 0; d < 2; d++)
        {
            if (c.Size != null) outs[d] = c.Size.Length == 1 ? c.Size[0] : c.Size[d];
            else
            {
                double f = c.Scale!.Length == 1 ? c.Scale[0] : c.Scale[d];
                outs[d] = (int)Math.Floor(shape[2 + d] * f);
                if (c.Recompute != true) factors[d] = f;
            }
        }
        outSizes = outs;
        bool align = c.Align ?? false;
        var y = new double[planes * outs[0] * outs[1]];
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < outs[0]; oh++)
                for (int ow = 0; ow < outs[1]; ow++)
                {
                    double s = 0;
                    foreach (var (ih, wh) in Taps(oh, inH, outs[0], c.Mode, c.Antialias, align, factors[0]))
                        foreach (var (iw, ww) in Taps(ow, inW, outs[1], c.Mode, c.Antialias, align, factors[1]))
                            s += wh * ww * c.X.Values[(p * inH + ih) * inW + iw];
                    y[(p * outs[0] + oh) * outs[1] + ow] = s;
                }
        return new Nd([shape[0], shape[1], .. outs], y);
    }

    // ---- properties --------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void InterpolateMatchesTheDefinition(CubicCase c) =>
        Expect.Close(c.Call(c.X.Tensor()), Reference(c, out _), 1e-12, 1e-12, $"interpolate {c.Mode} antialias {c.Antialias}");

    [FsCheck.NUnit.Property(MaxTest = 100)]
    public void InterpolateGradients(CubicCase c) =>
        Expect.Grad($"interpolate {c.Mode} antialias {c.Antialias}", t => c.Call(t[0]), c.Seed, c.X.Tensor());

    /// <summary>float32 follows the same rules (float32 weights, as libtorch's) within float32 rounding of sums of up
    /// to a few dozen taps.</summary>
    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void Float32IsCloseToFloat64(CubicCase c)
    {
        var y32 = c.Call(c.X.Tensor(DType.Float32)).To(DType.Float64);
        Expect.Close(y32, Reference(c, out _), 1e-5, 1e-5, $"interpolate {c.Mode} antialias {c.Antialias} float32");
    }

    // ---- fixed cases -------------------------------------------------------------------------------------------

    /// <summary>libtorch's weights to the bit, read from libtorch 2.10 (an input with a single 1 returns one weight):
    /// its x86 build fuses s·(o + ½) − ½ and the cubic polynomials' multiply-adds, so the antialias weight at a zero of
    /// the filter (|x| = 1 up to an ulp) is a tiny residual, not 0, in float64 (0·∞ = NaN would be wrong there).</summary>
    [Test]
    public void WeightsAreLibtorchsBits()
    {
        static double Weight((int[] Offsets, int[] Taps, double[] Weights) t, int o, int tap, bool single)
        {
            double s = 0;   // bicubic's clamped taps may read the input twice: libtorch's output adds both
            for (int j = t.Offsets[o]; j < t.Offsets[o + 1]; j++)
                if (t.Taps[j] == tap) s = single ? (float)(s + t.Weights[j]) : s + t.Weights[j];
            return s;
        }
        Assert.That(Weight(F.CubicTaps(4, 9, false, null, false), 2, 0, false), Is.EqualTo(0.37568587105624107));
        Assert.That(Weight(F.CubicTaps(4, 9, false, null, true), 1, 0, true), Is.EqualTo(0.8564813733100891));
        Assert.That(Weight(F.CubicTaps(3, 10, false, 10.0 / 3, true), 7, 0, true), Is.EqualTo(-0.03515603765845299));
        Assert.That(Weight(F.AntialiasTaps(7, 3, "bicubic", false, null, false), 0, 3, false), Is.EqualTo(2.2730115128596019E-32));
        Assert.That(Weight(F.AntialiasTaps(7, 3, "bicubic", false, null, true), 2, 3, true), Is.EqualTo(6.551508891194631E-15));
        Assert.That(Weight(F.AntialiasTaps(9, 4, "bicubic", false, null, true), 3, 7, true), Is.EqualTo(0.4471295475959778));
        Assert.That(Weight(F.AntialiasTaps(7, 3, "bicubic", false, null, false), 1, 0, false), Is.EqualTo(-0.03052503052503057));
    }

    /// <summary>Antialias keeps an axis whose size does not change as it is (libtorch copies it, whatever the scale
    /// factor): 5 -> 5 through s = 1.1 copies rows, an ∞ stays in its place; both sizes kept is a copy.</summary>
    [Test]
    public void AntialiasLeavesAnUnchangedAxisAlone()
    {
        var values = Enumerable.Range(0, 5 * 4).Select(i => Math.Cos(i * 0.9)).ToArray();
        values[7] = double.PositiveInfinity;
        var x = Tensor.FromArray(values, 1, 1, 5, 4);
        var same = F.Interpolate(x, null, [1.1, 1.2], "bicubic", null, null, true).ToArray<double>();
        Assert.That(same, Is.EqualTo(values));
        var rows = F.Interpolate(x, null, [1.1, 0.5], "bilinear", null, null, true).ToArray<double>();
        Assert.That(rows.Count(double.IsNaN) + rows.Count(double.IsInfinity), Is.EqualTo(1), "only row 1's filtered output reads the ∞");
    }

    /// <summary>Upsampling with antialias is not plain bicubic: the filter is Keys' A = −0.5 (PIL's), not −0.75, and
    /// the taps beyond the border are dropped and the rest renormalised, not clamped. Bilinear's triangle with
    /// antialias upsampling is bilinear inside (and at the borders here, where one tap remains).</summary>
    [Test]
    public void AntialiasUpsamplingIsItsOwnFilter()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 6).Select(i => (double)(i * i)).ToArray(), 1, 1, 1, 6);
        var plain = F.Interpolate(x, [1, 12], mode: "bicubic").ToArray<double>();
        var aa = F.Interpolate(x, [1, 12], mode: "bicubic", antialias: true).ToArray<double>();
        Assert.That(aa[5], Is.Not.EqualTo(plain[5]).Within(1e-6));
        var bilinear = F.Interpolate(x, [1, 12], mode: "bilinear").ToArray<double>();
        var bilinearAa = F.Interpolate(x, [1, 12], mode: "bilinear", antialias: true).ToArray<double>();
        Assert.That(bilinearAa, Is.EqualTo(bilinear).Within(1e-12));
    }

    /// <summary>The backward's transposed taps are built only when a gradient will be asked for: under NoGrad or
    /// without RequiresGrad the output has no node; with it, the gradient of Σy is each input's total weight.</summary>
    [Test]
    public void TheBackwardIsRecordedOnlyWhenNeeded()
    {
        var x = Tensor.Randn([1, 2, 5, 4], dtype: DType.Float64, generator: new Generator(5));
        Assert.That(F.Interpolate(x, [7, 3], mode: "bicubic").GradFn, Is.Null);
        x.RequiresGrad = true;
        using (Tensor.NoGrad()) Assert.That(F.Interpolate(x, [7, 3], mode: "bicubic").GradFn, Is.Null);
        var y = F.Interpolate(x, [7, 3], mode: "bicubic", antialias: true);
        Assert.That(y.GradFn, Is.Not.Null);
        Assert.That(y.GradFn!.Name, Is.EqualTo("upsample_bicubic_aa"));
        y.Sum().Backward();
        Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 1, 2, 5, 4 }));
    }

    [Test]
    public void UpsampleModuleTakesBicubic()
    {
        var x = Tensor.Randn([2, 3, 4, 5], dtype: DType.Float64, generator: new Generator(3));
        var up = new Upsample(scaleFactor: [1.5], mode: "bicubic", alignCorners: true);
        Assert.That(up.Call(x).ToArray<double>(), Is.EqualTo(F.Interpolate(x, null, [1.5], "bicubic", true).ToArray<double>()));
        Assert.That(up.ToString(), Is.EqualTo("Upsample(scale_factor=1.5, mode='bicubic')"));
    }

    [Test]
    public void BadArgumentsThrowPyTorchsMessages()
    {
        var x = Tensor.Zeros(1, 2, 3, 4);
        void Throws(TestDelegate f, string text) => Assert.That(Assert.Throws<ArgumentException>(f)!.Message, Does.Contain(text));
        Throws(() => F.Interpolate(Tensor.Zeros(1, 2, 3), [2], mode: "bicubic"), "Got 3D input, but bicubic mode needs 4D input");
        Throws(() => F.Interpolate(x, [2], mode: "nearest", antialias: true), "Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input");
        Throws(() => F.Interpolate(Tensor.Zeros(1, 2, 3), [2], mode: "linear", antialias: true), "Anti-alias option is restricted");
        Throws(() => F.Interpolate(x, [2], mode: "trilinear"), "Got 4D input, but trilinear mode needs 5D input");
        Throws(() => F.Interpolate(x, [2], mode: "bicubic", alignCorners: null, recomputeScaleFactor: true), "recompute_scale_factor is not meaningful");
        Throws(() => F.Interpolate(x, [0, 2], mode: "bicubic"), "Input and output sizes should be greater than 0");
        Assert.That(F.Interpolate(Tensor.Zeros(0, 2, 3, 4), [5, 2], mode: "bicubic", antialias: true).ShapeCopy(), Is.EqualTo(new[] { 0, 2, 5, 2 }));
    }
}
