using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>torch's sin, cos, rsqrt, erf and roundings: one backend kernel each, closed-form backward.</summary>
public sealed partial class Tensor
{
    private const double TwoOverSqrtPi = 1.1283791670955126;   // 2/√π, erf's slope at 0

    /// <summary>y = sin x (torch.sin). dy/dx = cos x.</summary>
    public Tensor Sin() => Graph.Record(UnaryForward(UnaryOp.Sin), "sin", [this], g => [g * Cos()], this);

    /// <summary>y = cos x (torch.cos). dy/dx = −sin x.</summary>
    public Tensor Cos() => Graph.Record(UnaryForward(UnaryOp.Cos), "cos", [this], g => [-(g * Sin())], this);

    /// <summary>y = 1/√x (torch.rsqrt). dy/dx = −½ x^(−3/2) = −½ y³, from y as PyTorch's backward.</summary>
    public Tensor Rsqrt()
    {
        var y = UnaryForward(UnaryOp.Rsqrt);
        return Graph.Record(y, "rsqrt", [this], g => [(g * y * y.Square()).MulScalar(-0.5)], y);
    }

    /// <summary>y = erf x = (2/√π) ∫₀ˣ e^(−t²) dt (torch.erf). dy/dx = (2/√π) e^(−x²).</summary>
    public Tensor Erf() => Graph.Record(UnaryForward(UnaryOp.Erf), "erf", [this], g => [g * Square().Neg().Exp().MulScalar(TwoOverSqrtPi)], this);

    /// <summary>The largest integer ≤ x (torch.floor). Its gradient is 0, as PyTorch's.</summary>
    public Tensor Floor() => Rounding(UnaryOp.Floor);

    /// <summary>The smallest integer ≥ x (torch.ceil). Gradient 0.</summary>
    public Tensor Ceil() => Rounding(UnaryOp.Ceil);

    /// <summary>The nearest integer, halves to even: round(0.5) = 0, round(1.5) = 2, round(−2.5) = −2 (torch.round).
    /// Gradient 0.</summary>
    public Tensor Round() => Rounding(UnaryOp.Round);

    /// <summary>x rounded toward zero (torch.trunc). Gradient 0.</summary>
    public Tensor Trunc() => Rounding(UnaryOp.Trunc);

    /// <summary>A piecewise-constant op: PyTorch's backward is zeros_like(grad) (int32 stays int32, see IntegerUnary).</summary>
    private Tensor Rounding(UnaryOp op) =>
        Graph.Record(UnaryForward(op), op.ToString().ToLowerInvariant(), [this], g => [g.ZerosLike()]);
}
