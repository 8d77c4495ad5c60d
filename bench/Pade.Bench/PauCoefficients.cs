namespace Pade.Bench;

/// <summary>
/// Initial coefficients of a safe PAU of orders [5, 4] fitted to LeakyReLU(0.01) on [-3, 3]: the paper's Table 6
/// column that it uses to initialise every PAU (values from /work/shared/paper/README.md). Both sides of every PAU
/// case start from these, so their arithmetic is the same.
/// </summary>
public static class PauCoefficients
{
    /// <summary>Numerator a_0 … a_5 of P(x) = Σ a_j x^j.</summary>
    public static readonly float[] Numerator =
        [0.02979246f, 0.61837738f, 2.32335207f, 3.05202660f, 1.48548002f, 0.25103717f];

    /// <summary>Denominator b_1 … b_4 of Q(x) = 1 + Σ |b_k| |x|^k (safe PAU, version A).</summary>
    public static readonly float[] Denominator = [1.14201226f, 4.39322834f, 0.87154450f, 0.34720652f];
}
