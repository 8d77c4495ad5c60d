using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// One property per elementwise op: the forward matches a plain-loop reference, and GradCheck (float64 central
/// differences, random upstream gradient from the case's seed) accepts the backward, on random shapes.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class ElementwiseProperties
{
    private static void Binary(string op, Spec a, Spec b, ulong seed, Func<Tensor, Tensor, Tensor> f, Func<double, double, double> reference)
    {
        Expect.Close(f(a.Tensor(), b.Tensor()), Nd.Zip(Nd.Of(a), Nd.Of(b), reference), what: op);
        Expect.Grad(op, xs => f(xs[0], xs[1]), seed, a.Tensor(), b.Tensor());
    }

    private static void Unary(string op, Spec x, ulong seed, Func<Tensor, Tensor> f, Func<double, double> reference, double rtol = 1e-12, double atol = 1e-12)
    {
        Expect.Close(f(x.Tensor()), Nd.Of(x).Map(reference), atol: atol, rtol: rtol, what: op);
        Expect.Grad(op, xs => f(xs[0]), seed, x.Tensor());
    }

    [FsCheck.NUnit.Property] public void Add(BroadcastPair p) => Binary("add", p.A, p.B, p.Seed, (a, b) => a + b, (a, b) => a + b);
    [FsCheck.NUnit.Property] public void Sub(BroadcastPair p) => Binary("sub", p.A, p.B, p.Seed, (a, b) => a - b, (a, b) => a - b);
    [FsCheck.NUnit.Property] public void Mul(BroadcastPair p) => Binary("mul", p.A, p.B, p.Seed, (a, b) => a * b, (a, b) => a * b);
    [FsCheck.NUnit.Property] public void Div(DivisionPair p) => Binary("div", p.A, p.B, p.Seed, (a, b) => a / b, (a, b) => a / b);
    [FsCheck.NUnit.Property] public void Maximum(DistinctPair p) => Binary("maximum", p.A, p.B, p.Seed, Tensor.Maximum, Math.Max);
    [FsCheck.NUnit.Property] public void Minimum(DistinctPair p) => Binary("minimum", p.A, p.B, p.Seed, Tensor.Minimum, Math.Min);

    [FsCheck.NUnit.Property]
    public void Where(WhereCase c)
    {
        var mask = Nd.Of(c.Mask);
        var expected = Nd.Build(Nd.BroadcastShape(c.Mask.Shape, c.A.Shape, c.B.Shape),
            i => mask.At(i) != 0 ? Nd.Of(c.A).At(i) : Nd.Of(c.B).At(i));
        Expect.Close(Tensor.Where(c.Mask.Tensor(), c.A.Tensor(), c.B.Tensor()), expected, what: "where");
        Expect.Grad("where", xs => Tensor.Where(c.Mask.Tensor(), xs[0], xs[1]), c.Seed, c.A.Tensor(), c.B.Tensor());
    }

    [FsCheck.NUnit.Property] public void Neg(Smooth c) => Unary("neg", c.X, c.Seed, x => -x, x => -x);
    [FsCheck.NUnit.Property] public void Exp(Smooth c) => Unary("exp", c.X, c.Seed, x => x.Exp(), Math.Exp, rtol: 1e-14);
    [FsCheck.NUnit.Property] public void Log(Positive c) => Unary("log", c.X, c.Seed, x => x.Log(), Math.Log, rtol: 1e-14);

    /// <summary>log1p and expm1 on ±10^e, e in [−8, 1] (log1p: above −1), where log(1 + x) and eˣ − 1 lose the digits
    /// of a small x; the reference is their Taylor series there (|x| &lt; 10⁻³, terms to x⁷) and the plain formula above.</summary>
    [FsCheck.NUnit.Property]
    public void Log1p(Wide c)
    {
        var x = new Spec(c.X.Shape, c.X.Values.Select(v => v < -0.5 ? -0.5 * Math.Abs(v) / (1 + Math.Abs(v)) - 0.3 : v).ToArray());
        Unary("log1p", x, c.Seed, t => t.Log1p(), v => Math.Abs(v) < 0.1 ? Series(v, k => (k % 2 == 1 ? 1.0 : -1.0) / k) : Math.Log(1 + v), rtol: 1e-13, atol: 0);
    }

    [FsCheck.NUnit.Property]
    public void Expm1(Wide c) =>
        Unary("expm1", c.X, c.Seed, t => t.Expm1(), v => Math.Abs(v) < 0.1 ? Series(v, k => 1.0 / Factorial(k)) : Math.Exp(v) - 1, rtol: 1e-13, atol: 0);

    /// <summary>The Taylor series to 20 terms, the references below |v| = 0.1: there exp(v) − 1 and log(1 + v) in
    /// double lose up to half an ulp of 1 to cancellation, 1.1e-13 relative at |v| = 1e-3 (a border of 1e-3 made the
    /// references, not Pade, fail the 1e-13 tolerance); at 0.1 the series' remainder is below 1e-17 relative.</summary>
    private static double Series(double v, Func<int, double> coefficient) =>
        Enumerable.Range(1, 20).Sum(k => coefficient(k) * Math.Pow(v, k));

    private static double Factorial(int k) => Enumerable.Range(1, k).Aggregate(1.0, (a, b) => a * b);

    [Test]
    public void Log1pAndExpm1AtTheirEdges()
    {
        var x = Tensor.FromArray(new double[] { -1, 1e-300, -1e-300, double.PositiveInfinity, -2, double.NaN });
        Assert.That(x.Log1p().ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity, 1e-300, -1e-300, double.PositiveInfinity, double.NaN, double.NaN }));
        var z = Tensor.FromArray(new double[] { -800, 1e-300, 800, double.NegativeInfinity, double.NaN, 0 });
        Assert.That(z.Expm1().ToArray<double>(), Is.EqualTo(new[] { -1, 1e-300, double.PositiveInfinity, -1, double.NaN, 0 }));
    }
    [FsCheck.NUnit.Property] public void Sqrt(Positive c) => Unary("sqrt", c.X, c.Seed, x => x.Sqrt(), Math.Sqrt);
    [FsCheck.NUnit.Property] public void Abs(NonZero c) => Unary("abs", c.X, c.Seed, x => x.Abs(), Math.Abs);
    [FsCheck.NUnit.Property] public void Square(Smooth c) => Unary("square", c.X, c.Seed, x => x.Square(), x => x * x);
    [FsCheck.NUnit.Property] public void Reciprocal(Positive c) => Unary("reciprocal", c.X, c.Seed, x => x.Reciprocal(), x => 1 / x);
    [FsCheck.NUnit.Property] public void AddScalar(Smooth c) => Unary("add_scalar", c.X, c.Seed, x => x + 0.75, x => x + 0.75);
    [FsCheck.NUnit.Property] public void MulScalar(Smooth c) => Unary("mul_scalar", c.X, c.Seed, x => x * -1.25, x => x * -1.25);
    [FsCheck.NUnit.Property] public void ScalarMinusTensor(Smooth c) => Unary("rsub_scalar", c.X, c.Seed, x => 2.0 - x, x => 2 - x);
    [FsCheck.NUnit.Property] public void ScalarOverTensor(Positive c) => Unary("rdiv_scalar", c.X, c.Seed, x => 3.0 / x, x => 3 / x, rtol: 1e-15);
    [FsCheck.NUnit.Property] public void Sigmoid(Smooth c) => Unary("sigmoid", c.X, c.Seed, x => x.Sigmoid(), x => 1 / (1 + Math.Exp(-x)), rtol: 1e-14);
    [FsCheck.NUnit.Property] public void Tanh(Smooth c) => Unary("tanh", c.X, c.Seed, x => x.Tanh(), Math.Tanh, rtol: 1e-13);
    [FsCheck.NUnit.Property] public void Relu(NonZero c) => Unary("relu", c.X, c.Seed, x => x.Relu(), x => Math.Max(0, x));

    [FsCheck.NUnit.Property]
    public void Pow(PowCase c) => Unary($"pow {c.P}", c.X, c.Seed, x => x.Pow(c.P), x => Math.Pow(x, c.P), rtol: 1e-14);

    [FsCheck.NUnit.Property]
    public void Clamp(ClampCase c) => Unary($"clamp [{c.Lo}, {c.Hi}]", c.X, c.Seed, x => x.Clamp(c.Lo, c.Hi), x => Math.Min(Math.Max(x, c.Lo), c.Hi));

    /// <summary>At the bounds themselves the gradient is PyTorch's subgradient 1 (central differences cannot see it:
    /// the kink is there); outside it is 0, and with min &gt; max it is 0 everywhere while every value is max.</summary>
    [Test]
    public void ClampPassesTheGradientAtItsBoundsAsPyTorch()
    {
        var x = Tensor.FromArray(new double[] { -1, 2, 0.5, -3, 4 });
        x.RequiresGrad = true;
        x.Clamp(-1, 2).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 1, 1, 0, 0 }));
        var z = Tensor.FromArray(new double[] { -1, 2, 0.5, -3, 4 });
        z.RequiresGrad = true;
        var y = z.Clamp(2, -1);
        Assert.That(y.ToArray<double>(), Is.All.EqualTo(-1.0), "min > max: every element is max");
        y.Sum().Backward();
        Assert.That(z.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    /// <summary>sign is piecewise constant: values from the reference, and a gradient that is exactly zero
    /// (GradCheck agrees: the finite differences of a step function away from its step are 0).</summary>
    [FsCheck.NUnit.Property]
    public void Sign(NonZero c)
    {
        Unary("sign", c.X, c.Seed, x => x.Sign(), x => Math.Sign(x));
        var x = c.X.Tensor();
        x.RequiresGrad = true;
        (x.Sign() * 3.0).Sum().Backward();
        Expect.Exact(x.Grad!, new Nd(c.X.Shape, new double[c.X.Numel]), "sign gradient");
    }

    /// <summary>float64 → float32 → float64 is the identity up to float32 rounding; its gradient is 1 and comes back
    /// in the leaf's dtype. A larger step keeps float32 rounding out of the central difference.</summary>
    [FsCheck.NUnit.Property]
    public void ToDType(Smooth c)
    {
        Expect.Close(c.X.Tensor().To(DType.Float32).To(DType.Float64), Nd.Of(c.X).Map(v => (float)v), what: "to_dtype");
        GradCheck.Assert("to_dtype", xs => xs[0].To(DType.Float32).To(DType.Float64) * 2.0, [c.X.Tensor()],
            new GradCheckOptions(Eps: 1e-2, Atol: 1e-4, Seed: c.Seed));
        var x32 = c.X.Tensor().To(DType.Float32);
        x32.RequiresGrad = true;
        (x32.To(DType.Float64) * 2.0).Sum().Backward();
        NUnit.Framework.Assert.That(x32.Grad!.DType, NUnit.Framework.Is.EqualTo(DType.Float32));
        Expect.Exact(x32.Grad, new Nd(c.X.Shape, Enumerable.Repeat(2.0, c.X.Numel).ToArray()), "to_dtype gradient");
    }

    /// <summary>A NaN stays NaN through relu, maximum and minimum (either operand), as in PyTorch, in the vector body
    /// and in the scalar tail (37 elements: two vectors of float32 and a tail of 5).</summary>
    [NUnit.Framework.TestCase(DType.Float32)]
    [NUnit.Framework.TestCase(DType.Float64)]
    public void NaNPropagatesThroughReluMaximumAndMinimum(DType dtype)
    {
        const int n = 37;
        var a = Tensor.FromArray(Enumerable.Range(0, n).Select(i => i % 3 == 0 ? double.NaN : i - 10.0).ToArray()).To(dtype);
        var b = Tensor.FromArray(Enumerable.Range(0, n).Select(i => i % 4 == 1 ? double.NaN : 10.0 - i).ToArray()).To(dtype);
        double[] av = a.ToArray<double>(), bv = b.ToArray<double>();
        void Check(string op, Tensor y, Func<int, double> expected)
        {
            var v = y.ToArray<double>();
            for (int i = 0; i < n; i++)
                if (!(v[i].Equals(expected(i))))
                    NUnit.Framework.Assert.Fail($"{op} {dtype} element {i}: got {v[i]}, expected {expected(i)}");
        }
        Check("relu", a.Relu(), i => double.IsNaN(av[i]) ? double.NaN : Math.Max(av[i], 0));
        Check("maximum(a, b)", Tensor.Maximum(a, b), i => Math.Max(av[i], bv[i]));
        Check("maximum(b, a)", Tensor.Maximum(b, a), i => Math.Max(av[i], bv[i]));
        Check("minimum(a, b)", Tensor.Minimum(a, b), i => Math.Min(av[i], bv[i]));
        Check("minimum(b, a)", Tensor.Minimum(b, a), i => Math.Min(av[i], bv[i]));
    }

    /// <summary>Operands of different dtypes meet in PyTorch's result type: float64 over float32, except that a
    /// dimensioned tensor's dtype wins over a 0-d tensor's; the floating one of int32 and a float. Each leaf's gradient
    /// comes back in its own dtype.</summary>
    [NUnit.Framework.Test]
    public void ArithmeticPromotesAsPyTorch()
    {
        var f32 = Tensor.FromArray([1f, -2f, 3f]);
        var f64 = Tensor.FromArray([0.5, 4.0, -1.0]);
        f32.RequiresGrad = true; f64.RequiresGrad = true;
        var y = f32 * f64 + Tensor.Maximum(f64, f32) - f32 / f64;
        NUnit.Framework.Assert.That(y.DType, NUnit.Framework.Is.EqualTo(DType.Float64));
        NUnit.Framework.Assert.That(y.ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { 0.5 - 2.0 + 1.0, -8.0 + 4.0 + 0.5, -3.0 + 3.0 + 3.0 }));
        y.Sum().Backward();
        NUnit.Framework.Assert.That(f32.Grad!.DType, NUnit.Framework.Is.EqualTo(DType.Float32));
        NUnit.Framework.Assert.That(f64.Grad!.DType, NUnit.Framework.Is.EqualTo(DType.Float64));
        // d/df32 = f64 + 1[f32 > f64] - 1/f64; d/df64 = f32 + 1[f64 > f32] + f32/f64².
        NUnit.Framework.Assert.That(f32.Grad.To(DType.Float64).ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { 0.5 + 1 - 2.0, 4.0 + 0 - 0.25, -1.0 + 1 + 1.0 }));
        NUnit.Framework.Assert.That(f64.Grad.ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { 1.0 + 0 + 4.0, -2.0 + 1 - 0.125, 3.0 + 0 + 3.0 }));

        NUnit.Framework.Assert.That((f32 + Tensor.Scalar(2.0).To(DType.Float64)).DType, NUnit.Framework.Is.EqualTo(DType.Float32), "0-d float64 with float32");
        NUnit.Framework.Assert.That((Tensor.Scalar(2f) + f64).DType, NUnit.Framework.Is.EqualTo(DType.Float64), "0-d float32 with float64");
        NUnit.Framework.Assert.That((Tensor.Scalar(2f) - Tensor.Scalar(1.0).To(DType.Float64)).DType, NUnit.Framework.Is.EqualTo(DType.Float64), "both 0-d");
        var ints = Tensor.FromArray([1, 2, 3]);
        NUnit.Framework.Assert.That((ints * f32).DType, NUnit.Framework.Is.EqualTo(DType.Float32), "int32 with float32");
        NUnit.Framework.Assert.That((f64 - ints).ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { -0.5, 2.0, -4.0 }), "float64 with int32");
        NUnit.Framework.Assert.That(Tensor.Where(f32.Gt(f64), f32, f64).ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { 1.0, 4.0, 3.0 }), "where");
        f32.ZeroGrad(); f64.ZeroGrad();
        var joined = Tensor.Concat([f32, f64]);
        NUnit.Framework.Assert.That(joined.DType, NUnit.Framework.Is.EqualTo(DType.Float64), "concat");
        (joined * Tensor.FromArray([1.0, 2, 3, 4, 5, 6])).Sum().Backward();
        NUnit.Framework.Assert.That(f32.Grad!.DType, NUnit.Framework.Is.EqualTo(DType.Float32));
        NUnit.Framework.Assert.That(f32.Grad.To(DType.Float64).ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { 1.0, 2, 3 }));
        NUnit.Framework.Assert.That(f64.Grad!.ToArray<double>(), NUnit.Framework.Is.EqualTo(new[] { 4.0, 5, 6 }));
    }
}
