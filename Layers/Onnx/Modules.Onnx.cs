using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers.Onnx;

namespace Pade.Layers;

// The ONNX forms of the basic layers (docs/onnx.md): each emits the evaluation-mode forward of its Forward.

public sealed partial class Conv2d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != 4 || x.Channels != InChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {InChannels}, H, W], got {x}");
        // A padding mode other than zeros: F.pad's nodes, then the convolution without padding, as the forward.
        bool padFirst = PaddingMode != "zeros";
        if (padFirst) x = OnnxPadding.Emit(onnx, this, x, [.. ReversedPaddingRepeatedTwice], PaddingMode, 0);
        Size2 extra = padFirst ? 0 : PaddingExtra, padding = padFirst ? 0 : Padding;
        int oh = ConvOutput(x.Shape[2] + extra.H, KernelSize.H, Stride.H, padding.H, Dilation.H);
        int ow = ConvOutput(x.Shape[3] + extra.W, KernelSize.W, Stride.W, padding.W, Dilation.W);
        if (oh < 1 || ow < 1) throw OnnxEmitter.Error(this, $"input {x} is smaller than the dilated kernel {KernelSize}");
        OnnxValue[] inputs = Bias is Tensor b
            ? [x, onnx.Parameter(this, "weight", Weight), onnx.Parameter(this, "bias", b)]
            : [x, onnx.Parameter(this, "weight", Weight)];
        return onnx.Op("Conv", inputs, [x.Shape[0], OutChannels, oh, ow],
            OnnxAttribute.Ints("kernel_shape", KernelSize.H, KernelSize.W),
            OnnxAttribute.Ints("strides", Stride.H, Stride.W),
            OnnxAttribute.Ints("pads", padding.H, padding.W, padding.H + extra.H, padding.W + extra.W),
            OnnxAttribute.Ints("dilations", Dilation.H, Dilation.W),
            OnnxAttribute.Int("group", Groups));
    }

    private static int ConvOutput(int size, int kernel, int stride, int pad, int dilation) =>
        (size + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

/// <summary>ConvTranspose with PyTorch's geometry; the weight keeps its [in, out/groups, kH, kW] layout, ONNX's too.
/// An output_padding below the stride is ONNX's attribute (symmetric pads), as PyTorch exports it. One at or beyond the
/// stride (PyTorch allows it below the dilation) fails OnnxRuntime's shape check, so it is written out: the output is
/// the full transposed result cropped by pads P before and P − OP after, and where OP > P the last OP − P rows and
/// columns lie beyond it, so the bias-free result is padded with zeros there and the bias added after.</summary>
public sealed partial class ConvTranspose2d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != 4 || x.Channels != InChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {InChannels}, H, W], got {x}");
        var (oh, ow) = OutputSize(x.Shape[2], x.Shape[3]);
        if (oh < 1 || ow < 1) throw OnnxEmitter.Error(this, $"input {x} gives an output of {oh}x{ow}, which is too small");
        var weight = onnx.Parameter(this, "weight", Weight);
        OnnxAttribute[] common =
        [
            OnnxAttribute.Ints("kernel_shape", KernelSize.H, KernelSize.W),
            OnnxAttribute.Ints("strides", Stride.H, Stride.W),
            OnnxAttribute.Ints("dilations", Dilation.H, Dilation.W),
            OnnxAttribute.Int("group", Groups),
        ];
        int[] shape = [x.Shape[0], OutChannels, oh, ow];
        if (OutputPadding.H < Stride.H && OutputPadding.W < Stride.W)
            return onnx.Op("ConvTranspose", Bias is Tensor b ? [x, weight, onnx.Parameter(this, "bias", b)] : [x, weight], shape,
                [.. common, OnnxAttribute.Ints("pads", Padding.H, Padding.W, Padding.H, Padding.W),
                    OnnxAttribute.Ints("output_padding", OutputPadding.H, OutputPadding.W)]);
        // Rows and columns beyond the full result: zeros before the bias.
        int beyondH = Math.Max(0, OutputPadding.H - Padding.H), beyondW = Math.Max(0, OutputPadding.W - Padding.W);
        var y = onnx.Op("ConvTranspose", [x, weight], [x.Shape[0], OutChannels, oh - beyondH, ow - beyondW],
            [.. common, OnnxAttribute.Ints("pads", Padding.H, Padding.W, Padding.H - OutputPadding.H + beyondH, Padding.W - OutputPadding.W + beyondW)]);
        if (beyondH + beyondW > 0)
            y = onnx.Op("Pad", [y, onnx.Int64s([0, 0, 0, 0, 0, 0, beyondH, beyondW])], shape);
        return Bias is Tensor bias ? onnx.Add(y, onnx.ChannelVector(this, "bias", bias, y)) : y;
    }
}

public partial class Linear : IOnnxExportable
{
    /// <summary>[N, in] → Gemm(x, W, b, transB = 1); a higher rank → MatMul(x, Wᵀ) + b.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank < 2 || x.Shape[^1] != InFeatures)
            throw OnnxEmitter.Error(this, $"expected input [..., {InFeatures}] of rank ≥ 2, got {x}");
        int[] shape = [.. x.Shape[..^1], OutFeatures];
        var w = onnx.Parameter(this, "weight", Weight);
        if (x.Rank == 2)
            return onnx.Op("Gemm", Bias is Tensor b ? [x, w, onnx.Parameter(this, "bias", b)] : [x, w], shape, OnnxAttribute.Int("transB", 1));
        var y = onnx.Op("MatMul", [x, onnx.Op("Transpose", [w], [InFeatures, OutFeatures])], shape);
        return Bias is Tensor bias ? onnx.Add(y, onnx.Parameter(this, "bias", bias)) : y;
    }
}

public abstract partial class BatchNormBase : IOnnxExportable
{
    /// <summary>BatchNormalization with the running statistics (γ = 1, β = 0 constants when not affine).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (!RankOk(x.Rank) || x.Channels != NumFeatures)
            throw OnnxEmitter.Error(this, $"expected input {ExpectedShape} with {NumFeatures} channels, got {x}");
        if (RunningMean is not Tensor mean || RunningVar is not Tensor variance)
            throw OnnxEmitter.Error(this, "without running statistics (track_running_stats = false) it normalises with batch statistics even in evaluation; only the running-statistics form exports");
        var scale = Weight is Tensor w ? onnx.Parameter(this, "weight", w) : onnx.Parameter(this, "weight", Tensor.Ones([NumFeatures], DType.Float32));
        var shift = Bias is Tensor b ? onnx.Parameter(this, "bias", b) : onnx.Parameter(this, "bias", Tensor.Zeros([NumFeatures], DType.Float32));
        return onnx.Op("BatchNormalization",
            [x, scale, shift, onnx.Parameter(this, "running_mean", mean), onnx.Parameter(this, "running_var", variance)],
            x.Shape, OnnxAttribute.Float("epsilon", Eps));
    }
}

public sealed partial class MaxPool2d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var shape = AvgPool2d.PoolShape(this, x, KernelSize, Stride, Padding, Dilation, CeilMode);
        return onnx.Op("MaxPool", [x], shape,
            OnnxAttribute.Ints("kernel_shape", KernelSize.H, KernelSize.W),
            OnnxAttribute.Ints("strides", Stride.H, Stride.W),
            OnnxAttribute.Ints("pads", Padding.H, Padding.W, Padding.H, Padding.W),
            OnnxAttribute.Ints("dilations", Dilation.H, Dilation.W),
            OnnxAttribute.Int("ceil_mode", CeilMode ? 1 : 0));
    }
}

public sealed partial class AvgPool2d : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        Emit(onnx, this, x, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <summary>The ONNX form of <see cref="F.AvgPool2d"/>, for this layer and for models that call the op
    /// directly (<paramref name="owner"/> names them in messages). A divisor override d becomes the
    /// count_include_pad average times kH·kW/d, exact while no window leaves the padded image (ceil mode off).</summary>
    public static OnnxValue Emit(OnnxEmitter onnx, Module owner, OnnxValue x, Size2 kernel, Size2? stride = null, Size2? padding = null,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        Size2 s = stride ?? kernel, p = padding ?? 0;
        var shape = PoolShape(owner, x, kernel, s, p, 1, ceilMode);
        if (divisorOverride != null && ceilMode)
            throw OnnxEmitter.Error(owner, "average pooling with both divisor_override and ceil_mode has no ONNX form");
        var y = onnx.Op("AveragePool", [x], shape,
            OnnxAttribute.Ints("kernel_shape", kernel.H, kernel.W),
            OnnxAttribute.Ints("strides", s.H, s.W),
            OnnxAttribute.Ints("pads", p.H, p.W, p.H, p.W),
            OnnxAttribute.Int("ceil_mode", ceilMode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", countIncludePad || divisorOverride != null ? 1 : 0));
        return divisorOverride is int d ? onnx.Mul(y, onnx.Scalar((double)kernel.H * kernel.W / d)) : y;
    }

    /// <summary>[N, C, OH, OW] of a pooling window over x (<see cref="F.PoolOutputSize"/>); an empty output or a
    /// bad input throws naming <paramref name="owner"/>.</summary>
    internal static int[] PoolShape(Module owner, OnnxValue x, Size2 k, Size2 s, Size2 p, Size2 d, bool ceil)
    {
        if (x.Rank != 4) throw OnnxEmitter.Error(owner, $"expected input [N, C, H, W], got {x}");
        int oh = F.PoolOutputSize(x.Shape[2], k.H, s.H, p.H, d.H, ceil), ow = F.PoolOutputSize(x.Shape[3], k.W, s.W, p.W, d.W, ceil);
        if (oh < 1 || ow < 1) throw OnnxEmitter.Error(owner, $"a {k} window leaves no output on input {x}");
        return [x.Shape[0], x.Shape[1], oh, ow];
    }
}

public sealed partial class AdaptiveAvgPool2d : IOnnxExportable
{
    /// <summary>Output 1x1: GlobalAveragePool; an output size that divides the input: AveragePool with window and
    /// stride input/output (the same windows). Other sizes have uneven windows and no single ONNX op.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var k = AdaptiveWindow(this, x, OutputSize, out bool global);
        return global ? onnx.Op("GlobalAveragePool", [x], [x.Shape[0], x.Shape[1], 1, 1]) : AvgPool2d.Emit(onnx, this, x, k);
    }

    /// <summary>The even window (and stride) of an adaptive pool whose output size divides the input; global for 1x1.
    /// Uneven windows throw.</summary>
    internal static Size2 AdaptiveWindow(Module owner, OnnxValue x, AdaptiveSize2 outputSize, out bool global)
    {
        if (x.Rank != 4) throw OnnxEmitter.Error(owner, $"expected input [N, C, H, W], got {x}");
        int h = x.Shape[2], w = x.Shape[3];
        var o = outputSize.Resolve(h, w);
        global = o.H == 1 && o.W == 1;
        if (global) return new Size2(h, w);
        if (o.H < 1 || o.W < 1 || h % o.H != 0 || w % o.W != 0)
            throw OnnxEmitter.Error(owner, $"output size {outputSize} does not divide the input {x}: the windows are uneven and have no ONNX form");
        return new Size2(h / o.H, w / o.W);
    }
}

public sealed partial class AdaptiveMaxPool2d : IOnnxExportable
{
    /// <summary>Output 1x1: GlobalMaxPool; an output size that divides the input: MaxPool with window and stride
    /// input/output (the same windows). Other sizes are not exportable.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var k = AdaptiveAvgPool2d.AdaptiveWindow(this, x, OutputSize, out bool global);
        if (global) return onnx.Op("GlobalMaxPool", [x], [x.Shape[0], x.Shape[1], 1, 1]);
        return onnx.Op("MaxPool", [x], [x.Shape[0], x.Shape[1], x.Shape[2] / k.H, x.Shape[3] / k.W],
            OnnxAttribute.Ints("kernel_shape", k.H, k.W), OnnxAttribute.Ints("strides", k.H, k.W));
    }
}

public partial class Upsample : IOnnxExportable
{
    /// <summary>
    /// Resize (opset 13+) with PyTorch's coordinates: nearest as asymmetric + floor, nearest-exact as half_pixel +
    /// round_prefer_ceil (⌊(o + ½)·in/out⌋), linear/bilinear/trilinear as half_pixel (clamped at 0 by the runtime, as PyTorch)
    /// or align_corners, bicubic as cubic with cubic_coeff_a −0.75, half_pixel or align_corners. A scale factor goes in as Resize's scales (the runtime then uses 1/s, as PyTorch); a size as
    /// sizes, with the batch and channel dims read from the input's shape.
    /// </summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank is not (3 or 4 or 5)) throw OnnxEmitter.Error(this, $"expected input [N, C, L], [N, C, H, W] or [N, C, D, H, W], got {x}");
        int dims = x.Rank - 2;
        if ((Mode == "linear" && dims != 1) || (Mode is "bilinear" or "bicubic" && dims != 2) || (Mode == "trilinear" && dims != 3))
            throw OnnxEmitter.Error(this, $"mode '{Mode}' does not take input {x}");
        if (Mode is not ("nearest" or "nearest-exact" or "linear" or "bilinear" or "trilinear" or "bicubic"))
            throw OnnxEmitter.Error(this, $"mode '{Mode}' is not supported");
        if ((Size == null) == (ScaleFactor == null)) throw OnnxEmitter.Error(this, "exactly one of size and scale_factor must be given");
        var spatial = x.Shape[2..];
        int[] outSizes = Size != null
            ? Enumerable.Range(0, dims).Select(d => Size.Length == 1 ? Size[0] : Size[d]).ToArray()
            : Enumerable.Range(0, dims).Select(d => (int)Math.Floor(spatial[d] * (ScaleFactor!.Length == 1 ? ScaleFactor[0] : ScaleFactor[d]))).ToArray();
        if (outSizes.Length != dims || outSizes.Any(v => v < 1)) throw OnnxEmitter.Error(this, $"no output for input {x}");
        var empty = new OnnxValue("", []);
        OnnxValue[] inputs;
        if (ScaleFactor != null && RecomputeScaleFactor != true)
            inputs = [x, empty, onnx.Floats([1f, 1f, .. Enumerable.Range(0, dims).Select(d => (float)(ScaleFactor.Length == 1 ? ScaleFactor[0] : ScaleFactor[d]))])];
        else
        {
            var batchChannels = onnx.Op("Slice", [onnx.Op("Shape", [x], [x.Rank]), onnx.Int64s([0]), onnx.Int64s([2])], [2]);
            var sizes = onnx.Op("Concat", [batchChannels, onnx.Int64s(outSizes.Select(v => (long)v).ToArray())], [x.Rank], OnnxAttribute.Int("axis", 0));
            inputs = [x, empty, empty, sizes];
        }
        bool linear = Mode is "linear" or "bilinear" or "trilinear", cubic = Mode == "bicubic";
        string ctm = Mode == "nearest" ? "asymmetric" : (linear || cubic) && AlignCorners == true ? "align_corners" : "half_pixel";
        if (cubic)
            // PyTorch's bicubic: Keys' A = −0.75 on the 4 taps around the unclamped half-pixel coordinate, the taps
            // beyond a border reading the edge (exclude_outside = 0), as the runtime's cubic resize.
            return onnx.Op("Resize", inputs, [x.Shape[0], x.Shape[1], .. outSizes],
                OnnxAttribute.String("mode", "cubic"),
                OnnxAttribute.String("coordinate_transformation_mode", ctm),
                OnnxAttribute.Float("cubic_coeff_a", -0.75f),
                OnnxAttribute.Int("exclude_outside", 0));
        return onnx.Op("Resize", inputs, [x.Shape[0], x.Shape[1], .. outSizes],
            OnnxAttribute.String("mode", linear ? "linear" : "nearest"),
            OnnxAttribute.String("coordinate_transformation_mode", ctm),
            OnnxAttribute.String("nearest_mode", Mode == "nearest" ? "floor" : "round_prefer_ceil"));
    }
}

public sealed partial class Flatten : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => Emit(onnx, this, x, StartDim, EndDim);

    /// <summary>The ONNX form of <see cref="Tensor.Flatten"/> (a Reshape), for this layer and for models.</summary>
    public static OnnxValue Emit(OnnxEmitter onnx, Module owner, OnnxValue x, int startDim, int endDim = -1)
    {
        if (x.Rank == 0) return onnx.Reshape(x, [1]);
        int s = startDim < 0 ? startDim + x.Rank : startDim, e = endDim < 0 ? endDim + x.Rank : endDim;
        if (s < 0 || e >= x.Rank || s > e) throw OnnxEmitter.Error(owner, $"cannot flatten dims {startDim}..{endDim} of {x}");
        if (s == 0 && e > 0)
            throw OnnxEmitter.Error(owner, "flattening the batch axis into others leaves no batch axis; the export keeps the batch size symbolic");
        var middle = x.Shape[s..(e + 1)].Aggregate(1, (a, d) => a * d);
        return onnx.Reshape(x, [.. x.Shape[..s], middle, .. x.Shape[(e + 1)..]]);
    }
}

public sealed partial class Identity : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
}

public sealed partial class Dropout : IOnnxExportable
{
    /// <summary>Dropout is the identity in evaluation.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
}

public sealed partial class Sequential : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        foreach (var l in _layers) x = onnx.Emit(l, x);
        return x;
    }
}

public sealed partial class LayerNorm : IOnnxExportable
{
    /// <summary>LayerNormalization (opset 17) over the last D axes, with Scale = weight (ones when not affine) and
    /// B = bias when there is one. The batch axis stays symbolic (−1), so it never matches a normalised size.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        int d = NormalizedShape.Length;
        if (x.Rank < d || !x.Shape[(x.Rank - d)..].SequenceEqual(NormalizedShape))
            throw OnnxEmitter.Error(this, $"expected input [*, {string.Join(", ", NormalizedShape)}], got {x}");
        var scale = onnx.Parameter(this, "weight", Weight ?? Tensor.Ones(NormalizedShape, DType.Float32));
        OnnxValue[] inputs = Bias is Tensor b ? [x, scale, onnx.Parameter(this, "bias", b)] : [x, scale];
        return onnx.Op("LayerNormalization", inputs, x.Shape,
            OnnxAttribute.Int("axis", x.Rank - d), OnnxAttribute.Float("epsilon", Eps));
    }
}

public sealed partial class GroupNorm : IOnnxExportable
{
    /// <summary>
    /// Composed (GroupNormalization is an opset 18 op, and its scale was per group until opset 21): x reshaped to
    /// [N, G, C/G·positions], (x − μ)/√(σ² + ε) with ReduceMean over the last axis (μ, then the biased σ² of the
    /// deviations), reshaped back, then times weight and plus bias laid out [C, 1, ...] per channel.
    /// </summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank < 2 || x.Channels != NumChannels)
            throw OnnxEmitter.Error(this, $"expected input [N, {NumChannels}, *], got {x}");
        int rest = NumChannels / NumGroups * x.Shape[2..].Aggregate(1, (a, b) => a * b);
        var grouped = onnx.Reshape(x, [x.Shape[0], NumGroups, rest]);
        int[] kept = [x.Shape[0], NumGroups, 1];
        var mean = onnx.Op("ReduceMean", [grouped], kept, OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 1));
        var centered = onnx.Sub(grouped, mean);
        var variance = onnx.Op("ReduceMean", [onnx.Mul(centered, centered)], kept, OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 1));
        var normalized = onnx.Div(centered, onnx.Unary("Sqrt", onnx.Add(variance, onnx.Scalar(Eps))));
        var y = onnx.Reshape(normalized, x.Shape);
        if (Weight is Tensor w) y = onnx.Mul(y, onnx.ChannelVector(this, "weight", w, x));
        if (Bias is Tensor b) y = onnx.Add(y, onnx.ChannelVector(this, "bias", b, x));
        return y;
    }
}
