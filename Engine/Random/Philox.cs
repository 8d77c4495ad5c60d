namespace Pade.Engine;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the generator of
/// cuRAND and PyTorch's CUDA backend. It is a pure function of (key, counter): word w of the stream for a seed is
///   block = Philox(counter = (w/4 lo, w/4 hi, 0, 0), key = (seed lo, seed hi)), word = block[w % 4],
/// so any element can be drawn independently, in any order, on any thread or device, with identical results.
/// Uniform float32 uses the top 24 bits of one word; float64 the top 53 bits of two consecutive words.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>The four 32-bit words of block <paramref name="counter"/> for key <paramref name="seed"/>.</summary>
    public static (uint, uint, uint, uint) Block(ulong seed, ulong counter) =>
        Block((uint)counter, (uint)(counter >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));

    /// <summary>The full bijection of Random123's philox4x32-10: a 128-bit counter (c0 the lowest word) and a 64-bit
    /// key. The streams use counter words 2 and 3 = 0; this form exists so the published known-answer vectors,
    /// which set all four words, can test the rounds.</summary>
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n1 = (uint)p1, n2 = (uint)(p0 >> 32) ^ c3 ^ k1, n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>Word number <paramref name="index"/> of the stream for a seed.</summary>
    public static uint Word(ulong seed, ulong index)
    {
        var (a, b, c, d) = Block(seed, index >> 2);
        return (index & 3) switch { 0 => a, 1 => b, 2 => c, _ => d };
    }

    /// <summary>Uniform in [0, 1) with 24 bits, from word <paramref name="index"/>.</summary>
    public static float UniformFloat(ulong seed, ulong index) => (Word(seed, index) >> 8) * (1.0f / 16777216f);

    /// <summary>Uniform in [0, 1) with 53 bits, from words 2·index and 2·index+1.</summary>
    public static double UniformDouble(ulong seed, ulong index)
    {
        var (a, b, c, d) = Block(seed, index >> 1);
        ulong hi, lo;
        if ((index & 1) == 0) { hi = a; lo = b; } else { hi = c; lo = d; }
        return (((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
    }
}

/// <summary>A seeded stream position: each draw of n elements takes words [Offset, Offset + k n) and advances.
/// Its state (seed, offset) is two numbers, so checkpoints store it and a resumed run draws the same values.</summary>
public sealed class Generator(ulong seed)
{
    public ulong Seed { get; set; } = seed;
    public ulong Offset { get; set; }

    /// <summary>The process-wide default generator (Tensor.Manual seed sets it), like torch.manual_seed.</summary>
    public static Generator Default { get; } = new(0x5EEDu);

    /// <summary>Reserves <paramref name="words"/> words and returns the first one's index.</summary>
    public ulong Advance(ulong words)
    {
        var start = Offset;
        Offset += words;
        return start;
    }
}
