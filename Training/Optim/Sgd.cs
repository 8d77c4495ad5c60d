using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>Stochastic gradient descent with momentum, dampening, Nesterov, L2 weight decay and <c>maximize</c>
/// (PyTorch's SGD); the update is one fused kernel, <see cref="Backend.SgdStep"/>.</summary>
public sealed class Sgd : Optimizer
{
    private readonly Dictionary<int, Tensor> _momentum = [];

    public Sgd(IEnumerable<ParamGroup> groups, double momentum = 0, double dampening = 0, bool nesterov = false, bool maximize = false) : base(groups)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("SGD: Nesterov momentum needs momentum > 0 and dampening = 0");
        Momentum = momentum; Dampening = dampening; Nesterov = nesterov; Maximize = maximize;
    }

    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : this([new ParamGroup(parameters, lr, weightDecay)], momentum, 0, nesterov, maximize) { }

    /// <summary>Settable so that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> can cycle it (PyTorch's group "momentum").</summary>
    public double Momentum { get; set; }
    public double Dampening { get; }
    public bool Nesterov { get; }

    /// <summary>Maximizes the objective: the gradient is negated before weight decay and momentum, as PyTorch does.</summary>
    public bool Maximize { get; }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad)
    {
        Tensor? buf = null;
        bool first = false;
        if (Momentum != 0)
        {
            int i = IndexOf(p);
            if (!_momentum.TryGetValue(i, out buf)) { buf = p.ZerosLike(); _momentum[i] = buf; first = true; }
        }
        p.Backend.SgdStep(p, grad, buf, group.Lr, Momentum, Dampening, Nesterov, group.WeightDecay, Maximize, first);
    }

    public override Dictionary<string, Tensor> StateDict() => _momentum.ToDictionary(kv => $"{kv.Key}.momentum_buffer", kv => kv.Value);

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var loaded = new Dictionary<int, Tensor>();
        foreach (var (i, p) in IndexedParameters())
            if (state.TryGetValue($"{i}.momentum_buffer", out var b)) loaded[i] = Restore(b, p, i, "momentum_buffer");
        StepCount = stepCount;
        _momentum.Clear();
        foreach (var (i, b) in loaded) _momentum[i] = b;
    }
}
