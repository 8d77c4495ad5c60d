using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;
using Pade.Tests.Activations;

namespace Pade.Tests.Engine;

/// <summary>Values for tan .. logit inside each function's domain (with a margin for central differences), on shapes
/// with empty and size-1 dims.</summary>
public static class MoreMathGen
{
    private static Gen<Smooth> Case(Gen<double> value) =>
        from s in StatisticsGen.Shape from x in EngineGen.Values(s, value) from seed in EngineGen.Seed select new Smooth(x, seed);

    public static Gen<Smooth> In(double lo, double hi) => Case(EngineGen.Uniform(lo, hi));

    /// <summary>Left of 0 between two poles (k + [0.1, 0.9] for k in −4..−1), and right of 0 from 0.05.</summary>
    public static readonly Gen<Smooth> Gamma = Case(Gen.OneOf(
        from k in Gen.Choose(-4, -1) from f in EngineGen.Uniform(0.1, 0.9) select k + f,
        EngineGen.Uniform(0.05, 3), EngineGen.Uniform(3, 40)));
}

/// <summary>Independent float64 references: ln Γ and ψ from Stirling's series at x + 16 and the recurrence (the
/// reflection formulas left of 0), erfinv by bisection on the tests' decimal erf.</summary>
public static class GammaReference
{
    public static double Lgamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - Lgamma(1 - x);
        // ln Γ(x) = ln Γ(x + n) − ln(x(x+1)···(x+n−1)); the product is at most ~1e40 for x ≤ 40.
        double prod = 1, z = x;
        for (int k = 0; k < 16; k++) { prod *= z; z += 1; }
        double iz = 1 / z, iz2 = iz * iz;
        double stirling = (z - 0.5) * Math.Log(z) - z + 0.5 * Math.Log(2 * Math.PI)
            + iz * (1.0 / 12 - iz2 * (1.0 / 360 - iz2 * (1.0 / 1260 - iz2 * (1.0 / 1680))));
        return stirling - Math.Log(prod);
    }

    public static double Digamma(double x)
    {
        if (x < 0.5) return Digamma(1 - x) - Math.PI / Math.Tan(Math.PI * x);
        double sum = 0, z = x;
        for (int k = 0; k < 16; k++) { sum += 1 / z; z += 1; }
        double iz2 = 1 / (z * z);
        return Math.Log(z) - 0.5 / z - iz2 * (1.0 / 12 - iz2 * (1.0 / 120 - iz2 * (1.0 / 252 - iz2 * (1.0 / 240)))) - sum;
    }

    public static double Erfinv(double y)
    {
        if (Math.Abs(y) >= 1) return Math.Abs(y) == 1 ? double.CopySign(double.PositiveInfinity, y) : double.NaN;
        double lo = -6, hi = 6;
        for (int i = 0; i < 80 && lo < hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid == lo || mid == hi) break;
            if (ErfReference.Erf(mid) < y) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}

/// <summary>
/// tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, log2, log10, exp2, erfc, erfinv, lgamma, digamma, frac,
/// sinc and logit against float64 loops of their definitions (System.Math, the references above), their gradients
/// against central differences (digamma's is trigamma), and PyTorch's values at the special points.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 40)]
public class MoreMathProperties
{
    private static void Check(string op, Smooth c, Func<Tensor, Tensor> f, Func<double, double> reference, double rtol = 1e-14, double atol = 1e-15, bool grad = true)
    {
        Expect.Close(f(c.X.Tensor()), Nd.Of(c.X).Map(reference), atol: atol, rtol: rtol, what: op);
        if (grad) Expect.Grad(op, xs => f(xs[0]), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public Property Trigonometric() => Prop.ForAll(MoreMathGen.In(-0.9, 0.9).ToArbitrary(), c =>
    {
        Check("tan", c, t => t.Tan(), Math.Tan);
        Check("asin", c, t => t.Asin(), Math.Asin);
        Check("acos", c, t => t.Acos(), Math.Acos);
        Check("atanh", c, t => t.Atanh(), v => 0.5 * Math.Log((1 + v) / (1 - v)), rtol: 1e-13);
    });

    [FsCheck.NUnit.Property]
    public Property Hyperbolic() => Prop.ForAll(MoreMathGen.In(-5, 5).ToArbitrary(), c =>
    {
        Check("atan", c, t => t.Atan(), Math.Atan);
        Check("sinh", c, t => t.Sinh(), v => (Math.Exp(v) - Math.Exp(-v)) / 2, rtol: 1e-13, atol: 1e-14);
        Check("cosh", c, t => t.Cosh(), v => (Math.Exp(v) + Math.Exp(-v)) / 2, rtol: 1e-14);
        Check("asinh", c, t => t.Asinh(), v => Math.Sign(v) * Math.Log(Math.Abs(v) + Math.Sqrt(v * v + 1)), rtol: 1e-13, atol: 1e-15);
        Check("exp2", c, t => t.Exp2(), v => Math.Pow(2, v));
        Check("frac", c, t => t.Frac(), v => v - Math.Truncate(v), rtol: 0, atol: 0);
        Check("sinc", c, t => t.Sinc(), v => v == 0 ? 1 : Math.Sin(Math.PI * v) / (Math.PI * v));
    });

    [FsCheck.NUnit.Property]
    public Property Logarithms() => Prop.ForAll(MoreMathGen.In(1.1, 50).ToArbitrary(), c =>
    {
        Check("acosh", c, t => t.Acosh(), v => Math.Log(v + Math.Sqrt(v * v - 1)), rtol: 1e-13);
        Check("log2", c, t => t.Log2(), v => Math.Log(v) / Math.Log(2), rtol: 1e-15);
        Check("log10", c, t => t.Log10(), v => Math.Log(v) / Math.Log(10), rtol: 1e-15);
    });

    [FsCheck.NUnit.Property]
    public Property ErrorFunctions() => Prop.ForAll(MoreMathGen.In(-0.95, 0.95).ToArbitrary(), c =>
    {
        Check("erfc", c, t => t.Erfc(), v => 1 - ErfReference.Erf(v), rtol: 1e-14, atol: 1e-15);
        Check("erfinv", c, t => t.Erfinv(), GammaReference.Erfinv, rtol: 1e-14, atol: 1e-15);
    });

    [FsCheck.NUnit.Property]
    public Property Gamma() => Prop.ForAll(MoreMathGen.Gamma.ToArbitrary(), c =>
    {
        // Near their zeros (lgamma at 1 and 2, digamma at 1.46) the values cancel to ~1e-15 absolute.
        // The reference's ln of a 16-factor product (up to ~60) costs it ~1e-14 absolute.
        Check("lgamma", c, t => t.Lgamma(), GammaReference.Lgamma, rtol: 1e-13, atol: 5e-14);
        Check("digamma", c, t => t.Digamma(), GammaReference.Digamma, rtol: 1e-13, atol: 5e-14);
    });

    [FsCheck.NUnit.Property]
    public Property Logit() => Prop.ForAll(MoreMathGen.In(-0.5, 1.5).ToArbitrary(), c =>
    {
        // Without eps: NaN outside [0, 1], its gradient too; values checked on all, gradients inside (0.05, 0.95).
        Check("logit", c, t => t.Logit(), v => Math.Log(v / (1 - v)), rtol: 1e-13, grad: false);
        Check("logit eps 0.1", c, t => t.Logit(0.1), v => { v = Math.Clamp(v, 0.1, 0.9); return Math.Log(v / (1 - v)); }, rtol: 1e-13, grad: false);
        var inside = c with { X = c.X with { Values = c.X.Values.Select(v => 0.05 + 0.45 * (v + 0.5)).ToArray() } };
        Check("logit", inside, t => t.Logit(), v => Math.Log(v / (1 - v)), rtol: 1e-13);
        var x = c.X.Tensor();
        x.RequiresGrad = true;
        x.Logit(0.1).Sum().Backward();
        Expect.Close(x.Grad!, Nd.Of(c.X).Map(v => v < 0.1 || v > 0.9 ? 0 : 1 / (v * (1 - v))), rtol: 1e-14, what: "logit eps 0.1 gradient");
    });

    /// <summary>PyTorch's values at the special points, in float64 and float32.</summary>
    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void SpecialPointsAsPyTorch(DType dtype)
    {
        double inf = double.PositiveInfinity, nan = double.NaN;
        (string Op, Func<Tensor, Tensor> F, double[] X, double[] Expected)[] checks =
        [
            ("digamma", t => t.Digamma(), [0.0, -0.0, -1, -2, 1, double.NegativeInfinity, inf], [-inf, inf, nan, nan, -0.5772156649015329, nan, inf]),
            ("lgamma", t => t.Lgamma(), [0.0, -1, -2, 1, 2, inf, double.NegativeInfinity, 0.5], [inf, inf, inf, 0, 0, inf, inf, 0.5723649429247001]),
            ("erfinv", t => t.Erfinv(), [1, -1, 1.5, 0, -0.0], [inf, -inf, nan, 0, -0.0]),
            ("logit", t => t.Logit(), [0, 1, -0.5], [-inf, inf, nan]),
            ("logit eps 0.25", t => t.Logit(0.25), [0, 1, 0.1], [-Math.Log(3), Math.Log(3), -Math.Log(3)]),
            ("sinc", t => t.Sinc(), [0, 0.5, -0.5], [1, 2 / Math.PI, 2 / Math.PI]),
            ("acosh", t => t.Acosh(), [1, 0.5], [0, nan]),
            ("atanh", t => t.Atanh(), [1, -1, 2], [inf, -inf, nan]),
            ("frac", t => t.Frac(), [-2.5, inf], [-0.5, nan]),
            ("log2", t => t.Log2(), [0, 8, -1], [-inf, 3, nan]),
            ("exp2", t => t.Exp2(), [10, double.NegativeInfinity], [1024, 0]),
            ("erfc", t => t.Erfc(), [double.NegativeInfinity, 0, 10], [2, 1, 2.088487583762545e-45]),
        ];
        double tol = dtype == DType.Float32 ? 1e-6 : 1e-15;
        foreach (var (op, f, x, expected) in checks)
        {
            var y = f(Tensor.FromArray(x).To(dtype)).ToArray<double>();
            for (int i = 0; i < x.Length; i++)
            {
                double e = dtype == DType.Float32 ? (float)expected[i] : expected[i];
                bool ok = Expect.Near(y[i], e, tol * Math.Abs(e) + (dtype == DType.Float32 ? 1e-7 : 1e-16)) && (e != 0 || double.IsNegative(e) == double.IsNegative(y[i]));
                Assert.That(ok, $"{op} {dtype} of {x[i]:R}: got {y[i]:R}, expected {e:R}");
            }
        }
    }

    /// <summary>lgamma against mpmath's log|Γ| at 30 digits, near its zeros (where CPython's math.lgamma, a Lanczos
    /// sum, is off by 7e-9 relatively) and far out.</summary>
    [TestCase(1.0000001, -5.7721558299185071e-8)]
    [TestCase(2.0000001, 4.2278436665324979e-8)]
    [TestCase(0.001, 6.9071788853838537)]
    [TestCase(-0.5, 1.2655121234846454)]
    [TestCase(-2.5, -0.056243716497674051)]
    [TestCase(100, 359.1342053695754)]
    [TestCase(-50.5, -149.29649894115254)]
    [TestCase(1e10, 220258509288.81058)]
    public void LgammaAsTheCLibrary(double x, double expected) =>
        Assert.That(Tensor.FromArray([x]).Lgamma().ToArray<double>()[0], Is.EqualTo(expected).Within(1e-14 * Math.Abs(expected)));

    /// <summary>float32 kernels against the double functions at the float32 inputs, in float32 ulps.</summary>
    [Test]
    public void Float32IsWithinUlpsOfFloat64()   // the C library's float functions: up to 1.31 ulp measured (sinh)
    {
        var rng = new Random(2024);
        float[] Draw(double lo, double hi) => Enumerable.Range(0, 5001).Select(_ => (float)(lo + (hi - lo) * rng.NextDouble())).ToArray();
        (string Op, float[] X, Func<Tensor, Tensor> F, double MaxUlps)[] checks =
        [
            ("tan", Draw(-1.5, 1.5), t => t.Tan(), 2), ("asin", Draw(-1, 1), t => t.Asin(), 2), ("acos", Draw(-1, 1), t => t.Acos(), 2),
            ("atan", Draw(-20, 20), t => t.Atan(), 2), ("sinh", Draw(-10, 10), t => t.Sinh(), 2), ("cosh", Draw(-10, 10), t => t.Cosh(), 2),
            ("asinh", Draw(-20, 20), t => t.Asinh(), 2), ("acosh", Draw(1, 20), t => t.Acosh(), 2), ("atanh", Draw(-1, 1), t => t.Atanh(), 2),
            ("log2", Draw(0, 100), t => t.Log2(), 2), ("log10", Draw(0, 100), t => t.Log10(), 2), ("exp2", Draw(-20, 20), t => t.Exp2(), 2),
            ("erfc", Draw(-3, 9), t => t.Erfc(), 1), ("erfinv", Draw(-1, 1), t => t.Erfinv(), 1), ("lgamma", Draw(0, 30), t => t.Lgamma(), 1),
            ("digamma", Draw(0, 30), t => t.Digamma(), 1),
        ];
        // sinc rounds πx in float32 and logit rounds 1 − x and x/(1 − x), as PyTorch's kernels: near their zeros
        // (sinc's integers, logit's ½) that is an absolute error of a few float32 epsilons, not a relative one.
        foreach (var (op, xs, f) in new (string, float[], Func<Tensor, Tensor>)[] { ("sinc", Draw(-5, 5), t => t.Sinc()), ("logit", Draw(0.01f, 0.99f), t => t.Logit()) })
        {
            var yf = f(Tensor.FromArray(xs)).ToArray<float>();
            var yd = f(Tensor.FromArray(xs).To(DType.Float64)).ToArray<double>();
            Assert.That(yf.Zip(yd, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max(), Is.LessThan(4 * 1.2e-7), op + " float32");
        }
        foreach (var (op, xs, f, maxUlps) in checks)
        {
            var y = f(Tensor.FromArray(xs)).ToArray<float>();
            var e = f(Tensor.FromArray(xs).To(DType.Float64)).ToArray<double>();
            double worst = 0, at = 0;
            for (int i = 0; i < xs.Length; i++)
            {
                if (double.IsInfinity(e[i]) || Math.Abs(e[i]) > float.MaxValue) continue;
                float v = (float)e[i];
                double ulp = Math.Abs(v) < float.Epsilon ? float.Epsilon : MathF.BitIncrement(Math.Abs(v)) - (double)Math.Abs(v);
                double err = Math.Abs(y[i] - e[i]) / ulp;
                if (err > worst) (worst, at) = (err, xs[i]);
            }
            TestContext.Out.WriteLine($"{op}: float32 worst {worst:F3} ulp (at x = {at:R})");
            Assert.That(worst, Is.LessThanOrEqualTo(maxUlps), $"{op} float32 at x = {at:R}");
        }
    }

    /// <summary>int32 gives float32, as PyTorch's; frac asks for a floating tensor (PyTorch has no integer frac).</summary>
    [Test]
    public void IntegersGiveFloat32()
    {
        var i = Tensor.FromArray([1, 2, 3]);
        foreach (var y in new[] { i.Tan(), i.Log2(), i.Lgamma(), i.Digamma(), i.Sinc(), i.Deg2rad(), i.Exp2() })
            Assert.That(y.DType, Is.EqualTo(DType.Float32));
        Assert.That(i.Log2().ToArray<float>(), Is.EqualTo(new[] { 0f, 1f, (float)Math.Log2(3) }));
        Assert.That(() => i.Frac(), Throws.ArgumentException.With.Message.Contains("frac"));
    }

    [Test]
    public void CompositionsAsPyTorch()
    {
        var x = Tensor.FromArray([-180.0, 90, 0, 45]);
        Assert.That(x.Deg2rad().ToArray<double>(), Is.EqualTo(new[] { -Math.PI, Math.PI / 2, 0, Math.PI / 4 }).Within(1e-15));
        Assert.That(x.Deg2rad().Rad2deg().ToArray<double>(), Is.EqualTo(x.ToArray<double>()).Within(1e-13));
        Assert.That(x.Positive(), Is.SameAs(x));
        Assert.That(x.Sgn().ToArray<double>(), Is.EqualTo(new[] { -1.0, 1, 0, 1 }));
    }

    /// <summary>digamma's gradient is trigamma (torch.polygamma(1, x)): ψ'(2.5) = π²/2 − 4 − 4/9, ψ'(1) = π²/6, and
    /// left of 0 by the reflection ψ'(−0.5) = π² − ψ'(1.5) = π²/2 + 4.</summary>
    [Test]
    public void DigammaGradientIsTrigamma()
    {
        var x = Tensor.FromArray([2.5, 1, -0.5]);
        x.RequiresGrad = true;
        x.Digamma().Sum().Backward();
        // PyTorch's calc_trigamma stops its series early: ~1e-9 relative.
        var expected = new[] { 0.4903577561002346, Math.PI * Math.PI / 6, Math.PI * Math.PI / 2 + 4 };
        var g = x.Grad!.ToArray<double>();
        for (int i = 0; i < 3; i++) Assert.That(g[i], Is.EqualTo(expected[i]).Within(1e-9 * expected[i]), $"trigamma({x.ToArray<double>()[i]})");
    }
}
