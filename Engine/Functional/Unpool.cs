namespace Pade.Engine.Functional;

/// <summary>
/// torch.nn.functional.max_unpool1d/2d/3d and lp_pool1d/2d, compositions of existing differentiable ops: unpooling is a
/// scatter of the input into zeros at the pooling indices (its gradient gathers there), power-average pooling is
/// avg_pool of xᵖ with PyTorch's sign·relu·kernel-size scaling and the 1/p root.
/// </summary>
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.max_unpool2d: input (N, C, H, W) or (C, H, W) and int32 indices of its shape (flat
    /// positions oh·OW + ow in each output plane, as <see cref="MaxPool2dWithIndices"/> returns) → zeros of
    /// (N, C, OH, OW) with each input value at its index. The output size defaults to
    /// (H − 1)·stride − 2·padding + kernel; <paramref name="outputSize"/> (OH, OW), or (N, C, OH, OW), may pick
    /// another strictly within ±stride of it. A repeated index (overlapping windows) takes the last input written
    /// to it, as libtorch's loop; the gradient of every input is the output's gradient at its index, as PyTorch's.
    /// </summary>
    public static Tensor MaxUnpool2d(Tensor input, Tensor indices, Size2 kernelSize, Size2? stride = null, Size2? padding = null, int[]? outputSize = null)
    {
        Size2 k = kernelSize, s = stride ?? kernelSize, p = padding ?? 0;
        var size = UnpoolOutputSize(input, [k.H, k.W], [s.H, s.W], [p.H, p.W], outputSize);
        return MaxUnpool("max_unpooling2d", input, indices, size[0], size[1]);
    }

    /// <summary>
    /// torch.nn.functional.max_unpool1d: input (N, C, L) or (C, L) and int32 indices of its shape (positions in the
    /// output length) → zeros of (N, C, OL) with each value at its index; OL defaults to
    /// (L − 1)·stride − 2·padding + kernel, <paramref name="outputSize"/> (OL) or (N, C, OL) within ±stride of it.
    /// </summary>
    public static Tensor MaxUnpool1d(Tensor input, Tensor indices, int kernelSize, int? stride = null, int padding = 0, int[]? outputSize = null)
    {
        var size = UnpoolOutputSize(input, [kernelSize], [stride ?? kernelSize], [padding], outputSize);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"max_unpooling1d: Input to max_unpooling1d should be a 2d or 3d Tensor, but got a tensor with {input.Rank} dimensions.");
        return MaxUnpool("max_unpooling1d", input.Unsqueeze(-1), indices.Unsqueeze(-1), size[0], 1).Squeeze(-1);
    }

    /// <summary>
    /// torch.nn.functional.max_unpool3d: input (N, C, D, H, W) or (C, D, H, W) and int32 indices of its shape (flat
    /// positions od·OH·OW + oh·OW + ow in each output volume, as <see cref="MaxPool3dWithIndices"/> returns) → zeros
    /// of (N, C, OD, OH, OW) with each value at its index; the output size defaults to (D − 1)·stride − 2·padding +
    /// kernel per axis, <paramref name="outputSize"/> (OD, OH, OW) or (N, C, OD, OH, OW) within ±stride of it.
    /// </summary>
    public static Tensor MaxUnpool3d(Tensor input, Tensor indices, Size3 kernelSize, Size3? stride = null, Size3? padding = null, int[]? outputSize = null)
    {
        Size3 k = kernelSize, s = stride ?? kernelSize, p = padding ?? 0;
        if (input.Rank is not (4 or 5))
            throw new ArgumentException($"max_unpooling3d: Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor with {input.Rank} dimensions.");
        var size = UnpoolOutputSize(input, [k.D, k.H, k.W], [s.D, s.H, s.W], [p.D, p.H, p.W], outputSize);
        if (!Shapes.SameShape(input.Shape.ToArray(), indices.Shape.ToArray()))
            throw new ArgumentException($"max_unpooling3d: Expected shape of indices to be same as that of the input tensor ({Shapes.Format(input.Shape)}) but got indices tensor with shape: {Shapes.Format(indices.Shape)}");
        for (int d = input.Rank - 4; d < input.Rank; d++)
            if (input.Size(d) == 0)
                throw new ArgumentException($"max_unpooling3d(): Expected input to have non-zero size for non-batch dimensions, but got {Shapes.Format(input.Shape)} with dimension {d} being empty.");
        // The volume as a [D, H·W] plane: the flat indices into OD·OH·OW are those of an [OD, OH·OW] plane.
        int[] lead = input.Shape[..^3].ToArray();
        var y = MaxUnpool("max_unpooling3d", input.Reshape([.. lead, input.Size(-3), input.Size(-2) * input.Size(-1)]),
            indices.Reshape([.. lead, input.Size(-3), input.Size(-2) * input.Size(-1)]), size[0], size[1] * size[2], $"{size[0]}x{size[1]}x{size[2]}");
        return y.Reshape([.. lead, size[0], size[1], size[2]]);
    }

    /// <summary>PyTorch's _unpool_output_size: the default size per spatial dim, or the given one (its leading N, C
    /// dropped) checked to lie strictly between default − stride and default + stride.</summary>
    private static int[] UnpoolOutputSize(Tensor input, int[] kernel, int[] stride, int[] padding, int[]? outputSize)
    {
        int dims = kernel.Length;
        if (input.Rank < dims)
            throw new ArgumentException($"max_unpool{dims}d: expected an input with at least {dims} dimensions, got {Shapes.Format(input.Shape)}");
        var def = new int[dims];
        for (int d = 0; d < dims; d++) def[d] = (input.Size(input.Rank - dims + d) - 1) * stride[d] + kernel[d] - 2 * padding[d];
        if (outputSize == null) return def;
        var o = outputSize.Length == dims + 2 ? outputSize[2..] : outputSize;
        if (o.Length != dims)
            throw new ArgumentException($"max_unpool{dims}d: output_size should be a sequence containing {dims} or {dims + 2} elements, but it has a length of '{o.Length}'");
        for (int d = 0; d < dims; d++)
        {
            int min = def[d] - stride[d], max = def[d] + stride[d];
            if (!(min < o[d] && o[d] < max))
                throw new ArgumentException($"max_unpool{dims}d: invalid output_size \"[{string.Join(", ", o)}]\" (dim {d} must be between {min} and {max})");
        }
        return o;
    }

    private static Tensor MaxUnpool(string op, Tensor input, Tensor indices, int oh, int ow, string? sizeText = null)
    {
        Ops.CheckFloating(op, input);
        if (indices.DType != DType.Int32)
            throw new ArgumentException($"{op}: elements in indices should be type int32 (Pade's index dtype) but got: {indices.DType.TorchName()}");
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: Input to {op} should be a 3d or 4d Tensor, but got a tensor with {input.Rank} dimensions.");
        if (!Shapes.SameShape(input.Shape.ToArray(), indices.Shape.ToArray()))
            throw new ArgumentException($"{op}: Expected shape of indices to be same as that of the input tensor ({Shapes.Format(input.Shape)}) but got indices tensor with shape: {Shapes.Format(indices.Shape)}");
        for (int d = input.Rank - 3; d < input.Rank; d++)
            if (input.Size(d) == 0)
                throw new ArgumentException($"{op}(): Expected input to have non-zero size for non-batch dimensions, but got {Shapes.Format(input.Shape)} with dimension {d} being empty.");
        if (oh < 0 || ow < 0)
            throw new ArgumentException($"{op}: the output size ({oh}, {ow}) is negative");
        bool unbatched = input.Rank == 3;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var idx = unbatched ? indices.Unsqueeze(0) : indices;
        int n = x.Size(0), c = x.Size(1), hw = x.Size(2) * x.Size(3), planeSize = oh * ow;
        var flatIdx = idx.Contiguous().Reshape(n, c, hw);
        // Each output position takes the last input written to it, as libtorch's loop (overlapping pooling windows
        // repeat an index, always with the same value): the earlier writers are masked out of the scatter.
        var keep = new double[n * c * hw];
        if (flatIdx.Numel > 0)
        {
            var all = flatIdx.Cpu().ToArray<int>();
            var seen = new HashSet<int>();
            for (int plane = 0; plane < n * c; plane++)
            {
                seen.Clear();
                for (int e = hw - 1; e >= 0; e--)
                {
                    int v = all[plane * hw + e];
                    if (v < 0 || v >= planeSize)   // the first bad index, reported as PyTorch does
                        throw new ArgumentException($"{op}: Found an invalid max index: {all.First(u => u < 0 || u >= planeSize)} (output volumes are of size {sizeText ?? $"{oh}x{ow}"}");
                    if (seen.Add(v)) keep[plane * hw + e] = 1;
                }
            }
        }
        var values = x.Reshape(n, c, hw);
        Tensor y;
        using (Tensor.NoGrad())
        {
            var mask = Tensor.FromArray(keep, n, c, hw).To(x.DType).To(x.Device);
            y = Tensor.ScatterAdd(Tensor.Zeros([n, c, planeSize], x.DType, x.Device), 2, flatIdx, values * mask);
        }
        // PyTorch's backward: every input reads the gradient at its index (repeated indices included).
        y = Autograd.Graph.Record(y, op, [values], g => [Tensor.Gather(g, 2, flatIdx)], flatIdx).Reshape(n, c, oh, ow);
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>
    /// torch.nn.functional.lp_pool2d: (sign(a)·relu(|a|)·kh·kw)^(1/p) with a = avg_pool2d(xᵖ, kernel, stride,
    /// 0, ceil_mode), the p-norm of each window (for p = 1 its sum; negative sums, possible for odd p, give NaN
    /// under a fractional root, as PyTorch). Input (N, C, H, W) or (C, H, W); stride defaults to the kernel.
    /// </summary>
    public static Tensor LPPool2d(Tensor input, double normType, Size2 kernelSize, Size2? stride = null, bool ceilMode = false)
    {
        var a = AvgPool2d(input.Pow(normType), kernelSize, stride, 0, ceilMode, layer: "lp_pool2d");
        return LpRoot(a, normType, kernelSize.H * kernelSize.W);
    }

    /// <summary>torch.nn.functional.lp_pool1d: (sign(a)·relu(|a|)·k)^(1/p) with a = avg_pool1d(xᵖ, k, stride, 0,
    /// ceil_mode). Input (N, C, L) or (C, L).</summary>
    public static Tensor LPPool1d(Tensor input, double normType, int kernelSize, int? stride = null, bool ceilMode = false)
    {
        var a = AvgPool1d(input.Pow(normType), kernelSize, stride, 0, ceilMode, layer: "lp_pool1d");
        return LpRoot(a, normType, kernelSize);
    }

    private static Tensor LpRoot(Tensor a, double p, int taps) => (a.Sign() * a.Abs().Relu()).MulScalar(taps).Pow(1.0 / p);
}
