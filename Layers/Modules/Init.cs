using Pade.Engine;

namespace Pade.Layers;

/// <summary>Parameter initialisers (torch.nn.init), drawing from the Philox generator given (or the default one).</summary>
public static class Init
{
    /// <summary>
    /// PyTorch's default for Linear and Conv2d: kaiming_uniform_(a = √5), i.e. U(−bound, bound) with
    /// bound = gain·√(3/fan_in), gain = √(2/(1 + a²)) = √(1/3), which is bound = 1/√fan_in. The bias uses the
    /// same bound. fan_in = in_features, or in_channels/groups · kH · kW for a convolution.
    /// </summary>
    public static Tensor DefaultUniform(int[] shape, int fanIn, Generator? generator = null)
    {
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        return Tensor.Rand(shape, -bound, bound, DType.Float32, null, generator);
    }
}
