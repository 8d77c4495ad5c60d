using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
                    Unsafe.Add(ref f, k) = Vector512.Narrow(Factor24(Unsafe.Add(ref we, k), alpha), Factor24(Unsafe.Add(ref we, K + k), alpha)).As<float, T>();
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
                ? Vector512.Narrow(Factor24(v0, alpha), Factor24(v1, alpha)).As<float, T>()
                : Factor53(v0, v1, alpha).As<double, T>();
        }
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
    public static Vector512<T> In(Vector512<T> v) =>
        Single ? Vector512.Shuffle(v.AsSingle(), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)).As<float, T>() : v;

    /// <summary>The inverse of <see cref="In"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Out(Vector512<T> v) =>
        Single ? Vector512.Shuffle(v.AsSingle(), Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15)).As<float, T>() : v;
}
