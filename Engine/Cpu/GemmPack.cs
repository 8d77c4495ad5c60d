using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>Packing of GEMM operands into micro-kernel order, the packing buffers, and the unpacked path for
/// small products and matrix-vector products.</summary>
public static unsafe partial class Gemm
{
    /// <summary>
    /// Packs A[ic..ic+mc, pc..pc+kc] (of op(A), M x K) as MR-row slivers, each column-major:
    /// dst[s·MR·kc + p·MR + r] = A(ic + s·MR + r, pc + p), rows past mc zero.
    /// </summary>
    private static void PackA<T>(bool transA, int m, int k, T* a, int ic, int mc, int pc, int kc, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i0 = 0; i0 < mc; i0 += MR, dst += MR * kc)
        {
            int rows = Math.Min(MR, mc - i0);
            if (transA)
            {
                // A stored [K, M]: each column p of the sliver is a contiguous run of `rows` elements.
                T* src = a + (long)pc * m + ic + i0;
                for (int p = 0; p < kc; p++, src += m)
                {
                    T* d = dst + p * MR;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < MR; r++) d[r] = T.Zero;
                }
            }
            else
            {
                // A stored [M, K]: read each row along K, write it down the sliver with stride MR.
                for (int r = 0; r < rows; r++)
                {
                    T* src = a + (long)(ic + i0 + r) * k + pc;
                    T* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * MR] = src[p];
                }
                for (int r = rows; r < MR; r++)
                    for (int p = 0; p < kc; p++) dst[p * MR + r] = T.Zero;
            }
        }
    }

    /// <summary>
    /// Packs one NR-column sliver B[pc..pc+kc, j0..j0+ncol] (of op(B), K x N) row-major:
    /// dst[p·NR + q] = B(pc + p, j0 + q), columns past ncol zero.
    /// </summary>
    private static void PackB<T>(bool transB, int n, int k, T* b, int pc, int kc, int j0, int ncol, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        if (!transB)
        {
            T* src = b + (long)pc * n + j0;
            if (ncol == nr && Vector512.IsHardwareAccelerated)
            {
                int w = Vector512<T>.Count;
                for (int p = 0; p < kc; p++, src += n, dst += nr)
                {
                    Vector512.Load(src).Store(dst);
                    Vector512.Load(src + w).Store(dst + w);
                }
                return;
            }
            for (int p = 0; p < kc; p++, src += n, dst += nr)
            {
                int q = 0;
                for (; q < ncol; q++) dst[q] = src[q];
                for (; q < nr; q++) dst[q] = T.Zero;
            }
            return;
        }
        // B stored [N, K]: each column q of the sliver is a contiguous row of the stored matrix.
        for (int q = 0; q < ncol; q++)
        {
            T* src = b + (long)(j0 + q) * k + pc;
            for (int p = 0; p < kc; p++) dst[p * nr + q] = src[p];
        }
        for (int q = ncol; q < nr; q++)
            for (int p = 0; p < kc; p++) dst[p * nr + q] = T.Zero;
    }

    /// <summary>
    /// Unpacked product for small sizes and matrix-vector shapes. Row i of C is built either as a sum of scaled
    /// rows of B (B stored [K, N]) or as dot products with rows of B (stored [N, K]); both stream B with unit
    /// stride. Rows, and column chunks of a single row, run in parallel.
    /// </summary>
    private static void Direct<T>(bool transA, bool transB, int m, int n, int k, T* a, T* b, T* c, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int ColChunk = 2048;
        int chunks = CeilDiv(n, ColChunk);
        CpuParallel.For(m * chunks, t =>
        {
            int i = t / chunks, j0 = t % chunks * ColChunk, len = Math.Min(ColChunk, n - j0);
            T* row = c + (long)i * n + j0;
            // Element p of row i of op(A), and its stride in memory.
            T* ai = transA ? a + i : a + (long)i * k;
            int sa = transA ? m : 1;
            if (!transB)
            {
                var y = new Span<T>(row, len);
                if (beta == T.Zero) y.Clear();
                else if (beta != T.One) for (int j = 0; j < len; j++) y[j] *= beta;
                for (int p = 0; p < k; p++)
                    Axpy(ai[(long)p * sa], new ReadOnlySpan<T>(b + (long)p * n + j0, len), y);
                return;
            }
            T[]? gathered = null;
            if (sa != 1)
            {
                gathered = PackBuffers<T>.TakeA(k);
                for (int p = 0; p < k; p++) gathered[p] = ai[(long)p * sa];
            }
            try
            {
                ReadOnlySpan<T> x = gathered != null ? gathered.AsSpan(0, k) : new ReadOnlySpan<T>(ai, k);
                for (int j = 0; j < len; j++)
                {
                    T s = Dot(x, new ReadOnlySpan<T>(b + (long)(j0 + j) * k, k));
                    row[j] = beta == T.Zero ? s : beta == T.One ? row[j] + s : s + beta * row[j];
                }
            }
            finally { if (gathered != null) PackBuffers<T>.GiveA(gathered); }
        }, (long)Math.Min(n, ColChunk) * k);
    }

    /// <summary>y += alpha x.</summary>
    private static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(alpha);
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            for (; i <= x.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                VMath.Fma(va, Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < x.Length; i++) y[i] = T.FusedMultiplyAdd(alpha, x[i], y[i]);
    }

    /// <summary>Σ x[i] y[i], two vector accumulators then the scalar tail.</summary>
    private static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T s = T.Zero;
        if (Vector512.IsHardwareAccelerated && x.Length >= 2 * Vector512<T>.Count)
        {
            int w = Vector512<T>.Count;
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            Vector512<T> s0 = default, s1 = default;
            for (; i <= x.Length - 2 * w; i += 2 * w)
            {
                s0 = VMath.Fma(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i), s0);
                s1 = VMath.Fma(Vector512.LoadUnsafe(ref rx, (nuint)(i + w)), Vector512.LoadUnsafe(ref ry, (nuint)(i + w)), s1);
            }
            s = Vector512.Sum(s0 + s1);
        }
        for (; i < x.Length; i++) s = T.FusedMultiplyAdd(x[i], y[i], s);
        return s;
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
                buffer = GC.AllocateUninitializedArray<T>(Math.Max(length, 64), pinned: true);
            return buffer;
        }
    }
}
