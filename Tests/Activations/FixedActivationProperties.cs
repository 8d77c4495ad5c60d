using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Tests.Activations.ActivationGen;

namespace Pade.Tests.Activations;

/// <summary>
/// Every fixed activation: the forward matches a scalar reference formula, and GradCheck (float64 central
/// differences) accepts its fused backward, on inputs kept away from its kinks. A second test runs each op on a large
/// tensor in float64 and float32, so the SIMD loops and their scalar tails are compared with the reference too.
/// </summary>
public class FixedActivationProperties
{
    private static double Sig(double z) => 1 / (1 + Math.Exp(-z));
    private static double SoftplusRef(double x, double beta, double threshold) =>
        beta * x > threshold ? x : Math.Log(1 + Math.Exp(beta * x)) / beta;

    /// <summary>name, op, reference, input range, kinks.</summary>
    public static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Ref, double Lo, double Hi, double[] Kinks)[] Cases =
    [
        ("sigmoid", x => F.Sigmoid(x), Sig, -6, 6, []),
        ("tanh", x => F.Tanh(x), Math.Tanh, -4, 4, []),
        ("relu", x => F.Relu(x), x => Math.Max(0, x), -3, 3, [0]),
        ("relu6", x => F.Relu6(x), x => Math.Min(Math.Max(0, x), 6), -2, 8, [0, 6]),
        ("hardtanh", x => F.Hardtanh(x), x => Math.Min(Math.Max(-1, x), 1), -3, 3, [-1, 1]),
        ("hardtanh(-0.5, 2)", x => F.Hardtanh(x, -0.5, 2), x => Math.Min(Math.Max(-0.5, x), 2), -3, 4, [-0.5, 2]),
        ("leaky_relu(0.2)", x => F.LeakyRelu(x, 0.2), x => x > 0 ? x : 0.2 * x, -3, 3, [0]),
        ("leaky_relu(-0.5)", x => F.LeakyRelu(x, -0.5), x => x > 0 ? x : -0.5 * x, -3, 3, [0]),
        ("elu(1.3)", x => F.Elu(x, 1.3), x => x > 0 ? x : 1.3 * (Math.Exp(x) - 1), -5, 3, [0]),
        ("celu(0.7)", x => F.Celu(x, 0.7), x => x > 0 ? x : 0.7 * (Math.Exp(x / 0.7) - 1), -5, 3, [0]),
        ("softplus", x => F.Softplus(x), x => SoftplusRef(x, 1, 20), -8, 8, []),
        ("softplus(2, 3)", x => F.Softplus(x, 2, 3), x => SoftplusRef(x, 2, 3), -4, 4, [1.5]),
        ("softplus(-1.5, 2)", x => F.Softplus(x, -1.5, 2), x => SoftplusRef(x, -1.5, 2), -4, 4, [-4.0 / 3]),
        ("silu", x => F.Silu(x), x => x * Sig(x), -6, 6, []),
        ("swish(1.7)", x => F.Swish(x, 1.7), x => x * Sig(1.7 * x), -6, 6, []),
        ("gelu", x => F.Gelu(x), x => x * 0.5 * (1 + ErfReference.Erf(x / Math.Sqrt(2))), -6, 6, []),
        ("gelu_tanh", x => F.Gelu(x, GeluApproximation.Tanh),
            x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))), -6, 6, []),
        ("mish", x => F.Mish(x), x => x * Math.Tanh(Math.Log(1 + Math.Exp(x))), -6, 6, []),
        ("rrelu(eval)", x => F.RRelu(x, 0.1, 0.3), x => x > 0 ? x : 0.2 * x, -3, 3, [0]),
        ("selu", x => F.Selu(x), x => SeluScale * (x > 0 ? x : SeluAlpha * (Math.Exp(x) - 1)), -5, 3, [0]),
        ("hardsigmoid", x => F.Hardsigmoid(x), x => Math.Min(Math.Max(x + 3, 0), 6) / 6, -5, 5, [-3, 3]),
        ("hardswish", x => F.Hardswish(x), x => x * Math.Min(Math.Max(x + 3, 0), 6) / 6, -5, 5, [-3, 3]),
        ("softsign", x => F.Softsign(x), x => x / (1 + Math.Abs(x)), -6, 6, [0]),
        ("logsigmoid", x => F.LogSigmoid(x), x => Math.Log(Sig(x)), -8, 8, []),
        ("tanhshrink", x => F.Tanhshrink(x), x => x - Math.Tanh(x), -4, 4, []),
        ("softshrink", x => F.Softshrink(x), x => x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0, -3, 3, [-0.5, 0.5]),
        ("softshrink(1.5)", x => F.Softshrink(x, 1.5), x => x > 1.5 ? x - 1.5 : x < -1.5 ? x + 1.5 : 0, -4, 4, [-1.5, 1.5]),
        ("hardshrink", x => F.Hardshrink(x), x => Math.Abs(x) > 0.5 ? x : 0, -3, 3, [-0.5, 0.5]),
        ("hardshrink(2)", x => F.Hardshrink(x, 2), x => Math.Abs(x) > 2 ? x : 0, -4, 4, [-2, 2]),
    ];

    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;

    private static IEnumerable<TestCaseData> Names() => Cases.Select((c, i) => new TestCaseData(i).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Names))]
    public void ValueAndGradientProperty(int index)
    {
        var c = Cases[index];
        Run(Prop.ForAll(Inputs(c.Lo, c.Hi, c.Kinks), input =>
        {
            Close(c.Op(input.Tensor()).ToArray<double>(), input.X.Select(c.Ref).ToArray(), atol: 1e-13, rtol: 1e-12, what: c.Name);
            Grad(c.Name, xs => c.Op(xs[0]), input.Seed, input.Tensor());
        }));
    }

    [TestCaseSource(nameof(Names))]
    public void LargeTensorMatchesReferenceInBothDTypes(int index)
    {
        var c = Cases[index];
        // 1000 = 62 float32 vectors + 8 tail elements (125 float64 vectors): both loops run.
        var x = Tensor.Rand([1000], c.Lo, c.Hi, DType.Float64, generator: new Generator(7));
        var xs = x.ToArray<double>();
        var expected = xs.Select(c.Ref).ToArray();
        Close(c.Op(x).ToArray<double>(), expected, atol: 1e-13, rtol: 1e-12, what: c.Name + " float64");
        var x32 = x.To(DType.Float32);
        var expected32 = x32.ToArray<double>().Select(c.Ref).ToArray();
        Close(c.Op(x32).ToArray<double>(), expected32, atol: 2e-6, rtol: 2e-6, what: c.Name + " float32");

        // The fused backward in float32 against the float64 gradient.
        var x64 = x32.To(DType.Float64);
        x64.RequiresGrad = true; x32 = x32.Clone(); x32.RequiresGrad = true;
        c.Op(x64).Sum().Backward();
        c.Op(x32).Sum().Backward();
        var g64 = x64.Grad!.ToArray<double>();
        var g32 = x32.Grad!.ToArray<double>();
        var near = x64.ToArray<double>().Select(v => c.Kinks.Any(k => Math.Abs(v - k) < 1e-3)).ToArray();
        Close(g32.Where((_, i) => !near[i]).ToArray(), g64.Where((_, i) => !near[i]).ToArray(), atol: 5e-6, rtol: 5e-6, what: c.Name + " float32 gradient");
    }

    [Test]
    public void KinksFollowPyTorch()
    {
        var x = Tensor.FromArray([0.0, 6.0], 2);
        x.RequiresGrad = true;
        F.Relu6(x).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0.0 }), "relu6'(0) = relu6'(6) = 0");
        var z = Tensor.FromArray([0.0], 1);
        z.RequiresGrad = true;
        F.LeakyRelu(z, 0.2).Sum().Backward();
        Assert.That(z.Grad!.ToArray<double>()[0], Is.EqualTo(0.2), "leaky_relu'(0) = slope");
        // PyTorch's hardtanh_backward passes the gradient only for min_val < x < max_val: 0 on both kinks, in
        // float64 and float32 (the SIMD loop: 16 elements).
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var h = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => new[] { -0.5, 2.0, -0.6, 0.3, 2.1 }[i % 5]).ToArray(), 16).To(dtype);
            h.RequiresGrad = true;
            var y = F.Hardtanh(h, -0.5, 2);
            Assert.That(y.To(DType.Float64).ToArray<double>().Take(5), Is.EqualTo(new[] { -0.5, 2.0, -0.5, 0.3, 2.0 }).Within(1e-7), $"hardtanh {dtype}");
            y.Sum().Backward();
            Assert.That(h.Grad!.To(DType.Float64).ToArray<double>().Take(5), Is.EqualTo(new[] { 0.0, 0.0, 0.0, 1.0, 0.0 }), $"hardtanh' {dtype}");
        }
        Assert.That(F.Hardtanh(Tensor.FromArray([double.NaN], 1)).ToArray<double>()[0], Is.NaN, "hardtanh(NaN) = NaN");
    }

    /// <summary>The gradient of the new composed activations at their kinks, in float64 and float32, as PyTorch's
    /// backward formulas give it.</summary>
    [Test]
    public void ComposedActivationKinksFollowPyTorch([Values(DType.Float64, DType.Float32)] DType dtype)
    {
        double[] GradAt(Func<Tensor, Tensor> f, params double[] xs)
        {
            var x = Tensor.FromArray(xs, xs.Length).To(dtype);
            x.RequiresGrad = true;
            f(x).Sum().Backward();
            return x.Grad!.To(DType.Float64).ToArray<double>();
        }
        Assert.That(GradAt(x => F.Hardsigmoid(x), -3, 3, 0), Is.EqualTo(new[] { 0.0, 0.0, 1.0 / 6 }).Within(1e-7), "hardsigmoid'(±3) = 0");
        Assert.That(GradAt(x => F.Hardswish(x), -3, 3, -3.5, 3.5), Is.EqualTo(new[] { -0.5, 1.5, 0, 1 }).Within(1e-7), "hardswish'(−3) = −0.5, hardswish'(3) = 1.5");
        Assert.That(GradAt(x => F.Softshrink(x), -0.5, 0.5, 0.6, -0.6), Is.EqualTo(new[] { 0.0, 0, 1, 1 }), "softshrink'(±λ) = 0");
        Assert.That(GradAt(x => F.Softshrink(x, 2), -2, 2, 0), Is.EqualTo(new[] { 0.0, 0, 0 }), "softshrink(2)'(±λ) = 0");
        Assert.That(GradAt(x => F.Hardshrink(x), -0.5, 0.5, 0.6, -0.6), Is.EqualTo(new[] { 0.0, 0, 1, 1 }), "hardshrink'(±λ) = 0");
        Assert.That(GradAt(x => F.Hardshrink(x, 2), -2, 2, 0), Is.EqualTo(new[] { 0.0, 0, 0 }), "hardshrink(2)'(±λ) = 0");
        Assert.That(GradAt(x => F.Selu(x), 0), Is.EqualTo(new[] { SeluScale * SeluAlpha }).Within(1e-6), "selu'(0) = scale·α (the x ≤ 0 branch)");
        Assert.That(GradAt(x => F.Softsign(x), 0), Is.EqualTo(new[] { 1.0 }), "softsign'(0) = 1");
        // Values at the kinks: hardshrink(±λ) = 0, softshrink(±λ) = 0.
        var k = Tensor.FromArray([-0.5, 0.5], 2).To(dtype);
        Assert.That(F.Hardshrink(k).To(DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 0.0, 0.0 }));
        Assert.That(F.Softshrink(k).To(DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 0.0, 0.0 }));
    }

    [Test]
    public void ComposedActivationTailsAndModules()
    {
        // logsigmoid neither overflows nor rounds its tail to 0.
        var ls = F.LogSigmoid(Tensor.FromArray([-800.0, 40.0, 800.0], 3)).ToArray<double>();
        Assert.That(ls[0], Is.EqualTo(-800.0));
        Assert.That(ls[1], Is.EqualTo(-Math.Exp(-40)).Within(1e-12).Percent);
        Assert.That(ls[2], Is.EqualTo(0.0));
        Assert.That(F.Selu(Tensor.FromArray([-800.0, 800.0], 2)).ToArray<double>(), Is.EqualTo(new[] { -SeluScale * SeluAlpha, SeluScale * 800 }).Within(1e-12));
        Assert.That(() => F.Softshrink(Tensor.Zeros(3), -0.1), Throws.ArgumentException.With.Message.Contains("lambda must be greater or equal to 0"));
        Assert.That(() => new Pade.Layers.Activations.Softshrink(-1), Throws.ArgumentException);
        Assert.That(F.Hardshrink(Tensor.FromArray([-0.1, 0.0, 0.2], 3), -1).ToArray<double>(), Is.EqualTo(new[] { -0.1, 0.0, 0.2 }), "hardshrink with λ < 0 is the identity");
        Assert.That(() => F.Hardswish(Tensor.Zeros([3], DType.Int32)), Throws.ArgumentException.With.Message.Contains("floating-point"));
        Assert.That(new Pade.Layers.Activations.Softshrink().ToString(), Is.EqualTo("Softshrink(0.5)"), "PyTorch's repr");
        Assert.That(new Pade.Layers.Activations.Hardshrink(2).ToString(), Is.EqualTo("Hardshrink(2)"));
        Assert.That(new Pade.Layers.Activations.SELU().ToString(), Is.EqualTo("SELU()"));
    }

    [Test]
    public void SoftplusAndEluAreAccurateInTheTails()
    {
        // log(1 + e^z) for z = -40 is e^-40: the naive log(1 + tiny) would round to 0.
        var y = F.Softplus(Tensor.FromArray([-40.0, 30.0], 2)).ToArray<double>();
        Assert.That(y[0], Is.EqualTo(Math.Exp(-40)).Within(1e-12).Percent);
        Assert.That(y[1], Is.EqualTo(30.0));
        Assert.That(F.Elu(Tensor.FromArray([-800.0, 800.0], 2)).ToArray<double>(), Is.EqualTo(new[] { -1.0, 800.0 }));
        Assert.That(F.Mish(Tensor.FromArray([-800.0f, 800.0f], 2)).ToArray<float>(), Is.EqualTo(new[] { -0.0f, 800.0f }));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        var x = Tensor.Zeros(3);
        Assert.That(() => F.Celu(x, 0), Throws.ArgumentException.With.Message.Contains("alpha must not be zero"));
        Assert.That(() => F.Softplus(x, 0), Throws.ArgumentException.With.Message.Contains("beta must not be zero"));
        Assert.That(() => F.RRelu(x, 0.5, 0.1), Throws.ArgumentException.With.Message.Contains("lower bound 0.5 is greater than upper bound 0.1"));
        Assert.That(() => F.LeakyRelu(x, double.NaN), Throws.ArgumentException.With.Message.Contains("negative slope must be finite"));
        Assert.That(() => F.Relu6(Tensor.Zeros([3], DType.Int32)), Throws.ArgumentException.With.Message.Contains("floating-point"));
        Assert.That(() => F.Hardtanh(x, 2, 1), Throws.ArgumentException.With.Message.Contains("min_val 2 is greater than max_val 1"));
        Assert.That(() => F.Hardtanh(x, double.NaN), Throws.ArgumentException.With.Message.Contains("min_val must be finite"));
        Assert.That(F.Hardtanh(Tensor.FromArray([-3.0, 3.0], 2), 0.5, 0.5).ToArray<double>(), Is.EqualTo(new[] { 0.5, 0.5 }), "min_val = max_val: a constant");
        // The module asserts max_val > min_val, as torch.nn.Hardtanh does.
        Assert.That(() => new Pade.Layers.Activations.Hardtanh(1, 1), Throws.ArgumentException.With.Message.Contains("max_val 1 must be greater than min_val 1"));
        Assert.That(() => new Pade.Layers.Activations.Hardtanh(2, -2), Throws.ArgumentException.With.Message.Contains("max_val -2"));
    }
}
