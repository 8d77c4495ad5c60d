using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>Cross-entropy with PyTorch's arguments: a fused kernel for the common case, compositions for the rest.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Cross-entropy from logits, PyTorch's <c>F.cross_entropy</c> / <c>nn.CrossEntropyLoss</c>. The input is
    /// [N, C], [C] or [N, C, d1, ...] (classes on axis 1); the target either
    /// <list type="bullet">
    /// <item>int32 class indices of the input's shape without the class axis: per element
    ///   lₙ = -(1-ε) w[tₙ] log pₙ[tₙ] - (ε/C) Σ_c w[c] log pₙ[c], p = softmax over the classes, 0 where
    ///   tₙ = <paramref name="ignoreIndex"/>; the mean divides by Σ w[tₙ] over the elements not ignored;</item>
    /// <item>or float class probabilities q of the input's shape: lₙ = -Σ_c w[c] q'ₙ[c] log pₙ[c] with
    ///   q' = (1-ε) q + ε/C; the mean divides by the number of elements N·d1·…, and q gets a gradient too.</item>
    /// </list>
    /// w = <paramref name="weight"/> [C] (ones when null), ε = <paramref name="labelSmoothing"/>. With class indices,
    /// no weight and no ignored target (the usual classifier) one fused kernel computes the losses and the softmax,
    /// and the backward is dL/dlogits = (p - q)·g with q = (1-ε) onehot(t) + ε/C; otherwise log-softmax is composed
    /// with the weighted sum (<see cref="ClassLayout.WeightedLoss"/>), whose gradient autograd derives.
    /// </summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = -100,
                                      Reduction reduction = Reduction.Mean, double labelSmoothing = 0)
    {
        const string op = "cross_entropy";
        Ops.CheckFloating(op, input);
        if (labelSmoothing is not (>= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{op}: label smoothing {labelSmoothing} is outside [0, 1]");
        int axis = ClassLayout.ClassAxis(op, input);
        if (target.DType.IsFloating())
            return ProbabilityCrossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing, axis);
        var layout = ClassLayout.Of(op, input, target, weight, ignoreIndex);
        var rows = layout.Rows(input);
        return layout.Weight == null && !layout.AnyIgnored
            ? FusedCrossEntropy(rows, layout, labelSmoothing, reduction)
            : layout.WeightedLoss(rows.LogSoftmax(1), labelSmoothing, reduction);
    }

    /// <summary>The fused kernel (<see cref="Backend.CrossEntropy"/>) on rows [M, C] with every target in range.</summary>
    private static Tensor FusedCrossEntropy(Tensor rows, ClassLayout layout, double smoothing, Reduction reduction)
    {
        int m = layout.Targets.Length, c = layout.Classes;
        var x = rows.Contiguous().Detach();
        var targets = layout.TargetRows();
        var losses = Empty([m], x.DType, x.Device);
        var probs = x.EmptyLike();
        x.Backend.CrossEntropy(x, targets, smoothing, losses, probs);
        Tensor loss;
        using (NoGrad()) loss = Reduce(losses, layout.TargetShape, reduction, m);
        return Graph.Record(loss, "cross_entropy", [rows], g =>
        {
            var q = Empty([m, c], x.DType, x.Device);
            x.Backend.OneHot(targets, q, 1 - smoothing + smoothing / c, smoothing / c);
            var d = probs - q;
            return [reduction switch { Reduction.None => d * g.Reshape(m, 1), Reduction.Sum => d * g, _ => d * (g / m) }];
        }, probs, targets);   // the backward reads targets too: an in-place change of them must be caught
    }

    /// <summary>Class-probability targets (PyTorch's cross_entropy_loss_prob_target), composed.</summary>
    private static Tensor ProbabilityCrossEntropy(Tensor input, Tensor target, Tensor? weight, int ignoreIndex, Reduction reduction,
                                                  double smoothing, int axis)
    {
        const string op = "cross_entropy";
        if (!Shapes.SameShape(target._shape, input._shape))
        {
            var indices = input.ShapeCopy().Where((_, i) => i != axis).ToArray();
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target._shape)} holds {target.DType.TorchName()}: class probabilities must have " +
                                        $"the input's shape {Shapes.Format(input._shape)}, class indices must be int32 of shape {Shapes.Format(indices)}");
        }
        Ops.CheckPair(op, input, target);
        if (ignoreIndex >= 0)
            throw new ArgumentException($"{op}: ignore_index ({ignoreIndex}) applies to class indices, not to class-probability targets (PyTorch refuses it too)");
        int c = input._shape[axis];
        var w = ClassLayout.HostWeight(op, weight, input, c);
        var q = smoothing > 0 ? target.MulScalar(1 - smoothing).AddScalar(smoothing / c) : target;
        if (w != null)
        {
            var shape = Enumerable.Repeat(1, input.Rank).ToArray();
            shape[axis] = c;
            q *= FromArray(w, shape).To(input.DType).To(input.Device);
        }
        var perElement = (input.LogSoftmax(axis) * q).Sum(axis).Neg();
        return Reduce(perElement, perElement.ShapeCopy(), reduction, c == 0 ? 0 : input.Numel / c);
    }
}
