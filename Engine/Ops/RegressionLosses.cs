using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// PyTorch's elementwise losses besides MSE: L1, smooth L1, Huber, binary cross-entropy on probabilities and on
/// logits, with PyTorch's arguments and defaults (reduction mean). Each is composed from existing ops under
/// <see cref="NoGrad"/> and records one node with its closed-form gradient, so it runs on every backend without a
/// kernel of its own. Like <see cref="MseLoss"/>, the operands must share dtype and device.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Mean absolute error, PyTorch's <c>F.l1_loss</c>: lᵢ = |aᵢ − bᵢ|, reduced by <paramref name="reduction"/>
    /// (the mean of no elements is NaN). Shapes broadcast against each other as in <see cref="MseLoss"/>.
    /// dL/da = sign(a − b)·g (0 where a = b, PyTorch's subgradient), dL/db = −dL/da, each summed back to its
    /// operand's shape.
    /// </summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        DifferenceLoss("l1_loss", input, target, reduction, d => d.Abs(), d => d.Sign());

    /// <summary>
    /// Smooth L1, PyTorch's <c>F.smooth_l1_loss</c>: with d = a − b,
    /// lᵢ = ½d²/β where |d| &lt; β, else |d| − ½β: quadratic near zero, L1 beyond (Girshick's Fast R-CNN loss).
    /// β ≥ 0; β = 0 is exactly <see cref="L1Loss"/> (PyTorch switches to it too, rather than dividing by zero).
    /// dL/da = clamp(d/β, −1, 1)·g, which is d/β inside and sign(d) outside; dL/db = −dL/da. Shapes broadcast as in
    /// <see cref="MseLoss"/>.
    /// </summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        const string op = "smooth_l1_loss";
        if (!(beta >= 0)) throw new ArgumentException($"{op}: beta must be non-negative, got {beta}");
        if (beta == 0) return DifferenceLoss(op, input, target, reduction, d => d.Abs(), d => d.Sign());
        return DifferenceLoss(op, input, target, reduction,
            d =>
            {
                var z = d.Abs();
                return Where(z.Lt(beta), d.Square().MulScalar(0.5 / beta), z.AddScalar(-0.5 * beta));
            },
            d => d.MulScalar(1 / beta).Clamp(-1, 1));
    }

    /// <summary>
    /// Huber loss, PyTorch's <c>F.huber_loss</c>: with d = a − b and z = |d|, lᵢ = ½d² where z &lt; δ, else
    /// δ(z − ½δ). It is δ times smooth L1 with β = δ, so its gradient outside is δ·sign(d) rather than sign(d).
    /// δ &gt; 0. dL/da = clamp(d, −δ, δ)·g, dL/db = −dL/da. Shapes broadcast as in <see cref="MseLoss"/>.
    /// </summary>
    public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
    {
        const string op = "huber_loss";
        if (!(delta > 0)) throw new ArgumentException($"{op}: delta must be positive, got {delta}");
        return DifferenceLoss(op, input, target, reduction,
            d =>
            {
                var z = d.Abs();
                return Where(z.Lt(delta), d.Square().MulScalar(0.5), z.AddScalar(-0.5 * delta).MulScalar(delta));
            },
            d => d.Clamp(-delta, delta));
    }

    /// <summary>
    /// Binary cross-entropy on probabilities, PyTorch's <c>F.binary_cross_entropy</c>: for p = <paramref name="input"/>
    /// in [0, 1] and y = <paramref name="target"/> (of p's shape),
    /// lᵢ = −wᵢ (yᵢ·max(log pᵢ, −100) + (1 − yᵢ)·max(log(1 − pᵢ), −100)).
    /// The logs are clamped at −100 as in PyTorch, so p = 0 or 1 gives a finite loss (100 where the label disagrees)
    /// instead of ∞ or 0·∞. w = <paramref name="weight"/> broadcasts to p's shape (ones without it).
    /// Values of p or y outside [0, 1] are an error, as in PyTorch (checked on the values: one synchronisation).
    /// dL/dp = w·g·(p − y) / max(p(1 − p), ε), ε = 10⁻¹² (PyTorch's backward and its float constant; the floor keeps
    /// it finite at p = 0 and 1),
    /// dL/dy = w·g·(max(log(1 − p), −100) − max(log p, −100)), dL/dw = g·lᵢ/wᵢ (the unweighted loss) summed back to
    /// w's shape; g is divided by the element count for the mean.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy";
        CheckBinaryOperands(op, input, target, weight, null);
        Tensor loss;
        using (NoGrad())
        {
            CheckUnitInterval(op, "input", input);
            CheckUnitInterval(op, "target", target);
            var perElement = BceUnweighted(input, target);
            loss = Reduced(weight == null ? perElement : perElement * weight, reduction);
        }
        bool needP = input.RequiresGrad, needY = target.RequiresGrad, needW = weight?.RequiresGrad ?? false;
        long n = input.Numel;
        return Graph.Record(loss, op, weight == null ? [input, target] : [input, target, weight], g =>
        {
            var ge = PerElementGrad(g, reduction, n);
            var gw = weight == null ? ge : ge * weight;
            Tensor? dp = null, dy = null, dw = null;
            if (needP) dp = gw * (input - target) / (input * (1.0 - input)).Clamp(BceEpsilon, double.PositiveInfinity);
            if (needY) dy = gw * (ClampedLog(1.0 - input) - ClampedLog(input));
            if (needW) dw = (ge * BceUnweighted(input, target)).SumTo(weight!._shape);
            return weight == null ? [dp, dy] : [dp, dy, dw];
        }, weight == null ? [input, target] : [input, target, weight]);
    }

    /// <summary>
    /// Binary cross-entropy on logits, PyTorch's <c>F.binary_cross_entropy_with_logits</c>: σ and the loss in one
    /// stable formula. For logits x, targets y (x's shape), weight w and positive-class weight pw (pos_weight; each
    /// broadcasts to x's shape, pw typically [C] against the last axis; ones without them), with
    /// lw = 1 + (pw − 1)·y and softplus(−x) = log(1 + e^(−|x|)) + max(−x, 0) = −log σ(x) (no overflow for any x):
    /// lᵢ = w·[(1 − y)·x + lw·softplus(−x)].
    /// dL/dx = w·g·(lw·σ(x) − pw·y), dL/dy = w·g·(−x + (pw − 1)·softplus(−x)), dL/dpw = w·g·y·softplus(−x),
    /// dL/dw = g·l/w (the loss without w), each summed back to its operand's shape; g/N for the mean.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy_with_logits";
        CheckBinaryOperands(op, input, target, weight, posWeight);
        Tensor loss;
        using (NoGrad())
        {
            var perElement = LogitsUnweighted(input, target, posWeight);
            loss = Reduced(weight == null ? perElement : perElement * weight, reduction);
        }
        bool needX = input.RequiresGrad, needY = target.RequiresGrad;
        bool needW = weight?.RequiresGrad ?? false, needPw = posWeight?.RequiresGrad ?? false;
        long n = input.Numel;
        var operands = new List<Tensor> { input, target };
        if (weight != null) operands.Add(weight);
        if (posWeight != null) operands.Add(posWeight);
        return Graph.Record(loss, op, [.. operands], g =>
        {
            var ge = PerElementGrad(g, reduction, n);
            var gw = weight == null ? ge : ge * weight;
            var grads = new List<Tensor?>();
            Tensor? spNeg = needY && posWeight != null || needPw ? SoftplusOfNegative(input) : null;
            if (!needX) grads.Add(null);
            else if (posWeight == null) grads.Add(gw * (input.Sigmoid() - target));
            else grads.Add(gw * (PosLogWeight(posWeight, target) * input.Sigmoid() - posWeight * target));
            if (!needY) grads.Add(null);
            else if (posWeight == null) grads.Add(gw * -input);
            else grads.Add(gw * ((posWeight - 1.0) * spNeg! - input));
            if (weight != null) grads.Add(needW ? (ge * LogitsUnweighted(input, target, posWeight)).SumTo(weight._shape) : null);
            if (posWeight != null) grads.Add(needPw ? (gw * target * spNeg!).SumTo(posWeight._shape) : null);
            return [.. grads];
        }, [.. operands]);
    }

    /// <summary>A loss of d = a − b elementwise (<paramref name="loss"/>, with derivative <paramref name="slope"/>),
    /// reduced; input and target broadcast against each other as in <see cref="MseLoss"/>.</summary>
    private static Tensor DifferenceLoss(string op, Tensor input, Tensor target, Reduction reduction,
        Func<Tensor, Tensor> loss, Func<Tensor, Tensor> slope)
    {
        Ops.CheckPair(op, input, target);
        Ops.CheckFloating(op, input);
        Shapes.Broadcast(op, input._shape, target._shape);
        Tensor diff, value;
        using (NoGrad())
        {
            diff = input - target;
            value = Reduced(loss(diff), reduction);
        }
        long n = diff.Numel;
        int[] inShape = input._shape, targetShape = target._shape;
        return Graph.Record(value, op, [input, target], g =>
        {
            var da = slope(diff) * PerElementGrad(g, reduction, n);
            return [da.SumTo(inShape), (-da).SumTo(targetShape)];
        }, input, target);
    }

    /// <summary>The per-element losses reduced as <see cref="MseLoss"/> does (the mean of none is NaN).</summary>
    private static Tensor Reduced(Tensor perElement, Reduction reduction) => reduction switch
    {
        Reduction.BatchMean => throw BatchMeanRefused(),
        Reduction.None => perElement,
        Reduction.Sum => perElement.Sum(),
        _ => MeanOf(perElement.Sum(), perElement.Numel),
    };

    /// <summary>Each element's share of the upstream gradient: g itself for 'none' (per element) and 'sum' (0-d,
    /// broadcasting), g/N for the mean.</summary>
    private static Tensor PerElementGrad(Tensor g, Reduction reduction, long n) =>
        reduction == Reduction.Mean ? g.MulScalar(1.0 / n) : g;

    /// <summary>Both binary cross-entropies: input and target of one dtype, device and shape (PyTorch raises on a
    /// target of another shape rather than broadcasting); weight and pos_weight broadcast to the input's shape.</summary>
    private static void CheckBinaryOperands(string op, Tensor input, Tensor target, Tensor? weight, Tensor? posWeight)
    {
        Ops.CheckPair(op, input, target);
        Ops.CheckFloating(op, input);
        if (!Shapes.SameShape(input._shape, target._shape))
            throw new ArgumentException($"{op}: target of shape {Shapes.Format(target._shape)} differs from input of shape {Shapes.Format(input._shape)}: they must have the same shape");
        foreach (var (name, w) in new[] { ("weight", weight), ("pos_weight", posWeight) })
        {
            if (w == null) continue;
            Ops.CheckPair(op, input, w);
            if (!Shapes.SameShape(Shapes.Broadcast(op, w._shape, input._shape), input._shape))
                throw new ArgumentException($"{op}: {name} of shape {Shapes.Format(w._shape)} does not broadcast to the input's shape {Shapes.Format(input._shape)}");
        }
    }

    /// <summary>PyTorch's check that probabilities lie in [0, 1] (NaN fails it too), on the values.</summary>
    private static void CheckUnitInterval(string op, string name, Tensor x)
    {
        if (x.Numel == 0) return;
        var inside = Compare(BinaryOp.GreaterEqual, x, x.FullLikeScalar(0)) * Compare(BinaryOp.GreaterEqual, x.FullLikeScalar(1), x);
        // Counting the elements outside: a sum of zeros and ones is positive exactly when one is 1, at any rounding.
        if ((1.0 - inside).Sum().Item() > 0) throw new ArgumentException($"{op}: all elements of {name} should be between 0 and 1");
    }

    /// <summary>The floor of p(1 − p) in binary cross-entropy's backward: PyTorch's EPSILON, a float 1e-12 (so
    /// 9.99999996e-13 in float64, as libtorch's float64 backward uses it).</summary>
    private const double BceEpsilon = 1e-12f;

    /// <summary>max(log x, −100): PyTorch's clamp, finite at x = 0.</summary>
    private static Tensor ClampedLog(Tensor x) => x.Log().Clamp(-100, double.PositiveInfinity);

    /// <summary>−(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100)).</summary>
    private static Tensor BceUnweighted(Tensor p, Tensor y) => -(y * ClampedLog(p) + (1.0 - y) * ClampedLog(1.0 - p));

    /// <summary>softplus(−x) = log(1 + e^(−x)) = log(1 + e^(−|x|)) + max(−x, 0): the exponent is never positive.</summary>
    private static Tensor SoftplusOfNegative(Tensor x) =>
        x.Abs().Neg().Exp().Log1p() + x.Neg().Clamp(0, double.PositiveInfinity);

    /// <summary>lw = 1 + (pw − 1)·y, the factor of the log-sigmoid term.</summary>
    private static Tensor PosLogWeight(Tensor posWeight, Tensor y) => ((posWeight - 1.0) * y).AddScalar(1);

    /// <summary>(1 − y)·x + lw·softplus(−x), lw = 1 without pos_weight.</summary>
    private static Tensor LogitsUnweighted(Tensor x, Tensor y, Tensor? posWeight)
    {
        var sp = SoftplusOfNegative(x);
        return (1.0 - y) * x + (posWeight == null ? sp : PosLogWeight(posWeight, y) * sp);
    }
}
