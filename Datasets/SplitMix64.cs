namespace Pade.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// constants are those of Vigna's public-domain reference <c>splitmix64.c</c>).
/// </summary>
/// <remarks>
/// <para>Why not <see cref="System.Random"/>: its seeded algorithm is an implementation detail of .NET that has
/// changed before (.NET 6 moved unseeded Random to xoshiro) and carries no promise across versions; a training run
/// must shuffle and augment identically on every machine and runtime. This generator is fully specified here:</para>
/// <code>
/// state += 0x9E3779B97F4A7C15                       (the golden-ratio increment: a Weyl sequence)
/// z = state
/// z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB
/// return z ^ (z >> 31)                               (a bijective 64-bit mixer)
/// </code>
/// <para>Bounded integers use Lemire's multiply-shift with rejection ("Fast random integer generation in an
/// interval", 2019), so every value in [0, n) is exactly equally likely.</para>
/// <para>Not thread-safe: give each worker its own generator, e.g. <see cref="Derive"/>(seed, epoch, batch), which
/// also makes a batch's randomness independent of the order in which threads run.</para>
/// </remarks>
public sealed class SplitMix64
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;
    ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The internal state; <c>new SplitMix64(g.State)</c> continues exactly where <c>g</c> is.</summary>
    public ulong State => _state;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>); bound must be positive.</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        return (int)NextBelow((uint)bound);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="max"/>] (both included).</summary>
    public int NextInt(int min, int max)
    {
        if (max < min) throw new ArgumentOutOfRangeException(nameof(max), max, $"max must be >= min ({min})");
        return (int)(min + (long)NextBelow((ulong)((long)max - min + 1)));
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>True with probability 1/2 (the top bit, the best-mixed one).</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>
    /// A generator for a sub-stream identified by <paramref name="a"/> and <paramref name="b"/> (for example
    /// epoch and batch index), derived from <paramref name="seed"/> by chained mixing; different keys give
    /// unrelated sequences.
    /// </summary>
    public static SplitMix64 Derive(ulong seed, ulong a, ulong b = 0)
    {
        ulong s = Mix(seed + Golden);
        s = Mix(s ^ Mix(a + unchecked(2 * Golden)));
        s = Mix(s ^ Mix(b + unchecked(3 * Golden)));
        return new SplitMix64(s);
    }

    /// <summary>Lemire's nearly-divisionless method: uniform in [0, n) for n in [1, 2^32].</summary>
    ulong NextBelow(ulong n)
    {
        // Take the high 32 bits of a 32x32 product; reject the few low values that would make some results
        // one count more likely than others. The threshold (2^32 mod n) is computed only when a rejection is possible.
        ulong x = NextUInt64() >> 32;
        ulong m = x * n;
        uint low = (uint)m;
        if (low < n)
        {
            uint threshold = (uint)((0x1_0000_0000UL - n) % n);
            while (low < threshold)
            {
                x = NextUInt64() >> 32;
                m = x * n;
                low = (uint)m;
            }
        }
        return m >> 32;
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
