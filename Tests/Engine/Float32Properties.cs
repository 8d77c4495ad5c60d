using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// The float32 kernels (the ones training runs; the gradient properties use float64) against float64 references:
/// pointwise functions to a few ulps relative to the result, over magnitudes from 1e-8 to 10, and the
/// composite kernels (softmax, reductions, matmul) to float32 precision scaled by the size of the terms summed.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 100)]
public class Float32Properties
{

    private static Tensor F32(Spec s) => Tensor.FromArray(s.Values.Select(v => (float)v).ToArray(), s.Shape);

    /// <summary>Reference from the float32-rounded input: |err| ≤ <paramref name="ulps"/> units in the last place of
    /// the float32 result, the spacing of floats at |ref| (+ a floor at float32's smallest normal). A bound of
    /// 4·2⁻²⁴·|ref| instead was 4 ulps at the top of a binade but 2 at its bottom: tanh's 2.5 ulps at 0.567 failed it.</summary>
    private static void Pointwise(string op, Spec x, Func<Tensor, Tensor> f, Func<double, double> reference, int ulps = 4)
    {
        var got = f(F32(x)).ToArray<float>();
        for (int i = 0; i < got.Length; i++)
        {
            double xi = (float)x.Values[i], r = reference(xi);
            if (double.IsNaN(r)) continue;
            float a = MathF.Abs((float)r);
            double spacing = float.IsFinite(a) ? (double)MathF.BitIncrement(a) - a : 0;
            Assert.That(Math.Abs(got[i] - r), Is.LessThanOrEqualTo(ulps * spacing + 1.2e-38),
                $"{op}({xi:R}) = {got[i]:R}, expected {r:R}");
        }
    }

    [FsCheck.NUnit.Property] public void Tanh(Wide c) => Pointwise("tanh", c.X, x => x.Tanh(), Math.Tanh);
    [FsCheck.NUnit.Property] public void Sigmoid(Wide c) => Pointwise("sigmoid", c.X, x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)));
    [FsCheck.NUnit.Property] public void Exp(Wide c) => Pointwise("exp", c.X, x => x.Exp(), Math.Exp);
    [FsCheck.NUnit.Property] public void Log(Wide c) => Pointwise("log", c.X, x => x.Abs().Log(), v => Math.Log(Math.Abs(v)));
    [FsCheck.NUnit.Property] public void Sqrt(Wide c) => Pointwise("sqrt", c.X, x => x.Abs().Sqrt(), v => Math.Sqrt(Math.Abs(v)));
    [FsCheck.NUnit.Property] public void Reciprocal(Wide c) => Pointwise("reciprocal", c.X, x => x.Reciprocal(), v => 1 / v);
    [FsCheck.NUnit.Property] public void Relu(Wide c) => Pointwise("relu", c.X, x => x.Relu(), v => Math.Max(v, 0), ulps: 0);
    [FsCheck.NUnit.Property] public void Pow(Wide c) => Pointwise("pow 1.5", c.X, x => x.Abs().Pow(1.5), v => Math.Pow(Math.Abs(v), 1.5));

    [FsCheck.NUnit.Property]
    public void TanhBackward(Wide c)
    {
        var x = F32(c.X);
        x.RequiresGrad = true;
        x.Tanh().Sum().Backward();
        var g = x.Grad!.ToArray<float>();
        for (int i = 0; i < g.Length; i++)
        {
            double t = Math.Tanh((float)c.X.Values[i]);
            // 1 - y² from a float32 y (as PyTorch's tanh_backward): near |y| = 1 an error of 2 ulps in y (1.2e-7)
            // becomes 2.4e-7 in 1 - y², plus the rounding of the subtraction.
            Assert.That(g[i], Is.EqualTo(1 - t * t).Within(6e-7), $"tanh'({(float)c.X.Values[i]:R})");
        }
    }

    [FsCheck.NUnit.Property]
    public void Softmax(AxisCase c) =>
        Expect.Close(F32(c.X).Softmax(c.Axis).To(DType.Float64), Nd.Of(c.X).Map(v => (float)v).Softmax(c.Axis, log: false), 1e-7, 1e-6, "softmax f32");

    [FsCheck.NUnit.Property]
    public void Sum(ReductionCase c)
    {
        var x = Nd.Of(c.X).Map(v => (float)v);
        var scale = x.Map(Math.Abs).Reduce(c.Axes, c.KeepDim, v => v.Sum());
        var got = F32(c.X).Sum(c.Axes, c.KeepDim).ToArray<float>();
        var expected = x.Reduce(c.Axes, c.KeepDim, v => v.Sum());
        for (int i = 0; i < got.Length; i++)
            Assert.That(got[i], Is.EqualTo(expected.Data[i]).Within(1e-6 * scale.Data[i] + 1e-30), $"sum element {i}");
    }

    [FsCheck.NUnit.Property]
    public void MatMul(MatMulCase c)
    {
        var a = Nd.Of(c.A).Map(v => (float)v);
        var b = Nd.Of(c.B).Map(v => (float)v);
        var expected = Nd.MatMul(a, b);
        var scale = Nd.MatMul(a.Map(Math.Abs), b.Map(Math.Abs));
        var got = Tensor.MatMul(F32(c.A), F32(c.B)).ToArray<float>();
        Assert.That(got.Length, Is.EqualTo(expected.Data.Length));
        for (int i = 0; i < got.Length; i++)
            Assert.That(got[i], Is.EqualTo(expected.Data[i]).Within(1e-6 * scale.Data[i] + 1e-30), $"matmul element {i}");
    }

    [FsCheck.NUnit.Property]
    public void CrossEntropy(ClassificationCase c)
    {
        var logits = Nd.Of(c.Logits).Map(v => (float)v);
        var loss = Tensor.CrossEntropy(F32(c.Logits), Tensor.FromArray(c.Targets), labelSmoothing: c.Smoothing).Item();
        Assert.That(loss, Is.EqualTo(Nd.CrossEntropy(logits, c.Targets, c.Smoothing)).Within(2e-6));
    }

    /// <summary>Long rows take the SIMD path of each kernel (the properties' small shapes mostly do not).</summary>
    [Test]
    public void LongRowsMatchTheScalarDefinition()
    {
        var v = Tensor.Randn([4099], generator: new Generator(3));
        var x = v.ToArray<float>();
        void Check(string op, Tensor y, Func<double, double> f, double tol)
        {
            var got = y.ToArray<float>();
            for (int i = 0; i < x.Length; i++)
                Assert.That(got[i], Is.EqualTo(f(x[i])).Within(tol * Math.Max(1, Math.Abs(f(x[i])))), $"{op}({x[i]:R})");
        }
        Check("tanh", v.Tanh(), Math.Tanh, 3e-7);
        Check("sigmoid", v.Sigmoid(), t => 1 / (1 + Math.Exp(-t)), 3e-7);
        Check("exp", v.Exp(), Math.Exp, 3e-7);
        Check("relu", v.Relu(), t => Math.Max(t, 0), 0);
        Check("clamp", v.Clamp(-0.5, 0.25), t => Math.Clamp(t, -0.5, 0.25), 0);
        Check("mul", v * v, t => (float)t * (float)t, 1e-7);
        Assert.That(v.Sum().Item(), Is.EqualTo(x.Sum(t => (double)t)).Within(1e-3));
        Assert.That(v.Max().Item(), Is.EqualTo(x.Max()));
        Assert.That(v.Min().Item(), Is.EqualTo(x.Min()));
    }
}
