using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// NAdam as torch.optim.NAdam (same arguments and defaults, lr = 2e-3): Adam with Nesterov momentum, whose momentum
/// coefficient μₜ = β₁(1 − ½·0.96^(t·momentum_decay)) warms up over the steps; the running product of the μ's is the
/// state mu_product. <c>decoupledWeightDecay</c> gives NAdamW (the parameter shrinks by lr·weight_decay instead of
/// the L2 term in the gradient). A composition of tensor ops (<see cref="ComposedOptimizer"/>); each parameter has
/// its own step count, and one without a gradient is skipped.
/// </summary>
public sealed class NAdam : ComposedOptimizer
{
    public NAdam(IEnumerable<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double momentumDecay = 4e-3,
                 bool decoupledWeightDecay = false, bool maximize = false) : base(groups)
    {
        CheckGroups("NAdam");
        CheckEps(eps);
        CheckBetas(beta1, beta2);
        if (!(momentumDecay >= 0)) throw new ArgumentException($"NAdam: invalid momentum_decay value: {momentumDecay} (must be ≥ 0)");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; MomentumDecay = momentumDecay; DecoupledWeightDecay = decoupledWeightDecay; Maximize = maximize;
    }

    public NAdam(IEnumerable<Tensor> parameters, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
                 double momentumDecay = 4e-3, bool decoupledWeightDecay = false, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], beta1, beta2, eps, momentumDecay, decoupledWeightDecay, maximize) { }

    /// <summary>Settable so that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> can cycle it (PyTorch's betas[0]).</summary>
    public double Beta1 { get; set; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>The rate of the momentum warm-up (PyTorch's momentum_decay, ψ).</summary>
    public double MomentumDecay { get; }
    /// <summary>NAdamW: weight decay multiplies the parameter by 1 − lr·weight_decay instead of adding to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }
    /// <summary>Maximizes the objective: the gradient is negated before everything else, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override string OptimizerName => "NAdam";
    protected override IReadOnlyList<string> TensorNames => ["exp_avg", "exp_avg_sq"];
    protected override IReadOnlyList<string> ScalarNames => ["mu_product"];

    protected override State Init(ParamGroup group, Tensor p) =>
        new() { Tensors = { ["exp_avg"] = p.ZerosLike(), ["exp_avg_sq"] = p.ZerosLike() }, Scalars = { ["mu_product"] = 1.0 } };

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, State s)
    {
        int step = ++s.Step;
        double lr = group.Lr, wd = group.WeightDecay;
        var g = Maximize ? -grad : grad;
        if (wd != 0)
        {
            if (DecoupledWeightDecay) p.Mul_(1 - lr * wd);
            else g = g + p * wd;
        }
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        double mu = Beta1 * (1 - 0.5 * Math.Pow(0.96, step * MomentumDecay));
        double muNext = Beta1 * (1 - 0.5 * Math.Pow(0.96, (step + 1) * MomentumDecay));
        double muProduct = s.Scalars["mu_product"] * mu;
        s.Scalars["mu_product"] = muProduct;
        Tensor expAvg = s["exp_avg"], expAvgSq = s["exp_avg_sq"];
        expAvg.CopyFrom(expAvg + (g - expAvg) * (1 - Beta1));
        expAvgSq.CopyFrom(expAvgSq * Beta2 + g * g * (1 - Beta2));
        var denom = (expAvgSq / biasCorrection2).Sqrt() + Eps;
        double muProductNext = muProduct * muNext;
        p.Add_(g / denom, -lr * (1 - mu) / (1 - muProduct));
        p.Add_(expAvg / denom, -lr * muNext / (1 - muProductNext));
    }
}
