using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Functional;

/// <summary>
/// Uniform numbers for noisy activations (RReLU slopes, RPAU coefficients), drawn from the counter-based Philox
/// generator so that any kernel (CPU thread, CUDA thread) can compute number j on its own.
/// <para>
/// Number j of the stream (seed, offset), in [0, 1):
/// float32: the top 24 bits of Philox word offset + j;
/// float64: the top 53 bits of the 64-bit value (word offset + 2j) · 2³² + (word offset + 2j + 1).
/// A stream of n numbers therefore uses <see cref="WordsPerNumber"/>·n words; callers reserve them with
/// <see cref="Generator.Advance"/>, so consecutive calls never reuse words.
/// </para>
/// </summary>
public static class NoiseStream
{
    /// <summary>Philox words one uniform number takes: 1 for float32, 2 for float64.</summary>
    public static ulong WordsPerNumber(DType dtype) => dtype == DType.Float64 ? 2UL : 1UL;

    /// <summary>Reserves a stream of <paramref name="count"/> numbers of the given dtype and returns its start word.</summary>
    public static ulong Reserve(Generator generator, DType dtype, long count) => generator.Advance(WordsPerNumber(dtype) * (ulong)count);

    /// <summary>Uniform number j in [0, 1) (see the class comment).</summary>
    public static double Uniform(ulong seed, ulong offset, ulong j, bool single)
    {
        if (single) return (Philox.Word(seed, offset + j) >> 8) * (1.0 / 16777216.0);
        ulong w = offset + 2 * j;
        ulong hi = Philox.Word(seed, w), lo = Philox.Word(seed, w + 1);
        return (((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
    }
}

/// <summary>
/// Reads consecutive Philox words, computing each 4-word block once: the sequential reader a kernel uses when one
/// element takes several numbers (RPAU draws one per coefficient).
/// </summary>
public struct PhiloxReader(ulong seed)
{
    private ulong _block = ulong.MaxValue;
    private uint _w0, _w1, _w2, _w3;

    public uint Word(ulong index)
    {
        ulong block = index >> 2;
        if (block != _block)
        {
            (_w0, _w1, _w2, _w3) = Philox.Block(seed, block);
            _block = block;
        }
        return (index & 3) switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };
    }

    /// <summary>Number j of the stream starting at word <paramref name="offset"/>, as <see cref="NoiseStream.Uniform"/>.</summary>
    public double Uniform(ulong offset, ulong j, bool single)
    {
        if (single) return (Word(offset + j) >> 8) * (1.0 / 16777216.0);
        ulong w = offset + 2 * j;
        ulong hi = Word(w), lo = Word(w + 1);
        return (((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
    }
}

/// <summary>
/// Many consecutive Philox words at once: the block function evaluated for 8 counters side by side in the 64-bit
/// lanes of a Vector512 (each lane holds a 32-bit word; the 32×32 → 64-bit products of the rounds fit a lane), the
/// same arithmetic as <see cref="Philox.Block"/>. RPAU draws ~10 numbers per element, where the scalar block function
/// would dominate the cost of the whole activation.
/// </summary>
public static class PhiloxBatch
{
    private const ulong M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85, Low = 0xFFFFFFFF;

    /// <summary>dst[i] = word firstWord + i of the stream for <paramref name="seed"/> (= Philox.Word(seed, firstWord + i)).</summary>
    public static void Words(ulong seed, ulong firstWord, Span<uint> dst)
    {
        int i = 0;
        // Leading words up to a block boundary.
        for (; i < dst.Length && ((firstWord + (ulong)i) & 3) != 0; i++) dst[i] = Philox.Word(seed, firstWord + (ulong)i);
        ulong block = (firstWord + (ulong)i) >> 2;
        if (Vector512.IsHardwareAccelerated)
        {
            Span<ulong> lanes = stackalloc ulong[32];
            for (; i + 32 <= dst.Length; i += 32, block += 8)
            {
                Blocks8(seed, block, lanes);
                for (int b = 0; b < 8; b++)
                    for (int w = 0; w < 4; w++) dst[i + 4 * b + w] = (uint)lanes[w * 8 + b];
            }
        }
        for (; i + 4 <= dst.Length; i += 4, block++)
        {
            var (a, b, c, d) = Philox.Block(seed, block);
            dst[i] = a; dst[i + 1] = b; dst[i + 2] = c; dst[i + 3] = d;
        }
        for (; i < dst.Length; i++) dst[i] = Philox.Word(seed, firstWord + (ulong)i);
    }

    /// <summary>Full 64-bit products of the low 32-bit halves of each lane (one vpmuludq where AVX-512 has it).</summary>
    private static Vector512<ulong> Mul32(Vector512<ulong> a, Vector512<ulong> b) =>
        Avx512F.IsSupported ? Avx512F.Multiply(a.AsUInt32(), b.AsUInt32()) : a * b;

    /// <summary>Blocks first .. first + 7: word w of block first + b goes to lanes[w·8 + b].</summary>
    private static void Blocks8(ulong seed, ulong first, Span<ulong> lanes)
    {
        var mask = Vector512.Create(Low);
        var counter = Vector512.Create(first) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var c0 = counter & mask;
        var c1 = counter >> 32;
        var c2 = Vector512<ulong>.Zero;
        var c3 = Vector512<ulong>.Zero;
        ulong k0 = seed & Low, k1 = seed >> 32;
        var m0 = Vector512.Create(M0);
        var m1 = Vector512.Create(M1);
        for (int round = 0; round < 10; round++)
        {
            var p0 = Mul32(m0, c0);
            var p1 = Mul32(m1, c2);
            var n0 = (p1 >> 32) ^ c1 ^ Vector512.Create(k0);
            var n1 = p1 & mask;
            var n2 = (p0 >> 32) ^ c3 ^ Vector512.Create(k1);
            var n3 = p0 & mask;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 = (k0 + W0) & Low; k1 = (k1 + W1) & Low;
        }
        c0.CopyTo(lanes[..8]); c1.CopyTo(lanes.Slice(8, 8)); c2.CopyTo(lanes.Slice(16, 8)); c3.CopyTo(lanes.Slice(24, 8));
    }
}
