using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

// The activations that act along a dim, and Threshold, as torch.nn's modules. Each forwards to its op in
// Pade.Engine.Functional.F, whose comment holds the formula and derivative.

/// <summary>nn.Softmax: softmax along <see cref="Dim"/>; null takes PyTorch's legacy implicit dim
/// (<see cref="F.ImplicitSoftmaxDim"/>: 0 for 0-, 1- and 3-D inputs, else 1).</summary>
public sealed partial class Softmax(int? dim = null) : Module
{
    public int? Dim { get; } = dim;
    public override Tensor Forward(Tensor input) => F.Softmax(input, Dim);
    public override string ExtraRepr() => $"dim={DimRepr.Of(Dim)}";
}

/// <summary>nn.LogSoftmax: log-softmax along <see cref="Dim"/> (null: the legacy implicit dim, as nn.Softmax).</summary>
public sealed partial class LogSoftmax(int? dim = null) : Module
{
    public int? Dim { get; } = dim;
    public override Tensor Forward(Tensor input) => F.LogSoftmax(input, Dim);
    public override string ExtraRepr() => $"dim={DimRepr.Of(Dim)}";
}

/// <summary>nn.Softmin: softmax(−x) along <see cref="Dim"/> (null: the legacy implicit dim, as nn.Softmax).</summary>
public sealed partial class Softmin(int? dim = null) : Module
{
    public int? Dim { get; } = dim;
    public override Tensor Forward(Tensor input) => F.Softmin(input, Dim);
    public override string ExtraRepr() => $"dim={DimRepr.Of(Dim)}";
}

/// <summary>nn.Softmax2d: softmax over the channels (dim −3) at every position of [N, C, H, W] or [C, H, W].</summary>
public sealed partial class Softmax2d : Module
{
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"{Describe()}: expected input to be 3D or 4D, got {input.Rank}D instead (shape {Shapes.Format(input.Shape)})");
        return F.Softmax(input, -3);
    }
}

/// <summary>nn.GLU: a ⊙ σ(b) for the halves a, b of the input along <see cref="Dim"/> (default −1).</summary>
public sealed partial class GLU(int dim = -1) : Module
{
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor input) => F.Glu(input, Dim);
    public override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>nn.Threshold: x where x &gt; threshold, else value.</summary>
public sealed partial class Threshold(double threshold, double value) : Module
{
    /// <summary>PyTorch's <c>threshold</c> attribute (C# forbids a member named as its class).</summary>
    public double ThresholdValue { get; } = threshold;
    public double Value { get; } = value;
    public override Tensor Forward(Tensor input) => F.Threshold(input, ThresholdValue, Value);

    /// <summary>"threshold=0.1, value=20.0", as PyTorch prints it.</summary>
    public override string ExtraRepr() => $"threshold={PyRepr.Float(ThresholdValue)}, value={PyRepr.Float(Value)}";
}

file static class DimRepr
{
    public static string Of(int? dim) => dim is int d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None";
}
