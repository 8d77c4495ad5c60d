using System.Numerics;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

// torch's binary math functions (BinaryOp.NotEqual .. LogAddExp), scalar only (IBinaryKernel.Vectorized false) but
// NotEqual. Each is the formula of PyTorch's CPU kernel, so the special points are PyTorch's; cuda/elementwise.cu
// repeats them in binary_value.

public readonly struct NeB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Apply(T a, T b) => a != b ? T.One : T.Zero;
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => ~Vector512.Equals(a, b) & Vector512<T>.One;
}

/// <summary>aᵇ with the C library's special cases: 0⁰ = 1, (−8)^(1/3) = NaN, (−2)³ = −8, 1^NaN = 1.</summary>
public readonly struct PowB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b) => T.Pow(a, b);
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>atan2(a, b), the angle of (b, a): atan2(±0, +0) = ±0, atan2(±0, −0) = ±π.</summary>
public readonly struct Atan2B<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b) => T.Atan2(a, b);
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>√(a² + b²) without overflow or underflow; ∞ if either is infinite, even with a NaN.</summary>
public readonly struct HypotB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b) => T.Hypot(a, b);
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>Python's %: fmod, moved by b where its sign differs from b's (NaN for b = 0), as PyTorch.</summary>
public readonly struct RemainderB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b)
    {
        T mod = a % b;   // C# % on floats is C's fmod: exact, the sign of a
        if (mod != T.Zero && (b < T.Zero) != (mod < T.Zero)) mod += b;
        return mod;
    }
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>C's fmod: a − trunc(a/b)·b exactly, the sign of a (NaN for b = 0).</summary>
public readonly struct FmodB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b) => a % b;
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>⌊a/b⌋ as PyTorch's div_floor_floating: from fmod, so that the quotient of exact multiples is exact;
/// a/b (±∞ or NaN) when b = 0; a zero quotient keeps the sign of a/b.</summary>
public readonly struct FloorDivideB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b)
    {
        if (b == T.Zero) return a / b;
        T mod = a % b, div = (a - mod) / b;
        if (mod != T.Zero && (b < T.Zero) != (mod < T.Zero)) div -= T.One;
        if (div == T.Zero) return T.CopySign(T.Zero, a / b);
        T floor = T.Floor(div);
        if (div - floor > T.CreateTruncating(0.5)) floor += T.One;
        return floor;
    }
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>a·ln b, 0 where a = 0 and b is not NaN (torch.xlogy).</summary>
public readonly struct XlogyB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b) => T.IsNaN(b) ? b : a == T.Zero ? T.Zero : a * T.Log(b);
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

public readonly struct CopysignB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b) => T.CopySign(a, b);
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}

/// <summary>ln(eᵃ + eᵇ) = max + log1p(e^(−|a − b|)); a where both are the same infinity (−∞ + −∞ stays −∞).</summary>
public readonly struct LogAddExpB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public T Apply(T a, T b)
    {
        if (T.IsInfinity(a) && a == b) return a;
        T m = a >= b || T.IsNaN(a) ? a : b;
        return m + ActMath.Log1p(T.Exp(-T.Abs(a - b)));
    }
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => throw new NotSupportedException();
}
