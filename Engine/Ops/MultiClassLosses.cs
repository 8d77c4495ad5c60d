using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// PyTorch's multi-class margin losses and the multi-label soft margin loss. The class-index targets are int32 (as
/// in <see cref="NllLoss"/>), read back to the host and checked there (a kernel cannot throw); the losses are then
/// composed from differentiable ops with constant masks built from the targets, so they run on every backend. The
/// hinges are <see cref="Relu"/>s: ATen's backward counts a term only where z &gt; 0, so the gradient at the kink
/// z = 0 is 0, as relu's.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Multi-class margin loss, PyTorch's <c>F.multi_margin_loss</c>: for input x [N, C] (or [C]) and int32 class
    /// indices y [N] (or []), lₙ = Σ_{i≠yₙ} w[yₙ]·max(0, margin − xₙ[yₙ] + xₙ[i])^p / C, p ∈ {1, 2},
    /// w = <paramref name="weight"/> [C] (ones without it; it takes no gradient, as in PyTorch). 'none' gives [N]
    /// ([] for a 0-d target); the mean is over N. A batch of 0 rows is allowed (its mean is NaN); C must not be 0.
    /// </summary>
    public static Tensor MultiMarginLoss(Tensor input, Tensor target, int p = 1, double margin = 1.0, Tensor? weight = null,
                                         Reduction reduction = Reduction.Mean)
    {
        const string op = "multi_margin_loss";
        if (p is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(p), $"{op}: only p = 1 and p = 2 are supported, got {p}");
        var (rows, classes) = MarginRows(op, input);
        int n = rows._shape[0];
        if (target.DType != DType.Int32 || target.Rank > 1 || target.Numel != n)
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target._shape)} ({target.DType.TorchName()}) does not match input of shape " +
                                        $"{Shapes.Format(input._shape)}: expected int32 class indices of shape {(input.Rank == 2 ? $"[{n}]" : "[] or [1]")}");
        Ops.CheckSameDevice(op, input, target);
        var w = ClassLayout.HostWeight(op, weight, input, classes);
        var t = target.ToArray<int>();
        CheckClasses(op, t, classes, allowPadding: false);
        // Constants from the targets: 0 at i = yₙ (that term is left out), else 1; and w[yₙ]/C.
        var others = new double[n * classes];
        Array.Fill(others, 1.0);
        var scale = new double[n];
        for (int r = 0; r < n; r++)
        {
            others[r * classes + t[r]] = 0;
            scale[r] = (w?[t[r]] ?? 1) / classes;
        }
        var picked = rows.Gather(1, FromArray(t, n, 1).To(input.Device));   // xₙ[yₙ], [N, 1]
        var hinge = (rows - picked).AddScalar(margin).Relu();
        if (p == 2) hinge = hinge.Square();
        var perRow = (hinge * Constant(others, [n, classes], input)).Sum(1) * Constant(scale, [n], input);
        return Reduced(target.Rank == 0 ? perRow.Reshape() : perRow, reduction);
    }

    /// <summary>
    /// Multi-label margin loss, PyTorch's <c>F.multilabel_margin_loss</c>: for input x [N, C] (or [C]) and int32
    /// targets y of the same shape, each row holding class indices up to the first −1 (the rest ignored),
    /// lₙ = Σ_{j} Σ_{i ∉ yₙ} max(0, 1 − (xₙ[yₙⱼ] − xₙ[i])) / C over the listed yₙⱼ (a class listed twice counts
    /// twice, as in ATen). Targets must lie in [−1, C). 'none' gives [N] for a 2-d input and [] for an unbatched one.
    /// </summary>
    public static Tensor MultiLabelMarginLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "multilabel_margin_loss";
        var (rows, classes) = MarginRows(op, input);
        int n = rows._shape[0];
        bool shapeOk = input.Rank == 2 ? Shapes.SameShape(target._shape, input._shape) : target.Rank <= 1 && target.Numel == classes;
        if (target.DType != DType.Int32 || !shapeOk)
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target._shape)} ({target.DType.TorchName()}) does not match input of shape " +
                                        $"{Shapes.Format(input._shape)}: expected int32 class indices of the input's shape");
        Ops.CheckSameDevice(op, input, target);
        var t = target.ToArray<int>();
        CheckClasses(op, t, classes, allowPadding: true);
        // K[n, j, i] = (times class j is listed in row n) · (i is not listed): the pairs (target j, non-target i).
        var pairs = new double[n * classes * classes];
        var listed = new double[classes];
        var isTarget = new bool[classes];
        for (int r = 0; r < n; r++)
        {
            Array.Clear(listed);
            Array.Clear(isTarget);
            for (int k = 0; k < classes && t[r * classes + k] >= 0; k++)
            {
                listed[t[r * classes + k]]++;
                isTarget[t[r * classes + k]] = true;
            }
            for (int j = 0; j < classes; j++)
                for (int i = 0; i < classes && listed[j] > 0; i++)
                    if (!isTarget[i]) pairs[(r * classes + j) * classes + i] = listed[j];
        }
        var z = (rows.Unsqueeze(1) - rows.Unsqueeze(2)).AddScalar(1);   // z[n, j, i] = 1 − x[j] + x[i]
        var perRow = (z.Relu() * Constant(pairs, [n, classes, classes], input)).Sum([1, 2]).MulScalar(1.0 / classes);
        return Reduced(input.Rank == 2 ? perRow : perRow.Reshape(), reduction);
    }

    /// <summary>
    /// Multi-label soft margin loss, PyTorch's <c>F.multilabel_soft_margin_loss</c>: for logits x [N, C] (or [C], or
    /// [N, d, C]: classes on the last axis) and targets y ∈ [0, 1] broadcasting to x's shape,
    /// lₙ = −Σ_c w[c]·(y log σ(x) + (1 − y) log σ(−x)) / C, a sum over the last axis; w = <paramref name="weight"/>
    /// broadcasts to x's shape. Composed as PyTorch's Python is, so the target and the weight take gradients too.
    /// </summary>
    public static Tensor MultiLabelSoftMarginLoss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "multilabel_soft_margin_loss";
        Ops.CheckFloating(op, input);
        if (input.Rank == 0) throw new ArgumentException($"{op}: expects an input with a class axis ([C] or [N, C]), got a scalar");
        Ops.CheckPair(op, input, target);
        var shape = Shapes.Broadcast(op, input._shape, target._shape);
        if (weight != null)
        {
            Ops.CheckPair(op, input, weight);
            shape = Shapes.Broadcast(op, shape, weight._shape);
        }
        var loss = (target * input.LogSigmoid() + (1.0 - target) * input.Neg().LogSigmoid()).Neg();
        if (weight != null) loss *= weight;
        return Reduced(loss.Sum(-1).MulScalar(1.0 / input._shape[^1]), reduction);
    }

    /// <summary>The input of a multi-class margin loss as rows [N, C]: [N, C], or [C] as one row, or a 0-d input as
    /// one class; C = 0 is refused (PyTorch's "non-empty vector or matrix").</summary>
    private static (Tensor Rows, int Classes) MarginRows(string op, Tensor input)
    {
        Ops.CheckFloating(op, input);
        if (input.Rank > 2 || input.Rank >= 1 && input._shape[^1] == 0)
            throw new ArgumentException($"{op}: expects a non-empty vector [C] or matrix [N, C] (N may be 0), got input of shape {Shapes.Format(input._shape)}");
        var rows = input.Rank == 2 ? input : input.Reshape(1, input.Rank == 0 ? 1 : input._shape[0]);
        return (rows, rows._shape[1]);
    }

    /// <summary>Every class index in [0, C), or −1 (padding) where allowed, as PyTorch checks them.</summary>
    private static void CheckClasses(string op, int[] t, int classes, bool allowPadding)
    {
        int lo = allowPadding ? -1 : 0;
        for (int i = 0; i < t.Length; i++)
            if (t[i] < lo || t[i] >= classes)
                throw new ArgumentOutOfRangeException("target", $"{op}: target {t[i]} at flat index {i} is out of range: expected a class in [{lo}, {classes})");
    }

    /// <summary>Host values as a constant of <paramref name="like"/>'s dtype and device.</summary>
    private static Tensor Constant(double[] values, int[] shape, Tensor like) => FromSpan<double>(values, shape).To(like.DType).To(like.Device);
}
