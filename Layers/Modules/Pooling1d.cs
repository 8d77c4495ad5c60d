using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>Max pooling as torch.nn.MaxPool1d(kernel_size, stride=kernel_size, padding=0, dilation=1,
/// ceil_mode=False) over [N, C, L] or [C, L]; ties send the gradient to the first maximum of the window.</summary>
public sealed partial class MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false,
    bool returnIndices = false) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;
    public int Dilation { get; } = dilation;
    public bool CeilMode { get; } = ceilMode;
    /// <summary>PyTorch's return_indices: the module's <see cref="ForwardWithIndices"/> is what PyTorch's forward
    /// returns then; <see cref="Forward"/> returns the output alone either way. (PyTorch's repr omits it.)</summary>
    public bool ReturnIndices { get; } = returnIndices;

    public override Tensor Forward(Tensor input) => ForwardWithIndices(input).Output;

    /// <summary>The output and the positions of the maxima (<see cref="F.MaxPool1dWithIndices"/>), for
    /// <see cref="MaxUnpool1d"/>.</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) =>
        F.MaxPool1dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode,
            PoolInputOk(input, KernelSize, Stride, Padding, Dilation, CeilMode) ? "max_pool1d" : Describe());

    /// <summary>PyTorch's _MaxPoolNd.extra_repr (MaxPool1d keeps its arguments as given: ints).</summary>
    public override string ExtraRepr() =>
        $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={(CeilMode ? "True" : "False")}";

    /// <summary>The input has a non-empty output: errors then name the op; otherwise they name the layer.</summary>
    internal static bool PoolInputOk(Tensor x, int k, int s, int p, int d, bool ceil) =>
        x.Rank is 2 or 3 && k > 0 && s > 0 && d > 0 && p >= 0 && p <= k / 2 && F.PoolOutputSize(x.Size(-1), k, s, p, d, ceil) >= 1;
}

/// <summary>Average pooling as torch.nn.AvgPool1d(kernel_size, stride=kernel_size, padding=0, ceil_mode=False,
/// count_include_pad=True) over [N, C, L] or [C, L] (PyTorch's 1-D pool has no divisor_override).</summary>
public sealed partial class AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;
    public bool CeilMode { get; } = ceilMode;
    public bool CountIncludePad { get; } = countIncludePad;

    public override Tensor Forward(Tensor input) =>
        F.AvgPool1d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad,
            MaxPool1d.PoolInputOk(input, KernelSize, Stride, Padding, 1, CeilMode) ? "avg_pool1d" : Describe());

    /// <summary>PyTorch's _AvgPoolNd.extra_repr; AvgPool1d keeps its sizes as 1-tuples.</summary>
    public override string ExtraRepr() => $"kernel_size=({KernelSize},), stride=({Stride},), padding=({Padding},)";
}

/// <summary>Adaptive average pooling as torch.nn.AdaptiveAvgPool1d: any length to a fixed output length (1 is
/// global average pooling).</summary>
public sealed partial class AdaptiveAvgPool1d(int outputSize) : Module
{
    public int OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveAvgPool1d(input, OutputSize, input.Rank is 2 or 3 ? "adaptive_avg_pool1d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>Adaptive max pooling as torch.nn.AdaptiveMaxPool1d (return_indices=False): any length to a fixed output
/// length with PyTorch's windows (1 is global max pooling).</summary>
public sealed partial class AdaptiveMaxPool1d(int outputSize) : Module
{
    public int OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        F.AdaptiveMaxPool1d(input, OutputSize, input.Rank is 2 or 3 ? "adaptive_max_pool1d" : Describe());

    public override string ExtraRepr() => $"output_size={OutputSize}";
}
