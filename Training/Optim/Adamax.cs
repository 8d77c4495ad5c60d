using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Adamax as torch.optim.Adamax (same arguments and defaults): Adam with the infinity norm, exp_inf = max(β2·exp_inf,
/// |g| + eps), and only the first moment bias-corrected, clr = lr / (1 − β1ᵗ) with the parameter's own step t (a
/// parameter without a gradient is skipped and its t does not advance). One fused kernel, <see cref="Backend.AdamaxStep"/>.
/// </summary>
public sealed class Adamax : Optimizer
{
    private sealed class State(Tensor expAvg, Tensor expInf, int step)
    {
        public Tensor ExpAvg { get; } = expAvg;
        public Tensor ExpInf { get; } = expInf;
        public int Step { get; set; } = step;
    }

    private readonly Dictionary<int, State> _state = [];

    public Adamax(IEnumerable<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool maximize = false) : base(groups)
    {
        CheckGroups("Adamax");
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1 || double.IsNaN(beta1) || double.IsNaN(beta2))
            throw new ArgumentException($"Adamax: invalid betas ({beta1}, {beta2}) (each must lie in [0, 1))");
        if (!(eps >= 0)) throw new ArgumentException($"Adamax: invalid epsilon {eps} (must be ≥ 0)");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; Maximize = maximize;
    }

    public Adamax(IEnumerable<Tensor> parameters, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
                  double weightDecay = 0, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], beta1, beta2, eps, maximize) { }

    /// <summary>Settable so that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> can cycle it (PyTorch's betas[0]).</summary>
    public double Beta1 { get; set; }
    public double Beta2 { get; }
    public double Eps { get; }

    /// <summary>Maximizes the objective: the gradient is negated before weight decay, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        int i = IndexOf(p);
        if (!_state.TryGetValue(i, out var s))
        {
            s = new State(p.ZerosLike(), p.ZerosLike(), 0);
            _state[i] = s;
        }
        s.Step++;
        p.Backend.AdamaxStep(p, grad, s.ExpAvg, s.ExpInf, group.Lr, Beta1, Beta2, Eps, group.WeightDecay, Maximize, s.Step);
    }

    /// <summary>"3.exp_avg", "3.exp_inf" and "3.step" (a float64 scalar, as PyTorch keeps it) for parameter 3.</summary>
    public override Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (i, s) in _state)
        {
            d[$"{i}.exp_avg"] = s.ExpAvg;
            d[$"{i}.exp_inf"] = s.ExpInf;
            d[$"{i}.step"] = Tensor.Scalar(s.Step, DType.Float64);
        }
        return d;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var loaded = new Dictionary<int, State>();
        foreach (var (i, p) in IndexedParameters())
        {
            if (!state.TryGetValue($"{i}.exp_avg", out var m)) continue;
            if (!state.TryGetValue($"{i}.exp_inf", out var u))
                throw new ArgumentException($"Adamax: the state of parameter {i} ('{p.Name}') has exp_avg but no exp_inf: it was saved by another optimizer");
            loaded[i] = new State(Restore(m, p, i, "exp_avg"), Restore(u, p, i, "exp_inf"), ReadStep(state, i, p, stepCount, "Adamax"));
        }
        StepCount = stepCount;
        _state.Clear();
        foreach (var (i, s) in loaded) _state[i] = s;
    }
}
