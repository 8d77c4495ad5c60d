using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// Fused kernels of the learnable baselines (PReLU, APL, SReLU, SLAF) and Maxout: one pass for the forward, one
/// pass for the backward that writes dx and sums the parameter gradients per <see cref="ChannelWork"/> piece.
/// Formulas: see the methods of <see cref="Backend"/> they override.
/// </summary>
public sealed partial class CpuBackend
{
    private static bool IsSingle(Tensor t) => t.DType == DType.Float32;

    // ---- PReLU (SIMD: it sits in hot paths of conv nets) --------------------------------------------------------

    public override void PRelu(Tensor x, Tensor weight, Tensor y, ChannelLayout layout)
    {
        if (IsSingle(x)) PRelu<float>(x, weight, y, layout); else PRelu<double>(x, weight, y, layout);
    }

    private static void PRelu<T>(Tensor x, Tensor weight, Tensor y, ChannelLayout l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ya = Array<T>(y); var w = Span<T>(weight).ToArray();
        long xo = x.Offset, yo = y.Offset;
        ChannelWork.ForEach(l, p =>
        {
            var vw = Vector512.Create(w[p.Channel]);
            for (long o = p.Row0; o < p.Row1; o++)
            {
                long b = (o * l.Channels + p.Channel) * l.Inner + p.S0;
                int n = (int)(p.S1 - p.S0), i = 0;
                var xs = xa.AsSpan((int)(xo + b), n); var ys = ya.AsSpan((int)(yo + b), n);
                if (CpuIsa.Vectors)
                {
                    ref T rx = ref MemoryMarshal.GetReference(xs); ref T ry = ref MemoryMarshal.GetReference(ys);
                    for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                    {
                        var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
                        Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<T>.Zero), v, v * vw).StoreUnsafe(ref ry, (nuint)i);
                    }
                }
                for (; i < n; i++) ys[i] = xs[i] > T.Zero ? xs[i] : w[p.Channel] * xs[i];
            }
        });
    }

    public override void PReluBackward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, ChannelLayout layout)
    {
        if (IsSingle(x)) PReluBackward<float>(x, weight, dy, dx, dweight, layout); else PReluBackward<double>(x, weight, dy, dx, dweight, layout);
    }

    private static void PReluBackward<T>(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, ChannelLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ga = Array<T>(dy); var da = Array<T>(dx); var w = Span<T>(weight).ToArray();
        long xo = x.Offset, go = dy.Offset, dxo = dx.Offset;
        var totals = ChannelWork.Reduce(l, 1, (p, partial) =>
        {
            T wc = w[p.Channel];
            var vw = Vector512.Create(wc);
            double sum = 0;
            for (long o = p.Row0; o < p.Row1; o++)
            {
                long b = (o * l.Channels + p.Channel) * l.Inner + p.S0;
                int n = (int)(p.S1 - p.S0), i = 0;
                var xs = xa.AsSpan((int)(xo + b), n); var gs = ga.AsSpan((int)(go + b), n); var ds = da.AsSpan((int)(dxo + b), n);
                T acc = T.Zero;
                if (CpuIsa.Vectors)
                {
                    ref T rx = ref MemoryMarshal.GetReference(xs); ref T rg = ref MemoryMarshal.GetReference(gs); ref T rd = ref MemoryMarshal.GetReference(ds);
                    var vacc = Vector512<T>.Zero;
                    for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                    {
                        var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
                        var g = Vector512.LoadUnsafe(ref rg, (nuint)i);
                        var pos = Vector512.GreaterThan(v, Vector512<T>.Zero);
                        Vector512.ConditionalSelect(pos, g, g * vw).StoreUnsafe(ref rd, (nuint)i);
                        vacc += Vector512.ConditionalSelect(pos, Vector512<T>.Zero, g * v);
                    }
                    acc = Vector512.Sum(vacc);
                }
                for (; i < n; i++)
                {
                    if (xs[i] > T.Zero) ds[i] = gs[i];
                    else { ds[i] = wc * gs[i]; acc += gs[i] * xs[i]; }
                }
                sum += double.CreateTruncating(acc);
            }
            partial[0] = sum;
        });
        ChannelWork.Store<T>(totals, dweight);
    }

    // ---- APL -----------------------------------------------------------------------------------------------------

    public override void Apl(Tensor x, Tensor a, Tensor b, Tensor y, ChannelLayout layout)
    {
        if (IsSingle(x)) Apl<float>(x, a, b, y, layout); else Apl<double>(x, a, b, y, layout);
    }

    private static void Apl<T>(Tensor x, Tensor a, Tensor b, Tensor y, ChannelLayout l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ya = Array<T>(y); var av = Span<T>(a).ToArray(); var bv = Span<T>(b).ToArray();
        long xo = x.Offset, yo = y.Offset;
        int hinges = a.Size(0), C = l.Channels;
        ChannelWork.ForEach(l, p =>
        {
            for (long o = p.Row0; o < p.Row1; o++)
                for (long s = p.S0, i = (o * C + p.Channel) * l.Inner + s; s < p.S1; s++, i++)
                {
                    T v = xa[xo + i], r = T.Max(v, T.Zero);
                    for (int h = 0; h < hinges; h++) r += av[h * C + p.Channel] * T.Max(bv[h * C + p.Channel] - v, T.Zero);
                    ya[yo + i] = r;
                }
        });
    }

    public override void AplBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db, ChannelLayout layout)
    {
        if (IsSingle(x)) AplBackward<float>(x, a, b, dy, dx, da, db, layout); else AplBackward<double>(x, a, b, dy, dx, da, db, layout);
    }

    private static void AplBackward<T>(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db, ChannelLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ga = Array<T>(dy); var dxa = Array<T>(dx); var av = Span<T>(a).ToArray(); var bv = Span<T>(b).ToArray();
        long xo = x.Offset, go = dy.Offset, dxo = dx.Offset;
        int S = a.Size(0), C = l.Channels;
        // partial[h] = Σ dy·max(0, b_h − x), partial[S + h] = Σ dy·a_h·1[b_h − x > 0]
        var totals = ChannelWork.Reduce(l, 2 * S, (p, partial) =>
        {
            for (long o = p.Row0; o < p.Row1; o++)
                for (long s = p.S0, i = (o * C + p.Channel) * l.Inner + s; s < p.S1; s++, i++)
                {
                    T v = xa[xo + i], g = ga[go + i], d = v > T.Zero ? T.One : T.Zero;
                    double gd = double.CreateTruncating(g);
                    for (int h = 0; h < S; h++)
                    {
                        T ah = av[h * C + p.Channel], u = bv[h * C + p.Channel] - v;
                        if (u > T.Zero)
                        {
                            d -= ah;
                            partial[h] += gd * double.CreateTruncating(u);
                            partial[S + h] += gd * double.CreateTruncating(ah);
                        }
                    }
                    dxa[dxo + i] = g * d;
                }
        });
        var das = Span<T>(da); var dbs = Span<T>(db);
        for (int c = 0; c < C; c++)
            for (int h = 0; h < S; h++)
            {
                das[h * C + c] = T.CreateTruncating(totals[c * 2 * S + h]);
                dbs[h * C + c] = T.CreateTruncating(totals[c * 2 * S + S + h]);
            }
    }

    // ---- SReLU ---------------------------------------------------------------------------------------------------

    public override void SRelu(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor y, ChannelLayout layout)
    {
        if (IsSingle(x)) SRelu<float>(x, tl, al, tr, ar, y, layout); else SRelu<double>(x, tl, al, tr, ar, y, layout);
    }

    private static void SRelu<T>(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor y, ChannelLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ya = Array<T>(y);
        T[] tlv = Span<T>(tl).ToArray(), alv = Span<T>(al).ToArray(), trv = Span<T>(tr).ToArray(), arv = Span<T>(ar).ToArray();
        long xo = x.Offset, yo = y.Offset;
        ChannelWork.ForEach(l, p =>
        {
            int c = p.Channel;
            for (long o = p.Row0; o < p.Row1; o++)
                for (long s = p.S0, i = (o * l.Channels + c) * l.Inner + s; s < p.S1; s++, i++)
                {
                    T v = xa[xo + i];
                    ya[yo + i] = v >= trv[c] ? trv[c] + arv[c] * (v - trv[c])
                        : v <= tlv[c] ? tlv[c] + alv[c] * (v - tlv[c]) : v;
                }
        });
    }

    public override void SReluBackward(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor dy, Tensor dx,
        Tensor dtl, Tensor dal, Tensor dtr, Tensor dar, ChannelLayout layout)
    {
        if (IsSingle(x)) SReluBackward<float>(x, tl, al, tr, ar, dy, dx, dtl, dal, dtr, dar, layout);
        else SReluBackward<double>(x, tl, al, tr, ar, dy, dx, dtl, dal, dtr, dar, layout);
    }

    private static void SReluBackward<T>(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor dy, Tensor dx,
        Tensor dtl, Tensor dal, Tensor dtr, Tensor dar, ChannelLayout l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ga = Array<T>(dy); var dxa = Array<T>(dx);
        T[] tlv = Span<T>(tl).ToArray(), alv = Span<T>(al).ToArray(), trv = Span<T>(tr).ToArray(), arv = Span<T>(ar).ToArray();
        long xo = x.Offset, go = dy.Offset, dxo = dx.Offset;
        // partial = [dt_l, da_l, dt_r, da_r]
        var totals = ChannelWork.Reduce(l, 4, (p, partial) =>
        {
            int c = p.Channel;
            for (long o = p.Row0; o < p.Row1; o++)
                for (long s = p.S0, i = (o * l.Channels + c) * l.Inner + s; s < p.S1; s++, i++)
                {
                    T v = xa[xo + i], g = ga[go + i];
                    if (v >= trv[c])
                    {
                        dxa[dxo + i] = arv[c] * g;
                        partial[2] += double.CreateTruncating((T.One - arv[c]) * g);
                        partial[3] += double.CreateTruncating((v - trv[c]) * g);
                    }
                    else if (v <= tlv[c])
                    {
                        dxa[dxo + i] = alv[c] * g;
                        partial[0] += double.CreateTruncating((T.One - alv[c]) * g);
                        partial[1] += double.CreateTruncating((v - tlv[c]) * g);
                    }
                    else dxa[dxo + i] = g;
                }
        });
        Span<T> a0 = Span<T>(dtl), a1 = Span<T>(dal), a2 = Span<T>(dtr), a3 = Span<T>(dar);
        for (int c = 0; c < l.Channels; c++)
        {
            a0[c] = T.CreateTruncating(totals[4 * c]);
            a1[c] = T.CreateTruncating(totals[4 * c + 1]);
            a2[c] = T.CreateTruncating(totals[4 * c + 2]);
            a3[c] = T.CreateTruncating(totals[4 * c + 3]);
        }
    }

    // ---- SLAF ----------------------------------------------------------------------------------------------------

    public override void Slaf(Tensor x, Tensor coefficients, Tensor y, ChannelLayout layout)
    {
        if (IsSingle(x)) Slaf<float>(x, coefficients, y, layout); else Slaf<double>(x, coefficients, y, layout);
    }

    private static void Slaf<T>(Tensor x, Tensor coefficients, Tensor y, ChannelLayout l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ya = Array<T>(y); var cv = Span<T>(coefficients).ToArray();
        long xo = x.Offset, yo = y.Offset;
        int width = coefficients.Size(1);
        ChannelWork.ForEach(l, p =>
        {
            int c0 = p.Channel * width;
            for (long o = p.Row0; o < p.Row1; o++)
                for (long s = p.S0, i = (o * l.Channels + p.Channel) * l.Inner + s; s < p.S1; s++, i++)
                {
                    T v = xa[xo + i], r = cv[c0 + width - 1];
                    for (int k = width - 2; k >= 0; k--) r = r * v + cv[c0 + k];
                    ya[yo + i] = r;
                }
        });
    }

    public override void SlafBackward(Tensor x, Tensor coefficients, Tensor dy, Tensor dx, Tensor dcoefficients, ChannelLayout layout)
    {
        if (IsSingle(x)) SlafBackward<float>(x, coefficients, dy, dx, dcoefficients, layout);
        else SlafBackward<double>(x, coefficients, dy, dx, dcoefficients, layout);
    }

    private static void SlafBackward<T>(Tensor x, Tensor coefficients, Tensor dy, Tensor dx, Tensor dcoefficients, ChannelLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ga = Array<T>(dy); var dxa = Array<T>(dx); var cv = Span<T>(coefficients).ToArray();
        long xo = x.Offset, go = dy.Offset, dxo = dx.Offset;
        int width = coefficients.Size(1);
        var totals = ChannelWork.Reduce(l, width, (p, partial) =>
        {
            int c0 = p.Channel * width;
            for (long o = p.Row0; o < p.Row1; o++)
                for (long s = p.S0, i = (o * l.Channels + p.Channel) * l.Inner + s; s < p.S1; s++, i++)
                {
                    T v = xa[xo + i], g = ga[go + i];
                    // P' by Horner alongside P (P itself is not needed): p_k = p_{k+1} v + a_k, p'_k = p'_{k+1} v + p_{k+1}.
                    T r = cv[c0 + width - 1], dr = T.Zero;
                    for (int k = width - 2; k >= 0; k--) { dr = dr * v + r; r = r * v + cv[c0 + k]; }
                    dxa[dxo + i] = g * dr;
                    T pw = g;                                   // dy·x^k
                    for (int k = 0; k < width; k++) { partial[k] += double.CreateTruncating(pw); pw *= v; }
                }
        });
        ChannelWork.Store<T>(totals, dcoefficients);
    }

    // ---- Maxout --------------------------------------------------------------------------------------------------

    public override void Maxout(Tensor x, Tensor y, Tensor argmax, int pieces, long outer, int groups, long inner)
    {
        if (IsSingle(x)) Maxout<float>(x, y, argmax, pieces, outer, groups, inner); else Maxout<double>(x, y, argmax, pieces, outer, groups, inner);
    }

    private static void Maxout<T>(Tensor x, Tensor y, Tensor argmax, int k, long outer, int groups, long inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ya = Array<T>(y); var ia = Array<int>(argmax);
        long xo = x.Offset, yo = y.Offset, io = argmax.Offset;
        CpuParallel.For((int)(outer * groups), row =>
        {
            long xb = xo + row * k * inner, yb = row * inner;
            for (long s = 0; s < inner; s++)
            {
                T best = xa[xb + s];
                int bi = 0;
                for (int j = 1; j < k; j++)
                {
                    T v = xa[xb + j * inner + s];
                    if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; bi = j; }
                }
                ya[yo + yb + s] = best;
                ia[io + yb + s] = bi;
            }
        }, k * inner);
    }

    public override void MaxoutBackward(Tensor dy, Tensor argmax, Tensor dx, int pieces, long outer, int groups, long inner)
    {
        if (IsSingle(dy)) MaxoutBackward<float>(dy, argmax, dx, pieces, outer, groups, inner);
        else MaxoutBackward<double>(dy, argmax, dx, pieces, outer, groups, inner);
    }

    private static void MaxoutBackward<T>(Tensor dy, Tensor argmax, Tensor dx, int k, long outer, int groups, long inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ga = Array<T>(dy); var ia = Array<int>(argmax); var da = Array<T>(dx);
        long go = dy.Offset, io = argmax.Offset, dxo = dx.Offset;
        CpuParallel.For((int)(outer * groups), row =>
        {
            long xb = dxo + row * k * inner, yb = row * inner;
            da.AsSpan((int)xb, (int)(k * inner)).Clear();
            for (long s = 0; s < inner; s++) da[xb + ia[io + yb + s] * inner + s] = ga[go + yb + s];
        }, k * inner);
    }
}
