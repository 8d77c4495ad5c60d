using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Adam, or AdamW with decoupled weight decay, with PyTorch's <c>amsgrad</c> and <c>maximize</c>; the update is one
/// fused kernel, <see cref="Backend.AdamStep"/>. As in PyTorch, each parameter has its own step count (the t of the
/// bias corrections): a parameter without a gradient at a step is not updated and its count does not advance, so a
/// parameter first used at the optimizer's step 5 gets the update of t = 1.
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>A parameter's state, PyTorch's names: exp_avg (m), exp_avg_sq (v), max_exp_avg_sq (amsgrad), step.</summary>
    private sealed class State(Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, int step)
    {
        public Tensor ExpAvg { get; } = expAvg;
        public Tensor ExpAvgSq { get; } = expAvgSq;
        public Tensor? MaxExpAvgSq { get; } = maxExpAvgSq;
        public int Step { get; set; } = step;
    }

    private readonly Dictionary<int, State> _state = [];

    public Adam(IEnumerable<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool decoupled = false,
                bool amsgrad = false, bool maximize = false) : base(groups)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentException($"Adam: betas ({beta1}, {beta2}) must lie in [0, 1)");
        if (!(eps >= 0)) throw new ArgumentException($"Adam: eps {eps} must be ≥ 0");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; Decoupled = decoupled; AmsGrad = amsgrad; Maximize = maximize;
    }

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], amsgrad: amsgrad, maximize: maximize) { }

    /// <summary>Settable so that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> can cycle it (PyTorch's betas[0]).</summary>
    public double Beta1 { get; set; }
    public double Beta2 { get; }
    public double Eps { get; }
    public bool Decoupled { get; }

    /// <summary>AMSGrad (Reddi et al.): the denominator uses the running maximum of exp_avg_sq (max_exp_avg_sq).</summary>
    public bool AmsGrad { get; }

    /// <summary>Maximizes the objective: the gradient is negated before everything else (weight decay included).</summary>
    public bool Maximize { get; }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        int i = IndexOf(p);
        if (!_state.TryGetValue(i, out var s))
        {
            s = new State(p.ZerosLike(), p.ZerosLike(), AmsGrad ? p.ZerosLike() : null, 0);
            _state[i] = s;
        }
        s.Step++;
        p.Backend.AdamStep(p, grad, s.ExpAvg, s.ExpAvgSq, s.MaxExpAvgSq, group.Lr, Beta1, Beta2, Eps, group.WeightDecay, Decoupled, Maximize, s.Step);
    }

    /// <summary>"3.exp_avg", "3.exp_avg_sq", "3.max_exp_avg_sq" (amsgrad) and "3.step" (a float64 scalar, as PyTorch
    /// keeps its step as a tensor) for parameter 3.</summary>
    public override Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (i, s) in _state)
        {
            d[$"{i}.exp_avg"] = s.ExpAvg;
            d[$"{i}.exp_avg_sq"] = s.ExpAvgSq;
            if (s.MaxExpAvgSq != null) d[$"{i}.max_exp_avg_sq"] = s.MaxExpAvgSq;
            d[$"{i}.step"] = Tensor.Scalar(s.Step, DType.Float64);
        }
        return d;
    }

    /// <summary>
    /// Restores <see cref="StateDict"/>'s tensors. A parameter's step comes from "i.step"; state written before
    /// Pade kept per-parameter counts has none, and then <paramref name="stepCount"/> (the optimizer's count, which
    /// was every parameter's) is used.
    /// </summary>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var loaded = new Dictionary<int, State>();
        foreach (var (i, p) in IndexedParameters())
        {
            if (!state.TryGetValue($"{i}.exp_avg", out var m) || !state.TryGetValue($"{i}.exp_avg_sq", out var v)) continue;
            Tensor? maxV = null;
            if (AmsGrad && !state.TryGetValue($"{i}.max_exp_avg_sq", out maxV))
                throw new ArgumentException($"Adam (amsgrad): the state of parameter {i} ('{p.Name}') has no max_exp_avg_sq: it was saved by an optimizer without amsgrad");
            int step = ReadStep(state, i, p, stepCount, "Adam");
            loaded[i] = new State(Restore(m, p, i, "exp_avg"), Restore(v, p, i, "exp_avg_sq"), maxV == null ? null : Restore(maxV, p, i, "max_exp_avg_sq"), step);
        }
        StepCount = stepCount;
        _state.Clear();
        foreach (var (i, s) in loaded) _state[i] = s;
    }
}
