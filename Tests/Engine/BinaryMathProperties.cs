using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>Broadcast pairs (shapes with empty and size-1 dims, leading dims dropped) with values drawn per operand.</summary>
public static class BinaryMathGen
{
    public static Gen<BroadcastPair> Pair(Gen<double> a, Gen<double> b) =>
        from full in StatisticsGen.Shape
        from sa in EngineGen.BroadcastableTo(full)
        from sb in EngineGen.BroadcastableTo(full)
        from x in EngineGen.Values(sa, a)
        from y in EngineGen.Values(sb, b)
        from seed in EngineGen.Seed
        select new BroadcastPair(x, y, seed);

    /// <summary>Divisors |b| in [0.25, 3] of either sign.</summary>
    public static readonly Gen<double> Divisor =
        from m in EngineGen.Uniform(0.25, 3) from negative in Gen.Elements(false, true) select negative ? -m : m;

    /// <summary>Dividend multipliers k + f, f in [0.05, 0.95]: a = (k + f)·b is never near a jump of ⌊a/b⌋.</summary>
    public static readonly Gen<double> Quotient = from k in Gen.Choose(-4, 3) from f in EngineGen.Uniform(0.05, 0.95) select k + f;

    /// <summary>Multiples of ½ in [−2, 2], zeros among them.</summary>
    public static readonly Gen<double> Halves = Gen.Choose(-4, 4).Select(k => k / 2.0);
}

/// <summary>
/// pow with a tensor exponent, atan2, hypot, remainder, fmod, floor_divide, xlogy, copysign, logaddexp, lerp and ne
/// against float64 loops of their definitions on broadcast pairs, gradients against central differences, and
/// PyTorch's values at the special points (0⁰, atan2 of signed zeros, division by zero, xlogy at 0).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 40)]
public class BinaryMathProperties
{
    private static void Check(string op, BroadcastPair p, Func<Tensor, Tensor, Tensor> f, Func<double, double, double> reference,
        double rtol = 1e-14, double atol = 1e-15, bool grad = true)
    {
        Expect.Close(f(p.A.Tensor(), p.B.Tensor()), Nd.Zip(Nd.Of(p.A), Nd.Of(p.B), reference), atol: atol, rtol: rtol, what: op);
        if (grad) Expect.Grad(op, xs => f(xs[0], xs[1]), p.Seed, p.A.Tensor(), p.B.Tensor());
    }

    [FsCheck.NUnit.Property]
    public Property Pow() => Prop.ForAll(BinaryMathGen.Pair(EngineGen.Uniform(0.2, 3), EngineGen.Uniform(-2.5, 2.5)).ToArbitrary(), p =>
    {
        Check("pow", p, (a, b) => a.Pow(b), (a, b) => Math.Exp(b * Math.Log(a)), rtol: 1e-14);
        Check("pow scalar base", p with { A = p.B, B = p.B }, (_, b) => Tensor.Pow(1.7, b), (_, b) => Math.Exp(b * Math.Log(1.7)), grad: false);
        Expect.Grad("pow scalar base", xs => Tensor.Pow(1.7, xs[0]), p.Seed, p.B.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Atan2AndHypot() => Prop.ForAll(BinaryMathGen.Pair(EngineGen.NonZeroValue, EngineGen.Uniform(-2, 2)).ToArbitrary(), p =>
    {
        // a ≠ 0 keeps atan2 off its cut (a = 0, b < 0), so central differences see a smooth function.
        Check("atan2", p, (a, b) => a.Atan2(b), (a, b) => b > 0 ? Math.Atan(a / b) : b < 0 ? Math.Atan(a / b) + Math.CopySign(Math.PI, a) : Math.CopySign(Math.PI / 2, a),
            rtol: 1e-14, atol: 1e-15);
        Check("hypot", p, (a, b) => a.Hypot(b), (a, b) => Math.Sqrt(a * a + b * b), rtol: 1e-15);
    });

    [FsCheck.NUnit.Property]
    public Property RemainderFmodFloorDivide() => Prop.ForAll(BinaryMathGen.Pair(BinaryMathGen.Quotient, BinaryMathGen.Divisor).ToArbitrary(), q =>
    {
        // a = (k + f)·b elementwise at the broadcast shape is not a pair of independent operands, so a gets the
        // broadcast shape: a = q·b with q drawn per element of the full shape.
        var bFull = Nd.Of(q.B).BroadcastTo(Nd.BroadcastShape(q.A.Shape, q.B.Shape));
        var qFull = Nd.Of(q.A).BroadcastTo(bFull.Shape);
        var a = new Spec(bFull.Shape, qFull.Data.Zip(bFull.Data, (k, b) => k * b).ToArray());
        var p = new BroadcastPair(a, q.B, q.Seed);
        Check("remainder", p, (x, y) => x.Remainder(y), (x, y) => x - Math.Floor(x / y) * y, rtol: 1e-14, atol: 1e-14);
        Check("fmod", p, (x, y) => x.Fmod(y), (x, y) => x - Math.Truncate(x / y) * y, rtol: 1e-14, atol: 1e-14);
        Check("floor_divide", p, (x, y) => x.FloorDivide(y), (x, y) => Math.Floor(x / y), rtol: 0, atol: 0);
        var (ta, tb) = (p.A.Tensor(), p.B.Tensor());
        ta.RequiresGrad = tb.RequiresGrad = true;
        ta.FloorDivide(tb).Sum().Backward();
        Expect.Exact(ta.Grad!, new Nd(p.A.Shape, new double[p.A.Numel]), "floor_divide gradient");
        Expect.Exact(tb.Grad!, new Nd(p.B.Shape, new double[p.B.Numel]), "floor_divide gradient");
        Check("remainder scalar", p, (x, _) => x.Remainder(-1.5), (x, _) => x - Math.Floor(x / -1.5) * -1.5, rtol: 1e-14, atol: 1e-14, grad: false);
    });

    [FsCheck.NUnit.Property]
    public Property Xlogy() => Prop.ForAll(BinaryMathGen.Pair(BinaryMathGen.Halves, EngineGen.Uniform(0.2, 3)).ToArbitrary(), p =>
        Check("xlogy", p, (a, b) => a.Xlogy(b), (a, b) => a == 0 ? 0 : a * Math.Log(b)));

    [FsCheck.NUnit.Property]
    public Property CopysignAndLogAddExp() => Prop.ForAll(BinaryMathGen.Pair(EngineGen.NonZeroValue, EngineGen.NonZeroValue).ToArbitrary(), p =>
    {
        Check("copysign", p, (a, b) => a.Copysign(b), Math.CopySign, rtol: 0, atol: 0);
        var wide = p with { A = p.A with { Values = p.A.Values.Select(v => 10 * v).ToArray() } };
        Check("logaddexp", wide, (a, b) => a.LogAddExp(b), (a, b) => Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b))), rtol: 1e-15);
    });

    [FsCheck.NUnit.Property]
    public Property Lerp() => Prop.ForAll(BinaryMathGen.Pair(EngineGen.Uniform(-2, 2), EngineGen.Uniform(-2, 2)).ToArbitrary(),
        EngineGen.Uniform(-1, 2).ToArbitrary(), (p, w) =>
    {
        Check("lerp scalar weight", p, (a, b) => a.Lerp(b, w), (a, b) => a + w * (b - a), rtol: 1e-14, atol: 1e-14);
        // The weight as a tensor of a's shape: three broadcast inputs.
        var weight = new Spec(p.A.Shape, p.A.Values.Select(v => 1.5 * v - 0.25).ToArray());
        var expected = Nd.Build(Nd.BroadcastShape(p.A.Shape, p.B.Shape), i =>
        {
            double a = Nd.Of(p.A).At(i), b = Nd.Of(p.B).At(i), t = Nd.Of(weight).At(i);
            return a + t * (b - a);
        });
        Expect.Close(p.A.Tensor().Lerp(p.B.Tensor(), weight.Tensor()), expected, atol: 1e-14, rtol: 1e-14, what: "lerp");
        Expect.Grad("lerp", xs => xs[0].Lerp(xs[1], xs[2]), p.Seed, p.A.Tensor(), p.B.Tensor(), weight.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Ne() => Prop.ForAll(BinaryMathGen.Pair(BinaryMathGen.Halves, BinaryMathGen.Halves).ToArbitrary(), p =>
    {
        Check("ne", p, (a, b) => a.Ne(b), (a, b) => a != b ? 1 : 0, rtol: 0, atol: 0, grad: false);
        Check("not_equal", p, (a, b) => a.NotEqual(b), (a, b) => a != b ? 1 : 0, rtol: 0, atol: 0, grad: false);
    });

    /// <summary>PyTorch's values at the special points, in float64 and float32.</summary>
    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void SpecialPointsAsPyTorch(DType dtype)
    {
        double inf = double.PositiveInfinity, nan = double.NaN, pi = Math.PI;
        (string Op, Func<Tensor, Tensor, Tensor> F, double[] A, double[] B, double[] Expected)[] checks =
        [
            ("atan2", (a, b) => a.Atan2(b), [0.0, -0.0, 0.0, -0.0, 1, -1], [0.0, 0.0, -0.0, -0.0, 0, 0], [0.0, -0.0, pi, -pi, pi / 2, -pi / 2]),
            ("pow", (a, b) => a.Pow(b), [0, 0, -2, -8, 1, 2], [0, -1, 3, 1.0 / 3, nan, inf], [1, inf, -8, nan, 1, inf]),
            ("remainder", (a, b) => a.Remainder(b), [-3, 3, 3, -3, 1, 0], [2, -2, 0, 0, inf, 5], [1, -1, nan, nan, 1, 0]),
            ("fmod", (a, b) => a.Fmod(b), [-3, 3, 3, 5.5], [2, -2, 0, 2], [-1, 1, nan, 1.5]),
            ("floor_divide", (a, b) => a.FloorDivide(b), [-7, 7, 1, -1, 0, 0.5], [2, -2, 0, 0, 0, -4], [-4, -4, inf, -inf, nan, -1]),
            ("xlogy", (a, b) => a.Xlogy(b), [0, 0, 0, 2, 0], [0, nan, -1, 0, inf], [0, nan, 0, -inf, 0]),
            ("copysign", (a, b) => a.Copysign(b), [1, -2, 3, 0], [-0.0, 1, double.NegativeInfinity, -1], [-1, 2, -3, -0.0]),
            ("logaddexp", (a, b) => a.LogAddExp(b), [double.NegativeInfinity, inf, 0, double.NegativeInfinity], [double.NegativeInfinity, inf, 0, 1], [double.NegativeInfinity, inf, Math.Log(2), 1]),
            ("hypot", (a, b) => a.Hypot(b), [inf, 3, 0], [nan, 4, 0], [inf, 5, 0]),
            ("ne", (a, b) => a.Ne(b), [1, nan, 0.0], [1, nan, -0.0], [0, 1, 0]),
        ];
        foreach (var (op, f, a, b, expected) in checks)
        {
            var y = f(Tensor.FromArray(a).To(dtype), Tensor.FromArray(b).To(dtype)).ToArray<double>();
            for (int i = 0; i < a.Length; i++)
            {
                double e = dtype == DType.Float32 ? (float)expected[i] : expected[i];
                bool ok = Expect.Near(y[i], e, (dtype == DType.Float32 ? 1e-7 : 1e-16) * Math.Abs(e)) && (e != 0 || double.IsNegative(e) == double.IsNegative(y[i]));
                Assert.That(ok, $"{op} {dtype} of ({a[i]:R}, {b[i]:R}): got {y[i]:R}, expected {e:R}");
            }
        }
    }

    /// <summary>pow's gradients at a zero base, as PyTorch: d/dx is 0 where the exponent is 0; d/de is 0 where x = 0
    /// and e ≥ 0; copysign's d/dx is 0 at x = 0; xlogy's d/dx is 0 where x = 0 and y ≤ 0.</summary>
    [Test]
    public void GradientsAtZerosAsPyTorch()
    {
        Tensor Leaf(params double[] v) { var t = Tensor.FromArray(v); t.RequiresGrad = true; return t; }
        var (x, e) = (Leaf(0, 0, 0, 2), Leaf(0, 2, 0.5, 0));
        x.Pow(e).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0, 0, double.PositiveInfinity, 0 }));
        Assert.That(e.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0, 0, 0, Math.Log(2) }));
        var (a, s) = (Leaf(0, -2), Leaf(-1, 1));
        a.Copysign(s).Sum().Backward();
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, -1 }));
        Assert.That(s.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0 }));
        var (u, v) = (Leaf(0, 0, 2), Leaf(0, 2, 2));
        u.Xlogy(v).Sum().Backward();
        Assert.That(u.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0, Math.Log(2), Math.Log(2) }));
        Assert.That(v.Grad!.ToArray<double>()[1..], Is.EqualTo(new[] { 0.0, 1 }));
    }

    /// <summary>int32 pairs as PyTorch: pow, remainder, fmod, floor_divide stay int32; atan2, hypot, xlogy, copysign,
    /// logaddexp give float32; a float scalar makes the result float32.</summary>
    [Test]
    public void IntegersAsPyTorch()
    {
        var (a, b) = (Tensor.FromArray([-7, 3, 2]), Tensor.FromArray([2, -2, 3]));
        Assert.That(a.Pow(b).ToArray<int>(), Is.EqualTo(new[] { 49, 0, 8 }), "3^−2 truncates to 0, as PyTorch's integer pow");
        Assert.That(a.Remainder(b).ToArray<int>(), Is.EqualTo(new[] { 1, -1, 2 }));
        Assert.That(a.Fmod(b).ToArray<int>(), Is.EqualTo(new[] { -1, 1, 2 }));
        Assert.That(a.FloorDivide(b).ToArray<int>(), Is.EqualTo(new[] { -4, -2, 0 }));
        foreach (var y in new[] { a.Atan2(b), a.Hypot(b), a.Xlogy(b), a.Copysign(b), a.LogAddExp(b), a.Remainder(2.5) })
            Assert.That(y.DType, Is.EqualTo(DType.Float32));
        Assert.That(a.Ne(b).DType, Is.EqualTo(DType.Int32));
        // An int32 divisor of 0 is PyTorch's ZeroDivisionError; a float one gives NaN or ±∞ (SpecialPointsAsPyTorch).
        var zero = Tensor.FromArray([1, 0, 2]);
        Assert.That(() => a.Remainder(zero), Throws.TypeOf<DivideByZeroException>().With.Message.Contains("remainder"));
        Assert.That(() => a.Fmod(zero), Throws.TypeOf<DivideByZeroException>());
        Assert.That(() => a.FloorDivide(zero), Throws.TypeOf<DivideByZeroException>());
    }
}
