using Pade.Engine.Functional;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// Depthwise convolution (groups = C = K: each channel convolved with its own KH x KW filter) by direct loops over
/// one plane at a time. Through im2col each group would be a GEMM with a single output row, all copying and no
/// arithmetic intensity. Here the plane is first laid out padded, in SW phase planes:
///   P[q][r][c] = x[r − PH, q + SW·c − PW]   (0 outside the image)
/// so that tap (i, j) of output (oh, ow) is phase q_j = (j·DW) mod SW, row oh·SH + i·DH, column ow + o_j with
/// o_j = (j·DW) div SW: for every stride and dilation a tap reads a contiguous run of a phase row. With vectors
/// along the output row (tail lanes computed and dropped):
///   forward          y[oh, ow]  = b + Σ_{i, j} w[i, j] · P[q_j][oh·SH + i·DH][ow + o_j]
///   weight gradient  dw[i, j]  += Σ_{oh, ow} dy[oh, ow] · P[q_j][oh·SH + i·DH][ow + o_j]
/// and the input gradient as the same gather on dy spread out to the input's grid (E[oh·SH + T][ow + O] = dy[oh, ow],
/// zeros between and around, T = (KH − 1)·DH, O = max o_j):
///   dx phase planes  D[q][r][c] = Σ_{i, j: q_j = q} w[i, j] · E[r − i·DH + T][c − o_j + O]
/// read back into dx. Every output vector is a chain of KH·KW fused multiply-adds from L1; four rows run side by side
/// so the chains overlap (one chain at a time waits on the FMA latency). The earlier loops called one axpy per tap and
/// row, which on MobileNetV2's 8² and 4² planes cost more than the arithmetic. Planes run in parallel; the weight
/// gradient gives each task one channel, summed over the batch in order, so its bits do not depend on the thread
/// count. Outputs narrower than 8 keep the row loops of CpuConvDepthwiseRows.cs (see <see cref="DepthwiseGathers"/>).
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Rows of outputs computed side by side.</summary>
    private const int DepthwiseRowBlock = 4;

    /// <summary>The layouts of one geometry (see the class comment).</summary>
    private sealed class DepthwisePlan
    {
        /// <summary>Phases (SW), padded rows, phase row length, output columns rounded up to whole vectors, taps.</summary>
        public readonly int Phases, Rows, Length, Columns, Taps;
        /// <summary>Where tap t = i·KW + j of output (0, 0) reads in P: (q_j·Rows + i·DH)·Length + o_j.</summary>
        public readonly int[] TapAt;
        /// <summary>dx planes D: row length (Length rounded up to whole vectors); E: rows, row length, zero rows on top
        /// (T), zero columns on the left (O).</summary>
        public readonly int DLength, ERows, ELength, Top, Left;
        /// <summary>Per phase q, its taps (weight index) and where each reads in E relative to (r, c):
        /// (T − i·DH)·ELength + O − o_j.</summary>
        public readonly int[][] PhaseTaps, PhaseAt;

        public DepthwisePlan(in Conv2dGeometry g, int lanes)
        {
            Phases = g.SW;
            Rows = (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1;
            Columns = (g.OW + lanes - 1) / lanes * lanes;
            Taps = g.KH * g.KW;
            int[] phase = new int[g.KW], offset = new int[g.KW];
            for (int j = 0; j < g.KW; j++) { phase[j] = j * g.DW % g.SW; offset[j] = j * g.DW / g.SW; }
            Left = offset.Max();
            Length = Columns + Left;
            TapAt = new int[Taps];
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++) TapAt[i * g.KW + j] = (phase[j] * Rows + i * g.DH) * Length + offset[j];
            DLength = (Length + lanes - 1) / lanes * lanes;
            Top = (g.KH - 1) * g.DH;
            ERows = Rows + Top;
            ELength = DLength + Left;
            PhaseTaps = new int[Phases][];
            PhaseAt = new int[Phases][];
            for (int q = 0; q < Phases; q++)
            {
                var taps = new List<int>();
                var at = new List<int>();
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++)
                        if (phase[j] == q) { taps.Add(i * g.KW + j); at.Add((Top - i * g.DH) * ELength + Left - offset[j]); }
                PhaseTaps[q] = taps.ToArray();
                PhaseAt[q] = at.ToArray();
            }
        }

        /// <summary>Elements of P (the forward's and weight gradient's scratch, plus a row of output).</summary>
        public int ForwardScratch => Phases * Rows * Length + Columns;

        /// <summary>Elements of D and E (the input gradient's scratch).</summary>
        public int InputScratch => Phases * Rows * DLength + ERows * ELength;
    }

    /// <summary>Per-thread scratch, reused across calls (the plans' planes are a few KiB).</summary>
    private static class DepthwiseScratch<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _buffer;

        public static T[] Get(int length)
        {
            var b = _buffer;
            if (b == null || b.Length < length) _buffer = b = GC.AllocateUninitializedArray<T>(length, pinned: true);
            return b;
        }
    }

    /// <summary>Lays image plane x [H, W] out as P. Padded columns past the reach of every output
    /// ((OW − 1)·SW + (KW − 1)·DW) are 0 too, so tail lanes only meet zeros and values real outputs read.</summary>
    private static void DepthwiseLayOut<T>(ReadOnlySpan<T> x, Span<T> planes, DepthwisePlan p, in Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int reach = (g.OW - 1) * g.SW + (g.KW - 1) * g.DW, L = p.Length, S = p.Phases;
        // The padded row, columns 0 .. S·L − 1: the image row between zeros.
        int lo = Math.Min(g.PW, S * L), hi = Math.Min(Math.Min(g.PW + g.W, reach + 1), S * L);
        Span<T> padded = S == 1 ? default : stackalloc T[S * L];
        for (int r = 0; r < p.Rows; r++)
        {
            int ih = r - g.PH;
            if ((uint)ih >= (uint)g.H)
            {
                for (int q = 0; q < S; q++) planes.Slice((q * p.Rows + r) * L, L).Clear();
                continue;
            }
            var row = S == 1 ? planes.Slice(r * L, L) : padded;
            row[..lo].Clear();
            if (hi > lo) x.Slice(ih * g.W + lo - g.PW, hi - lo).CopyTo(row[lo..hi]);
            row[Math.Max(lo, hi)..].Clear();
            if (S == 1) continue;
            for (int q = 0; q < S; q++)
            {
                var dst = planes.Slice((q * p.Rows + r) * L, L);
                for (int c = 0; c < L; c++) dst[c] = padded[q + S * c];
            }
        }
    }

    /// <summary>Whether a convolution takes the gather kernels (every pass) or the row loops of CpuConvDepthwiseRows.cs:
    /// gathers from output rows of 8 on. Measured on MobileNetV2's layers, 2 threads, two runs
    /// (Tests/Layers/ConvKernelProfile.cs, bench/results/2026-12-06-depthwise-pointwise.md): from 8 on, the gathers
    /// were 1.6–5x faster on the forward, 0.9–2.7x on the input gradient and 1.2–2x on the weight gradient, except
    /// two weight-gradient readings (0.55x, 0.77x) that were 1.2x and 1.5x faster in the other run. On 4-wide outputs
    /// most lanes idle: the row loops won the weight gradient by up to 4.5x and the stride-2 layer on every pass,
    /// while the gathers' forward on 960 4² was 1.2x faster, too little to split the rule by pass.</summary>
    internal static bool DepthwiseGathers(in Conv2dGeometry g) => DepthwiseGatherAlways ?? g.OW >= DepthwiseGatherWidth;

    private const int DepthwiseGatherWidth = 8;

    /// <summary>true: every pass takes the gather kernels, false: the row loops, null (default): as measured above.
    /// For the tests that check both on every geometry, and for timing them.</summary>
    internal static bool? DepthwiseGatherAlways { get; set; }

    private static void DepthwiseForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!DepthwiseGathers(g)) { DepthwiseRowsForward<T>(xt, wt, bt, yt, g); return; }
        T[] x = Array<T>(xt), w = Array<T>(wt), y = Array<T>(yt);
        T[]? b = bt == null ? null : Array<T>(bt);
        int xo = (int)xt.Offset, wo = (int)wt.Offset, yo = (int)yt.Offset, bo = bt == null ? 0 : (int)bt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW;
        var p = new DepthwisePlan(g, Vector512<T>.Count);
        int per = DepthwisePlanesPerTask(g), planes = g.N * g.C;
        CpuParallel.For((planes + per - 1) / per, task =>
        {
            var scratch = DepthwiseScratch<T>.Get(p.ForwardScratch);
            for (int plane = task * per; plane < Math.Min(planes, (task + 1) * per); plane++)
            {
                int c = plane % g.C;
                DepthwiseLayOut<T>(x.AsSpan(xo + plane * hw, hw), scratch, p, g);
                DepthwiseGather(scratch, 0, g.SH * p.Length, p.TapAt, w.AsSpan(wo + c * p.Taps, p.Taps), null,
                    b != null ? b[bo + c] : T.Zero, y.AsSpan(yo + plane * ohw, ohw), g.OH, g.OW, p.Columns, scratch.AsSpan(p.ForwardScratch - p.Columns));
            }
        }, (long)per * ohw * p.Taps);
    }

    /// <summary>
    /// out[r, c] = bias + Σ_t w[taps[t]] · src[r·rowStep + at[t] + c] for r &lt; rows, c &lt; cols (out's row length;
    /// computed over whole vectors up to <paramref name="columns"/>, the tail through <paramref name="tail"/>),
    /// <paramref name="taps"/> null meaning t itself. Four rows at a time, so four FMA chains overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void DepthwiseGather<T>(T[] source, int sourceStart, int rowStep, int[] at, ReadOnlySpan<T> wk, int[]? taps,
        T bias, Span<T> output, int rows, int cols, int columns, Span<T> tail) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lanes = Vector512<T>.Count, n = at.Length;
        Vector512<T>* wv = stackalloc Vector512<T>[Math.Max(1, n)];
        int* off = stackalloc int[Math.Max(1, n)];
        for (int t = 0; t < n; t++) { wv[t] = Vector512.Create(wk[taps == null ? t : taps[t]]); off[t] = at[t]; }
        var b = Vector512.Create(bias);
        fixed (T* s0 = source, o0 = output, tl = tail)
        {
            T* src = s0 + sourceStart;
            int r = 0;
            for (; r + DepthwiseRowBlock <= rows; r += DepthwiseRowBlock)
            {
                T* s = src + (long)r * rowStep;
                for (int v = 0; v < columns; v += lanes)
                {
                    Vector512<T> a0 = b, a1 = b, a2 = b, a3 = b;
                    for (int t = 0; t < n; t++)
                    {
                        T* q = s + off[t] + v;
                        var wt = wv[t];
                        a0 = VMath.Fma(wt, Vector512.Load(q), a0);
                        a1 = VMath.Fma(wt, Vector512.Load(q + rowStep), a1);
                        a2 = VMath.Fma(wt, Vector512.Load(q + 2 * rowStep), a2);
                        a3 = VMath.Fma(wt, Vector512.Load(q + 3 * rowStep), a3);
                    }
                    DepthwiseStore(a0, o0 + (long)r * cols, v, cols, tl);
                    DepthwiseStore(a1, o0 + (long)(r + 1) * cols, v, cols, tl);
                    DepthwiseStore(a2, o0 + (long)(r + 2) * cols, v, cols, tl);
                    DepthwiseStore(a3, o0 + (long)(r + 3) * cols, v, cols, tl);
                }
            }
            for (; r < rows; r++)
            {
                T* s = src + (long)r * rowStep;
                for (int v = 0; v < columns; v += lanes)
                {
                    var a = b;
                    for (int t = 0; t < n; t++) a = VMath.Fma(wv[t], Vector512.Load(s + off[t] + v), a);
                    DepthwiseStore(a, o0 + (long)r * cols, v, cols, tl);
                }
            }
        }
    }

    /// <summary>Stores the lanes of <paramref name="a"/> that fall before <paramref name="cols"/> at row[v ..].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void DepthwiseStore<T>(Vector512<T> a, T* row, int v, int cols, T* tail) where T : unmanaged
    {
        int lanes = Vector512<T>.Count;
        if (v + lanes <= cols) { a.Store(row + v); return; }
        a.Store(tail);
        for (int e = 0; e < cols - v; e++) row[v + e] = tail[e];
    }

    private static void DepthwiseBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!DepthwiseGathers(g)) { DepthwiseRowsBackwardInput<T>(wt, dyt, dxt, g); return; }
        T[] w = Array<T>(wt), dy = Array<T>(dyt), dx = Array<T>(dxt);
        int wo = (int)wt.Offset, dyo = (int)dyt.Offset, dxo = (int)dxt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW;
        var p = new DepthwisePlan(g, Vector512<T>.Count);
        // dx rows PH .. PH + H − 1 of D are read back; those past P's rows are 0.
        int r0 = Math.Min(g.PH, p.Rows), r1 = Math.Min(g.PH + g.H, p.Rows);
        int per = DepthwisePlanesPerTask(g), planes = g.N * g.C;
        CpuParallel.For((planes + per - 1) / per, task =>
        {
            var scratch = DepthwiseScratch<T>.Get(p.InputScratch + p.DLength);
            int dSize = p.Phases * p.Rows * p.DLength;
            var e = scratch.AsSpan(dSize, p.ERows * p.ELength);
            for (int plane = task * per; plane < Math.Min(planes, (task + 1) * per); plane++)
            {
                int c = plane % g.C;
                // E: dy spread out to the input's grid (row oh·SH + T, column ow + O), zeros elsewhere.
                e.Clear();
                var dyp = dy.AsSpan(dyo + plane * ohw, ohw);
                for (int oh = 0; oh < g.OH; oh++)
                    dyp.Slice(oh * g.OW, g.OW).CopyTo(e.Slice((oh * g.SH + p.Top) * p.ELength + p.Left));
                var wk = w.AsSpan(wo + c * p.Taps, p.Taps);
                for (int q = 0; q < p.Phases; q++)
                    if (r1 > r0)
                        DepthwiseGather(scratch, dSize + r0 * p.ELength, p.ELength, p.PhaseAt[q], wk, p.PhaseTaps[q], T.Zero,
                            scratch.AsSpan((q * p.Rows + r0) * p.DLength, (r1 - r0) * p.DLength), r1 - r0, p.DLength, p.DLength,
                            scratch.AsSpan(p.InputScratch, p.DLength));
                DepthwiseReadBack<T>(scratch, dx.AsSpan(dxo + plane * hw, hw), p, g);
            }
        }, (long)per * ohw * p.Taps);
    }

    /// <summary>Planes per parallel task: about 4096 multiply-adds each, so a task's fixed cost (scratch, weight
    /// vectors) is spread over several of MobileNetV2's 4² and 8² planes. Shapes only.</summary>
    private static int DepthwisePlanesPerTask(in Conv2dGeometry g) => Math.Max(1, 4096 / Math.Max(1, g.OH * g.OW * g.KH * g.KW));

    /// <summary>dx[ih, iw] = D[q][ih + PH][c] where iw + PW = q + SW·c, 0 where no output reaches.</summary>
    private static void DepthwiseReadBack<T>(ReadOnlySpan<T> d, Span<T> dx, DepthwisePlan p, in Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int S = p.Phases, L = p.DLength;
        for (int ih = 0; ih < g.H; ih++)
        {
            var dst = dx.Slice(ih * g.W, g.W);
            int r = ih + g.PH;
            if (r >= p.Rows) { dst.Clear(); continue; }
            if (S == 1)
            {
                int n = Math.Clamp(p.Length - g.PW, 0, g.W);
                d.Slice(r * L + g.PW, n).CopyTo(dst);
                dst[n..].Clear();
                continue;
            }
            dst.Clear();
            for (int q = 0; q < S; q++)
            {
                var row = d.Slice((q * p.Rows + r) * L, p.Length);
                // Column c of phase q is input column q + S·c − PW.
                int c0 = Math.Max(0, (g.PW - q + S - 1) / S), c1 = Math.Min(p.Length, (g.W + g.PW - q + S - 1) / S);
                for (int c = c0; c < c1; c++) dst[q + S * c - g.PW] = row[c];
            }
        }
    }

    /// <summary>dw[c, i, j] = Σ_{n, oh, ow} dy[n, c, oh, ow] · x[n, c, ih, iw]: each task owns one channel and sums
    /// over the batch in order (one vector accumulator per tap, summed at the end), so no partial copies are
    /// needed.</summary>
    private static void DepthwiseBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!DepthwiseGathers(g)) { DepthwiseRowsBackwardWeight<T>(xt, dyt, dwt, g); return; }
        T[] x = Array<T>(xt), dy = Array<T>(dyt), dw = Array<T>(dwt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset, dwo = (int)dwt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW;
        var p = new DepthwisePlan(g, Vector512<T>.Count);
        CpuParallel.For(g.C, c =>
        {
            var scratch = DepthwiseScratch<T>.Get(p.ForwardScratch);
            var acc = new Vector512<T>[p.Taps];
            for (int n = 0; n < g.N; n++)
            {
                int plane = n * g.C + c;
                DepthwiseLayOut<T>(x.AsSpan(xo + plane * hw, hw), scratch, p, g);
                DepthwiseWeightPlane(scratch, dy.AsSpan(dyo + plane * ohw, ohw), acc, p, g);
            }
            for (int t = 0; t < p.Taps; t++) dw[dwo + c * p.Taps + t] = Vector512.Sum(acc[t]);
        }, (long)g.N * ohw * p.Taps);
    }

    /// <summary>All-ones in the first <paramref name="count"/> lanes (all of them from the vector width on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> DepthwiseLanes<T>(int count) where T : unmanaged, IFloatingPointIeee754<T> =>
        count >= Vector512<T>.Count ? Vector512<T>.AllBitsSet
        : Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(count)));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void DepthwiseWeightPlane<T>(T[] scratch, ReadOnlySpan<T> dy, Vector512<T>[] acc, DepthwisePlan p, in Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lanes = Vector512<T>.Count, taps = p.Taps, OW = g.OW, rowStep = g.SH * p.Length;
        int* at = stackalloc int[taps];
        for (int t = 0; t < taps; t++) at[t] = p.TapAt[t];
        fixed (T* planes = scratch, dyp = dy)
        fixed (Vector512<T>* ac = acc)
        {
            T* row = planes + p.ForwardScratch - p.Columns;
            for (int oh = 0; oh < g.OH; oh++)
            {
                T* src = planes + oh * rowStep, dys = dyp + oh * OW;
                for (int v = 0; v < p.Columns; v += lanes)
                {
                    if (v + lanes <= OW)
                    {
                        var d = Vector512.Load(dys + v);
                        for (int t = 0; t < taps; t++) ac[t] = VMath.Fma(d, Vector512.Load(src + at[t] + v), ac[t]);
                        continue;
                    }
                    int e = 0;
                    for (; e < OW - v; e++) row[e] = dys[v + e];
                    for (; e < lanes; e++) row[e] = T.Zero;
                    var dt = Vector512.Load(row);
                    // Lanes past the row meet 0 in dy but may meet an infinite x (0·∞ = NaN): keep them out exactly.
                    var keep = DepthwiseLanes<T>(OW - v);
                    for (int t = 0; t < taps; t++)
                        ac[t] = VMath.Fma(dt, Vector512.ConditionalSelect(keep, Vector512.Load(src + at[t] + v), Vector512<T>.Zero), ac[t]);
                }
            }
        }
    }
}
