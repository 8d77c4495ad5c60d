using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Base of the optimizers whose update is a composition of tensor ops under no-grad (Adadelta, NAdam, RAdam, ASGD,
/// Rprop) rather than a fused backend kernel: each op is one of torch.optim's single-tensor calls, in its order, so
/// the rounding is PyTorch's own (its foreach path composes the same ops), and the CPU and CUDA backends share the
/// update with no new kernel to keep in step. The per-parameter state is kept here once: named tensors (PyTorch's
/// names), named scalars (ASGD's eta and mu, NAdam's mu_product) and the parameter's own step count, created at a
/// parameter's first gradient, saved as "3.square_avg", "3.step" and so on.
/// </summary>
public abstract class ComposedOptimizer : Optimizer
{
    /// <summary>One parameter's state.</summary>
    protected sealed class State
    {
        public Dictionary<string, Tensor> Tensors { get; } = [];
        public Dictionary<string, double> Scalars { get; } = [];
        public int Step { get; set; }
        public Tensor this[string name] => Tensors[name];
    }

    private readonly Dictionary<int, State> _state = [];

    protected ComposedOptimizer(IEnumerable<ParamGroup> groups) : base(groups) { }

    /// <summary>The optimizer's name in messages (PyTorch's class name).</summary>
    protected abstract string OptimizerName { get; }

    /// <summary>The state tensors of every parameter, PyTorch's names; the first marks a parameter as having state.</summary>
    protected abstract IReadOnlyList<string> TensorNames { get; }

    /// <summary>The state scalars of every parameter (saved as float64 scalars, as PyTorch keeps them as tensors).</summary>
    protected virtual IReadOnlyList<string> ScalarNames => [];

    /// <summary>A parameter's fresh state (PyTorch's lazy initialisation at its first gradient).</summary>
    protected abstract State Init(ParamGroup group, Tensor p);

    /// <summary>One update of <paramref name="p"/> with its (contiguous) gradient and state.</summary>
    protected abstract void Update(ParamGroup group, Tensor p, Tensor grad, State s);

    protected sealed override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        int i = IndexOf(p);
        if (!_state.TryGetValue(i, out var s)) _state[i] = s = Init(group, p);
        Update(group, p, grad, s);
    }

    /// <summary>"3.&lt;tensor&gt;" for each state tensor, "3.&lt;scalar&gt;" and "3.step" as float64 scalars, for parameter 3.</summary>
    public override Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (i, s) in _state)
        {
            foreach (var (name, t) in s.Tensors) d[$"{i}.{name}"] = t;
            foreach (var (name, v) in s.Scalars) d[$"{i}.{name}"] = Tensor.Scalar(v, DType.Float64);
            d[$"{i}.step"] = Tensor.Scalar(s.Step, DType.Float64);
        }
        return d;
    }

    /// <summary>Restores <see cref="StateDict"/>'s entries; a parameter whose state lacks one of this optimizer's
    /// tensors or scalars (state of another optimizer) is refused, naming the missing entry.</summary>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var loaded = new Dictionary<int, State>();
        foreach (var (i, p) in IndexedParameters())
        {
            if (!state.ContainsKey($"{i}.{TensorNames[0]}")) continue;
            var s = new State { Step = ReadStep(state, i, p, stepCount, OptimizerName) };
            foreach (var name in TensorNames)
            {
                if (!state.TryGetValue($"{i}.{name}", out var t))
                    throw new ArgumentException($"{OptimizerName}: the state of parameter {i} ('{p.Name}') has no {name}: it was saved by another optimizer");
                s.Tensors[name] = Restore(t, p, i, name);
            }
            foreach (var name in ScalarNames)
            {
                if (!state.TryGetValue($"{i}.{name}", out var t))
                    throw new ArgumentException($"{OptimizerName}: the state of parameter {i} ('{p.Name}') has no {name}: it was saved by another optimizer");
                s.Scalars[name] = t.Item();
            }
            loaded[i] = s;
        }
        StepCount = stepCount;
        _state.Clear();
        foreach (var (i, s) in loaded) _state[i] = s;
    }

    /// <summary>The gradient as torch.optim takes it: negated under <c>maximize</c>, plus weight_decay·p (L2).</summary>
    protected static Tensor Grad(Tensor grad, Tensor p, bool maximize, double weightDecay)
    {
        var g = maximize ? -grad : grad;
        return weightDecay != 0 ? g + p * weightDecay : g;
    }

    /// <summary>PyTorch's check of (β₁, β₂): each in [0, 1).</summary>
    protected void CheckBetas(double beta1, double beta2)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"{OptimizerName}: invalid beta parameter at index 0: {beta1} (must lie in [0, 1))");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"{OptimizerName}: invalid beta parameter at index 1: {beta2} (must lie in [0, 1))");
    }

    protected void CheckEps(double eps)
    {
        if (!(eps >= 0)) throw new ArgumentException($"{OptimizerName}: invalid epsilon value {eps} (must be ≥ 0)");
    }

    /// <summary>For the optimizers without weight decay in PyTorch (Rprop): a group's nonzero weight decay would be ignored there, so it is refused here.</summary>
    protected void CheckNoWeightDecay()
    {
        foreach (var g in Groups)
            if (g.WeightDecay != 0)
                throw new ArgumentException($"{OptimizerName} has no weight_decay; group '{g.Name}' sets {g.WeightDecay}");
    }
}
