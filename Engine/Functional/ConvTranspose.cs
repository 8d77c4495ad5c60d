using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// 2-D transposed convolution as torch.nn.functional.conv_transpose2d: input x [N, Cin, H, W] (or one image
    /// [Cin, H, W]), weight w [Cin, Cout/G, KH, KW], output y [N, Cout, OH, OW] with
    ///   OH = (H − 1)·SH − 2·PH + DH·(KH − 1) + OPH + 1   (and OW likewise), and
    ///   y[n, co, i, j] = b[co] + Σ_{ci ∈ group(co), h, w, kh, kw: i = h·SH − PH + kh·DH, j = w·SW − PW + kw·DW} x[n, ci, h, w] · w[ci, co', kh, kw]
    /// where positions i, j outside [0, OH) × [0, OW) are dropped (the padding crops the full result) and the
    /// output_padding OP adds rows and columns at the bottom and right that only some terms (or the bias alone) reach.
    /// This is the adjoint of the convolution c with input [N, Cout, OH, OW], weight w and output [N, Cin, H, W], so the
    /// backend's convolution kernels compute every pass:
    ///   y      = c's input gradient of x (its "dy"), + b
    ///   dL/dx  = c's forward of G = dL/dy
    ///   dL/dw  = c's weight gradient with the roles swapped: its input G, its output gradient x
    ///   dL/db  = Σ_{n, i, j} G[n, co, i, j]
    /// Where OP ≥ S (allowed when OP &lt; D) c's output would be ⌊OP/S⌋ rows taller than x, so x is padded with that
    /// many zero rows (columns) for c and its gradient cropped back.
    /// </summary>
    /// <param name="input">[N, Cin, H, W], or one unbatched image [Cin, H, W] (the result is then [Cout, OH, OW]).</param>
    /// <param name="weight">[Cin, Cout/groups, KH, KW] (PyTorch's layout for transposed convolutions).</param>
    /// <param name="outputPadding">Extra rows and columns at the bottom and right; each must be smaller than its stride
    /// or its dilation.</param>
    /// <param name="layer">Names the calling layer in error messages.</param>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null,
        Size2? outputPadding = null, int groups = 1, Size2? dilation = null, string layer = "conv_transpose2d")
    {
        // An unbatched image (other rank-3 inputs fall through to the shape check, whose message names them).
        if (input.Rank == 3 && weight.Rank == 4 && input.Size(0) == weight.Size(0))
            return ConvTranspose2d(input.Unsqueeze(0), weight, bias, stride, padding, outputPadding, groups, dilation, layer).Squeeze(0);
        var (g, extra) = ConvTranspose2dShape(layer, input, weight, bias, stride ?? 1, padding ?? 0, outputPadding ?? 0, dilation ?? 1, groups);
        var x = input.Contiguous();
        var w = weight.Contiguous();
        // c's output gradient: x, with the zero rows and columns that make c's output size formula give its size.
        Tensor xc;
        using (Tensor.NoGrad()) xc = extra == new Size2(0, 0) ? x : x.Pad([0, extra.W, 0, extra.H]);
        // An empty batch: nothing to compute (the backend's loops are not asked to handle it).
        bool none = xc.Numel == 0;
        var y = none ? Tensor.Zeros([g.N, g.C, g.H, g.W], x.DType, x.Device) : Tensor.Empty([g.N, g.C, g.H, g.W], x.DType, x.Device);
        // c's input is only read for its weight gradient, not asked for here: y stands in for it (same shape).
        if (!none) x.Backend.Conv2dBackward(y, w, xc, y, null, null, g);
        if (bias != null && y.Numel > 0)
            using (Tensor.NoGrad()) y = y + bias.Reshape(1, g.C, 1, 1);

        bool needX = input.RequiresGrad, needW = weight.RequiresGrad, needB = bias?.RequiresGrad ?? false;
        Tensor[] inputs = bias == null ? [input, weight] : [input, weight, bias];
        return Graph.Record(y, "conv_transpose2d", inputs, dy =>
        {
            var gy = dy.Contiguous();
            Tensor? dx = null, dw = null, db = null;
            if (needX)
            {
                bool empty = gy.Numel == 0;
                var full = empty ? Tensor.Zeros([g.N, g.K, g.OH, g.OW], x.DType, x.Device) : Tensor.Empty([g.N, g.K, g.OH, g.OW], x.DType, x.Device);
                if (!empty) x.Backend.Conv2d(gy, w, null, full, g);
                using (Tensor.NoGrad())
                    dx = extra == new Size2(0, 0) ? full : full.Narrow(2, 0, x.Size(2)).Narrow(3, 0, x.Size(3)).Contiguous();
            }
            if (needW)
            {
                if (xc.Numel == 0 || gy.Numel == 0) dw = Tensor.Zeros(w.ShapeCopy(), w.DType, w.Device);
                else x.Backend.Conv2dBackward(gy, w, xc, null, dw = w.EmptyLike(), null, g);
            }
            if (needB)
                using (Tensor.NoGrad()) db = gy.Sum([0, 2, 3]);
            return bias == null ? [dx, dw] : [dx, dw, db];
        }, [xc, w]);
    }

    /// <summary>Checks a transposed convolution's arguments as PyTorch does and returns the geometry of the
    /// convolution it is the adjoint of (input: the transposed output; output: the transposed input with
    /// <c>extra</c> rows and columns); every message names the layer and the shapes.</summary>
    public static (Conv2dGeometry G, Size2 Extra) ConvTranspose2dShape(string layer, Tensor input, Tensor weight, Tensor? bias,
        Size2 stride, Size2 padding, Size2 outputPadding, Size2 dilation, int groups)
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (bias != null) Ops.CheckPair(layer, input, bias);
        if (weight.Rank != 4)
            throw new ArgumentException($"{layer}: weight must be [in_channels, out_channels/groups, kH, kW], got {Shapes.Format(weight.Shape)}");
        if (groups < 1) throw new ArgumentException($"{layer}: groups must be at least 1, got {groups}");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentException($"{layer}: padding must not be negative, got {padding}");
        if (outputPadding.H < 0 || outputPadding.W < 0)
            throw new ArgumentException($"{layer}: output_padding must not be negative, got {outputPadding}");
        // PyTorch's rule (slow_conv_transpose2d_shape_check): beyond both, the extra rows could not be reached by the
        // kernel at all and would not be those of any convolution's input.
        if ((outputPadding.H >= stride.H && outputPadding.H >= dilation.H) || (outputPadding.W >= stride.W && outputPadding.W >= dilation.W))
            throw new ArgumentException(
                $"{layer}: output_padding must be smaller than either stride or dilation, got output_padding {outputPadding}, stride {stride}, dilation {dilation}");
        int cin = weight.Size(0), coutg = weight.Size(1), kh = weight.Size(2), kw = weight.Size(3);
        // libtorch's slow_conv_transpose2d_shape_check: "non-empty 2D or 4D weight tensor expected".
        if (weight.Numel == 0)
            throw new ArgumentException($"{layer}: weight must not be empty, got {Shapes.Format(weight.Shape)}");
        if (cin < groups)
            throw new ArgumentException($"{layer}: weight {Shapes.Format(weight.Shape)} has {cin} input channels (dim 0), fewer than groups {groups}");
        if (cin % groups != 0)
            throw new ArgumentException($"{layer}: in_channels {cin} (weight {Shapes.Format(weight.Shape)}, dim 0) is not divisible by groups {groups}");
        int cout = coutg * groups;
        if (input.Rank != 4 || input.Size(1) != cin)
            throw new ArgumentException(
                $"{layer}: expected input [N, {cin}, H, W] or [{cin}, H, W] ({cin} channels, weight {Shapes.Format(weight.Shape)}), got {Shapes.Format(input.Shape)}" +
                (input.Rank == 4 ? $" with {input.Size(1)} channels" : $" of rank {input.Rank}"));
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != cout))
            throw new ArgumentException($"{layer}: bias must be [{cout}] (out_channels/groups {coutg} · groups {groups}), got {Shapes.Format(bias.Shape)}");
        int h = input.Size(2), w = input.Size(3);
        // PyTorch takes an empty batch but no other empty input (its "Only zero batch or zero channel inputs").
        if (h == 0 || w == 0)
            throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty image; only an empty batch is supported");
        int oh = (h - 1) * stride.H - 2 * padding.H + dilation.H * (kh - 1) + outputPadding.H + 1;
        int ow = (w - 1) * stride.W - 2 * padding.W + dilation.W * (kw - 1) + outputPadding.W + 1;
        if (oh < 1 || ow < 1)
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} with weight {Shapes.Format(weight.Shape)}, stride {stride}, padding {padding}, " +
                $"output_padding {outputPadding} and dilation {dilation} gives an output of {oh}x{ow}, which is too small (each size must be positive)");
        var extra = new Size2(outputPadding.H / stride.H, outputPadding.W / stride.W);
        var g = new Conv2dGeometry(input.Size(0), cout, oh, ow, cin, kh, kw, stride.H, stride.W, padding.H, padding.W,
            dilation.H, dilation.W, groups, h + extra.H, w + extra.W);
        return (g, extra);
    }
}
