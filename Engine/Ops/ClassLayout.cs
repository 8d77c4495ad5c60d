namespace Pade.Engine;

/// <summary>
/// The operands of a class-index loss (cross-entropy, NLL) in one layout: the input [N, C, d1, ...] (or [C]) seen
/// as rows [M, C] with the classes last, one row per target; the targets read back to the host and checked there
/// (each in [0, C) or equal to the ignore index: a kernel cannot throw, and the weighted mean needs Σ w[t] anyway);
/// the class weights on the host.
/// </summary>
internal sealed class ClassLayout
{
    private ClassLayout(string op, int classes, int[] targets, int[] targetShape, Tensor target, double[]? weight, int ignoreIndex)
    {
        Op = op; Classes = classes; Targets = targets; TargetShape = targetShape; Target = target; Weight = weight; IgnoreIndex = ignoreIndex;
    }

    public string Op { get; }
    public int Classes { get; }

    /// <summary>The targets in row order (the row-major order of the target tensor).</summary>
    public int[] Targets { get; }

    /// <summary>The target's shape: the shape of the unreduced loss.</summary>
    public int[] TargetShape { get; }

    /// <summary>The target tensor as given (int32, on the input's device).</summary>
    public Tensor Target { get; }

    public double[]? Weight { get; }
    public int IgnoreIndex { get; }

    public bool AnyIgnored => Array.IndexOf(Targets, IgnoreIndex) >= 0;

    /// <summary>The class axis of an input: 0 for an unbatched [C], else 1.</summary>
    public static int ClassAxis(string op, Tensor input) => input.Rank switch
    {
        0 => throw new ArgumentException($"{op}: expects an input of shape [C], [N, C] or [N, C, d1, ...], got a scalar"),
        1 => 0,
        _ => 1,
    };

    /// <summary>Checks class-index targets against <paramref name="input"/> and reads them (and the weights).</summary>
    public static ClassLayout Of(string op, Tensor input, Tensor target, Tensor? weight, int ignoreIndex)
    {
        int axis = ClassAxis(op, input);
        int classes = input.Shape[axis];
        var expected = input.ShapeCopy().Where((_, i) => i != axis).ToArray();
        if (target.DType != DType.Int32)
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target.Shape)} holds {target.DType.TorchName()}: class indices must be int32 " +
                                        $"of shape {Shapes.Format(expected)} for input of shape {Shapes.Format(input.Shape)}");
        if (!Shapes.SameShape(target.Shape, expected))
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target.Shape)} does not match input of shape {Shapes.Format(input.Shape)}: " +
                                        $"expected {Shapes.Format(expected)}");
        Ops.CheckSameDevice(op, input, target);
        var t = target.ToArray<int>();
        for (int i = 0; i < t.Length; i++)
            if (t[i] != ignoreIndex && (uint)t[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(target),
                    $"{op}: target {t[i]}{Position(i, expected)} is outside [0, {classes}) and is not ignore_index ({ignoreIndex})");
        return new ClassLayout(op, classes, t, expected, target, HostWeight(op, weight, input, classes), ignoreIndex);
    }

    /// <summary>The class weights on the host, after checking they are C floats on the input's device.</summary>
    public static double[]? HostWeight(string op, Tensor? weight, Tensor input, int classes)
    {
        if (weight == null) return null;
        if (!weight.DType.IsFloating() || weight.Rank != 1 || weight.Shape[0] != classes)
            throw new ArgumentException($"{op}: weight of shape {Shapes.Format(weight.Shape)} ({weight.DType.TorchName()}) does not match the {classes} classes " +
                                        $"of input of shape {Shapes.Format(input.Shape)}: expected a floating tensor of shape [{classes}]");
        Ops.CheckSameDevice(op, input, weight);
        return weight.ToArray<double>();
    }

    /// <summary>" at row 3" for a batch of targets, " at [1, 0, 2]" for a spatial one.</summary>
    private static string Position(int i, int[] shape)
    {
        if (shape.Length == 0) return "";
        if (shape.Length == 1) return $" at row {i}";
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { index[d] = i % shape[d]; i /= shape[d]; }
        return $" at {Shapes.Format(index)}";
    }

    /// <summary>The input as rows [M, C] (a view where it can be; autograd maps the gradient back).</summary>
    public Tensor Rows(Tensor input)
    {
        if (input.Rank == 1) return input.Unsqueeze(0);
        if (input.Rank == 2) return input;
        var toLast = new int[input.Rank];
        for (int d = 0; d < toLast.Length; d++) toLast[d] = d == 0 ? 0 : d == toLast.Length - 1 ? 1 : d + 1;
        return input.Permute(toLast).Reshape(Targets.Length, Classes);
    }

    /// <summary>The targets as int32 indices [M] on the device, for the fused kernel.</summary>
    public Tensor TargetRows() => Target.Reshape(Targets.Length);

    /// <summary>
    /// The loss from log-probability rows [M, C], composed from autograd ops (PyTorch's cross_entropy with label
    /// smoothing, at ε = 0 its nll_loss): lₘ = -Σ_c Kₘ[c] log pₘ[c] with the constant coefficients
    ///   Kₘ[c] = (1-ε) w[tₘ] [c = tₘ] + (ε/C) w[c]     (0 for an ignored row),
    /// so the NLL part and the smoothing part are both weighted, and the mean divides both by Σ w[tₘ] over the
    /// rows not ignored.
    /// </summary>
    public Tensor WeightedLoss(Tensor logp, double smoothing, Reduction reduction)
    {
        int m = Targets.Length, c = Classes;
        var safe = new int[m];
        double[] rowWeight = new double[m], kept = new double[m];
        double total = 0;
        for (int i = 0; i < m; i++)
        {
            if (Targets[i] == IgnoreIndex) continue;   // safe index 0 with weight 0: the row contributes nothing
            safe[i] = Targets[i];
            kept[i] = 1;
            rowWeight[i] = Weight?[Targets[i]] ?? 1;
            total += rowWeight[i];
        }
        Tensor Const(double[] v, params int[] shape) => Tensor.FromArray(v, shape).To(logp.DType).To(logp.Device);
        var onehot = Tensor.Empty([m, c], logp.DType, logp.Device);
        if (onehot.Numel > 0) logp.Backend.OneHot(Tensor.FromArray(safe, m).To(logp.Device), onehot, 1, 0);
        var coef = onehot * Const(rowWeight.Select(w => (1 - smoothing) * w).ToArray(), m, 1);
        if (smoothing > 0)
            coef += Const(kept, m, 1) * Const(Weight ?? Enumerable.Repeat(1.0, c).ToArray(), 1, c).MulScalar(smoothing / c);
        return Tensor.Reduce((logp * coef).Sum(1).Neg(), TargetShape, reduction, total);
    }
}
