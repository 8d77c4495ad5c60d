using Pade.Engine;

namespace Pade.Layers.Models;

/// <summary>
/// ReLU, the models' default activation until the activation library (Pade.Layers.Activations) is plugged in
/// through the factory argument: relu(x) = max(x, 0) as clamp(x, 0, ∞), whose gradient is 1 for x > 0 and 0
/// elsewhere (0 at x = 0, as PyTorch). Named so it never clashes with Activations.ReLU.
/// </summary>
public sealed class DefaultRelu : Module
{
    public override Tensor Forward(Tensor input) => input.Clamp(0, double.PositiveInfinity);
}

/// <summary>Builds the activation module of one position in a network; the argument is the number of channels
/// (or features) there, for activations with per-channel parameters.</summary>
public static class ActivationFactory
{
    /// <summary>The default factory: a parameter-free ReLU everywhere.</summary>
    public static Func<int, Module> Relu { get; } = _ => new DefaultRelu();

    internal static Func<int, Module> OrDefault(Func<int, Module>? f) => f ?? Relu;
}
