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
