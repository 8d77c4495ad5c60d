using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Cpu;

/// <summary>In-register transposes of a w x w block (w = lanes of a 512-bit vector), used to pack transposed GEMM
/// operands and to copy transposed views: four rounds of lane shuffles instead of w² scalar loads and stores.</summary>
internal static unsafe class SimdTranspose
{
    /// <summary>Whether <see cref="Transpose{T}"/> runs on this machine (AVX-512).</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Transposes v[0..w) in place: afterwards v[j][i] is the old v[i][j]. T is float or double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<T>(Vector512<T>* v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) Transpose16((Vector512<float>*)v);
        else if (typeof(T) == typeof(double)) Transpose8((Vector512<double>*)v);
        else throw new NotSupportedException($"gemm: no transpose for {typeof(T).Name}");
    }

    /// <summary>
    /// 16 x 16 floats. Rounds: (1) interleave row pairs element-wise, (2) interleave those pairwise in 64-bit
    /// units, so each 128-bit lane of u[4G + c] holds column c + 4L of rows 4G..4G+3 (L = lane); (3, 4) gather
    /// lane L of the four row groups with 128-bit lane shuffles (0x88 picks lanes 0 and 2, 0xDD lanes 1 and 3).
    /// </summary>
    private static void Transpose16(Vector512<float>* v)
    {
        var t = stackalloc Vector512<float>[16];
        for (int i = 0; i < 16; i += 2)
        {
            t[i] = Avx512F.UnpackLow(v[i], v[i + 1]);
            t[i + 1] = Avx512F.UnpackHigh(v[i], v[i + 1]);
        }
        var u = stackalloc Vector512<float>[16];
        for (int g = 0; g < 16; g += 4)
        {
            u[g] = Avx512F.UnpackLow(t[g].AsDouble(), t[g + 2].AsDouble()).AsSingle();        // columns 0, 4, 8, 12
            u[g + 1] = Avx512F.UnpackHigh(t[g].AsDouble(), t[g + 2].AsDouble()).AsSingle();   // 1, 5, 9, 13
            u[g + 2] = Avx512F.UnpackLow(t[g + 1].AsDouble(), t[g + 3].AsDouble()).AsSingle(); // 2, 6, 10, 14
            u[g + 3] = Avx512F.UnpackHigh(t[g + 1].AsDouble(), t[g + 3].AsDouble()).AsSingle();// 3, 7, 11, 15
        }
        for (int c = 0; c < 4; c++)
        {
            var lo01 = Avx512F.Shuffle4x128(u[c], u[4 + c], 0x88);      // groups 0, 1: lanes 0, 2
            var lo23 = Avx512F.Shuffle4x128(u[8 + c], u[12 + c], 0x88);
            var hi01 = Avx512F.Shuffle4x128(u[c], u[4 + c], 0xDD);      // groups 0, 1: lanes 1, 3
            var hi23 = Avx512F.Shuffle4x128(u[8 + c], u[12 + c], 0xDD);
            v[c] = Avx512F.Shuffle4x128(lo01, lo23, 0x88);
            v[c + 8] = Avx512F.Shuffle4x128(lo01, lo23, 0xDD);
            v[c + 4] = Avx512F.Shuffle4x128(hi01, hi23, 0x88);
            v[c + 12] = Avx512F.Shuffle4x128(hi01, hi23, 0xDD);
        }
    }

    /// <summary>8 x 8 doubles: interleave row pairs, then two rounds of 128-bit lane shuffles.</summary>
    private static void Transpose8(Vector512<double>* v)
    {
        var t = stackalloc Vector512<double>[8];
        for (int i = 0; i < 8; i += 2)
        {
            t[i] = Avx512F.UnpackLow(v[i], v[i + 1]);       // columns 0, 2, 4, 6 of rows i, i+1
            t[i + 1] = Avx512F.UnpackHigh(v[i], v[i + 1]);  // columns 1, 3, 5, 7
        }
        for (int c = 0; c < 2; c++)
        {
            // c = 0 handles even columns (from t[0], t[2], ...), c = 1 odd ones.
            var a0 = Avx512F.Shuffle4x128(t[c], t[2 + c], 0x88);   // columns c, c+4 of rows 0..3
            var a1 = Avx512F.Shuffle4x128(t[4 + c], t[6 + c], 0x88);
            var b0 = Avx512F.Shuffle4x128(t[c], t[2 + c], 0xDD);   // columns c+2, c+6
            var b1 = Avx512F.Shuffle4x128(t[4 + c], t[6 + c], 0xDD);
            v[c] = Avx512F.Shuffle4x128(a0, a1, 0x88);
            v[c + 4] = Avx512F.Shuffle4x128(a0, a1, 0xDD);
            v[c + 2] = Avx512F.Shuffle4x128(b0, b1, 0x88);
            v[c + 6] = Avx512F.Shuffle4x128(b0, b1, 0xDD);
        }
    }
}
