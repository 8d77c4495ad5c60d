using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>How a loss reduces its per-element values: PyTorch's <c>reduction</c> argument ('none', 'mean', 'sum').</summary>
public enum Reduction
{
    /// <summary>The per-element losses, in the target's shape.</summary>
    None,

    /// <summary>Their mean (for class-index losses with weights or ignored targets, PyTorch's weighted mean).</summary>
    Mean,

    /// <summary>Their sum.</summary>
    Sum,

    /// <summary>Their sum divided by the batch size (the input's first dimension): PyTorch's 'batchmean', the
    /// mathematically correct KL divergence per sample. Only <see cref="Tensor.KlDiv"/> accepts it; every other loss
    /// refuses it, as PyTorch does.</summary>
    BatchMean,
}

/// <summary>Softmax family and losses, with PyTorch's arguments and defaults (reduction mean).</summary>
public sealed partial class Tensor
{
    private Tensor SoftmaxForward(int axis, bool log)
    {
        Ops.CheckFloating(log ? "log_softmax" : "softmax", this);
        int a = Shapes.NormalizeAxis(log ? "log_softmax" : "softmax", axis, Rank);
        // The kernel works on the last axis; other axes are moved there and back.
        var x = a == Rank - 1 ? Contiguous() : Transpose(a, -1).Contiguous();
        var y = x.EmptyLike();
        Backend.Softmax(x.Detach(), y, log);
        return a == Rank - 1 ? y : y.Transpose(a, -1).Contiguous();
    }

    /// <summary>sᵢ = e^(xᵢ - max x) / Σⱼ e^(xⱼ - max x). Backward: dx = s ⊙ (g - Σ g ⊙ s).</summary>
    public Tensor Softmax(int axis = -1)
    {
        if (Shapes.IsScalarAxis(axis, Rank)) return Reshape(1).Softmax(0).Reshape();
        Tensor s;
        using (NoGrad()) s = SoftmaxForward(axis, log: false);
        return Graph.Record(s, "softmax", [this], g => [s * (g - (g * s).Sum(axis, keepDim: true))], s);
    }

    /// <summary>lᵢ = xᵢ - max x - log Σⱼ e^(xⱼ - max x). Backward: dx = g - softmax(x) Σ g.</summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        if (Shapes.IsScalarAxis(axis, Rank)) return Reshape(1).LogSoftmax(0).Reshape();
        Tensor l;
        using (NoGrad()) l = SoftmaxForward(axis, log: true);
        return Graph.Record(l, "log_softmax", [this], g => [g - l.Exp() * g.Sum(axis, keepDim: true)], l);
    }

    /// <summary>
    /// Negative log-likelihood, PyTorch's <c>F.nll_loss</c>: log-probabilities <paramref name="input"/> [N, C] (or
    /// [C], or [N, C, d1, ...] with the classes on axis 1) at int32 class indices <paramref name="target"/> [N] (or
    /// [], or [N, d1, ...]). Per element lₙ = -w[tₙ] xₙ[tₙ], and 0 where tₙ = <paramref name="ignoreIndex"/>;
    /// w = <paramref name="weight"/> [C] or ones. Mean: Σ lₙ / Σ w[tₙ] over the elements not ignored (NaN when
    /// all are ignored, as in PyTorch). dL/dxₙ[c] = -w[tₙ]·[c = tₙ] times the reduction's factor.
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        const string op = "nll_loss";
        Ops.CheckFloating(op, input);
        var layout = ClassLayout.Of(op, input, target, weight, ignoreIndex);
        return layout.WeightedLoss(layout.Rows(input), 0, reduction);
    }

    /// <summary>
    /// Mean squared error, PyTorch's <c>F.mse_loss</c>: lᵢ = (aᵢ - bᵢ)², reduced by <paramref name="reduction"/>
    /// (the mean of no elements is NaN, as in PyTorch). Shapes that differ broadcast against each other, as PyTorch
    /// does (with a warning there: usually a mistake such as [N, 1] against [N]), and the mean is over the broadcast
    /// shape. dL/da = 2(a - b)·g (g/N for the mean), dL/db = -dL/da, each summed back to its operand's shape.
    /// </summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        DifferenceLoss("mse_loss", input, target, reduction, d => d.Square(), d => d.MulScalar(2));

    /// <summary>A sum divided by a count, NaN for no elements (PyTorch's mean of an empty loss).</summary>
    private static Tensor MeanOf(Tensor sum, double count) => sum.MulScalar(1.0 / count);

    /// <summary>Per-element losses reduced as PyTorch does, the mean dividing by <paramref name="count"/> (a number of
    /// elements, or a total weight); a mean over nothing is NaN with a zero gradient (PyTorch's nll_loss backward).</summary>
    internal static Tensor Reduce(Tensor perElement, int[] shape, Reduction reduction, double count) => reduction switch
    {
        Reduction.BatchMean => throw BatchMeanRefused(),
        Reduction.None => perElement.Reshape(shape),
        Reduction.Sum => perElement.Sum(),
        _ when count == 0 => perElement.Sum().MulScalar(0).AddScalar(double.NaN),
        _ => MeanOf(perElement.Sum(), count),
    };

    /// <summary>PyTorch's error for 'batchmean' given to a loss other than kl_div.</summary>
    internal static ArgumentException BatchMeanRefused() =>
        new("reduction BatchMean ('batchmean') is only valid for kl_div: use None, Mean or Sum", "reduction");

    /// <summary>Class indices [N] → one-hot rows [N, classes].</summary>
    public static Tensor OneHot(Tensor indices, int classes, DType dtype = DType.Float32)
    {
        if (indices.DType != DType.Int32 || indices.Rank != 1) throw new ArgumentException($"one_hot: expects int32 indices of rank 1, got {indices.DType.TorchName()} {Shapes.Format(indices._shape)}");
        var y = Empty([indices._shape[0], classes], dtype, indices.Device);
        indices.Backend.OneHot(indices, y, 1, 0);
        return y;
    }
}
