using System.Globalization;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

// Fixed activations as modules with PyTorch's names. Each forwards to its op in Pade.Engine.Functional.F, whose
// comment holds the formula and derivative; these classes only carry the constants.

file static class Fmt
{
    public static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>nn.Sigmoid: 1/(1 + e^(−x)).</summary>
public sealed partial class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}

/// <summary>nn.Tanh.</summary>
public sealed partial class Tanh : Module
{
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

/// <summary>nn.ReLU: max(0, x).</summary>
public sealed partial class ReLU : Module
{
    public override Tensor Forward(Tensor input) => F.Relu(input);
}

/// <summary>nn.ReLU6: min(max(0, x), 6).</summary>
public sealed partial class ReLU6 : Module
{
    public override Tensor Forward(Tensor input) => F.Relu6(input);
}

/// <summary>nn.Hardtanh: min(max(x, min_val), max_val); like PyTorch's module it needs max_val &gt; min_val.</summary>
public sealed partial class Hardtanh : Module
{
    public Hardtanh(double minVal = -1.0, double maxVal = 1.0)
    {
        if (!double.IsFinite(minVal) || !double.IsFinite(maxVal))
            throw new ArgumentException($"Hardtanh: min_val {minVal} and max_val {maxVal} must be finite");
        if (!(maxVal > minVal)) throw new ArgumentException($"Hardtanh: max_val {maxVal} must be greater than min_val {minVal}");
        MinVal = minVal;
        MaxVal = maxVal;
    }

    public double MinVal { get; }
    public double MaxVal { get; }
    public override Tensor Forward(Tensor input) => F.Hardtanh(input, MinVal, MaxVal);
    public override string ExtraRepr() => $"min_val={Fmt.G(MinVal)}, max_val={Fmt.G(MaxVal)}";
}

/// <summary>nn.LeakyReLU: x for x &gt; 0, negative_slope·x otherwise.</summary>
public sealed partial class LeakyReLU(double negativeSlope = 0.01) : Module
{
    public double NegativeSlope { get; } = negativeSlope;
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
    public override string ExtraRepr() => $"negative_slope={Fmt.G(NegativeSlope)}";
}

/// <summary>
/// nn.RReLU: in training the negative slope is drawn per element from U(lower, upper) (Philox, from
/// <see cref="Generator"/> or the default generator); in evaluation it is the mean (lower + upper)/2.
/// </summary>
public sealed partial class RReLU : Module
{
    public RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, Generator? generator = null)
    {
        if (!(lower <= upper)) throw new ArgumentException($"RReLU: lower bound {lower} must not exceed upper bound {upper}");
        Lower = lower;
        Upper = upper;
        Generator = generator;
    }

    public double Lower { get; }
    public double Upper { get; }

    /// <summary>Source of the training noise (null: <see cref="Engine.Generator.Default"/>).</summary>
    public Generator? Generator { get; set; }

    public override Tensor Forward(Tensor input) => F.RRelu(input, Lower, Upper, Training, Generator);
    public override string ExtraRepr() => $"lower={Fmt.G(Lower)}, upper={Fmt.G(Upper)}";
}

/// <summary>nn.ELU: x for x &gt; 0, α(eˣ − 1) otherwise.</summary>
public sealed partial class ELU(double alpha = 1.0) : Module
{
    public double Alpha { get; } = alpha;
    public override Tensor Forward(Tensor input) => F.Elu(input, Alpha);
    public override string ExtraRepr() => $"alpha={Fmt.G(Alpha)}";
}

/// <summary>nn.CELU: max(0, x) + min(0, α(e^(x/α) − 1)).</summary>
public sealed partial class CELU : Module
{
    public CELU(double alpha = 1.0)
    {
        if (alpha == 0) throw new ArgumentException("CELU: alpha must not be zero");
        Alpha = alpha;
    }

    public double Alpha { get; }
    public override Tensor Forward(Tensor input) => F.Celu(input, Alpha);
    public override string ExtraRepr() => $"alpha={Fmt.G(Alpha)}";
}

/// <summary>nn.Softplus: (1/β) log(1 + e^(βx)), x where βx &gt; threshold.</summary>
public sealed partial class Softplus : Module
{
    public Softplus(double beta = 1.0, double threshold = 20.0)
    {
        if (beta == 0 || !double.IsFinite(beta)) throw new ArgumentException($"Softplus: beta must be finite and not zero, got {beta}");
        Beta = beta;
        Threshold = threshold;
    }

    public double Beta { get; }
    public double Threshold { get; }
    public override Tensor Forward(Tensor input) => F.Softplus(input, Beta, Threshold);
    public override string ExtraRepr() => $"beta={Fmt.G(Beta)}, threshold={Fmt.G(Threshold)}";
}

/// <summary>nn.SiLU: x·σ(x).</summary>
public sealed partial class SiLU : Module
{
    public override Tensor Forward(Tensor input) => F.Silu(input);
}

/// <summary>Swish (Ramachandran et al. 2018): x·σ(βx) with a fixed β (β = 1 is SiLU).</summary>
public sealed partial class Swish(double beta = 1.0) : Module
{
    public double Beta { get; } = beta;
    public override Tensor Forward(Tensor input) => F.Swish(input, Beta);
    public override string ExtraRepr() => $"beta={Fmt.G(Beta)}";
}

/// <summary>nn.GELU: x·Φ(x) (exact, from erf) or its tanh approximation.</summary>
public sealed partial class GELU(GeluApproximation approximate = GeluApproximation.None) : Module
{
    public GeluApproximation Approximate { get; } = approximate;
    public override Tensor Forward(Tensor input) => F.Gelu(input, Approximate);
    public override string ExtraRepr() => $"approximate='{Approximate.ToString().ToLowerInvariant()}'";
}

/// <summary>nn.Mish: x·tanh(softplus(x)).</summary>
public sealed partial class Mish : Module
{
    public override Tensor Forward(Tensor input) => F.Mish(input);
}

/// <summary>nn.SELU: scale·(max(0, x) + min(0, α(eˣ − 1))) with torch's α and scale.</summary>
public sealed partial class SELU : Module
{
    public override Tensor Forward(Tensor input) => F.Selu(input);
}

/// <summary>nn.Hardsigmoid: relu6(x + 3)/6.</summary>
public sealed partial class Hardsigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.Hardsigmoid(input);
}

/// <summary>nn.Hardswish: x·relu6(x + 3)/6.</summary>
public sealed partial class Hardswish : Module
{
    public override Tensor Forward(Tensor input) => F.Hardswish(input);
}

/// <summary>nn.Softsign: x/(1 + |x|).</summary>
public sealed partial class Softsign : Module
{
    public override Tensor Forward(Tensor input) => F.Softsign(input);
}

/// <summary>nn.LogSigmoid: log σ(x).</summary>
public sealed partial class LogSigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.LogSigmoid(input);
}

/// <summary>nn.Tanhshrink: x − tanh x.</summary>
public sealed partial class Tanhshrink : Module
{
    public override Tensor Forward(Tensor input) => F.Tanhshrink(input);
}

/// <summary>nn.Softshrink: x − λ for x &gt; λ, x + λ for x &lt; −λ, else 0; λ ≥ 0.</summary>
public sealed partial class Softshrink : Module
{
    public Softshrink(double lambd = 0.5)
    {
        if (!double.IsFinite(lambd) || lambd < 0) throw new ArgumentException($"Softshrink: lambd must be finite and at least 0, got {lambd}");
        Lambd = lambd;
    }

    public double Lambd { get; }
    public override Tensor Forward(Tensor input) => F.Softshrink(input, Lambd);
    public override string ExtraRepr() => Fmt.G(Lambd);
}

/// <summary>nn.Hardshrink: x where |x| &gt; λ, else 0.</summary>
public sealed partial class Hardshrink(double lambd = 0.5) : Module
{
    public double Lambd { get; } = lambd;
    public override Tensor Forward(Tensor input) => F.Hardshrink(input, Lambd);
    public override string ExtraRepr() => Fmt.G(Lambd);
}
