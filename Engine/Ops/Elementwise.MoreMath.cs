using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>torch's trigonometric, hyperbolic, logarithmic and special functions of one tensor: one backend kernel
/// each, closed-form backward as PyTorch's derivatives.yaml; deg2rad, rad2deg, positive and sgn as compositions.</summary>
public sealed partial class Tensor
{
    private const double Ln2 = 0.6931471805599453, Ln10 = 2.302585092994046;
    private const double HalfSqrtPi = 0.88622692545275801;   // √π/2, erfinv's slope at 0

    /// <summary>y = tan x (torch.tan). dy/dx = 1 + y².</summary>
    public Tensor Tan()
    {
        var y = UnaryForward(UnaryOp.Tan);
        return Graph.Record(y, "tan", [this], g => [g * y.Square().AddScalar(1)], y);
    }

    /// <summary>y = arcsin x on [−1, 1], NaN outside (torch.asin). dy/dx = 1/√(1 − x²).</summary>
    public Tensor Asin() => Graph.Record(UnaryForward(UnaryOp.Asin), "asin", [this], g => [g * Square().Neg().AddScalar(1).Rsqrt()], this);

    /// <summary>y = arccos x on [−1, 1], NaN outside (torch.acos). dy/dx = −1/√(1 − x²).</summary>
    public Tensor Acos() => Graph.Record(UnaryForward(UnaryOp.Acos), "acos", [this], g => [-(g * Square().Neg().AddScalar(1).Rsqrt())], this);

    /// <summary>y = arctan x (torch.atan). dy/dx = 1/(1 + x²).</summary>
    public Tensor Atan() => Graph.Record(UnaryForward(UnaryOp.Atan), "atan", [this], g => [g / Square().AddScalar(1)], this);

    /// <summary>y = sinh x (torch.sinh). dy/dx = cosh x.</summary>
    public Tensor Sinh() => Graph.Record(UnaryForward(UnaryOp.Sinh), "sinh", [this], g => [g * Cosh()], this);

    /// <summary>y = cosh x (torch.cosh). dy/dx = sinh x.</summary>
    public Tensor Cosh() => Graph.Record(UnaryForward(UnaryOp.Cosh), "cosh", [this], g => [g * Sinh()], this);

    /// <summary>y = arsinh x (torch.asinh). dy/dx = 1/√(x² + 1).</summary>
    public Tensor Asinh() => Graph.Record(UnaryForward(UnaryOp.Asinh), "asinh", [this], g => [g * Square().AddScalar(1).Rsqrt()], this);

    /// <summary>y = arcosh x for x ≥ 1, NaN below (torch.acosh). dy/dx = 1/√(x² − 1).</summary>
    public Tensor Acosh() => Graph.Record(UnaryForward(UnaryOp.Acosh), "acosh", [this], g => [g * Square().AddScalar(-1).Rsqrt()], this);

    /// <summary>y = artanh x on (−1, 1), ±∞ at ±1, NaN outside (torch.atanh). dy/dx = 1/(1 − x²).</summary>
    public Tensor Atanh() => Graph.Record(UnaryForward(UnaryOp.Atanh), "atanh", [this], g => [g / Square().Neg().AddScalar(1)], this);

    /// <summary>y = log₂ x (torch.log2). dy/dx = 1/(x ln 2).</summary>
    public Tensor Log2() => Graph.Record(UnaryForward(UnaryOp.Log2), "log2", [this], g => [g / MulScalar(Ln2)], this);

    /// <summary>y = log₁₀ x (torch.log10). dy/dx = 1/(x ln 10).</summary>
    public Tensor Log10() => Graph.Record(UnaryForward(UnaryOp.Log10), "log10", [this], g => [g / MulScalar(Ln10)], this);

    /// <summary>y = 2ˣ (torch.exp2). dy/dx = y ln 2.</summary>
    public Tensor Exp2()
    {
        var y = UnaryForward(UnaryOp.Exp2);
        return Graph.Record(y, "exp2", [this], g => [(g * y).MulScalar(Ln2)], y);
    }

    /// <summary>y = erfc x = 1 − erf x, accurate where erf x is near 1 (torch.erfc). dy/dx = −(2/√π) e^(−x²).</summary>
    public Tensor Erfc() => Graph.Record(UnaryForward(UnaryOp.Erfc), "erfc", [this], g => [g * Square().Neg().Exp().MulScalar(-TwoOverSqrtPi)], this);

    /// <summary>y = erf⁻¹ x on [−1, 1], ±∞ at ±1, NaN outside (torch.erfinv). dy/dx = (√π/2) e^(y²).</summary>
    public Tensor Erfinv()
    {
        var y = UnaryForward(UnaryOp.Erfinv);
        return Graph.Record(y, "erfinv", [this], g => [g * y.Square().Exp().MulScalar(HalfSqrtPi)], y);
    }

    /// <summary>y = ln |Γ(x)|, +∞ at 0 and the negative integers (torch.lgamma). dy/dx = ψ(x) (digamma).</summary>
    public Tensor Lgamma() => Graph.Record(UnaryForward(UnaryOp.Lgamma), "lgamma", [this], g => [g * Digamma()], this);

    /// <summary>y = ψ(x) = Γ'(x)/Γ(x) (torch.digamma): −∞ at +0, +∞ at −0, NaN at the negative integers, as PyTorch.
    /// dy/dx = ψ'(x) (torch.polygamma(1, x)).</summary>
    public Tensor Digamma() => Graph.Record(UnaryForward(UnaryOp.Digamma), "digamma", [this], g => [g * Trigamma()], this);

    /// <summary>ψ'(x), digamma's derivative (torch.polygamma(1, x)), for digamma's backward only: the backward pass
    /// runs without recording, so its own derivative is never asked for.</summary>
    private Tensor Trigamma() => UnaryForward(UnaryOp.Trigamma);

    /// <summary>y = x − trunc(x), the sign of x (torch.frac). dy/dx = 1.</summary>
    public Tensor Frac() => Graph.Record(UnaryForward(UnaryOp.Frac), "frac", [this], g => [g]);

    /// <summary>y = sin(πx)/(πx), 1 at 0 (torch.sinc). dy/dx = (πx cos πx − sin πx)/(πx²), 0 at 0.</summary>
    public Tensor Sinc() => Graph.Record(UnaryForward(UnaryOp.Sinc), "sinc", [this], g =>
    {
        var p = MulScalar(Math.PI);
        var slope = (p * p.Cos() - p.Sin()) / (p * this);
        return [Where(Eq(FullLikeScalar(0)), g.FullLikeScalar(0), g * slope)];
    }, this);

    /// <summary>y = ln(x/(1 − x)) (torch.logit), of x clamped to [eps, 1 − eps] when <paramref name="eps"/> is given
    /// (a negative eps clamps nothing, as PyTorch's kernel). dy/dx = 1/(x(1 − x)) inside; 0 where the clamp holds x,
    /// and without a clamp NaN outside [0, 1], as PyTorch.</summary>
    public Tensor Logit(double? eps = null)
    {
        double e = eps ?? -1;
        var y = UnaryForward(UnaryOp.Logit, e);
        return Graph.Record(y, "logit", [this], g =>
        {
            bool clamp = e >= 0;
            double lo = clamp ? e : 0, hi = 1 - lo;
            var outside = Lt(lo) + Gt(hi);
            return [Where(outside, g.FullLikeScalar(clamp ? 0 : double.NaN), g / (this * (1.0 - this)))];
        }, this);
    }

    /// <summary>x·π/180 (torch.deg2rad).</summary>
    public Tensor Deg2rad() => MulScalar(0.017453292519943295);

    /// <summary>x·180/π (torch.rad2deg).</summary>
    public Tensor Rad2deg() => MulScalar(57.295779513082323);

    /// <summary>This tensor itself (torch.positive).</summary>
    public Tensor Positive() => this;

    /// <summary>x/|x| for a real tensor: sign(x) (torch.sgn).</summary>
    public Tensor Sgn() => Sign();
}
