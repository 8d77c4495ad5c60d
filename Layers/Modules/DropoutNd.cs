using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>The dropout modules after <see cref="Dropout"/> (torch.nn's _DropoutNd): a probability p in [0, 1],
/// a generator for the masks (null: <see cref="Generator.Default"/>), identity in evaluation.</summary>
public abstract class DropoutNd : Module
{
    protected DropoutNd(double p, Generator? generator)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{GetType().Name}: dropout probability has to be between 0 and 1, but got {p}");
        P = p;
        Generator = generator;
    }

    public double P { get; }

    /// <summary>Source of the masks (null: <see cref="Engine.Generator.Default"/>).</summary>
    public Generator? Generator { get; set; }

    public override string ExtraRepr() => $"p={PyRepr.Float(P)}";
}

/// <summary>nn.Dropout1d: zeroes whole channels of [N, C, L] or [C, L] with probability p, scaling the rest by
/// 1/(1 − p) (see <see cref="F.Dropout1d"/>).</summary>
public sealed partial class Dropout1d(double p = 0.5, Generator? generator = null) : DropoutNd(p, generator)
{
    public override Tensor Forward(Tensor input) => F.Dropout1d(input, P, Training, Generator);
}

/// <summary>nn.Dropout2d: zeroes whole channels of [N, C, H, W] with probability p, scaling the rest by 1/(1 − p);
/// a 3-D input is read as [N, C, L], as PyTorch does (see <see cref="F.Dropout2d"/>).</summary>
public sealed partial class Dropout2d(double p = 0.5, Generator? generator = null) : DropoutNd(p, generator)
{
    public override Tensor Forward(Tensor input) => F.Dropout2d(input, P, Training, Generator);
}

/// <summary>nn.Dropout3d: zeroes whole channels of [N, C, D, H, W] or [C, D, H, W] with probability p, scaling
/// the rest by 1/(1 − p) (see <see cref="F.Dropout3d"/>).</summary>
public sealed partial class Dropout3d(double p = 0.5, Generator? generator = null) : DropoutNd(p, generator)
{
    public override Tensor Forward(Tensor input) => F.Dropout3d(input, P, Training, Generator);
}

/// <summary>nn.AlphaDropout, for SELU networks: drops elements to SELU's saturation value and corrects the result
/// affinely so a zero-mean, unit-variance input keeps both (see <see cref="F.AlphaDropout"/>).</summary>
public sealed partial class AlphaDropout(double p = 0.5, Generator? generator = null) : DropoutNd(p, generator)
{
    public override Tensor Forward(Tensor input) => F.AlphaDropout(input, P, Training, Generator);
}

/// <summary>nn.FeatureAlphaDropout: <see cref="AlphaDropout"/> of whole channels of [N, C, *] (see
/// <see cref="F.FeatureAlphaDropout"/>).</summary>
public sealed partial class FeatureAlphaDropout(double p = 0.5, Generator? generator = null) : DropoutNd(p, generator)
{
    public override Tensor Forward(Tensor input) => F.FeatureAlphaDropout(input, P, Training, Generator);
}
