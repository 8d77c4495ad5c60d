using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// PyTorch's margin and embedding losses on real-valued targets: soft margin, margin ranking, hinge embedding,
/// cosine embedding and triplet margin (with <see cref="Functional.F.PairwiseDistance"/>). Each is ATen's own composition of
/// differentiable ops, so autograd derives the gradient (PyTorch's too) and every backend runs it without a kernel;
/// max(0, ·) is a clamp at 0 whose gradient passes at the kink itself, as ATen's clamp_min does.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Soft margin loss, PyTorch's <c>F.soft_margin_loss</c>: lᵢ = log(1 + e^(−yᵢxᵢ)) for targets y (±1, though any
    /// value is used as given) that broadcast to the input's shape. dL/dx = −y·e^(−yx)/(1 + e^(−yx))·g. As in
    /// PyTorch, the loss is not differentiable in the target: a target that requires a gradient is refused (while
    /// gradients are recorded).
    /// </summary>
    public static Tensor SoftMarginLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "soft_margin_loss";
        CheckInto(op, input, target, "target");
        if (target.RequiresGrad && GradMode.IsEnabled)
            throw new ArgumentException($"{op}: not differentiable with respect to the target; detach it (PyTorch refuses a target that requires a gradient too)", nameof(target));
        return Reduced((input * target.Detach()).Neg().Exp().Log1p(), reduction);
    }

    /// <summary>
    /// Margin ranking loss, PyTorch's <c>F.margin_ranking_loss</c>: lᵢ = max(0, −yᵢ(x1ᵢ − x2ᵢ) + margin), y = 1 when
    /// x1 should rank higher, −1 when x2 should. The three tensors must have the same number of dimensions (PyTorch's
    /// check) and broadcast against each other.
    /// </summary>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, Reduction reduction = Reduction.Mean)
    {
        const string op = "margin_ranking_loss";
        Ops.CheckFloating(op, input1);
        Ops.CheckPair(op, input1, input2);
        Ops.CheckPair(op, input1, target);
        if (input1.Rank != input2.Rank || input1.Rank != target.Rank)
            throw new ArgumentException($"{op}: all input tensors should have the same number of dimensions, got input1 {Shapes.Format(input1._shape)}, " +
                                        $"input2 {Shapes.Format(input2._shape)} and target {Shapes.Format(target._shape)}");
        Shapes.Broadcast(op, Shapes.Broadcast(op, input1._shape, input2._shape), target._shape);
        return Reduced((target.Neg() * (input1 - input2)).AddScalar(margin).Clamp(0, double.PositiveInfinity), reduction);
    }

    /// <summary>
    /// Hinge embedding loss, PyTorch's <c>F.hinge_embedding_loss</c>: lᵢ = xᵢ where yᵢ = 1, max(0, margin − xᵢ) where
    /// yᵢ = −1 (for x a distance: similar pairs pulled together, dissimilar ones pushed beyond the margin); ATen sums
    /// both terms, so a target that is neither gives x + max(0, margin − x). Input and target broadcast.
    /// </summary>
    public static Tensor HingeEmbeddingLoss(Tensor input, Tensor target, double margin = 1.0, Reduction reduction = Reduction.Mean)
    {
        const string op = "hinge_embedding_loss";
        Ops.CheckFloating(op, input);
        Ops.CheckPair(op, input, target);
        Shapes.Broadcast(op, input._shape, target._shape);
        var zero = input.FullLikeScalar(0);
        var hinge = Where(NotEqual(target, 1), input.Neg().AddScalar(margin).Clamp(0, double.PositiveInfinity), zero);
        return Reduced(hinge + Where(NotEqual(target, -1), input, zero), reduction);
    }

    /// <summary>
    /// Cosine embedding loss, PyTorch's <c>F.cosine_embedding_loss</c>: with ATen's cosine
    /// cos = Σ x1·x2 / √((Σ x1² + ε)(Σ x2² + ε)), ε = 10⁻¹² (a float, as ATen's EPSILON), over the last axis,
    /// lₙ = 1 − cos where yₙ = 1, max(0, cos − margin) where yₙ = −1, 0 for other targets. Inputs [N, D] with target
    /// [N], or unbatched [D] with a 0-d target (PyTorch's rule); the inputs broadcast against each other.
    /// </summary>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, Reduction reduction = Reduction.Mean)
    {
        const string op = "cosine_embedding_loss";
        Ops.CheckFloating(op, input1);
        Ops.CheckPair(op, input1, input2);
        Ops.CheckPair(op, input1, target);
        int axis = target.Rank;
        if (axis > 1) throw new ArgumentException($"{op}: expects a 0-d or 1-d target, got {Shapes.Format(target._shape)} (multi-target is not supported)");
        if (input1.Rank != axis + 1)
            throw new ArgumentException($"{op}: a {axis}-d target {Shapes.Format(target._shape)} expects {axis + 1}-d inputs, got inputs of shapes " +
                                        $"{Shapes.Format(input1._shape)} and {Shapes.Format(input2._shape)}");
        var pairShape = Shapes.Broadcast(op, input1._shape, input2._shape);
        if (!Shapes.SameShape(Shapes.Broadcast(op, pairShape[..^1], target._shape), pairShape[..^1]))
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target._shape)} does not match the inputs {Shapes.Format(input1._shape)} and {Shapes.Format(input2._shape)}");
        const double eps = 1e-12f;
        var dot = (input1 * input2).Sum(axis);
        var norms = ((input1 * input1).Sum(axis).AddScalar(eps) * (input2 * input2).Sum(axis).AddScalar(eps)).Sqrt();
        var cos = dot / norms;
        var zero = cos.FullLikeScalar(0);
        var pos = Where(Equal(target, 1), cos.Neg().AddScalar(1), zero);
        var neg = Where(Equal(target, -1), cos.AddScalar(-margin).Clamp(0, double.PositiveInfinity), zero);
        return Reduced(pos + neg, reduction);
    }

    /// <summary>torch.pairwise_distance: <see cref="Functional.F.PairwiseDistance"/>, ‖x1 − x2 + eps‖_p over the
    /// innermost dim (the triplet loss's distance).</summary>
    public static Tensor PairwiseDistance(Tensor x1, Tensor x2, double p = 2, double eps = 1e-6, bool keepDim = false) =>
        Functional.F.PairwiseDistance(x1, x2, p, eps, keepDim);

    /// <summary>
    /// Triplet margin loss, PyTorch's <c>F.triplet_margin_loss</c>: lᵢ = max(0, margin + d(aᵢ, pᵢ) − d(aᵢ, nᵢ)) with
    /// d the <see cref="PairwiseDistance"/> ‖a − b + eps‖_p over the last axis; with <paramref name="swap"/>, d(a, n)
    /// is replaced by min(d(a, n), d(p, n)) (Balntas et al.'s distance swap). The three tensors must have the same
    /// number of dimensions ([N, D], or unbatched [D]) and broadcast against each other.
    /// </summary>
    public static Tensor TripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0, double p = 2,
                                           double eps = 1e-6, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        const string op = "triplet_margin_loss";
        if (anchor.Rank != positive.Rank || positive.Rank != negative.Rank)
            throw new ArgumentException($"{op}: the anchor, positive and negative tensors must have the same number of dimensions, got anchor " +
                                        $"{Shapes.Format(anchor._shape)}, positive {Shapes.Format(positive._shape)} and negative {Shapes.Format(negative._shape)}");
        Ops.CheckPair(op, anchor, positive);
        Ops.CheckPair(op, anchor, negative);
        var dPos = PairwiseDistance(anchor, positive, p, eps);
        var dNeg = PairwiseDistance(anchor, negative, p, eps);
        if (swap) dNeg = Minimum(dNeg, PairwiseDistance(positive, negative, p, eps));
        return Reduced((dPos - dNeg).AddScalar(margin).Clamp(0, double.PositiveInfinity), reduction);
    }

    /// <summary>1 where x = v, else 0 (no gradient).</summary>
    private static Tensor Equal(Tensor x, double v) => Compare(BinaryOp.Equal, x, x.FullLikeScalar(v));

    /// <summary>1 where x ≠ v (NaN included), else 0 (no gradient).</summary>
    private static Tensor NotEqual(Tensor x, double v) => Equal(x, v).Neg().AddScalar(1);

    /// <summary>A floating <paramref name="input"/> and an operand of its dtype and device that broadcasts to its shape
    /// (PyTorch writes the loss into a tensor of the input's shape).</summary>
    private static void CheckInto(string op, Tensor input, Tensor other, string name)
    {
        Ops.CheckFloating(op, input);
        Ops.CheckPair(op, input, other);
        if (!Shapes.SameShape(Shapes.Broadcast(op, other._shape, input._shape), input._shape))
            throw new ArgumentException($"{op}: {name} of shape {Shapes.Format(other._shape)} does not broadcast to the input's shape {Shapes.Format(input._shape)}");
    }
}
