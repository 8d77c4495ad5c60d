using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>interpolate(X, size | scale_factor, mode, align_corners, recompute_scale_factor).</summary>
public sealed record InterpolateCase(Spec X, string Mode, int[]? Size, double[]? Scale, bool? Align, bool? Recompute, ulong Seed)
{
    public Tensor Call(Tensor x) => F.Interpolate(x, Size, Scale, Mode, Align, Recompute);

    public override string ToString() =>
        $"X {X}, mode {Mode}, size {(Size == null ? "none" : Shapes.Format(Size))}, scale_factor {(Scale == null ? "none" : string.Join(", ", Scale))}, " +
        $"align_corners {Align?.ToString() ?? "none"}, recompute_scale_factor {Recompute?.ToString() ?? "none"}, seed {Seed}";
}

public static class InterpolateGen
{
    /// <summary>Integer and fractional factors, up and down (1/3 and 0.7 have no exact binary form).</summary>
    private static readonly Gen<double> Factor = Gen.Elements(0.5, 0.7, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 1.0 / 3, 1.7, 4.0);

    /// <summary>(N, C, L) with nearest, nearest-exact or linear, and (N, C, H, W) with nearest, nearest-exact or
    /// bilinear; N and C 0..2 (empty batches included), spatial sizes 1..6; a size (1..8, one entry for all dims a
    /// quarter of the time) or a scale factor whose output is not empty.</summary>
    public static readonly Gen<InterpolateCase> Case =
        from spatialDims in Gen.Choose(1, 2)
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 2)))
        from c in Gen.Choose(1, 2)
        from spatial in Gen.ArrayOf(Gen.Choose(1, 6), spatialDims)
        from mode in Gen.Elements("nearest", "nearest-exact", spatialDims == 1 ? "linear" : "bilinear", "area")
        from useSize in Gen.Elements(true, false)
        from one in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from sizes in Gen.ArrayOf(Gen.Choose(1, 8), spatialDims)
        from factors in Gen.ArrayOf(Factor, spatialDims)
        from align in Gen.Elements<bool?>(null, false, true)
        from recompute in Gen.Elements<bool?>(null, false, true)
        let shape = new[] { n, c }.Concat(spatial).ToArray()
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        let f = one ? factors[..1] : factors
        let scaleOk = spatial.Select((s, i) => Math.Floor(s * (f.Length == 1 ? f[0] : f[i]))).All(o => o >= 1)
        let bySize = useSize || !scaleOk
        select new InterpolateCase(x, mode, bySize ? (one ? sizes[..1] : sizes) : null, bySize ? null : f,
            mode is "linear" or "bilinear" ? align : null, bySize ? null : recompute, seed);
}

public static class InterpolateArbitraries
{
    public static Arbitrary<InterpolateCase> Case() => InterpolateGen.Case.ToArbitrary();
}

/// <summary>
/// torch.nn.functional.interpolate and nn.Upsample: values against plain float64 loops of PyTorch's UpSample.h index
/// rules (the float32 scale of the nearest modes, the same-size and double-size shortcuts, 1/scale_factor rather than
/// in/out, align_corners, the clamp at 0), gradients against central differences, and the errors PyTorch raises.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(InterpolateArbitraries)], MaxTest = 150)]
public class InterpolateTests
{
    // ---- reference: plain loops --------------------------------------------------------------------------------

    /// <summary>The taps (input index, weight) of output o along one axis, written from UpSample.h's formulas in
    /// float64 (the kernel's opmath for double), with the floor taken in float as PyTorch's floorf and the half-pixel
    /// coordinate fused as libtorch's x86 build computes it.</summary>
    private static (int I, double W)[] Taps(int o, int inS, int outS, string mode, bool align, double? factor, bool legacy)
    {
        if (mode == "area")
        {
            // Adaptive average pooling's window [⌊o·in/out⌋, ⌈(o+1)·in/out⌉), equal weights.
            int a = (int)Math.Floor((double)o * inS / outS), b = (int)Math.Ceiling((double)(o + 1) * inS / outS);
            return Enumerable.Range(a, b - a).Select(i => (i, 1.0 / (b - a))).ToArray();
        }
        double scale0 = factor is double f ? 1.0 / f : (double)inS / outS;
        if (legacy && mode is "nearest" or "nearest-exact")
        {
            // UpSample.h's nearest_idx / nearest_exact_idx: a float scale, shortcuts for nearest.
            float sf = factor is double g0 ? (float)(1.0 / g0) : (float)inS / outS;
            int src = mode == "nearest-exact" ? (int)MathF.Floor((float)((o + 0.5) * sf))
                : outS == inS ? o : outS == 2 * inS ? o / 2 : (int)MathF.Floor(o * sf);
            return [(Math.Min(src, inS - 1), 1.0)];
        }
        if (mode == "nearest") return [(Math.Min((int)MathF.Floor((float)(scale0 * o)), inS - 1), 1.0)];
        if (mode == "nearest-exact")
            return [(Math.Min((int)MathF.Floor((float)(Math.Max(Math.FusedMultiplyAdd(scale0, o + 0.5, -0.5), 0) + 0.5)), inS - 1), 1.0)];
        if (outS == inS) return [(o, 1.0), (o, 0.0)];   // libtorch's taps for out = in: the second weighs 0
        double scale = align ? (outS > 1 ? (inS - 1.0) / (outS - 1) : 0) : factor is double g ? 1.0 / g : (double)inS / outS;
        // s·(o + ½) − ½ in one fused multiply-add, as libtorch's FMA-enabled x86 kernels: where the exact value is an
        // integer (s = 1/3, o = 4) the rounded product lands on it (λ = 0, 0·∞ = NaN) and the fused one an ulp below
        // (λ0 ≈ 1e-16, ∞), as libtorch's.
        double real = align ? scale * o : Math.Max(Math.FusedMultiplyAdd(scale, o + 0.5, -0.5), 0);
        int i0 = Math.Min((int)MathF.Floor((float)real), inS - 1);
        double l1 = Math.Clamp(real - i0, 0, 1);
        return [(i0, 1 - l1), (Math.Min(i0 + 1, inS - 1), l1)];
    }

    /// <summary>The loops of PyTorch's formula, on <paramref name="values"/> (default: the case's): every tap's
    /// weight·x is formed, a weight of 0 included, as libtorch's kernels do (so 0·∞ is NaN there too).</summary>
    private static Nd Reference(InterpolateCase c, out int[] outSizes, double[]? values = null)
    {
        var shape = c.X.Shape;
        int dims = shape.Length - 2, planes = shape[0] * shape[1];
        var ins = shape[2..];
        var outs = new int[dims];
        var factors = new double?[dims];
        for (int d = 0; d < dims; d++)
        {
            if (c.Size != null) outs[d] = c.Size.Length == 1 ? c.Size[0] : c.Size[d];
            else
            {
                double f = c.Scale!.Length == 1 ? c.Scale[0] : c.Scale[d];
                outs[d] = (int)Math.Floor(ins[d] * f);
                if (c.Recompute != true) factors[d] = f;
            }
        }
        outSizes = outs;
        bool align = c.Align ?? false;
        bool legacy = dims == 2 && outs[0] + outs[1] <= 128;   // libtorch's vectorized 2-D kernel: nearest_idx
        int inH = dims == 2 ? ins[0] : 1, inW = ins[^1], outH = dims == 2 ? outs[0] : 1, outW = outs[^1];
        var y = new double[planes * outH * outW];
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                {
                    var th = dims == 2 ? Taps(oh, inH, outH, c.Mode, align, factors[0], legacy) : [(0, 1.0)];
                    var tw = Taps(ow, inW, outW, c.Mode, align, factors[^1], legacy);
                    double s = 0;
                    foreach (var (ih, wh) in th)
                        foreach (var (iw, ww) in tw)
                        {
                            int flat = (p * inH + ih) * inW + iw;
                            s += wh * ww * (values ?? c.X.Values)[flat];
                        }
                    y[(p * outH + oh) * outW + ow] = s;
                }
        return new Nd([shape[0], shape[1], .. outs], y);
    }

    // ---- properties --------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void InterpolateMatchesTheDefinition(InterpolateCase c)
    {
        var expected = Reference(c, out _);
        Expect.Close(c.Call(c.X.Tensor()), expected, 1e-12, 1e-12, $"interpolate {c.Mode}");
    }

    [FsCheck.NUnit.Property]
    public void InterpolateGradients(InterpolateCase c) =>
        Expect.Grad($"interpolate {c.Mode}", t => c.Call(t[0]), c.Seed, c.X.Tensor());

    /// <summary>float32 follows the same rules (float32 lambdas, as PyTorch's opmath) within float32 rounding.</summary>
    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void Float32IsCloseToFloat64(InterpolateCase c)
    {
        var y32 = c.Call(c.X.Tensor(DType.Float32)).To(DType.Float64);
        Expect.Close(y32, Reference(c, out _), 2e-6, 2e-6, $"interpolate {c.Mode} float32");
    }

    /// <summary>One input set to ±∞ reaches the outputs as in libtorch: the outputs whose taps read it are that
    /// infinity, or NaN where a tap of weight 0 reads it (libtorch forms λ·x for both taps of a linear mode, λ = 0
    /// included; nearest copies one tap); every other output is finite and equals the loops' value, so nothing spreads
    /// along its row or column.</summary>
    [FsCheck.NUnit.Property]
    public void AnInfiniteInputReachesTheOutputsAsLibtorchs(InterpolateCase c)
    {
        if (c.X.Values.Length == 0) return;
        int at = (int)(c.Seed % (ulong)c.X.Values.Length);
        double inf = c.Seed % 2 == 0 ? double.PositiveInfinity : double.NegativeInfinity;
        var values = (double[])c.X.Values.Clone();
        values[at] = inf;
        var expected = Reference(c, out var outs, values);
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var y = c.Call(Tensor.FromArray(values, c.X.Shape).To(dtype)).To(DType.Float64).ToArray<double>();
            for (int j = 0; j < y.Length; j++)
            {
                string where = $"{dtype} output {j} of {Shapes.Format([c.X.Shape[0], c.X.Shape[1], .. outs])}, input {at} = {inf}: {y[j]}, loops {expected.Data[j]}";
                double e = expected.Data[j];
                if (dtype == DType.Float64)
                    Assert.That(double.IsNaN(e) ? double.IsNaN(y[j]) : double.IsInfinity(e) ? y[j] == e : Math.Abs(y[j] - e) <= 1e-12 * (1 + Math.Abs(e)), where);
                // float32's weights may round a tiny float64 weight to 0 (or back): there ∞ and NaN may trade places.
                else
                    Assert.That(double.IsFinite(e) ? Math.Abs(y[j] - e) <= 4e-6 * (1 + Math.Abs(e)) : !double.IsFinite(y[j]), where);
            }
        }
    }

    // ---- fixed cases -------------------------------------------------------------------------------------------

    /// <summary>With a scale factor, nearest reads ⌊o·(1/s)⌋, not ⌊o·in/out⌋: in = 5, s = 1.7 gives 8 outputs, and
    /// output 5 reads input 2 (5·0.588 = 2.94), where in/out = 0.625 would read 3. recompute_scale_factor uses in/out.</summary>
    [Test]
    public void NearestUsesTheReciprocalScaleFactor()
    {
        var x = Tensor.FromArray(new double[] { 0, 1, 2, 3, 4 }, 1, 1, 5);
        var y = F.Interpolate(x, scaleFactor: [1.7]).ToArray<double>();
        Assert.That(y.Length, Is.EqualTo(8));
        Assert.That(y[5], Is.EqualTo(Math.Floor(5 * (1 / 1.7))));
        var r = F.Interpolate(x, scaleFactor: [1.7], recomputeScaleFactor: true).ToArray<double>();
        Assert.That(r[5], Is.EqualTo(Math.Floor(5 * 5 / 8.0)));
        Assert.That(r[5], Is.Not.EqualTo(y[5]));
    }

    /// <summary>2-D nearest: libtorch indexes with nearest_idx (shortcuts: 2 -> 2 copies, 64 -> 128 takes o/2) while
    /// OH + OW ≤ 128, and with the generic kernel's ⌊o/s⌋ above; both against the loops, gradients included.</summary>
    [Test]
    public void NearestIndexingDependsOnTheOutputSizeAsLibtorchs()
    {
        var values = Enumerable.Range(0, 2 * 2 * 64).Select(i => Math.Sin(i * 0.7)).ToArray();
        foreach (var (scale, mode) in new (double[], string)[] { ([1.3, 2.01], "nearest"), ([1.3, 1.9], "nearest"), ([1.3, 2.01], "nearest-exact") })
        {
            var c = new InterpolateCase(new Spec([1, 2, 2, 64], values), mode, null, scale, null, null, 7);
            Expect.Close(c.Call(c.X.Tensor()), Reference(c, out var outs), 0, 0, $"{mode} x({scale[0]}, {scale[1]}) -> {Shapes.Format(outs)}");
            Expect.Grad(mode, t => c.Call(t[0]), c.Seed, c.X.Tensor());
        }
        var big = F.Interpolate(Tensor.FromArray(values, 1, 2, 2, 64), scaleFactor: [1.3, 2.01]).ToArray<double>();
        Assert.That(big[1 * 128 + 1], Is.EqualTo(values[0]), "generic kernel (OH + OW = 130): row 1 reads ⌊1/1.3⌋ = 0");
        var small = F.Interpolate(Tensor.FromArray(values, 1, 2, 2, 64), scaleFactor: [1.3, 1.9]).ToArray<double>();
        Assert.That(small[1 * 121 + 1], Is.EqualTo(values[64]), "nearest_idx (OH + OW = 123): 2 -> 2 copies row 1");
    }

    [Test]
    public void UpsampleModuleCallsInterpolateAndPrintsAsPyTorch()
    {
        var x = Tensor.Randn([2, 3, 4, 5], dtype: DType.Float64, generator: new Generator(3));
        var up = new Upsample(scaleFactor: [2.0], mode: "bilinear", alignCorners: true);
        Assert.That(up.Call(x).ToArray<double>(), Is.EqualTo(F.Interpolate(x, null, [2.0], "bilinear", true).ToArray<double>()));
        Assert.That(up.ToString(), Is.EqualTo("Upsample(scale_factor=2.0, mode='bilinear')"));
        Assert.That(new Upsample([8, 6]).ToString(), Is.EqualTo("Upsample(size=(8, 6), mode='nearest')"));
        Assert.That(new Upsample(scaleFactor: [1.5, 2]).ExtraRepr(), Is.EqualTo("scale_factor=(1.5, 2.0), mode='nearest'"));
        Assert.That(new Upsample([7]).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 7, 7 }));
    }

    [Test]
    public void BadArgumentsThrowPyTorchsMessages()
    {
        var x = Tensor.Zeros(1, 2, 3, 4);
        void Throws(TestDelegate f, string text) => Assert.That(Assert.Throws<ArgumentException>(f)!.Message, Does.Contain(text));
        Throws(() => F.Interpolate(x), "either size or scale_factor should be defined");
        Throws(() => F.Interpolate(x, [2], [2.0]), "only one of size or scale_factor should be defined");
        Throws(() => F.Interpolate(x, [2, 3, 4]), "same number of spatial dimensions");
        Throws(() => F.Interpolate(x, [2], alignCorners: true), "align_corners option can only be set with the interpolating modes");
        Throws(() => F.Interpolate(x, [2], mode: "area", alignCorners: false), "align_corners option can only be set with the interpolating modes");
        Throws(() => F.Interpolate(x, [2], mode: "linear"), "Got 4D input, but linear mode needs 3D input");
        Throws(() => F.Interpolate(Tensor.Zeros(1, 2, 3), [2], mode: "bilinear"), "Got 3D input, but bilinear mode needs 4D input");
        Throws(() => F.Interpolate(x, [0, 2]), "Input and output sizes should be greater than 0");
        Throws(() => F.Interpolate(x, scaleFactor: [0.2]), "Input and output sizes should be greater than 0");
        Throws(() => F.Interpolate(x, [2], mode: "trilinear"), "Got 4D input, but trilinear mode needs 5D input");
        Throws(() => F.Interpolate(x, [2], mode: "cubic"), "unknown mode 'cubic'");
        Throws(() => F.Interpolate(x, [2], recomputeScaleFactor: true), "recompute_scale_factor is not meaningful");
        Throws(() => F.Interpolate(Tensor.Zeros(2, 3), [2]), "[2, 3]");
        Throws(() => F.Interpolate(Tensor.Zeros(2, 0, 3, 4), [2]), "Non-empty 4D data tensor expected but got a tensor with sizes [2, 0, 3, 4]");
        Assert.That(F.Interpolate(Tensor.Zeros(0, 2, 3, 4), [2]).ShapeCopy(), Is.EqualTo(new[] { 0, 2, 2, 2 }));
        Throws(() => F.Interpolate(Tensor.Zeros([1, 1, 2], DType.Int32), [2]), "floating-point");
    }
}
