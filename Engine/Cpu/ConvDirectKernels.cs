using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>
/// Register kernels of the direct ("shifted-row") convolution of CpuConvDirect.cs. Both read the input planes of
/// one image through a table of offsets, one per tap r = (c, i, j): with the planes zero-padded and stored with
/// row length Wp, the taps of output position q = oh·Wp + ow all sit at src[off[r] + q], off[r] = c·Hp·Wp +
/// i·DH·Wp + j·DW. So for a fixed tap the inputs of consecutive outputs are consecutive in memory, and a vector
/// load at src + off[r] + q fetches the taps of NR outputs at once: the im2col matrix is never written.
/// </summary>
internal static unsafe class ConvDirectKernels
{
    /// <summary>Output channels of the register tile (as the GEMM's MR: 8 rows x 2 vectors = 16 zmm accumulators).</summary>
    public const int Rows = 8;

    /// <summary>Tile of the weight-gradient kernel: 4 output channels x 4 taps, one vector accumulator each.</summary>
    public const int GradRows = 4, GradTaps = 4;

    /// <summary>Outputs of one tile: two 512-bit vectors (32 floats, 16 doubles).</summary>
    public static int Width<T>() where T : unmanaged => 2 * Vector512<T>.Count;

    /// <summary>
    /// dst[o, q] = Σ_r wp[r·Rows + o] · src[off[r] + q] for o &lt; Rows and q &lt; 2·Vector512&lt;T&gt;.Count
    /// (row stride ldd). wp is one block of packed weights: tap-major, Rows channels per tap, zero-padded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<T>(int taps, T* src, int* off, T* wp, T* dst, int ldd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!CpuIsa.Avx512)
        {
            if (CpuIsa.Avx2) Tile256(taps, src, off, wp, dst, ldd);
            else PortableTile(taps, src, off, wp, dst, ldd);
            return;
        }
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<T> a;
        for (int r = 0; r < taps; r++, wp += Rows)
        {
            T* s = src + off[r];
            var b0 = Vector512.Load(s);
            var b1 = Vector512.Load(s + w);
            a = Vector512.Create(wp[0]); c00 = VMath.Fma(a, b0, c00); c01 = VMath.Fma(a, b1, c01);
            a = Vector512.Create(wp[1]); c10 = VMath.Fma(a, b0, c10); c11 = VMath.Fma(a, b1, c11);
            a = Vector512.Create(wp[2]); c20 = VMath.Fma(a, b0, c20); c21 = VMath.Fma(a, b1, c21);
            a = Vector512.Create(wp[3]); c30 = VMath.Fma(a, b0, c30); c31 = VMath.Fma(a, b1, c31);
            a = Vector512.Create(wp[4]); c40 = VMath.Fma(a, b0, c40); c41 = VMath.Fma(a, b1, c41);
            a = Vector512.Create(wp[5]); c50 = VMath.Fma(a, b0, c50); c51 = VMath.Fma(a, b1, c51);
            a = Vector512.Create(wp[6]); c60 = VMath.Fma(a, b0, c60); c61 = VMath.Fma(a, b1, c61);
            a = Vector512.Create(wp[7]); c70 = VMath.Fma(a, b0, c70); c71 = VMath.Fma(a, b1, c71);
        }
        c00.Store(dst); c01.Store(dst + w); dst += ldd;
        c10.Store(dst); c11.Store(dst + w); dst += ldd;
        c20.Store(dst); c21.Store(dst + w); dst += ldd;
        c30.Store(dst); c31.Store(dst + w); dst += ldd;
        c40.Store(dst); c41.Store(dst + w); dst += ldd;
        c50.Store(dst); c51.Store(dst + w); dst += ldd;
        c60.Store(dst); c61.Store(dst + w); dst += ldd;
        c70.Store(dst); c71.Store(dst + w);
    }

    /// <summary>
    /// <see cref="Tile{T}"/> with 256-bit vectors (AVX2): the 8 channels x 4 ymm tile in three passes, as the GEMM's
    /// <see cref="GemmKernel.Tile256{T}"/>: channels 0..3 and 4..7 over the first 3 ymm of outputs (12 accumulators),
    /// then all 8 channels over the last ymm. The same FMA chain per output, so the same bits.
    /// </summary>
    private static void Tile256<T>(int taps, T* src, int* off, T* wp, T* dst, int ldd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Third256(taps, src, off, wp, dst, ldd);
        Third256(taps, src, off, wp + 4, dst + 4 * (nint)ldd, ldd);
        Column256(taps, src + 3 * w, off, wp, dst + 3 * w, ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Third256<T>(int taps, T* src, int* off, T* wp, T* dst, int ldd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<T> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector256<T> a;
        for (int r = 0; r < taps; r++, wp += Rows)
        {
            T* s = src + off[r];
            var b0 = Vector256.Load(s);
            var b1 = Vector256.Load(s + w);
            var b2 = Vector256.Load(s + 2 * w);
            a = Vector256.Create(wp[0]); c00 = VMath.Fma(a, b0, c00); c01 = VMath.Fma(a, b1, c01); c02 = VMath.Fma(a, b2, c02);
            a = Vector256.Create(wp[1]); c10 = VMath.Fma(a, b0, c10); c11 = VMath.Fma(a, b1, c11); c12 = VMath.Fma(a, b2, c12);
            a = Vector256.Create(wp[2]); c20 = VMath.Fma(a, b0, c20); c21 = VMath.Fma(a, b1, c21); c22 = VMath.Fma(a, b2, c22);
            a = Vector256.Create(wp[3]); c30 = VMath.Fma(a, b0, c30); c31 = VMath.Fma(a, b1, c31); c32 = VMath.Fma(a, b2, c32);
        }
        c00.Store(dst); c01.Store(dst + w); c02.Store(dst + 2 * w); dst += ldd;
        c10.Store(dst); c11.Store(dst + w); c12.Store(dst + 2 * w); dst += ldd;
        c20.Store(dst); c21.Store(dst + w); c22.Store(dst + 2 * w); dst += ldd;
        c30.Store(dst); c31.Store(dst + w); c32.Store(dst + 2 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Column256<T>(int taps, T* src, int* off, T* wp, T* dst, int ldd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int r = 0; r < taps; r++, wp += Rows)
        {
            var b = Vector256.Load(src + off[r]);
            c0 = VMath.Fma(Vector256.Create(wp[0]), b, c0); c1 = VMath.Fma(Vector256.Create(wp[1]), b, c1);
            c2 = VMath.Fma(Vector256.Create(wp[2]), b, c2); c3 = VMath.Fma(Vector256.Create(wp[3]), b, c3);
            c4 = VMath.Fma(Vector256.Create(wp[4]), b, c4); c5 = VMath.Fma(Vector256.Create(wp[5]), b, c5);
            c6 = VMath.Fma(Vector256.Create(wp[6]), b, c6); c7 = VMath.Fma(Vector256.Create(wp[7]), b, c7);
        }
        c0.Store(dst); c1.Store(dst + ldd); c2.Store(dst + 2 * (nint)ldd); c3.Store(dst + 3 * (nint)ldd);
        c4.Store(dst + 4 * (nint)ldd); c5.Store(dst + 5 * (nint)ldd); c6.Store(dst + 6 * (nint)ldd); c7.Store(dst + 7 * (nint)ldd);
    }

    /// <summary>The same sums with scalar FMAs, in the same order, where no vector kernel runs.</summary>
    private static void PortableTile<T>(int taps, T* src, int* off, T* wp, T* dst, int ldd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Width<T>();
        for (int o = 0; o < Rows; o++)
            for (int q = 0; q < nr; q++)
            {
                T acc = T.Zero;
                for (int r = 0; r < taps; r++) acc = T.FusedMultiplyAdd(wp[r * Rows + o], src[off[r] + q], acc);
                dst[(long)o * ldd + q] = acc;
            }
    }

    /// <summary>
    /// The weight-gradient tile: acc[k, t] += Σ_{q &lt; len} dy[k·ldy + q] · src[off[t] + q] for GradRows
    /// channels k and GradTaps taps t; len is a whole number of vectors. Each (k, t) pair keeps a vector of
    /// partial sums over q, folded into acc by <see cref="Fold{T}"/> at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradTile<T>(int len, T* dy, int ldy, T* src, int* off, T* acc, int lda) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!CpuIsa.Avx512)
        {
            if (CpuIsa.Avx2)
                for (int k = 0; k < GradRows; k += 2)
                    for (int t = 0; t < GradTaps; t += 2)
                        GradQuarter256(len, dy + k * (nint)ldy, dy + (k + 1) * (nint)ldy, src + off[t], src + off[t + 1],
                            acc + k * (nint)lda + t, acc + (k + 1) * (nint)lda + t);
            else PortableGradTile(len, dy, ldy, src, off, acc, lda);
            return;
        }
        int w = Vector512<T>.Count;
        T* d0 = dy, d1 = dy + ldy, d2 = dy + 2 * (nint)ldy, d3 = dy + 3 * (nint)ldy;
        T* s0 = src + off[0], s1 = src + off[1], s2 = src + off[2], s3 = src + off[3];
        Vector512<T> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<T> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<T> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<T> a30 = default, a31 = default, a32 = default, a33 = default;
        for (int q = 0; q < len; q += w)
        {
            var x0 = Vector512.Load(s0 + q); var x1 = Vector512.Load(s1 + q);
            var x2 = Vector512.Load(s2 + q); var x3 = Vector512.Load(s3 + q);
            var g = Vector512.Load(d0 + q);
            a00 = VMath.Fma(g, x0, a00); a01 = VMath.Fma(g, x1, a01); a02 = VMath.Fma(g, x2, a02); a03 = VMath.Fma(g, x3, a03);
            g = Vector512.Load(d1 + q);
            a10 = VMath.Fma(g, x0, a10); a11 = VMath.Fma(g, x1, a11); a12 = VMath.Fma(g, x2, a12); a13 = VMath.Fma(g, x3, a13);
            g = Vector512.Load(d2 + q);
            a20 = VMath.Fma(g, x0, a20); a21 = VMath.Fma(g, x1, a21); a22 = VMath.Fma(g, x2, a22); a23 = VMath.Fma(g, x3, a23);
            g = Vector512.Load(d3 + q);
            a30 = VMath.Fma(g, x0, a30); a31 = VMath.Fma(g, x1, a31); a32 = VMath.Fma(g, x2, a32); a33 = VMath.Fma(g, x3, a33);
        }
        T* r0 = acc, r1 = acc + lda, r2 = acc + 2 * (nint)lda, r3 = acc + 3 * (nint)lda;
        r0[0] += Fold(a00); r0[1] += Fold(a01); r0[2] += Fold(a02); r0[3] += Fold(a03);
        r1[0] += Fold(a10); r1[1] += Fold(a11); r1[2] += Fold(a12); r1[3] += Fold(a13);
        r2[0] += Fold(a20); r2[1] += Fold(a21); r2[2] += Fold(a22); r2[3] += Fold(a23);
        r3[0] += Fold(a30); r3[1] += Fold(a31); r3[2] += Fold(a32); r3[3] += Fold(a33);
    }

    /// <summary>
    /// Two channels x two taps of <see cref="GradTile{T}"/> with 256-bit vectors (AVX2). Each (channel, tap) keeps the
    /// two halves of the 512-bit kernel's accumulator as two ymm (even and odd 256-bit steps of q), 8 accumulators in
    /// all, and folds them as <see cref="Fold{T}"/> does (the sum of the lower half's lanes plus the upper half's):
    /// the same partial sums, added in the same order, so the same bits as the 512-bit kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void GradQuarter256<T>(int len, T* d0, T* d1, T* s0, T* s1, T* r0, T* r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> a00 = default, a00h = default, a01 = default, a01h = default;
        Vector256<T> a10 = default, a10h = default, a11 = default, a11h = default;
        for (int q = 0; q < len; q += 2 * w)
        {
            var x0 = Vector256.Load(s0 + q); var x1 = Vector256.Load(s1 + q);
            var g0 = Vector256.Load(d0 + q); var g1 = Vector256.Load(d1 + q);
            a00 = VMath.Fma(g0, x0, a00); a01 = VMath.Fma(g0, x1, a01); a10 = VMath.Fma(g1, x0, a10); a11 = VMath.Fma(g1, x1, a11);
            x0 = Vector256.Load(s0 + q + w); x1 = Vector256.Load(s1 + q + w);
            g0 = Vector256.Load(d0 + q + w); g1 = Vector256.Load(d1 + q + w);
            a00h = VMath.Fma(g0, x0, a00h); a01h = VMath.Fma(g0, x1, a01h); a10h = VMath.Fma(g1, x0, a10h); a11h = VMath.Fma(g1, x1, a11h);
        }
        r0[0] += Vector256.Sum(a00) + Vector256.Sum(a00h); r0[1] += Vector256.Sum(a01) + Vector256.Sum(a01h);
        r1[0] += Vector256.Sum(a10) + Vector256.Sum(a10h); r1[1] += Vector256.Sum(a11) + Vector256.Sum(a11h);
    }

    /// <summary>Σ lanes as the lower half's sum plus the upper half's: the order Vector512.Sum uses on every machine,
    /// written out so that the 256-bit weight-gradient kernel, which holds the two halves apart, matches it by
    /// construction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Fold<T>(Vector512<T> v) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Sum(v.GetLower()) + Vector256.Sum(v.GetUpper());

    private static void PortableGradTile<T>(int len, T* dy, int ldy, T* src, int* off, T* acc, int lda) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < GradRows; k++)
            for (int t = 0; t < GradTaps; t++)
            {
                T s = T.Zero;
                for (int q = 0; q < len; q++) s = T.FusedMultiplyAdd(dy[(long)k * ldy + q], src[off[t] + q], s);
                acc[(long)k * lda + t] += s;
            }
    }
}
