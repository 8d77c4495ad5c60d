// TEMPORARY: stand-ins for Layers (models, Linear, activations, PAU) and Kernels (CudaLibraries) until those
// branches are merged into main. Everything here is deleted after the merge; only ModelZoo/ActivationZoo refer to it.
using Pade.Engine;
using Pade.Layers;

namespace Pade.Training.StandIns;

internal sealed class StandInLinear : Module
{
    public StandInLinear(int inFeatures, int outFeatures)
    {
        double bound = 1 / Math.Sqrt(inFeatures);
        RegisterParameter("weight", Tensor.Rand([outFeatures, inFeatures], -bound, bound));
        RegisterParameter("bias", Tensor.Rand([outFeatures], -bound, bound));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input.Rank > 2 ? input.Flatten(1) : input;
        return Tensor.MatMul(x, Get("weight").T) + Get("bias");
    }
}

/// <summary>An MLP in LeNet's place (no convolutions yet in Engine).</summary>
internal sealed class StandInMlp : Module
{
    public StandInMlp(Func<int, Module> act, int inputs, int classes)
    {
        RegisterModule("fc1", new StandInLinear(inputs, 120));
        RegisterModule("act1", act(120));
        RegisterModule("fc2", new StandInLinear(120, 84));
        RegisterModule("act2", act(84));
        RegisterModule("fc3", new StandInLinear(84, classes));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var m in Children()) x = m.Forward(x);
        return x;
    }
}

internal sealed class StandInRelu : Module
{
    public override Tensor Forward(Tensor input) => Tensor.Maximum(input, Tensor.Scalar(0, input.DType, input.Device));
}

/// <summary>Safe PAU (version A) from elementwise ops, initialised to the LReLU(0.01) column of Table 6.</summary>
internal sealed class StandInPau : Module
{
    public static Action<Module, Tensor>? InputObserver;

    public StandInPau()
    {
        RegisterParameter("numerator", Tensor.FromArray(new[] { 0.02979246, 0.61837738, 2.32335207, 3.05202660, 1.48548002, 0.25103717 }).To(DType.Float32));
        RegisterParameter("denominator", Tensor.FromArray(new[] { 1.14201226, 4.39322834, 0.87154450, 0.34720652 }).To(DType.Float32));
    }

    public override Tensor Forward(Tensor x)
    {
        InputObserver?.Invoke(this, x);
        var a = Get("numerator").To(x.DType);
        var b = Get("denominator").To(x.DType);
        var p = a.Select(0, 5);
        for (int k = 4; k >= 0; k--) p = p * x + a.Select(0, k);
        var ax = x.Abs();
        var q = b.Select(0, 3).Abs();
        for (int k = 2; k >= 0; k--) q = q * ax + b.Select(0, k).Abs();
        q = q * ax + 1.0;
        return p / q;
    }
}

internal static class StandInActivations
{
    public static Module Create(string spec, int channels) => spec switch
    {
        "relu" => new StandInRelu(),
        "pau" => new StandInPau(),
        _ => throw new ArgumentException($"unknown activation '{spec}' (stand-in knows relu, pau)"),
    };
}

