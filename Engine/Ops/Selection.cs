namespace Pade.Engine;

/// <summary>
/// torch.tril, triu, masked_fill, amax, amin, argmin, all and any. The masking ops are <see cref="Where"/> with a
/// mask (its gradient goes to the side that is kept); amax and amin are the max and min reductions, whose gradient
/// is shared evenly between ties as PyTorch's amax does; the rest are comparisons and sums with no gradient. Masks
/// and truth values are tensors of 1 and 0 (Pade has no bool dtype: comparisons return their operands' dtype), and
/// any nonzero element of a mask counts as true, NaN included, as bool(nan) is True.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.tril: the elements on and below the <paramref name="diagonal"/>-th diagonal of the last two dims
    /// (j − i ≤ diagonal), zeros above; batched over the leading dims. diagonal 0 is the main diagonal, positive
    /// above it, negative below; beyond the matrix it keeps everything or nothing.</summary>
    public Tensor Tril(int diagonal = 0) => Triangle("tril", diagonal, lower: true);

    /// <summary>torch.triu: the elements on and above the <paramref name="diagonal"/>-th diagonal (j − i ≥ diagonal),
    /// zeros below.</summary>
    public Tensor Triu(int diagonal = 0) => Triangle("triu", diagonal, lower: false);

    private Tensor Triangle(string op, int diagonal, bool lower)
    {
        if (Rank < 2) throw new ArgumentException($"{op}: input tensor must have at least 2 dimensions, got shape {Shapes.Format(_shape)}");
        int rows = _shape[^2], cols = _shape[^1];
        var mask = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                mask[i * cols + j] = (lower ? (long)j - i <= diagonal : (long)j - i >= diagonal) ? 1 : 0;
        var m = FromSpan<double>(mask, [rows, cols]).To(DType == DType.Int32 ? DType.Float64 : DType).To(Device);
        return Where(m, this, FullLikeScalar(0));
    }

    /// <summary>torch.masked_fill: <paramref name="value"/> where <paramref name="mask"/> is nonzero, this tensor
    /// elsewhere. The mask and the tensor broadcast together (the result has the broadcast shape). PyTorch requires a
    /// bool mask; Pade has no bool dtype, so the mask may have any dtype and is read as a bool: nonzero is true (an
    /// int32 0/1 mask, as Eq, Gt and the other comparisons give, is the usual one). The gradient passes where the mask
    /// is 0.</summary>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        CheckMask("masked_fill", mask);
        return Where(mask, FullLikeScalar(value), this);
    }

    /// <summary>torch.masked_fill with a 0-d value tensor, which receives the sum of the gradient where the mask is
    /// nonzero.</summary>
    public Tensor MaskedFill(Tensor mask, Tensor value)
    {
        const string op = "masked_fill";
        CheckMask(op, mask);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank != 0)
            throw new ArgumentException($"{op}: only supports a 0-dimensional value tensor, but got tensor with {value.Rank} dimension(s) (shape {Shapes.Format(value._shape)})");
        Ops.CheckSameDevice(op, this, value);
        // The result keeps this tensor's dtype, as masked_fill_ on a clone does.
        return Where(mask, value.DType == DType ? value : value.To(DType), this);
    }

    private void CheckMask(string op, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        Ops.CheckSameDevice(op, this, mask);
        Shapes.Broadcast(op, _shape, mask._shape);
    }

    /// <summary>torch.amax: the maximum over <paramref name="dims"/> (all dims when null or empty). The gradient is
    /// shared evenly between the elements that equal the maximum (PyTorch's amax; max(dim) would give it all to
    /// one).</summary>
    public Tensor Amax(int[]? dims = null, bool keepDim = false) => Extreme(ReduceOp.Max, "amax", dims is [] ? null : dims, keepDim);

    public Tensor Amax(int dim, bool keepDim = false) => Amax([dim], keepDim);

    /// <summary>torch.amin: the minimum over <paramref name="dims"/>, the gradient as <see cref="Amax(int[], bool)"/>'s.</summary>
    public Tensor Amin(int[]? dims = null, bool keepDim = false) => Extreme(ReduceOp.Min, "amin", dims is [] ? null : dims, keepDim);

    public Tensor Amin(int dim, bool keepDim = false) => Amin([dim], keepDim);

    /// <summary>torch.argmin: the index (int32) of the first minimum along <paramref name="dim"/>, or of the flattened
    /// tensor when dim is null (keepDim then gives all dims of size 1). A NaN is the minimum, as in PyTorch (the first
    /// NaN wins). It is the first maximum of −x, NaNs staying NaN. Not differentiable.</summary>
    public Tensor ArgMin(int? dim = null, bool keepDim = false)
    {
        const string op = "argmin";
        if (dim is null)
        {
            if (Numel == 0) throw new ArgumentException($"{op}: expected reduction dim to be specified for input.numel() == 0 (shape {Shapes.Format(_shape)})");
            var flat = Reshape(-1).ArgMin(0);
            return keepDim ? flat.Reshape(Enumerable.Repeat(1, Rank).ToArray()) : flat;
        }
        // A 0-d tensor takes dim 0 or −1 (its one element is the minimum); otherwise the dim must be in range.
        if (!Shapes.IsScalarAxis(dim.Value, Rank) && _shape[DimOf(op, dim.Value)] == 0)
            throw new ArgumentException($"{op}: expected reduction dim {DimOf(op, dim.Value)} to have non-zero size (shape {Shapes.Format(_shape)})");
        using var _ = NoGrad();
        var x = DType == DType.Int32 ? To(DType.Float64) : Detach();
        return x.Neg().ArgMax(Rank == 0 ? 0 : dim.Value, keepDim);
    }

    /// <summary>torch.all: 1 where every element along <paramref name="dim"/> (every element when null) is nonzero,
    /// else 0, in this tensor's dtype. True for no elements.</summary>
    public Tensor All(int? dim = null, bool keepDim = false) => Truth("all", dim, keepDim, all: true);

    /// <summary>torch.any: 1 where some element along <paramref name="dim"/> is nonzero (NaN counts), else 0. False
    /// for no elements.</summary>
    public Tensor Any(int? dim = null, bool keepDim = false) => Truth("any", dim, keepDim, all: false);

    private Tensor Truth(string op, int? dim, bool keepDim, bool all)
    {
        int[]? axes = null;
        if (dim is int d) axes = Rank == 0 && d is 0 or -1 ? [] : [DimOf(op, d)];
        using var _ = NoGrad();
        var x = DType == DType.Int32 ? To(DType.Float64) : Detach();
        // Count the zeros (all) or the nonzeros (any): a sum of 0s and 1s is 0 exactly when none is 1.
        var zero = Compare(BinaryOp.Equal, x, x.FullLikeScalar(0));
        var hits = all ? zero : zero.Neg().AddScalar(1);
        var count = axes is [] ? hits : hits.Sum(axes, keepDim);
        var truth = Compare(BinaryOp.Equal, count, count.FullLikeScalar(0));
        return (all ? truth : truth.Neg().AddScalar(1)).To(DType);
    }
}
