using Pade.Engine;
using Pade.Layers;
using Pade.Training.StandIns;

namespace Pade.Training.Runs;

/// <summary>The models and activations `pade` builds by name.</summary>
public static class ModelZoo
{
    /// <summary>The names <see cref="CreateModel"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Models = ["lenet", "vgg8", "vgg8-cifar", "mobilenetv2", "resnet101", "densenet121"];

    /// <summary>The activation names of the paper's comparisons (the PAU versions and parameters are also accepted,
    /// e.g. <c>pau:B</c>, <c>lrelu:0.2</c>).</summary>
    public static readonly IReadOnlyList<string> Activations =
        ["relu", "relu6", "lrelu", "rrelu", "elu", "celu", "swish", "prelu", "apl", "srelu", "slaf", "pau", "rpau", "tanh", "sigmoid", "gelu"];

    /// <summary>Builds model <paramref name="name"/> with an activation from <paramref name="activation"/>
    /// (called once per activation layer with its channel count), for images of <paramref name="channels"/>
    /// channels, 32x32, and <paramref name="classes"/> classes.</summary>
    public static Module CreateModel(string name, Func<int, Module> activation, int channels, int classes) =>
        name.Trim().ToLowerInvariant() switch
        {
            "lenet" => new StandInMlp(activation, channels * 32 * 32, classes),
            "vgg8" or "vgg8-cifar" or "mobilenetv2" or "resnet101" or "densenet121" =>
                throw new NotSupportedException($"model '{name}' arrives with the Layers merge"),
            _ => throw new ArgumentException($"unknown model '{name}'; expected one of {string.Join(", ", Models)}"),
        };

    /// <summary>A new activation module for <paramref name="spec"/> with <paramref name="channels"/> channels.</summary>
    public static Module CreateActivation(string spec, int channels) => StandInActivations.Create(spec, channels);

    /// <summary>Checks an activation spec by building one (the message of a bad one names it).</summary>
    public static void ValidateActivation(string spec) => CreateActivation(spec, 1);

    /// <summary>Sets (or clears) the observer that sees every PAU's input (used to record input histograms).</summary>
    public static void SetPauInputObserver(Action<Module, Tensor>? observer) => StandInPau.InputObserver = observer;
}
