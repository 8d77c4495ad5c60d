namespace Pade.Engine;

/// <summary>
/// torch.masked_select, masked_scatter, nonzero and argwhere: the mask is read on the host (the result's size depends
/// on it, as in PyTorch, which synchronizes too), its true positions become a flat int32 index, and the ops are gather
/// and scatter on the flattened tensor, whose gradients they inherit. As for masked_fill, Pade has no bool dtype: any
/// nonzero element of a mask (NaN included) is true.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.masked_select: the elements where <paramref name="mask"/> is nonzero, in row-major order, as a
    /// 1-D tensor; this tensor and the mask broadcast together. The gradient scatters back (summed over a
    /// broadcast).</summary>
    public Tensor MaskedSelect(Tensor mask)
    {
        const string op = "masked_select";
        ArgumentNullException.ThrowIfNull(mask);
        Ops.CheckSameDevice(op, this, mask);
        var shape = Shapes.Broadcast(op, _shape, mask._shape);
        var positions = TruePositions(mask.BroadcastTo(shape));
        return Gather(BroadcastTo(shape).Reshape(-1), 0, positions);
    }

    /// <summary>torch.masked_scatter (out of place): this tensor with the positions where <paramref name="mask"/> is
    /// nonzero filled, in row-major order, by the first elements of <paramref name="source"/> (read flattened; it
    /// needs at least as many elements as the mask has true ones). This tensor and the mask broadcast together. The
    /// gradient is 0 at the filled positions for this tensor; source's first elements get the gradient of the
    /// positions they filled, the rest 0.</summary>
    public Tensor MaskedScatter(Tensor mask, Tensor source)
    {
        const string op = "masked_scatter";
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(source);
        Ops.CheckSameDevice(op, this, mask);
        Ops.CheckSameDevice(op, this, source);
        if (DType != source.DType)
            throw new ArgumentException($"{op}: expected self and source to have same dtypes but got {DType.TorchName()} and {source.DType.TorchName()}");
        var shape = Shapes.Broadcast(op, _shape, mask._shape);
        var positions = TruePositions(mask.BroadcastTo(shape));
        int n = (int)positions.Numel;
        if (n > source.Numel)
            throw new ArgumentException($"{op}: Number of elements of source < number of ones in mask: the mask has {n} nonzero elements, source {source.Numel} " +
                                        $"(source of shape {Shapes.Format(source._shape)}, mask of shape {Shapes.Format(mask._shape)})");
        var flat = BroadcastTo(shape).Reshape(-1);
        return flat.Scatter(0, positions, source.Reshape(-1).Narrow(0, 0, n)).Reshape(shape);
    }

    /// <summary>torch.nonzero: the coordinates of the nonzero elements (NaN counts), one row each in row-major order:
    /// an int32 tensor (PyTorch's int64) of shape [n, rank] (a 0-d tensor gives [n, 0]). Not differentiable.</summary>
    public Tensor Nonzero()
    {
        var flat = TruePositions(this).ToArray<int>();
        int rank = Rank;
        var rows = new int[flat.Length * rank];
        for (int t = 0; t < flat.Length; t++)
        {
            long f = flat[t];
            for (int d = rank - 1; d >= 0; d--) { rows[t * rank + d] = (int)(f % _shape[d]); f /= _shape[d]; }
        }
        return FromSpan<int>(rows, [flat.Length, rank], Device);
    }

    /// <summary>torch.nonzero(as_tuple): with <paramref name="asTuple"/> one 1-D int32 tensor per dim, the
    /// coordinates of the nonzero elements along it (a 0-d tensor reads as 1-D, giving one); without it the [n, rank]
    /// tensor of <see cref="Nonzero()"/> as the one element.</summary>
    public Tensor[] Nonzero(bool asTuple)
    {
        if (!asTuple) return [Nonzero()];
        var rows = (Rank == 0 ? Reshape(1) : this).Nonzero();
        int n = rows.Shape[0], rank = Math.Max(Rank, 1);
        var host = rows.ToArray<int>();
        var columns = new Tensor[rank];
        for (int d = 0; d < rank; d++)
        {
            var c = new int[n];
            for (int t = 0; t < n; t++) c[t] = host[t * rank + d];
            columns[d] = FromSpan<int>(c, [n], Device);
        }
        return columns;
    }

    /// <summary>torch.argwhere: <see cref="Nonzero()"/>.</summary>
    public Tensor ArgWhere() => Nonzero();

    public static Tensor MaskedSelect(Tensor input, Tensor mask) => input.MaskedSelect(mask);

    public static Tensor Nonzero(Tensor input) => input.Nonzero();

    /// <summary>The row-major flat positions of the nonzero elements of m (NaN is nonzero), as a 1-D int32 tensor on
    /// m's device.</summary>
    private static Tensor TruePositions(Tensor m)
    {
        var host = m.ToArray<double>();
        var positions = new List<int>();
        for (int t = 0; t < host.Length; t++)
            if (host[t] != 0) positions.Add(t);
        return FromSpan<int>(positions.ToArray(), [positions.Count], m.Device);
    }
}
