using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>The fused PAU kernels (<see cref="PauKernel{T}"/>).</summary>
public sealed partial class CpuBackend
{
    public override void PauForward(Tensor x, Tensor numerator, Tensor denominator, Tensor y, PauVersion version,
        ChannelLayout layout, PauNoise noise)
    {
        if (IsSingle(x)) PauKernel<float>.Forward(x, numerator, denominator, y, version, layout, noise);
        else PauKernel<double>.Forward(x, numerator, denominator, y, version, layout, noise);
    }

    public override void PauBackward(Tensor x, Tensor dy, Tensor numerator, Tensor denominator, Tensor dx, Tensor dnumerator,
        Tensor ddenominator, PauVersion version, ChannelLayout layout, PauNoise noise)
    {
        if (IsSingle(x)) PauKernel<float>.Backward(x, dy, numerator, denominator, dx, dnumerator, ddenominator, version, layout, noise);
        else PauKernel<double>.Backward(x, dy, numerator, denominator, dx, dnumerator, ddenominator, version, layout, noise);
    }
}
