using Pade.Layers.Activations;

namespace Pade.Layers.Models;

/// <summary>Builds the activation module of one position in a network; the argument is the number of channels
/// (or features) there, for activations with per-channel parameters (e.g. <c>c => new PReLU(c)</c>, or
/// <c>c => Activations.Activations.Create("pau", c)</c>).</summary>
public static class ActivationFactory
{
    /// <summary>The default factory: ReLU everywhere.</summary>
    public static Func<int, Module> Relu { get; } = _ => new ReLU();

    internal static Func<int, Module> OrDefault(Func<int, Module>? f) => f ?? Relu;
}
