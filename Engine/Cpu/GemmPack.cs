using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Cpu;

/// <summary>Packing of GEMM operands into micro-kernel order, the packing buffers, and the unpacked path for
/// small products and matrix-vector products.</summary>
public static unsafe partial class Gemm
{
    /// <summary>
    /// The transposing packers fetch the rows of their next group of rows (A) or next sliver (B) while they work on
    /// the current one. Each pass over a group reads w (A) or NR (B) rows of kc elements, 1 KiB each at kc = 256:
    /// too short a stream for the hardware prefetchers, so the loads stalled on memory wherever the operand does
    /// not fit in cache. Measured (bench/results/2026-12-07-gemm-pack-prefetch.md): 512x128x4608 (ResNet-101's
    /// 512-channel 3x3 layers at batch 8, 9 MiB of weights) 0.74–0.95 of the time at 1 thread, 0.82–0.88 at 2; the
    /// transposed B of VGG-8's dense 2x2 layer 0.86–0.90; square 1024 and wide products unchanged. Settable for that
    /// A/B.
    /// </summary>
    internal static bool PackPrefetch { get; set; } = Sse.IsSupported;

    /// <summary>
    /// Packs A[ic..ic+mc, pc..pc+kc] (of op(A), M x K) as MR-row slivers, each column-major:
    /// dst[s·MR·kc + p·MR + r] = A(ic + s·MR + r, pc + p), rows past mc zero. Stored [M, K], A's columns follow the
    /// depth batches of <paramref name="layout"/>: the block is packed run by run of columns that lie in one batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void PackA<T>(bool transA, int m, int k, T* a, int ic, int mc, int pc, int kc, T* dst, BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!transA)
        {
            int lda = layout.Depth;
            for (int p = pc; p < pc + kc;)
            {
                int len = Math.Min(pc + kc - p, lda - p % lda);
                PackARows(a + p / lda * layout.DepthStrideA + (long)ic * lda + p % lda, lda, mc, len, kc, dst + (p - pc) * MR);
                p += len;
            }
            return;
        }
        for (int i0 = 0; i0 < mc; i0 += MR)
        {
            int rows = Math.Min(MR, mc - i0);
            T* d = dst + (long)i0 * kc;
            // A stored [K, M]: each column p of the sliver is a contiguous run of `rows` elements.
            T* src = a + (long)pc * m + ic + i0;
            for (int p = 0; p < kc; p++, src += m, d += MR)
            {
                if (rows == MR) { Unsafe.CopyBlockUnaligned(d, src, (uint)(MR * sizeof(T))); continue; }
                int r = 0;
                for (; r < rows; r++) d[r] = src[r];
                for (; r < MR; r++) d[r] = T.Zero;
            }
        }
    }

    /// <summary>
    /// Packs rows ic .. ic + mc and depth pc .. pc + kc of op(A) = Pᵀ, where a holds P [k, m] (depth by rows of op(A))
    /// in the packed layout of <see cref="PackedIndex"/>: op(A)(i, p) = P(p, i) = a[(p / MR)·MR·m + i·MR + p mod MR].
    /// Eight depths of eight rows are then 64 contiguous elements of a, [row][depth], which the sliver wants as
    /// [depth][row]: an 8 x 8 transpose per block (through registers where the depths are a whole aligned group of
    /// the source's slivers), element by element at the edges. Rows past m are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void PackATransposedPacked<T>(int m, int k, T* a, int ic, int mc, int pc, int kc, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i0 = 0; i0 < mc; i0 += MR)
        {
            int rows = Math.Min(MR, Math.Min(mc - i0, m - ic - i0));
            T* d = dst + (long)i0 * kc;
            for (int p = pc; p < pc + kc;)
            {
                T* src = a + (long)(p / MR) * MR * m + (long)(ic + i0) * MR;
                if (p % MR == 0 && p + MR <= pc + kc && rows == MR && Transpose8Applies<T>())
                {
                    Transpose8Block(src, d + (long)(p - pc) * MR);
                    p += MR;
                    continue;
                }
                int q = p % MR;
                T* dp = d + (long)(p - pc) * MR;
                for (int r = 0; r < MR; r++) dp[r] = r < rows ? src[r * MR + q] : T.Zero;
                p++;
            }
        }
    }

    private static bool Transpose8Applies<T>() where T : unmanaged =>
        MR == 8 && (typeof(T) == typeof(float) ? Avx.IsSupported : typeof(T) == typeof(double));

    /// <summary>dst[j·8 + r] = src[r·8 + j] for an 8 x 8 block of T (float in registers, double element by element:
    /// no hot path packs double U).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8Block<T>(T* src, T* dst) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) SimdTranspose.Transpose8x8((float*)src, (float*)dst);
        else
        {
            double* s = (double*)src, d = (double*)dst;
            for (int r = 0; r < 8; r++)
                for (int j = 0; j < 8; j++) d[j * 8 + r] = s[r * 8 + j];
        }
    }

    /// <summary>Packs len columns of mc rows of row-major A (row stride lda) into the slivers at dst, whose column
    /// stride is MR and sliver stride MR·kc: w x w blocks through registers, the rest element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void PackARows<T>(T* src, int lda, int mc, int len, int kc, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i0 = SimdTranspose.IsSupported ? PackARowsVector(src, lda, mc, len, kc, dst) : 0;
        for (; i0 < mc; i0 += MR)
        {
            int rows = Math.Min(MR, mc - i0);
            T* d = dst + (long)i0 * kc, s = src + (long)i0 * lda;
            for (int p = 0; p < len; p++)
                for (int r = 0; r < MR; r++) d[p * MR + r] = r < rows ? s[(long)r * lda + p] : T.Zero;
        }
    }

    /// <summary>
    /// Packs the rows of row-major A in groups of w (the lanes of a 512-bit vector; one group covers w / MR
    /// slivers): w x w blocks are loaded as row vectors, transposed in registers, and each column vector split
    /// into its slivers (column stride MR, sliver stride MR·kc). Leftover columns of a group go element by element.
    /// Returns the rows it packed (whole groups only; the caller packs the rest).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static int PackARowsVector<T>(T* src, int lda, int mc, int len, int kc, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        if (w != MR && w != 2 * MR) return 0;
        Vector512<T>* v = stackalloc Vector512<T>[w];
        int i0 = 0;
        for (; i0 + w <= mc; i0 += w)
        {
            T* rows = src + (long)i0 * lda;
            T* d0 = dst + (long)i0 * kc, d1 = d0 + MR * kc;   // the group's first and (in float) second sliver
            int p0 = 0;
            for (; p0 + w <= len; p0 += w)
            {
                for (int i = 0; i < w; i++) v[i] = Vector512.Load(rows + (long)i * lda + p0);
                if (PackPrefetch && i0 + 2 * w <= mc)
                    for (int i = w; i < 2 * w; i++) Sse.Prefetch0(rows + (long)i * lda + p0);
                SimdTranspose.Transpose(v);
                for (int q = 0; q < w; q++)
                {
                    int at = (p0 + q) * MR;
                    if (w == MR) v[q].Store(d0 + at);
                    else
                    {
                        v[q].GetLower().Store(d0 + at);
                        v[q].GetUpper().Store(d1 + at);
                    }
                }
            }
            for (int p = p0; p < len; p++)
                for (int i = 0; i < w; i++)
                    (i < MR ? d0 : d1)[p * MR + i % MR] = rows[(long)i * lda + p];
        }
        return i0;
    }

    /// <summary>
    /// Packs one NR-column sliver B[pc..pc+kc, j0..j0+ncol] (of op(B), K x N) row-major:
    /// dst[p·NR + q] = B(pc + p, j0 + q), columns past ncol zero. Stored [K, N], B's columns follow the column
    /// batches of <paramref name="layout"/> (a sliver across two batches is read run by run); stored [N, K], its K
    /// columns follow the depth batches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void PackB<T>(bool transB, int n, int k, T* b, int pc, int kc, int j0, int ncol, T* dst, BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        if (!transB)
        {
            int ldb = layout.Columns, q0 = j0 % ldb;
            T* src = b + j0 / ldb * layout.StrideB + (long)pc * ldb + q0;
            if (q0 + ncol > ldb)
            {
                // The sliver crosses into the next batch (images smaller than a sliver): run by run of columns that
                // lie in one batch.
                for (int q = 0; q < ncol;)
                {
                    int j = j0 + q, len = Math.Min(ncol - q, ldb - j % ldb);
                    T* sc = b + j / ldb * layout.StrideB + (long)pc * ldb + j % ldb;
                    for (int p = 0; p < kc; p++)
                        new ReadOnlySpan<T>(sc + (long)p * ldb, len).CopyTo(new Span<T>(dst + p * nr + q, len));
                    q += len;
                }
                if (ncol < nr)
                    for (int p = 0; p < kc; p++) new Span<T>(dst + p * nr + ncol, nr - ncol).Clear();
                return;
            }
            if (ncol == nr && CpuIsa.Vectors)
            {
                int w = Vector512<T>.Count;
                for (int p = 0; p < kc; p++, src += ldb, dst += nr)
                {
                    Vector512.Load(src).Store(dst);
                    Vector512.Load(src + w).Store(dst + w);
                }
                return;
            }
            for (int p = 0; p < kc; p++, src += ldb, dst += nr)
            {
                int q = 0;
                for (; q < ncol; q++) dst[q] = src[q];
                for (; q < nr; q++) dst[q] = T.Zero;
            }
            return;
        }
        // B stored [N, K]: a transpose; column q of the sliver is a contiguous row of the stored matrix, cut into
        // runs along K by the depth batches.
        int ldk = layout.Depth;
        for (int p = pc; p < pc + kc;)
        {
            int len = Math.Min(pc + kc - p, ldk - p % ldk);
            PackBRows(b + p / ldk * layout.DepthStrideB + (long)j0 * ldk + p % ldk, ldk, len, ncol, dst + (p - pc) * nr,
                PackPrefetch && j0 + 2 * nr <= n);
            p += len;
        }
    }

    /// <summary>Packs len columns of ncol rows of row-major B (row stride ldb, one row per column of the sliver) into
    /// the sliver rows at dst (row stride NR), columns past ncol zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void PackBRows<T>(T* rows, int ldb, int len, int ncol, T* dst, bool prefetchNext) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        int p0 = 0;
        if (SimdTranspose.IsSupported)
        {
            int w = Vector512<T>.Count;
            Vector512<T>* v = stackalloc Vector512<T>[w];
            for (; p0 + w <= len; p0 += w)
                for (int g = 0; g < nr; g += w)
                {
                    for (int i = 0; i < w; i++)
                        v[i] = g + i < ncol ? Vector512.Load(rows + (long)(g + i) * ldb + p0) : Vector512<T>.Zero;
                    if (prefetchNext)
                        for (int i = 0; i < w; i++) Sse.Prefetch0(rows + (long)(nr + g + i) * ldb + p0);
                    SimdTranspose.Transpose(v);
                    for (int q = 0; q < w; q++) v[q].Store(dst + (p0 + q) * nr + g);
                }
        }
        for (int p = p0; p < len; p++)
            for (int q = 0; q < nr; q++) dst[p * nr + q] = q < ncol ? rows[(long)q * ldb + p] : T.Zero;
    }

    /// <summary>
    /// Packing buffers, one A buffer per worker thread and one B buffer per calling thread, kept between calls so
    /// a training loop never allocates (or page-faults) them again. Pinned, so the kernels hold raw pointers. A
    /// buffer is taken out of its slot while in use, so a nested or concurrent call simply gets a fresh one.
    /// </summary>
    private static class PackBuffers<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _a;
        [ThreadStatic] private static T[]? _b;

        public static T[] TakeA(int length) => Take(ref _a, length);
        public static void GiveA(T[] buffer) => _a = buffer;
        public static T[] TakeB(int length) => Take(ref _b, length);
        public static void GiveB(T[] buffer) => _b = buffer;

        private static T[] Take(ref T[]? slot, int length)
        {
            var buffer = slot;
            slot = null;
            if (buffer == null || buffer.Length < length)
                buffer = GC.AllocateUninitializedArray<T>(length, pinned: true);
            return buffer;
        }
    }
}
