namespace Pade.Engine;

/// <summary>
/// torch.movedim, swapaxes/swapdims, atleast_1d/2d/3d, hstack, vstack (row_stack), dstack, column_stack, rot90,
/// fliplr, flipud and unbind. Each is a composition of views and ops that exist already (permute, reshape, flip,
/// concat, select), so it runs on every backend with no kernel of its own and its gradient is theirs.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.movedim with one dim: <paramref name="source"/> moves to position
    /// <paramref name="destination"/>, the other dims keep their order. A view.</summary>
    public Tensor Movedim(int source, int destination) => Movedim([source], [destination]);

    /// <summary>torch.movedim: each dim source[k] moves to position destination[k] (negative dims count from the end;
    /// no dim may repeat in either list), the other dims fill the remaining positions in their order. A view
    /// (permute). torch.moveaxis is the same op.</summary>
    public Tensor Movedim(int[] source, int[] destination)
    {
        const string op = "movedim";
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.Length != destination.Length)
            throw new ArgumentException($"{op}: Invalid source or destination dims: source ([{string.Join(", ", source)}] dims) should contain " +
                                        $"the same number of dims as destination ([{string.Join(", ", destination)}] dims)");
        // A 0-d tensor takes 0 or −1, as torch's maybe_wrap_dim does for every dim op.
        int Norm(int d) => Rank == 0 && d is 0 or -1 ? 0 : DimOf(op, d);
        var src = source.Select(Norm).ToArray();
        var dst = destination.Select(Norm).ToArray();
        if (src.Distinct().Count() != src.Length) throw new ArgumentException($"{op}: repeated dim in `source` ([{string.Join(", ", source)}])");
        if (dst.Distinct().Count() != dst.Length) throw new ArgumentException($"{op}: repeated dim in `destination` ([{string.Join(", ", destination)}])");
        if (Rank <= 1) return this;
        var perm = Enumerable.Repeat(-1, Rank).ToArray();
        for (int k = 0; k < src.Length; k++) perm[dst[k]] = src[k];
        using var rest = Enumerable.Range(0, Rank).Where(d => !src.Contains(d)).GetEnumerator();
        for (int i = 0; i < Rank; i++)
            if (perm[i] < 0) { rest.MoveNext(); perm[i] = rest.Current; }
        return Permute(perm);
    }

    /// <summary>torch.moveaxis: <see cref="Movedim(int[], int[])"/>.</summary>
    public Tensor Moveaxis(int[] source, int[] destination) => Movedim(source, destination);

    /// <summary>torch.moveaxis with one dim: <see cref="Movedim(int, int)"/>.</summary>
    public Tensor Moveaxis(int source, int destination) => Movedim(source, destination);

    /// <summary>torch.swapaxes: <see cref="Transpose"/> (a view).</summary>
    public Tensor Swapaxes(int axis0, int axis1) => Transpose(axis0, axis1);

    /// <summary>torch.swapdims: <see cref="Transpose"/> (a view).</summary>
    public Tensor Swapdims(int dim0, int dim1) => Transpose(dim0, dim1);

    /// <summary>torch.atleast_1d: a 0-d tensor as shape [1], any other unchanged.</summary>
    public Tensor Atleast1d() => Rank == 0 ? Reshape(1) : this;

    /// <summary>torch.atleast_2d: 0-d as [1, 1], [n] as [1, n], any other unchanged.</summary>
    public Tensor Atleast2d() => Rank switch { 0 => Reshape(1, 1), 1 => Unsqueeze(0), _ => this };

    /// <summary>torch.atleast_3d: 0-d as [1, 1, 1], [n] as [1, n, 1], [m, n] as [m, n, 1], any other unchanged.</summary>
    public Tensor Atleast3d() => Rank switch
    {
        0 => Reshape(1, 1, 1),
        1 => Reshape(1, _shape[0], 1),
        2 => Unsqueeze(2),
        _ => this,
    };

    /// <summary>torch.atleast_1d of several tensors, each on its own.</summary>
    public static Tensor[] Atleast1d(params Tensor[] tensors) => tensors.Select(t => t.Atleast1d()).ToArray();

    /// <summary>torch.atleast_2d of several tensors, each on its own.</summary>
    public static Tensor[] Atleast2d(params Tensor[] tensors) => tensors.Select(t => t.Atleast2d()).ToArray();

    /// <summary>torch.atleast_3d of several tensors, each on its own.</summary>
    public static Tensor[] Atleast3d(params Tensor[] tensors) => tensors.Select(t => t.Atleast3d()).ToArray();

    /// <summary>torch.hstack: the tensors (each made at least 1-d) joined along dim 0 when the first is 1-d, else
    /// along dim 1 (columns).</summary>
    public static Tensor Hstack(params Tensor[] tensors)
    {
        var parts = Atleast1d(NonEmptyList("hstack", tensors));
        return Concat(parts, parts[0].Rank == 1 ? 0 : 1);
    }

    /// <summary>torch.vstack: the tensors (each made at least 2-d, [n] as [1, n]) joined along dim 0 (rows).</summary>
    public static Tensor Vstack(params Tensor[] tensors) => Concat(Atleast2d(NonEmptyList("vstack", tensors)), 0);

    /// <summary>torch.row_stack: <see cref="Vstack"/>.</summary>
    public static Tensor RowStack(params Tensor[] tensors) => Vstack(tensors);

    /// <summary>torch.dstack: the tensors (each made at least 3-d, [n] as [1, n, 1], [m, n] as [m, n, 1]) joined along
    /// dim 2 (depth).</summary>
    public static Tensor Dstack(params Tensor[] tensors) => Concat(Atleast3d(NonEmptyList("dstack", tensors)), 2);

    /// <summary>torch.column_stack: 0-d and 1-d tensors become columns ([n] as [n, 1]), the others are kept as they
    /// are; all are joined along dim 1.</summary>
    public static Tensor ColumnStack(params Tensor[] tensors) =>
        Concat(NonEmptyList("column_stack", tensors).Select(t => t.Rank <= 1 ? t.Reshape((int)t.Numel, 1) : t).ToArray(), 1);

    private static Tensor[] NonEmptyList(string op, Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException($"{op} expects a non-empty TensorList");
        return tensors;
    }

    /// <summary>torch.rot90: rotates by 90° <paramref name="k"/> times in the plane of <paramref name="dims"/> (default
    /// [0, 1]), from the first dim towards the second; k may be negative or beyond 4 (taken mod 4). k = 1 is
    /// flip(dims[1]) then transpose, k = 2 flips both, k = 3 flip(dims[0]) then transpose, k = 0 a copy.</summary>
    public Tensor Rot90(int k = 1, int[]? dims = null)
    {
        dims ??= [0, 1];
        if (dims.Length != 2) throw new ArgumentException($"rot90: expected total rotation dims == 2, but got dims = {dims.Length}");
        if (Rank < 2) throw new ArgumentException($"rot90: expected total dims >= 2, but got total dims = {Rank}");
        if (dims[0] >= Rank || dims[0] < -Rank)
            throw new ArgumentOutOfRangeException(nameof(dims), $"rot90: Rotation dim0 out of range, dim0 = {dims[0]} (tensor of shape {Shapes.Format(_shape)})");
        if (dims[1] >= Rank || dims[1] < -Rank)
            throw new ArgumentOutOfRangeException(nameof(dims), $"rot90: Rotation dim1 out of range, dim1 = {dims[1]} (tensor of shape {Shapes.Format(_shape)})");
        int d0 = dims[0] < 0 ? dims[0] + Rank : dims[0], d1 = dims[1] < 0 ? dims[1] + Rank : dims[1];
        if (d0 == d1) throw new ArgumentException($"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}");
        return (((k % 4) + 4) % 4) switch
        {
            1 => Flip(d1).Transpose(d0, d1),
            2 => Flip(d0, d1),
            3 => Flip(d0).Transpose(d0, d1),
            _ => CopyWithGrad(),
        };
    }

    /// <summary>torch.fliplr: the columns (dim 1) in reverse order; needs at least 2 dims.</summary>
    public Tensor Fliplr() => Rank >= 2 ? Flip(1) : throw new ArgumentException($"fliplr: Input must be >= 2-d, got a tensor of shape {Shapes.Format(_shape)}");

    /// <summary>torch.flipud: the rows (dim 0) in reverse order; needs at least 1 dim.</summary>
    public Tensor Flipud() => Rank >= 1 ? Flip(0) : throw new ArgumentException($"flipud: Input must be >= 1-d, got a tensor of shape {Shapes.Format(_shape)}");

    /// <summary>torch.unbind: the slices along <paramref name="dim"/>, that dim removed (views; a dim of size 0 gives
    /// none).</summary>
    public Tensor[] Unbind(int dim = 0)
    {
        if (Rank == 0) throw new ArgumentException("unbind: Dimension specified as 0 but tensor has no dimensions");
        int a = DimOf("unbind", dim);
        return Enumerable.Range(0, _shape[a]).Select(i => Select(a, i)).ToArray();
    }
}
