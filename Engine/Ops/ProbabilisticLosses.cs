using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// PyTorch's likelihood losses: KL divergence, Poisson and Gaussian negative log-likelihood, composed from
/// differentiable ops as ATen and torch.nn.functional compose them (so they run on every backend without a kernel),
/// with closed-form nodes where PyTorch's gradient is not the composition's (xlogy at 0, var's clamp).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// KL divergence, PyTorch's <c>F.kl_div</c>: <paramref name="input"/> holds log-probabilities log q, the target
    /// probabilities p (or log p with <paramref name="logTarget"/>); per element
    /// lᵢ = xlogy(pᵢ, pᵢ) − pᵢ·xᵢ = pᵢ(log pᵢ − xᵢ) (0 where pᵢ = 0), or e^(tᵢ)(tᵢ − xᵢ) with log targets t.
    /// Input and target broadcast. <see cref="Reduction.BatchMean"/> divides the sum by the input's first dimension
    /// (the KL divergence per sample; the sum for a 0-d input); <see cref="Reduction.Mean"/> divides by every element,
    /// as PyTorch does (which warns that it is not the KL divergence). dL/dx = −p (−e^t); dL/dp = log p + 1 − x, and
    /// dL/dt = e^t(t − x + 1). At p = 0 PyTorch's xlogy gradient is log-free 0 plus p/p: NaN, kept as PyTorch has it.
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        const string op = "kl_div";
        Ops.CheckFloating(op, input);
        Ops.CheckPair(op, input, target);
        Shapes.Broadcast(op, input._shape, target._shape);
        var perElement = logTarget ? target.Exp() * (target - input) : SelfXlogy(target) - target * input;
        if (reduction != Reduction.BatchMean) return Reduced(perElement, reduction);
        var sum = perElement.Sum();
        return input.Rank == 0 ? sum : sum.MulScalar(1.0 / input._shape[0]);
    }

    /// <summary>xlogy(p, p) = p log p, 0 at p = 0. Gradient (torch.xlogy's for both operands): [p ≠ 0]·log p + p/p.</summary>
    private static Tensor SelfXlogy(Tensor p)
    {
        Tensor y;
        var zero = p.FullLikeScalar(0);
        using (NoGrad()) y = Where(Equal(p, 0), zero, p * p.Log());
        return Graph.Record(y, "xlogy", [p], g => [g * (Where(Equal(p, 0), zero, p.Log()) + p / p)], p);
    }

    /// <summary>
    /// Poisson negative log-likelihood, PyTorch's <c>F.poisson_nll_loss</c>: with <paramref name="logInput"/> the
    /// input is log λ and lᵢ = e^(xᵢ) − yᵢxᵢ; otherwise it is λ and lᵢ = xᵢ − yᵢ log(xᵢ + eps). With
    /// <paramref name="full"/>, Stirling's approximation of log(y!), y log y − y + ½ log(2πy), is added where y &gt; 1
    /// (0 elsewhere, as PyTorch's masked_fill). Input and target broadcast. The Stirling term is evaluated at
    /// max(y, 2) where it is masked, so the target's gradient is 0 there (PyTorch's is NaN at y = 0, from 0·log 0).
    /// </summary>
    public static Tensor PoissonNllLoss(Tensor input, Tensor target, bool logInput = true, bool full = false, double eps = 1e-8,
                                        Reduction reduction = Reduction.Mean)
    {
        const string op = "poisson_nll_loss";
        Ops.CheckFloating(op, input);
        Ops.CheckPair(op, input, target);
        Shapes.Broadcast(op, input._shape, target._shape);
        var loss = logInput ? input.Exp() - target * input : input - target * input.AddScalar(eps).Log();
        if (full)
        {
            var above = Compare(BinaryOp.Greater, target, target.FullLikeScalar(1));
            var safe = Where(above, target, target.FullLikeScalar(2));
            var stirling = safe * safe.Log() - safe + safe.MulScalar(2 * Math.PI).Log().MulScalar(0.5);
            loss += Where(above, stirling, stirling.FullLikeScalar(0));
        }
        return Reduced(loss, reduction);
    }

    /// <summary>
    /// Gaussian negative log-likelihood, PyTorch's <c>F.gaussian_nll_loss</c>: for means <paramref name="input"/>,
    /// samples <paramref name="target"/> and variances <paramref name="var"/>,
    /// lᵢ = ½(log max(varᵢ, eps) + (xᵢ − yᵢ)² / max(varᵢ, eps)), plus ½ log 2π with <paramref name="full"/>.
    /// var has the input's shape, or the input's shape without its last dimension (unsqueezed), or with a last
    /// dimension of 1 (one variance per row, homoscedastic); other shapes are an error, as are negative variances
    /// (checked on the values: one synchronisation). Input and target broadcast. As in PyTorch, the clamp is applied
    /// without autograd: var's gradient is that at the clamped value, passed straight through.
    /// </summary>
    public static Tensor GaussianNllLoss(Tensor input, Tensor target, Tensor var, bool full = false, double eps = 1e-6,
                                         Reduction reduction = Reduction.Mean)
    {
        const string op = "gaussian_nll_loss";
        Ops.CheckFloating(op, input);
        Ops.CheckPair(op, input, target);
        Ops.CheckPair(op, input, var);
        if (!Shapes.SameShape(var._shape, input._shape))
        {
            var lead = input.Rank == 0 ? input._shape : input._shape[..^1];
            if (Shapes.SameShape(lead, var._shape)) var = var.Unsqueeze(-1);
            else if (!(var.Rank >= 1 && Shapes.SameShape(lead, var._shape[..^1]) && var._shape[^1] == 1))
                throw new ArgumentException($"{op}: var of shape {Shapes.Format(var._shape)} is of incorrect size for input of shape {Shapes.Format(input._shape)}: " +
                                            $"expected {Shapes.Format(input._shape)}, {Shapes.Format(lead)} or {Shapes.Format([.. lead, 1])}");
        }
        Shapes.Broadcast(op, Shapes.Broadcast(op, input._shape, target._shape), var._shape);
        if (var.Numel > 0)
        {
            double min;
            using (NoGrad()) min = var.Min().Item();
            if (min < 0) throw new ArgumentException($"{op}: var has negative entries (the smallest is {min})");
        }
        Tensor clamped;
        using (NoGrad()) clamped = var.Clamp(eps, double.PositiveInfinity);
        var v = Graph.Record(clamped, "clamp_no_grad", [var], g => [g]);
        var loss = (v.Log() + (input - target).Square() / v).MulScalar(0.5);
        if (full) loss = loss.AddScalar(0.5 * Math.Log(2 * Math.PI));
        return Reduced(loss, reduction);
    }

    /// <summary>
    /// <see cref="GaussianNllLoss(Tensor, Tensor, Tensor, bool, double, Reduction)"/> with one variance for every
    /// element (PyTorch's float <c>var</c>: var·ones_like(input)); a negative variance is an error.
    /// </summary>
    public static Tensor GaussianNllLoss(Tensor input, Tensor target, double var, bool full = false, double eps = 1e-6,
                                         Reduction reduction = Reduction.Mean)
    {
        if (!(var >= 0)) throw new ArgumentException($"gaussian_nll_loss: var has negative entries (got {var})", nameof(var));
        return GaussianNllLoss(input, target, Full(input._shape, var, input.DType, input.Device), full, eps, reduction);
    }
}
