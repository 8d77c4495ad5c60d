using Pade.Engine;

namespace Pade.Layers;

/// <summary>torch.nn.MultiMarginLoss: <see cref="Tensor.MultiMarginLoss"/>, the multi-class hinge loss with
/// exponent p (1 or 2, checked at construction as PyTorch does) and an optional per-class weight buffer.</summary>
public sealed class MultiMarginLoss : WeightedLoss
{
    public MultiMarginLoss(int p = 1, double margin = 1.0, Tensor? weight = null, LossReduction reduction = default)
        : base(weight, reduction)
    {
        if (p is not (1 or 2)) throw new ArgumentException("MultiMarginLoss: only p == 1 and p == 2 supported", nameof(p));
        if (weight != null && weight.Rank != 1)
            throw new ArgumentException($"MultiMarginLoss: weight must be 1-D, got {Shapes.Format(weight.Shape)}", nameof(weight));
        P = p;
        Margin = margin;
    }

    public int P { get; }
    public double Margin { get; }

    public Tensor Forward(Tensor input, Tensor target) => Tensor.MultiMarginLoss(input, target, P, Margin, Weight, Reduction);
}

/// <summary>torch.nn.MultiLabelMarginLoss: <see cref="Tensor.MultiLabelMarginLoss"/>, the multi-label hinge loss
/// with targets of class indices padded by −1.</summary>
public sealed class MultiLabelMarginLoss(LossReduction reduction = default) : Loss(reduction)
{
    public Tensor Forward(Tensor input, Tensor target) => Tensor.MultiLabelMarginLoss(input, target, Reduction);
}

/// <summary>torch.nn.MultiLabelSoftMarginLoss: <see cref="Tensor.MultiLabelSoftMarginLoss"/>, the per-class logistic
/// loss averaged over classes, with an optional per-class weight buffer.</summary>
public sealed class MultiLabelSoftMarginLoss(Tensor? weight = null, LossReduction reduction = default)
    : WeightedLoss(weight, reduction)
{
    public Tensor Forward(Tensor input, Tensor target) => Tensor.MultiLabelSoftMarginLoss(input, target, Weight, Reduction);
}

/// <summary>torch.nn.TripletMarginLoss: <see cref="Tensor.TripletMarginLoss"/>, max(d(a, p) − d(a, n) + margin, 0)
/// with the p-norm distance, called as <c>Forward(anchor, positive, negative)</c>.</summary>
public sealed class TripletMarginLoss(double margin = 1.0, double p = 2, double eps = 1e-6, bool swap = false,
                                      LossReduction reduction = default) : Loss(reduction)
{
    public double Margin { get; } = margin;
    public double P { get; } = p;
    public double Eps { get; } = eps;
    public bool Swap { get; } = swap;
    protected override string Signature => "Forward(anchor, positive, negative)";

    public Tensor Forward(Tensor anchor, Tensor positive, Tensor negative) =>
        Tensor.TripletMarginLoss(anchor, positive, negative, Margin, P, Eps, Swap, Reduction);
}

/// <summary>torch.nn.PoissonNLLLoss: <see cref="Tensor.PoissonNllLoss"/>, e^x − y·x (logInput) or x − y·log(x + eps),
/// plus Stirling's term with full.</summary>
public sealed class PoissonNLLLoss(bool logInput = true, bool full = false, double eps = 1e-8, LossReduction reduction = default)
    : Loss(reduction)
{
    public bool LogInput { get; } = logInput;
    public bool Full { get; } = full;
    public double Eps { get; } = eps;

    public Tensor Forward(Tensor input, Tensor target) => Tensor.PoissonNllLoss(input, target, LogInput, Full, Eps, Reduction);
}

/// <summary>torch.nn.GaussianNLLLoss: <see cref="Tensor.GaussianNllLoss(Tensor, Tensor, Tensor, bool, double, Reduction)"/>,
/// ½(log var + (x − y)² / var), called as <c>Forward(input, target, var)</c> with var a tensor or a number.</summary>
public sealed class GaussianNLLLoss(bool full = false, double eps = 1e-6, LossReduction reduction = default) : Loss(reduction)
{
    public bool Full { get; } = full;
    public double Eps { get; } = eps;
    protected override string Signature => "Forward(input, target, var)";

    public Tensor Forward(Tensor input, Tensor target, Tensor var) => Tensor.GaussianNllLoss(input, target, var, Full, Eps, Reduction);

    public Tensor Forward(Tensor input, Tensor target, double var) => Tensor.GaussianNllLoss(input, target, var, Full, Eps, Reduction);
}

/// <summary>torch.nn.CTCLoss: <see cref="Tensor.CtcLoss(Tensor, Tensor, Tensor, Tensor, int, Reduction, bool)"/>,
/// the connectionist temporal classification loss, called as
/// <c>Forward(logProbs, targets, inputLengths, targetLengths)</c>.</summary>
public sealed class CTCLoss : Loss
{
    public CTCLoss(int blank = 0, LossReduction reduction = default, bool zeroInfinity = false) : base(reduction)
    {
        if (blank < 0) throw new ArgumentOutOfRangeException(nameof(blank), $"CTCLoss: blank must be non-negative, got {blank}");
        Blank = blank;
        ZeroInfinity = zeroInfinity;
    }

    public int Blank { get; }
    public bool ZeroInfinity { get; }
    protected override string Signature => "Forward(logProbs, targets, inputLengths, targetLengths)";

    public Tensor Forward(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) =>
        Tensor.CtcLoss(logProbs, targets, inputLengths, targetLengths, Blank, Reduction, ZeroInfinity);

    public Tensor Forward(Tensor logProbs, Tensor targets, int[] inputLengths, int[] targetLengths) =>
        Tensor.CtcLoss(logProbs, targets, inputLengths, targetLengths, Blank, Reduction, ZeroInfinity);
}
