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
    /// dst[s·MR·kc + p·MR + r] = A(ic + s·MR + r, pc + p), rows past mc zero. dst needs
    /// <see cref="PackSlack"/> elements of room past the end.
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
                // A stored [M, K]: a transpose. Vector blocks of w x w go through registers, the rest by element.
                T* src = a + (long)(ic + i0) * k + pc;
                int p0 = CanTransposeInRegisters ? PackARowsVector(src, k, rows, kc, dst) : 0;
                for (int p = p0; p < kc; p++)
                    for (int r = 0; r < MR; r++) dst[p * MR + r] = r < rows ? src[(long)r * k + p] : T.Zero;
            }
        }
    }

    /// <summary>
    /// Transposes whole w-column blocks (w = lanes of a 512-bit vector) of an MR-row sliver of row-major A into
    /// dst; returns how many columns it did. Rows are loaded as vectors, padded with zero rows to a multiple of w,
    /// transposed in registers, and column q stored as one vector at dst + q·MR: the padding lanes spill into the
    /// next column's slot, which is written after (hence the buffer slack).
    /// </summary>
    private static int PackARowsVector<T>(T* src, int lda, int rows, int kc, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, groups = CeilDiv(MR, w), p0 = 0;
        Vector512<T>* v = stackalloc Vector512<T>[groups * w];
        for (; p0 + w <= kc; p0 += w)
        {
            for (int g = 0; g < groups; g++)
            {
                for (int i = 0; i < w; i++)
                {
                    int r = g * w + i;
                    v[r] = r < rows ? Vector512.Load(src + (long)r * lda + p0) : Vector512<T>.Zero;
                }
                Transpose(v + g * w);
            }
            for (int q = 0; q < w; q++)
                for (int g = 0; g < groups; g++)
                    v[g * w + q].Store(dst + (p0 + q) * MR + g * w);
        }
        return p0;
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
        // B stored [N, K]: a transpose; column q of the sliver is a contiguous row of the stored matrix.
        T* rows = b + (long)j0 * k + pc;
        int p0 = 0;
        if (CanTransposeInRegisters)
        {
            int w = Vector512<T>.Count;
            Vector512<T>* v = stackalloc Vector512<T>[w];
            for (; p0 + w <= kc; p0 += w)
                for (int g = 0; g < nr; g += w)
                {
                    for (int i = 0; i < w; i++)
                        v[i] = g + i < ncol ? Vector512.Load(rows + (long)(g + i) * k + p0) : Vector512<T>.Zero;
                    Transpose(v);
                    for (int q = 0; q < w; q++) v[q].Store(dst + (p0 + q) * nr + g);
                }
        }
        for (int p = p0; p < kc; p++)
            for (int q = 0; q < nr; q++) dst[p * nr + q] = q < ncol ? rows[(long)q * k + p] : T.Zero;
    }

    /// <summary>
    /// Packing buffers, one A buffer per worker thread and one B buffer per calling thread, kept between calls so
    /// a training loop never allocates (or page-faults) them again. Pinned, so the kernels hold raw pointers. A
    /// buffer is taken out of its slot while in use, so a nested or concurrent call simply gets a fresh one.
    /// </summary>
    /// <summary>Room past the end of a packing buffer for the vector stores that spill padding lanes.</summary>
    private const int PackSlack = 64;

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
            if (buffer == null || buffer.Length < length + PackSlack)
                buffer = GC.AllocateUninitializedArray<T>(length + PackSlack, pinned: true);
            return buffer;
        }
    }
}
