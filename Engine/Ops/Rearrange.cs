using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// torch.flip, roll, repeat, tile, repeat_interleave, chunk and split. Each is a composition of differentiable ops
/// that exist already (index_select with a computed index, expand + reshape, narrow), so it runs on every backend
/// with no kernel of its own and its gradient is theirs: index_select's scatter-add, expand's sum, narrow's padding.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.flip: the elements in reverse order along each of <paramref name="dims"/> (negative dims count
    /// from the end; a 0-d tensor takes 0 or −1; no dims gives a copy). A dim may appear only once. The gradient is
    /// the gradient flipped back (index_select's scatter-add through a permutation).</summary>
    public Tensor Flip(params int[] dims)
    {
        const string op = "flip";
        var axes = FlipDims(op, dims);
        if (Rank == 0) return CopyWithGrad();
        var y = this;
        foreach (var a in axes)
        {
            int n = _shape[a];
            y = y.IndexSelect(a, IndexVector(Enumerable.Range(0, n).Reverse().ToArray(), Device));
        }
        return axes.Length == 0 ? CopyWithGrad() : y;
    }

    private int[] FlipDims(string op, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var axes = dims.Select(d => Rank == 0 && d is 0 or -1 ? 0 : DimOf(op, d)).ToArray();
        var repeated = axes.GroupBy(a => a).FirstOrDefault(g => g.Count() > 1);
        if (repeated != null) throw new ArgumentException($"{op}: dim {repeated.Key} appears multiple times in the list of dims [{string.Join(", ", dims)}]");
        return axes;
    }

    /// <summary>torch.roll with no dims: the tensor flattened, rolled by <paramref name="shifts"/>, and restored to its
    /// shape: out.flat[i] = in.flat[(i − shifts) mod numel].</summary>
    public Tensor Roll(int shifts) => Roll([shifts], []);

    /// <summary>torch.roll along one dim: out[..., i, ...] = in[..., (i − shifts) mod n, ...]; shifts may be negative or
    /// larger than n.</summary>
    public Tensor Roll(int shifts, int dim) => Roll([shifts], [dim]);

    /// <summary>torch.roll: each shifts[k] along dims[k] in turn (the same dim may repeat, the shifts add up). Without
    /// dims, exactly one shift of the flattened tensor. An empty tensor comes back as a copy. The gradient rolls back.</summary>
    public Tensor Roll(int[] shifts, int[] dims)
    {
        const string op = "roll";
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(dims);
        if (shifts.Length == 0) throw new ArgumentException($"{op}: `shifts` required");
        if (dims.Length == 0 && shifts.Length == 1)
        {
            var shape = ShapeCopy();
            return Reshape(-1).Roll(shifts, [0]).Reshape(shape);
        }
        if (shifts.Length != dims.Length)
            throw new ArgumentException($"{op}: shifts and dimensions must align. shifts: {shifts.Length}, dims: {dims.Length}");
        if (Rank == 0)
        {
            foreach (var d in dims) if (d is not (0 or -1)) DimOf(op, d);
            return Reshape(1).Roll(shifts, new int[dims.Length]).Reshape([]);
        }
        var y = this;
        for (int k = 0; k < dims.Length; k++)
        {
            int a = DimOf(op, dims[k]), n = _shape[a];
            if (n == 0) continue;
            int s = (int)(((long)shifts[k] % n + n) % n);
            if (s == 0) continue;
            y = y.IndexSelect(a, IndexVector(Enumerable.Range(0, n).Select(i => (i - s + n) % n).ToArray(), Device));
        }
        return ReferenceEquals(y, this) ? CopyWithGrad() : y;
    }

    /// <summary>torch.Tensor.repeat: the tensor tiled sizes[d] times along each dim; sizes may be longer than the rank
    /// (the tensor is read with leading size-1 dims), never shorter. Out dim d = sizes[d]·in[d]. Expand over a new
    /// axis before each dim, then one reshape (a copy); the gradient is expand's, the sum over the copies.</summary>
    public Tensor Repeat(params int[] sizes)
    {
        const string op = "repeat";
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < Rank)
            throw new ArgumentException($"{op}: number of dimensions of repeat dims ({sizes.Length}, [{string.Join(", ", sizes)}]) can not be smaller " +
                                        $"than number of dimensions of tensor ({Rank}, shape {Shapes.Format(_shape)})");
        if (sizes.FirstOrDefault(s => s < 0, 0) is var neg and < 0)
            throw new ArgumentException($"{op}: trying to create tensor with negative dimension {neg}: repeats [{string.Join(", ", sizes)}]");
        int n = sizes.Length, lead = n - Rank;
        var padded = Enumerable.Repeat(1, lead).Concat(_shape).ToArray();
        var interleaved = new int[2 * n];
        var expanded = new int[2 * n];
        var result = new int[n];
        for (int d = 0; d < n; d++)
        {
            interleaved[2 * d] = 1;
            interleaved[2 * d + 1] = padded[d];
            expanded[2 * d] = sizes[d];
            expanded[2 * d + 1] = padded[d];
            result[d] = sizes[d] * padded[d];
        }
        var y = Reshape(interleaved).Expand(expanded).Reshape(result);
        return ReferenceEquals(y, this) ? CopyWithGrad() : y;
    }

    /// <summary>torch.tile: as <see cref="Repeat"/>, except that fewer <paramref name="dims"/> than the rank are read
    /// with leading 1s (tile(x, (2,)) repeats the last dim).</summary>
    public Tensor Tile(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return Repeat(dims.Length < Rank ? Enumerable.Repeat(1, Rank - dims.Length).Concat(dims).ToArray() : dims);
    }

    /// <summary>torch.repeat_interleave with one count: each element repeated <paramref name="repeats"/> times in place
    /// along <paramref name="dim"/>, or over the flattened tensor when dim is null (a 1-D result). The gradient sums
    /// each run of copies (index_select's scatter-add).</summary>
    public Tensor RepeatInterleave(int repeats, int? dim = null)
    {
        const string op = "repeat_interleave";
        if (repeats < 0) throw new ArgumentException($"{op}: repeats can not be negative, got {repeats}");
        var (x, a) = InterleaveAxis(op, dim);
        int n = x._shape[a];
        return RepeatIndexed(x, a, Enumerable.Repeat(repeats, n).ToArray());
    }

    /// <summary>torch.repeat_interleave with a count per element: an int32 tensor of one count (0-d or size 1,
    /// broadcast) or of input.size(dim) counts, none negative.</summary>
    public Tensor RepeatInterleave(Tensor repeats, int? dim = null)
    {
        const string op = "repeat_interleave";
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.DType != DType.Int32)
            throw new ArgumentException($"{op}: repeats must be an int32 tensor (PyTorch's int64), got {repeats.DType.TorchName()}: convert it with .To(DType.Int32)");
        if (repeats.Rank > 1)
            throw new ArgumentException($"{op}: repeats must be 0-dim or 1-dim tensor, got shape {Shapes.Format(repeats.Shape)}");
        var (x, a) = InterleaveAxis(op, dim);
        int n = x._shape[a];
        var counts = repeats.To(Device.Cpu).ToArray<int>();
        if (counts.Length == 1) counts = Enumerable.Repeat(counts[0], n).ToArray();
        if (counts.Length != n)
            throw new ArgumentException($"{op}: repeats must have the same size as input along dim, but got repeats.size(0) = {counts.Length} " +
                                        $"and input.size({a}) = {n}");
        if (counts.Any(c => c < 0)) throw new ArgumentException($"{op}: repeats can not be negative, got [{string.Join(", ", counts)}]");
        return RepeatIndexed(x, a, counts);
    }

    private (Tensor X, int Axis) InterleaveAxis(string op, int? dim)
    {
        if (dim is null) return (Reshape(-1), 0);
        if (Rank == 0) return dim is 0 or -1 ? (Reshape(1), 0) : (this, DimOf(op, dim.Value));
        return (this, DimOf(op, dim.Value));
    }

    private static Tensor RepeatIndexed(Tensor x, int a, int[] counts)
    {
        var index = new int[counts.Sum()];
        for (int i = 0, at = 0; i < counts.Length; i++)
            for (int r = 0; r < counts[i]; r++) index[at++] = i;
        return x.IndexSelect(a, IndexVector(index, x.Device));
    }

    /// <summary>torch.chunk: <paramref name="chunks"/> pieces along <paramref name="dim"/>, each of ceil(n / chunks)
    /// elements but the last (so possibly fewer pieces than asked: 6 in 4 chunks gives 2, 2, 2). A dim of size 0
    /// gives <paramref name="chunks"/> empty pieces. The pieces are views (narrow).</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        const string op = "chunk";
        if (Rank == 0) throw new ArgumentException($"{op}: expects at least a 1-dimensional tensor");
        if (chunks <= 0) throw new ArgumentException($"{op}: expects `chunks` to be greater than 0, got: {chunks}");
        int a = DimOf(op, dim), n = _shape[a];
        int size = (n + chunks - 1) / chunks;
        if (size == 0 && n == 0) return Enumerable.Range(0, chunks).Select(_ => Narrow(a, 0, 0)).ToArray();
        return Split(size, a);
    }

    /// <summary>torch.split with one size: pieces of <paramref name="splitSize"/> elements along <paramref name="dim"/>,
    /// the last one shorter when the size does not divide. Size 0 is allowed only for a dim of size 0 (one piece).
    /// Views (narrow).</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        const string op = "split";
        if (Rank == 0) throw new ArgumentException($"{op}: expects at least a 1-dimensional tensor");
        if (splitSize < 0) throw new ArgumentException($"{op}: expects split_size be non-negative, but got split_size={splitSize}");
        int a = DimOf(op, dim), n = _shape[a];
        if (splitSize == 0 && n != 0)
            throw new ArgumentException($"{op}: split_size can only be 0 if dimension size is 0, but got dimension size of {n} (dim {a}, shape {Shapes.Format(_shape)})");
        int pieces = splitSize == 0 ? 1 : Math.Max((n + splitSize - 1) / splitSize, 1);
        return Enumerable.Range(0, pieces).Select(k => Narrow(a, k * splitSize, Math.Min(splitSize, n - k * splitSize))).ToArray();
    }

    /// <summary>torch.split with sizes (split_with_sizes): consecutive pieces of the given sizes along
    /// <paramref name="dim"/>, which must add up to its size. Views (narrow).</summary>
    public Tensor[] Split(int[] splitSizes, int dim = 0)
    {
        const string op = "split_with_sizes";
        ArgumentNullException.ThrowIfNull(splitSizes);
        if (Rank == 0) throw new ArgumentException($"{op}: expects at least a 1-dimensional tensor");
        int a = DimOf(op, dim), n = _shape[a];
        if (splitSizes.Any(s => s < 0))
            throw new ArgumentException($"{op}: expects split_sizes have only non-negative entries, but got split_sizes=[{string.Join(", ", splitSizes)}]");
        if (splitSizes.Sum() != n)
            throw new ArgumentException($"{op}: expects split_sizes to sum exactly to {n} (input tensor's size at dimension {a}), " +
                                        $"but got split_sizes=[{string.Join(", ", splitSizes)}]");
        var parts = new Tensor[splitSizes.Length];
        for (int k = 0, at = 0; k < parts.Length; at += splitSizes[k], k++) parts[k] = Narrow(a, at, splitSizes[k]);
        return parts;
    }

    /// <summary>A contiguous copy that keeps the gradient (PyTorch's ops here never return their input itself, even
    /// where nothing moves: no dims to flip, shifts that are multiples of the size, repeats of 1).</summary>
    private Tensor CopyWithGrad() => Graph.Record(Clone(), "clone", [this], g => [g]);

    /// <summary>A 1-D int32 index tensor on <paramref name="device"/>.</summary>
    private static Tensor IndexVector(int[] index, Device device) => FromSpan<int>(index, [index.Length]).To(device);
}
