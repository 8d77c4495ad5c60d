using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>The unpacked GEMM path for small products and matrix-vector shapes.</summary>
public static unsafe partial class Gemm
{
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
        if (CpuIsa.Vectors)
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
        if (CpuIsa.Vectors && x.Length >= 2 * Vector512<T>.Count)
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

}
