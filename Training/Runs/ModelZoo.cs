using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Activations;
using Pade.Layers.Models;

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
            "lenet" => new LeNet(activation, channels, classes),
            "vgg8" => new Vgg8(activation, channels, classes),
            "vgg8-cifar" => new Vgg8Cifar(activation, channels, classes),
            "mobilenetv2" => new MobileNetV2(activation, channels, classes),
            // The factories fix 3 input channels; the constructors take any (MNIST has 1).
            "resnet101" => new ResNet([3, 4, 23, 3], activation, channels, classes),
            "densenet121" => new DenseNet([6, 12, 24, 16], 32, 0.5, activation, channels, classes),
            _ => throw new ArgumentException($"unknown model '{name}'; expected one of {string.Join(", ", Models)}"),
        };

    /// <summary>A new activation module for <paramref name="spec"/> with <paramref name="channels"/> channels.</summary>
    public static Module CreateActivation(string spec, int channels) => Pade.Layers.Activations.Activations.Create(spec, channels);

    /// <summary>Checks an activation spec by building one (the message of a bad one names it).</summary>
    public static void ValidateActivation(string spec) => CreateActivation(spec, 1);
}
