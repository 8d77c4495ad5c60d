using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

/// <summary>
/// The paper's configuration, degrees (5, 4) with the denominators of versions A and B (D), written out with every
/// coefficient, accumulator and intermediate in a named vector variable: the general kernel's loops over coefficient
/// spans keep its accumulators in memory and cost about twice the instructions. Same formulas as
/// <see cref="PauKernel{T}"/>; the lane sums are taken per row run instead of per piece (still a fixed order). The
/// tests compare both paths with the reference (the fused-vs-PauMath property draws (5, 4) among other degrees, and
/// a dedicated test runs this path against the general one). Used when there is no noise.
/// </summary>
public static class PauKernel54<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static int W => Vector512<T>.Count;

    /// <summary>Switch for tests and timing: false sends (5, 4) through the general kernel too.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Forward of one contiguous run x → y (any length; a tail shorter than a vector is padded).</summary>
    public static void Forward<TQ>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> y) where TQ : IPauDenominator<T>
    {
        int full = x.Length - x.Length % W;
        ForwardLoop<TQ>(a, b, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), full);
        if (full == x.Length) return;
        Span<T> tx = stackalloc T[W], ty = stackalloc T[W];
        tx.Clear();
        x[full..].CopyTo(tx);
        ForwardLoop<TQ>(a, b, ref MemoryMarshal.GetReference(tx), ref MemoryMarshal.GetReference(ty), W);
        ty[..(x.Length - full)].CopyTo(y[full..]);
    }

    // The loops are separate methods without calls: coefficients and accumulators then live in registers for the
    // whole loop (with a call in the same method the register allocator spills them on every iteration), and TQ is a
    // type argument rather than a bool so that the version test is resolved at compile time.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardLoop<TQ>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref T rx, ref T ry, int n) where TQ : IPauDenominator<T>
    {
        bool absolute = typeof(TQ) == typeof(PauDenominatorA<T>);
        Vector512<T> a0 = Vector512.Create(a[0]), a1 = Vector512.Create(a[1]), a2 = Vector512.Create(a[2]),
            a3 = Vector512.Create(a[3]), a4 = Vector512.Create(a[4]), a5 = Vector512.Create(a[5]);
        Vector512<T> b1 = Vector512.Create(b[0]), b2 = Vector512.Create(b[1]), b3 = Vector512.Create(b[2]), b4 = Vector512.Create(b[3]);
        for (int i = 0; i + W <= n; i += W)
        {
            var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
            var p = VMath.Fma(VMath.Fma(VMath.Fma(VMath.Fma(VMath.Fma(a5, v, a4), v, a3), v, a2), v, a1), v, a0);
            var u = absolute ? Vector512.Abs(v) : v;
            var inner = VMath.Fma(VMath.Fma(VMath.Fma(b4, u, b3), u, b2), u, b1) * u;   // Σ b_k u^k (A: |b_k|, u = |x|)
            (p / (Vector512<T>.One + Vector512.Abs(inner))).StoreUnsafe(ref ry, (nuint)i);
        }
    }

    /// <summary>
    /// Backward of one contiguous run: writes dx and adds Σ dy·∂F/∂a_j to ga[0..6) and Σ dy·∂F/∂b_k (before
    /// version A's sign(b_k)) to gb[0..4), as doubles from the lane sums.
    /// </summary>
    public static void Backward<TQ>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx,
        Span<double> ga, Span<double> gb) where TQ : IPauDenominator<T>
    {
        Span<Vector512<T>> acc = stackalloc Vector512<T>[10];
        acc.Clear();
        int full = x.Length - x.Length % W;
        BackwardLoop<TQ>(a, b, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(dx), full, acc);
        if (full < x.Length)
        {
            // The tail, zero-padded: x = 0, dy = 0 lanes add exactly zero to every sum.
            Span<T> tx = stackalloc T[W], tg = stackalloc T[W], td = stackalloc T[W];
            tx.Clear(); tg.Clear();
            x[full..].CopyTo(tx);
            dy[full..].CopyTo(tg);
            BackwardLoop<TQ>(a, b, ref MemoryMarshal.GetReference(tx), ref MemoryMarshal.GetReference(tg), ref MemoryMarshal.GetReference(td), W, acc);
            td[..(x.Length - full)].CopyTo(dx[full..]);
        }
        for (int j = 0; j < 6; j++) ga[j] += double.CreateTruncating(Vector512.Sum(acc[j]));
        for (int k = 0; k < 4; k++) gb[k] += double.CreateTruncating(Vector512.Sum(acc[6 + k]));
    }

    /// <summary>n elements (a multiple of the vector width): dx, and the coefficient sums added to acc[0..10).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BackwardLoop<TQ>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref T rx, ref T rg, ref T rd, int n, Span<Vector512<T>> acc)
        where TQ : IPauDenominator<T>
    {
        bool absolute = typeof(TQ) == typeof(PauDenominatorA<T>);
        Vector512<T> a0 = Vector512.Create(a[0]), a1 = Vector512.Create(a[1]), a2 = Vector512.Create(a[2]),
            a3 = Vector512.Create(a[3]), a4 = Vector512.Create(a[4]), a5 = Vector512.Create(a[5]);
        Vector512<T> b1 = Vector512.Create(b[0]), b2 = Vector512.Create(b[1]), b3 = Vector512.Create(b[2]), b4 = Vector512.Create(b[3]);
        Vector512<T> s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3], s4 = acc[4], s5 = acc[5];    // Σ dy·x^j/Q
        Vector512<T> r1 = acc[6], r2 = acc[7], r3 = acc[8], r4 = acc[9];                              // Σ dy·(−P/Q²)·s·u^k
        for (int i = 0; i + W <= n; i += W)
        {
            var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
            var g = Vector512.LoadUnsafe(ref rg, (nuint)i);

            // P and P' by Horner.
            var p = VMath.Fma(a5, v, a4); var dp = a5;
            dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a3);
            dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a2);
            dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a1);
            dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a0);

            // Inner polynomial Σ b_k u^k = u·r(u) and its u-derivative r + u·r', u = |x| (A) or x (B, D).
            var u = absolute ? Vector512.Abs(v) : v;
            var r = VMath.Fma(b4, u, b3); var dr = b4;
            dr = VMath.Fma(dr, u, r); r = VMath.Fma(r, u, b2);
            dr = VMath.Fma(dr, u, r); r = VMath.Fma(r, u, b1);
            var inner = r * u;
            var dinner = VMath.Fma(u, dr, r);
            // A: Q' = sgn(x)·d(inner)/du and s = 1.  B: Q' = sgn(inner)·d(inner)/dx and s = sgn(inner).
            var negative = Vector512.LessThan(absolute ? v : inner, Vector512<T>.Zero);
            var dq = Vector512.ConditionalSelect(negative, -dinner, dinner);
            var invQ = Vector512<T>.One / (Vector512<T>.One + Vector512.Abs(inner));
            var pw = g * invQ;                                                        // dy/Q
            var f = p * invQ;                                                         // P/Q
            (pw * VMath.Fma(-f, dq, dp)).StoreUnsafe(ref rd, (nuint)i);              // dy·(P' − (P/Q)·Q')/Q

            // Powers once, then one FMA per coefficient: dy·x^j/Q and −dy·(P/Q)/Q·s·u^k (fewer multiplies than a
            // running product, and no chain through them). u^2 = x^2 and u^4 = x^4 for both u = |x| and u = x.
            var x2 = v * v; var x3 = x2 * v; var x4 = x2 * x2;
            var u3 = absolute ? Vector512.Abs(x3) : x3;
            s0 += pw; s1 = VMath.Fma(pw, v, s1); s2 = VMath.Fma(pw, x2, s2);
            s3 = VMath.Fma(pw, x3, s3); s4 = VMath.Fma(pw, x4, s4); s5 = VMath.Fma(pw, x4 * v, s5);
            var c = -(pw * f);                                                        // dy·(−P/Q²)
            if (!absolute) c = Vector512.ConditionalSelect(negative, -c, c);          // ·sgn(inner) (B, D)
            r1 = VMath.Fma(c, u, r1); r2 = VMath.Fma(c, x2, r2); r3 = VMath.Fma(c, u3, r3); r4 = VMath.Fma(c, x4, r4);
        }
        acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3; acc[4] = s4; acc[5] = s5;
        acc[6] = r1; acc[7] = r2; acc[8] = r3; acc[9] = r4;
    }
}
