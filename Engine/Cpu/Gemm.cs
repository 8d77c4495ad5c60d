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
            else Blocked(transA, transB, m, n, k, pa, pb, pc, beta);
        }
    }

    /// <summary>
    /// Cuts C into one rectangle per thread (along the longer of M and N, in whole slivers) and runs the serial
    /// blocked loop on each. Threads share nothing but the read-only inputs: each packs its own A blocks and B
    /// panels, so there is one fork-join per call and no barrier. The price is that a thread packs the parts of
    /// B (or A) it needs even when a neighbour packs them too, a k·n copy against 2·m·n·k/threads flops.
    /// </summary>
    private static void Blocked<T>(bool transA, bool transB, int m, int n, int k, T* a, T* b, T* c, T beta)
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
            SerialBlocked(transA, transB, m, n, k, a, b, c, beta, r0, r1, c0, c1, kc);
        }, (long)m * n * k / (tm * tn));
    }

    /// <summary>The Goto loop nest on the rectangle rows [r0, r1) x columns [c0, c1) of C.</summary>
    private static void SerialBlocked<T>(bool transA, bool transB, int m, int n, int k, T* a, T* b, T* c, T beta,
        int r0, int r1, int c0, int c1, int kc) where T : unmanaged, IFloatingPointIeee754<T>
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
                        PackB(transB, n, k, b, pc, kcb, jc + s * nr, Math.Min(nr, nc - s * nr), bp + (long)s * nr * kcb);
                    for (int ic = r0; ic < r1; ic += mc)
                    {
                        int mcb = Math.Min(mc, r1 - ic);
                        PackA(transA, m, k, a, ic, mcb, pc, kcb, ap);
                        Macro(kcb, mcb, nc, 0, slivers, ap, bp, c + (long)ic * n + jc, n, betaBlock);
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

    /// <summary>The macro-kernel: B slivers s0..s1 against every MR sliver of the packed A block. Edge tiles are
    /// computed whole into a scratch tile (the packed operands are zero-padded) and only their valid part is
    /// written to C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void Macro<T>(int kc, int mc, int nc, int s0, int s1, T* ap, T* bp, T* c, int ldc, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        T* tile = stackalloc T[MR * 32];
        for (int s = s0; s < s1; s++)
        {
            int j = s * nr, ncol = Math.Min(nr, nc - j);
            T* bs = bp + (long)s * nr * kc;
            for (int i = 0; i < mc; i += MR)
            {
                int nrow = Math.Min(MR, mc - i);
                T* ct = c + (long)i * ldc + j;
                if (nrow == MR && ncol == nr)
                    Tile(kc, ap + (long)i * kc, bs, ct, ldc, beta);
                else
                {
                    Tile(kc, ap + (long)i * kc, bs, tile, nr, T.Zero);
                    for (int r = 0; r < nrow; r++)
                        for (int q = 0; q < ncol; q++)
                        {
                            T v = tile[r * nr + q];
                            ref T dst = ref ct[(long)r * ldc + q];
                            dst = beta == T.Zero ? v : beta == T.One ? dst + v : v + beta * dst;
                        }
                }
            }
        }
    }

    /// <summary>One MR x NR tile: the AVX-512 register kernel, or a portable loop where 512-bit vectors are emulated.</summary>
    private static void Tile<T>(int kc, T* pa, T* pb, T* c, int ldc, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) GemmKernel.Tile(kc, pa, pb, c, ldc, beta);
        else PortableTile(kc, pa, pb, c, ldc, beta);
    }

    /// <summary>Reference tile for machines without AVX-512: accumulators in memory, plain scalar FMAs.</summary>
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

/// <summary>Upper bounds of the GEMM blocks along K, M and N (see <see cref="Gemm.Blocking"/>).</summary>
public readonly record struct GemmBlocking(int Kc, int Mc, int Nc);
