using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

// Pointwise activations: each struct holds the forward f(x) and the fused backward dx = dy·f'(x), scalar and, where
// it pays, 512-bit SIMD. The formulas are documented once, on the ops in Engine/Functional/Activations.Pointwise.cs.
// Kinks follow PyTorch: the derivative at a kink is that of the branch the forward's comparison does not select
// as "positive" (relu'(0) = 0, leaky'(0) = slope, relu6'(0) = relu6'(6) = 0).

/// <summary>relu6(x) = min(max(x, 0), 6).</summary>
public readonly struct Relu6K<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Six => T.CreateTruncating(6);
    public bool HasVector => true;
    public T Apply(T x) => x <= T.Zero ? T.Zero : x >= Six ? Six : x;   // NaN falls through as NaN
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Min(Vector512.Max(x, Vector512<T>.Zero), Vector512.Create(Six));
    public T Apply(T x, T y, T dy) => x > T.Zero && x < Six ? dy : T.Zero;
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512.LessThan(x, Vector512.Create(Six)), dy, Vector512<T>.Zero);
}

/// <summary>hardtanh(x) = min(max(x, lo), hi); the gradient passes only strictly inside (lo, hi), as PyTorch's
/// hardtanh_backward (0 at both kinks).</summary>
public readonly struct HardtanhK<T>(T lo, T hi) : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x <= lo ? lo : x >= hi ? hi : x;   // NaN falls through as NaN
    public Vector512<T> Apply(Vector512<T> x)
    {
        var vlo = Vector512.Create(lo);
        var vhi = Vector512.Create(hi);
        // Selects rather than Min/Max so that NaN stays NaN exactly as the scalar loop has it.
        var y = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, vlo), vlo, x);
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, vhi), vhi, y);
    }
    public T Apply(T x, T y, T dy) => x > lo && x < hi ? dy : T.Zero;
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(lo)) & Vector512.LessThan(x, Vector512.Create(hi)), dy, Vector512<T>.Zero);
}

/// <summary>leaky_relu(x) = x for x &gt; 0, slope·x otherwise.</summary>
public readonly struct LeakyReluK<T>(T slope) : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x > T.Zero ? x : slope * x;
    public Vector512<T> Apply(Vector512<T> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * Vector512.Create(slope));
    public T Apply(T x, T y, T dy) => x > T.Zero ? dy : slope * dy;
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * Vector512.Create(slope));
}

/// <summary>elu(x) = x for x &gt; 0, α(eˣ − 1) otherwise; the backward uses α eˣ = y + α.</summary>
public readonly struct EluK<T>(T alpha) : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x > T.Zero ? x : alpha * (T.Exp(x) - T.One);
    public Vector512<T> Apply(Vector512<T> x)
    {
        // exp of the clamped value: the positive lanes are not used, and must not overflow to ∞·0 = NaN.
        var e = VMath.Exp(Vector512.Min(x, Vector512<T>.Zero));
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, Vector512.Create(alpha) * (e - Vector512<T>.One));
    }
    public T Apply(T x, T y, T dy) => x > T.Zero ? dy : dy * (y + alpha);
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * (y + Vector512.Create(alpha)));
}

/// <summary>celu(x) = x for x &gt; 0, α(e^(x/α) − 1) otherwise; the backward uses e^(x/α) = y/α + 1.</summary>
public readonly struct CeluK<T>(T alpha) : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x > T.Zero ? x : alpha * (T.Exp(x / alpha) - T.One);
    public Vector512<T> Apply(Vector512<T> x)
    {
        var a = Vector512.Create(alpha);
        var e = VMath.Exp(Vector512.Min(x, Vector512<T>.Zero) / a);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, a * (e - Vector512<T>.One));
    }
    public T Apply(T x, T y, T dy) => x > T.Zero ? dy : dy * (y / alpha + T.One);
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * (y / Vector512.Create(alpha) + Vector512<T>.One));
}

/// <summary>softplus(x) = log(1 + e^(βx))/β, and x where βx &gt; threshold (PyTorch's switch to the identity).</summary>
public readonly struct SoftplusK<T>(T beta, T threshold) : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x)
    {
        T z = beta * x;
        return z > threshold ? x : ActMath.Log1p(T.Exp(z)) / beta;
    }
    public Vector512<T> Apply(Vector512<T> x)
    {
        var z = Vector512.Create(beta) * x;
        var big = Vector512.GreaterThan(z, Vector512.Create(threshold));
        var sp = ActMath.Log1p(VMath.Exp(Vector512.Min(z, Vector512.Create(threshold)))) / Vector512.Create(beta);
        return Vector512.ConditionalSelect(big, x, sp);
    }
    // d/dx = σ(βx) = e^(βx)/(e^(βx) + 1) below the threshold, 1 above it.
    public T Apply(T x, T y, T dy)
    {
        T z = beta * x;
        if (z > threshold) return dy;
        T e = T.Exp(z);
        return dy * e / (e + T.One);
    }
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
    {
        var z = Vector512.Create(beta) * x;
        var big = Vector512.GreaterThan(z, Vector512.Create(threshold));
        var e = VMath.Exp(Vector512.Min(z, Vector512.Create(threshold)));
        return Vector512.ConditionalSelect(big, dy, dy * e / (e + Vector512<T>.One));
    }
}

/// <summary>swish(x) = x·σ(βx) (SiLU for β = 1); d/dx = σ(βx)·(1 + βx(1 − σ(βx))).</summary>
public readonly struct SiluK<T>(T beta) : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    private static T Sigmoid(T z) => T.One / (T.One + T.Exp(-z));
    public T Apply(T x) => x * Sigmoid(beta * x);
    public Vector512<T> Apply(Vector512<T> x) => x * VMath.Sigmoid(Vector512.Create(beta) * x);
    public T Apply(T x, T y, T dy)
    {
        T z = beta * x, s = Sigmoid(z);
        return dy * s * (T.One + z * (T.One - s));
    }
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
    {
        var z = Vector512.Create(beta) * x;
        var s = VMath.Sigmoid(z);
        return dy * s * (Vector512<T>.One + z * (Vector512<T>.One - s));
    }
}

/// <summary>gelu(x) = x·Φ(x), Φ the normal CDF from erf; d/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
/// float: SIMD, Φ from <see cref="VMath.NormalCdfFloatTail"/> (relative error ≤ 4.3e-7, absolute ≤ 2.1e-7); the SIMD
/// backward takes Φ(x) = y/x from the forward's output instead of a second erfc (one division where Φ cost a
/// division, an exponential and two polynomials: the backward costs about half), Φ = ½ + x·φ(0) for |x| &lt; 2⁻²⁰
/// where y/x loses its digits or is 0/0. y/x is within 2 ulp of the forward's Φ, so dx stays within 5e-7 of float64
/// (Tests/Activations/ErfFloatTests.cs). double: scalar, through the accurate <see cref="SpecialFunctions"/> (the
/// float64 gradient checks need ~1e-15), as are the few tail elements of a float loop.</summary>
public readonly struct GeluK<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool Single => typeof(T) == typeof(float);
    public bool HasVector => Single;
    public T Apply(T x)
    {
        double d = double.CreateTruncating(x);
        return T.CreateTruncating(d * SpecialFunctions.NormalCdf(d, Single));
    }
    public Vector512<T> Apply(Vector512<T> x)
    {
        if (!Single) throw new NotSupportedException("GeluK: the SIMD form is float32 only");
        var v = x.AsSingle();
        if (!Vector512.IsHardwareAccelerated && Avx2.IsSupported)   // not CpuIsa: see VMath.ExpFloat
            return Vector512.Create(VMath.GeluFloat(v.GetLower()), VMath.GeluFloat(v.GetUpper())).As<float, T>();
        VMath.HalfSquare(v, out var hi, out var lo);
        return (v * VMath.NormalCdfFloatTail(v, hi, lo)).As<float, T>();
    }
    public T Apply(T x, T y, T dy)
    {
        double d = double.CreateTruncating(x);
        return dy * T.CreateTruncating(SpecialFunctions.NormalCdf(d, Single) + d * SpecialFunctions.NormalPdf(d));
    }
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
    {
        if (!Single) throw new NotSupportedException("GeluK: the SIMD form is float32 only");
        var v = x.AsSingle();
        if (!Vector512.IsHardwareAccelerated && Avx2.IsSupported)
            return Vector512.Create(VMath.GeluFloatBackward(v.GetLower(), y.AsSingle().GetLower(), dy.AsSingle().GetLower()),
                                    VMath.GeluFloatBackward(v.GetUpper(), y.AsSingle().GetUpper(), dy.AsSingle().GetUpper())).As<float, T>();
        VMath.HalfSquare(v, out var hi, out var lo);
        var rsqrt2pi = Vector512.Create(0.398942280401432678f);                           // 1/√(2π) = φ(0)
        var pdf = rsqrt2pi * VMath.ExpFloat(-hi, -lo);                                     // φ(x)
        var tiny = Vector512.LessThan(Vector512.Abs(v), Vector512.Create(9.5367431640625e-7f));   // 2⁻²⁰
        var cdf = Vector512.ConditionalSelect(tiny, Vector512.FusedMultiplyAdd(v, rsqrt2pi, Vector512.Create(0.5f)), y.AsSingle() / v);
        return (dy.AsSingle() * Vector512.FusedMultiplyAdd(v, pdf, cdf)).As<float, T>();
    }
}

/// <summary>gelu_tanh(x) = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³);
/// d/dx = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).</summary>
public readonly struct GeluTanhK<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T K0 => T.CreateTruncating(0.7978845608028654);   // √(2/π)
    private static T K1 => T.CreateTruncating(0.044715);
    private static T K3 => T.CreateTruncating(3 * 0.044715);
    private static T Half => T.CreateTruncating(0.5);
    public bool HasVector => true;
    public T Apply(T x) => Half * x * (T.One + T.Tanh(K0 * (x + K1 * x * x * x)));
    public Vector512<T> Apply(Vector512<T> x)
    {
        var t = VMath.Tanh(Vector512.Create(K0) * (x + Vector512.Create(K1) * x * x * x));
        return Vector512.Create(Half) * x * (Vector512<T>.One + t);
    }
    public T Apply(T x, T y, T dy)
    {
        T x2 = x * x, t = T.Tanh(K0 * (x + K1 * x2 * x));
        return dy * (Half * (T.One + t) + Half * x * (T.One - t * t) * K0 * (T.One + K3 * x2));
    }
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
    {
        var one = Vector512<T>.One;
        var half = Vector512.Create(Half);
        var x2 = x * x;
        var t = VMath.Tanh(Vector512.Create(K0) * (x + Vector512.Create(K1) * x2 * x));
        return dy * (half * (one + t) + half * x * (one - t * t) * Vector512.Create(K0) * (one + Vector512.Create(K3) * x2));
    }
}

/// <summary>mish(x) = x·tanh(softplus(x)); with s = softplus(x), t = tanh(s): d/dx = t + x(1 − t²)σ(x).
/// Scalar: softplus in the stable form max(x, 0) + log1p(e^(−|x|)). SIMD: with e = eˣ and n = e(e + 2),
/// tanh(log(1 + e)) = ((1+e)² − 1)/((1+e)² + 1) = n/(n + 2) and (1 − t²)σ(x) = 4e(1 + e)/(n + 2)², one exponential
/// and no cancellation (n/(n + 2) ≈ e for x → −∞). x is clamped to 20 inside the exponential, where t = 1 to double
/// precision, so e² cannot overflow; above 20 the derivative is 1.</summary>
public readonly struct MishK<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Limit => T.CreateTruncating(20);
    public bool HasVector => true;
    private static T Softplus(T x) => T.Max(x, T.Zero) + ActMath.Log1p(T.Exp(-T.Abs(x)));
    public T Apply(T x) => x * T.Tanh(Softplus(x));
    public Vector512<T> Apply(Vector512<T> x)
    {
        var e = VMath.Exp(Vector512.Min(x, Vector512.Create(Limit)));
        var n = e * (e + Vector512.Create(T.One + T.One));
        return x * (n / (n + Vector512.Create(T.One + T.One)));
    }
    public T Apply(T x, T y, T dy)
    {
        T t = T.Tanh(Softplus(x)), s = T.One / (T.One + T.Exp(-x));
        return dy * (t + x * (T.One - t * t) * s);
    }
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
    {
        var one = Vector512<T>.One;
        var two = Vector512.Create(T.One + T.One);
        var e = VMath.Exp(Vector512.Min(x, Vector512.Create(Limit)));
        var n = e * (e + two);
        var d = n + two;
        var g = n / d + x * (two + two) * e * (one + e) / (d * d);
        return dy * Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Limit)), one, g);
    }
}

/// <summary>Helpers the activation functors share.</summary>
public static class ActMath
{
    /// <summary>log(1 + v) without the rounding loss of forming 1 + v for small v (Goldberg's trick: with u = 1 + v
    /// rounded, log(u)·v/(u − 1) is accurate to a few ulps; u = 1 means log1p(v) = v to working precision).</summary>
    public static T Log1p<T>(T v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T u = T.One + v;
        if (u == T.One) return v;
        if (T.IsPositiveInfinity(u)) return u;
        return T.Log(u) * v / (u - T.One);
    }

    /// <summary>eᵛ − 1 without the cancellation of e^v − 1 for small v (Kahan's trick: with u = e^v rounded,
    /// (u − 1)·v/log(u) is accurate to a few ulps; u = 1 means v, u − 1 = −1 means −1, and u = ∞ stays ∞).</summary>
    public static T Expm1<T>(T v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T u = T.Exp(v);
        if (u == T.One) return v;
        T um1 = u - T.One;
        if (um1 == -T.One || T.IsPositiveInfinity(u)) return um1;
        return um1 * v / T.Log(u);
    }

    /// <summary>Lane-wise <see cref="Log1p{T}(T)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log1p<T>(Vector512<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = Vector512<T>.One + v;
        var r = VMath.Log(u) * v / (u - Vector512<T>.One);     // 0/0 lanes (u = 1) are replaced below
        r = Vector512.ConditionalSelect(Vector512.Equals(u, Vector512<T>.One), v, r);
        return Vector512.ConditionalSelect(Vector512.Equals(u, Vector512.Create(T.PositiveInfinity)), u, r);
    }
}
