using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Adadelta as torch.optim.Adadelta (same arguments and defaults, lr = 1.0): a running mean of g² (square_avg) and
/// of the squared steps (acc_delta) scale the step by √(acc_delta + eps) / √(square_avg + eps). A composition of
/// tensor ops (<see cref="ComposedOptimizer"/>); a parameter without a gradient is skipped.
/// </summary>
public sealed class Adadelta : ComposedOptimizer
{
    public Adadelta(IEnumerable<ParamGroup> groups, double rho = 0.9, double eps = 1e-6, bool maximize = false) : base(groups)
    {
        CheckGroups("Adadelta");
        if (!(rho >= 0 && rho <= 1)) throw new ArgumentException($"Adadelta: invalid rho value {rho} (must lie in [0, 1])");
        CheckEps(eps);
        Rho = rho; Eps = eps; Maximize = maximize;
    }

    public Adadelta(IEnumerable<Tensor> parameters, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], rho, eps, maximize) { }

    /// <summary>The smoothing constant of both running means.</summary>
    public double Rho { get; }
    public double Eps { get; }
    /// <summary>Maximizes the objective: the gradient is negated before weight decay, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override string OptimizerName => "Adadelta";
    protected override IReadOnlyList<string> TensorNames => ["square_avg", "acc_delta"];

    protected override State Init(ParamGroup group, Tensor p) => new() { Tensors = { ["square_avg"] = p.ZerosLike(), ["acc_delta"] = p.ZerosLike() } };

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, State s)
    {
        s.Step++;
        var g = Grad(grad, p, Maximize, group.WeightDecay);
        Tensor squareAvg = s["square_avg"], accDelta = s["acc_delta"];
        squareAvg.CopyFrom(squareAvg * Rho + g * g * (1 - Rho));
        var std = (squareAvg + Eps).Sqrt();
        var delta = (accDelta + Eps).Sqrt() / std * g;
        accDelta.CopyFrom(accDelta * Rho + delta * delta * (1 - Rho));
        p.Add_(delta, -group.Lr);
    }
}
