using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>Shapes of a 2-D pooling window sliding over x [N, C, H, W] to y [N, C, OH, OW] with
/// OH = ⌊(H + 2 PH − KH) / SH⌋ + 1 (floor mode, PyTorch's default; OW likewise).</summary>
public readonly record struct Pool2dGeometry(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int OH, int OW);

public static partial class F
{
    /// <summary>Checks a pooling layer's arguments (PyTorch's rules: padding at most half the kernel, the window
    /// must fit the padded image) and computes its geometry.</summary>
    public static Pool2dGeometry Pool2dShape(string layer, Tensor input, Size2 kernel, Size2 stride, Size2 padding)
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank != 4)
            throw new ArgumentException($"{layer}: expected input [N, C, H, W], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (kernel.H < 1 || kernel.W < 1 || stride.H < 1 || stride.W < 1)
            throw new ArgumentException($"{layer}: kernel size {kernel} and stride {stride} must be positive");
        if (padding.H < 0 || padding.W < 0 || 2 * padding.H > kernel.H || 2 * padding.W > kernel.W)
            throw new ArgumentException($"{layer}: padding {padding} must be between 0 and half the kernel size {kernel}");
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        if (h + 2 * padding.H < kernel.H || w + 2 * padding.W < kernel.W)
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small for kernel {kernel} with padding {padding}: " +
                $"expected at least [N, C, {kernel.H - 2 * padding.H}, {kernel.W - 2 * padding.W}]");
        int oh = (h + 2 * padding.H - kernel.H) / stride.H + 1, ow = (w + 2 * padding.W - kernel.W) / stride.W + 1;
        return new Pool2dGeometry(n, c, h, w, kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, oh, ow);
    }

    /// <summary>
    /// Max pooling as torch.nn.functional.max_pool2d (stride defaults to the kernel size). The gradient of each
    /// output goes to one input: the first maximum of its window in row-major order, so ties are resolved
    /// deterministically; where windows overlap an input may collect several gradients.
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null, string layer = "max_pool2d")
    {
        var g = Pool2dShape(layer, input, kernelSize, stride ?? kernelSize, padding ?? 0);
        var x = input.Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OH, g.OW], x.DType, x.Device);
        var indices = Tensor.Empty([g.N, g.C, g.OH, g.OW], DType.Int32, x.Device);
        x.Backend.MaxPool2d(x, y, indices, g);
        return Graph.Record(y, "max_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.MaxPool2dBackward(dy.Contiguous(), indices, dx, g);
            return [dx];
        }, indices);
    }

    /// <summary>
    /// Average pooling as torch.nn.functional.avg_pool2d: y = Σ window / divisor with divisor KH·KW when
    /// countIncludePad (the default, padding counts as zeros), else the number of positions inside the image.
    /// dL/dx[p] = Σ over the windows w containing p of dL/dy[w] / divisor(w).
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        bool countIncludePad = true, string layer = "avg_pool2d")
    {
        var g = Pool2dShape(layer, input, kernelSize, stride ?? kernelSize, padding ?? 0);
        var x = input.Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OH, g.OW], x.DType, x.Device);
        x.Backend.AvgPool2d(x, y, g, countIncludePad);
        return Graph.Record(y, "avg_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.AvgPool2dBackward(dy.Contiguous(), dx, g, countIncludePad);
            return [dx];
        });
    }

    /// <summary>
    /// Adaptive average pooling as torch.nn.functional.adaptive_avg_pool2d: output (OH, OW) whatever the input
    /// size; output row oh averages input rows ⌊oh·H/OH⌋ .. ⌈(oh+1)·H/OH⌉ − 1 (columns likewise), so windows may
    /// differ in size and overlap. Output 1x1 is the global average pool.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Size2 outputSize, string layer = "adaptive_avg_pool2d")
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank != 4)
            throw new ArgumentException($"{layer}: expected input [N, C, H, W], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (outputSize.H < 1 || outputSize.W < 1)
            throw new ArgumentException($"{layer}: output size {outputSize} must be positive");
        if (input.Size(2) < 1 || input.Size(3) < 1)
            throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty image");
        var x = input.Contiguous();
        var y = Tensor.Empty([x.Size(0), x.Size(1), outputSize.H, outputSize.W], x.DType, x.Device);
        x.Backend.AdaptiveAvgPool2d(x, y);
        return Graph.Record(y, "adaptive_avg_pool2d", [input], dy =>
        {
            var dx = x.EmptyLike();
            x.Backend.AdaptiveAvgPool2dBackward(dy.Contiguous(), dx);
            return [dx];
        });
    }
}
