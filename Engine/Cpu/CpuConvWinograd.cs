using System.Numerics;
using System.Runtime.CompilerServices;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
/// CVPR 2016) for 3x3 convolutions with unit stride and dilation, one group, any padding. The output is cut into
/// 2x2 tiles; tile (ty, tx) reads the 4x4 input patch d whose corner is (2·ty − PH, 2·tx − PW) (zeros outside x):
/// <code>
///   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A        Bᵀ = | 1  0 −1  0 |    G = | 1   0   0 |    Aᵀ = | 1 1  1  0 |
///                                               | 0  1  1  0 |        | ½   ½   ½ |         | 0 1 −1 −1 |
///                                               | 0 −1  1  0 |        | ½  −½   ½ |
///                                               | 0  1  0 −1 |        | 0   0   1 |
/// </code>
/// 16 multiplications per tile and channel pair instead of 36. Summed over the input channels, the 16 products ξ
/// become 16 independent GEMMs over the P tiles of a chunk of samples:
///   U[ξ] = (G g Gᵀ)[ξ]  [K, C]      V[ξ] = (Bᵀ d B)[ξ]  [C, P]      M[ξ] = U[ξ] · V[ξ]  [K, P]      y = Aᵀ M A
/// The pass is linear in x and in g, so the gradients are its adjoints, the same steps in reverse:
///   Z = A dY Aᵀ  (outputs past y read 0)    dV[ξ] = U[ξ]ᵀ · Z[ξ]    dx = Σ_tiles B dV Bᵀ  (overlapping patches add)
///   dU[ξ] = Σ_chunks Z[ξ] · V[ξ]ᵀ           dw = Gᵀ dU G
/// Every transform has entries 0, ±1 and ±½, so the float32 error stays near that of the direct sum (measured
/// against the float64 result in Tests/Layers/ConvWinogradTests.cs). Each plane is first copied into a zero-padded
/// scratch plane, split into its even and odd columns, that covers every tile, so the tile loops never test bounds (the tile transforms themselves run a
/// row of tiles per vector, CpuConvWinogradRows.cs; the weight transform 8 pairs per vector, WinogradLanes.cs). The
/// chunks go into at most four parts; a thread runs whole parts where they divide over the threads, else the parts
/// run one after the other, each phase spread over the threads. The chunking and the parts depend on the shapes only
/// and dU sums each part's chunks, then the parts, in order, so results are the same for every thread count.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Takes the Winograd path where it applies (default). Settable for experiments and for tests that
    /// compare it with the other paths.</summary>
    public static bool WinogradConvolution { get; set; } = true;

    /// <summary>Where the Winograd path starts to pay: at least this many input and output channels (with fewer,
    /// the GEMMs are too thin to pay for the transforms) and this many 2x2 output tiles over the batch (with fewer,
    /// transforming the weights into 16 planes costs more than the GEMMs save: ResNet's 512→512 4x4 layer at batch
    /// 8 has 32 tiles and runs 1.3 times slower; Tests/Layers/ConvWinogradProfile.cs). Tests lower it to 1 and 1 to
    /// reach the path with small shapes.</summary>
    internal static WinogradFloor WinogradMinimum { get; set; } = new(Channels: 16, Tiles: 128);

    /// <summary>See <see cref="WinogradMinimum"/>.</summary>
    internal readonly record struct WinogradFloor(int Channels, int Tiles);

    /// <summary>Whether a batch of four or more samples is cut into at least two chunks (default). Settable for the
    /// A/B measurement.</summary>
    internal static bool WinogradTwoChunks { get; set; } = true;

    /// <summary>Tiles (GEMM columns) a chunk aims for.</summary>
    private const int WinogradTargetTiles = 512;

    /// <summary>Cap on one chunk's transformed tensor V or M (16 · channels · tiles elements: 8 MiB of float32).</summary>
    private const int WinogradMaxScratch = 1 << 21;

    /// <summary>The Winograd path applies to <paramref name="g"/> (a 3x3 kernel, unit stride and dilation, one
    /// group) and pays at or above <paramref name="floor"/>.</summary>
    private static bool WinogradApplies(in Conv2dGeometry g, WinogradFloor floor) =>
        g.Groups == 1 && g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1
        && g.C >= floor.Channels && g.K >= floor.Channels && (long)g.N * ((g.OH + 1) / 2) * ((g.OW + 1) / 2) >= floor.Tiles;

    /// <summary>The distance between the 16 planes ξ of U, V, M and Z: the plane's size rounded up to 1024 elements,
    /// plus 16. A transform reads or writes one element in each of the 16 planes per tile; at a power-of-two
    /// distance those 16 streams fall into the same cache sets and evict one another (measured: the
    /// transforms up to 12 times slower, bench/results/2026-12-06-conv-paths-profile.md). One 64-byte line past a multiple of 4 KiB puts them into 16 neighbouring sets.</summary>
    private static int WinogradStride(int planeElements) => (planeElements + 1023) / 1024 * 1024 + 16;

    /// <summary>The distance between U's planes: each plane holds U[ξ] [K, C] in the GEMM's packed layout
    /// (<see cref="Gemm.PackedIndex"/>), so the forward's products read it in place and the input gradient's repack
    /// its transpose, instead of each product packing U again.</summary>
    internal static int WinogradUStride(in Conv2dGeometry g) => WinogradStride((int)Gemm.PackedLength(g.K, g.C));

    /// <summary>TH x TW tiles per image, and the samples per chunk.</summary>
    private readonly record struct WinogradTiles(int TH, int TW, int SamplesPerChunk)
    {
        public int PerImage => TH * TW;

        /// <summary>Rows and columns of the zero-padded scratch plane: every tile's 4x4 patch lies inside it.</summary>
        public int PadH => 2 * TH + 2;
        public int PadW => 2 * TW + 2;

        public static WinogradTiles Of(in Conv2dGeometry g)
        {
            int th = (g.OH + 1) / 2, tw = (g.OW + 1) / 2, per = Math.Max(1, th * tw);
            int byTiles = Math.Max(1, WinogradTargetTiles / per);
            int byMemory = Math.Max(1, WinogradMaxScratch / (16 * Math.Max(g.C, g.K) * per));
            // Two chunks rather than one where each still has half the target's tiles (shape-only, like the rest),
            // so two threads can each take a part instead of splitting every phase of one chunk: ResNet's 128→128 16²
            // at batch 8, 1.11–1.33x at 2 threads. Thinner chunks lose more in their GEMMs than that gains (ResNet's
            // 256→256 8² at batch 8, 64 tiles: 0.86x; bench/results/2026-12-07-winograd-two-chunks.md).
            int half = (g.N + 1) / 2;
            int cap = WinogradTwoChunks && g.N >= 4 && half * per >= WinogradTargetTiles / 2 ? half : g.N;
            return new(th, tw, Math.Clamp(Math.Min(byTiles, byMemory), 1, Math.Max(1, cap)));
        }
    }

    /// <summary>A thread's scratch plane (reused: a fresh page costs more than the transform of a small plane).</summary>
    private static class WinogradScratch<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _plane;

        public static Span<T> Plane(int length)
        {
            if (_plane == null || _plane.Length < length) _plane = new T[Math.Max(length, 1024)];
            return _plane.AsSpan(0, length);
        }
    }

    /// <summary>The chunks of samples go in at most this many parts, each a run of consecutive chunks: the weight
    /// gradient sums each part's chunks in order into a copy of dU of its own and then the parts in order, so the
    /// bits depend on the shapes only, never on the thread count.</summary>
    private const int WinogradParts = 4;

    /// <summary>The parts of <paramref name="chunks"/> chunks: part i holds chunks [start(i), start(i + 1)).</summary>
    private static int WinogradPartCount(int chunks) => Math.Min(chunks, WinogradParts);

    private static int WinogradPartStart(int part, int parts, int chunks) => (int)((long)part * chunks / parts);

    /// <summary>Whether parts may run one per thread (default); off, every phase is split over the threads. Settable
    /// for the A/B measurement.</summary>
    internal static bool WinogradPartThreads { get; set; } = true;

    /// <summary>Runs part(i) for each part: in parallel, one thread per part, when the parts divide evenly over the
    /// threads (each thread then transforms, multiplies and transforms back its own chunks, which stay in its own
    /// cache; split phase by phase over the threads, every phase read what the other core had just written, and at
    /// rows of 32 the second thread gained almost nothing); else one after the other, each phase split over the
    /// threads.</summary>
    private static void WinogradRunParts(int parts, Action<int> part)
    {
        int threads = CpuParallel.Available;
        if (WinogradPartThreads && threads > 1 && parts >= threads && parts % threads == 0) CpuParallel.For(parts, part);
        else for (int i = 0; i < parts; i++) part(i);
    }

    /// <summary>The forward; U goes into <paramref name="keep"/> when given (for the backward), else into a pooled
    /// buffer.</summary>
    private static void WinogradForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g, T[]? keep = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = WinogradTiles.Of(g);
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int xo = (int)xt.Offset, yo = (int)yt.Offset;
        T[]? bias = bt == null ? null : Array<T>(bt);
        int bo = bt == null ? 0 : (int)bt.Offset;
        int maxP = t.SamplesPerChunk * t.PerImage, kc = g.K * g.C, su = WinogradUStride(g), packed = (int)Gemm.PackedLength(g.K, g.C);
        int chunks = (g.N + t.SamplesPerChunk - 1) / t.SamplesPerChunk, parts = WinogradPartCount(chunks);
        T[] u = keep ?? BufferPool<T>.Rent(16 * su);
        WinogradWeights(Array<T>(wt), (int)wt.Offset, u, g);
        WinogradRunParts(parts, part =>
        {
            T[] v = BufferPool<T>.Rent(16 * WinogradStride(g.C * maxP)), m = BufferPool<T>.Rent(16 * WinogradStride(g.K * maxP));
            for (int ch = WinogradPartStart(part, parts, chunks); ch < WinogradPartStart(part + 1, parts, chunks); ch++)
            {
                int s0 = ch * t.SamplesPerChunk, ns = Math.Min(t.SamplesPerChunk, g.N - s0), p = ns * t.PerImage;
                WinogradInput(x, xo, s0, ns, v, p, g, t);
                int sv = WinogradStride(g.C * p), sm = WinogradStride(g.K * p);
                CpuParallel.For(16, xi => Gemm.MultiplyPacked(false, g.K, p, g.C, u.AsSpan(xi * su, packed),
                    v.AsSpan(xi * sv, g.C * p), m.AsSpan(xi * sm, g.K * p), T.Zero), (long)kc * p);
                WinogradOutput(m, p, y, yo, bias, bo, s0, ns, g, t);
            }
            BufferPool<T>.Return(v); BufferPool<T>.Return(m);
        });
        if (keep == null) BufferPool<T>.Return(u);
    }

    /// <summary>The gradients; <paramref name="keptU"/> is the forward's U (from <see cref="Conv2dSaving"/>), or null
    /// to transform w again.</summary>
    private static void WinogradBackward<T>(Tensor xt, Tensor wt, Tensor dyt, Tensor? dxt, Tensor? dwt, Conv2dGeometry g, T[]? keptU = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = WinogradTiles.Of(g);
        T[] x = Array<T>(xt), dy = Array<T>(dyt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset, maxP = t.SamplesPerChunk * t.PerImage, kc = g.K * g.C, su = WinogradStride(kc);
        int chunks = (g.N + t.SamplesPerChunk - 1) / t.SamplesPerChunk, parts = WinogradPartCount(chunks);
        // U in the packed layout (its planes WinogradUStride apart); dU, which a product writes, plain (su apart).
        int sup = WinogradUStride(g), packed = (int)Gemm.PackedLength(g.K, g.C);
        T[]? u = null, du = null;
        if (dxt != null && keptU != null) u = keptU;
        else if (dxt != null)
        {
            u = BufferPool<T>.Rent(16 * sup);
            WinogradWeights(Array<T>(wt), (int)wt.Offset, u, g);
        }
        // One dU per part, 16·su apart.
        if (dwt != null) du = BufferPool<T>.Rent(parts * 16 * su);
        WinogradRunParts(parts, part =>
        {
            T[] z = BufferPool<T>.Rent(16 * WinogradStride(g.K * maxP)), v = BufferPool<T>.Rent(16 * WinogradStride(g.C * maxP));
            int first = WinogradPartStart(part, parts, chunks);
            for (int ch = first; ch < WinogradPartStart(part + 1, parts, chunks); ch++)
            {
                int s0 = ch * t.SamplesPerChunk, ns = Math.Min(t.SamplesPerChunk, g.N - s0), p = ns * t.PerImage;
                int sv = WinogradStride(g.C * p), sz = WinogradStride(g.K * p);
                WinogradOutputAdjoint(dy, dyo, z, p, s0, ns, g, t);
                if (dxt != null)
                {
                    // dV = Uᵀ · Z into v, then scattered onto dx's patches.
                    CpuParallel.For(16, xi => Gemm.MultiplyPacked(true, g.C, p, g.K, u!.AsSpan(xi * sup, packed),
                        z.AsSpan(xi * sz, g.K * p), v.AsSpan(xi * sv, g.C * p), T.Zero), (long)kc * p);
                    WinogradInputAdjoint(v, p, Array<T>(dxt), (int)dxt.Offset, s0, ns, g, t);
                }
                if (dwt != null)
                {
                    WinogradInput(x, xo, s0, ns, v, p, g, t);
                    T beta = ch == first ? T.Zero : T.One;
                    int at = part * 16 * su;
                    CpuParallel.For(16, xi => Gemm.Multiply(false, true, g.K, g.C, p, z.AsSpan(xi * sz, g.K * p),
                        v.AsSpan(xi * sv, g.C * p), du!.AsSpan(at + xi * su, kc), beta), (long)kc * p);
                }
            }
            BufferPool<T>.Return(z); BufferPool<T>.Return(v);
        });
        if (dwt != null)
        {
            // The parts' dU added in order into the first.
            var sum = du.AsSpan(0, 16 * su);
            for (int part = 1; part < parts; part++) LayerSimd.Add<T>(du.AsSpan(part * 16 * su, 16 * su), sum);
            WinogradWeightsAdjoint(du!, Array<T>(dwt), (int)dwt.Offset, g);
        }
        if (u != null && u != keptU) BufferPool<T>.Return(u);
        if (du != null) BufferPool<T>.Return(du);
    }

    /// <summary>U[ξ, k, c] = (G g Gᵀ)[ξ] for the 3x3 kernel g = w[k, c] (w from offset wo), each plane in the GEMM's
    /// packed layout (<see cref="WinogradUStride"/>), one sliver of 8 output channels per task. The sliver's padding rows
    /// (past K) are zero.</summary>
    private static void WinogradWeights<T>(T[] w, int wo, T[] u, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = g;
        const int mr = GemmKernel.MR;
        CpuParallel.For((g.K + mr - 1) / mr, s => WinogradWeightsSliver(w, wo, u, s * mr, geometry), (long)g.C * 64 * mr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void WinogradWeightsSliver<T>(T[] w, int wo, T[] u, int k0, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int mr = GemmKernel.MR;
        int c = g.C, K = g.K, su = WinogradUStride(g), rows = Math.Min(mr, K - k0);
        // Eight lanes: rows k0 .. k0 + 7 of one channel, 8 consecutive elements of the packed plane, channels by eights.
        int ci = 0;
        if (typeof(T) == typeof(float) && WinogradLanes.Weights8 && rows == mr && c >= 8)
        {
            ci = c - c % 8;
            fixed (T* wp = w, up = u)
                WinogradLanes.WeightsRows((float*)wp + wo + (long)k0 * c * 9, c * 9, ci, (float*)up + Gemm.PackedIndex(k0, 0, c), su);
        }
        T half = T.One / (T.One + T.One);
        Span<T> e = stackalloc T[12];
        for (; ci < c; ci++)
            for (int r = 0; r < mr; r++)
            {
                long q = Gemm.PackedIndex(k0 + r, ci, c);
                if (r >= rows)
                {
                    for (int xi = 0; xi < 16; xi++) u[xi * su + q] = T.Zero;
                    continue;
                }
                var f = w.AsSpan(wo + ((k0 + r) * c + ci) * 9, 9);
                // e = G f (4x3): the rows of f combined.
                for (int j = 0; j < 3; j++)
                {
                    T f0 = f[j], f1 = f[3 + j], f2 = f[6 + j];
                    e[j] = f0; e[3 + j] = (f0 + f1 + f2) * half; e[6 + j] = (f0 - f1 + f2) * half; e[9 + j] = f2;
                }
                // U = e Gᵀ (4x4): the columns combined.
                for (int a = 0; a < 4; a++)
                {
                    T e0 = e[3 * a], e1 = e[3 * a + 1], e2 = e[3 * a + 2];
                    u[(4 * a) * su + q] = e0;
                    u[(4 * a + 1) * su + q] = (e0 + e1 + e2) * half;
                    u[(4 * a + 2) * su + q] = (e0 - e1 + e2) * half;
                    u[(4 * a + 3) * su + q] = e2;
                }
            }
    }

    /// <summary>dw[k, c] = Gᵀ dU[·, k, c] G (dw from offset dwo), the adjoint of <see cref="WinogradWeights{T}"/>.</summary>
    private static void WinogradWeightsAdjoint<T>(T[] du, T[] dw, int dwo, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = g;
        CpuParallel.For(g.K, k => WinogradWeightsAdjointOne(du, dw, dwo, k, geometry), (long)g.C * 64);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static unsafe void WinogradWeightsAdjointOne<T>(T[] du, T[] dw, int dwo, int k, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.C, su = WinogradStride(g.K * g.C), q = k * c, end = (k + 1) * c;
        T half = T.One / (T.One + T.One);
        if (typeof(T) == typeof(float) && WinogradLanes.Weights8 && end - q >= 8)
            fixed (T* dup = du, dwp = dw)
                for (; q + 8 <= end; q += 8)
                    WinogradLanes.WeightsAdjointRow((float*)dup + q, (float*)dwp + dwo + q * 9, su);
        {
            Span<T> e = stackalloc T[12];
            for (; q < end; q++)
            {
                // e = dU G (4x3), then dw = Gᵀ e (3x3). Gᵀ maps (t0, t1, t2, t3) to (t0 + (t1 + t2)/2, (t1 − t2)/2, (t1 + t2)/2 + t3).
                for (int a = 0; a < 4; a++)
                {
                    T t0 = du[(4 * a) * su + q], t1 = du[(4 * a + 1) * su + q], t2 = du[(4 * a + 2) * su + q], t3 = du[(4 * a + 3) * su + q];
                    T s = (t1 + t2) * half;
                    e[3 * a] = t0 + s; e[3 * a + 1] = (t1 - t2) * half; e[3 * a + 2] = s + t3;
                }
                var f = dw.AsSpan(dwo + q * 9, 9);
                for (int j = 0; j < 3; j++)
                {
                    T t0 = e[j], t1 = e[3 + j], t2 = e[6 + j], t3 = e[9 + j];
                    T s = (t1 + t2) * half;
                    f[j] = t0 + s; f[3 + j] = (t1 - t2) * half; f[6 + j] = s + t3;
                }
            }
        }
    }

    /// <summary>V[ξ, c, p] = (Bᵀ d B)[ξ] for the patch d of tile p of x[s0 .. s0 + ns, c]; P = p's count.</summary>
    private static void WinogradInput<T>(T[] x, int xo, int s0, int ns, T[] v, int p, Conv2dGeometry g, WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CpuParallel.For(g.C, c =>
        {
            if (WinogradPerTile(t)) WinogradInputTiles(x, xo, s0, ns, v, p, c, g, t);
            else WinogradInputOne(x, xo, s0, ns, v, p, c, g, t);
        }, (long)ns * t.PerImage * 64);

    /// <summary>y[s0 + s, k] tile by tile: Aᵀ M[·, k, p] A (+ b[k]), keeping the outputs inside y.</summary>
    private static void WinogradOutput<T>(T[] m, int p, T[] y, int yo, T[]? bias, int bo, int s0, int ns, Conv2dGeometry g, WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CpuParallel.For(g.K, k =>
        {
            if (WinogradPerTile(t)) WinogradOutputTiles(m, p, y, yo, bias, bo, s0, ns, k, g, t);
            else WinogradOutputOne(m, p, y, yo, bias, bo, s0, ns, k, g, t);
        }, (long)ns * t.PerImage * 32);

    /// <summary>Z[·, k, p] = A dY Aᵀ for the 2x2 block of dy[s0 + s, k] under tile p (zeros past dy's edge): the
    /// adjoint of <see cref="WinogradOutput{T}"/>. A maps (y0, y1) to (y0, y0 + y1, y0 − y1, −y1).</summary>
    private static void WinogradOutputAdjoint<T>(T[] dy, int dyo, T[] z, int p, int s0, int ns, Conv2dGeometry g, WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CpuParallel.For(g.K, k =>
        {
            if (WinogradPerTile(t)) WinogradOutputAdjointTiles(dy, dyo, z, p, s0, ns, k, g, t);
            else WinogradOutputAdjointOne(dy, dyo, z, p, s0, ns, k, g, t);
        }, (long)ns * t.PerImage * 32);

    /// <summary>dx[s0 + s, c] = Σ_tiles B dV[·, c, p] Bᵀ added onto each tile's 4x4 patch in the scratch plane, whose
    /// inside is then dx: the adjoint of <see cref="WinogradInput{T}"/>. B maps (t0, t1, t2, t3) to
    /// (t0, t1 − t2 + t3, −t0 + t1 + t2, −t3).</summary>
    private static void WinogradInputAdjoint<T>(T[] dv, int p, T[] dx, int dxo, int s0, int ns, Conv2dGeometry g, WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CpuParallel.For(g.C, c =>
        {
            if (WinogradPerTile(t)) WinogradInputAdjointTiles(dv, p, dx, dxo, s0, ns, c, g, t);
            else WinogradInputAdjointOne(dv, p, dx, dxo, s0, ns, c, g, t);
        }, (long)ns * t.PerImage * 64);
}
