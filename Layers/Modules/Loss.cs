using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// A loss module's <c>reduction</c> argument: PyTorch's strings "none" | "mean" | "sum" (and "batchmean" for
/// <see cref="KLDivLoss"/>), or Pade's <see cref="Engine.Reduction"/> enum; both convert implicitly, so
/// <c>new MSELoss("sum")</c> and <c>new MSELoss(Reduction.Sum)</c> are the same. The default value means "mean",
/// PyTorch's default.
/// </summary>
public readonly struct LossReduction
{
    private readonly string? _name;
    private readonly Reduction? _value;

    private LossReduction(string? name, Reduction? value) { _name = name; _value = value; }

    public static implicit operator LossReduction(string name) => new(name, null);
    public static implicit operator LossReduction(Reduction value) => new(null, value);

    /// <summary>The enum, refusing what PyTorch refuses with its message ("x is not a valid value for reduction");
    /// "batchmean" only where <paramref name="allowBatchMean"/> (KLDivLoss).</summary>
    internal Reduction Resolve(string module, bool allowBatchMean)
    {
        var r = _value ?? (_name ?? "mean") switch
        {
            "none" => Reduction.None,
            "mean" => Reduction.Mean,
            "sum" => Reduction.Sum,
            "batchmean" when allowBatchMean => Reduction.BatchMean,
            var s => throw new ArgumentException($"{module}: {s} is not a valid value for reduction", "reduction"),
        };
        if (r == Reduction.BatchMean && !allowBatchMean)
            throw new ArgumentException($"{module}: batchmean is not a valid value for reduction", "reduction");
        if (!Enum.IsDefined(r))
            throw new ArgumentException($"{module}: {(int)r} is not a valid value for reduction", "reduction");
        return r;
    }
}

/// <summary>
/// Base of the loss modules, as PyTorch's _Loss: holds the reduction. A loss takes an input and a target (some
/// three tensors), so it is called as <c>Forward(input, target)</c>; the one-input Forward of <see cref="Module"/>
/// throws. Like PyTorch's, losses print no extra representation ("MSELoss()").
/// </summary>
public abstract class Loss : Module
{
    protected Loss(LossReduction reduction, bool allowBatchMean = false) =>
        Reduction = reduction.Resolve(GetType().Name, allowBatchMean);

    /// <summary>How the per-element losses are reduced (PyTorch's <c>reduction</c>).</summary>
    public Reduction Reduction { get; }

    /// <summary>PyTorch's string for <see cref="Reduction"/>: "none", "mean", "sum" or "batchmean".</summary>
    public string ReductionName => Reduction switch
    {
        Reduction.None => "none",
        Reduction.Sum => "sum",
        Reduction.BatchMean => "batchmean",
        _ => "mean",
    };

    /// <summary>The number of tensors <c>Forward</c> takes, for the error of the one-input call.</summary>
    protected virtual string Signature => "Forward(input, target)";

    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{Describe()}: a loss takes several inputs, call {Signature}");
}

/// <summary>
/// Base of the losses with a per-class (or per-element) rescaling weight, as PyTorch's _WeightedLoss: the weight is
/// a buffer named "weight" when given (so <see cref="Module.To"/> moves it and the state dict holds it), absent
/// otherwise (PyTorch registers None, which its state dict also leaves out).
/// </summary>
public abstract class WeightedLoss : Loss
{
    protected WeightedLoss(Tensor? weight, LossReduction reduction) : base(reduction)
    {
        if (weight != null) RegisterBuffer("weight", weight);
    }

    /// <summary>The rescaling weight (buffer "weight"), or null.</summary>
    public Tensor? Weight => GetOptional("weight");
}
