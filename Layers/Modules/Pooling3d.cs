using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>Max pooling as torch.nn.MaxPool3d(kernel_size, stride=kernel_size, padding=0, dilation=1,
/// ceil_mode=False) over [N, C, D, H, W] or [C, D, H, W]; ties send the gradient to the first maximum of the window
/// in row-major order (<see cref="F.MaxPool3d"/>).</summary>
public sealed partial class MaxPool3d(Size3 kernelSize, Size3? stride = null, Size3? padding = null, Size3? dilation = null,
    bool ceilMode = false, bool returnIndices = false) : Module
{
    public Size3 KernelSize { get; } = kernelSize;
    public Size3 Stride { get; } = stride ?? kernelSize;
    public Size3 Padding { get; } = padding ?? 0;
    public Size3 Dilation { get; } = dilation ?? 1;
    public bool CeilMode { get; } = ceilMode;
    /// <summary>PyTorch's return_indices: the module's <see cref="ForwardWithIndices"/> is what PyTorch's forward
    /// returns then; <see cref="Forward"/> returns the output alone either way. (PyTorch's repr omits it.)</summary>
    public bool ReturnIndices { get; } = returnIndices;

    public override Tensor Forward(Tensor input) =>
        F.MaxPool3d(input, KernelSize, Stride, Padding, Dilation, CeilMode,
            PoolInputOk(input, KernelSize, Stride, Padding, Dilation, CeilMode) ? "max_pool3d" : Describe());

    /// <summary>The output and the flat indices id·H·W + ih·W + iw of the maxima (<see cref="F.MaxPool3dWithIndices"/>),
    /// for <see cref="MaxUnpool3d"/>.</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) =>
        F.MaxPool3dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode,
            PoolInputOk(input, KernelSize, Stride, Padding, Dilation, CeilMode) ? "max_pool3d" : Describe());

    public override string ExtraRepr() =>
        $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={CeilMode}";

    /// <summary>The input has a non-empty output: errors then name the op; otherwise they name the layer.</summary>
    internal static bool PoolInputOk(Tensor x, Size3 k, Size3 s, Size3 p, Size3 d, bool ceil) =>
        x.Rank is 4 or 5 && k.D > 0 && k.H > 0 && k.W > 0 && s.D > 0 && s.H > 0 && s.W > 0 && d.D > 0 && d.H > 0 && d.W > 0 &&
        F.PoolOutputSize(x.Size(-3), k.D, s.D, p.D, d.D, ceil) >= 1 && F.PoolOutputSize(x.Size(-2), k.H, s.H, p.H, d.H, ceil) >= 1 &&
        F.PoolOutputSize(x.Size(-1), k.W, s.W, p.W, d.W, ceil) >= 1;
}

/// <summary>Average pooling as torch.nn.AvgPool3d(kernel_size, stride=kernel_size, padding=0, ceil_mode=False,
/// count_include_pad=True, divisor_override=None) over [N, C, D, H, W] or [C, D, H, W] (<see cref="F.AvgPool3d"/>).</summary>
public sealed partial class AvgPool3d : Module
{
    public AvgPool3d(Size3 kernelSize, Size3? stride = null, Size3? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
    {
        if (divisorOverride == 0) throw new ArgumentException("AvgPool3d: divisor_override must not be zero");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding ?? 0;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
    }

    public Size3 KernelSize { get; }
    public Size3 Stride { get; }
    public Size3 Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }
    public int? DivisorOverride { get; }

    public override Tensor Forward(Tensor input) =>
        F.AvgPool3d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride,
            MaxPool3d.PoolInputOk(input, KernelSize, Stride, Padding, 1, CeilMode) && input.Size(-3) >= KernelSize.D && input.Size(-2) >= KernelSize.H
                && input.Size(-1) >= KernelSize.W ? "avg_pool3d" : Describe());

    public override string ExtraRepr() =>
        $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, ceil_mode={CeilMode}, count_include_pad={CountIncludePad}" +
        (DivisorOverride is int d ? $", divisor_override={d}" : "");
}

/// <summary>Adaptive average pooling as torch.nn.AdaptiveAvgPool3d: any input volume to a fixed output size
/// (1 is global average pooling; a null entry keeps that input size).</summary>
public sealed partial class AdaptiveAvgPool3d(AdaptiveSize3 outputSize) : Module
{
    public AdaptiveSize3 OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveAvgPool3d(input, OutputSize, input.Rank is 4 or 5 ? "adaptive_avg_pool3d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>Adaptive max pooling as torch.nn.AdaptiveMaxPool3d (return_indices=False): any input volume to a fixed
/// output size with PyTorch's windows (1 is global max pooling; a null entry keeps that input size).</summary>
public sealed partial class AdaptiveMaxPool3d(AdaptiveSize3 outputSize) : Module
{
    public AdaptiveSize3 OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveMaxPool3d(input, OutputSize, input.Rank is 4 or 5 ? "adaptive_max_pool3d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}
