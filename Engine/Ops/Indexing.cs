using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// Index ops as torch.gather, torch.scatter_add and torch.index_select. Index tensors are int32 (PyTorch's are int64;
/// int32 holds every index a Pade tensor can have). All three run on two backend kernels over the axis split
/// [O, D, I] (the dims before the axis, the axis, the dims after it): <see cref="Backend.Gather"/> and the
/// deterministic <see cref="Backend.ScatterAdd"/>, each the other's backward. Indices are checked once, on the host,
/// before any kernel runs, so every device reports a bad index with the same message.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.gather: out[..., k, ...] = input[..., index[..., k, ...], ...] along <paramref name="dim"/>, the
    /// other coordinates those of the index element. Index has input's rank and index.size(d) ≤ input.size(d) for
    /// d ≠ dim; out has index's shape. The gradient scatter-adds dL/dout into zeros of input's shape.</summary>
    public static Tensor Gather(Tensor input, int dim, Tensor index)
    {
        const string op = "gather";
        CheckIndexTensor(op, input, index);
        if (input.DType == DType.Int32) return Gather(input.To(DType.Float64), dim, index).To(DType.Int32);
        int rank = Math.Max(input.Rank, 1);
        int a = Shapes.NormalizeAxis(op, dim, rank);
        int[] inShape = NonEmptyShape(input), idxShape = NonEmptyShape(index), outerShape = input.ShapeCopy();
        var y = Empty(index._shape, input.DType, input.Device);
        // PyTorch skips the shape checks for an empty index: the result is empty whatever the shapes.
        if (index.Numel == 0) return Graph.Record(y, op, [input], g => [Zeros(outerShape, g.DType, g.Device)]);
        if (Math.Max(index.Rank, 1) != rank)
            throw new ArgumentException($"{op}: index tensor must have the same number of dimensions as input tensor, got index of shape " +
                                        $"{Shapes.Format(index._shape)} and input of shape {Shapes.Format(input._shape)}");
        for (int d = 0; d < rank; d++)
            if (d != a && idxShape[d] > inShape[d])
                throw new ArgumentException($"{op}: size does not match at dimension {d}: expected index {Shapes.Format(index._shape)} to be " +
                                            $"smaller than input {Shapes.Format(input._shape)} apart from dimension {a}");
        CheckIndexBounds(op, index, inShape[a], a, input);
        using (NoGrad())
        {
            // The input cut to the index's extent in the other dims, so both read as [O, D, I] and [O, K, I].
            var x = input.Reshape(inShape);
            for (int d = 0; d < rank; d++)
                if (d != a && idxShape[d] < inShape[d]) x = x.Narrow(d, 0, idxShape[d]);
            var (o, k, i) = AroundAxis(idxShape, a);
            input.Backend.Gather(x.Contiguous().Reshape(o, inShape[a], i), index.Contiguous().Reshape(o, k, i), y.Reshape(o, k, i));
        }
        var indexSaved = index;
        return Graph.Record(y, op, [input], g => [ScatterAddInto(null, inShape, a, indexSaved, g).Reshape(outerShape)], index);
    }

    /// <summary>torch.scatter_add (out of place): out = input, then out[..., index[..., k, ...], ...] += src[..., k, ...]
    /// along <paramref name="dim"/> for every element of index. index.size(d) ≤ src.size(d) for all d and ≤
    /// input.size(d) for d ≠ dim; src elements outside the index's extent are not used. dL/dinput = dL/dout;
    /// dL/dsrc = gather(dL/dout, dim, index) where the index reaches, 0 elsewhere. Repeated indices add up, in index
    /// order on every device (no atomics), so results are reproducible.</summary>
    public static Tensor ScatterAdd(Tensor input, int dim, Tensor index, Tensor src)
    {
        const string op = "scatter_add";
        CheckIndexTensor(op, input, index);
        Ops.CheckSameDevice(op, input, src);
        if (input.DType != src.DType)
            throw new ArgumentException($"{op}: expected input and src to have the same dtype, got {input.DType.TorchName()} and {src.DType.TorchName()}");
        if (input.DType == DType.Int32) return ScatterAdd(input.To(DType.Float64), dim, index, src.To(DType.Float64)).To(DType.Int32);
        int rank = Math.Max(input.Rank, 1);
        int a = Shapes.NormalizeAxis(op, dim, rank);
        int[] inShape = NonEmptyShape(input), idxShape = NonEmptyShape(index), srcShape = NonEmptyShape(src);
        Tensor y;
        if (index.Numel == 0)
        {
            y = input.Clone();
            var srcShape0 = src.ShapeCopy();
            return Graph.Record(y, op, [input, src], g => [g, Zeros(srcShape0, g.DType, g.Device)]);
        }
        if (Math.Max(index.Rank, 1) != rank || Math.Max(src.Rank, 1) != rank)
            throw new ArgumentException($"{op}: index tensor must have the same number of dimensions as input and src tensors, got index of shape " +
                                        $"{Shapes.Format(index._shape)}, input of shape {Shapes.Format(input._shape)} and src of shape {Shapes.Format(src._shape)}");
        for (int d = 0; d < rank; d++)
            if ((d != a && idxShape[d] > inShape[d]) || idxShape[d] > srcShape[d])
                throw new ArgumentException($"{op}: expected index {Shapes.Format(index._shape)} to be smaller than input {Shapes.Format(input._shape)} " +
                                            $"apart from dimension {a} and to be smaller than src {Shapes.Format(src._shape)}");
        CheckIndexBounds(op, index, inShape[a], a, input);
        using (NoGrad()) y = ScatterAddInto(input, inShape, a, index, src).Reshape(input._shape);
        var indexSaved = index;
        var srcOuter = src.ShapeCopy();
        return Graph.Record(y, op, [input, src], g =>
        {
            // gather(g, dim, index) has index's shape; src's gradient is zero beyond it (PyTorch's autograd would
            // refuse the shape; this is the derivative).
            var gs = Gather(g, dim, indexSaved).Reshape(idxShape);
            var pads = new int[2 * rank];
            for (int d = 0; d < rank; d++) pads[2 * (rank - 1 - d) + 1] = srcShape[d] - idxShape[d];
            return [g, (pads.Any(p => p != 0) ? gs.Pad(pads) : gs).Reshape(srcOuter)];
        }, index);
    }

    /// <summary>torch.index_select: the slices input[..., index[k], ...] along <paramref name="dim"/>, for a 1-D (or 0-d)
    /// index; out has input's shape with that dim's size index.numel(). The gradient scatter-adds dL/dout back, so
    /// a repeated index accumulates.</summary>
    public static Tensor IndexSelect(Tensor input, int dim, Tensor index)
    {
        const string op = "index_select";
        CheckIndexTensor(op, input, index);
        if (input.DType == DType.Int32) return IndexSelect(input.To(DType.Float64), dim, index).To(DType.Int32);
        if (index.Rank > 1)
            throw new ArgumentException($"{op}: index is supposed to be a vector (0-d or 1-d), got index of shape {Shapes.Format(index._shape)}");
        int rank = Math.Max(input.Rank, 1);
        int a = Shapes.NormalizeAxis(op, dim, rank);
        int[] inShape = NonEmptyShape(input), outerShape = input.ShapeCopy();
        int k = (int)index.Numel;
        if (input.Rank == 0 && k != 1)
            throw new ArgumentException($"{op}: index to a 0-d input can have only 1 value, got {k} values (index of shape {Shapes.Format(index._shape)})");
        CheckIndexBounds(op, index, inShape[a], a, input);
        var outShape = (int[])inShape.Clone();
        outShape[a] = k;
        var y = Empty(input.Rank == 0 ? [] : outShape, input.DType, input.Device);
        var (o, _, i) = AroundAxis(inShape, a);
        if (y.Numel > 0)
            using (NoGrad())
                input.Backend.Gather(input.Contiguous().Reshape(o, inShape[a], i), Broadcast3(index, o, k, i), y.Reshape(o, k, i));
        return Graph.Record(y, op, [input], g =>
        {
            var dx = Zeros([o, inShape[a], i], g.DType, g.Device);
            if (g.Numel > 0) g.Backend.ScatterAdd(g.Contiguous().Reshape(o, k, i), Broadcast3(index, o, k, i), dx);
            return [dx.Reshape(outerShape)];
        }, index);
    }

    public Tensor Gather(int dim, Tensor index) => Gather(this, dim, index);
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src) => ScatterAdd(this, dim, index, src);
    public Tensor IndexSelect(int dim, Tensor index) => IndexSelect(this, dim, index);

    /// <summary>A 1-D (or 0-d) index of k entries as an [O, K, I] view that repeats it over O and I (strides 0).</summary>
    internal static Tensor Broadcast3(Tensor index, int o, int k, int i) => index.Contiguous().Reshape(1, k, 1).Expand(o, k, i);

    /// <summary>
    /// base (zeros when null) of shape <paramref name="shape"/> with src scatter-added along axis a, without
    /// recording. When the index covers fewer elements than shape in another dim, the sums go into zeros of the
    /// index's extent first and are padded to shape, so the kernel always sees [O, D, I] and [O, K, I].
    /// </summary>
    internal static Tensor ScatterAddInto(Tensor? baseTensor, int[] shape, int a, Tensor index, Tensor src)
    {
        using var _ = NoGrad();
        int rank = shape.Length;
        var idxShape = NonEmptyShape(index);
        var s = src.Reshape(NonEmptyShape(src));
        for (int d = 0; d < rank; d++)
            if (idxShape[d] < s._shape[d]) s = s.Narrow(d, 0, idxShape[d]);
        var target = (int[])idxShape.Clone();
        target[a] = shape[a];
        bool whole = Shapes.SameShape(target, shape);
        var y = whole && baseTensor != null ? baseTensor.Reshape(shape).Clone() : Zeros(target, src.DType, src.Device);
        var (o, k, i) = AroundAxis(idxShape, a);
        if (index.Numel > 0) src.Backend.ScatterAdd(s.Contiguous().Reshape(o, k, i), index.Contiguous().Reshape(o, k, i), y.Reshape(o, shape[a], i));
        if (whole) return y;
        var pads = new int[2 * rank];
        for (int d = 0; d < rank; d++) pads[2 * (rank - 1 - d) + 1] = shape[d] - target[d];
        var padded = y.Pad(pads);
        return baseTensor == null ? padded : baseTensor.Reshape(shape) + padded;
    }

    /// <summary>The shape with a 0-d tensor read as [1] (PyTorch's ensure_nonempty_dim for the index ops).</summary>
    private static int[] NonEmptyShape(Tensor t) => t.Rank == 0 ? [1] : t.ShapeCopy();

    /// <summary>(O, K, I): the products of the dims before axis a, the axis, and the dims after it.</summary>
    private static (int O, int K, int I) AroundAxis(int[] shape, int a)
    {
        int o = 1, i = 1;
        for (int d = 0; d < a; d++) o *= shape[d];
        for (int d = a + 1; d < shape.Length; d++) i *= shape[d];
        return (o, shape[a], i);
    }

    internal static void CheckIndexTensor(string op, Tensor input, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(index);
        if (index.DType != DType.Int32)
            throw new ArgumentException($"{op}: expected an int32 index tensor (PyTorch's int64), got {index.DType.TorchName()} of shape " +
                                        $"{Shapes.Format(index._shape)}: convert it with .To(DType.Int32)");
        Ops.CheckSameDevice(op, input, index);
    }

    /// <summary>Every index in [0, size), or an exception naming the first bad one, where it is, and the shapes. The
    /// indices are read on the host (one copy from a GPU): a kernel cannot throw.</summary>
    internal static void CheckIndexBounds(string op, Tensor index, int size, int axis, Tensor input)
    {
        var host = index.ToArray<int>();
        for (int n = 0; n < host.Length; n++)
            if ((uint)host[n] >= (uint)size)
            {
                var at = Unravel(n, index._shape);
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {host[n]} is out of bounds for dimension {axis} with size {size} " +
                                                   $"(at position {Shapes.Format(at)} of index of shape {Shapes.Format(index._shape)}; input of shape {Shapes.Format(input._shape)})");
            }
    }

    private static int[] Unravel(long flat, int[] shape)
    {
        var r = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { r[d] = (int)(flat % shape[d]); flat /= shape[d]; }
        return r;
    }
}
