using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>
/// General matrix multiply C = op(A) op(B) + beta C on row-major spans, after Goto and van de Geijn ("Anatomy of
/// high-performance matrix multiplication", 2008) as organised in BLIS:
/// <code>
/// (parallel) one rectangle of C per thread
/// for jc in N step NC                      B panel  kc x NC  (lives in L3)
///   for pc in K step KC                    packed once per (jc, pc) into NR-column slivers
///     for ic in M step MC                  A block  MC x kc  (lives in L2)
///       for jr in NC step NR               B sliver kc x NR  (lives in L1)
///         for ir in MC step MR             micro-kernel: MR x NR tile of C in registers
/// </code>
/// Packing copies each operand once per block into the order the micro-kernel reads it (unit stride, zero-padded
/// to whole slivers), which is also where transposes are absorbed: the kernel never sees a stride.
/// Every element of C is summed in the same order whatever the thread count or block split, so results are
/// bit-identical across <see cref="CpuParallel.Threads"/> settings.
/// </summary>
public static unsafe partial class Gemm
{
    /// <summary>Products with m·n·k below this (32³) skip packing: the copies would cost more than they save.</summary>
    private const long SmallWork = 32 * 32 * 32;

    /// <summary>
    /// Block sizes of the loop nest (upper bounds: blocks are split evenly, so K = 300 runs as 150 + 150).
    /// Kc: kc x NR of B (32 KiB in fp32 at 256) stays in the 48 KiB L1 during a sliver pass.
    /// Mc: MC x KC of A (about 256 KiB in fp32) stays in the core's 1 MiB L2.
    /// Nc: KC x NC of B (4 MiB in fp32) stays in the shared L3.
    /// Settable for experiments and for tests that need many small blocks; results do not depend on them
    /// beyond the order in which K blocks are summed.
    /// </summary>
    public static GemmBlocking Blocking
    {
        get => _blocking;
        set
        {
            if (value.Kc < 1 || value.Mc < 1 || value.Nc < 1)
                throw new ArgumentOutOfRangeException(nameof(value), $"gemm block sizes must be positive, got {value}");
            _blocking = value;
        }
    }

    private static GemmBlocking _blocking = new(Kc: 256, Mc: 256, Nc: 4096);

    private const int MR = GemmKernel.MR;

    /// <summary>Columns of the register tile: two 512-bit vectors (32 floats, 16 doubles).</summary>
    private static int NR<T>() where T : unmanaged => 2 * Vector512<T>.Count;

    /// <param name="transA">A is stored [K, M] (the operand is its transpose).</param>
    /// <param name="transB">B is stored [N, K].</param>
    /// <param name="a">A as stored: [M, K] row-major, or [K, M] when transA.</param>
    /// <param name="b">B as stored: [K, N] row-major, or [N, K] when transB.</param>
    /// <param name="c">C [M, N] row-major.</param>
    /// <param name="beta">0 overwrites C (NaNs in C do not leak through), 1 accumulates into it, otherwise scales.</param>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"gemm: negative size m={m}, n={n}, k={k}");
        if (a.Length < (long)m * k) throw new ArgumentException($"gemm: A holds {a.Length} elements, needs m·k = {m}·{k} = {(long)m * k}", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"gemm: B holds {b.Length} elements, needs k·n = {k}·{n} = {(long)k * n}", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"gemm: C holds {c.Length} elements, needs m·n = {m}·{n} = {(long)m * n}", nameof(c));
        if (m == 0 || n == 0) return;
        // A vector is the same memory whether read as a row or a column: pick the layout the direct path likes.
        if (m == 1) transA = true;
        if (n == 1) transB = true;
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (k == 0) ScaleRows(pc, m, n, n, beta);
            else if ((long)m * n * k < SmallWork || m == 1 || n == 1) Direct(transA, transB, m, n, k, pa, pb, pc, beta);
            else Blocked(transA, transB, m, n, k, pa, pb, pc, beta,
                BatchLayout.Plain(n, k) with { Packed = AReadInPlace(transA, n) });
        }
    }

    /// <summary>
    /// C = op(A) B + beta C where the N columns of B (stored [K, N], not transposed) and of C are cut into batches of
    /// <see cref="GemmColumnBatches.Columns"/> columns, each batch its own row-major block: column j of batch s
    /// (global column s·P + j) is at b[s·StrideB + p·P + j] and c[s·StrideC + i·P + j]. This is a batch of images in
    /// NCHW seen as one matrix [channels, N·H·W], so a 1x1 convolution over the whole batch is one product with no
    /// copies (plain Multiply is the case of one batch).
    /// </summary>
    public static void Multiply<T>(bool transA, int m, int n, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, T beta, GemmColumnBatches batches)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = batches.Columns;
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"gemm: negative size m={m}, n={n}, k={k}");
        if (P < 1 || n % P != 0) throw new ArgumentException($"gemm: N = {n} columns are not whole batches of {P}", nameof(batches));
        if (batches.StrideB < (long)k * P || batches.StrideC < (long)m * P)
            throw new ArgumentException($"gemm: batch strides {batches.StrideB} (B) and {batches.StrideC} (C) overlap batches of {k}x{P} and {m}x{P}", nameof(batches));
        if (a.Length < (long)m * k) throw new ArgumentException($"gemm: A holds {a.Length} elements, needs m·k = {m}·{k} = {(long)m * k}", nameof(a));
        if (n == 0 || m == 0) return;
        long nb = n / P, needB = (nb - 1) * batches.StrideB + (long)k * P, needC = (nb - 1) * batches.StrideC + (long)m * P;
        if (b.Length < needB) throw new ArgumentException($"gemm: B holds {b.Length} elements, needs {needB} for {nb} batches of {k}x{P} {batches.StrideB} apart", nameof(b));
        if (c.Length < needC) throw new ArgumentException($"gemm: C holds {c.Length} elements, needs {needC} for {nb} batches of {m}x{P} {batches.StrideC} apart", nameof(c));
        if (m == 1) transA = true;
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (k == 0)
                for (long s = 0; s < nb; s++) ScaleRows(pc + s * batches.StrideC, m, P, P, beta);
            else Blocked(transA, false, m, n, k, pa, pb, pc, beta,
                BatchLayout.Plain(n, k) with { Columns = P, StrideB = batches.StrideB, StrideC = batches.StrideC, Packed = AReadInPlace(transA, n) });
        }
    }

    /// <summary>
    /// C = A Bᵀ + beta C (A stored [M, K], B stored [N, K]) where the K columns of A and of B are cut into batches of
    /// <see cref="GemmDepthBatches.Depth"/>, each a row-major block: depth p of batch s is at
    /// a[s·StrideA + i·D + p] and b[s·StrideB + j·D + p]. This is the weight gradient of a 1x1 convolution,
    /// dW [K, C] = Σ_n dY[n] X[n]ᵀ, as one product over the NCHW tensors in place (plain Multiply is one batch).
    /// </summary>
    public static void Multiply<T>(int m, int n, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, T beta, GemmDepthBatches batches)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int D = batches.Depth;
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"gemm: negative size m={m}, n={n}, k={k}");
        if (D < 1 || k % D != 0) throw new ArgumentException($"gemm: K = {k} is not whole batches of {D}", nameof(batches));
        if (batches.StrideA < (long)m * D || batches.StrideB < (long)n * D)
            throw new ArgumentException($"gemm: batch strides {batches.StrideA} (A) and {batches.StrideB} (B) overlap batches of {m}x{D} and {n}x{D}", nameof(batches));
        if (c.Length < (long)m * n) throw new ArgumentException($"gemm: C holds {c.Length} elements, needs m·n = {m}·{n} = {(long)m * n}", nameof(c));
        if (n == 0 || m == 0) return;
        long kb = k / D;
        if (k > 0)
        {
            long needA = (kb - 1) * batches.StrideA + (long)m * D, needB = (kb - 1) * batches.StrideB + (long)n * D;
            if (a.Length < needA) throw new ArgumentException($"gemm: A holds {a.Length} elements, needs {needA} for {kb} batches of {m}x{D} {batches.StrideA} apart", nameof(a));
            if (b.Length < needB) throw new ArgumentException($"gemm: B holds {b.Length} elements, needs {needB} for {kb} batches of {n}x{D} {batches.StrideB} apart", nameof(b));
        }
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (k == 0) ScaleRows(pc, m, n, n, beta);
            else Blocked(false, true, m, n, k, pa, pb, pc, beta,
                BatchLayout.Plain(n, k) with { Depth = D, DepthStrideA = batches.StrideA, DepthStrideB = batches.StrideB });
        }
    }

    /// <summary>
    /// A is read where it lies, with no packing, by the AVX-512 kernels when the product has at most 512 columns (128
    /// for A stored [K, M], <see cref="AInPlaceTransposedColumns"/>), plain or in column batches (1x1 convolutions): there
    /// each A block serves at most 16 B slivers, and packing it was a separate pass over memory the kernel could not
    /// overlap with its arithmetic. Stored [M, K], <see cref="GemmKernel.TileStridedA{T}"/> broadcasts from eight row
    /// pointers; stored [K, M] (transA), the packed kernel takes the row length as its step between depths. Measured
    /// (bench/results/2026-12-07-gemm-a-in-place.md): ResNet-101's weight-heavy 512x128x4608 0.66–0.86 of the time,
    /// its input gradient's 4608x128x512 0.84–0.86; 512 columns 0.91–0.98; wider products (not switched) within ±5 %.
    /// Same bits: the kernels do the same FMAs in the same order. Settable for that A/B and the tests.
    /// </summary>
    internal static bool AInPlace { get; set; } = true;

    /// <summary>Columns up to which <see cref="AInPlace"/> applies.</summary>
    private const int AInPlaceColumns = 512;

    /// <summary>Columns up to which A stored [K, M] is read in place: its sliver's eight elements per depth use half a
    /// cache line, so every B sliver brings twice A's lines from L2, and with 16 slivers that cost more than the packing
    /// (ResNet's 1x1 1024→256 8² input gradient, 1024x512x256: 1.12–1.14x the packed time; at 128 columns 0.84–0.86).</summary>
    private const int AInPlaceTransposedColumns = 128;

    /// <summary>How a plain A (stored [M, K], or [K, M] when transA) is read: in place where <see cref="AInPlace"/>
    /// applies, else packed.</summary>
    private static PackedA AReadInPlace(bool transA, int n) =>
        !(AInPlace && CpuIsa.Avx512 && n <= (transA ? AInPlaceTransposedColumns : AInPlaceColumns)) ? PackedA.No
        : transA ? PackedA.StridedTransposed : PackedA.Strided;

    /// <summary>Elements of a [rows, cols] matrix in the packed layout of <see cref="PackedIndex"/> (rows rounded up to
    /// whole slivers of MR).</summary>
    public static long PackedLength(int rows, int cols) => (long)RoundUp(rows, MR) * cols;

    /// <summary>
    /// Where element (row, col) of a [rows, cols] matrix lies in the packed layout: slivers of MR rows, each
    /// column-major, one after the other: (row / MR)·MR·cols + col·MR + row mod MR. This is the order in which the
    /// micro-kernel reads A, whatever the K blocking (a K block of a sliver is a contiguous run of it), so a producer
    /// that writes A this way (Winograd's weight transform) spares the product its packing copy. Rows past the last
    /// in the last sliver are read but only reach rows of C that are not written: any values do, zeros are cleanest.
    /// </summary>
    public static long PackedIndex(int row, int col, int cols) => (long)(row / MR) * MR * cols + (long)col * MR + row % MR;

    /// <summary>
    /// C = op(A) B + beta C with A given in the packed layout of <see cref="PackedIndex"/> (B stored [K, N], C [M, N]).
    /// packed holds op(A) itself, [M, K], when <paramref name="transposed"/> is false: it is read where it lies, with
    /// no packing at all; or it holds A as stored, [K, M], when true: op(A) = its transpose, repacked block by block
    /// through 8 x 8 transposes of its slivers. Always the blocked loop nest (no unpacked path for small products):
    /// the same sums in the same order as <see cref="Multiply{T}(bool, bool, int, int, int, ReadOnlySpan{T},
    /// ReadOnlySpan{T}, Span{T}, T)"/> on the unpacked matrix wherever that one blocks too (m·n·k ≥ 32³, m and n
    /// above 1), so the same bits there, for any thread count.
    /// </summary>
    public static void MultiplyPacked<T>(bool transposed, int m, int n, int k, ReadOnlySpan<T> packed, ReadOnlySpan<T> b, Span<T> c, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"gemm: negative size m={m}, n={n}, k={k}");
        long needA = transposed ? PackedLength(k, m) : PackedLength(m, k);
        if (packed.Length < needA)
            throw new ArgumentException($"gemm: packed A holds {packed.Length} elements, needs {needA} for a packed [{(transposed ? k : m)}, {(transposed ? m : k)}]", nameof(packed));
        if (b.Length < (long)k * n) throw new ArgumentException($"gemm: B holds {b.Length} elements, needs k·n = {k}·{n} = {(long)k * n}", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"gemm: C holds {c.Length} elements, needs m·n = {m}·{n} = {(long)m * n}", nameof(c));
        if (m == 0 || n == 0) return;
        fixed (T* pa = packed, pb = b, pc = c)
        {
            if (k == 0) ScaleRows(pc, m, n, n, beta);
            else Blocked(false, false, m, n, k, pa, pb, pc, beta,
                BatchLayout.Plain(n, k) with { Packed = transposed ? PackedA.Transposed : PackedA.InPlace });
        }
    }

    /// <summary>
    /// Cuts C into one rectangle per thread (along the longer of M and N, in whole slivers) and runs the serial
    /// blocked loop on each. Threads share nothing but the read-only inputs: each packs its own A blocks and B
    /// panels, so there is one fork-join per call and no barrier. The price is that a thread packs the parts of
    /// B (or A) it needs even when a neighbour packs them too, a k·n copy against 2·m·n·k/threads flops.
    /// </summary>
    private static void Blocked<T>(bool transA, bool transB, int m, int n, int k, T* a, T* b, T* c, T beta, BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        int threads = CpuParallel.Available;
        int mSlivers = CeilDiv(m, MR), nSlivers = CeilDiv(n, nr);
        int tm, tn;
        if (m >= n) { tm = Math.Min(threads, mSlivers); tn = Math.Min(threads / tm, nSlivers); }
        else { tn = Math.Min(threads, nSlivers); tm = Math.Min(threads / tn, mSlivers); }
        // K blocks depend on k alone, so every element of C sees the same summation order for any thread count.
        // Equal blocks instead of full blocks plus a remainder: K = 300 runs as 150 + 150, not 256 + 44.
        int kc = CeilDiv(k, CeilDiv(k, _blocking.Kc));
        CpuParallel.For(tm * tn, t =>
        {
            int i = t / tn, j = t % tn;
            int r0 = (int)((long)mSlivers * i / tm) * MR, r1 = Math.Min(m, (int)((long)mSlivers * (i + 1) / tm) * MR);
            int c0 = (int)((long)nSlivers * j / tn) * nr, c1 = Math.Min(n, (int)((long)nSlivers * (j + 1) / tn) * nr);
            SerialBlocked(transA, transB, m, n, k, a, b, c, beta, r0, r1, c0, c1, kc, layout);
        }, (long)m * n * k / (tm * tn));
    }

    /// <summary>The Goto loop nest on the rectangle rows [r0, r1) x columns [c0, c1) of C.</summary>
    private static void SerialBlocked<T>(bool transA, bool transB, int m, int n, int k, T* a, T* b, T* c, T beta,
        int r0, int r1, int c0, int c1, int kc, BatchLayout layout) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        var blocking = _blocking;
        int rows = r1 - r0, cols = c1 - c0;
        int mc = RoundUp(CeilDiv(rows, CeilDiv(rows, blocking.Mc)), MR);
        int ncMax = Math.Min(RoundUp(cols, nr), RoundUp(blocking.Nc, nr));
        var aPack = PackBuffers<T>.TakeA(mc * kc);
        var bPack = PackBuffers<T>.TakeB(kc * ncMax);
        try
        {
            T* ap = (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref aPack[0]);
            T* bp = (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref bPack[0]);
            for (int jc = c0; jc < c1; jc += ncMax)
            {
                int nc = Math.Min(ncMax, c1 - jc);
                int slivers = CeilDiv(nc, nr);
                for (int pc = 0; pc < k; pc += kc)
                {
                    int kcb = Math.Min(kc, k - pc);
                    T betaBlock = pc == 0 ? beta : T.One;
                    for (int s = 0; s < slivers; s++)
                        PackB(transB, n, k, b, pc, kcb, jc + s * nr, Math.Min(nr, nc - s * nr), bp + (long)s * nr * kcb, layout);
                    for (int ic = r0; ic < r1; ic += mc)
                    {
                        int mcb = Math.Min(mc, r1 - ic);
                        if (layout.Packed == PackedA.InPlace)
                            Macro(kcb, mcb, ic, jc, nc, slivers, a + (long)ic * k + (long)pc * MR, (long)MR * k, bp, c, layout, betaBlock);
                        else if (layout.Packed == PackedA.Strided)
                            Macro(kcb, mcb, ic, jc, nc, slivers, a + (long)ic * k + pc, (long)MR * k, bp, c, layout, betaBlock, aRow: k, aDepth: 1);
                        else if (layout.Packed == PackedA.StridedTransposed)
                            Macro(kcb, mcb, ic, jc, nc, slivers, a + (long)pc * m + ic, MR, bp, c, layout, betaBlock, aRow: 1, aDepth: m);
                        else
                        {
                            if (layout.Packed == PackedA.Transposed) PackATransposedPacked(m, k, a, ic, mcb, pc, kcb, ap);
                            else PackA(transA, m, k, a, ic, mcb, pc, kcb, ap, layout);
                            Macro(kcb, mcb, ic, jc, nc, slivers, ap, (long)MR * kcb, bp, c, layout, betaBlock);
                        }
                    }
                }
            }
        }
        finally
        {
            PackBuffers<T>.GiveA(aPack);
            PackBuffers<T>.GiveB(bPack);
        }
    }

    /// <summary>The macro-kernel: the B slivers of columns jc .. jc + nc against every MR sliver of the packed A block of
    /// rows ic .. ic + mc (its slivers aSliver elements apart: MR·kc in a packed block, MR·K in a pre-packed A). A tile lying in one column batch of C is written in place; an edge tile (the packed operands
    /// are zero-padded) or one straddling two batches is computed whole into a scratch tile and only its valid part is
    /// written, run by run of columns in one batch, where the layout puts it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void Macro<T>(int kc, int mc, int ic, int jc, int nc, int slivers, T* ap, long aSliver, T* bp, T* c, BatchLayout layout, T beta,
        long aRow = 1, long aDepth = MR)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>(), ldc = layout.Columns;
        T* tile = stackalloc T[MR * 32];
        // A read where it lies (not from a packed block): its last sliver may be partial, and rows past M must not be read.
        bool inPlaceRows = layout.Packed is PackedA.Strided or PackedA.StridedTransposed;
        for (int s = 0; s < slivers; s++)
        {
            int j = s * nr, ncol = Math.Min(nr, nc - j), col = jc + j;
            int q0 = col % ldc;
            bool inPlace = q0 + ncol <= ldc;
            T* cs = c + col / ldc * layout.StrideC + q0;
            T* bs = bp + (long)s * nr * kc;
            for (int i = 0; i < mc; i += MR)
            {
                int nrow = Math.Min(MR, mc - i);
                T* ct = cs + (long)(ic + i) * ldc;
                T* ar = ap + i / MR * aSliver;
                bool whole = nrow == MR && ncol == nr && inPlace;
                if (inPlaceRows && nrow < MR) InPlaceEdge(kc, ar, aRow, aDepth, nrow, bs, tile);
                else if (layout.Packed == PackedA.Strided) GemmKernel.TileStridedA(kc, ar, aRow, bs, whole ? ct : tile, whole ? ldc : nr, whole ? beta : T.Zero);
                else Tile(kc, ar, aDepth, bs, whole ? ct : tile, whole ? ldc : nr, whole ? beta : T.Zero);
                if (whole) continue;
                {
                    for (int q = 0; q < ncol;)
                    {
                        // A run of the tile's columns that lies in one batch of C.
                        int cq = col + q, len = inPlace ? ncol : Math.Min(ncol - q, ldc - cq % ldc);
                        T* drun = c + cq / ldc * layout.StrideC + (long)(ic + i) * ldc + cq % ldc;
                        for (int r = 0; r < nrow; r++)
                        {
                            var v = new ReadOnlySpan<T>(tile + r * nr + q, len);
                            var dst = new Span<T>(drun + (long)r * ldc, len);
                            if (beta == T.Zero) v.CopyTo(dst);
                            else if (beta == T.One) LayerSimd.Add<T>(v, dst);
                            else for (int e = 0; e < len; e++) dst[e] = v[e] + beta * dst[e];
                        }
                        q += len;
                    }
                }
            }
        }
    }

    /// <summary>The last, partial sliver of an A read in place (row r, depth p at a[r·aRow + p·aDepth]): its nrow rows
    /// packed with zero rows below (rows past M must not be read), then the packed kernel into the scratch tile.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InPlaceEdge<T>(int kc, T* a, long aRow, long aDepth, int nrow, T* bs, T* tile) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = kc * MR;
        T[]? heap = length * sizeof(T) > 64 * 1024 ? new T[length] : null;
        T* packed = stackalloc T[heap == null ? length : 0];
        fixed (T* h = heap)
        {
            T* pa = heap == null ? packed : h;
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < MR; r++) pa[p * MR + r] = r < nrow ? a[r * aRow + p * aDepth] : T.Zero;
            Tile(kc, pa, MR, bs, tile, NR<T>(), T.Zero);
        }
    }

    /// <summary>One MR x NR tile: the AVX-512 register kernel, its three AVX2 passes, or a portable loop where neither runs.</summary>
    private static void Tile<T>(int kc, T* pa, long aDepth, T* pb, T* c, int ldc, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (CpuIsa.Avx512) GemmKernel.Tile(kc, pa, pb, c, ldc, beta, (nint)aDepth);
        else if (aDepth != MR) throw new InvalidOperationException("gemm: A read in place needs the AVX-512 kernel");
        else if (CpuIsa.Avx2) GemmKernel.Tile256(kc, pa, pb, c, ldc, beta);
        else PortableTile(kc, pa, pb, c, ldc, beta);
    }

    /// <summary>Reference tile for machines without AVX2: accumulators in memory, plain scalar FMAs.</summary>
    private static void PortableTile<T>(int kc, T* pa, T* pb, T* c, int ldc, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        T* acc = stackalloc T[MR * 32];
        new Span<T>(acc, MR * nr).Clear();
        for (int p = 0; p < kc; p++, pa += MR, pb += nr)
            for (int r = 0; r < MR; r++)
            {
                T ar = pa[r];
                T* row = acc + r * nr;
                for (int q = 0; q < nr; q++) row[q] = T.FusedMultiplyAdd(ar, pb[q], row[q]);
            }
        for (int r = 0; r < MR; r++)
            for (int q = 0; q < nr; q++)
            {
                ref T dst = ref c[(long)r * ldc + q];
                T v = acc[r * nr + q];
                dst = beta == T.Zero ? v : beta == T.One ? dst + v : v + beta * dst;
            }
    }

    private static void ScaleRows<T>(T* c, int m, int n, int ldc, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (beta == T.One) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + (long)i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int b) => CeilDiv(a, b) * b;
}

/// <summary>Columns of B and C cut into batches of <paramref name="Columns"/>, each a row-major block, the blocks
/// <paramref name="StrideB"/> and <paramref name="StrideC"/> elements apart (see the batched <c>Gemm.Multiply</c>).</summary>
public readonly record struct GemmColumnBatches(int Columns, long StrideB, long StrideC);

/// <summary>A's and B's K dimension cut into batches of <paramref name="Depth"/> (see the depth-batched
/// <c>Gemm.Multiply</c>): A [M, K] and B stored [N, K], batch s of each a row-major block, <paramref name="StrideA"/> and
/// <paramref name="StrideB"/> elements apart.</summary>
public readonly record struct GemmDepthBatches(int Depth, long StrideA, long StrideB);

/// <summary>Where the operands' elements lie. Column j of B (stored [K, N]) and of C: batch j / Columns, its rows
/// Columns long, the batches StrideB and StrideC apart. Depth p of A (stored [M, K]) and of B (stored [N, K]):
/// batch p / Depth, its rows Depth long, the batches DepthStrideA and DepthStrideB apart. A plain product is one
/// batch of N columns and one of K.</summary>
internal readonly record struct BatchLayout(int Columns, long StrideB, long StrideC, int Depth, long DepthStrideA, long DepthStrideB,
    PackedA Packed = PackedA.No)
{
    public static BatchLayout Plain(int n, int k) => new(n, 0, 0, k, 0, 0);
}

/// <summary>How A arrives: as a matrix to pack (No); already in the packed layout of <see cref="Gemm.PackedIndex"/>
/// as op(A) itself (InPlace: read where it lies) or as its transpose (Transposed: repacked block by block); or as a
/// plain matrix read where it lies, stored [M, K] (Strided) or [K, M] (StridedTransposed): see Gemm.AInPlace.</summary>
internal enum PackedA { No, InPlace, Transposed, Strided, StridedTransposed }

/// <summary>Upper bounds of the GEMM blocks along K, M and N (see <see cref="Gemm.Blocking"/>).</summary>
public readonly record struct GemmBlocking(int Kc, int Mc, int Nc);
