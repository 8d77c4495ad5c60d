using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// Kernels of the activations that are not plain pointwise functions: noisy (RReLU), with per-channel parameters
/// (PReLU, APL, SReLU, SLAF) or reducing over channel groups (Maxout). Every tensor argument is contiguous. Inputs
/// with per-channel parameters come with their <see cref="ChannelLayout"/> [Outer, C, Inner]; a parameter tensor
/// holds C entries per parameter (C = 1: shared by every element). Parameter gradients are sums over all elements
/// of a channel, computed in fixed-size pieces combined in a fixed order, so they do not depend on the thread count.
/// </summary>
public abstract partial class Backend
{
    private NotSupportedException NoKernel(string name) => new($"{Device} backend has no kernel {name}");

    /// <summary>
    /// RReLU in training: slope_i = lower + (upper − lower)·u_i, u_i = number i of the noise stream (seed, offset)
    /// (<see cref="NoiseStream"/>; drawn for every element, whatever its sign); y_i = x_i for x_i &gt; 0, slope_i·x_i
    /// otherwise; noise_i = 1 or slope_i, the factor dy/dx that the backward multiplies by.
    /// </summary>
    public virtual void RRelu(Tensor x, Tensor y, Tensor noise, double lower, double upper, ulong seed, ulong offset) => throw NoKernel("rrelu");

    /// <summary>PReLU: y = x for x &gt; 0, w_c·x otherwise; weight [C].</summary>
    public virtual void PRelu(Tensor x, Tensor weight, Tensor y, ChannelLayout layout) => throw NoKernel("prelu");

    /// <summary>PReLU backward: dx = dy (x &gt; 0) or w_c·dy; dweight_c = Σ_{x ≤ 0 in channel c} dy·x.</summary>
    public virtual void PReluBackward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, ChannelLayout layout) => throw NoKernel("prelu_backward");

    /// <summary>APL: y = max(0, x) + Σ_s a[s, c]·max(0, b[s, c] − x); a and b are [S, C].</summary>
    public virtual void Apl(Tensor x, Tensor a, Tensor b, Tensor y, ChannelLayout layout) => throw NoKernel("apl");

    /// <summary>APL backward: dx = dy·(1[x &gt; 0] − Σ_s a_s 1[b_s − x &gt; 0]);
    /// da[s, c] = Σ dy·max(0, b_s − x); db[s, c] = Σ dy·a_s·1[b_s − x &gt; 0].</summary>
    public virtual void AplBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db, ChannelLayout layout) => throw NoKernel("apl_backward");

    /// <summary>SReLU with per-channel thresholds and slopes, each [C]: y = t_r + a_r(x − t_r) for x ≥ t_r,
    /// t_l + a_l(x − t_l) for x ≤ t_l (tested second), x in between.</summary>
    public virtual void SRelu(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor y, ChannelLayout layout) => throw NoKernel("srelu");

    /// <summary>SReLU backward. Right piece: dx = a_r dy, dt_r += (1 − a_r) dy, da_r += (x − t_r) dy; left piece:
    /// dx = a_l dy, dt_l += (1 − a_l) dy, da_l += (x − t_l) dy; middle: dx = dy.</summary>
    public virtual void SReluBackward(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor dy, Tensor dx,
        Tensor dtl, Tensor dal, Tensor dtr, Tensor dar, ChannelLayout layout) => throw NoKernel("srelu_backward");

    /// <summary>SLAF: y = Σ_{k=0..K} a[c, k]·x^k (Horner); coefficients [C, K + 1].</summary>
    public virtual void Slaf(Tensor x, Tensor coefficients, Tensor y, ChannelLayout layout) => throw NoKernel("slaf");

    /// <summary>SLAF backward: dx = dy·Σ_k k a_k x^(k−1); dcoefficients[c, k] = Σ dy·x^k.</summary>
    public virtual void SlafBackward(Tensor x, Tensor coefficients, Tensor dy, Tensor dx, Tensor dcoefficients, ChannelLayout layout) => throw NoKernel("slaf_backward");

    /// <summary>Maxout over channel groups: x viewed [outer, G, k, inner] (group g = channels g·k .. g·k + k − 1),
    /// y [outer, G, inner] = max over the k pieces, argmax (Int32, same shape as y) = index of the first maximum.</summary>
    public virtual void Maxout(Tensor x, Tensor y, Tensor argmax, int pieces, long outer, int groups, long inner) => throw NoKernel("maxout");

    /// <summary>Maxout backward: dx (zero-filled here) receives dy at each group's argmax piece.</summary>
    public virtual void MaxoutBackward(Tensor dy, Tensor argmax, Tensor dx, int pieces, long outer, int groups, long inner) => throw NoKernel("maxout_backward");

    /// <summary>
    /// PAU forward, y = P(x)/Q(x) in <paramref name="version"/> (formulas and layouts of <see cref="PauMath"/>; D is B's
    /// formula), x with layout [Outer, C, Inner]; numerator [C, m + 1] and denominator [C, nb] hold the coefficients
    /// of each channel (C = 1: shared by all elements). With active <paramref name="noise"/> every coefficient of
    /// element i is multiplied by its factor (<see cref="PauNoise"/>), computed on the fly.
    /// </summary>
    public virtual void PauForward(Tensor x, Tensor numerator, Tensor denominator, Tensor y, PauVersion version,
        ChannelLayout layout, PauNoise noise) => throw NoKernel("pau_forward");

    /// <summary>
    /// PAU backward in one pass over x: dx = dy·∂F/∂x, and the coefficient gradients summed over each channel's
    /// elements, dnumerator[c, j] = Σ dy·∂F/∂a_j, ddenominator[c, k] = Σ dy·∂F/∂b_k (<see cref="PauMath"/>'s formulas
    /// and sign convention; with noise, at the noisy coefficients and times their factors).
    /// </summary>
    public virtual void PauBackward(Tensor x, Tensor dy, Tensor numerator, Tensor denominator, Tensor dx, Tensor dnumerator,
        Tensor ddenominator, PauVersion version, ChannelLayout layout, PauNoise noise) => throw NoKernel("pau_backward");
}
