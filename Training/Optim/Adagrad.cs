using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Adagrad as torch.optim.Adagrad (same arguments and defaults): the sum of every g² so far (state "sum", starting at
/// <c>initialAccumulatorValue</c>) scales the step, and the learning rate decays as clr = lr / (1 + (t − 1)·lr_decay)
/// with the parameter's own step t (a parameter without a gradient is skipped and its t does not advance, as in
/// PyTorch). The update is one fused kernel, <see cref="Backend.AdagradStep"/>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private sealed class State(Tensor sum, int step)
    {
        public Tensor Sum { get; } = sum;
        public int Step { get; set; } = step;
    }

    private readonly Dictionary<int, State> _state = [];

    public Adagrad(IEnumerable<ParamGroup> groups, double lrDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10,
                   bool maximize = false) : base(groups)
    {
        CheckGroups("Adagrad");
        if (!(lrDecay >= 0)) throw new ArgumentException($"Adagrad: invalid lr_decay {lrDecay} (must be ≥ 0)");
        if (!(initialAccumulatorValue >= 0)) throw new ArgumentException($"Adagrad: invalid initial_accumulator_value {initialAccumulatorValue} (must be ≥ 0)");
        if (!(eps >= 0)) throw new ArgumentException($"Adagrad: invalid epsilon {eps} (must be ≥ 0)");
        LrDecay = lrDecay; InitialAccumulatorValue = initialAccumulatorValue; Eps = eps; Maximize = maximize;
    }

    public Adagrad(IEnumerable<Tensor> parameters, double lr = 0.01, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0,
                   double eps = 1e-10, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], lrDecay, initialAccumulatorValue, eps, maximize) { }

    public double LrDecay { get; }
    public double InitialAccumulatorValue { get; }
    public double Eps { get; }

    /// <summary>Maximizes the objective: the gradient is negated before weight decay, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        int i = IndexOf(p);
        if (!_state.TryGetValue(i, out var s))
        {
            // PyTorch fills every parameter's sum when the optimizer is built; filling it at the first update gives
            // the same numbers, on the device and dtype the parameter has then.
            s = new State(p.FullLike(InitialAccumulatorValue), 0);
            _state[i] = s;
        }
        s.Step++;
        double clr = group.Lr / (1 + (s.Step - 1) * LrDecay);
        p.Backend.AdagradStep(p, grad, s.Sum, clr, Eps, group.WeightDecay, Maximize);
    }

    /// <summary>"3.sum" and "3.step" (a float64 scalar, as PyTorch keeps its step as a tensor) for parameter 3.</summary>
    public override Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (i, s) in _state)
        {
            d[$"{i}.sum"] = s.Sum;
            d[$"{i}.step"] = Tensor.Scalar(s.Step, DType.Float64);
        }
        return d;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var loaded = new Dictionary<int, State>();
        foreach (var (i, p) in IndexedParameters())
            if (state.TryGetValue($"{i}.sum", out var sum))
                loaded[i] = new State(Restore(sum, p, i, "sum"), ReadStep(state, i, p, stepCount, "Adagrad"));
        StepCount = stepCount;
        _state.Clear();
        foreach (var (i, s) in loaded) _state[i] = s;
    }
}
