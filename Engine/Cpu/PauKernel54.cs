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
/// a dedicated test runs this path against the general one). With RPAU noise the same loops take per-lane
/// coefficients a_j·f_j and b_k·f_{6+k} from <see cref="PauNoiseLanes{T}"/> (in the factors' lane order: x and dy
/// permuted in, y and dx out), and each coefficient's gradient term is multiplied by its factor; the Philox rounds
/// are then most of the cost (tested against the general noisy kernel, which is tested element by element).
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
    // type argument rather than a bool so that the version test is resolved at compile time. AggressiveOptimization:
    // compiled fully optimized at the first call; through the tiers, a training run spent its first seconds in the
    // unoptimized code of these loops and of the helpers they inline (perf on `pade train`: about 4 % of an epoch's
    // samples with PAU, 5 % with RPAU).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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

            Rational<TQ>(v, a0, a1, a2, a3, a4, a5, b1, b2, b3, b4, out var p, out var dp, out var u, out var negative, out var dq, out var invQ);
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
    /// <summary>
    /// What both backward loops need of F = P/Q at x = v: P and P' by Horner; the inner polynomial Σ b_k u^k = u·r(u)
    /// and its u-derivative r + u·r', u = |x| (A) or x (B, D); then Q' (A: sgn(x)·d(inner)/du, s = 1; B: sgn(inner)·
    /// d(inner)/dx, s = sgn(inner), <paramref name="negative"/> the sign test of either) and 1/Q.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rational<TQ>(Vector512<T> v, Vector512<T> a0, Vector512<T> a1, Vector512<T> a2, Vector512<T> a3, Vector512<T> a4,
        Vector512<T> a5, Vector512<T> b1, Vector512<T> b2, Vector512<T> b3, Vector512<T> b4, out Vector512<T> p, out Vector512<T> dp,
        out Vector512<T> u, out Vector512<T> negative, out Vector512<T> dq, out Vector512<T> invQ) where TQ : IPauDenominator<T>
    {
        bool absolute = typeof(TQ) == typeof(PauDenominatorA<T>);
        p = VMath.Fma(a5, v, a4); dp = a5;
        dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a3);
        dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a2);
        dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a1);
        dp = VMath.Fma(dp, v, p); p = VMath.Fma(p, v, a0);
        u = absolute ? Vector512.Abs(v) : v;
        var r = VMath.Fma(b4, u, b3); var dr = b4;
        dr = VMath.Fma(dr, u, r); r = VMath.Fma(r, u, b2);
        dr = VMath.Fma(dr, u, r); r = VMath.Fma(r, u, b1);
        var inner = r * u;
        var dinner = VMath.Fma(u, dr, r);
        negative = Vector512.LessThan(absolute ? v : inner, Vector512<T>.Zero);
        dq = Vector512.ConditionalSelect(negative, -dinner, dinner);
        invQ = Vector512<T>.One / (Vector512<T>.One + Vector512.Abs(inner));
    }

    /// <summary>Noisy forward (RPAU) of one contiguous run whose first element is element <paramref name="first"/> of
    /// the call (the index the noise stream is drawn at): four vectors at a time (<see cref="PauNoiseLanes{T}.Factors4"/>),
    /// then single vectors, then a tail shorter than a vector, padded, with the numbers of the elements that would
    /// follow, as in the general kernel. An element's factors and result do not depend on which of these takes it.</summary>
    public static void NoisyForward<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> y)
        where TQ : IPauDenominator<T>
    {
        Span<Vector512<ulong>> words = stackalloc Vector512<ulong>[Math.Max(noise.WordVectors, noise.WordVectors4)];
        Span<Vector512<T>> f = stackalloc Vector512<T>[40];
        int full = x.Length - x.Length % W, four = x.Length - x.Length % (4 * W);
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        NoisyForwardLoop4<TQ>(noise, first, a, b, ref rx, ref ry, four, words, f);
        NoisyForwardLoop<TQ>(noise, first + four, a, b, ref Unsafe.Add(ref rx, four), ref Unsafe.Add(ref ry, four), full - four, words, f);
        if (full == x.Length) return;
        Span<T> tx = stackalloc T[W], ty = stackalloc T[W];
        tx.Clear();
        x[full..].CopyTo(tx);
        NoisyForwardLoop<TQ>(noise, first + full, a, b, ref MemoryMarshal.GetReference(tx), ref MemoryMarshal.GetReference(ty), W, words, f);
        ty[..(x.Length - full)].CopyTo(y[full..]);
    }

    /// <summary>F at per-lane coefficients: the factors f[0..10) times the coefficients (denominator prepared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> NoisyValue<TQ>(Vector512<T> v, ref Vector512<T> fr, in Coefficients c) where TQ : IPauDenominator<T>
    {
        bool absolute = typeof(TQ) == typeof(PauDenominatorA<T>);
        Vector512<T> a0 = fr * c.A0, a1 = Unsafe.Add(ref fr, 1) * c.A1, a2 = Unsafe.Add(ref fr, 2) * c.A2, a3 = Unsafe.Add(ref fr, 3) * c.A3,
            a4 = Unsafe.Add(ref fr, 4) * c.A4, a5 = Unsafe.Add(ref fr, 5) * c.A5;
        Vector512<T> b1 = Unsafe.Add(ref fr, 6) * c.B1, b2 = Unsafe.Add(ref fr, 7) * c.B2, b3 = Unsafe.Add(ref fr, 8) * c.B3, b4 = Unsafe.Add(ref fr, 9) * c.B4;
        var p = VMath.Fma(VMath.Fma(VMath.Fma(VMath.Fma(VMath.Fma(a5, v, a4), v, a3), v, a2), v, a1), v, a0);
        var u = absolute ? Vector512.Abs(v) : v;
        var inner = VMath.Fma(VMath.Fma(VMath.Fma(b4, u, b3), u, b2), u, b1) * u;
        return p / (Vector512<T>.One + Vector512.Abs(inner));
    }

    /// <summary>The 10 coefficients broadcast (denominator prepared).</summary>
    private readonly struct Coefficients(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        public readonly Vector512<T> A0 = Vector512.Create(a[0]), A1 = Vector512.Create(a[1]), A2 = Vector512.Create(a[2]),
            A3 = Vector512.Create(a[3]), A4 = Vector512.Create(a[4]), A5 = Vector512.Create(a[5]);
        public readonly Vector512<T> B1 = Vector512.Create(b[0]), B2 = Vector512.Create(b[1]), B3 = Vector512.Create(b[2]), B4 = Vector512.Create(b[3]);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NoisyForwardLoop4<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref T rx, ref T ry, int n,
        Span<Vector512<ulong>> words, Span<Vector512<T>> f) where TQ : IPauDenominator<T>
    {
        var c = new Coefficients(a, b);
        ref var fr = ref MemoryMarshal.GetReference(f);
        for (int i = 0; i + 4 * W <= n; i += 4 * W)
        {
            noise.Factors4(first + i, words, f);
            PauNoiseLanes<T>.In4(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)(i + W)),
                Vector512.LoadUnsafe(ref rx, (nuint)(i + 2 * W)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 3 * W)), out var v0, out var v1, out var v2, out var v3);
            PauNoiseLanes<T>.Out4(NoisyValue<TQ>(v0, ref fr, c), NoisyValue<TQ>(v1, ref Unsafe.Add(ref fr, 10), c),
                NoisyValue<TQ>(v2, ref Unsafe.Add(ref fr, 20), c), NoisyValue<TQ>(v3, ref Unsafe.Add(ref fr, 30), c), out var y0, out var y1, out var y2, out var y3);
            y0.StoreUnsafe(ref ry, (nuint)i); y1.StoreUnsafe(ref ry, (nuint)(i + W));
            y2.StoreUnsafe(ref ry, (nuint)(i + 2 * W)); y3.StoreUnsafe(ref ry, (nuint)(i + 3 * W));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NoisyForwardLoop<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref T rx, ref T ry, int n,
        Span<Vector512<ulong>> words, Span<Vector512<T>> f) where TQ : IPauDenominator<T>
    {
        var c = new Coefficients(a, b);
        ref var fr = ref MemoryMarshal.GetReference(f);
        for (int i = 0; i + W <= n; i += W)
        {
            noise.Factors(first + i, words, f);
            var v = PauNoiseLanes<T>.In(Vector512.LoadUnsafe(ref rx, (nuint)i));
            PauNoiseLanes<T>.Out(NoisyValue<TQ>(v, ref fr, c)).StoreUnsafe(ref ry, (nuint)i);
        }
    }

    /// <summary>Noisy backward of one contiguous run from element <paramref name="first"/> of the call: dx, and the
    /// coefficient sums (each term times its factor) added to ga and gb as in <see cref="Backward{TQ}"/>. Blocked as
    /// <see cref="NoisyForward{TQ}"/>; the accumulators' lanes hold the elements of the virtual vectors, a fixed
    /// order set by the row's length.</summary>
    public static void NoisyBackward<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> x,
        ReadOnlySpan<T> dy, Span<T> dx, Span<double> ga, Span<double> gb) where TQ : IPauDenominator<T>
    {
        Span<Vector512<ulong>> words = stackalloc Vector512<ulong>[Math.Max(noise.WordVectors, noise.WordVectors4)];
        Span<Vector512<T>> f = stackalloc Vector512<T>[40];
        Span<Vector512<T>> acc = stackalloc Vector512<T>[10];
        acc.Clear();
        int full = x.Length - x.Length % W, four = x.Length - x.Length % (4 * W);
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rg = ref MemoryMarshal.GetReference(dy);
        ref T rd = ref MemoryMarshal.GetReference(dx);
        NoisyBackwardLoop4<TQ>(noise, first, a, b, ref rx, ref rg, ref rd, four, acc, words, f);
        NoisyBackwardLoop<TQ>(noise, first + four, a, b, ref Unsafe.Add(ref rx, four), ref Unsafe.Add(ref rg, four), ref Unsafe.Add(ref rd, four),
            full - four, acc, words, f);
        if (full < x.Length)
        {
            // The tail, zero-padded: x = 0, dy = 0 lanes add exactly zero to every sum.
            Span<T> tx = stackalloc T[W], tg = stackalloc T[W], td = stackalloc T[W];
            tx.Clear(); tg.Clear();
            x[full..].CopyTo(tx);
            dy[full..].CopyTo(tg);
            NoisyBackwardLoop<TQ>(noise, first + full, a, b, ref MemoryMarshal.GetReference(tx), ref MemoryMarshal.GetReference(tg),
                ref MemoryMarshal.GetReference(td), W, acc, words, f);
            td[..(x.Length - full)].CopyTo(dx[full..]);
        }
        for (int j = 0; j < 6; j++) ga[j] += double.CreateTruncating(Vector512.Sum(acc[j]));
        for (int k = 0; k < 4; k++) gb[k] += double.CreateTruncating(Vector512.Sum(acc[6 + k]));
    }

    /// <summary>One vector of the noisy backward: returns dx (lane order of the factors) and adds dy·x^j/Q·f_j and
    /// −dy·(P/Q)/Q·s·u^k·f_{6+k} (the chain rule through c̃ = c·f) to acc.</summary>
    // Too large for the JIT to inline four times into the loop even when asked (it stayed a call), so compiled fully
    // optimized at once instead of through the slow tiers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector512<T> NoisyStep<TQ>(Vector512<T> v, Vector512<T> g, ref Vector512<T> fr, in Coefficients co, ref Vector512<T> ac)
        where TQ : IPauDenominator<T>
    {
        bool absolute = typeof(TQ) == typeof(PauDenominatorA<T>);
        Vector512<T> f0 = fr, f1 = Unsafe.Add(ref fr, 1), f2 = Unsafe.Add(ref fr, 2), f3 = Unsafe.Add(ref fr, 3), f4 = Unsafe.Add(ref fr, 4),
            f5 = Unsafe.Add(ref fr, 5), f6 = Unsafe.Add(ref fr, 6), f7 = Unsafe.Add(ref fr, 7), f8 = Unsafe.Add(ref fr, 8), f9 = Unsafe.Add(ref fr, 9);
        Vector512<T> a0 = f0 * co.A0, a1 = f1 * co.A1, a2 = f2 * co.A2, a3 = f3 * co.A3, a4 = f4 * co.A4, a5 = f5 * co.A5;
        Vector512<T> b1 = f6 * co.B1, b2 = f7 * co.B2, b3 = f8 * co.B3, b4 = f9 * co.B4;

        Rational<TQ>(v, a0, a1, a2, a3, a4, a5, b1, b2, b3, b4, out var p, out var dp, out var u, out var negative, out var dq, out var invQ);
        var pw = g * invQ;
        var q = p * invQ;

        var x2 = v * v; var x3 = x2 * v; var x4 = x2 * x2;
        var u3 = absolute ? Vector512.Abs(x3) : x3;
        ac += pw * f0;
        Unsafe.Add(ref ac, 1) = VMath.Fma(pw * f1, v, Unsafe.Add(ref ac, 1));
        Unsafe.Add(ref ac, 2) = VMath.Fma(pw * f2, x2, Unsafe.Add(ref ac, 2));
        Unsafe.Add(ref ac, 3) = VMath.Fma(pw * f3, x3, Unsafe.Add(ref ac, 3));
        Unsafe.Add(ref ac, 4) = VMath.Fma(pw * f4, x4, Unsafe.Add(ref ac, 4));
        Unsafe.Add(ref ac, 5) = VMath.Fma(pw * f5, x4 * v, Unsafe.Add(ref ac, 5));
        var c = -(pw * q);
        if (!absolute) c = Vector512.ConditionalSelect(negative, -c, c);
        Unsafe.Add(ref ac, 6) = VMath.Fma(c * f6, u, Unsafe.Add(ref ac, 6));
        Unsafe.Add(ref ac, 7) = VMath.Fma(c * f7, x2, Unsafe.Add(ref ac, 7));
        Unsafe.Add(ref ac, 8) = VMath.Fma(c * f8, u3, Unsafe.Add(ref ac, 8));
        Unsafe.Add(ref ac, 9) = VMath.Fma(c * f9, x4, Unsafe.Add(ref ac, 9));
        return pw * VMath.Fma(-q, dq, dp);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NoisyBackwardLoop4<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref T rx, ref T rg,
        ref T rd, int n, Span<Vector512<T>> acc, Span<Vector512<ulong>> words, Span<Vector512<T>> f) where TQ : IPauDenominator<T>
    {
        var co = new Coefficients(a, b);
        ref var fr = ref MemoryMarshal.GetReference(f);
        ref var ac = ref MemoryMarshal.GetReference(acc);
        for (int i = 0; i + 4 * W <= n; i += 4 * W)
        {
            noise.Factors4(first + i, words, f);
            PauNoiseLanes<T>.In4(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)(i + W)),
                Vector512.LoadUnsafe(ref rx, (nuint)(i + 2 * W)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 3 * W)), out var v0, out var v1, out var v2, out var v3);
            PauNoiseLanes<T>.In4(Vector512.LoadUnsafe(ref rg, (nuint)i), Vector512.LoadUnsafe(ref rg, (nuint)(i + W)),
                Vector512.LoadUnsafe(ref rg, (nuint)(i + 2 * W)), Vector512.LoadUnsafe(ref rg, (nuint)(i + 3 * W)), out var g0, out var g1, out var g2, out var g3);
            var d0 = NoisyStep<TQ>(v0, g0, ref fr, co, ref ac);
            var d1 = NoisyStep<TQ>(v1, g1, ref Unsafe.Add(ref fr, 10), co, ref ac);
            var d2 = NoisyStep<TQ>(v2, g2, ref Unsafe.Add(ref fr, 20), co, ref ac);
            var d3 = NoisyStep<TQ>(v3, g3, ref Unsafe.Add(ref fr, 30), co, ref ac);
            PauNoiseLanes<T>.Out4(d0, d1, d2, d3, out var x0, out var x1, out var x2, out var x3);
            x0.StoreUnsafe(ref rd, (nuint)i); x1.StoreUnsafe(ref rd, (nuint)(i + W));
            x2.StoreUnsafe(ref rd, (nuint)(i + 2 * W)); x3.StoreUnsafe(ref rd, (nuint)(i + 3 * W));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NoisyBackwardLoop<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref T rx, ref T rg,
        ref T rd, int n, Span<Vector512<T>> acc, Span<Vector512<ulong>> words, Span<Vector512<T>> f) where TQ : IPauDenominator<T>
    {
        var co = new Coefficients(a, b);
        ref var fr = ref MemoryMarshal.GetReference(f);
        ref var ac = ref MemoryMarshal.GetReference(acc);
        for (int i = 0; i + W <= n; i += W)
        {
            noise.Factors(first + i, words, f);
            var v = PauNoiseLanes<T>.In(Vector512.LoadUnsafe(ref rx, (nuint)i));
            var g = PauNoiseLanes<T>.In(Vector512.LoadUnsafe(ref rg, (nuint)i));
            PauNoiseLanes<T>.Out(NoisyStep<TQ>(v, g, ref fr, co, ref ac)).StoreUnsafe(ref rd, (nuint)i);
        }
    }
}
