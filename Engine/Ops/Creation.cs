namespace Pade.Engine;

/// <summary>Seeded random tensors from the counter-based generator (see <see cref="Philox"/>).</summary>
public sealed partial class Tensor
{
    public static void ManualSeed(ulong seed)
    {
        Generator.Default.Seed = seed;
        Generator.Default.Offset = 0;
    }

    private static Tensor RandomTensor(int[] shape, Distribution d, double p1, double p2, DType dtype, Device? device, Generator? gen)
    {
        var y = Empty(shape, dtype, device);
        var g = gen ?? Generator.Default;
        // Each element may use up to 4 words (normal float64 uses two uniforms of two words each).
        ulong start = g.Advance(4 * (ulong)y.Numel);
        y.Backend.Random(y, d, g.Seed, start, p1, p2);
        return y;
    }

    /// <summary>Uniform in [low, high).</summary>
    public static Tensor Rand(int[] shape, double low = 0, double high = 1, DType dtype = DType.Float32, Device? device = null, Generator? generator = null) =>
        RandomTensor(shape, Distribution.Uniform, low, high, dtype, device, generator);

    /// <summary>Normal with the given mean and standard deviation (Box-Muller).</summary>
    public static Tensor Randn(int[] shape, double mean = 0, double std = 1, DType dtype = DType.Float32, Device? device = null, Generator? generator = null) =>
        RandomTensor(shape, Distribution.Normal, mean, std, dtype, device, generator);

    /// <summary>1 with probability p, else 0.</summary>
    public static Tensor Bernoulli(int[] shape, double p, DType dtype = DType.Float32, Device? device = null, Generator? generator = null) =>
        RandomTensor(shape, Distribution.Bernoulli, p, 0, dtype, device, generator);
}
