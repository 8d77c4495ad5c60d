using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>
/// General matrix multiply C = op(A) op(B) + beta C on row-major spans.
/// (Reference version: row-by-row saxpy with SIMD along N; the packed, blocked kernel replaces it.)
/// </summary>
public static class Gemm
{
    /// <param name="a">A as stored: [M, K] row-major, or [K, M] when transA.</param>
    /// <param name="b">B as stored: [K, N] row-major, or [N, K] when transB.</param>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Bring B to [K, N] row-major so the inner loop streams contiguous rows.
        T[]? bt = null;
        if (transB)
        {
            bt = new T[k * n];
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) bt[p * n + j] = b[j * k + p];
        }
        var aArr = a.ToArray();
        var bArr = bt ?? b.ToArray();
        unsafe
        {
            fixed (T* pc = c)
            {
                T* cc = pc;
                CpuParallel.For(m, i =>
                {
                    var row = new Span<T>(cc + (long)i * n, n);
                    if (beta == T.Zero) row.Clear();
                    else if (beta != T.One) for (int j = 0; j < n; j++) row[j] *= beta;
                    for (int p = 0; p < k; p++)
                    {
                        T aip = transA ? aArr[p * m + i] : aArr[i * k + p];
                        if (aip == T.Zero) continue;
                        Axpy(aip, bArr.AsSpan(p * n, n), row);
                    }
                }, (long)n * k);
            }
        }
    }

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
        for (; i < x.Length; i++) y[i] += alpha * x[i];
    }
}
