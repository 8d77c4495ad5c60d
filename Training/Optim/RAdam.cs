using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// RAdam as torch.optim.RAdam (same arguments and defaults, lr = 1e-3): Adam whose adaptive step is rectified by
/// the variance of its estimate. While the length of the approximated simple moving average ρₜ is at most 5 (the
/// first steps; PyTorch's threshold) the update is the bias-corrected momentum alone, as SGD with momentum; above,
/// Adam's step times the rectification term. <c>decoupledWeightDecay</c> shrinks the parameter by lr·weight_decay
/// instead of adding the L2 term to the gradient. A composition of tensor ops (<see cref="ComposedOptimizer"/>);
/// each parameter has its own step count, and one without a gradient is skipped.
/// </summary>
public sealed class RAdam : ComposedOptimizer
{
    /// <summary>PyTorch's threshold on ρₜ above which the adaptive (rectified) step is used.</summary>
    public const double RectificationThreshold = 5.0;

    public RAdam(IEnumerable<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool decoupledWeightDecay = false,
                 bool maximize = false) : base(groups)
    {
        CheckGroups("RAdam");
        CheckEps(eps);
        CheckBetas(beta1, beta2);
        Beta1 = beta1; Beta2 = beta2; Eps = eps; DecoupledWeightDecay = decoupledWeightDecay; Maximize = maximize;
    }

    public RAdam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
                 bool decoupledWeightDecay = false, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], beta1, beta2, eps, decoupledWeightDecay, maximize) { }

    /// <summary>Settable so that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> can cycle it (PyTorch's betas[0]).</summary>
    public double Beta1 { get; set; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>Weight decay multiplies the parameter by 1 − lr·weight_decay instead of adding to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }
    /// <summary>Maximizes the objective: the gradient is negated before everything else, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override string OptimizerName => "RAdam";
    protected override IReadOnlyList<string> TensorNames => ["exp_avg", "exp_avg_sq"];

    protected override State Init(ParamGroup group, Tensor p) => new() { Tensors = { ["exp_avg"] = p.ZerosLike(), ["exp_avg_sq"] = p.ZerosLike() } };

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
        Tensor expAvg = s["exp_avg"], expAvgSq = s["exp_avg_sq"];
        expAvg.CopyFrom(expAvg + (g - expAvg) * (1 - Beta1));
        expAvgSq.CopyFrom(expAvgSq * Beta2 + g * g * (1 - Beta2));
        double biasCorrection1 = 1 - Math.Pow(Beta1, step), biasCorrection2 = 1 - Math.Pow(Beta2, step);
        var corrected = expAvg / biasCorrection1;
        double rhoInf = 2 / (1 - Beta2) - 1;
        double rhoT = rhoInf - 2 * step * Math.Pow(Beta2, step) / biasCorrection2;
        if (rhoT > RectificationThreshold)
        {
            double rect = Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            var adaptiveLr = Math.Sqrt(biasCorrection2) / (expAvgSq.Sqrt() + Eps);
            p.Add_(corrected * lr * adaptiveLr * rect, -1.0);
        }
        else p.Add_(corrected * lr, -1.0);
    }
}
