namespace Pade.Engine;

/// <summary>torch.tensor_split, hsplit, vsplit and dsplit: pieces along a dim as views (slice), so they need no kernel
/// and their gradient is slice's (padding with zeros).</summary>
public sealed partial class Tensor
{
    /// <summary>torch.tensor_split into <paramref name="sections"/> pieces along <paramref name="dim"/>: n / sections
    /// elements each, the first n mod sections pieces one more (so always exactly <paramref name="sections"/> pieces,
    /// some possibly empty, unlike <see cref="Chunk"/>).</summary>
    public Tensor[] TensorSplit(int sections, int dim = 0)
    {
        const string op = "tensor_split";
        if (Rank == 0) throw new ArgumentException($"{op} expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
        if (sections <= 0) throw new ArgumentException($"{op}: number of sections must be larger than 0, got {sections}");
        int a = DimOf(op, dim), n = _shape[a];
        int size = n / sections, extra = n % sections;
        var parts = new Tensor[sections];
        for (int k = 0, at = 0; k < sections; k++)
        {
            int len = size + (k < extra ? 1 : 0);
            parts[k] = Narrow(a, at, len);
            at += len;
        }
        return parts;
    }

    /// <summary>torch.tensor_split at <paramref name="indices"/> along <paramref name="dim"/>: the pieces
    /// [0:i0], [i0:i1], …, [ik:] as Python slices (negative indices count from the end, indices beyond the size are
    /// clipped, a decreasing pair gives an empty piece), indices.Length + 1 pieces.</summary>
    public Tensor[] TensorSplit(int[] indices, int dim = 0)
    {
        const string op = "tensor_split";
        ArgumentNullException.ThrowIfNull(indices);
        if (Rank == 0) throw new ArgumentException($"{op} expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
        int a = DimOf(op, dim), n = _shape[a];
        var parts = new Tensor[indices.Length + 1];
        int start = 0;
        for (int k = 0; k < indices.Length; k++)
        {
            parts[k] = Slice(a, start, indices[k]);
            start = indices[k];
        }
        parts[^1] = Slice(a, start, n);
        return parts;
    }

    /// <summary>torch.hsplit into equal sections: along dim 1 (dim 0 of a 1-d tensor), which the sections must
    /// divide.</summary>
    public Tensor[] Hsplit(int sections) => DirectionalSplit("hsplit", 1, Rank == 1 ? 0 : 1, sections);

    /// <summary>torch.hsplit at indices: <see cref="TensorSplit(int[], int)"/> along dim 1 (dim 0 of a 1-d tensor).</summary>
    public Tensor[] Hsplit(int[] indices) => DirectionalSplit("hsplit", 1, Rank == 1 ? 0 : 1, indices);

    /// <summary>torch.vsplit into equal sections along dim 0 (at least 2 dims), which the sections must divide.</summary>
    public Tensor[] Vsplit(int sections) => DirectionalSplit("vsplit", 2, 0, sections);

    /// <summary>torch.vsplit at indices along dim 0 (at least 2 dims).</summary>
    public Tensor[] Vsplit(int[] indices) => DirectionalSplit("vsplit", 2, 0, indices);

    /// <summary>torch.dsplit into equal sections along dim 2 (at least 3 dims), which the sections must divide.</summary>
    public Tensor[] Dsplit(int sections) => DirectionalSplit("dsplit", 3, 2, sections);

    /// <summary>torch.dsplit at indices along dim 2 (at least 3 dims).</summary>
    public Tensor[] Dsplit(int[] indices) => DirectionalSplit("dsplit", 3, 2, indices);

    private Tensor[] DirectionalSplit(string op, int minRank, int dim, int sections)
    {
        CheckSplitRank(op, minRank);
        if (sections == 0 || _shape[dim] % sections != 0)
            throw new ArgumentException($"torch.{op} attempted to split along dimension {dim}, but the size of the dimension {_shape[dim]} " +
                                        $"is not divisible by the split_size {sections}!");
        return TensorSplit(sections, dim);
    }

    private Tensor[] DirectionalSplit(string op, int minRank, int dim, int[] indices)
    {
        CheckSplitRank(op, minRank);
        return TensorSplit(indices, dim);
    }

    private void CheckSplitRank(string op, int minRank)
    {
        if (Rank < minRank)
            throw new ArgumentException($"torch.{op} requires a tensor with at least {minRank} dimension{(minRank == 1 ? "" : "s")}, " +
                                        $"but got a tensor with {Rank} dimensions!");
    }
}
