namespace Pade.Engine.Functional;

/// <summary>
/// The 1-D pools: each is its 2-D twin on the input with an axis of height 1 inserted before the length (a window of
/// height 1, padding 0 along it), so the windows, ties, NaNs, ceil mode and backward are those of the 2-D ops. The
/// checks come first, with PyTorch's 1-D rules and the 1-D shapes in their messages.
/// </summary>
public static partial class F
{
    /// <summary>Max pooling as torch.nn.functional.max_pool1d over x [N, C, L] or [C, L]: stride defaults to the
    /// kernel size, padding at most half the kernel, output length <see cref="PoolOutputSize"/>. The gradient of each
    /// output goes to the first maximum of its window (see <see cref="MaxPool2d"/>).</summary>
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1,
        bool ceilMode = false, string layer = "max_pool1d")
    {
        int s = stride ?? kernelSize;
        Pool1dShape(layer, input, kernelSize, s, padding, dilation, ceilMode);
        return MaxPool2d(input.Unsqueeze(-2), new Size2(1, kernelSize), new Size2(1, s), new Size2(0, padding), new Size2(1, dilation), ceilMode, layer)
            .Squeeze(-2);
    }

    /// <summary>torch.nn.functional.max_pool1d_with_indices: <see cref="MaxPool1d"/> and, per output, the position of
    /// its maximum along the input's length (int32), the indices <see cref="MaxUnpool1d"/> takes.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool1dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0,
        int dilation = 1, bool ceilMode = false, string layer = "max_pool1d")
    {
        int s = stride ?? kernelSize;
        Pool1dShape(layer, input, kernelSize, s, padding, dilation, ceilMode);
        var (o, i) = MaxPool2dWithIndices(input.Unsqueeze(-2), new Size2(1, kernelSize), new Size2(1, s), new Size2(0, padding), new Size2(1, dilation), ceilMode, layer);
        return (o.Squeeze(-2), i.Squeeze(-2));
    }

    /// <summary>Average pooling as torch.nn.functional.avg_pool1d over x [N, C, L] or [C, L] (no divisor_override in
    /// 1-D, as PyTorch): with countIncludePad the divisor is the window clipped to the padded sequence, else the
    /// positions inside the sequence (see <see cref="AvgPool2d"/>).</summary>
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false,
        bool countIncludePad = true, string layer = "avg_pool1d")
    {
        int s = stride ?? kernelSize;
        Pool1dShape(layer, input, kernelSize, s, padding, 1, ceilMode);
        return AvgPool2d(input.Unsqueeze(-2), new Size2(1, kernelSize), new Size2(1, s), new Size2(0, padding), ceilMode, countIncludePad, null, layer)
            .Squeeze(-2);
    }

    /// <summary>Adaptive average pooling as torch.nn.functional.adaptive_avg_pool1d: output o averages input elements
    /// ⌊o·L/OL⌋ .. ⌈(o+1)·L/OL⌉ − 1; an output size of 0 gives an empty result.</summary>
    public static Tensor AdaptiveAvgPool1d(Tensor input, int outputSize, string layer = "adaptive_avg_pool1d")
    {
        Adaptive1dShape(layer, input, outputSize);
        return AdaptiveAvgPool2d(input.Unsqueeze(-2), new Size2(1, outputSize), layer).Squeeze(-2);
    }

    /// <summary>Adaptive max pooling as torch.nn.functional.adaptive_max_pool1d (without return_indices), PyTorch's
    /// windows as <see cref="AdaptiveAvgPool1d"/>; ties go to the first maximum and a NaN wins (see
    /// <see cref="AdaptiveMaxPool2d"/>).</summary>
    public static Tensor AdaptiveMaxPool1d(Tensor input, int outputSize, string layer = "adaptive_max_pool1d")
    {
        Adaptive1dShape(layer, input, outputSize);
        return AdaptiveMaxPool2d(input.Unsqueeze(-2), new Size2(1, outputSize), layer).Squeeze(-2);
    }

    /// <summary>torch.nn.functional.adaptive_max_pool1d with return_indices=True: <see cref="AdaptiveMaxPool1d"/> and,
    /// per output, the position of its maximum along the input's length (int32).</summary>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool1dWithIndices(Tensor input, int outputSize, string layer = "adaptive_max_pool1d")
    {
        Adaptive1dShape(layer, input, outputSize);
        var (o, i) = AdaptiveMaxPool2dWithIndices(input.Unsqueeze(-2), new Size2(1, outputSize), layer);
        return (o.Squeeze(-2), i.Squeeze(-2));
    }

    /// <summary>Checks a 1-D pool's arguments with PyTorch's rules (input [N, C, L] or [C, L], positive kernel, stride
    /// and dilation, padding at most half the kernel, an output of at least 1) and returns its output length.</summary>
    public static int Pool1dShape(string layer, Tensor input, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"{layer}: expected input [N, C, L] or [C, L], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (kernel < 1) throw new ArgumentException($"{layer}: kernel_size must be positive, got {kernel}");
        if (stride < 1) throw new ArgumentException($"{layer}: stride must be positive, got {stride}");
        if (dilation < 1) throw new ArgumentException($"{layer}: dilation must be positive, got {dilation}");
        if (padding < 0 || padding > kernel / 2)
            throw new ArgumentException($"{layer}: padding should be at most half of kernel size, but got padding={padding} and kernel_size={kernel}");
        int l = input.Size(-1), ol = PoolOutputSize(l, kernel, stride, padding, dilation, ceilMode);
        if (ol < 1)
        {
            int min = 1;
            while (PoolOutputSize(min, kernel, stride, padding, dilation, ceilMode) < 1) min++;
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small for kernel {kernel} with padding {padding}" +
                (dilation != 1 ? $", dilation {dilation}" : "") + (ceilMode ? ", ceil_mode" : "") +
                $": the output length would be {ol}; expected a length of at least {min}");
        }
        return ol;
    }

    /// <summary>PyTorch's checks of a 1-D adaptive pool: input [N, C, L] or [C, L] with L ≥ 1, output size ≥ 0.</summary>
    private static void Adaptive1dShape(string layer, Tensor input, int outputSize)
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"{layer}: expected input [N, C, L] or [C, L], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (outputSize < 0) throw new ArgumentException($"{layer}: output size {outputSize} must not be negative");
        if (input.Size(-1) < 1) throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty sequence");
    }
}
