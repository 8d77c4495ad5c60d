using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers.Onnx;

namespace Pade.Layers;

// The ONNX forms of the 1-D layers (docs/onnx.md): the same ops as their 2-D twins (Modules.Onnx.cs) with one spatial
// axis in every attribute, on [N, C, L] inputs.

public sealed partial class Conv1d : IOnnxExportable
{
    /// <summary>Conv with 1-D attributes; padding="same" with an odd reach puts its extra element in the end pad.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != 3 || x.Channels != InChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {InChannels}, L], got {x}");
        // A padding mode other than zeros: F.pad's nodes, then the convolution without padding, as the forward.
        bool padFirst = PaddingMode != "zeros";
        if (padFirst && Padding + PaddingExtra != 0) x = OnnxPadding.Emit(onnx, this, x, [.. ReversedPaddingRepeatedTwice], PaddingMode, 0);
        int extra = padFirst ? 0 : PaddingExtra, padding = padFirst ? 0 : Padding;
        int ol = (x.Shape[2] + extra + 2 * padding - Dilation * (KernelSize - 1) - 1) / Stride + 1;
        if (x.Shape[2] + extra + 2 * padding < Dilation * (KernelSize - 1) + 1)
            throw OnnxEmitter.Error(this, $"input {x} is shorter than the dilated kernel {KernelSize}");
        OnnxValue[] inputs = Bias is Tensor b
            ? [x, onnx.Parameter(this, "weight", Weight), onnx.Parameter(this, "bias", b)]
            : [x, onnx.Parameter(this, "weight", Weight)];
        return onnx.Op("Conv", inputs, [x.Shape[0], OutChannels, ol],
            OnnxAttribute.Ints("kernel_shape", KernelSize),
            OnnxAttribute.Ints("strides", Stride),
            OnnxAttribute.Ints("pads", padding, padding + extra),
            OnnxAttribute.Ints("dilations", Dilation),
            OnnxAttribute.Int("group", Groups));
    }
}

/// <summary>ConvTranspose with 1-D attributes, written as <see cref="ConvTranspose2d"/>'s: an output_padding below the
/// stride is ONNX's attribute; one at or beyond it (allowed below the dilation) crops the full result by P before and
/// P − OP after, pads zeros past it where OP &gt; P, and adds the bias after.</summary>
public sealed partial class ConvTranspose1d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != 3 || x.Channels != InChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {InChannels}, L], got {x}");
        int ol = OutputSize(x.Shape[2]);
        if (ol < 1) throw OnnxEmitter.Error(this, $"input {x} gives an output length of {ol}, which is too small");
        var weight = onnx.Parameter(this, "weight", Weight);
        OnnxAttribute[] common =
        [
            OnnxAttribute.Ints("kernel_shape", KernelSize),
            OnnxAttribute.Ints("strides", Stride),
            OnnxAttribute.Ints("dilations", Dilation),
            OnnxAttribute.Int("group", Groups),
        ];
        int[] shape = [x.Shape[0], OutChannels, ol];
        if (OutputPadding < Stride)
            return onnx.Op("ConvTranspose", Bias is Tensor b ? [x, weight, onnx.Parameter(this, "bias", b)] : [x, weight], shape,
                [.. common, OnnxAttribute.Ints("pads", Padding, Padding), OnnxAttribute.Ints("output_padding", OutputPadding)]);
        int beyond = Math.Max(0, OutputPadding - Padding);
        var y = onnx.Op("ConvTranspose", [x, weight], [x.Shape[0], OutChannels, ol - beyond],
            [.. common, OnnxAttribute.Ints("pads", Padding, Padding - OutputPadding + beyond)]);
        if (beyond > 0) y = onnx.Op("Pad", [y, onnx.Int64s([0, 0, 0, 0, 0, beyond])], shape);
        return Bias is Tensor bias ? onnx.Add(y, onnx.ChannelVector(this, "bias", bias, y)) : y;
    }
}

public sealed partial class MaxPool1d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Op("MaxPool", [x], AvgPool1d.PoolShape(this, x, KernelSize, Stride, Padding, Dilation, CeilMode),
            OnnxAttribute.Ints("kernel_shape", KernelSize),
            OnnxAttribute.Ints("strides", Stride),
            OnnxAttribute.Ints("pads", Padding, Padding),
            OnnxAttribute.Ints("dilations", Dilation),
            OnnxAttribute.Int("ceil_mode", CeilMode ? 1 : 0));
}

public sealed partial class AvgPool1d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Op("AveragePool", [x], PoolShape(this, x, KernelSize, Stride, Padding, 1, CeilMode),
            OnnxAttribute.Ints("kernel_shape", KernelSize),
            OnnxAttribute.Ints("strides", Stride),
            OnnxAttribute.Ints("pads", Padding, Padding),
            OnnxAttribute.Int("ceil_mode", CeilMode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", CountIncludePad ? 1 : 0));

    /// <summary>[N, C, OL] of a pooling window over x [N, C, L] (<see cref="F.PoolOutputSize"/>); an empty output or
    /// a bad input throws naming <paramref name="owner"/>.</summary>
    internal static int[] PoolShape(Module owner, OnnxValue x, int k, int s, int p, int d, bool ceil)
    {
        if (x.Rank != 3) throw OnnxEmitter.Error(owner, $"expected input [N, C, L], got {x}");
        int ol = F.PoolOutputSize(x.Shape[2], k, s, p, d, ceil);
        if (ol < 1) throw OnnxEmitter.Error(owner, $"a window of {k} leaves no output on input {x}");
        return [x.Shape[0], x.Shape[1], ol];
    }
}

public sealed partial class AdaptiveAvgPool1d : IOnnxExportable
{
    /// <summary>Output 1: GlobalAveragePool; an output size that divides the input: AveragePool with window and stride
    /// L/output (the same windows). Other sizes have uneven windows and no single ONNX op.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        int k = AdaptiveWindow(this, x, OutputSize);
        return OutputSize == 1
            ? onnx.Op("GlobalAveragePool", [x], [x.Shape[0], x.Shape[1], 1])
            : onnx.Op("AveragePool", [x], [x.Shape[0], x.Shape[1], OutputSize],
                OnnxAttribute.Ints("kernel_shape", k), OnnxAttribute.Ints("strides", k));
    }

    /// <summary>The even window (and stride) of a 1-D adaptive pool whose output size divides the input's length;
    /// uneven windows throw.</summary>
    internal static int AdaptiveWindow(Module owner, OnnxValue x, int outputSize)
    {
        if (x.Rank != 3) throw OnnxEmitter.Error(owner, $"expected input [N, C, L], got {x}");
        int l = x.Shape[2];
        if (outputSize < 1 || l % outputSize != 0)
            throw OnnxEmitter.Error(owner, $"output size {outputSize} does not divide the input {x}: the windows are uneven and have no ONNX form");
        return l / outputSize;
    }
}

public sealed partial class AdaptiveMaxPool1d : IOnnxExportable
{
    /// <summary>Output 1: GlobalMaxPool; an output size that divides the input: MaxPool with window and stride
    /// L/output. Other sizes are not exportable.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        int k = AdaptiveAvgPool1d.AdaptiveWindow(this, x, OutputSize);
        return OutputSize == 1
            ? onnx.Op("GlobalMaxPool", [x], [x.Shape[0], x.Shape[1], 1])
            : onnx.Op("MaxPool", [x], [x.Shape[0], x.Shape[1], OutputSize], OnnxAttribute.Ints("kernel_shape", k), OnnxAttribute.Ints("strides", k));
    }
}
