using System.Numerics;
using System.Runtime.CompilerServices;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// Direct convolution for unit stride and few output channels (LeNet's 1→6 and 6→16 5x5 layers, VGG's first
/// layer), where im2col + GEMM wastes its time copying: with M = K/G ≤ 64 rows and C/G·KH·KW taps, the GEMM
/// does a handful of multiply-adds per element of the im2col matrix it wrote and then packed again.
///
/// Instead each image's channels are copied once into zero-padded planes [C/G, Hp, Wp] (Hp = H + 2·PH,
/// Wp = W + 2·PW) and the output is computed "wide", at positions q = oh·Wp + ow for ow in [0, Wp) instead of
/// [0, OW):
///   wide[k, q] = Σ_{c, i, j} w[k, c, i, j] · pad[c·Hp·Wp + i·DH·Wp + j·DW + q]
/// For one tap (c, i, j) the inputs of consecutive q are consecutive, so the register kernel
/// (<see cref="ConvDirectKernels.Tile{T}"/>) loads two vectors of inputs per tap and broadcasts 8 channels' weights
/// onto them, like the GEMM micro-kernel with B read in place. The columns ow ≥ OW are garbage (their windows wrap
/// into the next row) and are dropped when the valid ones are copied to y; they cost Wp/OW − 1 extra work, so the
/// path is taken only when Wp ≤ 2·OW.
///
/// The input gradient is the same computation on dy: with stride 1, dx is dy zero-padded by (KH−1)·DH − PH
/// (and likewise in W) correlated with the weights flipped in space and with K and C swapped. The weight gradient
///   dw[k, (c, i, j)] = Σ_n Σ_q dyWide[n, k, q] · pad[n, c·Hp·Wp + i·DH·Wp + j·DW + q]
/// uses dy laid out wide with zeros in the dropped columns, 4 channels x 4 taps of vector accumulators per tile
/// (<see cref="ConvDirectKernels.GradTile{T}"/>), summed per sample into one of <see cref="ConvWeightPartials"/>
/// fixed parts of the batch, added in order at the end: the result depends on the shapes only, not on the
/// thread count. Samples run in parallel.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Takes the direct path where it applies (default). Settable for experiments and for tests that
    /// compare it with im2col + GEMM.</summary>
    public static bool DirectConvolution { get; set; } = true;

    /// <summary>Most output channels per group (rows of the product) the direct path takes; wider layers keep
    /// the GEMM, whose packed weight blocks amortise better.</summary>
    private const int DirectMaxRows = 64;

    /// <summary>The direct forward and weight-gradient path applies (when <see cref="DirectConvolution"/> is on, see
    /// ConvPaths): unit stride, few output channels, the wide layout wastes at most half its columns, and not rows
    /// narrower than 8 over many input channels: its vectors run along the output row, and DenseNet's 128→32 3x3
    /// layer at 4² ran 3–8 times slower than im2col + GEMM (bench/results/2026-12-06-depthwise-pointwise.md).</summary>
    private static bool DirectApplies(in Conv2dGeometry g) =>
        g.SH == 1 && g.SW == 1 && g.KPerGroup <= DirectMaxRows && g.W + 2 * g.PW <= 2 * g.OW
        && !(g.OW < 8 && g.CPerGroup > 16);

    /// <summary>The direct input-gradient path applies: dy padded by (K−1)·D − P must be a true padding (P ≤ (K−1)·D).</summary>
    private static bool DirectInputApplies(in Conv2dGeometry g)
    {
        int ph = (g.KH - 1) * g.DH - g.PH, pw = (g.KW - 1) * g.DW - g.PW;
        if (g.SH != 1 || g.SW != 1 || g.CPerGroup > DirectMaxRows || ph < 0 || pw < 0) return false;
        // The direct product runs over 8-row blocks of C/G and over every position of the padded dy, the GEMM
        // over the real ones: take the direct path while it does at most twice the useful work (measured:
        // VGG's 3→64 3x3 layer, 2.8 times, and LeNet's 6→16 5x5 layer, 3.4 times, are no faster than the GEMM;
        // a 5x5 kernel on a 1x1 output would be 360 times).
        long rows = (g.CPerGroup + ConvDirectKernels.Rows - 1) / ConvDirectKernels.Rows * ConvDirectKernels.Rows;
        return rows * g.H * (g.OW + 2 * pw) <= 2L * g.CPerGroup * g.OH * g.OW;
    }

    /// <summary>The geometry of one shifted-row product: Planes input planes H x W padded by PH, PW into Hp x Wp,
    /// Rows output planes OH x OW, and the offset of every tap in the padded planes.</summary>
    private sealed class ShiftPlan
    {
        public int Planes, H, W, PH, PW, Hp, Wp, OH, OW, Rows, Taps, Tiles, Blocks, PadLength, WideLength;
        public int[] Off = [];

        public static ShiftPlan Create<T>(int planes, int h, int w, int ph, int pw, int kh, int kw, int dh, int dw, int rows, int oh, int ow)
            where T : unmanaged
        {
            int nr = ConvDirectKernels.Width<T>();
            var p = new ShiftPlan { Planes = planes, H = h, W = w, PH = ph, PW = pw, Hp = h + 2 * ph, Wp = w + 2 * pw, OH = oh, OW = ow, Rows = rows };
            p.Taps = planes * kh * kw;
            // Offsets padded to whole GradTaps groups; the extra taps read plane 0 and their sums are dropped.
            p.Off = new int[(p.Taps + ConvDirectKernels.GradTaps - 1) / ConvDirectKernels.GradTaps * ConvDirectKernels.GradTaps];
            int r = 0;
            for (int c = 0; c < planes; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) p.Off[r++] = c * p.Hp * p.Wp + i * dh * p.Wp + j * dw;
            p.Tiles = (oh * p.Wp + nr - 1) / nr;
            p.Blocks = (rows + ConvDirectKernels.Rows - 1) / ConvDirectKernels.Rows;
            // The last tile of the last tap reads up to off[Taps − 1] + Tiles·nr; everything past the planes is zero.
            p.PadLength = p.Off[p.Taps - 1] + p.Tiles * nr;
            p.WideLength = p.Blocks * ConvDirectKernels.Rows * p.Tiles * nr;
            return p;
        }

        public int Ldw<T>() where T : unmanaged => Tiles * ConvDirectKernels.Width<T>();

        /// <summary>Copies Planes planes H x W into the zero-padded layout (PadLength elements).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
        public void Pad<T>(ReadOnlySpan<T> src, Span<T> dst) where T : unmanaged
        {
            int plane = Hp * Wp;
            if (PH == 0 && PW == 0)
            {
                src.Slice(0, Planes * plane).CopyTo(dst);
                dst.Slice(Planes * plane, PadLength - Planes * plane).Clear();
                return;
            }
            dst.Slice(0, PadLength).Clear();
            for (int c = 0; c < Planes; c++)
                for (int h = 0; h < H; h++)
                    src.Slice((c * H + h) * W, W).CopyTo(dst.Slice(c * plane + (h + PH) * Wp + PW, W));
        }

        /// <summary>wide[o, q] for every block of 8 output planes and every tile of q.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
        public unsafe void Multiply<T>(T[] pad, T[] packed, T[] wide) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int nr = ConvDirectKernels.Width<T>(), ldw = Ldw<T>(), rows = ConvDirectKernels.Rows;
            fixed (T* s = pad, wp = packed, d = wide)
            fixed (int* off = Off)
                for (int t = 0; t < Tiles; t++)
                    for (int kb = 0; kb < Blocks; kb++)
                        ConvDirectKernels.Tile(Taps, s + t * nr, off, wp + (long)kb * Taps * rows, d + (long)kb * rows * ldw + t * nr, ldw);
        }

        /// <summary>Copies the valid columns of wide into out [Rows, OH, OW], adding bias[o] when given.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
        public void Extract<T>(T[] wide, Span<T> output, T[]? bias, int biasOffset) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int ldw = Ldw<T>();
            for (int o = 0; o < Rows; o++)
            {
                T shift = bias == null ? T.Zero : bias[biasOffset + o];
                for (int oh = 0; oh < OH; oh++)
                {
                    var src = wide.AsSpan(o * ldw + oh * Wp, OW);
                    var dst = output.Slice((o * OH + oh) * OW, OW);
                    if (bias == null) src.CopyTo(dst);
                    else LayerSimd.ScaleShift<T>(src, dst, T.One, shift);
                }
            }
        }

        /// <summary>Weights in kernel order: blocks of 8 output planes, tap-major within a block, zero-padded;
        /// weight(o, r) gives the weight of output plane o and tap r.</summary>
        public T[] Pack<T>(Func<int, int, T> weight) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int rows = ConvDirectKernels.Rows;
            var packed = new T[Blocks * Taps * rows];
            for (int kb = 0; kb < Blocks; kb++)
                for (int r = 0; r < Taps; r++)
                    for (int i = 0; i < rows; i++)
                    {
                        int o = kb * rows + i;
                        packed[(kb * Taps + r) * rows + i] = o < Rows ? weight(o, r) : T.Zero;
                    }
            return packed;
        }
    }

    private static ShiftPlan ForwardPlan<T>(in Conv2dGeometry g) where T : unmanaged =>
        ShiftPlan.Create<T>(g.CPerGroup, g.H, g.W, g.PH, g.PW, g.KH, g.KW, g.DH, g.DW, g.KPerGroup, g.OH, g.OW);

    private static void DirectForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), w = Array<T>(wt), y = Array<T>(yt);
        T[]? b = bt == null ? null : Array<T>(bt);
        int xo = (int)xt.Offset, wo = (int)wt.Offset, yo = (int)yt.Offset, bo = bt == null ? 0 : (int)bt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW, kg = g.KPerGroup, cg = g.CPerGroup, taps = g.ColRows;
        var p = ForwardPlan<T>(g);
        var packed = new T[g.Groups][];
        for (int gi = 0; gi < g.Groups; gi++)
        {
            int k0 = gi * kg;
            packed[gi] = p.Pack<T>((o, r) => w[wo + (k0 + o) * taps + r]);
        }
        CpuParallel.For(g.N, n =>
        {
            T[] pad = BufferPool<T>.Rent(p.PadLength), wide = BufferPool<T>.Rent(p.WideLength);
            for (int gi = 0; gi < g.Groups; gi++)
            {
                p.Pad<T>(x.AsSpan(xo + (n * g.C + gi * cg) * hw, cg * hw), pad);
                p.Multiply(pad, packed[gi], wide);
                p.Extract(wide, y.AsSpan(yo + (n * g.K + gi * kg) * ohw, kg * ohw), b, bo + gi * kg);
            }
            BufferPool<T>.Return(pad);
            BufferPool<T>.Return(wide);
        }, (long)ohw * taps * g.K);
    }

    /// <summary>dx[c, h, w] = Σ_{k, i', j'} w[k, c, KH−1−i', KW−1−j'] · dyPad[k, h + i'·DH, w + j'·DW], dy padded by
    /// (KH−1)·DH − PH and (KW−1)·DW − PW: the forward direct product with the roles of K and C swapped.</summary>
    private static void DirectBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] w = Array<T>(wt), dy = Array<T>(dyt), dx = Array<T>(dxt);
        int wo = (int)wt.Offset, dyo = (int)dyt.Offset, dxo = (int)dxt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW, kg = g.KPerGroup, cg = g.CPerGroup, taps = g.ColRows, khw = g.KH * g.KW;
        var p = ShiftPlan.Create<T>(kg, g.OH, g.OW, (g.KH - 1) * g.DH - g.PH, (g.KW - 1) * g.DW - g.PW,
            g.KH, g.KW, g.DH, g.DW, cg, g.H, g.W);
        var packed = new T[g.Groups][];
        for (int gi = 0; gi < g.Groups; gi++)
        {
            int k0 = gi * kg;
            // Tap r' = (k, i', j') of output plane c reads the weight w[k, c, KH−1−i', KW−1−j'].
            packed[gi] = p.Pack<T>((c, r) =>
            {
                int k = r / khw, ij = r % khw, i = g.KH - 1 - ij / g.KW, j = g.KW - 1 - ij % g.KW;
                return w[wo + (k0 + k) * taps + (c * g.KH + i) * g.KW + j];
            });
        }
        CpuParallel.For(g.N, n =>
        {
            T[] pad = BufferPool<T>.Rent(p.PadLength), wide = BufferPool<T>.Rent(p.WideLength);
            for (int gi = 0; gi < g.Groups; gi++)
            {
                p.Pad<T>(dy.AsSpan(dyo + (n * g.K + gi * kg) * ohw, kg * ohw), pad);
                p.Multiply(pad, packed[gi], wide);
                p.Extract<T>(wide, dx.AsSpan(dxo + (n * g.C + gi * cg) * hw, cg * hw), null, 0);
            }
            BufferPool<T>.Return(pad);
            BufferPool<T>.Return(wide);
        }, (long)hw * taps * g.K);
    }

    /// <summary>dw[k, r] = Σ_n Σ_q dyWide[n, k, q] · pad[n, off[r] + q], in <see cref="ConvWeightPartials"/> fixed parts.</summary>
    private static unsafe void DirectBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), dy = Array<T>(dyt), dw = Array<T>(dwt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset, dwo = (int)dwt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW, kg = g.KPerGroup, cg = g.CPerGroup, taps = g.ColRows;
        var p = ForwardPlan<T>(g);
        int gr = ConvDirectKernels.GradRows;
        int rows4 = (kg + gr - 1) / gr * gr, taps4 = p.Off.Length, ldq = p.Ldw<T>();
        int accSize = g.Groups * rows4 * taps4, parts = Math.Min(g.N, ConvWeightPartials);
        var acc = new T[parts][];

        CpuParallel.For(parts, part =>
        {
            var sums = acc[part] = new T[accSize];
            T[] pad = BufferPool<T>.Rent(p.PadLength), wide = BufferPool<T>.Rent(rows4 * ldq);
            // Rows past kg and the dropped columns stay zero, so they add nothing.
            wide.AsSpan(0, rows4 * ldq).Clear();
            int n0 = part * g.N / parts, n1 = (part + 1) * g.N / parts;
            for (int n = n0; n < n1; n++)
                for (int gi = 0; gi < g.Groups; gi++)
                    AccumulateWeightGradient(p, x.AsSpan(xo + (n * g.C + gi * cg) * hw, cg * hw),
                        dy.AsSpan(dyo + (n * g.K + gi * kg) * ohw, kg * ohw), pad, wide, sums.AsSpan(gi * rows4 * taps4, rows4 * taps4), kg, rows4);
            BufferPool<T>.Return(pad);
            BufferPool<T>.Return(wide);
        }, (long)g.N / parts * ohw * taps * g.K);

        for (int gi = 0; gi < g.Groups; gi++)
            for (int k = 0; k < kg; k++)
                for (int r = 0; r < taps; r++)
                {
                    int src = (gi * rows4 + k) * taps4 + r;
                    T v = acc[0][src];
                    for (int part = 1; part < parts; part++) v += acc[part][src];
                    dw[dwo + (gi * kg + k) * taps + r] = v;
                }
    }

    /// <summary>sums[k, r] += Σ_q dyWide[k, q] · pad[off[r] + q] for one sample's group: x [C/G, H, W] into pad,
    /// dy [K/G, OH, OW] into the valid columns of wide (whose other entries are zero and stay so).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void AccumulateWeightGradient<T>(ShiftPlan p, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T[] pad, T[] wide,
        Span<T> sums, int kg, int rows4) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int gr = ConvDirectKernels.GradRows, gt = ConvDirectKernels.GradTaps, taps4 = p.Off.Length, ldq = p.Ldw<T>();
        p.Pad(x, pad);
        for (int k = 0; k < kg; k++)
            for (int oh = 0; oh < p.OH; oh++)
                dy.Slice((k * p.OH + oh) * p.OW, p.OW).CopyTo(wide.AsSpan(k * ldq + oh * p.Wp, p.OW));
        fixed (T* s = pad, d = wide, a = sums)
        fixed (int* off = p.Off)
            for (int kb = 0; kb < rows4; kb += gr)
                for (int tb = 0; tb < taps4; tb += gt)
                    ConvDirectKernels.GradTile(ldq, d + (long)kb * ldq, ldq, s, off + tb, a + (long)kb * taps4 + tb, taps4);
    }
}
