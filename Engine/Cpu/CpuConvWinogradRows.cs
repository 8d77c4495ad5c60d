using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// The tile transforms of Winograd's F(2x2, 3x3) (CpuConvWinograd.cs) a row of tiles at a time, with the tiles of
/// the row in the lanes of a vector. Tile tx of a row reads (or writes) the plane's columns 2tx .. 2tx + 3, so a
/// plane is first split: each of its rows is stored as its even columns E then its odd columns O, and tile tx's
/// four columns become E[tx], O[tx], E[tx + 1], O[tx + 1], four contiguous loads for consecutive tiles. The
/// transformed planes V, M and Z hold a row's tiles contiguously, so their sixteen loads or stores are contiguous
/// too. Each kernel is written once over <see cref="ILanes{TSelf, T}"/>: 512-bit vectors while a row has that many
/// tiles left, then 128-bit ones, then single elements, every lane the scalar expression in the scalar order, so
/// the bits do not depend on the width (the input adjoint adds its shifted columns first for that reason, see
/// there). Tests/Layers/ConvWinogradTests.cs compares the vector runs with the single-element ones bit for bit.
/// Each plane driver spells out the three widths it runs: one generic driver over a row-kernel struct
/// (IWinogradRow.Run&lt;V&gt;) measured 20–60 % slower input transforms in an alternating A/B, so it was not kept.
/// </summary>
public sealed partial class CpuBackend
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void WinogradInputOne<T>(T[] x, int xo, int s0, int ns, T[] v, int p, int c, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, cp = WinogradStride(g.C * p), w = t.PadW, half = t.TW + 1, tw = t.TW;
        var pad = WinogradScratch<T>.Plane(t.PadH * t.PadW + PadSplitSlack);
        fixed (T* pp = pad, vp = v)
            for (int s = 0; s < ns; s++)
            {
                PadSplit<T>(x.AsSpan(xo + ((s0 + s) * g.C + c) * hw, hw), pad, g, t);
                T* col = vp + c * p + s * t.PerImage;
                for (int ty = 0; ty < t.TH; ty++, col += tw)
                {
                    T* d = pp + 2 * ty * w;
                    int tx = 0;
                    if (WinogradLanes.Applies) tx = WinogradInputRow<T, Lanes512<T>>(d, w, half, col, cp, tx, tw);
                    if (WinogradLanes.Rows128) tx = WinogradInputRow<T, Lanes128<T>>(d, w, half, col, cp, tx, tw);
                    WinogradInputRow<T, Lane1<T>>(d, w, half, col, cp, tx, tw);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void WinogradOutputOne<T>(T[] m, int p, T[] y, int yo, T[]? bias, int bo, int s0, int ns, int k, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OH * g.OW, kp = WinogradStride(g.K * p), tw = t.TW;
        T b = bias == null ? T.Zero : bias[bo + k];
        // The two output rows of a tile row, split into their even and odd columns (4 rows of TW).
        var rows = WinogradScratch<T>.Plane(4 * tw);
        fixed (T* mp = m, o = rows)
            for (int s = 0; s < ns; s++)
            {
                var plane = y.AsSpan(yo + ((s0 + s) * g.K + k) * ohw, ohw);
                T* col = mp + k * p + s * t.PerImage;
                for (int ty = 0; ty < t.TH; ty++, col += tw)
                {
                    int tx = 0;
                    if (WinogradLanes.Applies) tx = WinogradOutputRow<T, Lanes512<T>>(col, kp, o, tw, b, tx, tw);
                    if (WinogradLanes.Rows128) tx = WinogradOutputRow<T, Lanes128<T>>(col, kp, o, tw, b, tx, tw);
                    WinogradOutputRow<T, Lane1<T>>(col, kp, o, tw, b, tx, tw);
                    // Interleaved back into y, keeping the outputs inside it (a half tile at an odd edge).
                    for (int r = 0; r < 2 && 2 * ty + r < g.OH; r++)
                    {
                        var dst = plane.Slice((2 * ty + r) * g.OW, g.OW);
                        T* src = o + 2 * r * tw;
                        for (int ow = 0; ow < g.OW; ow++) dst[ow] = src[(ow & 1) * tw + (ow >> 1)];
                    }
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void WinogradOutputAdjointOne<T>(T[] dy, int dyo, T[] z, int p, int s0, int ns, int k, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OH * g.OW, kp = WinogradStride(g.K * p), tw = t.TW;
        // The two rows of dy under a tile row, split into their even and odd columns (4 rows of TW), zeros past dy.
        var rows = WinogradScratch<T>.Plane(4 * tw);
        fixed (T* zp = z, yr = rows)
            for (int s = 0; s < ns; s++)
            {
                var plane = dy.AsSpan(dyo + ((s0 + s) * g.K + k) * ohw, ohw);
                T* col = zp + k * p + s * t.PerImage;
                for (int ty = 0; ty < t.TH; ty++, col += tw)
                {
                    rows.Clear();
                    for (int r = 0; r < 2 && 2 * ty + r < g.OH; r++)
                    {
                        var src = plane.Slice((2 * ty + r) * g.OW, g.OW);
                        T* dst = yr + 2 * r * tw;
                        for (int ow = 0; ow < g.OW; ow++) dst[(ow & 1) * tw + (ow >> 1)] = src[ow];
                    }
                    int tx = 0;
                    if (WinogradLanes.Applies) tx = WinogradOutputAdjointRow<T, Lanes512<T>>(yr, tw, col, kp, tx, tw);
                    if (WinogradLanes.Rows128) tx = WinogradOutputAdjointRow<T, Lanes128<T>>(yr, tw, col, kp, tx, tw);
                    WinogradOutputAdjointRow<T, Lane1<T>>(yr, tw, col, kp, tx, tw);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void WinogradInputAdjointOne<T>(T[] dv, int p, T[] dx, int dxo, int s0, int ns, int c, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, cp = WinogradStride(g.C * p), w = t.PadW, half = t.TW + 1, tw = t.TW;
        var pad = WinogradScratch<T>.Plane(t.PadH * t.PadW);
        fixed (T* pp = pad, vp = dv)
            for (int s = 0; s < ns; s++)
            {
                pad.Clear();
                T* col = vp + c * p + s * t.PerImage;
                for (int ty = 0; ty < t.TH; ty++, col += tw)
                {
                    T* d = pp + 2 * ty * w;
                    int tx = 0;
                    if (WinogradLanes.Applies) tx = WinogradInputAdjointRow<T, Lanes512<T>>(col, cp, d, w, half, tx, tw);
                    if (WinogradLanes.Rows128) tx = WinogradInputAdjointRow<T, Lanes128<T>>(col, cp, d, w, half, tx, tw);
                    WinogradInputAdjointRow<T, Lane1<T>>(col, cp, d, w, half, tx, tw);
                }
                // The inside of the split scratch plane is dx's plane; what fell on the padding is dropped.
                var plane = dx.AsSpan(dxo + ((s0 + s) * g.C + c) * hw, hw);
                for (int h = 0; h < g.H; h++)
                {
                    var dst = plane.Slice(h * g.W, g.W);
                    var src = pad.Slice((g.PH + h) * w, w);
                    for (int j = 0; j < g.W; j++)
                    {
                        int at = g.PW + j;
                        dst[j] = src[(at & 1) * half + (at >> 1)];
                    }
                }
            }
    }

    /// <summary>Elements past the split plane that <see cref="PadSplit{T}"/>'s vector rows may write (zeros).</summary>
    private const int PadSplitSlack = 16;

    /// <summary>Plane x (H x W) into the split scratch plane (PadH rows of E | O, each TW + 1 wide) at (PH, PW),
    /// zeros around it; <paramref name="pad"/> has <see cref="PadSplitSlack"/> elements to spare.</summary>
    private static unsafe void PadSplit<T>(ReadOnlySpan<T> x, Span<T> pad, in Conv2dGeometry g, in WinogradTiles t) where T : unmanaged
    {
        pad.Clear();
        int rows = Math.Min(g.H, t.PadH - g.PH), cols = Math.Min(g.W, t.PadW - g.PW), half = t.TW + 1;
        if (typeof(T) == typeof(float) && Avx512F.IsSupported && WinogradLanes.Enabled && g.W is 4 or 8 or 16 && half <= 16
            && pad.Length >= t.PadH * t.PadW + PadSplitSlack)
        {
            // A row of ResNet's and VGG's planes (4, 8 or 16 wide) in one vector, its halves E and O by one permute
            // each: lane i of E is column 2i − PW of the row, of O column 2i + 1 − PW, zero where that is no column
            // (from lane `half` on there is none: 2·half − PW = 2·TW + 2 − PW ≥ W). Each row stores 16 lanes at E
            // and at O, top to bottom: the lanes past a half are zeros that the next store overwrites or that belong
            // there (padding).
            // The indices and masks by vector arithmetic: they are built per plane, where a scalar loop over the 16
            // lanes took more instructions than copying an 8x8 plane.
            var ie = Vector512<int>.Indices * 2 - Vector512.Create(g.PW);
            var io = ie + Vector512<int>.One;
            var me = (Vector512.GreaterThanOrEqual(ie, Vector512<int>.Zero) & Vector512.LessThan(ie, Vector512.Create(cols))).AsSingle();
            var mo = (Vector512.GreaterThanOrEqual(io, Vector512<int>.Zero) & Vector512.LessThan(io, Vector512.Create(cols))).AsSingle();
            fixed (T* xp = x, pp = pad)
                for (int h = 0; h < rows; h++)
                {
                    float* src = (float*)xp + h * g.W, dst = (float*)pp + (g.PH + h) * t.PadW;
                    Vector512<float> r = g.W switch
                    {
                        4 => Vector512.Create(Vector256.Create(Vector128.Load(src), Vector128<float>.Zero), Vector256<float>.Zero),
                        8 => Vector512.Create(Vector256.Load(src), Vector256<float>.Zero),
                        _ => Vector512.Load(src),
                    };
                    Vector512.Store(Avx512F.PermuteVar16x32(r, ie) & me, dst);
                    Vector512.Store(Avx512F.PermuteVar16x32(r, io) & mo, dst + half);
                }
            return;
        }
        for (int h = 0; h < rows; h++)
        {
            var src = x.Slice(h * g.W, cols);
            var dst = pad.Slice((g.PH + h) * t.PadW, t.PadW);
            for (int j = 0; j < cols; j++)
            {
                int col = g.PW + j;
                dst[(col & 1) * half + (col >> 1)] = src[j];
            }
        }
    }

    /// <summary>V for tiles [tx, tw) of one row: d is the split scratch at the row's top (PadW apart), v tile 0's
    /// element of plane 0 (planes cp apart). Bᵀ d then · B, as the scalar loop wrote it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // each width's instance fully optimized from its first call
    private static unsafe int WinogradInputRow<T, V>(T* d, int w, int half, T* v, int cp, int tx, int tw)
        where T : unmanaged where V : struct, ILanes<V, T>
    {
        for (; tx + V.Count <= tw; tx += V.Count)
        {
            T* e = d + tx, o = d + half + tx;
            V c00 = V.Load(e), c01 = V.Load(o), c02 = V.Load(e + 1), c03 = V.Load(o + 1);
            V c10 = V.Load(e + w), c11 = V.Load(o + w), c12 = V.Load(e + w + 1), c13 = V.Load(o + w + 1);
            V c20 = V.Load(e + 2 * w), c21 = V.Load(o + 2 * w), c22 = V.Load(e + 2 * w + 1), c23 = V.Load(o + 2 * w + 1);
            V c30 = V.Load(e + 3 * w), c31 = V.Load(o + 3 * w), c32 = V.Load(e + 3 * w + 1), c33 = V.Load(o + 3 * w + 1);
            V a00 = c00 - c20, a01 = c01 - c21, a02 = c02 - c22, a03 = c03 - c23;
            V a10 = c10 + c20, a11 = c11 + c21, a12 = c12 + c22, a13 = c13 + c23;
            V a20 = c20 - c10, a21 = c21 - c11, a22 = c22 - c12, a23 = c23 - c13;
            V a30 = c10 - c30, a31 = c11 - c31, a32 = c12 - c32, a33 = c13 - c33;
            T* at = v + tx;
            (a00 - a02).Store(at); (a01 + a02).Store(at + cp); (a02 - a01).Store(at + 2 * cp); (a01 - a03).Store(at + 3 * cp);
            (a10 - a12).Store(at + 4 * cp); (a11 + a12).Store(at + 5 * cp); (a12 - a11).Store(at + 6 * cp); (a11 - a13).Store(at + 7 * cp);
            (a20 - a22).Store(at + 8 * cp); (a21 + a22).Store(at + 9 * cp); (a22 - a21).Store(at + 10 * cp); (a21 - a23).Store(at + 11 * cp);
            (a30 - a32).Store(at + 12 * cp); (a31 + a32).Store(at + 13 * cp); (a32 - a31).Store(at + 14 * cp); (a31 - a33).Store(at + 15 * cp);
        }
        return tx;
    }

    /// <summary>The split output rows of tiles [tx, tw): Aᵀ M A (+ b) into o (two rows of E | O, each TW wide,
    /// 2·TW apart) from m, tile 0's element of plane 0 (planes kp apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // each width's instance fully optimized from its first call
    private static unsafe int WinogradOutputRow<T, V>(T* m, int kp, T* o, int half, T b, int tx, int tw)
        where T : unmanaged where V : struct, ILanes<V, T>
    {
        V bias = V.Splat(b);
        for (; tx + V.Count <= tw; tx += V.Count)
        {
            T* at = m + tx;
            V r00 = V.Load(at) + V.Load(at + 4 * kp) + V.Load(at + 8 * kp), r10 = V.Load(at + 4 * kp) - V.Load(at + 8 * kp) - V.Load(at + 12 * kp);
            V r01 = V.Load(at + kp) + V.Load(at + 5 * kp) + V.Load(at + 9 * kp), r11 = V.Load(at + 5 * kp) - V.Load(at + 9 * kp) - V.Load(at + 13 * kp);
            V r02 = V.Load(at + 2 * kp) + V.Load(at + 6 * kp) + V.Load(at + 10 * kp), r12 = V.Load(at + 6 * kp) - V.Load(at + 10 * kp) - V.Load(at + 14 * kp);
            V r03 = V.Load(at + 3 * kp) + V.Load(at + 7 * kp) + V.Load(at + 11 * kp), r13 = V.Load(at + 7 * kp) - V.Load(at + 11 * kp) - V.Load(at + 15 * kp);
            (r00 + r01 + r02 + bias).Store(o + tx);
            (r01 - r02 - r03 + bias).Store(o + half + tx);
            (r10 + r11 + r12 + bias).Store(o + 2 * half + tx);
            (r11 - r12 - r13 + bias).Store(o + 3 * half + tx);
        }
        return tx;
    }

    /// <summary>Z for tiles [tx, tw) of one row from the split rows y (two rows of E | O, each TW wide, 2·TW apart;
    /// zeros past dy's edge): A dY Aᵀ into z, tile 0's element of plane 0 (planes kp apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // each width's instance fully optimized from its first call
    private static unsafe int WinogradOutputAdjointRow<T, V>(T* y, int half, T* z, int kp, int tx, int tw)
        where T : unmanaged where V : struct, ILanes<V, T>
    {
        for (; tx + V.Count <= tw; tx += V.Count)
        {
            V y00 = V.Load(y + tx), y01 = V.Load(y + half + tx), y10 = V.Load(y + 2 * half + tx), y11 = V.Load(y + 3 * half + tx);
            V c00 = y00, c01 = y01, c10 = y00 + y10, c11 = y01 + y11, c20 = y00 - y10, c21 = y01 - y11, c30 = -y10, c31 = -y11;
            T* at = z + tx;
            c00.Store(at); (c00 + c01).Store(at + kp); (c00 - c01).Store(at + 2 * kp); (-c01).Store(at + 3 * kp);
            c10.Store(at + 4 * kp); (c10 + c11).Store(at + 5 * kp); (c10 - c11).Store(at + 6 * kp); (-c11).Store(at + 7 * kp);
            c20.Store(at + 8 * kp); (c20 + c21).Store(at + 9 * kp); (c20 - c21).Store(at + 10 * kp); (-c21).Store(at + 11 * kp);
            c30.Store(at + 12 * kp); (c30 + c31).Store(at + 13 * kp); (c30 - c31).Store(at + 14 * kp); (-c31).Store(at + 15 * kp);
        }
        return tx;
    }

    /// <summary>B dV Bᵀ of tiles [tx, tw) added onto their patches in the split scratch d (the row's top, PadW
    /// apart), from dv, tile 0's element of plane 0 (planes cp apart). Neighbouring tiles share two columns:
    /// E[tx + 1] gets tile tx's third column and then tile tx + 1's first, as in the scalar loop's tile order, so
    /// each vector adds its tiles' shifted columns (E, O at tx + 1) before their own (at tx): every element then
    /// receives its two terms in that order at every width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // each width's instance fully optimized from its first call
    private static unsafe int WinogradInputAdjointRow<T, V>(T* dv, int cp, T* d, int w, int half, int tx, int tw)
        where T : unmanaged where V : struct, ILanes<V, T>
    {
        for (; tx + V.Count <= tw; tx += V.Count)
        {
            T* at = dv + tx;
            // B on the columns (index b of dV[a, b]) row by row: e[a, ·].
            V e00 = V.Load(at), e01 = V.Load(at + cp) - V.Load(at + 2 * cp) + V.Load(at + 3 * cp), e02 = V.Load(at + cp) + V.Load(at + 2 * cp) - V.Load(at), e03 = -V.Load(at + 3 * cp);
            V e10 = V.Load(at + 4 * cp), e11 = V.Load(at + 5 * cp) - V.Load(at + 6 * cp) + V.Load(at + 7 * cp), e12 = V.Load(at + 5 * cp) + V.Load(at + 6 * cp) - V.Load(at + 4 * cp), e13 = -V.Load(at + 7 * cp);
            V e20 = V.Load(at + 8 * cp), e21 = V.Load(at + 9 * cp) - V.Load(at + 10 * cp) + V.Load(at + 11 * cp), e22 = V.Load(at + 9 * cp) + V.Load(at + 10 * cp) - V.Load(at + 8 * cp), e23 = -V.Load(at + 11 * cp);
            V e30 = V.Load(at + 12 * cp), e31 = V.Load(at + 13 * cp) - V.Load(at + 14 * cp) + V.Load(at + 15 * cp), e32 = V.Load(at + 13 * cp) + V.Load(at + 14 * cp) - V.Load(at + 12 * cp), e33 = -V.Load(at + 15 * cp);
            // Then B on the rows, column j of the patch: (e0j, e1j − e2j + e3j, e1j + e2j − e0j, −e3j) added on; the
            // shifted columns (j = 2 at E[tx + 1], j = 3 at O[tx + 1]) first.
            T* e = d + tx, o = d + half + tx;
            Add(e + 1, e02); Add(e + w + 1, e12 - e22 + e32); Add(e + 2 * w + 1, e12 + e22 - e02); Sub(e + 3 * w + 1, e32);
            Add(o + 1, e03); Add(o + w + 1, e13 - e23 + e33); Add(o + 2 * w + 1, e13 + e23 - e03); Sub(o + 3 * w + 1, e33);
            Add(e, e00); Add(e + w, e10 - e20 + e30); Add(e + 2 * w, e10 + e20 - e00); Sub(e + 3 * w, e30);
            Add(o, e01); Add(o + w, e11 - e21 + e31); Add(o + 2 * w, e11 + e21 - e01); Sub(o + 3 * w, e31);
        }
        return tx;

        static void Add(T* p, V value) => (V.Load(p) + value).Store(p);
        static void Sub(T* p, V value) => (V.Load(p) - value).Store(p);
    }
}
