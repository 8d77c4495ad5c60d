namespace Pade.Engine.Functional;

/// <summary>
/// The 3-D pools, composed from the 2-D ones, exactly: a window of a 3-D pool is the product of one window per axis,
/// so each pools the (H, W) planes of the [N, C·D, H, W] view first, then the depths of the [N, C, D, OH·OW] view
/// with a (KD, 1) window. Max is separable (the first maximum in row-major order stays the first: the earliest depth
/// holding the maximum, then its plane's first); an average's divisor is a product of per-axis counts in every
/// PyTorch mode (count_include_pad clips each axis to its padded size, otherwise to the volume), and
/// divisor_override divides the plain sum (the planes are summed with a divisor of 1). Adaptive windows are per-axis
/// too. The checks come first, with PyTorch's 3-D rules and the 3-D shapes in their messages.
/// </summary>
public static partial class F
{
    /// <summary>Max pooling as torch.nn.functional.max_pool3d over x [N, C, D, H, W] or [C, D, H, W]: stride defaults to
    /// the kernel size, padding at most half the kernel, dilation spaces the taps, ceil_mode rounds the output size up
    /// (<see cref="PoolOutputSize"/> per axis). The gradient of each output goes to the first maximum of its window in
    /// row-major order; a NaN wins, as PyTorch's (see <see cref="MaxPool2d"/>).</summary>
    public static Tensor MaxPool3d(Tensor input, Size3 kernelSize, Size3? stride = null, Size3? padding = null, Size3? dilation = null,
        bool ceilMode = false, string layer = "max_pool3d")
    {
        Size3 s = stride ?? kernelSize, p = padding ?? 0, d = dilation ?? 1;
        var o = Pool3dShape(layer, input, kernelSize, s, p, d, ceilMode);
        if (input.Rank == 4) return MaxPool3d(input.Unsqueeze(0), kernelSize, s, p, d, ceilMode, layer).Squeeze(0);
        int n = input.Size(0), c = input.Size(1), depth = input.Size(2);
        var planes = MaxPool2d(input.Reshape(n, c * depth, input.Size(3), input.Size(4)), kernelSize.HW, s.HW, p.HW, d.HW, ceilMode, layer);
        return MaxPool2d(planes.Reshape(n, c, depth, o.OH * o.OW), new Size2(kernelSize.D, 1), new Size2(s.D, 1), new Size2(p.D, 0),
            new Size2(d.D, 1), ceilMode, layer).Reshape(n, c, o.OD, o.OH, o.OW);
    }

    /// <summary>torch.nn.functional.max_pool3d_with_indices (max_pool3d with return_indices=True): the pooled output and,
    /// per output, the flat position id·H·W + ih·W + iw of its maximum in the input volume of its channel (int32; −1
    /// for a window wholly in the padding, where PyTorch's index is unspecified), the indices
    /// <see cref="MaxUnpool3d"/> takes. Composed as <see cref="MaxPool3d"/>: the plane pass's index (ih·W + iw) is
    /// read at the depth the depth pass picked.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool3dWithIndices(Tensor input, Size3 kernelSize, Size3? stride = null, Size3? padding = null,
        Size3? dilation = null, bool ceilMode = false, string layer = "max_pool3d")
    {
        Size3 s = stride ?? kernelSize, p = padding ?? 0, d = dilation ?? 1;
        var o = Pool3dShape(layer, input, kernelSize, s, p, d, ceilMode);
        if (input.Rank == 4)
        {
            var (y4, i4) = MaxPool3dWithIndices(input.Unsqueeze(0), kernelSize, s, p, d, ceilMode, layer);
            return (y4.Squeeze(0), i4.Squeeze(0));
        }
        int n = input.Size(0), c = input.Size(1), depth = input.Size(2), h = input.Size(3), w = input.Size(4);
        var (planes, planeIdx) = MaxPool2dWithIndices(input.Reshape(n, c * depth, h, w), kernelSize.HW, s.HW, p.HW, d.HW, ceilMode, layer);
        var (y, depthIdx) = MaxPool2dWithIndices(planes.Reshape(n, c, depth, o.OH * o.OW), new Size2(kernelSize.D, 1), new Size2(s.D, 1),
            new Size2(p.D, 0), new Size2(d.D, 1), ceilMode, layer);
        // The depth pass's index is id·(OH·OW) + q in its [D, OH·OW] plane; the plane pass's index at (id, q) is ih·W + iw.
        int hw = o.OH * o.OW;
        var pi = planeIdx.Cpu().ToArray<int>();
        var di = depthIdx.Cpu().ToArray<int>();
        var flat = new int[di.Length];
        for (int e = 0; e < di.Length; e++)
        {
            int q = e % hw, plane = e / (o.OD * hw), v = di[e];
            if (v < 0) { flat[e] = -1; continue; }
            int id = v / hw, inPlane = pi[(plane * depth + id) * hw + q];
            flat[e] = inPlane < 0 ? -1 : id * h * w + inPlane;
        }
        var indices = Tensor.FromArray(flat, n, c, o.OD, o.OH, o.OW).To(input.Device);
        return (y.Reshape(n, c, o.OD, o.OH, o.OW), indices);
    }

    /// <summary>Average pooling as torch.nn.functional.avg_pool3d over x [N, C, D, H, W] or [C, D, H, W]: y = Σ window /
    /// divisor with divisor_override when given (nonzero), else with count_include_pad (the default) the window clipped
    /// to the padded volume, else the positions inside the volume (see <see cref="AvgPool2d"/>). As PyTorch's, the
    /// volume without its padding must hold the kernel (unlike avg_pool2d).</summary>
    public static Tensor AvgPool3d(Tensor input, Size3 kernelSize, Size3? stride = null, Size3? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null, string layer = "avg_pool3d")
    {
        if (divisorOverride == 0) throw new ArgumentException($"{layer}: divisor_override must not be zero");
        Size3 s = stride ?? kernelSize, p = padding ?? 0;
        var o = Pool3dShape(layer, input, kernelSize, s, p, 1, ceilMode);
        // PyTorch's avg_pool3d (pool3d_shape_check with check_input_size) also wants the volume, unpadded, to hold the kernel.
        if (input.Size(-3) < kernelSize.D || input.Size(-2) < kernelSize.H || input.Size(-1) < kernelSize.W)
            throw new ArgumentException(
                $"{layer}: input image (T: {input.Size(-3)} H: {input.Size(-2)} W: {input.Size(-1)}) smaller than kernel size (kT: {kernelSize.D} kH: {kernelSize.H} kW: {kernelSize.W}) (input {Shapes.Format(input.Shape)})");
        if (input.Rank == 4) return AvgPool3d(input.Unsqueeze(0), kernelSize, s, p, ceilMode, countIncludePad, divisorOverride, layer).Squeeze(0);
        int n = input.Size(0), c = input.Size(1), depth = input.Size(2);
        var planes = AvgPool2d(input.Reshape(n, c * depth, input.Size(3), input.Size(4)), kernelSize.HW, s.HW, p.HW, ceilMode, countIncludePad,
            divisorOverride == null ? null : 1, layer);
        return AvgPool2d(planes.Reshape(n, c, depth, o.OH * o.OW), new Size2(kernelSize.D, 1), new Size2(s.D, 1), new Size2(p.D, 0), ceilMode,
            countIncludePad, divisorOverride, layer).Reshape(n, c, o.OD, o.OH, o.OW);
    }

    /// <summary>Adaptive average pooling as torch.nn.functional.adaptive_avg_pool3d: output (OD, OH, OW) whatever the
    /// input size, each axis's windows ⌊o·I/O⌋ .. ⌈(o+1)·I/O⌉ − 1 (see <see cref="AdaptiveAvgPool2d"/>); a null entry
    /// keeps that input size; an output size of 0 gives an empty result.</summary>
    public static Tensor AdaptiveAvgPool3d(Tensor input, AdaptiveSize3 outputSize, string layer = "adaptive_avg_pool3d") =>
        Adaptive3d(input, outputSize, layer, false);

    /// <summary>Adaptive max pooling as torch.nn.functional.adaptive_max_pool3d (without return_indices), PyTorch's
    /// windows as <see cref="AdaptiveAvgPool3d"/>; ties go to the first maximum and a NaN wins (see
    /// <see cref="AdaptiveMaxPool2d"/>).</summary>
    public static Tensor AdaptiveMaxPool3d(Tensor input, AdaptiveSize3 outputSize, string layer = "adaptive_max_pool3d") =>
        Adaptive3d(input, outputSize, layer, true);

    /// <summary>torch.nn.functional.adaptive_max_pool3d with return_indices=True: <see cref="AdaptiveMaxPool3d"/> and,
    /// per output, the flat position id·H·W + ih·W + iw of its maximum in the input volume (int32), read as in
    /// <see cref="MaxPool3dWithIndices"/> from the plane pass's index at the depth the depth pass picked.</summary>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool3dWithIndices(Tensor input, AdaptiveSize3 outputSize, string layer = "adaptive_max_pool3d")
    {
        var y = Adaptive3d(input, outputSize, layer, true);
        if (input.Rank == 4)
        {
            var (y4, i4) = AdaptiveMaxPool3dWithIndices(input.Unsqueeze(0), outputSize, layer);
            return (y4.Squeeze(0), i4.Squeeze(0));
        }
        int n = input.Size(0), c = input.Size(1), depth = input.Size(2), h = input.Size(3), w = input.Size(4);
        var o = outputSize.Resolve(depth, h, w);
        var flat = new int[n * c * o.D * o.H * o.W];
        if (flat.Length > 0)
        {
            Tensor planeIdx, depthIdx;
            using (Tensor.NoGrad())
            {
                Tensor planes;
                (planes, planeIdx) = AdaptiveMaxPool2dWithIndices(input.Reshape(n, c * depth, h, w), o.HW, layer);
                depthIdx = AdaptiveMaxPool2dWithIndices(planes.Reshape(n, c, depth, o.H * o.W), new Size2(o.D, o.H * o.W), layer).Indices;
            }
            int hw = o.H * o.W;
            var pi = planeIdx.Cpu().ToArray<int>();
            var di = depthIdx.Cpu().ToArray<int>();
            for (int e = 0; e < di.Length; e++)
            {
                int q = e % hw, plane = e / (o.D * hw), id = di[e] / hw;
                flat[e] = id * h * w + pi[(plane * depth + id) * hw + q];
            }
        }
        return (y, Tensor.FromArray(flat, n, c, o.D, o.H, o.W).To(input.Device));
    }

    private static Tensor Adaptive3d(Tensor input, AdaptiveSize3 outputSize, string layer, bool max)
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank is not (4 or 5))
            throw new ArgumentException($"{layer}: expected input [N, C, D, H, W] or [C, D, H, W], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (outputSize.D < 0 || outputSize.H < 0 || outputSize.W < 0)
            throw new ArgumentException($"{layer}: output size {outputSize} must not be negative");
        if (input.Size(-3) < 1 || input.Size(-2) < 1 || input.Size(-1) < 1)
            throw new ArgumentException($"{layer}: input {Shapes.Format(input.Shape)} has an empty volume");
        if (input.Rank == 4) return Adaptive3d(input.Unsqueeze(0), outputSize, layer, max).Squeeze(0);
        int n = input.Size(0), c = input.Size(1), depth = input.Size(2);
        var o = outputSize.Resolve(depth, input.Size(3), input.Size(4));
        Func<Tensor, AdaptiveSize2, string, Tensor> pool = max ? AdaptiveMaxPool2d : AdaptiveAvgPool2d;
        var planes = pool(input.Reshape(n, c * depth, input.Size(3), input.Size(4)), o.HW, layer);
        // An empty output plane: nothing for the depth pass to read (its input check rejects an empty image).
        if (o.H * o.W == 0 || o.D == 0) return planes.Narrow(1, 0, 0).Reshape(n, c, o.D, o.H, o.W);
        return pool(planes.Reshape(n, c, depth, o.H * o.W), new Size2(o.D, o.H * o.W), layer).Reshape(n, c, o.D, o.H, o.W);
    }

    /// <summary>Checks a 3-D pool's arguments with PyTorch's rules (input [N, C, D, H, W] or [C, D, H, W], positive
    /// kernel, stride and dilation, padding at most half the kernel, an output of at least 1x1x1) and returns its
    /// output size.</summary>
    public static (int OD, int OH, int OW) Pool3dShape(string layer, Tensor input, Size3 kernel, Size3 stride, Size3 padding, Size3 dilation,
        bool ceilMode)
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank is not (4 or 5))
            throw new ArgumentException($"{layer}: expected input [N, C, D, H, W] or [C, D, H, W], got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        if (kernel.D < 1 || kernel.H < 1 || kernel.W < 1 || stride.D < 1 || stride.H < 1 || stride.W < 1)
            throw new ArgumentException($"{layer}: kernel size {kernel} and stride {stride} must be positive");
        if (dilation.D < 1 || dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{layer}: dilation {dilation} must be positive");
        if (padding.D < 0 || padding.H < 0 || padding.W < 0 || padding.D > kernel.D / 2 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{layer}: pad should be smaller than or equal to half of kernel size, but got padding {padding} and kernel_size {kernel}");
        // PyTorch's "non-empty 4D or 5D (batch mode) tensor": an empty batch only.
        if (input.Shape[(input.Rank - 4)..].ToArray().Any(v => v == 0))
            throw new ArgumentException($"{layer}: expected a non-empty 4D or 5D (batch mode) input, an empty batch only, got {Shapes.Format(input.Shape)}");
        int[] size = [input.Size(-3), input.Size(-2), input.Size(-1)], k = [kernel.D, kernel.H, kernel.W], s = [stride.D, stride.H, stride.W];
        int[] p = [padding.D, padding.H, padding.W], d = [dilation.D, dilation.H, dilation.W];
        var o = new int[3];
        for (int a = 0; a < 3; a++) o[a] = PoolOutputSize(size[a], k[a], s[a], p[a], d[a], ceilMode);
        if (o.Any(v => v < 1))
        {
            var min = new int[3];
            for (int a = 0; a < 3; a++)
                for (min[a] = 1; PoolOutputSize(min[a], k[a], s[a], p[a], d[a], ceilMode) < 1;) min[a]++;
            throw new ArgumentException(
                $"{layer}: input {Shapes.Format(input.Shape)} is too small for kernel {kernel} with padding {padding}" +
                (dilation != new Size3(1, 1, 1) ? $", dilation {dilation}" : "") + (ceilMode ? ", ceil_mode" : "") +
                $": the output would be {o[0]}x{o[1]}x{o[2]}; expected at least [N, C, {min[0]}, {min[1]}, {min[2]}]");
        }
        return (o[0], o[1], o[2]);
    }
}

/// <summary>
/// A 3-D adaptive pool's output size as PyTorch takes it: an int (cube), a triple, or a triple with null entries, each
/// meaning "keep the input's size along that axis".
/// </summary>
public readonly record struct AdaptiveSize3(int? D, int? H, int? W)
{
    public static implicit operator AdaptiveSize3(int v) => new(v, v, v);
    public static implicit operator AdaptiveSize3((int D, int H, int W) t) => new(t.D, t.H, t.W);
    public static implicit operator AdaptiveSize3((int? D, int? H, int? W) t) => new(t.D, t.H, t.W);
    public static implicit operator AdaptiveSize3(Size3 s) => new(s.D, s.H, s.W);

    /// <summary>The output size for an input volume of d × h × w.</summary>
    public Size3 Resolve(int d, int h, int w) => new(D ?? d, H ?? h, W ?? w);

    /// <summary>"(2, 3, 4)", "(None, 7, 7)" as Python prints the tuple.</summary>
    public override string ToString()
    {
        static string S(int? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None";
        return $"({S(D)}, {S(H)}, {S(W)})";
    }
}
