// TEMPORARY: stand-ins for Layers' activations (ReLU, PAU) until that branch is merged into main. Deleted after
// the merge; only ModelZoo refers to it.
using Pade.Engine;
using Pade.Layers;

namespace Pade.Training.StandIns;

internal sealed class StandInRelu : Module
{
    public override Tensor Forward(Tensor input) => Tensor.Maximum(input, Tensor.Scalar(0, input.DType, input.Device));
}

/// <summary>Safe PAU (version A) from elementwise ops, initialised to the LReLU(0.01) column of Table 6.</summary>
internal sealed class StandInPau : Module
{
    public StandInPau()
    {
        RegisterParameter("numerator", Tensor.FromArray(new[] { 0.02979246, 0.61837738, 2.32335207, 3.05202660, 1.48548002, 0.25103717 }).To(DType.Float32));
        RegisterParameter("denominator", Tensor.FromArray(new[] { 1.14201226, 4.39322834, 0.87154450, 0.34720652 }).To(DType.Float32));
    }

    public override Tensor Forward(Tensor x)
    {
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

