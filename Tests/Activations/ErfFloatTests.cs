using System.Runtime.Intrinsics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Tests.Activations;

/// <summary>The float32 SIMD erf and Φ (VMath.ErfFloat, VMath.NormalCdfFloat) against the double SpecialFunctions,
/// and the float32 GELU and Mish kernels against their float64 versions. The measured errors are printed.</summary>
public class ErfFloatTests
{
    private static float[] Apply(Func<Vector512<float>, Vector512<float>> f, float[] xs)
    {
        var ys = new float[xs.Length];
        for (int i = 0; i < xs.Length; i += 16)
        {
            var buf = new float[16];
            Array.Copy(xs, i, buf, 0, Math.Min(16, xs.Length - i));
            f(Vector512.Create(buf)).CopyTo(buf);
            Array.Copy(buf, 0, ys, i, Math.Min(16, xs.Length - i));
        }
        return ys;
    }

    /// <summary>A dense grid on [−12, 12], ±2^k·(1 + j/32) for every binade (subnormals included), and random bit
    /// patterns (all finite floats, uniformly by representation).</summary>
    private static float[] Inputs()
    {
        var list = new List<float>();
        for (int i = -(1 << 20); i <= 1 << 20; i++) list.Add(i * (12f / (1 << 20)));
        for (int k = -149; k <= 127; k++)
            for (int j = 0; j < 32; j++)
            {
                float v = MathF.ScaleB(1 + j / 32f, k);
                list.Add(v); list.Add(-v);
            }
        var rng = new Random(7);
        for (int i = 0; i < 1 << 18; i++)
        {
            float v = BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31));
            if (float.IsFinite(v)) list.Add(v);
        }
        return list.ToArray();
    }

    private static double Ulp(double r) => float.BitIncrement((float)Math.Abs(r)) - (float)Math.Abs(r);

    [Test]
    public void ErfFloatIsWithinTwoTenthsOfAMillionth()
    {
        var xs = Inputs();
        var ys = Apply(VMath.ErfFloat, xs);
        double worstAbs = 0, worstUlp = 0; float at = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double r = SpecialFunctions.Erf(xs[i]);
            double err = Math.Abs(ys[i] - r);
            worstAbs = Math.Max(worstAbs, err);
            double u = err / Ulp(r);
            if (u > worstUlp) { worstUlp = u; at = xs[i]; }
        }
        TestContext.Out.WriteLine($"erf float: {xs.Length} inputs, max |error| {worstAbs:E2}, max {worstUlp:F2} ulp (at x = {at:R})");
        Assert.That(worstAbs, Is.LessThanOrEqualTo(2e-7), "max |erf_float − erf|");
        Assert.That(worstUlp, Is.LessThanOrEqualTo(4), "max error in ulps of the result");
    }

    [Test]
    public void ErfFloatSpecialValues()
    {
        float[] xs = [0f, -0f, float.Epsilon, -float.Epsilon, 1e-30f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            float.MaxValue, -float.MaxValue, 9.5f, 11f, 1f, -1f, 0.999999f];
        var ys = Apply(VMath.ErfFloat, xs);
        Assert.That(float.IsNegative(ys[1]) && ys[1] == 0, Is.True, "erf(−0) = −0");
        Assert.That(ys[0] == 0 && !float.IsNegative(ys[0]), Is.True, "erf(+0) = +0");
        Assert.That(ys[2], Is.EqualTo(1.1283791670955126 * float.Epsilon).Within(float.Epsilon), "erf(min subnormal)");
        Assert.That(ys[4], Is.EqualTo(1.1283791670955126e-30).Within(1e-36), "erf(1e-30)");
        Assert.That(ys[5], Is.EqualTo(1f)); Assert.That(ys[6], Is.EqualTo(-1f));
        Assert.That(float.IsNaN(ys[7]), Is.True, "erf(NaN)");
        Assert.That(ys[8], Is.EqualTo(1f)); Assert.That(ys[9], Is.EqualTo(-1f));
        Assert.That(ys[10], Is.EqualTo(1f)); Assert.That(ys[11], Is.EqualTo(1f));
        for (int i = 12; i < xs.Length; i++) Assert.That(ys[i], Is.EqualTo(SpecialFunctions.Erf(xs[i])).Within(2e-7), $"erf({xs[i]})");
    }

    [Test]
    public void NormalCdfFloatKeepsRelativeAccuracyInTheLeftTail()
    {
        var xs = Inputs();
        var ys = Apply(VMath.NormalCdfFloat, xs);
        double worstAbs = 0, worstRel = 0; float at = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double r = SpecialFunctions.NormalCdf(xs[i]);
            double err = Math.Abs(ys[i] - r);
            worstAbs = Math.Max(worstAbs, err);
            if (r >= 1.1754943508222875e-38 && err / r > worstRel) { worstRel = err / r; at = xs[i]; }
        }
        TestContext.Out.WriteLine($"Φ float: max |error| {worstAbs:E2}, max relative {worstRel:E2} where Φ ≥ 2^-126 (at x = {at:R})");
        Assert.That(worstAbs, Is.LessThanOrEqualTo(1.5e-7));
        Assert.That(worstRel, Is.LessThanOrEqualTo(6e-7));
        var special = Apply(VMath.NormalCdfFloat, [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -40f]);
        Assert.That(special[..2], Is.EqualTo(new[] { 1f, 0f }));
        Assert.That(float.IsNaN(special[2]), Is.True);
        Assert.That(special[3], Is.EqualTo(0.5f));
        Assert.That(special[4], Is.EqualTo(0f));
    }

    /// <summary>The float32 kernels (SIMD, with the scalar tail: 1000 is not a multiple of 16) against float64.</summary>
    [TestCase("gelu")]
    [TestCase("mish")]
    public void Float32KernelMatchesFloat64(string name)
    {
        var op = name == "gelu" ? UnaryOp.Gelu : UnaryOp.Mish;
        int n = 1000;
        var xd = new double[n];
        var rng = new Random(3);
        for (int i = 0; i < n; i++) xd[i] = i < 40 ? (i - 20) * 2.0 : rng.NextDouble() * 24 - 12;
        var dyd = Enumerable.Range(0, n).Select(i => 1.0 - i % 3).ToArray();
        var xs = xd.Select(v => (float)v).ToArray();
        var x64 = Tensor.FromArray(xs.Select(v => (double)v).ToArray(), n);
        var dy64 = Tensor.FromArray(dyd, n);
        var x32 = Tensor.FromArray(xs, n);
        var dy32 = Tensor.FromArray(dyd.Select(v => (float)v).ToArray(), n);
        var y64 = Tensor.Empty([n], DType.Float64); var dx64 = Tensor.Empty([n], DType.Float64);
        var y32 = Tensor.Empty([n]); var dx32 = Tensor.Empty([n]);
        x64.Backend.Unary(op, x64, y64); x64.Backend.UnaryBackward(op, x64, y64, dy64, dx64);
        x32.Backend.Unary(op, x32, y32); x32.Backend.UnaryBackward(op, x32, y32, dy32, dx32);
        double[] ry = y64.ToArray<double>(), rdx = dx64.ToArray<double>();
        float[] fy = y32.ToArray<float>(), fdx = dx32.ToArray<float>();
        double worstY = 0, worstDx = 0;
        for (int i = 0; i < n; i++)
        {
            worstY = Math.Max(worstY, Math.Abs(fy[i] - ry[i]) / Math.Max(1, Math.Abs(ry[i])));
            worstDx = Math.Max(worstDx, Math.Abs(fdx[i] - rdx[i]) / Math.Max(1, Math.Abs(rdx[i])));
        }
        TestContext.Out.WriteLine($"{name} float32: max error (relative above 1, absolute below) forward {worstY:E2}, backward {worstDx:E2}");
        Assert.That(worstY, Is.LessThanOrEqualTo(5e-7));
        Assert.That(worstDx, Is.LessThanOrEqualTo(5e-7));
    }

    /// <summary>
    /// The float32 GELU backward takes Φ = y/x from the forward's output: at x = 0 (0/0), tiny x (y/x loses its
    /// digits; Φ = ½ + x·φ(0) there), both sides of the 2⁻²⁰ switch, the far left tail where y and φ underflow, and
    /// large x. 48 elements: three whole vectors, so every value goes through the SIMD path.
    /// </summary>
    [Test]
    public void GeluFloat32BackwardFromTheOutputNearZeroAndInTheTails()
    {
        float[] special = [0f, -0f, 1e-30f, -1e-30f, float.Epsilon, -float.Epsilon, 1e-7f, -1e-7f, 9.5e-7f, -9.5e-7f,
            9.6e-7f, -9.6e-7f, 1e-5f, -1e-5f, 1e-3f, -1e-3f, -5f, -10f, -13f, -13.5f, -14f, -20f, -40f, 3f, 8f, 20f, 1e6f, -1e6f];
        var xs = special.Concat(Enumerable.Range(0, 48 - special.Length).Select(i => (i - 10) * 0.37f)).ToArray();
        int n = xs.Length;
        var x32 = Tensor.FromArray(xs, n);
        var dy32 = Tensor.Ones([n]);
        var y32 = Tensor.Empty([n]); var dx32 = Tensor.Empty([n]);
        x32.Backend.Unary(UnaryOp.Gelu, x32, y32);
        x32.Backend.UnaryBackward(UnaryOp.Gelu, x32, y32, dy32, dx32);
        float[] dx = dx32.ToArray<float>();
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            double x = xs[i], r = SpecialFunctions.NormalCdf(x) + x * SpecialFunctions.NormalPdf(x);
            double err = Math.Abs(dx[i] - r) / Math.Max(1, Math.Abs(r));
            Assert.That(err <= 5e-7, Is.True, $"gelu'({x:R}) = {dx[i]:R}, float64 {r:R}");   // false for NaN, unlike LessThanOrEqualTo
            worst = Math.Max(worst, err);
        }
        TestContext.Out.WriteLine($"gelu float32 backward near 0 and in the tails: max error {worst:E2}");
    }
}
