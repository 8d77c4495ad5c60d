using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>Max pooling as torch.nn.MaxPool2d (stride defaults to the kernel size); ties send the gradient to the
/// first maximum of the window in row-major order.</summary>
public sealed class MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null) : Module
{
    public Size2 KernelSize { get; } = kernelSize;
    public Size2 Stride { get; } = stride ?? kernelSize;
    public Size2 Padding { get; } = padding ?? 0;

    public override Tensor Forward(Tensor input) =>
        F.MaxPool2d(input, KernelSize, Stride, Padding, PoolInputOk(input, KernelSize, Padding) ? "max_pool2d" : Describe());

    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";

    internal static bool PoolInputOk(Tensor x, Size2 k, Size2 p) =>
        x.Rank == 4 && x.Size(2) + 2 * p.H >= k.H && x.Size(3) + 2 * p.W >= k.W;
}

/// <summary>Average pooling as torch.nn.AvgPool2d; count_include_pad (default true) divides by the full window.</summary>
public sealed class AvgPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool countIncludePad = true) : Module
{
    public Size2 KernelSize { get; } = kernelSize;
    public Size2 Stride { get; } = stride ?? kernelSize;
    public Size2 Padding { get; } = padding ?? 0;
    public bool CountIncludePad { get; } = countIncludePad;

    public override Tensor Forward(Tensor input) =>
        F.AvgPool2d(input, KernelSize, Stride, Padding, CountIncludePad,
            MaxPool2d.PoolInputOk(input, KernelSize, Padding) ? "avg_pool2d" : Describe());

    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>Adaptive average pooling as torch.nn.AdaptiveAvgPool2d: any input size to a fixed output size
/// (1x1 is global average pooling).</summary>
public sealed class AdaptiveAvgPool2d(Size2 outputSize) : Module
{
    public Size2 OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveAvgPool2d(input, OutputSize, input.Rank == 4 ? "adaptive_avg_pool2d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}
