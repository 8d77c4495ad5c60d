using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

/// <summary>
/// Fused PAU forward and backward on the CPU, float and double from the same code (formulas: <see cref="PauMath"/>).
/// <para>
/// Vectorisation: the lanes of a Vector512 hold 16 (float) or 8 (double) consecutive input elements, and every
/// polynomial is evaluated by Horner's rule in vector registers, coefficients broadcast to all lanes. The backward
/// computes P, P', Q, Q' once per element and from them dx and all m + 1 + nb coefficient gradients, which are
/// accumulated in one vector per coefficient (lane l sums the elements l, l + 16, ...). A row tail shorter than a
/// vector is padded with x = 0, dy = 0, whose contributions are exactly zero, so there is no scalar copy of the
/// formulas to keep in step.
/// </para>
/// <para>
/// Determinism: work is cut into <see cref="ChannelWork"/> pieces fixed by the shape; each piece reduces its
/// accumulators to doubles, and the pieces of a channel are summed in order: the gradients are bit-identical for
/// any thread count.
/// </para>
/// <para>
/// Noise (RPAU): the coefficient vectors become per-lane, built for each vector of elements from the factors
/// of <see cref="PauNoise"/>, drawn by <see cref="PauNoiseLanes{T}"/> from Philox rounds in registers (nothing
/// stored; the backward draws them again), and each coefficient gradient term is multiplied by its factor (the chain
/// rule through c̃ = c·factor). In float the noisy loops work in the lane order of the factors (x, dy permuted in, y
/// and dx permuted back). The Philox rounds (10 words per element) are most of the cost.
/// </para>
/// <para>
/// Speed: the degrees (5, 4) of the paper (versions A, B, D, with or without noise) go to <see cref="PauKernel54{T}"/>, whose
/// loops keep every coefficient and accumulator in a register. The loops here take spans of coefficient vectors, so
/// any degrees work. Hot loops live in methods without calls (NoInlining): a call inside the loop's method makes the
/// JIT spill the vectors it keeps across it on every iteration. Inputs whose channel rows are shorter than a vector
/// (per-channel coefficients on [N, C]) run one padded vector per row: correct, but up to 16 times the work.
/// </para>
/// </summary>
public static class PauKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static int W => Vector512<T>.Count;
    private static bool Single => typeof(T) == typeof(float);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Sign(Vector512<T> v) =>
        Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<T>.Zero), -Vector512<T>.One, Vector512<T>.One);

    public static void Forward(Tensor x, Tensor numerator, Tensor denominator, Tensor y, PauVersion version, ChannelLayout layout, PauNoise noise)
    {
        switch (version)
        {
            case PauVersion.A: Forward<PauDenominatorA<T>>(x, numerator, denominator, y, layout, noise); break;
            case PauVersion.C: Forward<PauDenominatorC<T>>(x, numerator, denominator, y, layout, noise); break;
            default: Forward<PauDenominatorB<T>>(x, numerator, denominator, y, layout, noise); break;
        }
    }

    public static void Backward(Tensor x, Tensor dy, Tensor numerator, Tensor denominator, Tensor dx, Tensor dnumerator,
        Tensor ddenominator, PauVersion version, ChannelLayout layout, PauNoise noise)
    {
        switch (version)
        {
            case PauVersion.A: Backward<PauDenominatorA<T>>(x, dy, numerator, denominator, dx, dnumerator, ddenominator, layout, noise); break;
            case PauVersion.C: Backward<PauDenominatorC<T>>(x, dy, numerator, denominator, dx, dnumerator, ddenominator, layout, noise); break;
            default: Backward<PauDenominatorB<T>>(x, dy, numerator, denominator, dx, dnumerator, ddenominator, layout, noise); break;
        }
    }

    /// <summary>Broadcasts channel c's coefficients (denominator prepared for the version) into a and b.</summary>
    private static void LoadCoefficients<TQ>(T[] av, T[] bv, int c, Span<Vector512<T>> a, Span<Vector512<T>> b) where TQ : IPauDenominator<T>
    {
        for (int j = 0; j < a.Length; j++) a[j] = Vector512.Create(av[c * a.Length + j]);
        for (int k = 0; k < b.Length; k++) b[k] = Vector512.Create(TQ.Prepare(bv[c * b.Length + k]));
    }

    /// <summary>Per-lane noisy coefficients from the factors f (f[0..na) numerator, f[na..) denominator):
    /// a[j] = a_j·f[j], b[k] = prepared(b_k)·f[na + k].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Noisy(ReadOnlySpan<T> av, ReadOnlySpan<T> bp, ReadOnlySpan<Vector512<T>> f, Span<Vector512<T>> a, Span<Vector512<T>> b)
    {
        for (int j = 0; j < a.Length; j++) a[j] = f[j] * Vector512.Create(av[j]);
        for (int k = 0; k < b.Length; k++) b[k] = f[a.Length + k] * Vector512.Create(bp[k]);
    }

    /// <summary>Noisy forward of n elements (a multiple of the vector width) starting at element <paramref name="first"/>
    /// of the call (av, bp: this channel's coefficients, the denominator prepared).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NoisyForwardLoop<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> av, ReadOnlySpan<T> bp,
        ReadOnlySpan<T> x, Span<T> y, int n) where TQ : IPauDenominator<T>
    {
        int na = av.Length, nb = bp.Length;
        Span<Vector512<T>> a = stackalloc Vector512<T>[na], b = stackalloc Vector512<T>[nb], f = stackalloc Vector512<T>[na + nb];
        Span<Vector512<ulong>> words = stackalloc Vector512<ulong>[noise.WordVectors];
        for (int i = 0; i + W <= n; i += W)
        {
            noise.Factors(first + i, words, f);
            Noisy(av, bp, f, a, b);
            PauNoiseLanes<T>.Out(Value<TQ>(PauNoiseLanes<T>.In(Vector512.Create(x.Slice(i, W))), a, b)).CopyTo(y.Slice(i, W));
        }
    }

    /// <summary>Noisy backward of n elements (a multiple of the vector width) from element <paramref name="first"/>:
    /// dx, and the coefficient sums (each term times its factor) added to acc.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NoisyBackwardLoop<TQ>(PauNoiseLanes<T> noise, long first, ReadOnlySpan<T> av, ReadOnlySpan<T> bp,
        ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> dx, int n, Span<Vector512<T>> acc) where TQ : IPauDenominator<T>
    {
        int na = av.Length, nb = bp.Length;
        Span<Vector512<T>> a = stackalloc Vector512<T>[na], b = stackalloc Vector512<T>[nb], f = stackalloc Vector512<T>[na + nb];
        Span<Vector512<ulong>> words = stackalloc Vector512<ulong>[noise.WordVectors];
        for (int i = 0; i + W <= n; i += W)
        {
            noise.Factors(first + i, words, f);
            Noisy(av, bp, f, a, b);
            var d = Step<TQ>(PauNoiseLanes<T>.In(Vector512.Create(x.Slice(i, W))), PauNoiseLanes<T>.In(Vector512.Create(g.Slice(i, W))),
                a, b, acc, true, f[..na], f[na..]);
            PauNoiseLanes<T>.Out(d).CopyTo(dx.Slice(i, W));
        }
    }

    /// <summary>Whether the written-out (5, 4) kernel of <see cref="PauKernel54{T}"/> handles this call.</summary>
    private static bool UseFixed<TQ>(int na, int nb) where TQ : IPauDenominator<T> =>
        PauKernel54<T>.Enabled && na == 6 && nb == 4 && !TQ.ConstantTerm;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Value<TQ>(Vector512<T> x, ReadOnlySpan<Vector512<T>> a, ReadOnlySpan<Vector512<T>> b) where TQ : IPauDenominator<T>
    {
        var p = a[^1];
        for (int j = a.Length - 2; j >= 0; j--) p = VMath.Fma(p, x, a[j]);
        return p / TQ.Q(x, b);
    }

    /// <summary>y = F(x) for n elements (a multiple of the vector width), same coefficients for all.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardLoop<TQ>(ReadOnlySpan<Vector512<T>> a, ReadOnlySpan<Vector512<T>> b, ref T rx, ref T ry, int n)
        where TQ : IPauDenominator<T>
    {
        for (int i = 0; i + W <= n; i += W) Value<TQ>(Vector512.LoadUnsafe(ref rx, (nuint)i), a, b).StoreUnsafe(ref ry, (nuint)i);
    }

    private static void Forward<TQ>(Tensor x, Tensor numerator, Tensor denominator, Tensor y, ChannelLayout l, PauNoise noise)
        where TQ : IPauDenominator<T>
    {
        T[] xa = CpuBackend.Array<T>(x), ya = CpuBackend.Array<T>(y);
        T[] av = CpuBackend.Span<T>(numerator).ToArray(), bv = CpuBackend.Span<T>(denominator).ToArray();
        T[] bp = bv.Select(TQ.Prepare).ToArray();
        long xo = x.Offset, yo = y.Offset;
        int na = numerator.Size(1), nb = denominator.Size(1), K = na + nb;
        bool fixed54 = UseFixed<TQ>(na, nb);
        var lanes = noise.IsActive ? new PauNoiseLanes<T>(noise, K) : null;
        ChannelWork.ForEach(l, p =>
        {
            Span<Vector512<T>> a = stackalloc Vector512<T>[na], b = stackalloc Vector512<T>[nb];
            Span<T> tx = stackalloc T[W], ty = stackalloc T[W];
            LoadCoefficients<TQ>(av, bv, p.Channel, a, b);
            ReadOnlySpan<T> ac = av.AsSpan(p.Channel * na, na), bc = bp.AsSpan(p.Channel * nb, nb);
            int n = (int)(p.S1 - p.S0), full = n - n % W;
            for (long o = p.Row0; o < p.Row1; o++)
            {
                long start = (o * l.Channels + p.Channel) * l.Inner + p.S0;
                var xs = xa.AsSpan((int)(xo + start), n);
                var ys = ya.AsSpan((int)(yo + start), n);
                if (fixed54)
                {
                    if (lanes == null) PauKernel54<T>.Forward<TQ>(ac, bc, xs, ys);
                    else PauKernel54<T>.NoisyForward<TQ>(lanes, start, ac, bc, xs, ys);
                    continue;
                }
                if (lanes == null) ForwardLoop<TQ>(a, b, ref xs[0], ref ys[0], full);
                else NoisyForwardLoop<TQ>(lanes, start, ac, bc, xs, ys, full);
                if (full < n)
                {
                    // The tail, zero-padded to a whole vector (noisy: with the numbers of the elements that would follow).
                    tx.Clear();
                    xs[full..].CopyTo(tx);
                    if (lanes == null) ForwardLoop<TQ>(a, b, ref tx[0], ref ty[0], W);
                    else NoisyForwardLoop<TQ>(lanes, start + full, ac, bc, tx, ty, W);
                    ty[..(n - full)].CopyTo(ys[full..]);
                }
            }
        });
    }

    /// <summary>One vector of the backward: returns dx and adds each coefficient's gradient terms to acc
    /// (acc[0..na) numerator, acc[na..) denominator; version A's sign(b_k) is applied after the sum), each term times
    /// its noise factor when <paramref name="noisy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Step<TQ>(Vector512<T> x, Vector512<T> g, ReadOnlySpan<Vector512<T>> a, ReadOnlySpan<Vector512<T>> b,
        Span<Vector512<T>> acc, bool noisy, ReadOnlySpan<Vector512<T>> fa, ReadOnlySpan<Vector512<T>> fb) where TQ : IPauDenominator<T>
    {
        // P and P' together: p_j = p_{j+1}·x + a_j, p'_j = p'_{j+1}·x + p_{j+1}.
        Vector512<T> p = a[^1], dp = Vector512<T>.Zero;
        for (int j = a.Length - 2; j >= 0; j--) { dp = VMath.Fma(dp, x, p); p = VMath.Fma(p, x, a[j]); }
        TQ.WithDerivative(x, b, out var q, out var dq, out var s, out var basis);
        var invQ = Vector512<T>.One / q;
        var mpq2 = -(p * invQ) * invQ;                              // −P/Q²
        var dx = g * VMath.Fma(mpq2, dq, dp * invQ);                // dy·(P'/Q − P·Q'/Q²)

        int na = a.Length;
        var pw = g * invQ;                                          // dy·x^j/Q, j = 0, 1, ...
        for (int j = 0; j < na; j++)
        {
            acc[j] += noisy ? pw * fa[j] : pw;
            pw *= x;
        }
        var c = g * mpq2 * s;                                       // dy·(−P/Q²)·s, times basis^k
        pw = TQ.ConstantTerm ? c : c * basis;
        for (int k = 0; k < b.Length; k++)
        {
            acc[na + k] += noisy ? pw * fb[k] : pw;
            pw *= basis;
        }
        return dx;
    }

    /// <summary>dx and the coefficient sums (added to acc) for n elements, a multiple of the vector width; no noise.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BackwardLoop<TQ>(ReadOnlySpan<Vector512<T>> a, ReadOnlySpan<Vector512<T>> b, ref T rx, ref T rg, ref T rd, int n,
        Span<Vector512<T>> acc) where TQ : IPauDenominator<T>
    {
        for (int i = 0; i + W <= n; i += W)
            Step<TQ>(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref rg, (nuint)i), a, b, acc, false, default, default)
                .StoreUnsafe(ref rd, (nuint)i);
    }

    private static void Backward<TQ>(Tensor x, Tensor dy, Tensor numerator, Tensor denominator, Tensor dx, Tensor dnumerator,
        Tensor ddenominator, ChannelLayout l, PauNoise noise) where TQ : IPauDenominator<T>
    {
        T[] xa = CpuBackend.Array<T>(x), ga = CpuBackend.Array<T>(dy), dxa = CpuBackend.Array<T>(dx);
        T[] av = CpuBackend.Span<T>(numerator).ToArray(), bv = CpuBackend.Span<T>(denominator).ToArray();
        T[] bp = bv.Select(TQ.Prepare).ToArray();
        long xo = x.Offset, go = dy.Offset, dxo = dx.Offset;
        int na = numerator.Size(1), nb = denominator.Size(1), K = na + nb;
        bool fixed54 = UseFixed<TQ>(na, nb);
        var lanes = noise.IsActive ? new PauNoiseLanes<T>(noise, K) : null;
        var totals = ChannelWork.Reduce(l, K, (p, partial) =>
        {
            Span<Vector512<T>> a = stackalloc Vector512<T>[na], b = stackalloc Vector512<T>[nb];
            Span<Vector512<T>> acc = stackalloc Vector512<T>[K];
            Span<T> tx = stackalloc T[W], tg = stackalloc T[W], td = stackalloc T[W];
            acc.Clear();
            LoadCoefficients<TQ>(av, bv, p.Channel, a, b);
            ReadOnlySpan<T> ac = av.AsSpan(p.Channel * na, na), bc = bp.AsSpan(p.Channel * nb, nb);
            int n = (int)(p.S1 - p.S0), full = n - n % W;
            for (long o = p.Row0; o < p.Row1; o++)
            {
                long start = (o * l.Channels + p.Channel) * l.Inner + p.S0;
                var xs = xa.AsSpan((int)(xo + start), n);
                var gs = ga.AsSpan((int)(go + start), n);
                var ds = dxa.AsSpan((int)(dxo + start), n);
                if (fixed54)
                {
                    if (lanes == null) PauKernel54<T>.Backward<TQ>(ac, bc, xs, gs, ds, partial.AsSpan(0, na), partial.AsSpan(na, nb));
                    else PauKernel54<T>.NoisyBackward<TQ>(lanes, start, ac, bc, xs, gs, ds, partial.AsSpan(0, na), partial.AsSpan(na, nb));
                    continue;
                }
                if (lanes == null) BackwardLoop<TQ>(a, b, ref xs[0], ref gs[0], ref ds[0], full, acc);
                else NoisyBackwardLoop<TQ>(lanes, start, ac, bc, xs, gs, ds, full, acc);
                if (full < n)
                {
                    // The tail, zero-padded: lanes with x = 0 (Q finite there, noisy or not) and dy = 0 add exactly
                    // zero to every sum.
                    tx.Clear(); tg.Clear();
                    xs[full..].CopyTo(tx);
                    gs[full..].CopyTo(tg);
                    if (lanes == null) BackwardLoop<TQ>(a, b, ref tx[0], ref tg[0], ref td[0], W, acc);
                    else NoisyBackwardLoop<TQ>(lanes, start + full, ac, bc, tx, tg, td, W, acc);
                    td[..(n - full)].CopyTo(ds[full..]);
                }
            }
            // Noisy sums sit in the factors' lane order: back to element order first, so that the lane sum adds in the
            // same order as without the permutation.
            if (!fixed54)
                for (int k = 0; k < K; k++) partial[k] = double.CreateTruncating(Vector512.Sum(lanes == null ? acc[k] : PauNoiseLanes<T>.Out(acc[k])));
        });

        var dA = CpuBackend.Span<T>(dnumerator);
        var dB = CpuBackend.Span<T>(ddenominator);
        bool absolute = typeof(TQ) == typeof(PauDenominatorA<T>);
        for (int c = 0; c < l.Channels; c++)
        {
            for (int j = 0; j < na; j++) dA[c * na + j] = T.CreateTruncating(totals[c * K + j]);
            for (int k = 0; k < nb; k++)
            {
                double sign = absolute ? PauMath.Sign(double.CreateTruncating(bv[c * nb + k])) : 1.0;   // ∂|b|/∂b = sgn(b), sgn(0) = +1
                dB[c * nb + k] = T.CreateTruncating(sign * totals[c * K + na + k]);
            }
        }
    }
}
