using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers.Onnx;

namespace Pade.Layers;

// The ONNX forms of the 3-D layers: ONNX's Conv, ConvTranspose, MaxPool and AveragePool take any number of spatial
// axes, so each is its 2-D twin's form with a third entry in every attribute (docs/onnx.md).

public sealed partial class Conv3d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != 5 || x.Channels != InChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {InChannels}, D, H, W], got {x}");
        bool padFirst = PaddingMode != "zeros";
        if (padFirst) x = OnnxPadding.Emit(onnx, this, x, [.. ReversedPaddingRepeatedTwice], PaddingMode, 0);
        Size3 extra = padFirst ? 0 : PaddingExtra, p = padFirst ? 0 : Padding;
        int[] o =
        [
            (x.Shape[2] + extra.D + 2 * p.D - Dilation.D * (KernelSize.D - 1) - 1) / Stride.D + 1,
            (x.Shape[3] + extra.H + 2 * p.H - Dilation.H * (KernelSize.H - 1) - 1) / Stride.H + 1,
            (x.Shape[4] + extra.W + 2 * p.W - Dilation.W * (KernelSize.W - 1) - 1) / Stride.W + 1,
        ];
        if (o.Any(v => v < 1)) throw OnnxEmitter.Error(this, $"input {x} is smaller than the dilated kernel {KernelSize}");
        OnnxValue[] inputs = Bias is Tensor b
            ? [x, onnx.Parameter(this, "weight", Weight), onnx.Parameter(this, "bias", b)]
            : [x, onnx.Parameter(this, "weight", Weight)];
        return onnx.Op("Conv", inputs, [x.Shape[0], OutChannels, .. o],
            OnnxAttribute.Ints("kernel_shape", KernelSize.D, KernelSize.H, KernelSize.W),
            OnnxAttribute.Ints("strides", Stride.D, Stride.H, Stride.W),
            OnnxAttribute.Ints("pads", p.D, p.H, p.W, p.D + extra.D, p.H + extra.H, p.W + extra.W),
            OnnxAttribute.Ints("dilations", Dilation.D, Dilation.H, Dilation.W),
            OnnxAttribute.Int("group", Groups));
    }
}

/// <summary>ConvTranspose as <see cref="ConvTranspose2d"/>'s form: an output_padding below the stride is ONNX's
/// attribute; one at or beyond it is written out as the cropped full result padded with zeros, the bias added after.</summary>
public sealed partial class ConvTranspose3d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != 5 || x.Channels != InChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {InChannels}, D, H, W], got {x}");
        int[] s = [Stride.D, Stride.H, Stride.W], p = [Padding.D, Padding.H, Padding.W], op = [OutputPadding.D, OutputPadding.H, OutputPadding.W];
        int[] d = [Dilation.D, Dilation.H, Dilation.W], k = [KernelSize.D, KernelSize.H, KernelSize.W];
        int[] o = [.. Enumerable.Range(0, 3).Select(a => (x.Shape[2 + a] - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + op[a] + 1)];
        if (o.Any(v => v < 1)) throw OnnxEmitter.Error(this, $"input {x} gives an output of {string.Join("x", o)}, which is too small");
        var weight = onnx.Parameter(this, "weight", Weight);
        OnnxAttribute[] common =
        [
            OnnxAttribute.Ints("kernel_shape", L(k)),
            OnnxAttribute.Ints("strides", L(s)),
            OnnxAttribute.Ints("dilations", L(d)),
            OnnxAttribute.Int("group", Groups),
        ];
        int[] shape = [x.Shape[0], OutChannels, .. o];
        if (Enumerable.Range(0, 3).All(a => op[a] < s[a]))
            return onnx.Op("ConvTranspose", Bias is Tensor b ? [x, weight, onnx.Parameter(this, "bias", b)] : [x, weight], shape,
                [.. common, OnnxAttribute.Ints("pads", L([.. p, .. p])), OnnxAttribute.Ints("output_padding", L(op))]);
        int[] beyond = [.. Enumerable.Range(0, 3).Select(a => Math.Max(0, op[a] - p[a]))];
        var y = onnx.Op("ConvTranspose", [x, weight], [x.Shape[0], OutChannels, .. Enumerable.Range(0, 3).Select(a => o[a] - beyond[a])],
            [.. common, OnnxAttribute.Ints("pads", L([.. p, .. Enumerable.Range(0, 3).Select(a => p[a] - op[a] + beyond[a])]))]);
        if (beyond.Any(v => v > 0))
            y = onnx.Op("Pad", [y, onnx.Int64s([0, 0, 0, 0, 0, 0, 0, beyond[0], beyond[1], beyond[2]])], shape);
        return Bias is Tensor bias ? onnx.Add(y, onnx.ChannelVector(this, "bias", bias, y)) : y;
    }

    private static long[] L(int[] v) => [.. v.Select(x => (long)x)];
}

public sealed partial class MaxPool3d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var shape = AvgPool3d.PoolShape(this, x, KernelSize, Stride, Padding, Dilation, CeilMode);
        return onnx.Op("MaxPool", [x], shape,
            OnnxAttribute.Ints("kernel_shape", KernelSize.D, KernelSize.H, KernelSize.W),
            OnnxAttribute.Ints("strides", Stride.D, Stride.H, Stride.W),
            OnnxAttribute.Ints("pads", Padding.D, Padding.H, Padding.W, Padding.D, Padding.H, Padding.W),
            OnnxAttribute.Ints("dilations", Dilation.D, Dilation.H, Dilation.W),
            OnnxAttribute.Int("ceil_mode", CeilMode ? 1 : 0));
    }
}

public sealed partial class AvgPool3d : IOnnxExportable
{
    /// <summary>AveragePool; a divisor override d is the count_include_pad average times kD·kH·kW/d, exact while no
    /// window leaves the padded volume (ceil mode off), as <see cref="AvgPool2d"/>'s.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => Emit(onnx, this, x, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    internal static OnnxValue Emit(OnnxEmitter onnx, Module owner, OnnxValue x, Size3 k, Size3 s, Size3 p, bool ceilMode, bool countIncludePad, int? divisorOverride)
    {
        var shape = PoolShape(owner, x, k, s, p, 1, ceilMode);
        if (divisorOverride != null && ceilMode)
            throw OnnxEmitter.Error(owner, "average pooling with both divisor_override and ceil_mode has no ONNX form");
        var y = onnx.Op("AveragePool", [x], shape,
            OnnxAttribute.Ints("kernel_shape", k.D, k.H, k.W),
            OnnxAttribute.Ints("strides", s.D, s.H, s.W),
            OnnxAttribute.Ints("pads", p.D, p.H, p.W, p.D, p.H, p.W),
            OnnxAttribute.Int("ceil_mode", ceilMode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", countIncludePad || divisorOverride != null ? 1 : 0));
        return divisorOverride is int d ? onnx.Mul(y, onnx.Scalar((double)k.D * k.H * k.W / d)) : y;
    }

    /// <summary>[N, C, OD, OH, OW] of a pooling window over x; an empty output or a bad input throws naming the owner.</summary>
    internal static int[] PoolShape(Module owner, OnnxValue x, Size3 k, Size3 s, Size3 p, Size3 d, bool ceil)
    {
        if (x.Rank != 5) throw OnnxEmitter.Error(owner, $"expected input [N, C, D, H, W], got {x}");
        int od = F.PoolOutputSize(x.Shape[2], k.D, s.D, p.D, d.D, ceil), oh = F.PoolOutputSize(x.Shape[3], k.H, s.H, p.H, d.H, ceil);
        int ow = F.PoolOutputSize(x.Shape[4], k.W, s.W, p.W, d.W, ceil);
        if (od < 1 || oh < 1 || ow < 1) throw OnnxEmitter.Error(owner, $"a {k} window leaves no output on input {x}");
        return [x.Shape[0], x.Shape[1], od, oh, ow];
    }

    /// <summary>The even window (and stride) of a 3-D adaptive pool whose output size divides the input; global for
    /// 1x1x1. Uneven windows throw.</summary>
    internal static Size3 AdaptiveWindow(Module owner, OnnxValue x, AdaptiveSize3 outputSize, out bool global)
    {
        if (x.Rank != 5) throw OnnxEmitter.Error(owner, $"expected input [N, C, D, H, W], got {x}");
        var o = outputSize.Resolve(x.Shape[2], x.Shape[3], x.Shape[4]);
        global = o == new Size3(1, 1, 1);
        if (o.D < 1 || o.H < 1 || o.W < 1 || x.Shape[2] % o.D != 0 || x.Shape[3] % o.H != 0 || x.Shape[4] % o.W != 0)
            throw OnnxEmitter.Error(owner, $"output size {outputSize} does not divide the input {x}: the windows are uneven and have no ONNX form");
        return new Size3(x.Shape[2] / o.D, x.Shape[3] / o.H, x.Shape[4] / o.W);
    }
}

public sealed partial class AdaptiveAvgPool3d : IOnnxExportable
{
    /// <summary>Output 1x1x1: GlobalAveragePool; an output size that divides the input: AveragePool with window and
    /// stride input/output. Other sizes have uneven windows and no single ONNX op.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var k = AvgPool3d.AdaptiveWindow(this, x, OutputSize, out bool global);
        return global ? onnx.Op("GlobalAveragePool", [x], [x.Shape[0], x.Shape[1], 1, 1, 1]) : AvgPool3d.Emit(onnx, this, x, k, k, 0, false, true, null);
    }
}

public sealed partial class AdaptiveMaxPool3d : IOnnxExportable
{
    /// <summary>Output 1x1x1: GlobalMaxPool; an output size that divides the input: MaxPool with window and stride
    /// input/output. Other sizes are not exportable.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var k = AvgPool3d.AdaptiveWindow(this, x, OutputSize, out bool global);
        if (global) return onnx.Op("GlobalMaxPool", [x], [x.Shape[0], x.Shape[1], 1, 1, 1]);
        return onnx.Op("MaxPool", [x], [x.Shape[0], x.Shape[1], x.Shape[2] / k.D, x.Shape[3] / k.H, x.Shape[4] / k.W],
            OnnxAttribute.Ints("kernel_shape", k.D, k.H, k.W), OnnxAttribute.Ints("strides", k.D, k.H, k.W));
    }
}
