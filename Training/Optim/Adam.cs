using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>Adam, or AdamW with decoupled weight decay; the update is one fused kernel, <see cref="Backend.AdamStep"/>.</summary>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<int, (Tensor M, Tensor V)> _state = [];

    public Adam(IEnumerable<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool decoupled = false) : base(groups)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentException($"Adam: betas ({beta1}, {beta2}) must lie in [0, 1)");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; Decoupled = decoupled;
    }

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double weightDecay = 0)
        : this([new ParamGroup(parameters, lr, weightDecay)]) { }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public bool Decoupled { get; }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        int i = IndexOf(p);
        if (!_state.TryGetValue(i, out var s)) { s = (p.ZerosLike(), p.ZerosLike()); _state[i] = s; }
        p.Backend.AdamStep(p, grad, s.M, s.V, group.Lr, Beta1, Beta2, Eps, group.WeightDecay, Decoupled, StepCount);
    }

    public override Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (i, (m, v)) in _state) { d[$"{i}.exp_avg"] = m; d[$"{i}.exp_avg_sq"] = v; }
        return d;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        StepCount = stepCount;
        _state.Clear();
        foreach (var (i, p) in IndexedParameters())
            if (state.TryGetValue($"{i}.exp_avg", out var m) && state.TryGetValue($"{i}.exp_avg_sq", out var v))
                _state[i] = (m.To(p.DType).To(p.Device).Clone(), v.To(p.DType).To(p.Device).Clone());
    }
}
