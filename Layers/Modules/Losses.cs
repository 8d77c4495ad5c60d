using Pade.Engine;

namespace Pade.Layers;

/// <summary>torch.nn.CrossEntropyLoss: <see cref="Tensor.CrossEntropy"/> of logits [N, C, ...] (or [C]) against class
/// indices or class probabilities, with an optional per-class weight buffer, ignore_index and label smoothing.</summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, int ignoreIndex = -100, LossReduction reduction = default,
                                     double labelSmoothing = 0) : WeightedLoss(weight, reduction)
{
    public int IgnoreIndex { get; } = ignoreIndex;
    public double LabelSmoothing { get; } = labelSmoothing;

    public Tensor Forward(Tensor input, Tensor target) =>
        Tensor.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);
}

/// <summary>torch.nn.NLLLoss: <see cref="Tensor.NllLoss"/> of log-probabilities [N, C, ...] against class indices,
/// with an optional per-class weight buffer and ignore_index.</summary>
public sealed class NLLLoss(Tensor? weight = null, int ignoreIndex = -100, LossReduction reduction = default)
    : WeightedLoss(weight, reduction)
{
    public int IgnoreIndex { get; } = ignoreIndex;

    public Tensor Forward(Tensor input, Tensor target) => Tensor.NllLoss(input, target, Weight, IgnoreIndex, Reduction);
}

/// <summary>torch.nn.BCELoss: <see cref="Tensor.BinaryCrossEntropy"/> of probabilities, with an optional
/// weight buffer broadcast against the input.</summary>
public sealed class BCELoss(Tensor? weight = null, LossReduction reduction = default) : WeightedLoss(weight, reduction)
{
    public Tensor Forward(Tensor input, Tensor target) => Tensor.BinaryCrossEntropy(input, target, Weight, Reduction);
}

/// <summary>torch.nn.BCEWithLogitsLoss: <see cref="Tensor.BinaryCrossEntropyWithLogits"/>, with optional buffers
/// "weight" and "pos_weight" (the positive class's weight, broadcast along the last dimension).</summary>
public sealed class BCEWithLogitsLoss : WeightedLoss
{
    public BCEWithLogitsLoss(Tensor? weight = null, LossReduction reduction = default, Tensor? posWeight = null)
        : base(weight, reduction)
    {
        if (posWeight != null) RegisterBuffer("pos_weight", posWeight);
    }

    /// <summary>The positive class's weight (buffer "pos_weight"), or null.</summary>
    public Tensor? PosWeight => GetOptional("pos_weight");

    public Tensor Forward(Tensor input, Tensor target) =>
        Tensor.BinaryCrossEntropyWithLogits(input, target, Weight, PosWeight, Reduction);
}

/// <summary>torch.nn.MSELoss: <see cref="Tensor.MseLoss"/>, (x − y)² reduced.</summary>
public sealed class MSELoss(LossReduction reduction = default) : Loss(reduction)
{
    public Tensor Forward(Tensor input, Tensor target) => Tensor.MseLoss(input, target, Reduction);
}

/// <summary>torch.nn.L1Loss: <see cref="Tensor.L1Loss"/>, |x − y| reduced.</summary>
public sealed class L1Loss(LossReduction reduction = default) : Loss(reduction)
{
    public Tensor Forward(Tensor input, Tensor target) => Tensor.L1Loss(input, target, Reduction);
}

/// <summary>torch.nn.HuberLoss: <see cref="Tensor.HuberLoss"/> with threshold <see cref="Delta"/>.</summary>
public sealed class HuberLoss(LossReduction reduction = default, double delta = 1.0) : Loss(reduction)
{
    public double Delta { get; } = delta;

    public Tensor Forward(Tensor input, Tensor target) => Tensor.HuberLoss(input, target, Reduction, Delta);
}

/// <summary>torch.nn.SmoothL1Loss: <see cref="Tensor.SmoothL1Loss"/> with threshold <see cref="Beta"/>.</summary>
public sealed class SmoothL1Loss(LossReduction reduction = default, double beta = 1.0) : Loss(reduction)
{
    public double Beta { get; } = beta;

    public Tensor Forward(Tensor input, Tensor target) => Tensor.SmoothL1Loss(input, target, Reduction, Beta);
}

/// <summary>torch.nn.KLDivLoss: <see cref="Tensor.KlDiv"/> of log-probabilities against probabilities (or
/// log-probabilities with logTarget); the only loss accepting "batchmean".</summary>
public sealed class KLDivLoss(LossReduction reduction = default, bool logTarget = false) : Loss(reduction, allowBatchMean: true)
{
    public bool LogTarget { get; } = logTarget;

    public Tensor Forward(Tensor input, Tensor target) => Tensor.KlDiv(input, target, Reduction, LogTarget);
}

/// <summary>torch.nn.SoftMarginLoss: <see cref="Tensor.SoftMarginLoss"/>, log(1 + e^(−y·x)) for y ∈ {−1, 1}.</summary>
public sealed class SoftMarginLoss(LossReduction reduction = default) : Loss(reduction)
{
    public Tensor Forward(Tensor input, Tensor target) => Tensor.SoftMarginLoss(input, target, Reduction);
}

/// <summary>torch.nn.MarginRankingLoss: <see cref="Tensor.MarginRankingLoss"/>, max(0, −y·(x1 − x2) + margin),
/// called as <c>Forward(input1, input2, target)</c>.</summary>
public sealed class MarginRankingLoss(double margin = 0, LossReduction reduction = default) : Loss(reduction)
{
    public double Margin { get; } = margin;
    protected override string Signature => "Forward(input1, input2, target)";

    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) =>
        Tensor.MarginRankingLoss(input1, input2, target, Margin, Reduction);
}

/// <summary>torch.nn.HingeEmbeddingLoss: <see cref="Tensor.HingeEmbeddingLoss"/>, x where y = 1 and
/// max(0, margin − x) where y = −1.</summary>
public sealed class HingeEmbeddingLoss(double margin = 1.0, LossReduction reduction = default) : Loss(reduction)
{
    public double Margin { get; } = margin;

    public Tensor Forward(Tensor input, Tensor target) => Tensor.HingeEmbeddingLoss(input, target, Margin, Reduction);
}

/// <summary>torch.nn.CosineEmbeddingLoss: <see cref="Tensor.CosineEmbeddingLoss"/>, 1 − cos(x1, x2) where y = 1
/// and max(0, cos(x1, x2) − margin) where y = −1, called as <c>Forward(input1, input2, target)</c>.</summary>
public sealed class CosineEmbeddingLoss(double margin = 0, LossReduction reduction = default) : Loss(reduction)
{
    public double Margin { get; } = margin;
    protected override string Signature => "Forward(input1, input2, target)";

    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) =>
        Tensor.CosineEmbeddingLoss(input1, input2, target, Margin, Reduction);
}
