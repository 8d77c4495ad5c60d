using Pade.Engine;
using Pade.Engine.Autograd;

namespace Pade.Training.Optim;

/// <summary>A set of parameters with its own hyper-parameters, as a PyTorch param group: the paper trains PAU
/// coefficients with their own learning rate and no weight decay (Appendix A.4.1).</summary>
public sealed class ParamGroup(IEnumerable<Tensor> parameters, double lr, double weightDecay = 0, string name = "default")
{
    public IReadOnlyList<Tensor> Parameters { get; } = parameters.ToList();
    public double Lr { get; set; } = lr;
    /// <summary>The learning rate before any schedule (schedules scale it): PyTorch's <c>initial_lr</c>, the base
    /// rate of the <see cref="LRScheduler"/>s (<see cref="OneCycleLR"/> sets it to max_lr / div_factor, as PyTorch does).</summary>
    public double InitialLr { get; set; } = lr;
    public double WeightDecay { get; set; } = weightDecay;
    public string Name { get; } = name;
}

/// <summary>Base of the optimizers: groups, ZeroGrad, per-parameter state by index, a step counter.</summary>
public abstract class Optimizer
{
    protected Optimizer(IEnumerable<ParamGroup> groups)
    {
        Groups = groups.ToList();
        if (Groups.Count == 0 || Groups.All(g => g.Parameters.Count == 0))
            throw new ArgumentException("optimizer got an empty parameter list");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in Groups.SelectMany(g => g.Parameters))
            if (!seen.Add(p)) throw new ArgumentException($"parameter '{p.Name}' appears in more than one parameter group");
    }

    public IReadOnlyList<ParamGroup> Groups { get; }
    public int StepCount { get; protected set; }

    public void ZeroGrad()
    {
        foreach (var p in Groups.SelectMany(g => g.Parameters)) p.Grad = null;
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public virtual void Step()
    {
        StepCount++;
        using var _ = Tensor.NoGrad();
        foreach (var g in Groups)
            foreach (var p in g.Parameters)
            {
                if (p.Grad == null) continue;
                var grad = p.Grad.Contiguous();
                if (!p.IsContiguous) throw new InvalidOperationException($"optimizer: parameter '{p.Name}' is not contiguous");
                Update(g, p, grad);
                p.Storage.BumpVersion();
            }
    }

    /// <summary>
    /// PyTorch's <c>step(closure)</c>: evaluates <paramref name="closure"/> (which zeroes the gradients, computes the
    /// loss and calls Backward) with gradients enabled, then steps, and returns the closure's loss. <see cref="LBFGS"/>
    /// calls the closure more than once.
    /// </summary>
    public virtual Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        var loss = EvaluateWithGrad(closure);
        Step();
        return loss;
    }

    /// <summary>Runs a closure with gradients enabled even inside a NoGrad scope (PyTorch's <c>torch.enable_grad()</c>
    /// around the closure): NoGrad scopes are counted, so they are lifted and restored around the call.</summary>
    protected static Tensor EvaluateWithGrad(Func<Tensor> closure)
    {
        if (GradMode.IsEnabled) return closure();
        return GradMode.Enabled(closure);
    }

    protected abstract void Update(ParamGroup group, Tensor p, Tensor grad);

    /// <summary>Named state tensors (e.g. "3.exp_avg" for parameter 3), for checkpoints.</summary>
    public abstract Dictionary<string, Tensor> StateDict();

    public abstract void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount);

    protected int IndexOf(Tensor p)
    {
        int i = 0;
        foreach (var q in Groups.SelectMany(g => g.Parameters))
        {
            if (ReferenceEquals(p, q)) return i;
            i++;
        }
        return -1;
    }

    /// <summary>A saved state tensor of parameter <paramref name="index"/> as a fresh tensor of the parameter's dtype
    /// and device; one of another shape (a checkpoint of another model) is refused with both shapes.</summary>
    protected static Tensor Restore(Tensor saved, Tensor p, int index, string what)
    {
        if (!Shapes.SameShape(saved.Shape, p.Shape))
            throw new ArgumentException($"optimizer state '{index}.{what}' has shape {Shapes.Format(saved.Shape)}, parameter {index} ('{p.Name}') has shape {Shapes.Format(p.Shape)}");
        return saved.To(p.DType).To(p.Device).Clone();
    }

    /// <summary>
    /// A parameter's own step count from "i.step" (a float64 scalar, as PyTorch keeps it as a tensor); state written
    /// before Pade kept per-parameter counts has none, and then <paramref name="fallback"/> (the optimizer's count,
    /// which was every parameter's) is used.
    /// </summary>
    protected static int ReadStep(IReadOnlyDictionary<string, Tensor> state, int index, Tensor p, int fallback, string optimizer)
    {
        if (!state.TryGetValue($"{index}.step", out var st)) return fallback;
        double value = st.Item();
        if (!(value >= 0 && value <= int.MaxValue && value == Math.Floor(value)))
            throw new ArgumentException($"{optimizer}: the step of parameter {index} ('{p.Name}') is {value}, not a step count");
        return (int)value;
    }

    /// <summary>PyTorch's checks of a group's learning rate and weight decay ("Invalid learning rate: -1").</summary>
    protected void CheckGroups(string optimizer)
    {
        foreach (var g in Groups)
        {
            if (!(g.Lr >= 0)) throw new ArgumentException($"{optimizer}: invalid learning rate {g.Lr} in group '{g.Name}' (must be ≥ 0)");
            if (!(g.WeightDecay >= 0)) throw new ArgumentException($"{optimizer}: invalid weight_decay {g.WeightDecay} in group '{g.Name}' (must be ≥ 0)");
        }
    }

    protected IEnumerable<(int Index, Tensor Param)> IndexedParameters() =>
        Groups.SelectMany(g => g.Parameters).Select((p, i) => (i, p));
}
