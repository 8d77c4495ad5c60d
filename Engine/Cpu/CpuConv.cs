using Pade.Engine.Functional;
using System.Numerics;
using System.Runtime.InteropServices;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// Convolution on the CPU as im2col + GEMM. For one group of a chunk of S samples, im2col lays the receptive
/// fields out as the columns of a matrix X_col [C/G·KH·KW, S·OH·OW] (row (c, i, j), column (s, oh, ow) holds
/// x[s, c, oh·SH − PH + i·DH, ow·SW − PW + j·DW] or 0 in the padding), and then
///   forward          Y   [K/G, S·OH·OW] = W [K/G, C/G·KH·KW] · X_col
///   input gradient   dX_col             = Wᵀ · dY,  scattered back into dx by col2im (the adjoint of im2col)
///   weight gradient  dW                += dY · X_colᵀ
/// A chunk holds one sample when its image is large (the GEMM is wide enough) and several when it is small, so
/// the deep 4x4, 2x2 and 1x1 layers multiply one weight matrix with many columns at once instead of streaming it
/// from memory once per sample. Chunks run in parallel; scratch matrices come from <see cref="BufferPool{T}"/>.
/// Depthwise convolutions take the direct loops of CpuConvDepthwise.cs instead, 1x1 convolutions three GEMMs on the
/// tensors in place (CpuConvPointwise.cs), 3x3 unit-stride convolutions with enough channels Winograd's F(2x2, 3x3)
/// (CpuConvWinograd.cs), unit-stride convolutions with few output channels the shifted-row kernels of
/// CpuConvDirect.cs, and an image no larger than the kernel one batch-wide GEMM with the convolution's dense matrix
/// (CpuConvDense.cs).
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Columns (S·OH·OW) one GEMM of a chunk aims for.</summary>
    private const int ConvTargetColumns = 512;

    /// <summary>Cap on the elements of one chunk's im2col matrix (16 MiB of float32).</summary>
    private const int ConvMaxColElements = 1 << 22;

    /// <summary>The weight gradient sums over the batch: the chunks are split into at most this many fixed parts,
    /// each accumulating into its own copy of dW, added in order at the end. The split depends on the shapes only,
    /// never on the thread count, so results are reproducible bit for bit.</summary>
    private const int ConvWeightPartials = 4;

    /// <summary>Whether a layer whose weights outweigh its batch's columns runs as one chunk (default). Settable for
    /// the A/B measurement.</summary>
    internal static bool WeightHeavyOneChunk { get; set; } = true;

    private static int ConvSamplesPerChunk(in Conv2dGeometry g)
    {
        int ohw = Math.Max(1, g.OH * g.OW);
        int byColumns = Math.Max(1, ConvTargetColumns / ohw);
        int byMemory = Math.Max(1, ConvMaxColElements / Math.Max(1, g.ColRows * ohw));
        // At least two chunks from four samples on, whatever the columns ask: a deep layer whose small images would
        // fit the whole batch in one chunk still gives two threads a GEMM each. (Shape-only, like the rest: the
        // chunking must not depend on the thread count.)
        // Not where the weights outweigh the batch's columns (ResNet's 512→512 4² at batch 8: 2.4M weights against
        // 128 columns): two chunks would stream the weight matrix twice, one chunk splits its GEMM's rows over the
        // threads instead.
        int cap = g.N >= 4 && !(WeightHeavyOneChunk && g.KPerGroup > g.N * ohw) ? (g.N + 1) / 2 : g.N;
        return Math.Clamp(Math.Min(byColumns, byMemory), 1, Math.Max(1, cap));
    }

    public override void Conv2d(Tensor x, Tensor w, Tensor? b, Tensor y, Conv2dGeometry g)
    {
        if (x.DType == DType.Float32) Conv2dForward<float>(x, w, b, y, g);
        else Conv2dForward<double>(x, w, b, y, g);
    }

    public override void Conv2dBackward(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, Conv2dGeometry g) =>
        Conv2dBackward(x, w, dy, dx, dw, db, g, null);

    /// <summary>The Winograd path keeps its transformed weights U for the input gradient (16·K·C elements: 4 MiB for
    /// ResNet's 256→256 layers) instead of transforming w again in the backward. Settable for the A/B measurement
    /// and for the tests that compare the two.</summary>
    internal static bool KeepWinogradWeights { get; set; } = true;

    public override Tensor? Conv2dSaving(Tensor x, Tensor w, Tensor? b, Tensor y, Conv2dGeometry g)
    {
        if (!KeepWinogradWeights || ConvPaths(g).Forward != ConvPath.Winograd)
        {
            Conv2d(x, w, b, y, g);
            return null;
        }
        var u = Tensor.Empty([16 * WinogradUStride(g)], x.DType);
        if (x.DType == DType.Float32) WinogradForward<float>(x, w, b, y, g, Array<float>(u));
        else WinogradForward<double>(x, w, b, y, g, Array<double>(u));
        return u;
    }

    public override void Conv2dBackward(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, Conv2dGeometry g, Tensor? saved)
    {
        if (x.DType == DType.Float32) Conv2dBackward<float>(x, w, dy, dx, dw, db, g, saved);
        else Conv2dBackward<double>(x, w, dy, dx, dw, db, g, saved);
    }

    /// <summary>The direct kernels keep a layer Winograd could take on AVX-512 machines when its rows are 32 wide or
    /// more and it has few channels (C·K below 64·64): DenseNet-like 32→32 32² layers, forward and backward 1.15–1.5x
    /// faster direct at batch 8. From 64·64 on Winograd wins (ResNet's 64→64 32², batch 8: forward 1.21x / 1.01x,
    /// backward 1.41x / 1.20x at 1 / 2 threads; DenseNet's 128→32 32²: backward 1.35x / 1.17x, forward 0.97x / 0.82x,
    /// together 1.19x / 1.05x), since its chunks run one per thread (bench/results/2026-12-07-winograd-wide-rows.md). On AVX2 machines the direct tile
    /// runs in three passes and Winograd wins at every width (ResNet's 64→64 32²: forward 7.2 against 10.3 ms,
    /// backward 16.5 against 24.1, batch 8, one thread, Zen 2/3-class EPYC), so the direct kernels never keep one
    /// there. The two kinds of machine then give such layers other last bits; every other path is bit-identical
    /// (docs/cpu-backend.md).</summary>
    private static bool DirectKeepsWideRows(in Conv2dGeometry g) => CpuIsa.Avx512 && g.OW >= 32 && (long)g.C * g.K < 64 * 64;

    /// <summary>The loops that compute one pass of a convolution on the CPU: im2col + GEMM splits into the offset
    /// table (narrow outputs) and the row slices.</summary>
    internal enum ConvPath { Depthwise, Winograd, Direct, Dense, Pointwise, Table, Slices }

    /// <summary>The path of each pass (forward, input gradient, weight gradient) of <paramref name="g"/> with the
    /// given switches (<see cref="DirectConvolution"/>, <see cref="Im2ColTable"/>, and where the Winograd path
    /// starts: <see cref="WinogradMinimum"/>, null when <see cref="WinogradConvolution"/> is off; the dense path
    /// follows <see cref="DenseConvolution"/>). Winograd yields to the dense path (an image no larger than the kernel:
    /// the same 2.25x fewer products without transforms) and, on wide rows, to the direct one (few output channels:
    /// about as fast); the pointwise path takes every 1x1 convolution with unit stride and no padding.
    /// The dispatch below goes by it, and the tests aim their geometry generators at every path with it.</summary>
    internal static (ConvPath Forward, ConvPath Input, ConvPath Weight) ConvPaths(in Conv2dGeometry g, bool direct, bool table, WinogradFloor? winograd)
    {
        if (g.IsDepthwise) return (ConvPath.Depthwise, ConvPath.Depthwise, ConvPath.Depthwise);
        bool dense = DenseConvolution && DenseApplies(g), directForward = direct && DirectApplies(g);
        // A pointwise convolution is three batched GEMMs on the tensors in place, faster than the direct kernels
        // on every 1x1 layer of the paper's networks (bench/results/2026-12-06-depthwise-pointwise.md).
        if (!dense && PointwiseApplies(g)) return (ConvPath.Pointwise, ConvPath.Pointwise, ConvPath.Pointwise);
        // Winograd yields to the direct kernels on rows of 32 and more with few channels; on narrower rows it wins
        // every pass (DenseNet's 128→32 layers at 16² and 8²: 1.1–2x).
        if (winograd is { } floor && !dense && (!directForward || !DirectKeepsWideRows(g)) && WinogradApplies(g, floor))
            return (ConvPath.Winograd, ConvPath.Winograd, ConvPath.Winograd);
        var im2col = table && g.OW < Im2ColTableBelow ? ConvPath.Table : ConvPath.Slices;
        var forward = directForward ? ConvPath.Direct : dense ? ConvPath.Dense : im2col;
        var input = direct && DirectInputApplies(g) ? ConvPath.Direct : dense ? ConvPath.Dense : im2col;
        return (forward, input, forward);
    }

    private static (ConvPath Forward, ConvPath Input, ConvPath Weight) ConvPaths(in Conv2dGeometry g) =>
        ConvPaths(g, DirectConvolution, Im2ColTable, WinogradConvolution ? WinogradMinimum : null);

    private static void Conv2dForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (ConvPaths(g).Forward)
        {
            case ConvPath.Depthwise: DepthwiseForward<T>(xt, wt, bt, yt, g); return;
            case ConvPath.Winograd: WinogradForward<T>(xt, wt, bt, yt, g); return;
            case ConvPath.Direct: DirectForward<T>(xt, wt, bt, yt, g); return;
            case ConvPath.Dense: DenseForward<T>(xt, wt, bt, yt, g); return;
            case ConvPath.Pointwise: PointwiseForward<T>(xt, wt, bt, yt, g); return;
        }
        T[] x = Array<T>(xt), w = Array<T>(wt), y = Array<T>(yt);
        T[]? b = bt == null ? null : Array<T>(bt);
        int xo = (int)xt.Offset, wo = (int)wt.Offset, yo = (int)yt.Offset, bo = bt == null ? 0 : (int)bt.Offset;
        int nb = ConvSamplesPerChunk(g), chunks = (g.N + nb - 1) / nb;
        int ohw = g.OH * g.OW, hw = g.H * g.W, rows = g.ColRows, kg = g.KPerGroup, cg = g.CPerGroup;

        void Chunk(int ch)
        {
            int s0 = ch * nb, ns = Math.Min(nb, g.N - s0), cols = ns * ohw;
            bool direct = ns == 1 && g.IsPointwise;
            T[]? col = direct ? null : BufferPool<T>.Rent(rows * cols);
            T[]? tmp = ns == 1 ? null : BufferPool<T>.Rent(kg * cols);
            for (int gi = 0; gi < g.Groups; gi++)
            {
                ReadOnlySpan<T> xcol;
                if (direct) xcol = x.AsSpan(xo + (s0 * g.C + gi * cg) * hw, cg * hw);
                else
                {
                    int group = gi;
                    if (typeof(T) == typeof(float) && UsesIm2ColTable(g) && Im2ColLanesApply(g))
                    {
                        // One permute per row: split by channels, each part's rows for every sample (split by samples, two
                        // threads' 16-element runs met in shared cache lines; serial, it waited on lines the GEMM's other
                        // thread had just read).
                        int parts = CpuParallel.Available, per = (cg + parts - 1) / parts;
                        CpuParallel.For(parts, part =>
                        {
                            var cs = MemoryMarshal.Cast<T, float>(col.AsSpan(0, rows * cols));
                            for (int s = 0; s < ns; s++)
                                Im2ColByLanes(MemoryMarshal.Cast<T, float>(x.AsSpan(xo + ((s0 + s) * g.C + group * cg) * hw, cg * hw)), cs, cols, s * ohw, g,
                                    Math.Min(cg, part * per), Math.Min(cg, (part + 1) * per));
                        }, (long)ns * per * g.KH * g.KW * 16);
                    }
                    else
                        CpuParallel.For(ns, s => Im2Col<T>(x.AsSpan(xo + ((s0 + s) * g.C + group * cg) * hw, cg * hw), col.AsSpan(0, rows * cols), cols, s * ohw, g),
                            (long)rows * ohw);
                    xcol = col.AsSpan(0, rows * cols);
                }
                var wg = w.AsSpan(wo + gi * kg * rows, kg * rows);
                if (ns == 1)
                {
                    // One sample: the GEMM writes straight into y, starting from the bias rows.
                    var yg = y.AsSpan(yo + (s0 * g.K + gi * kg) * ohw, kg * ohw);
                    if (b != null)
                        for (int r = 0; r < kg; r++) yg.Slice(r * ohw, ohw).Fill(b[bo + gi * kg + r]);
                    Gemm.Multiply(false, false, kg, ohw, rows, wg, xcol, yg, b != null ? T.One : T.Zero);
                }
                else
                {
                    // Several samples: the product is [K/G, S, OH·OW]; each row of each sample goes to its place.
                    Gemm.Multiply(false, false, kg, cols, rows, wg, xcol, tmp.AsSpan(0, kg * cols), T.Zero);
                    int group = gi;
                    CpuParallel.For(kg, r =>
                    {
                        T bias = b != null ? b[bo + group * kg + r] : T.Zero;
                        for (int s = 0; s < ns; s++)
                            LayerSimd.ScaleShift<T>(tmp.AsSpan(r * cols + s * ohw, ohw), y.AsSpan(yo + ((s0 + s) * g.K + group * kg + r) * ohw, ohw), T.One, bias);
                    }, (long)cols);
                }
            }
            if (col != null) BufferPool<T>.Return(col);
            if (tmp != null) BufferPool<T>.Return(tmp);
        }

        // Chunks enough for every thread: one per thread at a time, everything inside it serial (two independent
        // GEMMs beat one GEMM split over two threads, which packs its shared panel twice). Fewer (a batch of one or
        // two): one at a time, each spreading its im2col, GEMM and scatter over every thread.
        if (chunks >= CpuParallel.Available) CpuParallel.For(chunks, Chunk, (long)nb * ohw * rows * g.K);
        else for (int ch = 0; ch < chunks; ch++) Chunk(ch);
    }

    private static void Conv2dBackward<T>(Tensor xt, Tensor wt, Tensor dyt, Tensor? dxt, Tensor? dwt, Tensor? dbt, Conv2dGeometry g, Tensor? saved)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dbt != null) ConvBiasGradient<T>(dyt, dbt, g);
        var (_, input, weight) = ConvPaths(g);
        if (input == ConvPath.Winograd) { WinogradBackward<T>(xt, wt, dyt, dxt, dwt, g, saved == null ? null : Array<T>(saved)); return; }
        if (dxt != null)
            switch (input)
            {
                case ConvPath.Depthwise: DepthwiseBackwardInput<T>(wt, dyt, dxt, g); break;
                case ConvPath.Direct: DirectBackwardInput<T>(wt, dyt, dxt, g); break;
                case ConvPath.Dense: DenseBackwardInput<T>(wt, dyt, dxt, g); break;
                case ConvPath.Pointwise: PointwiseBackwardInput<T>(wt, dyt, dxt, g); break;
                default: ConvBackwardInput<T>(wt, dyt, dxt, g); break;
            }
        if (dwt != null)
            switch (weight)
            {
                case ConvPath.Depthwise: DepthwiseBackwardWeight<T>(xt, dyt, dwt, g); break;
                case ConvPath.Direct: DirectBackwardWeight<T>(xt, dyt, dwt, g); break;
                case ConvPath.Dense: DenseBackwardWeight<T>(xt, dyt, dwt, g); break;
                case ConvPath.Pointwise: PointwiseBackwardWeight<T>(xt, dyt, dwt, g); break;
                default: ConvBackwardWeight<T>(xt, dyt, dwt, g); break;
            }
    }

    /// <summary>db[k] = Σ_{n, oh, ow} dy[n, k, oh, ow], one channel per task.</summary>
    private static void ConvBiasGradient<T>(Tensor dyt, Tensor dbt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] dy = Array<T>(dyt), db = Array<T>(dbt);
        int dyo = (int)dyt.Offset, dbo = (int)dbt.Offset, ohw = g.OH * g.OW;
        CpuParallel.For(g.K, k =>
        {
            T s = T.Zero;
            for (int n = 0; n < g.N; n++) s += LayerSimd.Sum<T>(dy.AsSpan(dyo + (n * g.K + k) * ohw, ohw));
            db[dbo + k] = s;
        }, (long)g.N * ohw);
    }

    /// <summary>The rows of one group of dy for a chunk of samples, as the GEMM's [K/G, S·OH·OW] matrix: a slice
    /// of dy itself for one sample, else gathered into scratch.</summary>
    private static ReadOnlySpan<T> ChunkGradient<T>(T[] dy, int dyo, int s0, int ns, int gi, T[]? scratch, in Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OH * g.OW, kg = g.KPerGroup, cols = ns * ohw;
        if (ns == 1) return dy.AsSpan(dyo + (s0 * g.K + gi * kg) * ohw, kg * ohw);
        for (int r = 0; r < kg; r++)
            for (int s = 0; s < ns; s++)
                dy.AsSpan(dyo + ((s0 + s) * g.K + gi * kg + r) * ohw, ohw).CopyTo(scratch.AsSpan(r * cols + s * ohw, ohw));
        return scratch.AsSpan(0, kg * cols);
    }

    /// <summary>dx = col2im(Wᵀ · dY) per chunk; chunks write disjoint samples of dx.</summary>
    private static void ConvBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] w = Array<T>(wt), dy = Array<T>(dyt), dx = Array<T>(dxt);
        int wo = (int)wt.Offset, dyo = (int)dyt.Offset, dxo = (int)dxt.Offset;
        int nb = ConvSamplesPerChunk(g), chunks = (g.N + nb - 1) / nb;
        int ohw = g.OH * g.OW, hw = g.H * g.W, rows = g.ColRows, kg = g.KPerGroup, cg = g.CPerGroup;

        CpuParallel.For(chunks, ch =>
        {
            int s0 = ch * nb, ns = Math.Min(nb, g.N - s0), cols = ns * ohw;
            bool direct = ns == 1 && g.IsPointwise;
            T[]? gather = ns == 1 ? null : BufferPool<T>.Rent(kg * cols);
            T[]? dcol = direct ? null : BufferPool<T>.Rent(rows * cols);
            for (int gi = 0; gi < g.Groups; gi++)
            {
                var gy = ChunkGradient(dy, dyo, s0, ns, gi, gather, g);
                var wg = w.AsSpan(wo + gi * kg * rows, kg * rows);
                if (direct)
                {
                    Gemm.Multiply(true, false, rows, cols, kg, wg, gy, dx.AsSpan(dxo + (s0 * g.C + gi * cg) * hw, cg * hw), T.Zero);
                    continue;
                }
                var dc = dcol.AsSpan(0, rows * cols);
                Gemm.Multiply(true, false, rows, cols, kg, wg, gy, dc, T.Zero);
                for (int s = 0; s < ns; s++)
                {
                    var plane = dx.AsSpan(dxo + ((s0 + s) * g.C + gi * cg) * hw, cg * hw);
                    plane.Clear();
                    Col2Im<T>(dc, cols, s * ohw, plane, g);
                }
            }
            if (gather != null) BufferPool<T>.Return(gather);
            if (dcol != null) BufferPool<T>.Return(dcol);
        }, (long)nb * ohw * rows * g.K);
    }

    /// <summary>dW = Σ over chunks of dY · X_colᵀ, in at most <see cref="ConvWeightPartials"/> fixed parts.</summary>
    private static void ConvBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), dy = Array<T>(dyt), dw = Array<T>(dwt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset, dwo = (int)dwt.Offset;
        int nb = ConvSamplesPerChunk(g), chunks = (g.N + nb - 1) / nb;
        int ohw = g.OH * g.OW, hw = g.H * g.W, rows = g.ColRows, kg = g.KPerGroup, cg = g.CPerGroup;
        int size = g.K * rows, parts = Math.Min(chunks, ConvWeightPartials);
        var partial = new T[parts][];
        for (int p = 1; p < parts; p++) partial[p] = BufferPool<T>.Rent(size);

        CpuParallel.For(parts, p =>
        {
            var acc = p == 0 ? dw.AsSpan(dwo, size) : partial[p].AsSpan(0, size);
            T[]? gather = nb == 1 ? null : BufferPool<T>.Rent(kg * nb * ohw);
            T[]? col = nb == 1 && g.IsPointwise ? null : BufferPool<T>.Rent(rows * nb * ohw);
            int c0 = p * chunks / parts, c1 = (p + 1) * chunks / parts;
            for (int ch = c0; ch < c1; ch++)
            {
                int s0 = ch * nb, ns = Math.Min(nb, g.N - s0), cols = ns * ohw;
                for (int gi = 0; gi < g.Groups; gi++)
                {
                    var gy = ChunkGradient(dy, dyo, s0, ns, gi, gather, g);
                    ReadOnlySpan<T> xcol;
                    if (ns == 1 && g.IsPointwise) xcol = x.AsSpan(xo + (s0 * g.C + gi * cg) * hw, cg * hw);
                    else
                    {
                        for (int s = 0; s < ns; s++)
                            Im2Col<T>(x.AsSpan(xo + ((s0 + s) * g.C + gi * cg) * hw, cg * hw), col.AsSpan(0, rows * cols), cols, s * ohw, g);
                        xcol = col.AsSpan(0, rows * cols);
                    }
                    Gemm.Multiply(false, true, kg, rows, cols, gy, xcol, acc.Slice(gi * kg * rows, kg * rows), ch == c0 ? T.Zero : T.One);
                }
            }
            if (gather != null) BufferPool<T>.Return(gather);
            if (col != null) BufferPool<T>.Return(col);
        }, (long)chunks / parts * nb * ohw * rows * g.K);

        for (int p = 1; p < parts; p++)
        {
            LayerSimd.Add<T>(partial[p].AsSpan(0, size), dw.AsSpan(dwo, size));
            BufferPool<T>.Return(partial[p]);
        }
    }

    /// <summary>Writes the receptive fields of one sample's group of channels, x [C/G, H, W], into the columns
    /// colOffset .. colOffset + OH·OW − 1 of the im2col matrix (row length ldc).</summary>
    private static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col, int ldc, int colOffset, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UsesIm2ColTable(g)) { Im2ColByTable(x, col, ldc, colOffset, g); return; }
        int hw = g.H * g.W, ohw = g.OH * g.OW, row = 0;
        for (int c = 0; c < g.CPerGroup; c++)
        {
            var xc = x.Slice(c * hw, hw);
            for (int i = 0; i < g.KH; i++)
            {
                int ioff = i * g.DH - g.PH;
                for (int j = 0; j < g.KW; j++, row++)
                {
                    int joff = j * g.DW - g.PW;
                    var (lo, hi) = LayerSimd.ValidRange(joff, g.SW, g.W, g.OW);
                    var dst = col.Slice(row * ldc + colOffset, ohw);
                    if (hi <= lo) { dst.Clear(); continue; }   // the column reads only padding
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.SH + ioff;
                        var d = dst.Slice(oh * g.OW, g.OW);
                        if ((uint)ih >= (uint)g.H) { d.Clear(); continue; }
                        d[..lo].Clear();
                        d[hi..].Clear();
                        var src = xc.Slice(ih * g.W, g.W);
                        if (g.SW == 1) src.Slice(lo + joff, hi - lo).CopyTo(d.Slice(lo, hi - lo));
                        else for (int ow = lo; ow < hi; ow++) d[ow] = src[ow * g.SW + joff];
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col{T}"/>: adds every column entry back onto the input position it was
    /// read from (positions read by several windows sum their gradients); padding entries are dropped.</summary>
    private static void Col2Im<T>(ReadOnlySpan<T> col, int ldc, int colOffset, Span<T> dx, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UsesIm2ColTable(g)) { Col2ImByTable(col, ldc, colOffset, dx, g); return; }
        int hw = g.H * g.W, ohw = g.OH * g.OW, row = 0;
        for (int c = 0; c < g.CPerGroup; c++)
        {
            var dxc = dx.Slice(c * hw, hw);
            for (int i = 0; i < g.KH; i++)
            {
                int ioff = i * g.DH - g.PH;
                for (int j = 0; j < g.KW; j++, row++)
                {
                    int joff = j * g.DW - g.PW;
                    var (lo, hi) = LayerSimd.ValidRange(joff, g.SW, g.W, g.OW);
                    if (hi <= lo) continue;
                    var src = col.Slice(row * ldc + colOffset, ohw);
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.SH + ioff;
                        if ((uint)ih >= (uint)g.H) continue;
                        var s = src.Slice(oh * g.OW, g.OW);
                        var d = dxc.Slice(ih * g.W, g.W);
                        if (g.SW == 1) LayerSimd.Add<T>(s.Slice(lo, hi - lo), d.Slice(lo + joff, hi - lo));
                        else for (int ow = lo; ow < hi; ow++) d[ow * g.SW + joff] += s[ow];
                    }
                }
            }
        }
    }
}
