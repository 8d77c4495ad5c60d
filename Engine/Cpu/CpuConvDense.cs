using System.Numerics;
using System.Runtime.CompilerServices;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// A convolution whose image is no larger than its kernel (H·W ≤ KH·KW, one group) as a fully connected layer from
/// the whole image to the whole output. Written as a dense matrix, the convolution is
///   T[(k, oh, ow), (c, h, w)] = w[k, c, i, j]   where h = oh·SH − PH + i·DH and w = ow·SW − PW + j·DW
/// (0 where no tap lands on (h, w)), and with x read as [N, C·H·W] and y as [N, K·OH·OW]:
///   y = x · Tᵀ + b,   dx = dy · T,   dT = dyᵀ · x,   dw[k, c, i, j] = Σ_{oh, ow} dT[(k, oh, ow), (c, h, w)]
/// one GEMM each over the whole batch. Its multiply-adds are N·K·C·OH·OW·H·W against im2col's N·K·C·OH·OW·KH·KW:
/// equal for LeNet's conv3 (a 5x5 window on a 5x5 image, 1x1 output: T is w itself), 2.25 times fewer for VGG-8's
/// 3x3 layers on 2x2 images (each output sees 4 of its 9 taps on the image, the rest on padding). im2col would also
/// copy x into columns and scatter N·K·OH·OW short rows back into y's layout. Where the window is exactly the image,
/// T is w and is read in place; otherwise building T (and folding dT back into dw) writes and reads K·C·OH·OW·H·W
/// elements, 16/9 of w for VGG's 2x2 layers. Built by a tight loop over a flat tap map, that costs about a third of
/// the forward there (VGG-8's 512→512 2² layer: forward 0.77x / 0.71x libtorch's time at 1 / 2 threads, backward
/// 0.60x / 0.47x, bench/results/2026-12-07-dense-conv-matrix.md; the first builder, a list of pairs walked through
/// spans, had left no clear gain over im2col). A GEMM that packed its operand straight from w through the tap map
/// would save the packing copy too. T is capped at
/// <see cref="DenseMaxElements"/>.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Takes the dense path where it applies (default). Settable for experiments and for timing it against
    /// im2col + GEMM (Tests/Layers/ConvWinogradProfile.cs).</summary>
    internal static bool DenseConvolution { get; set; } = true;

    /// <summary>Largest dense matrix T the path builds (64 MiB of float32).</summary>
    private const long DenseMaxElements = 1L << 24;

    private static bool DenseApplies(in Conv2dGeometry g) =>
        g.Groups == 1 && (long)g.H * g.W <= (long)g.KH * g.KW
        && (long)g.K * g.OH * g.OW * g.C * g.H * g.W <= DenseMaxElements;

    /// <summary>The window is exactly the unpadded image (LeNet's conv3): T is w itself, read in place.</summary>
    private static bool DenseIsWeight(in Conv2dGeometry g) =>
        g.OH == 1 && g.OW == 1 && g.H == g.KH && g.W == g.KW && g.PH == 0 && g.PW == 0 && g.DH == 1 && g.DW == 1;

    /// <summary>T's rows and columns: K·OH·OW and C·H·W.</summary>
    private static (int Rows, int Cols) DenseShape(in Conv2dGeometry g) => (g.K * g.OH * g.OW, g.C * g.H * g.W);

    /// <summary>The taps of output (oh, ow) that land on the image: (tap index i·KW + j, pixel h·W + w).</summary>
    private static (int Tap, int Pixel)[] DenseTaps(in Conv2dGeometry g, int oh, int ow)
    {
        var taps = new List<(int, int)>();
        for (int i = 0; i < g.KH; i++)
        {
            int h = oh * g.SH - g.PH + i * g.DH;
            if ((uint)h >= (uint)g.H) continue;
            for (int j = 0; j < g.KW; j++)
            {
                int w = ow * g.SW - g.PW + j * g.DW;
                if ((uint)w < (uint)g.W) taps.Add((i * g.KW + j, h * g.W + w));
            }
        }
        return taps.ToArray();
    }

    /// <summary><see cref="DenseTaps"/> of every output position, row-major.</summary>
    private static (int Tap, int Pixel)[][] DenseTaps(in Conv2dGeometry g)
    {
        var taps = new (int Tap, int Pixel)[g.OH * g.OW][];
        for (int p = 0; p < taps.Length; p++) taps[p] = DenseTaps(g, p / g.OW, p % g.OW);
        return taps;
    }

    /// <summary>For output position p and image pixel q, the tap of w that lands on q (map[p·H·W + q]), or −1 where
    /// none does: T's row (k, p) is then w[k, c, map[p, q]] at column (c, q), for every c.</summary>
    private static int[] DenseTapMap(in Conv2dGeometry g)
    {
        int o = g.OH * g.OW, hw = g.H * g.W;
        var map = new int[o * hw];
        System.Array.Fill(map, -1);
        var taps = DenseTaps(g);
        for (int p = 0; p < o; p++)
            foreach (var (tap, pixel) in taps[p]) map[p * hw + pixel] = tap;
        return map;
    }

    /// <summary>T from w (w from offset wo), one output channel per task: row (k, p) is written front to back, H·W
    /// entries per input channel, zeros included (no clearing pass).
    /// A tight loop over a flat tap map, row by row: 1.4x faster than the first version, a list of (tap, pixel) pairs
    /// per position walked through spans (bench/results/2026-12-07-dense-conv-matrix.md).</summary>
    private static T[] DenseMatrix<T>(T[] w, int wo, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, cols) = DenseShape(g);
        T[] t = BufferPool<T>.Rent(rows * cols);
        int o = g.OH * g.OW, kk = g.KH * g.KW, hw = g.H * g.W, c = g.C;
        int[] map = DenseTapMap(g);
        CpuParallel.For(g.K, k =>
        {
            ref T src = ref w[wo + (long)k * c * kk];
            for (int p = 0; p < o; p++)
            {
                ref T row = ref t[((long)k * o + p) * cols];
                ref int mp = ref map[p * hw];
                for (int ci = 0; ci < c; ci++)
                {
                    ref T wk = ref Unsafe.Add(ref src, ci * kk);
                    ref T r = ref Unsafe.Add(ref row, ci * hw);
                    for (int q = 0; q < hw; q++)
                    {
                        int tap = Unsafe.Add(ref mp, q);
                        Unsafe.Add(ref r, q) = tap >= 0 ? Unsafe.Add(ref wk, tap) : T.Zero;
                    }
                }
            }
        }, (long)o * cols);
        return t;
    }

    private static void DenseForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, cols) = DenseShape(g);
        int o = g.OH * g.OW;
        var y = Array<T>(yt).AsSpan((int)yt.Offset, g.N * rows);
        if (bt != null)
        {
            var b = Array<T>(bt).AsSpan((int)bt.Offset, g.K);
            for (int n = 0; n < g.N; n++)
                for (int k = 0; k < g.K; k++) y.Slice(n * rows + k * o, o).Fill(b[k]);
        }
        T[]? t = DenseIsWeight(g) ? null : DenseMatrix(Array<T>(wt), (int)wt.Offset, g);
        var tm = t == null ? Array<T>(wt).AsSpan((int)wt.Offset, rows * cols) : t.AsSpan(0, rows * cols);
        Gemm.Multiply(false, true, g.N, rows, cols, Array<T>(xt).AsSpan((int)xt.Offset, g.N * cols), tm, y, bt != null ? T.One : T.Zero);
        if (t != null) BufferPool<T>.Return(t);
    }

    private static void DenseBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, cols) = DenseShape(g);
        T[]? t = DenseIsWeight(g) ? null : DenseMatrix(Array<T>(wt), (int)wt.Offset, g);
        var tm = t == null ? Array<T>(wt).AsSpan((int)wt.Offset, rows * cols) : t.AsSpan(0, rows * cols);
        Gemm.Multiply(false, false, g.N, cols, rows, Array<T>(dyt).AsSpan((int)dyt.Offset, g.N * rows), tm,
            Array<T>(dxt).AsSpan((int)dxt.Offset, g.N * cols), T.Zero);
        if (t != null) BufferPool<T>.Return(t);
    }

    private static void DenseBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, cols) = DenseShape(g);
        if (DenseIsWeight(g))
        {
            Gemm.Multiply(true, false, rows, cols, g.N, Array<T>(dyt).AsSpan((int)dyt.Offset, g.N * rows),
                Array<T>(xt).AsSpan((int)xt.Offset, g.N * cols), Array<T>(dwt).AsSpan((int)dwt.Offset, rows * cols), T.Zero);
            return;
        }
        T[] dtm = BufferPool<T>.Rent(rows * cols);
        Gemm.Multiply(true, false, rows, cols, g.N, Array<T>(dyt).AsSpan((int)dyt.Offset, g.N * rows),
            Array<T>(xt).AsSpan((int)xt.Offset, g.N * cols), dtm.AsSpan(0, rows * cols), T.Zero);
        // Fold dT into dw: each tap sums its entries over the output positions where it lands on the image, in the
        // order of the positions (fixed: the result does not depend on the thread count).
        T[] dw = Array<T>(dwt);
        int dwo = (int)dwt.Offset, o = g.OH * g.OW, kk = g.KH * g.KW, hw = g.H * g.W, c = g.C;
        int[] map = DenseTapMap(g);
        CpuParallel.For(g.K, k =>
        {
            ref T dst = ref dw[dwo + (long)k * c * kk];
            for (int i = 0; i < c * kk; i++) Unsafe.Add(ref dst, i) = T.Zero;
            for (int p = 0; p < o; p++)
            {
                ref T row = ref dtm[((long)k * o + p) * cols];
                ref int mp = ref map[p * hw];
                for (int ci = 0; ci < c; ci++)
                {
                    ref T wk = ref Unsafe.Add(ref dst, ci * kk);
                    ref T r = ref Unsafe.Add(ref row, ci * hw);
                    for (int q = 0; q < hw; q++)
                    {
                        int tap = Unsafe.Add(ref mp, q);
                        if (tap >= 0) Unsafe.Add(ref wk, tap) += Unsafe.Add(ref r, q);
                    }
                }
            }
        }, (long)o * cols);
        BufferPool<T>.Return(dtm);
    }
}
