using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>A (height, width) pair for kernel sizes, strides, paddings, dilations; an int means the same for both,
/// as PyTorch's <c>_pair</c>: <c>stride: 2</c> or <c>padding: (1, 0)</c>.</summary>
public readonly record struct Size2(int H, int W)
{
    public static implicit operator Size2(int v) => new(v, v);
    public static implicit operator Size2((int H, int W) t) => new(t.H, t.W);
    public override string ToString() => $"({H}, {W})";
}

/// <summary>
/// A convolution's padding as PyTorch takes it: sizes (an int, an (h, w) pair or a <see cref="Size2"/>), or the
/// strings "valid" (none) and "same" (the output keeps the input's size; stride 1 only). "same" depends on the kernel,
/// so it is resolved by <see cref="Resolve"/>: an odd total D·(K − 1) puts its extra row and column after the image.
/// </summary>
public readonly record struct ConvPadding(Size2 Size, string? Mode)
{
    public static implicit operator ConvPadding(int v) => new(v, null);
    public static implicit operator ConvPadding((int H, int W) t) => new(t, null);
    public static implicit operator ConvPadding(Size2 s) => new(s, null);
    public static implicit operator ConvPadding(string mode) => new(0, mode);

    /// <summary>The padding before each axis (both sides for sizes) and the extra after it ("same" only).</summary>
    public (Size2 Begin, Size2 Extra) Resolve(string layer, Size2 kernel, Size2 stride, Size2 dilation) => Mode switch
    {
        null => (Size, new Size2(0, 0)),
        "valid" => (0, new Size2(0, 0)),
        "same" when stride == new Size2(1, 1) => F.SamePadding(kernel, dilation),
        "same" => throw new ArgumentException($"{layer}: padding=\"same\" is not supported for strided convolutions (stride {stride})"),
        _ => throw new ArgumentException($"{layer}: padding must be \"valid\", \"same\" or sizes, got \"{Mode}\""),
    };

    public override string ToString() => Mode ?? Size.ToString();
}

/// <summary>
/// Everything a 2-D convolution kernel needs to know, computed once by <see cref="F.Conv2d"/>:
/// input x [N, C, H, W], weight [K, C/Groups, KH, KW], output y [N, K, OH, OW] with
///   OH = ⌊(H + 2 PH − DH (KH − 1) − 1) / SH⌋ + 1   (and OW likewise), and
///   y[n, k, oh, ow] = b[k] + Σ_{c ∈ group(k), i, j} w[k, c, i, j] · x[n, c, oh SH − PH + i DH, ow SW − PW + j DW]
/// where positions outside the image read 0 (zero padding).
/// </summary>
public readonly record struct Conv2dGeometry(
    int N, int C, int H, int W, int K, int KH, int KW,
    int SH, int SW, int PH, int PW, int DH, int DW, int Groups, int OH, int OW)
{
    /// <summary>Input channels per group (the weight's second dim).</summary>
    public int CPerGroup => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int KPerGroup => K / Groups;

    /// <summary>Rows of the im2col matrix of one group: C/G · KH · KW.</summary>
    public int ColRows => CPerGroup * KH * KW;

    /// <summary>One weight per channel and no mixing between channels (MobileNetV2's 3x3 convolutions).</summary>
    public bool IsDepthwise => Groups == C && Groups == K;

    /// <summary>A 1x1 convolution with unit stride and no padding: the im2col matrix is the input itself.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    /// <summary>Multiply-adds of the forward pass (the backward costs about twice that).</summary>
    public long MacCount => (long)N * K * OH * OW * ColRows;
}

/// <summary>Neural-network ops as functions of tensors (torch.nn.functional): the layers in Pade.Layers hold the
/// parameters and call these.</summary>
public static partial class F
{
    /// <summary>
    /// 2-D cross-correlation as torch.nn.functional.conv2d (see <see cref="Conv2dGeometry"/> for the formula).
    /// Backward, with G = dL/dy:
    ///   dL/dx[n, c, h, w]   = Σ_{k, i, j: h = oh SH − PH + i DH, w = ow SW − PW + j DW} w[k, c, i, j] G[n, k, oh, ow]
    ///   dL/dw[k, c, i, j]   = Σ_{n, oh, ow} G[n, k, oh, ow] x[n, c, oh SH − PH + i DH, ow SW − PW + j DW]
    ///   dL/db[k]            = Σ_{n, oh, ow} G[n, k, oh, ow]
    /// On the CPU these are GEMMs on im2col matrices (and col2im for dL/dx), or direct loops for depthwise convs.
    /// </summary>
    /// <param name="input">[N, C, H, W], or one unbatched image [C, H, W] (as PyTorch: the result is then [K, OH, OW]).</param>
    /// <param name="layer">Names the calling layer in error messages (e.g. "Conv2d 'features.0'").</param>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, ConvPadding? padding = null,
        Size2? dilation = null, int groups = 1, string layer = "conv2d")
    {
        if (padding is { Mode: not null } mode)
        {
            if (weight.Rank != 4)
                throw new ArgumentException($"{layer}: weight must be [out_channels, in_channels/groups, kH, kW], got {Shapes.Format(weight.Shape)}");
            var (begin, extra) = mode.Resolve(layer, new Size2(weight.Size(2), weight.Size(3)), stride ?? 1, dilation ?? 1);
            // The extra row and column of "same" go on the bottom and right (pads start from the last axis).
            var padded = extra == new Size2(0, 0) ? input : input.Pad([0, extra.W, 0, extra.H]);
            return Conv2d(padded, weight, bias, stride, begin, dilation, groups, layer);
        }
        // An unbatched image (other rank-3 inputs fall through to the shape check, whose message names them).
        if (input.Rank == 3 && weight.Rank == 4 && input.Size(0) == weight.Size(1) * groups)
            return Conv2d(input.Unsqueeze(0), weight, bias, stride, padding, dilation, groups, layer).Squeeze(0);
        var g = Conv2dShape(layer, input, weight, bias, stride ?? 1, padding?.Size ?? 0, dilation ?? 1, groups);
        var x = input.Contiguous();
        var w = weight.Contiguous();
        var b = bias?.Contiguous();
        var y = Tensor.Empty([g.N, g.K, g.OH, g.OW], x.DType, x.Device);
        bool needX = input.RequiresGrad, needW = weight.RequiresGrad, needB = bias?.RequiresGrad ?? false;
        // The input gradient will be wanted: the backend may keep work of the forward for it.
        Tensor? kept = null;
        // An empty batch (PyTorch takes it): an empty result, zero weight and bias gradients; the backend's loops are
        // not asked to handle it (their chunking divides by the batch).
        bool none = g.N == 0;
        if (!none && needX && GradMode.IsEnabled) kept = x.Backend.Conv2dSaving(x, w, b, y, g);
        else if (!none) x.Backend.Conv2d(x, w, b, y, g);

        Tensor[] inputs = b == null ? [input, weight] : [input, weight, bias!];
        return Graph.Record(y, "conv2d", inputs, dy =>
        {
            var gy = dy.Contiguous();
            var dx = needX ? x.EmptyLike() : null;
            var dw = needW ? w.EmptyLike() : null;
            var db = needB ? b!.EmptyLike() : null;
            if (none)
            {
                dw?.Zero_();
                db?.Zero_();
            }
            else x.Backend.Conv2dBackward(x, w, gy, dx, dw, db, g, kept);
            return b == null ? [dx, dw] : [dx, dw, db];
        }, kept == null ? [x, w] : [x, w, kept]);
    }

    /// <summary>padding="same": the padding before each axis, ⌊D·(K − 1)/2⌋, and the one extra row or column after it
    /// when D·(K − 1) is odd.</summary>
    public static (Size2 Begin, Size2 Extra) SamePadding(Size2 kernel, Size2 dilation)
    {
        int th = dilation.H * (kernel.H - 1), tw = dilation.W * (kernel.W - 1);
        return (new Size2(th / 2, tw / 2), new Size2(th % 2, tw % 2));
    }

    /// <summary>Checks a convolution's arguments and computes its geometry; every message names the layer and the
    /// expected and actual shapes.</summary>
    public static Conv2dGeometry Conv2dShape(string layer, Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, Size2 dilation, int groups)
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (bias != null) Ops.CheckPair(layer, input, bias);
        if (weight.Rank != 4)
            throw new ArgumentException($"{layer}: weight must be [out_channels, in_channels/groups, kH, kW], got {Shapes.Format(weight.Shape)}");
        if (groups < 1) throw new ArgumentException($"{layer}: groups must be at least 1, got {groups}");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentException($"{layer}: padding must not be negative, got {padding}");
        int k = weight.Size(0), cg = weight.Size(1), kh = weight.Size(2), kw = weight.Size(3);
        if (k % groups != 0)
            throw new ArgumentException($"{layer}: out_channels {k} is not divisible by groups {groups}");
        int c = cg * groups;
        if (input.Rank != 4 || input.Size(1) != c)
            throw new ArgumentException(
                $"{layer}: expected input [N, {c}, H, W] or [{c}, H, W] ({c} channels), got {Shapes.Format(input.Shape)}" +
                (input.Rank == 4 ? $" with {input.Size(1)} channels" : $" of rank {input.Rank}"));
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != k))
            throw new ArgumentException($"{layer}: bias must be [{k}], got {Shapes.Format(bias.Shape)}");
        int h = input.Size(2), w = input.Size(3);
        int effH = dilation.H * (kh - 1) + 1, effW = dilation.W * (kw - 1) + 1;
        if (h + 2 * padding.H < effH || w + 2 * padding.W < effW)
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small: with padding {padding} the image is {h + 2 * padding.H}x{w + 2 * padding.W}, " +
                $"smaller than the (dilated) kernel {effH}x{effW}; expected at least [N, {c}, {Math.Max(1, effH - 2 * padding.H)}, {Math.Max(1, effW - 2 * padding.W)}]");
        int oh = (h + 2 * padding.H - effH) / stride.H + 1, ow = (w + 2 * padding.W - effW) / stride.W + 1;
        return new Conv2dGeometry(input.Size(0), c, h, w, k, kh, kw, stride.H, stride.W, padding.H, padding.W,
            dilation.H, dilation.W, groups, oh, ow);
    }
}
