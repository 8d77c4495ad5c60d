using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// RMSprop as torch.optim.RMSprop (same arguments and defaults): a running mean of g² (square_avg) scales the step,
/// eps is added after the square root; <c>centered</c> subtracts the square of a running mean of g (grad_avg), so the
/// gradient is scaled by an estimate of its variance; <c>momentum</c> &gt; 0 keeps a buffer of the scaled steps. The
/// update is one fused kernel, <see cref="Backend.RmspropStep"/>. A parameter without a gradient is skipped.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>A parameter's state, PyTorch's names: step, square_avg, momentum_buffer (momentum &gt; 0), grad_avg (centered).</summary>
    private sealed class State(Tensor squareAvg, Tensor? momentumBuffer, Tensor? gradAvg, int step)
    {
        public Tensor SquareAvg { get; } = squareAvg;
        public Tensor? MomentumBuffer { get; } = momentumBuffer;
        public Tensor? GradAvg { get; } = gradAvg;
        public int Step { get; set; } = step;
    }

    private readonly Dictionary<int, State> _state = [];

    public RMSprop(IEnumerable<ParamGroup> groups, double alpha = 0.99, double eps = 1e-8, double momentum = 0, bool centered = false,
                   bool maximize = false) : base(groups)
    {
        CheckGroups("RMSprop");
        if (!(eps >= 0)) throw new ArgumentException($"RMSprop: invalid epsilon {eps} (must be ≥ 0)");
        if (!(alpha >= 0)) throw new ArgumentException($"RMSprop: invalid alpha {alpha} (must be ≥ 0)");
        if (!(momentum >= 0)) throw new ArgumentException($"RMSprop: invalid momentum {momentum} (must be ≥ 0)");
        Alpha = alpha; Eps = eps; Momentum = momentum; Centered = centered; Maximize = maximize;
    }

    public RMSprop(IEnumerable<Tensor> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
                   double momentum = 0, bool centered = false, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], alpha, eps, momentum, centered, maximize) { }

    /// <summary>The smoothing constant of the running means.</summary>
    public double Alpha { get; }
    public double Eps { get; }
    /// <summary>Settable so that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> can cycle it (PyTorch's group "momentum").</summary>
    public double Momentum { get; set; }

    /// <summary>Centered RMSprop (Graves): the denominator is √(E[g²] − E[g]²) + eps.</summary>
    public bool Centered { get; }

    /// <summary>Maximizes the objective: the gradient is negated before weight decay, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        int i = IndexOf(p);
        if (!_state.TryGetValue(i, out var s))
        {
            // PyTorch starts every buffer at zero (the momentum buffer too: no first-step copy as in SGD).
            s = new State(p.ZerosLike(), Momentum > 0 ? p.ZerosLike() : null, Centered ? p.ZerosLike() : null, 0);
            _state[i] = s;
        }
        s.Step++;
        p.Backend.RmspropStep(p, grad, s.SquareAvg, s.GradAvg, s.MomentumBuffer, group.Lr, Alpha, Eps, group.WeightDecay, Momentum, Maximize);
    }

    /// <summary>"3.square_avg", "3.momentum_buffer" (momentum &gt; 0), "3.grad_avg" (centered) and "3.step" (a float64
    /// scalar, as PyTorch keeps its step as a tensor) for parameter 3.</summary>
    public override Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (i, s) in _state)
        {
            d[$"{i}.square_avg"] = s.SquareAvg;
            if (s.MomentumBuffer != null) d[$"{i}.momentum_buffer"] = s.MomentumBuffer;
            if (s.GradAvg != null) d[$"{i}.grad_avg"] = s.GradAvg;
            d[$"{i}.step"] = Tensor.Scalar(s.Step, DType.Float64);
        }
        return d;
    }

    /// <summary>Restores <see cref="StateDict"/>'s tensors; state saved without the buffers this optimizer needs
    /// (momentum, centered) is refused, naming the missing one.</summary>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var loaded = new Dictionary<int, State>();
        foreach (var (i, p) in IndexedParameters())
        {
            if (!state.TryGetValue($"{i}.square_avg", out var sq)) continue;
            Tensor? buf = null, avg = null;
            if (Momentum > 0 && !state.TryGetValue($"{i}.momentum_buffer", out buf))
                throw new ArgumentException($"RMSprop (momentum {Momentum}): the state of parameter {i} ('{p.Name}') has no momentum_buffer: it was saved by an optimizer without momentum");
            if (Centered && !state.TryGetValue($"{i}.grad_avg", out avg))
                throw new ArgumentException($"RMSprop (centered): the state of parameter {i} ('{p.Name}') has no grad_avg: it was saved by an optimizer that was not centered");
            loaded[i] = new State(Restore(sq, p, i, "square_avg"), buf == null ? null : Restore(buf, p, i, "momentum_buffer"),
                avg == null ? null : Restore(avg, p, i, "grad_avg"), ReadStep(state, i, p, stepCount, "RMSprop"));
        }
        StepCount = stepCount;
        _state.Clear();
        foreach (var (i, s) in loaded) _state[i] = s;
    }
}
