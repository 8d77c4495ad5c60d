namespace Pade.Engine.Functional;

/// <summary>
/// The coefficient noise of a randomized PAU (RPAU, paper §3.2 eq. 3; version D of rational_activations).
/// <para>
/// In training, every coefficient c used for input element i is replaced by
///   c̃ = c·(1 + α(2u − 1)) = c + ε,  ε ~ U(−α|c|, α|c|),
/// the paper's additive noise in a band proportional to |c|, written multiplicatively: the two are the same
/// distribution, and this form is smooth in c (∂c̃/∂c = 1 + α(2u − 1)), so the gradient of the sampled function is
/// exact and a gradient check with the same noise passes. (The paper says to "replace the coefficients by their noisy
/// counterparts" in the gradient, and the official D kernel does so, i.e. ∂c̃/∂c = 1; the two differ by a factor in
/// [1 − α, 1 + α] of mean 1. docs/pau-versions.md records the official kernel.)
/// Evaluation uses the plain coefficients. α: the digits of the paper's A.4.1 were lost in the text copy; the
/// official code draws within ±10 % of c, so α = 0.1 is the default (<see cref="DefaultAlpha"/>). 0 ≤ α &lt; 1 keeps
/// every c̃ on the side of zero c is on.
/// </para>
/// <para>
/// The numbers come from the Philox stream (Seed, Offset) of <see cref="NoiseStream"/>: with K = (m + 1) + (length
/// of the denominator coefficients) coefficients per element, ordered a_0..a_m then the denominator's in its layout
/// (b_1..b_n, or b_0..b_n for version C), coefficient k of the element with flat index i uses number
///   j = i·K + k,
/// so a CUDA thread computing element i draws exactly the CPU's numbers. A call reserves K·numel numbers.
/// </para>
/// </summary>
public readonly record struct PauNoise(double Alpha, ulong Seed, ulong Offset)
{
    /// <summary>The official code's ±10 %.</summary>
    public const double DefaultAlpha = 0.1;

    /// <summary>No noise (evaluation, or a plain PAU).</summary>
    public static PauNoise None => default;

    public bool IsActive => Alpha > 0;

    /// <summary>Index of the uniform number for coefficient k of element i (K coefficients per element).</summary>
    public static ulong NumberIndex(long element, int coefficient, int coefficientsPerElement) =>
        (ulong)element * (ulong)coefficientsPerElement + (ulong)coefficient;

    /// <summary>The factor 1 + α(2u − 1) for coefficient k of element i.</summary>
    public double Factor(long element, int coefficient, int coefficientsPerElement, bool single) =>
        1 + Alpha * (2 * NoiseStream.Uniform(Seed, Offset, NumberIndex(element, coefficient, coefficientsPerElement), single) - 1);

    /// <summary>As <see cref="Factor(long, int, int, bool)"/>, through a reader that reuses Philox blocks.</summary>
    public double Factor(ref PhiloxReader reader, long element, int coefficient, int coefficientsPerElement, bool single) =>
        1 + Alpha * (2 * reader.Uniform(Offset, NumberIndex(element, coefficient, coefficientsPerElement), single) - 1);

    /// <summary>Draws the noise of one call: reserves K·numel numbers of <paramref name="dtype"/> from the generator.</summary>
    public static PauNoise Draw(double alpha, Generator generator, DType dtype, long numel, int coefficientsPerElement)
    {
        Check(alpha);
        ulong offset = NoiseStream.Reserve(generator, dtype, numel * coefficientsPerElement);
        return new PauNoise(alpha, generator.Seed, offset);
    }

    /// <summary>All factors of a call as a tensor [K, ...shape] (factor of coefficient k for element i at [k, i]):
    /// what the composed reference PAU multiplies its coefficients by.</summary>
    public Tensor Factors(int[] shape, DType dtype, int coefficientsPerElement)
    {
        long numel = Shapes.Numel(shape);
        var f = new double[coefficientsPerElement * numel];
        bool single = dtype == DType.Float32;
        for (long i = 0; i < numel; i++)
            for (int k = 0; k < coefficientsPerElement; k++)
                f[k * numel + i] = IsActive ? Factor(i, k, coefficientsPerElement, single) : 1.0;
        return Tensor.FromSpan<double>(f, [coefficientsPerElement, .. shape]).To(dtype);
    }

    /// <summary>Throws unless 0 ≤ α &lt; 1.</summary>
    public static void Check(double alpha)
    {
        if (!(alpha >= 0 && alpha < 1))
            throw new ArgumentException($"PAU noise: alpha must be in [0, 1) (a coefficient varies within ±alpha·|c|), got {alpha}");
    }
}
