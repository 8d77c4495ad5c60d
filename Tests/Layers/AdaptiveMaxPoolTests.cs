using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>adaptive_max_pool2d(X, (OH?, OW?)) (null: keep the input's size); Ties: values from a few levels
/// (ties in most windows) with NaN sometimes.</summary>
public sealed record AdaptiveMaxCase(Spec X, int? OH, int? OW, Spec Dy, ulong Seed)
{
    public AdaptiveSize2 Output => new(OH, OW);

    public override string ToString() => $"X {X}, output ({OH?.ToString() ?? "None"}, {OW?.ToString() ?? "None"}), dy {Dy}, seed {Seed}";
}

public sealed record AdaptiveMaxTies(AdaptiveMaxCase Case);

public static class AdaptiveMaxGen
{
    private static Gen<AdaptiveMaxCase> Make(Func<int[], Gen<Spec>> values, int minOut) =>
        from rank in Gen.Elements(3, 4, 4)
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 2)
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from oh in Gen.Frequency((1, Gen.Constant<int?>(null)), (5, Gen.Choose(minOut, 8).Select(v => (int?)v)))
        from ow in Gen.Frequency((1, Gen.Constant<int?>(null)), (5, Gen.Choose(minOut, 8).Select(v => (int?)v)))
        let shape = rank == 4 ? new[] { n, c, h, w } : new[] { c, h, w }
        from x in values(shape)
        let outShape = rank == 4 ? new[] { n, c, oh ?? h, ow ?? w } : new[] { c, oh ?? h, ow ?? w }
        from dy in EngineGen.Values(outShape, EngineGen.Uniform(-1, 1))
        from seed in EngineGen.Seed
        select new AdaptiveMaxCase(x, oh, ow, dy, seed);

    /// <summary>Distinct values (no ties: central differences are valid); output sizes 0..8 (0: empty, forward only),
    /// up- and downsampling windows, size-1 inputs and outputs.</summary>
    public static readonly Gen<AdaptiveMaxCase> Distinct = Make(EngineGen.DistinctValues, 0);

    /// <summary>Values from {−1, 0, 1, 2}, with NaN and −∞ now and then.</summary>
    public static readonly Gen<AdaptiveMaxTies> Ties = Make(shape => EngineGen.Values(shape,
        Gen.Frequency((8, Gen.Elements(-1.0, 0.0, 1.0, 2.0)), (1, Gen.Constant(double.NaN)), (1, Gen.Constant(double.NegativeInfinity)))), 1)
        .Select(c => new AdaptiveMaxTies(c));
}

public static class AdaptiveMaxArbitraries
{
    public static Arbitrary<AdaptiveMaxCase> Case() => AdaptiveMaxGen.Distinct.ToArbitrary();
    public static Arbitrary<AdaptiveMaxTies> Ties() => AdaptiveMaxGen.Ties.ToArbitrary();
}

/// <summary>
/// torch.nn.functional.adaptive_max_pool2d and nn.AdaptiveMaxPool2d: values and the gradient's routing against a plain
/// float64 loop of PyTorch's CPU kernel (windows ⌊i·H/OH⌋ .. ⌈(i+1)·H/OH⌉, v &gt; max || isnan(v) from −∞), gradients
/// against central differences, null output entries for both adaptive pools.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(AdaptiveMaxArbitraries)], MaxTest = 150)]
public class AdaptiveMaxPoolTests
{
    /// <summary>y and the gradient dx = Σ dy at each output's chosen element, by the definition.</summary>
    private static (Nd Y, Nd Dx) Reference(AdaptiveMaxCase c)
    {
        var s = c.X.Shape;
        int h = s[^2], w = s[^1], planes = (int)(c.X.Numel / (h * w));
        int oh = c.OH ?? h, ow = c.OW ?? w;
        var y = new double[planes * oh * ow];
        var dx = new double[c.X.Numel];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int h0 = (int)Math.Floor((double)i * h / oh), h1 = (int)Math.Ceiling((double)(i + 1) * h / oh);
                    int w0 = (int)Math.Floor((double)j * w / ow), w1 = (int)Math.Ceiling((double)(j + 1) * w / ow);
                    double best = double.NegativeInfinity;
                    int at = (p * h + h0) * w + w0;
                    for (int a = h0; a < h1; a++)
                        for (int b = w0; b < w1; b++)
                        {
                            double v = c.X.Values[(p * h + a) * w + b];
                            if (v > best || double.IsNaN(v)) { best = v; at = (p * h + a) * w + b; }
                        }
                    int o = (p * oh + i) * ow + j;
                    y[o] = best;
                    dx[at] += c.Dy.Values[o];
                }
        return (new Nd(c.Dy.Shape, y), new Nd(s, dx));
    }

    private static void CheckValuesAndRouting(AdaptiveMaxCase c)
    {
        var (y, dx) = Reference(c);
        var x = c.X.Tensor();
        x.RequiresGrad = true;
        var got = F.AdaptiveMaxPool2d(x, c.Output);
        Expect.Exact(got, y, "adaptive_max_pool2d");
        got.Backward(c.Dy.Tensor());
        Expect.Exact(x.Grad!, dx, "adaptive_max_pool2d dx");
    }

    [FsCheck.NUnit.Property]
    public void AdaptiveMaxPoolMatchesTheDefinition(AdaptiveMaxCase c) => CheckValuesAndRouting(c);

    /// <summary>Ties go to the first maximum, a NaN wins (the last NaN of the window), a window of −∞ gives −∞ and
    /// its first element the gradient.</summary>
    [FsCheck.NUnit.Property]
    public void TiesAndNaNFollowPyTorchsCpuKernel(AdaptiveMaxTies t) => CheckValuesAndRouting(t.Case);

    [FsCheck.NUnit.Property]
    public void AdaptiveMaxPoolGradients(AdaptiveMaxCase c)
    {
        if (c.Dy.Numel == 0) return;
        Expect.Grad("adaptive_max_pool2d", t => F.AdaptiveMaxPool2d(t[0], c.Output), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void Float32GivesTheSameValues(AdaptiveMaxCase c)
    {
        var (y, _) = Reference(c);
        var got = F.AdaptiveMaxPool2d(c.X.Tensor(DType.Float32), c.Output).To(DType.Float64);
        var y32 = new Nd(y.Shape, y.Data.Select(v => (double)(float)v).ToArray());
        Expect.Exact(got, y32, "adaptive_max_pool2d float32");
    }

    /// <summary>A null entry keeps the input's size, for both adaptive pools (AdaptiveAvgPool2d((None, 7))).</summary>
    [Test]
    public void NullEntriesKeepTheInputSize()
    {
        var x = Tensor.Randn([2, 3, 5, 9], dtype: DType.Float64, generator: new Generator(4));
        Assert.That(F.AdaptiveAvgPool2d(x, (null, 4)).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 5, 4 }));
        Assert.That(F.AdaptiveAvgPool2d(x, (2, null)).ToArray<double>(), Is.EqualTo(F.AdaptiveAvgPool2d(x, (2, 9)).ToArray<double>()));
        Assert.That(F.AdaptiveMaxPool2d(x, (null, null)).ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(new AdaptiveMaxPool2d((null, 3)).Call(x.Reshape(6, 5, 9)).ShapeCopy(), Is.EqualTo(new[] { 6, 5, 3 }));
        Assert.That(new AdaptiveAvgPool2d((3, null)).ToString(), Is.EqualTo("AdaptiveAvgPool2d(output_size=(3, None))"));
        Assert.That(new AdaptiveMaxPool2d(2).ToString(), Is.EqualTo("AdaptiveMaxPool2d(output_size=(2, 2))"));
    }

    [Test]
    public void BadInputsNameTheProblem()
    {
        void Throws(TestDelegate f, string text) => Assert.That(Assert.Throws<ArgumentException>(f)!.Message, Does.Contain(text));
        Throws(() => F.AdaptiveMaxPool2d(Tensor.Zeros(1, 2, 3, 4), (-1, 2)), "output size (-1, 2) must not be negative");
        Throws(() => F.AdaptiveMaxPool2d(Tensor.Zeros(1, 1, 0, 4), 1), "[1, 1, 0, 4] has an empty image");
        Throws(() => F.AdaptiveMaxPool2d(Tensor.Zeros(4, 4), 1), "[N, C, H, W] or [C, H, W]");
        Throws(() => F.AdaptiveMaxPool2d(Tensor.Zeros([1, 1, 2, 2], DType.Int32), 1), "floating-point");
        Throws(() => new Sequential(new AdaptiveMaxPool2d(2)).Call(Tensor.Zeros(4, 4)), "AdaptiveMaxPool2d '0'");
    }
}
