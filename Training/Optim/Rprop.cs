using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// Rprop as torch.optim.Rprop (same arguments and defaults): each element keeps a step size (starting at lr) that
/// grows by etas.plus while its gradient keeps its sign and shrinks by etas.minus when it flips, clamped to
/// step_sizes; the parameter moves by −sign(g)·step, and after a flip the gradient counts as zero (no move, and the
/// next step neither grows nor shrinks). No weight decay, as in PyTorch. A composition of tensor ops
/// (<see cref="ComposedOptimizer"/>).
/// </summary>
public sealed class Rprop : ComposedOptimizer
{
    public Rprop(IEnumerable<ParamGroup> groups, (double Minus, double Plus)? etas = null, (double Min, double Max)? stepSizes = null,
                 bool maximize = false) : base(groups)
    {
        CheckGroups("Rprop");
        CheckNoWeightDecay();
        Etas = etas ?? (0.5, 1.2);
        StepSizes = stepSizes ?? (1e-6, 50);
        if (!(0 < Etas.Minus && Etas.Minus < 1 && 1 < Etas.Plus))
            throw new ArgumentException($"Rprop: invalid eta values: {Etas.Minus}, {Etas.Plus} (need 0 < etaminus < 1 < etaplus)");
        Maximize = maximize;
    }

    public Rprop(IEnumerable<Tensor> parameters, double lr = 0.01, (double Minus, double Plus)? etas = null, (double Min, double Max)? stepSizes = null,
                 bool maximize = false)
        : this([new ParamGroup(parameters, lr)], etas, stepSizes, maximize) { }

    /// <summary>(etaminus, etaplus): the factors of the step size after a sign flip and after a kept sign.</summary>
    public (double Minus, double Plus) Etas { get; }
    /// <summary>(min, max): the bounds of the step sizes.</summary>
    public (double Min, double Max) StepSizes { get; }
    /// <summary>Maximizes the objective: the gradient is negated first, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override string OptimizerName => "Rprop";
    protected override IReadOnlyList<string> TensorNames => ["prev", "step_size"];

    protected override State Init(ParamGroup group, Tensor p) => new() { Tensors = { ["prev"] = p.ZerosLike(), ["step_size"] = p.FullLike(group.Lr) } };

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, State s)
    {
        s.Step++;
        var g = Maximize ? -grad : grad;
        Tensor prev = s["prev"], stepSize = s["step_size"];
        // PyTorch writes etaplus, etaminus and 1 into sign(g·prev) in place, in that order; the three masks are
        // disjoint (0 < etaminus < 1 < etaplus), so masks of the original signs give the same factors. NaN stays NaN.
        var sign = (g * prev).Sign();
        var etaMinusAt = sign.Lt(0);
        var factor = sign.MaskedFill(sign.Gt(0), Etas.Plus).MaskedFill(etaMinusAt, Etas.Minus).MaskedFill(sign.Eq(sign.ZerosLike()), 1);
        stepSize.CopyFrom((stepSize * factor).Clamp(StepSizes.Min, StepSizes.Max));
        var kept = g.MaskedFill(etaMinusAt, 0);
        p.CopyFrom(p - kept.Sign() * stepSize);
        prev.CopyFrom(kept);
    }
}
