using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;
using Pade.Tests.Activations;

namespace Pade.Tests.Engine;

/// <summary>Values for sin, cos, rsqrt, erf and the roundings, on shapes with empty and size-1 dims.</summary>
public static class MathGen
{
    private static Gen<Spec> Of(Gen<double> value) => from s in StatisticsGen.Shape from x in EngineGen.Values(s, value) select x;

    private static Gen<Smooth> Case(Gen<double> value) => from x in Of(value) from seed in EngineGen.Seed select new Smooth(x, seed);

    /// <summary>Arguments of sin and cos: a third within [−4, 4], a third ±10^e for e in [−8, 4] (|x| up to 1e4,
    /// where the argument reduction must keep every digit), a third anywhere in [−1e4, 1e4].</summary>
    public static readonly Gen<Smooth> Trig = Case(Gen.OneOf(EngineGen.Uniform(-4, 4),
        from e in EngineGen.Uniform(-8, 4) from negative in Gen.Elements(false, true) select (negative ? -1 : 1) * Math.Pow(10, e),
        EngineGen.Uniform(-1e4, 1e4)));

    /// <summary>Positive magnitudes 10^e for e in [−8, 8] (values only: central differences need x &gt; ε).</summary>
    public static readonly Gen<Smooth> PositiveWide = Case(from e in EngineGen.Uniform(-8, 8) select Math.Pow(10, e));

    /// <summary>Arguments of erf: [−3, 3] (its bend), ±10^e for e in [−8, 1] (tiny: erf(x) ≈ 2x/√π; large: ±1).</summary>
    public static readonly Gen<Smooth> ErfArgument = Case(Gen.OneOf(EngineGen.Uniform(-3, 3), EngineGen.WideValue));

    /// <summary>Multiples of 1/4 in [−5, 5] (integers, and halves with odd and even neighbours: round's ties), and
    /// random values in [−50, 50].</summary>
    public static readonly Gen<Smooth> Grid = Case(Gen.OneOf(Gen.Choose(-20, 20).Select(k => k / 4.0), EngineGen.Uniform(-50, 50)));

    /// <summary>Values at least 0.05 from any integer: the roundings are constant around them, so central differences
    /// see their zero gradient.</summary>
    public static readonly Gen<Smooth> OffGrid = Case(
        from k in Gen.Choose(-6, 6) from f in EngineGen.Uniform(0.05, 0.95) select k + f);
}

/// <summary>
/// sin, cos, rsqrt and erf against .NET's double functions (erf: the decimal series of the tests) with no absolute
/// slack, on wide arguments; their gradients against central differences; floor, ceil, round and trunc against plain
/// loops (round's ties to even written out), with an exactly zero gradient. float32 against float64, in ulps.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class MathProperties
{
    private static void Values(string op, Spec x, Func<Tensor, Tensor> f, Func<double, double> reference, double rtol) =>
        Expect.Close(f(x.Tensor()), Nd.Of(x).Map(reference), atol: 0, rtol: rtol, what: op);

    [FsCheck.NUnit.Property]
    public Property Sin() => Prop.ForAll(MathGen.Trig.ToArbitrary(), c =>
    {
        Values("sin", c.X, t => t.Sin(), Math.Sin, rtol: 1e-15);
        Expect.Grad("sin", xs => xs[0].Sin(), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Cos() => Prop.ForAll(MathGen.Trig.ToArbitrary(), c =>
    {
        Values("cos", c.X, t => t.Cos(), Math.Cos, rtol: 1e-15);
        Expect.Grad("cos", xs => xs[0].Cos(), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Rsqrt() => Prop.ForAll(MathGen.PositiveWide.ToArbitrary(), c =>
        Values("rsqrt", c.X, t => t.Rsqrt(), v => 1 / Math.Sqrt(v), rtol: 2.3e-16));

    [FsCheck.NUnit.Property]
    public void RsqrtGradient(Positive c) => Expect.Grad("rsqrt", xs => xs[0].Rsqrt(), c.Seed, c.X.Tensor());

    [FsCheck.NUnit.Property]
    public Property Erf() => Prop.ForAll(MathGen.ErfArgument.ToArbitrary(), c =>
    {
        Values("erf", c.X, t => t.Erf(), ErfReference.Erf, rtol: 4e-15);
        Expect.Grad("erf", xs => xs[0].Erf(), c.Seed, c.X.Tensor());
    });

    private static double Floor(double v) => Math.Floor(v);
    private static double Ceil(double v) => -Math.Floor(-v);
    private static double Trunc(double v) => v < 0 ? Ceil(v) : Floor(v);

    /// <summary>The nearest integer; at a tie (fraction exactly ½) the even one of the two; a zero keeps v's sign.</summary>
    private static double RoundHalfEven(double v)
    {
        double r = Math.Floor(v), d = v - r;
        return Math.CopySign(d < 0.5 ? r : d > 0.5 ? r + 1 : r % 2 == 0 ? r : r + 1, v);   // round(−0.4) = −0
    }

    private static readonly (string Op, Func<Tensor, Tensor> F, Func<double, double> Reference)[] Roundings =
    [
        ("floor", t => t.Floor(), Floor), ("ceil", t => t.Ceil(), Ceil), ("round", t => t.Round(), RoundHalfEven),
        ("trunc", t => t.Trunc(), Trunc),
    ];

    [FsCheck.NUnit.Property]
    public Property RoundingValues() => Prop.ForAll(MathGen.Grid.ToArbitrary(), c =>
    {
        foreach (var (op, f, reference) in Roundings)
        {
            Values(op, c.X, f, reference, rtol: 0);
            Values(op + " float32", c.X, t => f(t.To(DType.Float32)), v => reference((float)v), rtol: 0);
            // PyTorch's backward is zeros_like(grad), even where x is an integer or a tie.
            var x = c.X.Tensor();
            x.RequiresGrad = true;
            (f(x) * 3.0).Sum().Backward();
            Expect.Exact(x.Grad!, new Nd(c.X.Shape, new double[c.X.Numel]), op + " gradient");
        }
    });

    [FsCheck.NUnit.Property]
    public Property RoundingGradients() => Prop.ForAll(MathGen.OffGrid.ToArbitrary(), c =>
    {
        foreach (var (op, f, _) in Roundings) Expect.Grad(op, xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    /// <summary>The float32 kernels against the double functions at the float32 inputs, in units in the last place of
    /// the float32 result: sin and cos on [−1e4, 1e4] and at 1e5..1e6 (an exact argument reduction is within an ulp),
    /// rsqrt (two roundings), erf (GELU's SIMD erf, ≤ 2.5 ulp, and its scalar tail), the roundings exact.</summary>
    [Test]
    public void Float32IsWithinUlpsOfFloat64()
    {
        var rng = new Random(12345);
        float[] Draw(int n, Func<double> v) => Enumerable.Range(0, n).Select(_ => (float)v()).ToArray();
        var wide = Draw(20011, () => (rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.NextDouble() * 12 - 6));
        var large = Draw(4001, () => (rng.NextDouble() * 2 - 1) * 1e4).Concat(Draw(2001, () => rng.NextDouble() * 1e6)).ToArray();
        var positive = Draw(20011, () => Math.Pow(10, rng.NextDouble() * 20 - 10));
        (string Op, float[] X, Func<Tensor, Tensor> F, Func<double, double> Reference, double MaxUlps)[] checks =
        [
            ("sin", wide, t => t.Sin(), Math.Sin, 1), ("sin large", large, t => t.Sin(), Math.Sin, 1),
            ("cos", wide, t => t.Cos(), Math.Cos, 1), ("cos large", large, t => t.Cos(), Math.Cos, 1),
            ("rsqrt", positive, t => t.Rsqrt(), v => 1 / Math.Sqrt(v), 1.5),
            ("erf", wide, t => t.Erf(), ErfReference.Erf, 2.5),
            ("floor", wide, t => t.Floor(), Math.Floor, 0), ("round", wide, t => t.Round(), RoundHalfEven, 0),
        ];
        foreach (var (op, xs, f, reference, maxUlps) in checks)
        {
            var y = f(Tensor.FromArray(xs)).ToArray<float>();
            double worst = 0, at = 0;
            for (int i = 0; i < xs.Length; i++)
            {
                double e = reference(xs[i]), ulp = Ulp((float)e), err = Math.Abs(y[i] - e) / ulp;
                if (err > worst) (worst, at) = (err, xs[i]);
            }
            TestContext.Out.WriteLine($"{op}: float32 worst {worst:F3} ulp (at x = {at:R}) over {xs.Length} values");
            Assert.That(worst, Is.LessThanOrEqualTo(maxUlps), $"{op} float32 at x = {at:R}");
        }
    }

    /// <summary>The spacing of floats at |v| (the smallest subnormal's at 0).</summary>
    private static double Ulp(float v) => Math.Abs(v) < float.Epsilon ? float.Epsilon : MathF.BitIncrement(Math.Abs(v)) - (double)Math.Abs(v);

    /// <summary>Infinities, NaN, ±0 and negative arguments: as the double functions (rsqrt(−0) = −∞, rsqrt(−1) = NaN,
    /// sin(∞) = NaN, erf(±∞) = ±1), in both dtypes.</summary>
    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void EdgeArgumentsAsTheDoubleFunctions(DType dtype)
    {
        double[] x = [double.PositiveInfinity, double.NegativeInfinity, double.NaN, 0.0, -0.0, -1, 2.5, -2.5, 0.5, -0.5, 1e30];
        var t = Tensor.FromArray(x).To(dtype);
        (string Op, Tensor Y, Func<double, double> Reference)[] checks =
        [
            ("sin", t.Sin(), Math.Sin), ("cos", t.Cos(), Math.Cos), ("rsqrt", t.Rsqrt(), v => 1 / Math.Sqrt(v)),
            ("erf", t.Erf(), v => double.IsNaN(v) || v == 0 ? v : double.IsInfinity(v) ? Math.Sign(v) : ErfReference.Erf(v)),
            ("floor", t.Floor(), Floor), ("ceil", t.Ceil(), Ceil), ("round", t.Round(), RoundHalfEven), ("trunc", t.Trunc(), Trunc),
        ];
        foreach (var (op, y, reference) in checks)
        {
            var v = y.ToArray<double>();
            for (int i = 0; i < x.Length; i++)
            {
                double e = dtype == DType.Float32 ? (float)reference((float)x[i]) : reference(x[i]);
                bool ok = double.IsNaN(e) ? double.IsNaN(v[i]) : double.IsInfinity(e) ? v[i] == e : e == 0 ? v[i] == 0 && double.IsNegative(v[i]) == double.IsNegative(e)
                    : Math.Abs(v[i] - e) <= 2.5 * Math.Abs(e) * (dtype == DType.Float32 ? 6e-8 : 1.2e-16);
                Assert.That(ok, $"{op} {dtype} of {x[i]:R}: got {v[i]:R}, expected {e:R}");
            }
        }
    }

    /// <summary>int32 as PyTorch: the roundings keep int32 (and the values), sin/cos/rsqrt/erf give float32.</summary>
    [Test]
    public void IntegersAsPyTorch()
    {
        var i = Tensor.FromArray([-3, 0, 7]);
        foreach (var (op, f, _) in Roundings)
        {
            var y = f(i);
            Assert.That(y.DType, Is.EqualTo(DType.Int32), op);
            Assert.That(y.ToArray<int>(), Is.EqualTo(new[] { -3, 0, 7 }), op);
        }
        Assert.That(i.Sin().DType, Is.EqualTo(DType.Float32));
        Assert.That(i.Erf().ToArray<float>(), Is.EqualTo(new[] { -3f, 0f, 7f }.Select(v => (float)ErfReference.Erf(v)).ToArray()).Within(1e-7));
        Assert.That(i.Rsqrt().DType, Is.EqualTo(DType.Float32));
        Assert.That(i.Cos().DType, Is.EqualTo(DType.Float32));
    }
}
