using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>Which formula GELU uses (PyTorch's approximate = 'none' | 'tanh').</summary>
public enum GeluApproximation { None, Tanh }

/// <summary>
/// Activation functions as differentiable ops, after torch.nn.functional (imported as F there too); the modules of
/// Pade.Layers.Activations wrap them. Each op's comment gives the formula and its derivative; the pointwise ones run
/// the backend's fused forward and dx = dy·f'(x) kernels (Engine/Cpu/ActivationFunctors.cs), the others have their
/// own kernels (Backend.Activations.cs). They are also extension methods: <c>x.Relu()</c>.
/// At a kink the derivative is PyTorch's: that of the branch the forward does not call "positive".
/// </summary>
public static partial class F
{
    private static Tensor Pointwise(Tensor x, UnaryOp op, double alpha = 0, double beta = 0) => x.UnaryWithKernelBackward(op, alpha, beta);

    private static void CheckFinite(string op, string name, double v)
    {
        if (!double.IsFinite(v)) throw new ArgumentException($"{op}: {name} must be finite, got {v}");
    }

    /// <summary>y = x (nn.Identity): the input itself, no op recorded.</summary>
    public static Tensor Identity(this Tensor x) => x;

    /// <summary>σ(x) = 1/(1 + e^(−x)); σ'(x) = σ(1 − σ).</summary>
    public static Tensor Sigmoid(this Tensor x) => Pointwise(x, UnaryOp.Sigmoid);

    /// <summary>tanh(x); tanh' = 1 − tanh².</summary>
    public static Tensor Tanh(this Tensor x) => Pointwise(x, UnaryOp.Tanh);

    /// <summary>relu(x) = max(0, x); relu' = 1 for x &gt; 0, else 0.</summary>
    public static Tensor Relu(this Tensor x) => Pointwise(x, UnaryOp.Relu);

    /// <summary>relu6(x) = min(max(0, x), 6); derivative 1 for 0 &lt; x &lt; 6, else 0.</summary>
    public static Tensor Relu6(this Tensor x) => Pointwise(x, UnaryOp.Relu6);

    /// <summary>hardtanh(x) = min(max(x, minVal), maxVal) (torch.nn.functional.hardtanh); derivative 1 for
    /// minVal &lt; x &lt; maxVal, else 0 (at both kinks too, as PyTorch's hardtanh_backward). minVal ≤ maxVal.</summary>
    public static Tensor Hardtanh(this Tensor x, double minVal = -1.0, double maxVal = 1.0)
    {
        CheckFinite("hardtanh", "min_val", minVal);
        CheckFinite("hardtanh", "max_val", maxVal);
        if (minVal > maxVal) throw new ArgumentException($"hardtanh: min_val {minVal} is greater than max_val {maxVal}");
        return Pointwise(x, UnaryOp.Hardtanh, minVal, maxVal);
    }

    /// <summary>leaky_relu(x) = x for x &gt; 0, s·x otherwise (s = negative slope); derivative 1 or s.</summary>
    public static Tensor LeakyRelu(this Tensor x, double negativeSlope = 0.01)
    {
        CheckFinite("leaky_relu", "negative slope", negativeSlope);
        return Pointwise(x, UnaryOp.LeakyRelu, negativeSlope);
    }

    /// <summary>elu(x) = x for x &gt; 0, α(eˣ − 1) otherwise; derivative 1 or α eˣ.</summary>
    public static Tensor Elu(this Tensor x, double alpha = 1.0)
    {
        CheckFinite("elu", "alpha", alpha);
        return Pointwise(x, UnaryOp.Elu, alpha);
    }

    /// <summary>celu(x) = max(0, x) + min(0, α(e^(x/α) − 1)), α ≠ 0; derivative 1 or e^(x/α).</summary>
    public static Tensor Celu(this Tensor x, double alpha = 1.0)
    {
        CheckFinite("celu", "alpha", alpha);
        if (alpha == 0) throw new ArgumentException("celu: alpha must not be zero (the formula divides by it)");
        return Pointwise(x, UnaryOp.Celu, alpha);
    }

    /// <summary>softplus(x) = (1/β) log(1 + e^(βx)), and x where βx &gt; threshold (PyTorch's numerical switch, default 20);
    /// derivative σ(βx), or 1 above the threshold. β &gt; 0.</summary>
    public static Tensor Softplus(this Tensor x, double beta = 1.0, double threshold = 20.0)
    {
        CheckFinite("softplus", "beta", beta);
        // A negative β is allowed, as in PyTorch (the same formula); 0 would divide by zero.
        if (beta == 0) throw new ArgumentException("softplus: beta must not be zero (the formula divides by it)");
        if (double.IsNaN(threshold)) throw new ArgumentException("softplus: threshold is NaN");
        return Pointwise(x, UnaryOp.Softplus, beta, threshold);
    }

    /// <summary>silu(x) = x·σ(x) (Swish with β = 1).</summary>
    public static Tensor Silu(this Tensor x) => Pointwise(x, UnaryOp.Silu, 1.0);

    /// <summary>swish(x) = x·σ(βx) (Ramachandran et al.); derivative σ(βx)(1 + βx(1 − σ(βx))).</summary>
    public static Tensor Swish(this Tensor x, double beta = 1.0)
    {
        CheckFinite("swish", "beta", beta);
        return Pointwise(x, UnaryOp.Silu, beta);
    }

    /// <summary>
    /// gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)), derivative Φ(x) + x·φ(x) (erf: <see cref="SpecialFunctions"/>);
    /// with <see cref="GeluApproximation.Tanh"/>: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    /// </summary>
    public static Tensor Gelu(this Tensor x, GeluApproximation approximate = GeluApproximation.None) =>
        Pointwise(x, approximate == GeluApproximation.Tanh ? UnaryOp.GeluTanh : UnaryOp.Gelu);

    /// <summary>mish(x) = x·tanh(softplus(x)); derivative tanh(sp) + x(1 − tanh²(sp))σ(x).</summary>
    public static Tensor Mish(this Tensor x) => Pointwise(x, UnaryOp.Mish);

    /// <summary>
    /// RReLU (Xu et al. 2015): in training, y = x for x &gt; 0 and r·x otherwise, with a slope r drawn per element from
    /// U(lower, upper) (number i of a Philox noise stream reserved from <paramref name="generator"/>, see
    /// <see cref="NoiseStream"/>; dy/dx = r); in evaluation, leaky ReLU with the mean slope (lower + upper)/2.
    /// </summary>
    public static Tensor RRelu(this Tensor x, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false, Generator? generator = null)
    {
        CheckFinite("rrelu", "lower", lower);
        CheckFinite("rrelu", "upper", upper);
        if (lower > upper) throw new ArgumentException($"rrelu: lower bound {lower} is greater than upper bound {upper}");
        if (!training) return LeakyRelu(x, (lower + upper) / 2);
        Ops.CheckFloating("rrelu", x);
        var xc = x.Contiguous();
        var y = xc.EmptyLike();
        var noise = xc.EmptyLike();
        var gen = generator ?? Generator.Default;
        ulong offset = NoiseStream.Reserve(gen, x.DType, x.Numel);
        x.Backend.RRelu(xc, y, noise, lower, upper, gen.Seed, offset);
        return Graph.Record(y, "rrelu", [x], g => [g * noise], noise);
    }
}
