using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Averaged SGD as torch.optim.ASGD (same arguments and defaults, lr = 0.01): SGD with the step size
/// eta = lr / (1 + lambd·lr·t)^alpha, a decay of the parameter by 1 − lambd·eta, and a running average of the
/// iterates (ax) that starts at step t0 (mu = 1 / max(1, t − t0)). The state is PyTorch's: eta, mu (scalars), ax
/// and step. A composition of tensor ops (<see cref="ComposedOptimizer"/>); a parameter without a gradient is skipped.
/// </summary>
public sealed class ASGD : ComposedOptimizer
{
    public ASGD(IEnumerable<ParamGroup> groups, double lambd = 1e-4, double alpha = 0.75, double t0 = 1e6, bool maximize = false) : base(groups)
    {
        CheckGroups("ASGD");
        Lambd = lambd; Alpha = alpha; T0 = t0; Maximize = maximize;
    }

    public ASGD(IEnumerable<Tensor> parameters, double lr = 0.01, double lambd = 1e-4, double alpha = 0.75, double t0 = 1e6, double weightDecay = 0,
                bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], lambd, alpha, t0, maximize) { }

    /// <summary>The decay term.</summary>
    public double Lambd { get; }
    /// <summary>The power of the eta update.</summary>
    public double Alpha { get; }
    /// <summary>The step at which averaging starts.</summary>
    public double T0 { get; }
    /// <summary>Maximizes the objective: the gradient is negated before weight decay, as PyTorch does.</summary>
    public bool Maximize { get; }

    /// <summary>The averaged iterate of parameter <paramref name="p"/> (PyTorch's state "ax"), or null before its first step.</summary>
    public Tensor? Average(Tensor p)
    {
        var d = StateDict();
        return d.TryGetValue($"{IndexOf(p)}.ax", out var ax) ? ax : null;
    }

    protected override string OptimizerName => "ASGD";
    protected override IReadOnlyList<string> TensorNames => ["ax"];
    protected override IReadOnlyList<string> ScalarNames => ["eta", "mu"];

    protected override State Init(ParamGroup group, Tensor p) => new() { Tensors = { ["ax"] = p.ZerosLike() }, Scalars = { ["eta"] = group.Lr, ["mu"] = 1.0 } };

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, State s)
    {
        int step = ++s.Step;
        double lr = group.Lr, eta = s.Scalars["eta"], mu = s.Scalars["mu"];
        var g = Grad(grad, p, Maximize, group.WeightDecay);
        p.Mul_(1 - Lambd * eta);
        p.Add_(g, -eta);
        var ax = s["ax"];
        if (mu != 1) ax.CopyFrom(ax + (p - ax) * mu);
        else ax.CopyFrom(p);
        s.Scalars["eta"] = lr / Math.Pow(1 + Lambd * lr * step, Alpha);
        s.Scalars["mu"] = 1 / Math.Max(1, step - T0);
    }
}
