using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

/// <summary>
/// The RPAU noise factors of one vector of elements (<see cref="PauNoise"/>: factor 1 + α(2u − 1) of coefficient k
/// of element i from number i·K + k of the stream), drawn inside the fused kernels straight from Philox words in
/// registers: no numbers are stored, and the backward draws them again.
/// <para>
/// Layout. The Philox lanes (<see cref="PhiloxLanes"/>) are 8 wide. Lane j of a vector takes the 2K consecutive words
/// starting at word w0 + 2K·j (w0 the first word of the vector's first element): in float, elements 2j and 2j + 1
/// (one word per number); in double, element j (two words per number). With m_j = (w0 + 2K·j) mod 4 the position of
/// that start in its block, lane j computes the blocks from (w0 + 2K·j)/4 on, and its word t is then entry m_j + t of
/// the batch output, the same entry for every lane when K is even (m_j = m) and one of two entries (m, m + 2 mod 4 on
/// even and odd lanes) when K is odd. So each coefficient's words come out as whole vectors, no gather, no transpose.
/// </para>
/// <para>
/// In float the 16 factors of a coefficient then sit in the order of elements 0, 2, ..., 14, 1, 3, ..., 15: the
/// kernels permute x and dy into that order and the results back (<see cref="In"/>, <see cref="Out"/>) rather than
/// each of the K factor vectors. The factors are computed in double and rounded to T, as the scalar
/// <see cref="PauNoise.Factor(long, int, int, bool)"/>, so they are the same bits as the reference and the CUDA kernel.
/// </para>
/// </summary>
public sealed class PauNoiseLanes<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Inv53 = 1.0 / 9007199254740992.0;
    private const ulong Low = 0xFFFFFFFF;
    private static bool Single => typeof(T) == typeof(float);

    private readonly Vector512<ulong>[] _keys;
    private readonly ulong _offset;
    private readonly int _k;
    private readonly double _alpha;

    /// <param name="coefficients">K, the coefficients per element (numerator and denominator lengths).</param>
    public PauNoiseLanes(PauNoise noise, int coefficients)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) throw new NotSupportedException($"PAU noise: {typeof(T).Name} is not float or double");
        if (coefficients < 1) throw new ArgumentOutOfRangeException(nameof(coefficients), coefficients, "PAU noise: K ≥ 1 coefficients per element");
        _keys = PhiloxLanes.Keys(noise.Seed);
        _offset = noise.Offset;
        _k = coefficients;
        _alpha = noise.Alpha;
    }

    /// <summary>Vectors of Philox output one call of <see cref="Factors"/> needs as scratch.</summary>
    public int WordVectors => 4 * MaxBatches;

    private int MaxBatches => (3 + 2 * _k + 3) / 4;

    /// <summary>
    /// factors[k] = the factors of coefficient k for the elements first .. first + W − 1 (W = Vector512&lt;T&gt;.Count),
    /// lanes in the order of <see cref="In"/>. <paramref name="words"/>: scratch of <see cref="WordVectors"/> vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot: skip the slow first tiers (see PauKernel54)
    public void Factors(long first, Span<Vector512<ulong>> words, Span<Vector512<T>> factors)
    {
        int K = _k, L = 2 * K;
        ulong w0 = _offset + (ulong)first * (ulong)(Single ? K : 2 * K);
        int m = (int)(w0 & 3), m2 = (K & 1) == 0 ? m : (m + 2) & 3;
        int batches = (Math.Max(m, m2) + L + 3) >> 2;
        var starts = Vector512.Create(w0) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) * Vector512.Create((ulong)L);
        PhiloxLanes.Fill(starts >> 2, batches, _keys, words);
        var alpha = Vector512.Create(_alpha);
        if (factors.Length < K) throw new ArgumentException($"PAU noise: {K} factor vectors needed, got {factors.Length}");
        ref var f = ref MemoryMarshal.GetReference(factors);
        ref var we = ref Unsafe.Add(ref MemoryMarshal.GetReference(words), m);
        if (m == m2)
        {
            if (Single)
                for (int k = 0; k < K; k++)
                    Unsafe.Add(ref f, k) = Narrow(Factor24(Unsafe.Add(ref we, k), alpha), Factor24(Unsafe.Add(ref we, K + k), alpha)).As<float, T>();
            else
                for (int k = 0; k < K; k++)
                    Unsafe.Add(ref f, k) = Factor53(Unsafe.Add(ref we, 2 * k), Unsafe.Add(ref we, 2 * k + 1), alpha).As<double, T>();
            return;
        }
        // K odd: even lanes start at entry m, odd lanes at m2.
        var odd = Vector512.Create(0UL, ulong.MaxValue, 0, ulong.MaxValue, 0, ulong.MaxValue, 0, ulong.MaxValue);
        ref var wo = ref Unsafe.Add(ref MemoryMarshal.GetReference(words), m2);
        for (int k = 0; k < K; k++)
        {
            int t0 = Single ? k : 2 * k, t1 = Single ? K + k : 2 * k + 1;
            var v0 = Vector512.ConditionalSelect(odd, Unsafe.Add(ref wo, t0), Unsafe.Add(ref we, t0));
            var v1 = Vector512.ConditionalSelect(odd, Unsafe.Add(ref wo, t1), Unsafe.Add(ref we, t1));
            Unsafe.Add(ref f, k) = Single
                ? Narrow(Factor24(v0, alpha), Factor24(v1, alpha)).As<float, T>()
                : Factor53(v0, v1, alpha).As<double, T>();
        }
    }

    /// <summary>Vectors of Philox output one call of <see cref="Factors4"/> needs as scratch.</summary>
    public int WordVectors4 => 4 * ((3 + 8 * _k + 3) / 4);

    /// <summary>
    /// The factors of 4 vectors of elements at once, first .. first + 4W − 1: factors[v·K + k] = those of coefficient k
    /// for the elements of virtual vector v, in the lane order of <see cref="In4"/>. Each Philox lane here takes 8K
    /// consecutive words (float: elements 8j .. 8j + 7; double: 4j .. 4j + 3), so every lane's run starts at the same
    /// position m in its block, for odd K too, and the 8K/4 (+1) batches run four chains at a time: about 15 % fewer
    /// Philox instructions per element than four calls of <see cref="Factors"/>. Virtual vector v holds (float)
    /// elements 8l + 2v in lanes l &lt; 8 and 8(l − 8) + 2v + 1 in the others; (double) element 4l + v in lane l.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot: skip the slow first tiers (see PauKernel54)
    public void Factors4(long first, Span<Vector512<ulong>> words, Span<Vector512<T>> factors)
    {
        int K = _k, L = 8 * K;
        ulong w0 = _offset + (ulong)first * (ulong)(Single ? K : 2 * K);
        int m = (int)(w0 & 3), batches = (m + L + 3) >> 2;
        var starts = Vector512.Create(w0) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) * Vector512.Create((ulong)L);
        PhiloxLanes.Fill(starts >> 2, batches, _keys, words);
        var alpha = Vector512.Create(_alpha);
        if (factors.Length < 4 * K) throw new ArgumentException($"PAU noise: {4 * K} factor vectors needed, got {factors.Length}");
        ref var f = ref MemoryMarshal.GetReference(factors);
        ref var we = ref Unsafe.Add(ref MemoryMarshal.GetReference(words), m);
        for (int v = 0; v < 4; v++)
            if (Single)
                for (int k = 0; k < K; k++)
                    Unsafe.Add(ref f, v * K + k) = Narrow(Factor24(Unsafe.Add(ref we, 2 * v * K + k), alpha),
                        Factor24(Unsafe.Add(ref we, (2 * v + 1) * K + k), alpha)).As<float, T>();
            else
                for (int k = 0; k < K; k++)
                    Unsafe.Add(ref f, v * K + k) = Factor53(Unsafe.Add(ref we, 2 * (v * K + k)), Unsafe.Add(ref we, 2 * (v * K + k) + 1), alpha).As<double, T>();
    }

    /// <summary>
    /// Four vectors of elements (x0: elements 0 .. W − 1, ...) into the virtual vectors of <see cref="Factors4"/>. Seen
    /// as 64-bit lanes (float: pairs of elements), virtual vector v gathers lanes v and v + 4 of each input, in input
    /// order: a transpose of 2x4 blocks, two two-source permutes per output; float then splits the pairs
    /// (<see cref="In"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void In4(Vector512<T> x0, Vector512<T> x1, Vector512<T> x2, Vector512<T> x3,
        out Vector512<T> v0, out Vector512<T> v1, out Vector512<T> v2, out Vector512<T> v3)
    {
        // h01a = [x0.0, x0.4, x1.0, x1.4, x0.1, x0.5, x1.1, x1.5], h01b the same for lanes 2, 6, 3, 7.
        var lo = Vector512.Create(0UL, 4, 8, 12, 1, 5, 9, 13);
        var hi = Vector512.Create(2UL, 6, 10, 14, 3, 7, 11, 15);
        Vector512<ulong> a0 = x0.AsUInt64(), a1 = x1.AsUInt64(), a2 = x2.AsUInt64(), a3 = x3.AsUInt64();
        var h01a = Permute2(a0, lo, a1); var h01b = Permute2(a0, hi, a1);
        var h23a = Permute2(a2, lo, a3); var h23b = Permute2(a2, hi, a3);
        // v = [h01 first half | h23 first half] for the even one, second halves for the odd one.
        var first = Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11);
        var second = Vector512.Create(4UL, 5, 6, 7, 12, 13, 14, 15);
        v0 = In(Permute2(h01a, first, h23a).As<ulong, T>());
        v1 = In(Permute2(h01a, second, h23a).As<ulong, T>());
        v2 = In(Permute2(h01b, first, h23b).As<ulong, T>());
        v3 = In(Permute2(h01b, second, h23b).As<ulong, T>());
    }

    /// <summary>The inverse of <see cref="In4"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Out4(Vector512<T> v0, Vector512<T> v1, Vector512<T> v2, Vector512<T> v3,
        out Vector512<T> x0, out Vector512<T> x1, out Vector512<T> x2, out Vector512<T> x3)
    {
        Vector512<ulong> g0 = Out(v0).AsUInt64(), g1 = Out(v1).AsUInt64(), g2 = Out(v2).AsUInt64(), g3 = Out(v3).AsUInt64();
        // Undo the second stage: h01a = [g0 first half | g1 first half], h23a = [g0 second half | g1 second half].
        var first = Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11);
        var second = Vector512.Create(4UL, 5, 6, 7, 12, 13, 14, 15);
        var h01a = Permute2(g0, first, g1); var h23a = Permute2(g0, second, g1);
        var h01b = Permute2(g2, first, g3); var h23b = Permute2(g2, second, g3);
        // Undo the first stage: x0 = [h01a.0, h01a.4, h01b.0, h01b.4, h01a.1, h01a.5, h01b.1, h01b.5], x1 likewise from lanes 2, 6, 3, 7.
        var even = Vector512.Create(0UL, 4, 8, 12, 1, 5, 9, 13);
        var odd = Vector512.Create(2UL, 6, 10, 14, 3, 7, 11, 15);
        x0 = Permute2(h01a, even, h01b).As<ulong, T>(); x1 = Permute2(h01a, odd, h01b).As<ulong, T>();
        x2 = Permute2(h23a, even, h23b).As<ulong, T>(); x3 = Permute2(h23a, odd, h23b).As<ulong, T>();
    }

    /// <summary>Lane i of the result = lane idx[i] of the 16 lanes (a, b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Permute2(Vector512<ulong> a, Vector512<ulong> idx, Vector512<ulong> b) =>
        Avx512F.IsSupported ? Avx512F.PermuteVar8x64x2(a, idx, b)
        : Avx2.IsSupported ? Vector512.Create(Pick(a, b, idx.GetLower()), Pick(a, b, idx.GetUpper()))
        : Vector512.Create(PickScalar(a, idx, b, 0), PickScalar(a, idx, b, 4));

    /// <summary>Four lanes of <see cref="Permute2"/> with AVX2: lane j comes from quarter idx[j]/4 of (a, b), position
    /// idx[j] mod 4; each quarter is permuted by the positions (vpermd on 32-bit pairs) and the quarters blended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Pick(Vector512<ulong> a, Vector512<ulong> b, Vector256<ulong> idx)
    {
        var pos = (idx & Vector256.Create(3UL)) << 1;
        var pairs = (pos | ((pos + Vector256<ulong>.One) << 32)).AsUInt32();
        var quarter = idx >> 2;
        var r0 = Avx2.PermuteVar8x32(a.GetLower().AsUInt32(), pairs).AsUInt64();
        var r1 = Avx2.PermuteVar8x32(a.GetUpper().AsUInt32(), pairs).AsUInt64();
        var r2 = Avx2.PermuteVar8x32(b.GetLower().AsUInt32(), pairs).AsUInt64();
        var r3 = Avx2.PermuteVar8x32(b.GetUpper().AsUInt32(), pairs).AsUInt64();
        var low = Vector256.ConditionalSelect(Vector256.Equals(quarter, Vector256<ulong>.Zero), r0, r1);
        var high = Vector256.ConditionalSelect(Vector256.Equals(quarter, Vector256.Create(2UL)), r2, r3);
        return Vector256.ConditionalSelect(Vector256.LessThan(quarter, Vector256.Create(2UL)), low, high);
    }

    private static Vector256<ulong> PickScalar(Vector512<ulong> a, Vector512<ulong> idx, Vector512<ulong> b, int from)
    {
        Span<ulong> r = stackalloc ulong[4];
        for (int i = 0; i < 4; i++) { ulong j = idx[from + i]; r[i] = j < 8 ? a[(int)j] : b[(int)j - 8]; }
        return Vector256.Create<ulong>(r);
    }

    /// <summary>
    /// 1 + α(2u − 1) from the top 24 bits n of the low word (float's numbers; garbage above it). 2u − 1 = n·2⁻²³ − 1
    /// exactly: n put in the mantissa of 2.0 (bits 28..51) makes the double 2 + n·2⁻²³, less 3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Factor24(Vector512<ulong> w, Vector512<double> alpha)
    {
        var bits = Vector512.ConditionalSelect(Vector512.Create(0x000FFFFFF0000000UL), w << 20, Vector512.Create(0x4000000000000000UL));
        return Vector512<double>.One + alpha * (bits.AsDouble() - Vector512.Create(3.0));
    }

    /// <summary>1 + α(2u − 1) from the top 53 bits of hi·2³² + lo (double's numbers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Factor53(Vector512<ulong> hi, Vector512<ulong> lo, Vector512<double> alpha)
    {
        var u = Vector512.ConvertToDouble(((hi << 32) | (lo & Vector512.Create(Low))) >> 11);
        return Vector512<double>.One + alpha * (u * (2 * Inv53) - Vector512<double>.One);
    }

    /// <summary>Float: elements 0..15 of a vector into the factors' lane order 0, 2, ..., 14, 1, 3, ..., 15. Double: as is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> In(Vector512<T> v)
    {
        if (!Single) return v;
        if (Avx512F.IsSupported || !Avx2.IsSupported)
            return Vector512.Shuffle(v.AsSingle(), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)).As<float, T>();
        // AVX2: Vector512.Shuffle across the halves has no 256-bit lowering (about 4x a plain op). Even and odd lanes
        // within each 128-bit lane (vshufps), then the 64-bit pairs in order (vpermpd).
        Vector256<float> lo = v.AsSingle().GetLower(), hi = v.AsSingle().GetUpper();
        return Vector512.Create(Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0x88).AsDouble(), 0xD8).AsSingle(),
                                Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0xDD).AsDouble(), 0xD8).AsSingle()).As<float, T>();
    }

    /// <summary>The inverse of <see cref="In"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Out(Vector512<T> v)
    {
        if (!Single) return v;
        if (Avx512F.IsSupported || !Avx2.IsSupported)
            return Vector512.Shuffle(v.AsSingle(), Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15)).As<float, T>();
        // AVX2: interleave the evens (lower half) with the odds (upper half) per 128-bit lane, then order the lanes.
        Vector256<float> e = v.AsSingle().GetLower(), o = v.AsSingle().GetUpper();
        Vector256<float> l = Avx.UnpackLow(e, o), h = Avx.UnpackHigh(e, o);
        return Vector512.Create(Avx.Permute2x128(l, h, 0x20), Avx.Permute2x128(l, h, 0x31)).As<float, T>();
    }

    /// <summary>Doubles to floats, a's lanes then b's (Vector512.Narrow); on AVX2 as four vcvtpd2ps, which the
    /// software Vector512.Narrow is not lowered to (about 4x a plain op).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Narrow(Vector512<double> a, Vector512<double> b) =>
        Avx512F.IsSupported || !Avx.IsSupported ? Vector512.Narrow(a, b)
        : Vector512.Create(Vector256.Narrow(a.GetLower(), a.GetUpper()), Vector256.Narrow(b.GetLower(), b.GetUpper()));
}
