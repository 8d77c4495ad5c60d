namespace Pade.Engine.Functional;

/// <summary>
/// The denominators of a Padé Activation Unit F(x) = P(x) / Q(x), P(x) = a_0 + a_1 x + ... + a_m x^m.
/// The letters are those of the official rational_activations package (docs/pau-versions.md records where each
/// formula was read). The numerator is the same in every version; only Q and the layout of the b coefficients differ.
/// </summary>
public enum PauVersion
{
    /// <summary>
    /// Safe PAU, the paper's eq. (2) and its only version in the experiments:
    /// Q(x) = 1 + |b_1 x| + |b_2 x^2| + ... + |b_n x^n| = 1 + Σ_{k=1..n} |b_k| |x|^k  (so Q ≥ 1, no poles).
    /// b holds b_1..b_n (length n). Only |b_k| matters: b_k and −b_k give the same function.
    /// </summary>
    A,

    /// <summary>
    /// Q(x) = 1 + |b_1 x + b_2 x^2 + ... + b_n x^n| = 1 + |A(x)|  (Q ≥ 1; the absolute value of the whole sum).
    /// b holds b_1..b_n (length n).
    /// </summary>
    B,

    /// <summary>
    /// Q(x) = ε + |b_0 + b_1 x + ... + b_n x^n| with ε = 0.1 (<see cref="PauMath.VersionCEpsilon"/>), so Q ≥ 0.1.
    /// The only version with a constant term b_0: b holds b_0..b_n (length n + 1).
    /// </summary>
    C,

    /// <summary>
    /// Randomized PAU: the formula of <see cref="B"/> (b holds b_1..b_n), evaluated in training with every coefficient
    /// c replaced by c·u, u ~ Uniform[0.9, 1.1] (±10% multiplicative noise), drawn per input element; in evaluation
    /// it is exactly B. The noise is applied by the caller to the coefficients it passes in: the scalar math of
    /// <see cref="PauMath"/> for D is that of B, and its coefficient gradients are taken at the noisy coefficients.
    /// </summary>
    D,
}
