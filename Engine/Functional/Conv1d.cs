namespace Pade.Engine.Functional;

/// <summary>
/// A 1-D convolution's padding as PyTorch takes it: a size (both ends), or the strings "valid" (none) and "same" (the
/// output keeps the input's length; stride 1 only). "same" depends on the kernel, so it is resolved by
/// <see cref="Resolve"/>: an odd total D·(K − 1) puts its extra element after the sequence, as PyTorch.
/// </summary>
public readonly record struct ConvPadding1d(int Size, string? Mode)
{
    public static implicit operator ConvPadding1d(int v) => new(v, null);
    public static implicit operator ConvPadding1d(string mode) => new(0, mode);

    /// <summary>The padding at both ends and the extra element after the sequence ("same" with an odd reach only).</summary>
    public (int Begin, int Extra) Resolve(string layer, int kernel, int stride, int dilation) => Mode switch
    {
        null => (Size, 0),
        "valid" => (0, 0),
        "same" when stride == 1 => (dilation * (kernel - 1) / 2, dilation * (kernel - 1) % 2),
        "same" => throw new ArgumentException($"{layer}: padding=\"same\" is not supported for strided convolutions (stride {stride})"),
        _ => throw new ArgumentException($"{layer}: padding must be \"valid\", \"same\" or a size, got \"{Mode}\""),
    };

    public override string ToString() => Mode ?? Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The 1-D convolutions. Each is its 2-D twin on the input with an axis of height 1 inserted before the length (and
/// a kernel of height 1), as PyTorch's own CPU conv1d: Unsqueeze and Squeeze are views, so one recorded 2-D node
/// carries the closed-form backward, and the backend's 2-D paths (depthwise, pointwise, direct, dense, im2col; never
/// Winograd, which needs a 3x3 kernel) serve both. The checks come first, with the 1-D shapes in their messages.
/// </summary>
public static partial class F
{
    /// <summary>
    /// 1-D cross-correlation as torch.nn.functional.conv1d: input x [N, C, L] (or one sequence [C, L]), weight w
    /// [K, C/G, KW], output y [N, K, OL] with OL = ⌊(L + 2P − D (KW − 1) − 1) / S⌋ + 1 and
    ///   y[n, k, o] = b[k] + Σ_{c ∈ group(k), j} w[k, c, j] · x[n, c, o S − P + j D]   (0 outside the sequence).
    /// </summary>
    /// <param name="padding">A size, or "valid" or "same" (stride 1 only; an odd total D·(KW − 1) pads one more at the end).</param>
    /// <param name="layer">Names the calling layer in error messages.</param>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding1d? padding = null,
        int dilation = 1, int groups = 1, string layer = "conv1d")
    {
        if (weight.Rank != 3)
            throw new ArgumentException($"{layer}: weight must be [out_channels, in_channels/groups, kW], got {Shapes.Format(weight.Shape)}");
        var (begin, extra) = (padding ?? 0).Resolve(layer, weight.Size(2), stride, dilation);
        if (extra != 0 && input.Rank is 2 or 3) input = input.Pad([0, extra]);
        Conv1dShape(layer, input, weight, bias, stride, begin, dilation, groups);
        return Conv2d(input.Unsqueeze(-2), weight.Unsqueeze(2), bias, new Size2(1, stride), new Size2(0, begin), new Size2(1, dilation), groups, layer)
            .Squeeze(-2);
    }

    /// <summary>Checks a 1-D convolution's arguments as PyTorch does and returns its output length; every message
    /// names the layer and the shapes.</summary>
    public static int Conv1dShape(string layer, Tensor input, Tensor weight, Tensor? bias, int stride, int padding, int dilation, int groups)
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (bias != null) Ops.CheckPair(layer, input, bias);
        if (weight.Rank != 3)
            throw new ArgumentException($"{layer}: weight must be [out_channels, in_channels/groups, kW], got {Shapes.Format(weight.Shape)}");
        if (groups < 1) throw new ArgumentException($"{layer}: groups must be at least 1, got {groups}");
        if (stride < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding < 0) throw new ArgumentException($"{layer}: padding must not be negative, got {padding}");
        int k = weight.Size(0), kw = weight.Size(2);
        if (k % groups != 0)
            throw new ArgumentException($"{layer}: out_channels {k} (weight {Shapes.Format(weight.Shape)}, dim 0) is not divisible by groups {groups}");
        int c = weight.Size(1) * groups;
        if (input.Rank is not (2 or 3) || input.Size(-2) != c)
            throw new ArgumentException(
                $"{layer}: expected input [N, {c}, L] or [{c}, L] ({c} channels: weight {Shapes.Format(weight.Shape)}, groups {groups}), got {Shapes.Format(input.Shape)}" +
                (input.Rank is 2 or 3 ? $" with {input.Size(-2)} channels" : $" of rank {input.Rank}"));
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != k))
            throw new ArgumentException($"{layer}: bias must be [{k}], got {Shapes.Format(bias.Shape)}");
        int l = input.Size(-1), reach = dilation * (kw - 1) + 1;
        if (l + 2 * padding < reach)
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small: with padding {padding} the sequence is {l + 2 * padding} long, " +
                $"shorter than the (dilated) kernel {reach}; expected a length of at least {Math.Max(1, reach - 2 * padding)}");
        return (l + 2 * padding - reach) / stride + 1;
    }

    /// <summary>
    /// 1-D transposed convolution as torch.nn.functional.conv_transpose1d: input x [N, Cin, L] (or one sequence
    /// [Cin, L]), weight w [Cin, Cout/G, KW], output y [N, Cout, OL] with OL = (L − 1)·S − 2·P + D·(KW − 1) + OP + 1 and
    ///   y[n, co, i] = b[co] + Σ_{ci ∈ group(co), l, j: i = l·S − P + j·D} x[n, ci, l] · w[ci, co', j]
    /// (terms outside [0, OL) dropped). The 2-D <see cref="ConvTranspose2d"/> on a height-1 axis.
    /// </summary>
    /// <param name="outputPadding">Extra elements at the end; smaller than the stride or the dilation.</param>
    public static Tensor ConvTranspose1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0,
        int outputPadding = 0, int groups = 1, int dilation = 1, string layer = "conv_transpose1d")
    {
        ConvTranspose1dShape(layer, input, weight, bias, stride, padding, outputPadding, dilation, groups);
        return ConvTranspose2d(input.Unsqueeze(-2), weight.Unsqueeze(2), bias, new Size2(1, stride), new Size2(0, padding),
            new Size2(0, outputPadding), groups, new Size2(1, dilation), layer).Squeeze(-2);
    }

    /// <summary>Checks a 1-D transposed convolution's arguments as PyTorch does and returns its output length.</summary>
    public static int ConvTranspose1dShape(string layer, Tensor input, Tensor weight, Tensor? bias, int stride, int padding,
        int outputPadding, int dilation, int groups)
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (bias != null) Ops.CheckPair(layer, input, bias);
        if (weight.Rank != 3)
            throw new ArgumentException($"{layer}: weight must be [in_channels, out_channels/groups, kW], got {Shapes.Format(weight.Shape)}");
        if (groups < 1) throw new ArgumentException($"{layer}: groups must be at least 1, got {groups}");
        if (stride < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding < 0) throw new ArgumentException($"{layer}: padding must not be negative, got {padding}");
        if (outputPadding < 0) throw new ArgumentException($"{layer}: output_padding must not be negative, got {outputPadding}");
        if (outputPadding >= stride && outputPadding >= dilation)
            throw new ArgumentException(
                $"{layer}: output_padding must be smaller than either stride or dilation, got output_padding {outputPadding}, stride {stride}, dilation {dilation}");
        if (weight.Numel == 0)
            throw new ArgumentException($"{layer}: weight must not be empty, got {Shapes.Format(weight.Shape)}");
        int cin = weight.Size(0), cout = weight.Size(1) * groups, kw = weight.Size(2);
        if (cin % groups != 0)
            throw new ArgumentException($"{layer}: in_channels {cin} (weight {Shapes.Format(weight.Shape)}, dim 0) is not divisible by groups {groups}");
        if (input.Rank is not (2 or 3) || input.Size(-2) != cin)
            throw new ArgumentException(
                $"{layer}: expected input [N, {cin}, L] or [{cin}, L] ({cin} channels, weight {Shapes.Format(weight.Shape)}), got {Shapes.Format(input.Shape)}" +
                (input.Rank is 2 or 3 ? $" with {input.Size(-2)} channels" : $" of rank {input.Rank}"));
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != cout))
            throw new ArgumentException($"{layer}: bias must be [{cout}] (out_channels/groups {weight.Size(1)} · groups {groups}), got {Shapes.Format(bias.Shape)}");
        int l = input.Size(-1);
        // PyTorch takes an empty batch but no empty sequence.
        if (l == 0) throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty sequence; only an empty batch is supported");
        int ol = (l - 1) * stride - 2 * padding + dilation * (kw - 1) + outputPadding + 1;
        if (ol < 1)
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} with weight {Shapes.Format(weight.Shape)}, stride {stride}, padding {padding}, " +
                $"output_padding {outputPadding} and dilation {dilation} gives an output length of {ol}, which is too small (it must be positive)");
        return ol;
    }
}
