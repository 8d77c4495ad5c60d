namespace Pade.Engine.Functional;

/// <summary>A (depth, height, width) triple for kernel sizes, strides, paddings, dilations; an int means the same for
/// all three, as PyTorch's <c>_triple</c>: <c>stride: 2</c> or <c>padding: (1, 0, 0)</c>.</summary>
public readonly record struct Size3(int D, int H, int W)
{
    public static implicit operator Size3(int v) => new(v, v, v);
    public static implicit operator Size3((int D, int H, int W) t) => new(t.D, t.H, t.W);

    /// <summary>The (H, W) pair, what the 2-D op each 3-D op is built on takes.</summary>
    public Size2 HW => new(H, W);

    public override string ToString() => $"({D}, {H}, {W})";
}

/// <summary>
/// A 3-D convolution's padding as PyTorch takes it: sizes (an int or a triple), or the strings "valid" (none) and
/// "same" (the output keeps the input's size; stride 1 only). "same" is resolved by <see cref="Resolve"/>: an odd
/// total D·(K − 1) along an axis puts its extra element after the volume, as PyTorch.
/// </summary>
public readonly record struct ConvPadding3(Size3 Size, string? Mode)
{
    public static implicit operator ConvPadding3(int v) => new(v, null);
    public static implicit operator ConvPadding3((int D, int H, int W) t) => new(t, null);
    public static implicit operator ConvPadding3(Size3 s) => new(s, null);
    public static implicit operator ConvPadding3(string mode) => new(0, mode);

    /// <summary>The padding before each axis (both sides for sizes) and the extra after it ("same" only).</summary>
    public (Size3 Begin, Size3 Extra) Resolve(string layer, Size3 kernel, Size3 stride, Size3 dilation) => Mode switch
    {
        null => (Size, new Size3(0, 0, 0)),
        "valid" => (0, new Size3(0, 0, 0)),
        "same" when stride == new Size3(1, 1, 1) => (
            new Size3(dilation.D * (kernel.D - 1) / 2, dilation.H * (kernel.H - 1) / 2, dilation.W * (kernel.W - 1) / 2),
            new Size3(dilation.D * (kernel.D - 1) % 2, dilation.H * (kernel.H - 1) % 2, dilation.W * (kernel.W - 1) % 2)),
        "same" => throw new ArgumentException($"{layer}: padding=\"same\" is not supported for strided convolutions (stride {stride})"),
        _ => throw new ArgumentException($"{layer}: padding must be \"valid\", \"same\" or sizes, got \"{Mode}\""),
    };

    public override string ToString() => Mode ?? Size.ToString();
}

/// <summary>
/// The 3-D convolutions, composed from the 2-D ones (no kernel of their own): the depth axis is unrolled into
/// channels (im2col over depth), so one <see cref="Conv2d"/> or <see cref="ConvTranspose2d"/> call does all the
/// arithmetic and its closed-form backward, with the views, stacks and pads around it differentiable. The checks
/// come first, with PyTorch's 3-D rules and the 3-D shapes in their messages.
/// </summary>
public static partial class F
{
    /// <summary>
    /// 3-D cross-correlation as torch.nn.functional.conv3d: input x [N, C, D, H, W] (or one volume [C, D, H, W]),
    /// weight w [K, C/G, KD, KH, KW], output y [N, K, OD, OH, OW] with OD = ⌊(D + 2 PD − DD (KD − 1) − 1) / SD⌋ + 1
    /// (OH, OW likewise) and
    ///   y[n, k, od, oh, ow] = b[k] + Σ_{c ∈ group(k), a, i, j} w[k, c, a, i, j] · x[n, c, od SD − PD + a DD, oh SH − PH + i DH, ow SW − PW + j DW]
    /// (0 outside the volume). Computed as one 2-D convolution: x padded along depth, its KD depth taps
    /// x[:, :, a·DD + od·SD] (strided views) stacked as channels c·KD + a of the images [N·OD, C·KD, H, W], and w
    /// viewed as [K, C/G·KD, KH, KW] with the same channel order (so groups stay contiguous blocks).
    /// </summary>
    /// <param name="padding">Sizes, or "valid" or "same" (stride 1 only; an odd total D·(K − 1) pads one more at the end).</param>
    /// <param name="layer">Names the calling layer in error messages.</param>
    public static Tensor Conv3d(Tensor input, Tensor weight, Tensor? bias = null, Size3? stride = null, ConvPadding3? padding = null,
        Size3? dilation = null, int groups = 1, string layer = "conv3d")
    {
        if (weight.Rank != 5)
            throw new ArgumentException($"{layer}: weight must be [out_channels, in_channels/groups, kD, kH, kW], got {Shapes.Format(weight.Shape)}");
        Size3 s = stride ?? 1, d = dilation ?? 1;
        var kernel = new Size3(weight.Size(2), weight.Size(3), weight.Size(4));
        var (p, extra) = (padding ?? 0).Resolve(layer, kernel, s, d);
        if (extra != new Size3(0, 0, 0) && input.Rank is 4 or 5) input = input.Pad([0, extra.W, 0, extra.H, 0, extra.D]);
        // An unbatched volume (other rank-4 inputs fall through to the shape check, whose message names them).
        if (input.Rank == 4 && input.Size(0) == weight.Size(1) * groups)
            return Conv3d(input.Unsqueeze(0), weight, bias, s, p, d, groups, layer).Squeeze(0);
        var (od, _, _) = Conv3dShape(layer, input, weight, bias, s, p, d, groups);
        int n = input.Size(0), c = input.Size(1), h = input.Size(3), w = input.Size(4), k = weight.Size(0), kd = kernel.D;
        // [N, D + 2 PD, C, H, W]: depth before channels, so each tap's slice is [N, OD, C, H, W].
        var x = (p.D > 0 ? input.Pad([0, 0, 0, 0, p.D, p.D]) : input).Permute(0, 2, 1, 3, 4);
        int span = (od - 1) * s.D + 1;
        var taps = new Tensor[kd];
        for (int a = 0; a < kd; a++) taps[a] = x.Slice(1, a * d.D, a * d.D + span, s.D);
        // [N, OD, C, KD, H, W] → images [N·OD, C·KD, H, W] (Stack makes it contiguous, so the reshape is a view).
        var cols = (kd == 1 ? taps[0].Unsqueeze(3) : Tensor.Stack(taps, 3)).Reshape(n * od, c * kd, h, w);
        var y = Conv2d(cols, weight.Reshape(k, weight.Size(1) * kd, kernel.H, kernel.W), bias, s.HW, p.HW, d.HW, groups, layer);
        return y.Reshape(n, od, k, y.Size(2), y.Size(3)).Permute(0, 2, 1, 3, 4).Contiguous();
    }

    /// <summary>Checks a 3-D convolution's arguments as PyTorch does and returns its output size; every message names
    /// the layer and the shapes.</summary>
    public static (int OD, int OH, int OW) Conv3dShape(string layer, Tensor input, Tensor weight, Tensor? bias, Size3 stride, Size3 padding,
        Size3 dilation, int groups)
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (bias != null) Ops.CheckPair(layer, input, bias);
        if (weight.Rank != 5)
            throw new ArgumentException($"{layer}: weight must be [out_channels, in_channels/groups, kD, kH, kW], got {Shapes.Format(weight.Shape)}");
        if (groups < 1) throw new ArgumentException($"{layer}: groups must be at least 1, got {groups}");
        if (stride.D < 1 || stride.H < 1 || stride.W < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation.D < 1 || dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding.D < 0 || padding.H < 0 || padding.W < 0) throw new ArgumentException($"{layer}: padding must not be negative, got {padding}");
        if (weight.Numel == 0) throw new ArgumentException($"{layer}: weight must not be empty, got {Shapes.Format(weight.Shape)}");
        int k = weight.Size(0);
        if (k % groups != 0)
            throw new ArgumentException($"{layer}: out_channels {k} (weight {Shapes.Format(weight.Shape)}, dim 0) is not divisible by groups {groups}");
        int c = weight.Size(1) * groups;
        if (input.Rank != 5 || input.Size(1) != c)
            throw new ArgumentException(
                $"{layer}: expected input [N, {c}, D, H, W] or [{c}, D, H, W] ({c} channels: weight {Shapes.Format(weight.Shape)}, groups {groups}), got {Shapes.Format(input.Shape)}" +
                (input.Rank == 5 ? $" with {input.Size(1)} channels" : $" of rank {input.Rank}"));
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != k))
            throw new ArgumentException($"{layer}: bias must be [{k}], got {Shapes.Format(bias.Shape)}");
        int[] size = [input.Size(2), input.Size(3), input.Size(4)], kern = [weight.Size(2), weight.Size(3), weight.Size(4)];
        int[] pad = [padding.D, padding.H, padding.W], dil = [dilation.D, dilation.H, dilation.W], str = [stride.D, stride.H, stride.W];
        var reach = new int[3];
        var o = new int[3];
        for (int a = 0; a < 3; a++)
        {
            reach[a] = dil[a] * (kern[a] - 1) + 1;
            o[a] = size[a] + 2 * pad[a] < reach[a] ? 0 : (size[a] + 2 * pad[a] - reach[a]) / str[a] + 1;
        }
        if (o.Any(v => v < 1))
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small: with padding {padding} the volume is " +
                $"{size[0] + 2 * pad[0]}x{size[1] + 2 * pad[1]}x{size[2] + 2 * pad[2]}, smaller than the (dilated) kernel {reach[0]}x{reach[1]}x{reach[2]}; " +
                $"expected at least [N, {c}, {Math.Max(1, reach[0] - 2 * pad[0])}, {Math.Max(1, reach[1] - 2 * pad[1])}, {Math.Max(1, reach[2] - 2 * pad[2])}]");
        return (o[0], o[1], o[2]);
    }

    /// <summary>
    /// 3-D transposed convolution as torch.nn.functional.conv_transpose3d: input x [N, Cin, D, H, W] (or one volume
    /// [Cin, D, H, W]), weight w [Cin, Cout/G, KD, KH, KW], output y [N, Cout, OD, OH, OW] with
    /// OD = (D − 1)·SD − 2·PD + DD·(KD − 1) + OPD + 1 (OH, OW likewise) and
    ///   y[n, co, i, j, l] = b[co] + Σ_{ci ∈ group(co), d, h, w, a, p, q: i = d·SD − PD + a·DD, j = h·SH − PH + p·DH, l = w·SW − PW + q·DW} x[n, ci, d, h, w] · w[ci, co', a, p, q]
    /// (terms outside the output dropped). Computed as one 2-D transposed convolution of the depth slices
    /// [N·D, Cin, H, W] with w viewed as [Cin, Cout/G·KD, KH, KW] (output channel co'·KD + a: depth tap a), then each
    /// tap's slices spread to depths d·SD + a·DD (SD − 1 zeros after each), summed, and cropped by PD (with OPD zeros
    /// at the end first).
    /// </summary>
    /// <param name="outputPadding">Extra elements at the end of each axis; each smaller than its stride or its dilation.</param>
    public static Tensor ConvTranspose3d(Tensor input, Tensor weight, Tensor? bias = null, Size3? stride = null, Size3? padding = null,
        Size3? outputPadding = null, int groups = 1, Size3? dilation = null, string layer = "conv_transpose3d")
    {
        Size3 s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0, d = dilation ?? 1;
        if (input.Rank == 4 && weight.Rank == 5 && input.Size(0) == weight.Size(0))
            return ConvTranspose3d(input.Unsqueeze(0), weight, bias, s, p, op, groups, d, layer).Squeeze(0);
        var (od, _, _) = ConvTranspose3dShape(layer, input, weight, bias, s, p, op, d, groups);
        int n = input.Size(0), cin = input.Size(1), depth = input.Size(2), h = input.Size(3), w = input.Size(4);
        int coutg = weight.Size(1), cout = coutg * groups, kd = weight.Size(2);
        var slices = input.Permute(0, 2, 1, 3, 4).Reshape(n * depth, cin, h, w);
        var y2 = ConvTranspose2d(slices, weight.Reshape(cin, coutg * kd, weight.Size(3), weight.Size(4)), null, s.HW, p.HW, op.HW, groups, d.HW, layer);
        int oh = y2.Size(2), ow = y2.Size(3);
        // [N, D, Cout, KD, OH, OW]; slice d of tap a lands at depth d·SD + a·DD of the uncropped output.
        var y = y2.Reshape(n, depth, cout, kd, oh, ow);
        int spread = (depth - 1) * s.D + 1, full = spread + d.D * (kd - 1);
        if (s.D > 1)
            y = y.Unsqueeze(2).Pad([0, 0, 0, 0, 0, 0, 0, 0, 0, s.D - 1]).Reshape(n, depth * s.D, cout, kd, oh, ow).Narrow(1, 0, spread);
        Tensor? sum = null;
        for (int a = 0; a < kd; a++)
        {
            var tap = y.Narrow(3, a, 1).Squeeze(3).Pad([0, 0, 0, 0, 0, 0, a * d.D, (kd - 1 - a) * d.D]);
            sum = sum == null ? tap : sum + tap;
        }
        // output_padding's zeros at the end, then the padding's crop: depths PD .. PD + OD − 1 of the full output.
        var cropped = (op.D > 0 ? sum!.Pad([0, 0, 0, 0, 0, 0, 0, op.D]) : sum!).Narrow(1, p.D, od).Permute(0, 2, 1, 3, 4).Contiguous();
        return bias == null ? cropped : cropped + bias.Reshape(1, cout, 1, 1, 1);
    }

    /// <summary>Checks a 3-D transposed convolution's arguments as PyTorch does and returns its output size; every
    /// message names the layer and the shapes.</summary>
    public static (int OD, int OH, int OW) ConvTranspose3dShape(string layer, Tensor input, Tensor weight, Tensor? bias, Size3 stride,
        Size3 padding, Size3 outputPadding, Size3 dilation, int groups)
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (bias != null) Ops.CheckPair(layer, input, bias);
        if (weight.Rank != 5)
            throw new ArgumentException($"{layer}: weight must be [in_channels, out_channels/groups, kD, kH, kW], got {Shapes.Format(weight.Shape)}");
        if (groups < 1) throw new ArgumentException($"{layer}: groups must be at least 1, got {groups}");
        if (stride.D < 1 || stride.H < 1 || stride.W < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation.D < 1 || dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding.D < 0 || padding.H < 0 || padding.W < 0) throw new ArgumentException($"{layer}: padding must not be negative, got {padding}");
        if (outputPadding.D < 0 || outputPadding.H < 0 || outputPadding.W < 0)
            throw new ArgumentException($"{layer}: output_padding must not be negative, got {outputPadding}");
        if ((outputPadding.D >= stride.D && outputPadding.D >= dilation.D) || (outputPadding.H >= stride.H && outputPadding.H >= dilation.H)
            || (outputPadding.W >= stride.W && outputPadding.W >= dilation.W))
            throw new ArgumentException(
                $"{layer}: output_padding must be smaller than either stride or dilation, got output_padding {outputPadding}, stride {stride}, dilation {dilation}");
        if (weight.Numel == 0) throw new ArgumentException($"{layer}: weight must not be empty, got {Shapes.Format(weight.Shape)}");
        int cin = weight.Size(0), cout = weight.Size(1) * groups;
        if (cin % groups != 0)
            throw new ArgumentException($"{layer}: in_channels {cin} (weight {Shapes.Format(weight.Shape)}, dim 0) is not divisible by groups {groups}");
        if (input.Rank != 5 || input.Size(1) != cin)
            throw new ArgumentException(
                $"{layer}: expected input [N, {cin}, D, H, W] or [{cin}, D, H, W] ({cin} channels, weight {Shapes.Format(weight.Shape)}), got {Shapes.Format(input.Shape)}" +
                (input.Rank == 5 ? $" with {input.Size(1)} channels" : $" of rank {input.Rank}"));
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != cout))
            throw new ArgumentException($"{layer}: bias must be [{cout}] (out_channels/groups {weight.Size(1)} · groups {groups}), got {Shapes.Format(bias.Shape)}");
        if (input.Size(2) == 0 || input.Size(3) == 0 || input.Size(4) == 0)
            throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty volume; only an empty batch is supported");
        int Out(int i, int s, int p, int d, int k, int o) => (i - 1) * s - 2 * p + d * (k - 1) + o + 1;
        int od = Out(input.Size(2), stride.D, padding.D, dilation.D, weight.Size(2), outputPadding.D);
        int oh = Out(input.Size(3), stride.H, padding.H, dilation.H, weight.Size(3), outputPadding.H);
        int ow = Out(input.Size(4), stride.W, padding.W, dilation.W, weight.Size(4), outputPadding.W);
        if (od < 1 || oh < 1 || ow < 1)
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} with weight {Shapes.Format(weight.Shape)}, stride {stride}, padding {padding}, " +
                $"output_padding {outputPadding} and dilation {dilation} gives an output of {od}x{oh}x{ow}, which is too small (each size must be positive)");
        return (od, oh, ow);
    }
}
