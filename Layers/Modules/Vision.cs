using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>torch.nn.PixelShuffle(upscale_factor): (*, C·r², H, W) → (*, C, H·r, W·r), see <see cref="F.PixelShuffle"/>.</summary>
public sealed partial class PixelShuffle(int upscaleFactor) : Module
{
    public int UpscaleFactor { get; } = upscaleFactor;
    public override Tensor Forward(Tensor input) => F.PixelShuffle(input, UpscaleFactor);
    public override string ExtraRepr() => $"upscale_factor={UpscaleFactor}";
}

/// <summary>torch.nn.PixelUnshuffle(downscale_factor): (*, C, H·r, W·r) → (*, C·r², H, W), see <see cref="F.PixelUnshuffle"/>.</summary>
public sealed partial class PixelUnshuffle(int downscaleFactor) : Module
{
    public int DownscaleFactor { get; } = downscaleFactor;
    public override Tensor Forward(Tensor input) => F.PixelUnshuffle(input, DownscaleFactor);
    public override string ExtraRepr() => $"downscale_factor={DownscaleFactor}";
}

/// <summary>torch.nn.ChannelShuffle(groups): ShuffleNet's channel interleave over (N, C, *), see <see cref="F.ChannelShuffle"/>.</summary>
public sealed partial class ChannelShuffle(int groups) : Module
{
    public int Groups { get; } = groups;
    public override Tensor Forward(Tensor input) => F.ChannelShuffle(input, Groups);
    public override string ExtraRepr() => $"groups={Groups}";
}

/// <summary>torch.nn.Unfold(kernel_size, dilation=1, padding=0, stride=1): im2col, (N, C, H, W) or (C, H, W) →
/// (N, C·kh·kw, L) or (C·kh·kw, L), see <see cref="F.Unfold"/>.</summary>
public sealed partial class Unfold(Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null) : Module
{
    public Size2 KernelSize { get; } = kernelSize;
    public Size2 Dilation { get; } = dilation ?? 1;
    public Size2 Padding { get; } = padding ?? 0;
    public Size2 Stride { get; } = stride ?? 1;
    public override Tensor Forward(Tensor input) => F.Unfold(input, KernelSize, Dilation, Padding, Stride);
    public override string ExtraRepr() => $"kernel_size={KernelSize}, dilation={Dilation}, padding={Padding}, stride={Stride}";
}

/// <summary>torch.nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1): col2im, Unfold's adjoint,
/// (N, C·kh·kw, L) or (C·kh·kw, L) → (N, C, OH, OW) or (C, OH, OW), see <see cref="F.Fold"/>.</summary>
public sealed partial class Fold(Size2 outputSize, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null) : Module
{
    public Size2 OutputSize { get; } = outputSize;
    public Size2 KernelSize { get; } = kernelSize;
    public Size2 Dilation { get; } = dilation ?? 1;
    public Size2 Padding { get; } = padding ?? 0;
    public Size2 Stride { get; } = stride ?? 1;
    public override Tensor Forward(Tensor input) => F.Fold(input, OutputSize, KernelSize, Dilation, Padding, Stride);
    public override string ExtraRepr() => $"output_size={OutputSize}, kernel_size={KernelSize}, dilation={Dilation}, padding={Padding}, stride={Stride}";
}

/// <summary>torch.nn.MaxUnpool2d(kernel_size, stride=kernel_size, padding=0): MaxPool2d's partial inverse, called
/// as <see cref="Forward(Tensor, Tensor, int[])"/> with the pooling indices (see <see cref="F.MaxUnpool2d"/>).</summary>
public sealed partial class MaxUnpool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null) : Module
{
    public Size2 KernelSize { get; } = kernelSize;
    public Size2 Stride { get; } = stride ?? kernelSize;
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>Unpooling needs the indices: PyTorch's forward(input, indices, output_size=None).</summary>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{Describe()}: forward needs the pooling indices: call Forward(input, indices, outputSize)");

    public Tensor Forward(Tensor input, Tensor indices, int[]? outputSize = null) =>
        F.MaxUnpool2d(input, indices, KernelSize, Stride, Padding, outputSize);

    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>torch.nn.MaxUnpool1d(kernel_size, stride=kernel_size, padding=0), called as
/// <see cref="Forward(Tensor, Tensor, int[])"/> with the pooling indices (see <see cref="F.MaxUnpool1d"/>).</summary>
public sealed partial class MaxUnpool1d(int kernelSize, int? stride = null, int padding = 0) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;

    /// <summary>Unpooling needs the indices: PyTorch's forward(input, indices, output_size=None).</summary>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{Describe()}: forward needs the pooling indices: call Forward(input, indices, outputSize)");

    public Tensor Forward(Tensor input, Tensor indices, int[]? outputSize = null) =>
        F.MaxUnpool1d(input, indices, KernelSize, Stride, Padding, outputSize);

    public override string ExtraRepr() => $"kernel_size=({KernelSize},), stride=({Stride},), padding=({Padding},)";
}

/// <summary>torch.nn.MaxUnpool3d(kernel_size, stride=kernel_size, padding=0), called as
/// <see cref="Forward(Tensor, Tensor, int[])"/> with the pooling indices (see <see cref="F.MaxUnpool3d"/>).</summary>
public sealed partial class MaxUnpool3d(Size3 kernelSize, Size3? stride = null, Size3? padding = null) : Module
{
    public Size3 KernelSize { get; } = kernelSize;
    public Size3 Stride { get; } = stride ?? kernelSize;
    public Size3 Padding { get; } = padding ?? 0;

    /// <summary>Unpooling needs the indices: PyTorch's forward(input, indices, output_size=None).</summary>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{Describe()}: forward needs the pooling indices: call Forward(input, indices, outputSize)");

    public Tensor Forward(Tensor input, Tensor indices, int[]? outputSize = null) =>
        F.MaxUnpool3d(input, indices, KernelSize, Stride, Padding, outputSize);

    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>torch.nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False): the p-norm of each window,
/// see <see cref="F.LPPool2d"/>.</summary>
public sealed partial class LPPool2d(double normType, Size2 kernelSize, Size2? stride = null, bool ceilMode = false) : Module
{
    public double NormType { get; } = normType;
    public Size2 KernelSize { get; } = kernelSize;
    public Size2? Stride { get; } = stride;
    public bool CeilMode { get; } = ceilMode;
    public override Tensor Forward(Tensor input) => F.LPPool2d(input, NormType, KernelSize, Stride, CeilMode);
    public override string ExtraRepr() =>
        $"norm_type={PyRepr.Float(NormType)}, kernel_size={KernelSize}, stride={(Stride is Size2 s ? s.ToString() : "None")}, ceil_mode={(CeilMode ? "True" : "False")}";
}

/// <summary>torch.nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False), see <see cref="F.LPPool1d"/>.</summary>
public sealed partial class LPPool1d(double normType, int kernelSize, int? stride = null, bool ceilMode = false) : Module
{
    public double NormType { get; } = normType;
    public int KernelSize { get; } = kernelSize;
    public int? Stride { get; } = stride;
    public bool CeilMode { get; } = ceilMode;
    public override Tensor Forward(Tensor input) => F.LPPool1d(input, NormType, KernelSize, Stride, CeilMode);
    public override string ExtraRepr() =>
        $"norm_type={PyRepr.Float(NormType)}, kernel_size={KernelSize}, stride={(Stride is int s ? s.ToString() : "None")}, ceil_mode={(CeilMode ? "True" : "False")}";
}

/// <summary>torch.nn.UpsamplingNearest2d(size=None, scale_factor=None): <see cref="Upsample"/> in mode 'nearest'.</summary>
public sealed class UpsamplingNearest2d(int[]? size = null, double[]? scaleFactor = null) : Upsample(size, scaleFactor, "nearest");

/// <summary>torch.nn.UpsamplingBilinear2d(size=None, scale_factor=None): <see cref="Upsample"/> in mode 'bilinear'
/// with align_corners=True.</summary>
public sealed class UpsamplingBilinear2d(int[]? size = null, double[]? scaleFactor = null) : Upsample(size, scaleFactor, "bilinear", alignCorners: true);
