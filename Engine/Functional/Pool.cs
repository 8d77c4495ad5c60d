using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>Shapes of a 2-D pooling window sliding over x [N, C, H, W] to y [N, C, OH, OW]. Window (oh, ow) reads
/// rows oh·SH − PH + i·DH for i in [0, KH) (columns likewise), clipped to the image; the output size is PyTorch's
/// pooling_output_shape (see <see cref="F.PoolOutputSize"/>): floor mode by default, ceil mode keeping only windows
/// that start inside the image or its left padding. Average pooling has no dilation (DH = DW = 1).</summary>
public readonly record struct Pool2dGeometry(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW,
    int DH, int DW, int OH, int OW);

public static partial class F
{
    /// <summary>PyTorch's pooling_output_shape along one axis: ⌊(in + 2·pad − dilation·(kernel − 1) − 1 (+ stride − 1
    /// in ceil mode)) / stride⌋ + 1, rounding toward −∞; in ceil mode one less when the last window would start at or
    /// past in + pad (past the image and its left padding). Less than 1 means the input is too small.</summary>
    public static int PoolOutputSize(int inSize, int kernel, int stride, int pad, int dilation, bool ceilMode)
    {
        int num = inSize + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        int o = (int)Math.Floor((double)num / stride) + 1;
        if (ceilMode && (o - 1) * stride >= inSize + pad) o--;
        return o;
    }

    /// <summary>Checks a pooling layer's arguments with PyTorch's rules (positive kernel, stride and dilation, padding
    /// at most half the kernel, an output of at least 1x1) and computes its geometry.</summary>
    public static Pool2dGeometry Pool2dShape(string layer, Tensor input, Size2 kernel, Size2 stride, Size2 padding,
        Size2? dilation = null, bool ceilMode = false)
    {
        var d = dilation ?? 1;
        Ops.CheckFloating(layer, input);
        if (input.Rank != 4)
            throw new ArgumentException($"{layer}: expected input [N, C, H, W] or [C, H, W], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (kernel.H < 1 || kernel.W < 1 || stride.H < 1 || stride.W < 1)
            throw new ArgumentException($"{layer}: kernel size {kernel} and stride {stride} must be positive");
        if (d.H < 1 || d.W < 1) throw new ArgumentException($"{layer}: dilation {d} must be positive");
        if (padding.H < 0 || padding.W < 0 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{layer}: padding {padding} must be between 0 and half the kernel size {kernel}");
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        int oh = PoolOutputSize(h, kernel.H, stride.H, padding.H, d.H, ceilMode);
        int ow = PoolOutputSize(w, kernel.W, stride.W, padding.W, d.W, ceilMode);
        if (oh < 1 || ow < 1)
        {
            int minH = 1, minW = 1;
            while (PoolOutputSize(minH, kernel.H, stride.H, padding.H, d.H, ceilMode) < 1) minH++;
            while (PoolOutputSize(minW, kernel.W, stride.W, padding.W, d.W, ceilMode) < 1) minW++;
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small for kernel {kernel} with padding {padding}" +
                (d != new Size2(1, 1) ? $", dilation {d}" : "") + (ceilMode ? ", ceil_mode" : "") +
                $": the output would be {oh}x{ow}; expected at least [N, C, {minH}, {minW}]");
        }
        return new Pool2dGeometry(n, c, h, w, kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, d.H, d.W, oh, ow);
    }

    /// <summary>
    /// Max pooling as torch.nn.functional.max_pool2d (stride defaults to the kernel size; dilation spaces the window's
    /// taps; ceil_mode rounds the output size up, see <see cref="PoolOutputSize"/>). The gradient of each output goes
    /// to one input: the first maximum of its window in row-major order, so ties are resolved deterministically; where
    /// windows overlap an input may collect several gradients. A window whose taps all fall in the padding (possible
    /// with dilation) gives −∞, as PyTorch, and passes no gradient.
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, bool ceilMode = false, string layer = "max_pool2d") =>
        MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode, layer).Output;

    /// <summary>torch.nn.functional.max_pool2d_with_indices (max_pool2d with return_indices=True): the pooled output
    /// and, per output, the flat position ih·W + iw of its maximum in the input plane (int32; −1 for a window wholly
    /// in the padding), the indices <see cref="MaxUnpool2d"/> takes.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, bool ceilMode = false, string layer = "max_pool2d")
    {
        if (input.Rank == 3)
        {
            var (o, i) = MaxPool2dWithIndices(input.Unsqueeze(0), kernelSize, stride, padding, dilation, ceilMode, layer);
            return (o.Squeeze(0), i.Squeeze(0));
        }
        var g = Pool2dShape(layer, input, kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1, ceilMode);
        var x = input.Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OH, g.OW], x.DType, x.Device);
        var indices = Tensor.Empty([g.N, g.C, g.OH, g.OW], DType.Int32, x.Device);
        x.Backend.MaxPool2d(x, y, indices, g);
        return (Graph.Record(y, "max_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.MaxPool2dBackward(dy.Contiguous(), indices, dx, g);
            return [dx];
        }, indices), indices);
    }

    /// <summary>
    /// Average pooling as torch.nn.functional.avg_pool2d: y = Σ window / divisor. The divisor is divisorOverride when
    /// given (nonzero); else, with countIncludePad (the default, padding counts as zeros), the window's size clipped to
    /// the padded image (a ceil-mode window running past the right padding counts only up to it); else the number of
    /// positions inside the image. dL/dx[p] = Σ over the windows w containing p of dL/dy[w] / divisor(w).
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null, string layer = "avg_pool2d")
    {
        if (divisorOverride == 0) throw new ArgumentException($"{layer}: divisor_override must not be zero");
        if (input.Rank == 3) return AvgPool2d(input.Unsqueeze(0), kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride, layer).Squeeze(0);
        var g = Pool2dShape(layer, input, kernelSize, stride ?? kernelSize, padding ?? 0, 1, ceilMode);
        int divisor = divisorOverride ?? 0;
        var x = input.Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OH, g.OW], x.DType, x.Device);
        x.Backend.AvgPool2d(x, y, g, countIncludePad, divisor);
        return Graph.Record(y, "avg_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.AvgPool2dBackward(dy.Contiguous(), dx, g, countIncludePad, divisor);
            return [dx];
        });
    }

    /// <summary>
    /// Adaptive average pooling as torch.nn.functional.adaptive_avg_pool2d: output (OH, OW) whatever the input
    /// size; output row oh averages input rows ⌊oh·H/OH⌋ .. ⌈(oh+1)·H/OH⌉ − 1 (columns likewise), so windows may
    /// differ in size and overlap. Output 1x1 is the global average pool; a null entry keeps that input size; an output
    /// size of 0 gives an empty result (and a zero gradient), as in PyTorch, which also rejects an input image with no
    /// rows or columns.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, AdaptiveSize2 outputSize, string layer = "adaptive_avg_pool2d")
    {
        var (x, o) = AdaptiveShape(layer, input, outputSize);
        if (input.Rank == 3) return AdaptiveAvgPool2d(input.Unsqueeze(0), o, layer).Squeeze(0);
        var y = Tensor.Empty([x.Size(0), x.Size(1), o.H, o.W], x.DType, x.Device);
        x.Backend.AdaptiveAvgPool2d(x, y);
        return Graph.Record(y, "adaptive_avg_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.AdaptiveAvgPool2dBackward(dy.Contiguous(), dx);
            return [dx];
        });
    }

    /// <summary>
    /// Adaptive max pooling as torch.nn.functional.adaptive_max_pool2d (without return_indices): output (OH, OW) with
    /// PyTorch's windows, rows ⌊oh·H/OH⌋ .. ⌈(oh+1)·H/OH⌉ − 1 (columns likewise); a null entry keeps that input size.
    /// Each window is scanned row-major as PyTorch's CPU kernel: v &gt; max or v is NaN takes the place, so ties go to
    /// the first maximum and a NaN wins (the last NaN of the window). The gradient of each output goes to that element.
    /// An output size of 0 gives an empty result; an input image with no rows or columns is an error, as in PyTorch.
    /// </summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, AdaptiveSize2 outputSize, string layer = "adaptive_max_pool2d") =>
        AdaptiveMaxPool2dWithIndices(input, outputSize, layer).Output;

    /// <summary>torch.nn.functional.adaptive_max_pool2d with return_indices=True: <see cref="AdaptiveMaxPool2d"/> and,
    /// per output, the flat position ih·W + iw of its maximum in the input plane (int32).</summary>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, AdaptiveSize2 outputSize, string layer = "adaptive_max_pool2d")
    {
        var (x, o) = AdaptiveShape(layer, input, outputSize);
        if (input.Rank == 3)
        {
            var (y3, i3) = AdaptiveMaxPool2dWithIndices(input.Unsqueeze(0), o, layer);
            return (y3.Squeeze(0), i3.Squeeze(0));
        }
        var y = Tensor.Empty([x.Size(0), x.Size(1), o.H, o.W], x.DType, x.Device);
        var indices = Tensor.Empty([x.Size(0), x.Size(1), o.H, o.W], DType.Int32, x.Device);
        x.Backend.AdaptiveMaxPool2d(x, y, indices);
        return (Graph.Record(y, "adaptive_max_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.AdaptiveMaxPool2dBackward(dy.Contiguous(), indices, dx);
            return [dx];
        }, indices), indices);
    }

    /// <summary>PyTorch's checks of an adaptive pool's input ([N, C, H, W] or [C, H, W], a non-empty image) and its
    /// output size with null entries resolved to the input's; returns the contiguous input.</summary>
    private static (Tensor X, Size2 Output) AdaptiveShape(string layer, Tensor input, AdaptiveSize2 outputSize)
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"{layer}: expected input [N, C, H, W] or [C, H, W], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (outputSize.H < 0 || outputSize.W < 0)
            throw new ArgumentException($"{layer}: output size {outputSize} must not be negative");
        if (input.Size(-2) < 1 || input.Size(-1) < 1)
            throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty image");
        return (input.Contiguous(), outputSize.Resolve(input.Size(-2), input.Size(-1)));
    }
}

/// <summary>
/// An adaptive pool's output size as PyTorch takes it: an int (square), a pair, or a pair with null entries, each
/// meaning "keep the input's size along that axis" (AdaptiveAvgPool2d((None, 7))).
/// </summary>
public readonly record struct AdaptiveSize2(int? H, int? W)
{
    public static implicit operator AdaptiveSize2(int v) => new(v, v);
    public static implicit operator AdaptiveSize2((int H, int W) t) => new(t.H, t.W);
    public static implicit operator AdaptiveSize2((int? H, int? W) t) => new(t.H, t.W);
    public static implicit operator AdaptiveSize2(Size2 s) => new(s.H, s.W);

    /// <summary>The output size for an input image of h rows and w columns.</summary>
    public Size2 Resolve(int h, int w) => new(H ?? h, W ?? w);

    /// <summary>"(2, 3)", "(None, 7)" as Python prints the tuple.</summary>
    public override string ToString() => $"({H?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"}, {W?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"})";
}
