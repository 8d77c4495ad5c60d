using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

/// <summary>
/// The denominator of one PAU version, on 512-bit vectors whose lanes hold different input elements. The kernel
/// keeps the denominator coefficients as <see cref="Prepare"/> returns them (|b_k| for version A, where only the
/// magnitude enters Q). Horner's rule evaluates the inner polynomial and its derivative together.
/// </summary>
public interface IPauDenominator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Prepare(T b);

    /// <summary>Whether the coefficients start at b_0 (version C) rather than b_1.</summary>
    static abstract bool ConstantTerm { get; }

    static abstract Vector512<T> Q(Vector512<T> x, ReadOnlySpan<Vector512<T>> b);

    /// <summary>Q, Q', the sign s of the inner polynomial (1 for A) and the basis u whose powers u^k, times
    /// −P/Q²·s, are ∂F/∂b_k (A: |x|, the sign of b_k applied after the sum; B, C, D: x).</summary>
    static abstract void WithDerivative(Vector512<T> x, ReadOnlySpan<Vector512<T>> b,
        out Vector512<T> q, out Vector512<T> dq, out Vector512<T> s, out Vector512<T> basis);
}

/// <summary>Version A: Q = 1 + Σ_{k=1..n} |b_k| |x|^k = 1 + t·r(t), t = |x|, r(t) = |b_1| + t(|b_2| + ...).</summary>
public readonly struct PauDenominatorA<T> : IPauDenominator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Prepare(T b) => T.Abs(b);
    public static bool ConstantTerm => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Q(Vector512<T> x, ReadOnlySpan<Vector512<T>> b)
    {
        if (b.Length == 0) return Vector512<T>.One;
        var t = Vector512.Abs(x);
        var r = b[^1];
        for (int k = b.Length - 2; k >= 0; k--) r = VMath.Fma(r, t, b[k]);
        return VMath.Fma(r, t, Vector512<T>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WithDerivative(Vector512<T> x, ReadOnlySpan<Vector512<T>> b,
        out Vector512<T> q, out Vector512<T> dq, out Vector512<T> s, out Vector512<T> basis)
    {
        var t = Vector512.Abs(x);
        s = Vector512<T>.One;
        basis = t;
        if (b.Length == 0) { q = Vector512<T>.One; dq = Vector512<T>.Zero; return; }
        Vector512<T> r = b[^1], dr = Vector512<T>.Zero;
        for (int k = b.Length - 2; k >= 0; k--) { dr = VMath.Fma(dr, t, r); r = VMath.Fma(r, t, b[k]); }
        q = VMath.Fma(r, t, Vector512<T>.One);
        var dsdt = VMath.Fma(t, dr, r);                       // d(t·r)/dt = r + t·r'
        dq = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<T>.Zero), -dsdt, dsdt);   // d|x|/dx = sgn(x), sgn(0) = +1
    }
}

/// <summary>Versions B and D: Q = 1 + |A(x)|, A(x) = x·r(x), r(x) = b_1 + x(b_2 + ...).</summary>
public readonly struct PauDenominatorB<T> : IPauDenominator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Prepare(T b) => b;
    public static bool ConstantTerm => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Q(Vector512<T> x, ReadOnlySpan<Vector512<T>> b)
    {
        if (b.Length == 0) return Vector512<T>.One;
        var r = b[^1];
        for (int k = b.Length - 2; k >= 0; k--) r = VMath.Fma(r, x, b[k]);
        return Vector512<T>.One + Vector512.Abs(r * x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WithDerivative(Vector512<T> x, ReadOnlySpan<Vector512<T>> b,
        out Vector512<T> q, out Vector512<T> dq, out Vector512<T> s, out Vector512<T> basis)
    {
        basis = x;
        if (b.Length == 0) { q = Vector512<T>.One; dq = Vector512<T>.Zero; s = Vector512<T>.One; return; }
        Vector512<T> r = b[^1], dr = Vector512<T>.Zero;
        for (int k = b.Length - 2; k >= 0; k--) { dr = VMath.Fma(dr, x, r); r = VMath.Fma(r, x, b[k]); }
        var inner = r * x;
        s = PauKernel<T>.Sign(inner);
        q = Vector512<T>.One + Vector512.Abs(inner);
        dq = s * VMath.Fma(x, dr, r);                        // A' = r + x·r'
    }
}

/// <summary>Version C: Q = ε + |A(x)|, A(x) = b_0 + b_1 x + ... + b_n x^n, ε = 0.1.</summary>
public readonly struct PauDenominatorC<T> : IPauDenominator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Epsilon => T.CreateTruncating(PauMath.VersionCEpsilon);
    public static T Prepare(T b) => b;
    public static bool ConstantTerm => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Q(Vector512<T> x, ReadOnlySpan<Vector512<T>> b)
    {
        var r = b[^1];
        for (int k = b.Length - 2; k >= 0; k--) r = VMath.Fma(r, x, b[k]);
        return Vector512.Create(Epsilon) + Vector512.Abs(r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WithDerivative(Vector512<T> x, ReadOnlySpan<Vector512<T>> b,
        out Vector512<T> q, out Vector512<T> dq, out Vector512<T> s, out Vector512<T> basis)
    {
        basis = x;
        Vector512<T> r = b[^1], dr = Vector512<T>.Zero;
        for (int k = b.Length - 2; k >= 0; k--) { dr = VMath.Fma(dr, x, r); r = VMath.Fma(r, x, b[k]); }
        s = PauKernel<T>.Sign(r);
        q = Vector512.Create(Epsilon) + Vector512.Abs(r);
        dq = s * dr;
    }
}
