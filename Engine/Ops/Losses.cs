using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>Softmax family and losses. Reductions are means over the batch, as PyTorch's defaults.</summary>
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
        Tensor s;
        using (NoGrad()) s = SoftmaxForward(axis, log: false);
        return Graph.Record(s, "softmax", [this], g => [s * (g - (g * s).Sum(axis, keepDim: true))], s);
    }

    /// <summary>lᵢ = xᵢ - max x - log Σⱼ e^(xⱼ - max x). Backward: dx = g - softmax(x) Σ g.</summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        Tensor l;
        using (NoGrad()) l = SoftmaxForward(axis, log: true);
        return Graph.Record(l, "log_softmax", [this], g => [g - l.Exp() * g.Sum(axis, keepDim: true)], l);
    }

    private static void CheckClassTargets(string op, Tensor logits, Tensor targets)
    {
        if (logits.Rank != 2) throw new ArgumentException($"{op}: expects [batch, classes] inputs, got shape {Shapes.Format(logits._shape)}");
        if (targets.DType != DType.Int32) throw new ArgumentException($"{op}: targets must be class indices (int32), got {targets.DType.TorchName()}");
        if (targets.Rank != 1 || targets._shape[0] != logits._shape[0])
            throw new ArgumentException($"{op}: targets of shape {Shapes.Format(targets._shape)} do not match inputs of shape {Shapes.Format(logits._shape)}: expected [{logits._shape[0]}]");
        Ops.CheckSameDevice(op, logits, targets);
    }

    /// <summary>
    /// Fused, numerically stable cross-entropy from logits [N, C] and class indices [N], mean over N:
    /// L = -1/N Σₙ [(1-ε) log pₙ[tₙ] + ε/C Σ_c log pₙ[c]], p = softmax(logits), ε the label smoothing.
    /// dL/dlogits = (p - q)/N with q = (1-ε) onehot(t) + ε/C.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, double labelSmoothing = 0)
    {
        CheckClassTargets("cross_entropy", logits, targets);
        Ops.CheckFloating("cross_entropy", logits);
        if (labelSmoothing is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"cross_entropy: label smoothing {labelSmoothing} is outside [0, 1]");
        int n = logits._shape[0], c = logits._shape[1];
        var x = logits.Contiguous().Detach();
        var losses = Empty([n], x.DType, x.Device);
        var probs = x.EmptyLike();
        x.Backend.CrossEntropy(x, targets, labelSmoothing, losses, probs);
        Tensor loss;
        using (NoGrad()) loss = losses.Mean();
        return Graph.Record(loss, "cross_entropy", [logits], g =>
        {
            var q = Empty([n, c], x.DType, x.Device);
            x.Backend.OneHot(targets, q, 1 - labelSmoothing + labelSmoothing / c, labelSmoothing / c);
            return [(probs - q) * (g / n)];
        }, probs, targets);   // the backward reads targets too: an in-place change of them must be caught
    }

    /// <summary>Negative log-likelihood of log-probabilities [N, C] at class indices [N], mean over N.
    /// dL/dlogp = -onehot(t)/N.</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor targets)
    {
        CheckClassTargets("nll_loss", logProbs, targets);
        int n = logProbs._shape[0];
        var onehot = Empty(logProbs._shape, logProbs.DType, logProbs.Device);
        logProbs.Backend.OneHot(targets, onehot, 1, 0);
        Tensor loss;
        using (NoGrad()) loss = (logProbs * onehot).Sum().MulScalar(-1.0 / n);
        return Graph.Record(loss, "nll_loss", [logProbs], g => [onehot * (g * (-1.0 / n))]);
    }

    /// <summary>Mean squared error: L = mean((a - b)²). dL/da = 2(a - b)/N, dL/db = -dL/da.</summary>
    public static Tensor MseLoss(Tensor a, Tensor b)
    {
        Ops.CheckPair("mse_loss", a, b);
        if (!Shapes.SameShape(a._shape, b._shape))
            throw new ArgumentException($"mse_loss: shapes {Shapes.Format(a._shape)} and {Shapes.Format(b._shape)} differ");
        Tensor diff, loss;
        using (NoGrad()) { diff = a - b; loss = diff.Square().Mean(); }
        long count = Math.Max(a.Numel, 1);
        return Graph.Record(loss, "mse_loss", [a, b], g =>
        {
            var da = diff * (g * (2.0 / count));
            return [da, -da];
        }, a, b);
    }

    /// <summary>Class indices [N] → one-hot rows [N, classes].</summary>
    public static Tensor OneHot(Tensor indices, int classes, DType dtype = DType.Float32)
    {
        if (indices.DType != DType.Int32 || indices.Rank != 1) throw new ArgumentException($"one_hot: expects int32 indices of rank 1, got {indices.DType.TorchName()} {Shapes.Format(indices._shape)}");
        var y = Empty([indices._shape[0], classes], dtype, indices.Device);
        indices.Backend.OneHot(indices, y, 1, 0);
        return y;
    }
}
