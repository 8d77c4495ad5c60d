using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// torch.index_add, index_copy, index_fill, take, take_along_dim and put: compositions of gather, scatter_add and
/// scatter, whose gradients they inherit. A 1-D index of the index_* ops is expanded over the source's other dims
/// (index_add is scatter_add with that index, index_copy scatter, index_fill scatter of a value); take and put read
/// the input flattened, their indices counting from the end when negative, as PyTorch's do.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.index_add (out of place): this tensor with <paramref name="alpha"/>·source[..., k, ...] added to
    /// the slice index[k] along <paramref name="dim"/>, for a 1-D (or 0-d) index. source has this tensor's shape with
    /// dim's size index.numel(). Repeated indices add up, in index order. The gradient is the incoming one for this
    /// tensor and alpha·index_select(grad, dim, index) for source.</summary>
    public Tensor IndexAdd(int dim, Tensor index, Tensor source, double alpha = 1)
    {
        // An empty index leaves this tensor as it is (scatter_add's early return, source's gradient 0).
        var idx = SliceIndex("index_add", dim, index, source, out int a) ?? index;
        return ScatterAdd(this, a, idx, alpha == 1 ? source : source * alpha);
    }

    /// <summary>torch.index_copy (out of place): this tensor with the slice index[k] along <paramref name="dim"/>
    /// replaced by source[..., k, ...]. Shapes as <see cref="IndexAdd"/>'s. A repeated index is undefined in
    /// PyTorch; here the last one wins. The gradient is 0 on the replaced slices for this tensor, index_select(grad,
    /// dim, index) for source.</summary>
    public Tensor IndexCopy(int dim, Tensor index, Tensor source)
    {
        var idx = SliceIndex("index_copy", dim, index, source, out int a) ?? index;
        return Scatter(a, idx, source);
    }

    /// <summary>torch.index_fill (out of place): this tensor with <paramref name="value"/> on the slices index[k] along
    /// <paramref name="dim"/>, for a 1-D (or 0-d) index (repeats allowed). The gradient is 0 on those slices.</summary>
    public Tensor IndexFill(int dim, Tensor index, double value)
    {
        const string op = "index_fill";
        CheckIndexTensor(op, this, index);
        if (index.Rank > 1)
            throw new ArgumentException($"{op}: index is supposed to be a vector (0-d or 1-d), got index of shape {Shapes.Format(index._shape)}");
        int rank = Math.Max(Rank, 1);
        int a = Shapes.NormalizeAxis(op, dim, rank);
        int[] inShape = NonEmptyShape(this);
        CheckIndexBounds(op, index, inShape[a], a, this);
        if (index.Numel == 0) return Scatter(a, index, value);
        var shape = (int[])inShape.Clone();
        shape[a] = (int)index.Numel;
        return Scatter(a, ExpandIndex(index, a, shape), value);
    }

    /// <summary>torch.index_fill with a 0-d value tensor, which receives the sum of the gradient over the filled
    /// slices.</summary>
    public Tensor IndexFill(int dim, Tensor index, Tensor value)
    {
        const string op = "index_fill";
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank != 0)
            throw new ArgumentException($"{op}: only supports a 0-dimensional value tensor, but got tensor with {value.Rank} dimension(s) (shape {Shapes.Format(value._shape)})");
        Ops.CheckSameDevice(op, this, value);
        Tensor filled;
        using (NoGrad()) filled = ZerosLike().IndexFill(dim, index, 1);
        return Where(filled, value.DType == DType ? value : value.To(DType), this);
    }

    /// <summary>torch.take: the elements of this tensor, read flattened in row-major order, at
    /// <paramref name="index"/> (any shape; the result has it). An index in [−numel, numel); a negative one counts
    /// from the end. The gradient scatter-adds back, so repeated indices accumulate.</summary>
    public Tensor Take(Tensor index)
    {
        var flat = FlatIndex("take", index);
        return Gather(Reshape(-1), 0, flat).Reshape(index._shape);
    }

    /// <summary>torch.take_along_dim: with <paramref name="dim"/> null, <see cref="Take"/> of a flattened
    /// <paramref name="indices"/> (a 1-D result); otherwise gather along dim after broadcasting this tensor and
    /// indices against each other in every other dim (they must have the same rank). The gradient is gather's,
    /// summed over the broadcast.</summary>
    public Tensor TakeAlongDim(Tensor indices, int? dim = null)
    {
        const string op = "take_along_dim";
        CheckIndexTensor(op, this, indices);
        if (dim is null) return Gather(Reshape(-1), 0, indices.Reshape(-1));
        if (Rank != indices.Rank)
            throw new ArgumentException($"torch.take_along_dim(): input and indices should have the same number of dimensions, but got {Rank} dimensions for input, " +
                                        $"and {indices.Rank} dimensions for indices (input of shape {Shapes.Format(_shape)}, indices of shape {Shapes.Format(indices._shape)})");
        if (Rank == 0) return Gather(this, dim.Value, indices);
        int a = Shapes.NormalizeAxis(op, dim.Value, Rank);
        var selfSizes = ShapeCopy();
        selfSizes[a] = indices._shape[a];
        var shape = Shapes.Broadcast(op, selfSizes, indices._shape);
        var idx = indices.BroadcastTo(shape);
        shape = (int[])shape.Clone();
        shape[a] = _shape[a];
        return Gather(BroadcastTo(shape), a, idx);
    }

    /// <summary>torch.put (out of place): this tensor, read flattened, with source's elements written (or added, with
    /// <paramref name="accumulate"/>) at <paramref name="index"/>; index and source have the same number of elements
    /// (any shapes), indices in [−numel, numel), negative from the end. Without accumulate a repeated index is
    /// undefined in PyTorch (here the last one wins). Gradients as scatter's and scatter_add's.</summary>
    public Tensor Put(Tensor index, Tensor source, bool accumulate = false)
    {
        const string op = "put";
        ArgumentNullException.ThrowIfNull(source);
        if (source.Numel != index.Numel)
            throw new ArgumentException($"{op}: Expected source and index to have the same number of elements, but got source.numel() = {source.Numel}, " +
                                        $"index.numel() = {index.Numel} (source of shape {Shapes.Format(source._shape)}, index of shape {Shapes.Format(index._shape)})");
        if (DType != source.DType)
            throw new ArgumentException($"{op}: expected self and source to have the same dtype, got {DType.TorchName()} and {source.DType.TorchName()}");
        var flat = FlatIndex(op, index);
        var x = Reshape(-1);
        var s = source.Reshape(-1);
        return (accumulate ? ScatterAdd(x, 0, flat, s) : x.Scatter(0, flat, s)).Reshape(_shape);
    }

    public static Tensor Take(Tensor input, Tensor index) => input.Take(index);

    public static Tensor TakeAlongDim(Tensor input, Tensor indices, int? dim = null) => input.TakeAlongDim(indices, dim);

    /// <summary>The index checked against numel (negatives from the end), flattened and made nonnegative.</summary>
    private Tensor FlatIndex(string op, Tensor index)
    {
        CheckIndexTensor(op, this, index);
        var host = index.ToArray<int>();
        long n = Numel;
        bool negative = false;
        for (int t = 0; t < host.Length; t++)
        {
            if (host[t] < -n || host[t] >= n)
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: out of range: tried to access index {host[t]} on a tensor of {n} elements " +
                                                      $"(at position {Shapes.Format(Unravel(t, index._shape))} of index of shape {Shapes.Format(index._shape)}; " +
                                                      $"input of shape {Shapes.Format(_shape)})");
            if (host[t] < 0) { host[t] += (int)n; negative = true; }
        }
        return negative ? FromSpan<int>(host, [host.Length], Device) : index.Reshape(-1);
    }

    /// <summary>The checks of index_add and index_copy (index a vector, source of this tensor's rank with dim's size
    /// the index's length and the other sizes this tensor's, every index in range) and the index expanded to source's
    /// shape: null for an empty index. a is the normalized dim.</summary>
    private Tensor? SliceIndex(string op, int dim, Tensor index, Tensor source, out int a)
    {
        CheckIndexTensor(op, this, index);
        ArgumentNullException.ThrowIfNull(source);
        Ops.CheckSameDevice(op, this, source);
        if (DType != source.DType)
            throw new ArgumentException($"{op}: expected self and source to have the same dtype, got {DType.TorchName()} and {source.DType.TorchName()}");
        if (index.Rank > 1)
            throw new ArgumentException($"{op}: index is supposed to be a vector (0-d or 1-d), got index of shape {Shapes.Format(index._shape)}");
        int rank = Math.Max(Rank, 1);
        a = Shapes.NormalizeAxis(op, dim, rank);
        int[] inShape = NonEmptyShape(this), srcShape = NonEmptyShape(source);
        var expected = (int[])inShape.Clone();
        expected[a] = (int)index.Numel;
        if (!Shapes.SameShape(srcShape, expected) || (Rank > 0 && source.Rank != Rank))
            throw new ArgumentException($"{op}: source must have self's shape with dimension {a} of the index's length {index.Numel}: expected {Shapes.Format(Rank == 0 ? [] : expected)}, " +
                                        $"got source of shape {Shapes.Format(source._shape)} (self of shape {Shapes.Format(_shape)}, index of shape {Shapes.Format(index._shape)})");
        CheckIndexBounds(op, index, inShape[a], a, this);
        return index.Numel == 0 ? null : ExpandIndex(index, a, srcShape);
    }

    /// <summary>A vector index along axis a expanded to <paramref name="shape"/> (shape[a] its length), as gather's and
    /// scatter's index of the same rank.</summary>
    private static Tensor ExpandIndex(Tensor index, int a, int[] shape)
    {
        var view = Enumerable.Repeat(1, shape.Length).ToArray();
        view[a] = (int)index.Numel;
        return index.Reshape(view).Expand(shape);
    }
}
