using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>Dropout as torch.nn.Dropout: in training zeroes each element with probability p and scales the rest
/// by 1/(1 − p); identity in evaluation. The mask comes from the given Philox generator (or the default one);
/// setting <see cref="FixedMask"/> replaces the random mask (tests, reproducing a step).</summary>
public sealed partial class Dropout : Module
{
    private readonly Generator? _generator;

    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout: probability must be in [0, 1], got {p}");
        P = p;
        _generator = generator;
    }

    public double P { get; }

    /// <summary>When set, training multiplies by this mask (values 0 or 1/(1 − p), broadcast to the input).</summary>
    public Tensor? FixedMask { get; set; }

    public override Tensor Forward(Tensor input)
    {
        if (!Training) return input;
        return FixedMask is Tensor m ? F.DropoutWithMask(input, m) : F.Dropout(input, P, true, _generator);
    }

    public override string ExtraRepr() => $"p={P.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
