using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>Max pooling as torch.nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0, dilation=1,
/// ceil_mode=False); ties send the gradient to the first maximum of the window in row-major order.</summary>
public sealed partial class MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null,
    bool ceilMode = false, bool returnIndices = false) : Module
{
    public Size2 KernelSize { get; } = kernelSize;
    public Size2 Stride { get; } = stride ?? kernelSize;
    public Size2 Padding { get; } = padding ?? 0;
    public Size2 Dilation { get; } = dilation ?? 1;
    public bool CeilMode { get; } = ceilMode;
    /// <summary>PyTorch's return_indices: the module's <see cref="ForwardWithIndices"/> is what PyTorch's forward
    /// returns then; <see cref="Forward"/> returns the output alone either way. (PyTorch's repr omits it.)</summary>
    public bool ReturnIndices { get; } = returnIndices;

    public override Tensor Forward(Tensor input) => ForwardWithIndices(input).Output;

    /// <summary>The output and the flat indices ih·W + iw of the maxima (<see cref="F.MaxPool2dWithIndices"/>), for
    /// <see cref="MaxUnpool2d"/>.</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) =>
        F.MaxPool2dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode,
            PoolInputOk(input, KernelSize, Stride, Padding, Dilation, CeilMode) ? "max_pool2d" : Describe());

    public override string ExtraRepr() =>
        $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={CeilMode}";

    /// <summary>The input has a non-empty output: errors then name the op; otherwise they name the layer.</summary>
    internal static bool PoolInputOk(Tensor x, Size2 k, Size2 s, Size2 p, Size2 d, bool ceil) =>
        x.Rank is 3 or 4 && k.H > 0 && k.W > 0 && s.H > 0 && s.W > 0 && d.H > 0 && d.W > 0 &&
        F.PoolOutputSize(x.Size(-2), k.H, s.H, p.H, d.H, ceil) >= 1 && F.PoolOutputSize(x.Size(-1), k.W, s.W, p.W, d.W, ceil) >= 1;
}

/// <summary>Average pooling as torch.nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0, ceil_mode=False,
/// count_include_pad=True, divisor_override=None): count_include_pad divides by the window clipped to the padded
/// image, otherwise by the positions inside the image; divisor_override (nonzero) replaces either.</summary>
public sealed partial class AvgPool2d : Module
{
    public AvgPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
    {
        if (divisorOverride == 0) throw new ArgumentException("AvgPool2d: divisor_override must not be zero");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding ?? 0;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
    }

    public Size2 KernelSize { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }
    public int? DivisorOverride { get; }

    public override Tensor Forward(Tensor input) =>
        F.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride,
            MaxPool2d.PoolInputOk(input, KernelSize, Stride, Padding, 1, CeilMode) ? "avg_pool2d" : Describe());

    public override string ExtraRepr() =>
        $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, ceil_mode={CeilMode}, count_include_pad={CountIncludePad}" +
        (DivisorOverride is int d ? $", divisor_override={d}" : "");
}

/// <summary>Adaptive average pooling as torch.nn.AdaptiveAvgPool2d: any input size to a fixed output size
/// (1x1 is global average pooling; a null entry keeps that input size).</summary>
public sealed partial class AdaptiveAvgPool2d(AdaptiveSize2 outputSize) : Module
{
    public AdaptiveSize2 OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveAvgPool2d(input, OutputSize, input.Rank is 3 or 4 ? "adaptive_avg_pool2d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>Adaptive max pooling as torch.nn.AdaptiveMaxPool2d (return_indices=False): any input size to a fixed
/// output size with PyTorch's windows (1x1 is global max pooling; a null entry keeps that input size).</summary>
public sealed partial class AdaptiveMaxPool2d(AdaptiveSize2 outputSize) : Module
{
    public AdaptiveSize2 OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveMaxPool2d(input, OutputSize, input.Rank is 3 or 4 ? "adaptive_max_pool2d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}
