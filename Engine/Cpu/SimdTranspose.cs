using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Cpu;

/// <summary>In-register transposes of a w x w block (w = lanes of a 512-bit vector), used to pack transposed GEMM
/// operands and to copy transposed views: four rounds of lane shuffles instead of w² scalar loads and stores (on
/// AVX machines without AVX-512, four h x h transposes of ymm blocks).</summary>
internal static unsafe class SimdTranspose
{
    /// <summary>Whether <see cref="Transpose{T}"/> runs on this machine (AVX-512, or AVX through 256-bit blocks).</summary>
    public static bool IsSupported => Avx512F.IsSupported || Avx.IsSupported;

    /// <summary>Transposes v[0..w) in place: afterwards v[j][i] is the old v[i][j]. T is float or double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<T>(Vector512<T>* v) where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) throw new NotSupportedException($"gemm: no transpose for {typeof(T).Name}");
        if (!Avx512F.IsSupported) TransposeByHalves(v);
        else if (typeof(T) == typeof(float)) Transpose16((Vector512<float>*)v);
        else Transpose8((Vector512<double>*)v);
    }

    /// <summary>
    /// The w x w transpose with 256-bit registers (AVX machines): with h = w/2, the block of rows 0..h and columns h..w
    /// moves to rows h..w and columns 0..h and the other way round, and each of the four h x h blocks is transposed.
    /// </summary>
    private static void TransposeByHalves<T>(Vector512<T>* v) where T : unmanaged
    {
        int h = Vector256<T>.Count;
        Vector256<T>* b = stackalloc Vector256<T>[4 * h];   // blocks: rows 0..h left, 0..h right, h..w left, h..w right
        for (int r = 0; r < h; r++)
        {
            b[r] = v[r].GetLower(); b[h + r] = v[r].GetUpper();
            b[2 * h + r] = v[h + r].GetLower(); b[3 * h + r] = v[h + r].GetUpper();
        }
        for (int k = 0; k < 4; k++)
            if (typeof(T) == typeof(float)) Transpose8x8((Vector256<float>*)(b + k * h));
            else Transpose4x4((Vector256<double>*)(b + k * h));
        for (int c = 0; c < h; c++)
        {
            v[c] = Vector512.Create(b[c], b[2 * h + c]);
            v[h + c] = Vector512.Create(b[h + c], b[3 * h + c]);
        }
    }

    /// <summary>8 x 8 floats in ymm, in place: interleave row pairs, then 64-bit pairs, then 128-bit lanes.</summary>
    private static void Transpose8x8(Vector256<float>* r) => Transpose8x8((float*)r, (float*)r);

    /// <summary>dst[j·8 + i] = src[i·8 + j] for an 8 x 8 block of floats (64 contiguous each; dst may be src): all
    /// eight rows are loaded into registers before anything is stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, float* dst) => Transpose8x8(src, 8, dst, 8);

    /// <summary>dst[j·dstStride + i] = src[i·srcStride + j] for i, j &lt; 8: rows of eight floats, any distance apart
    /// (dst may be src).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, long srcStride, float* dst, long dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20)); Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20)); Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31)); Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31)); Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>4 x 4 doubles in ymm: interleave row pairs, then 128-bit lanes.</summary>
    private static void Transpose4x4(Vector256<double>* r)
    {
        var t0 = Avx.UnpackLow(r[0], r[1]); var t1 = Avx.UnpackHigh(r[0], r[1]);
        var t2 = Avx.UnpackLow(r[2], r[3]); var t3 = Avx.UnpackHigh(r[2], r[3]);
        r[0] = Avx.Permute2x128(t0, t2, 0x20); r[1] = Avx.Permute2x128(t1, t3, 0x20);
        r[2] = Avx.Permute2x128(t0, t2, 0x31); r[3] = Avx.Permute2x128(t1, t3, 0x31);
    }

    /// <summary>
    /// 16 x 16 floats. Rounds: (1) interleave row pairs element-wise, (2) interleave those pairwise in 64-bit
    /// units, so each 128-bit lane L of u[4G + c] holds column c + 4L of rows 4G..4G+3; (3, 4) gather lane L of
    /// the four row groups with 128-bit lane shuffles (0x88 picks lanes 0 and 2 of each source, 0xDD lanes 1
    /// and 3). Written out in full so that all 32 intermediates live in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(Vector512<float>* v)
    {
        var t0 = Avx512F.UnpackLow(v[0], v[1]); var t1 = Avx512F.UnpackHigh(v[0], v[1]);
        var t2 = Avx512F.UnpackLow(v[2], v[3]); var t3 = Avx512F.UnpackHigh(v[2], v[3]);
        var t4 = Avx512F.UnpackLow(v[4], v[5]); var t5 = Avx512F.UnpackHigh(v[4], v[5]);
        var t6 = Avx512F.UnpackLow(v[6], v[7]); var t7 = Avx512F.UnpackHigh(v[6], v[7]);
        var t8 = Avx512F.UnpackLow(v[8], v[9]); var t9 = Avx512F.UnpackHigh(v[8], v[9]);
        var t10 = Avx512F.UnpackLow(v[10], v[11]); var t11 = Avx512F.UnpackHigh(v[10], v[11]);
        var t12 = Avx512F.UnpackLow(v[12], v[13]); var t13 = Avx512F.UnpackHigh(v[12], v[13]);
        var t14 = Avx512F.UnpackLow(v[14], v[15]); var t15 = Avx512F.UnpackHigh(v[14], v[15]);
        var u0 = Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle(); var u1 = Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
        var u2 = Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle(); var u3 = Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
        var u4 = Avx512F.UnpackLow(t4.AsDouble(), t6.AsDouble()).AsSingle(); var u5 = Avx512F.UnpackHigh(t4.AsDouble(), t6.AsDouble()).AsSingle();
        var u6 = Avx512F.UnpackLow(t5.AsDouble(), t7.AsDouble()).AsSingle(); var u7 = Avx512F.UnpackHigh(t5.AsDouble(), t7.AsDouble()).AsSingle();
        var u8 = Avx512F.UnpackLow(t8.AsDouble(), t10.AsDouble()).AsSingle(); var u9 = Avx512F.UnpackHigh(t8.AsDouble(), t10.AsDouble()).AsSingle();
        var u10 = Avx512F.UnpackLow(t9.AsDouble(), t11.AsDouble()).AsSingle(); var u11 = Avx512F.UnpackHigh(t9.AsDouble(), t11.AsDouble()).AsSingle();
        var u12 = Avx512F.UnpackLow(t12.AsDouble(), t14.AsDouble()).AsSingle(); var u13 = Avx512F.UnpackHigh(t12.AsDouble(), t14.AsDouble()).AsSingle();
        var u14 = Avx512F.UnpackLow(t13.AsDouble(), t15.AsDouble()).AsSingle(); var u15 = Avx512F.UnpackHigh(t13.AsDouble(), t15.AsDouble()).AsSingle();
        var lo01_0 = Avx512F.Shuffle4x128(u0, u4, 0x88); var lo23_0 = Avx512F.Shuffle4x128(u8, u12, 0x88);
        var hi01_0 = Avx512F.Shuffle4x128(u0, u4, 0xDD); var hi23_0 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        v[0] = Avx512F.Shuffle4x128(lo01_0, lo23_0, 0x88); v[8] = Avx512F.Shuffle4x128(lo01_0, lo23_0, 0xDD);
        v[4] = Avx512F.Shuffle4x128(hi01_0, hi23_0, 0x88); v[12] = Avx512F.Shuffle4x128(hi01_0, hi23_0, 0xDD);
        var lo01_1 = Avx512F.Shuffle4x128(u1, u5, 0x88); var lo23_1 = Avx512F.Shuffle4x128(u9, u13, 0x88);
        var hi01_1 = Avx512F.Shuffle4x128(u1, u5, 0xDD); var hi23_1 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        v[1] = Avx512F.Shuffle4x128(lo01_1, lo23_1, 0x88); v[9] = Avx512F.Shuffle4x128(lo01_1, lo23_1, 0xDD);
        v[5] = Avx512F.Shuffle4x128(hi01_1, hi23_1, 0x88); v[13] = Avx512F.Shuffle4x128(hi01_1, hi23_1, 0xDD);
        var lo01_2 = Avx512F.Shuffle4x128(u2, u6, 0x88); var lo23_2 = Avx512F.Shuffle4x128(u10, u14, 0x88);
        var hi01_2 = Avx512F.Shuffle4x128(u2, u6, 0xDD); var hi23_2 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        v[2] = Avx512F.Shuffle4x128(lo01_2, lo23_2, 0x88); v[10] = Avx512F.Shuffle4x128(lo01_2, lo23_2, 0xDD);
        v[6] = Avx512F.Shuffle4x128(hi01_2, hi23_2, 0x88); v[14] = Avx512F.Shuffle4x128(hi01_2, hi23_2, 0xDD);
        var lo01_3 = Avx512F.Shuffle4x128(u3, u7, 0x88); var lo23_3 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        var hi01_3 = Avx512F.Shuffle4x128(u3, u7, 0xDD); var hi23_3 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        v[3] = Avx512F.Shuffle4x128(lo01_3, lo23_3, 0x88); v[11] = Avx512F.Shuffle4x128(lo01_3, lo23_3, 0xDD);
        v[7] = Avx512F.Shuffle4x128(hi01_3, hi23_3, 0x88); v[15] = Avx512F.Shuffle4x128(hi01_3, hi23_3, 0xDD);
    }

    /// <summary>8 x 8 doubles: interleave row pairs (t2i: even columns of rows 2i, 2i+1; t2i+1: odd ones), then
    /// two rounds of 128-bit lane shuffles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(Vector512<double>* v)
    {
        var t0 = Avx512F.UnpackLow(v[0], v[1]); var t1 = Avx512F.UnpackHigh(v[0], v[1]);
        var t2 = Avx512F.UnpackLow(v[2], v[3]); var t3 = Avx512F.UnpackHigh(v[2], v[3]);
        var t4 = Avx512F.UnpackLow(v[4], v[5]); var t5 = Avx512F.UnpackHigh(v[4], v[5]);
        var t6 = Avx512F.UnpackLow(v[6], v[7]); var t7 = Avx512F.UnpackHigh(v[6], v[7]);
        var a0_0 = Avx512F.Shuffle4x128(t0, t2, 0x88); var a1_0 = Avx512F.Shuffle4x128(t4, t6, 0x88);
        var b0_0 = Avx512F.Shuffle4x128(t0, t2, 0xDD); var b1_0 = Avx512F.Shuffle4x128(t4, t6, 0xDD);
        v[0] = Avx512F.Shuffle4x128(a0_0, a1_0, 0x88); v[4] = Avx512F.Shuffle4x128(a0_0, a1_0, 0xDD);
        v[2] = Avx512F.Shuffle4x128(b0_0, b1_0, 0x88); v[6] = Avx512F.Shuffle4x128(b0_0, b1_0, 0xDD);
        var a0_1 = Avx512F.Shuffle4x128(t1, t3, 0x88); var a1_1 = Avx512F.Shuffle4x128(t5, t7, 0x88);
        var b0_1 = Avx512F.Shuffle4x128(t1, t3, 0xDD); var b1_1 = Avx512F.Shuffle4x128(t5, t7, 0xDD);
        v[1] = Avx512F.Shuffle4x128(a0_1, a1_1, 0x88); v[5] = Avx512F.Shuffle4x128(a0_1, a1_1, 0xDD);
        v[3] = Avx512F.Shuffle4x128(b0_1, b1_1, 0x88); v[7] = Avx512F.Shuffle4x128(b0_1, b1_1, 0xDD);
    }
}
