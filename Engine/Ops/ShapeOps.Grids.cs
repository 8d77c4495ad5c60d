namespace Pade.Engine;

/// <summary>
/// torch.meshgrid, cartesian_prod, combinations, broadcast_tensors, broadcast_shapes, tril_indices and triu_indices.
/// The differentiable ones are compositions of views and ops that exist already (reshape + expand, index_select,
/// stack), so they need no kernel and their gradient is theirs; the index ones build int32 tensors (Pade's index
/// dtype, where PyTorch's default is int64).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.meshgrid: for N 0-d or 1-d tensors of sizes n0, n1, …, N tensors of shape [n0, n1, …] where the
    /// i-th repeats tensors[i] along dim i ("ij", matrix indexing). With "xy" (Cartesian indexing) the first two dims
    /// of every output are swapped ([n1, n0, …]). Expanded views, as PyTorch's (the gradient sums the repeats).</summary>
    public static Tensor[] Meshgrid(Tensor[] tensors, string indexing = "ij")
    {
        const string op = "torch.meshgrid";
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException($"{op} expects a non-empty TensorList");
        if (indexing is not ("ij" or "xy"))
            throw new ArgumentException($"{op}: indexing must be one of \"xy\" or \"ij\", but received: {indexing}");
        foreach (var t in tensors)
        {
            if (t.Rank > 1) throw new ArgumentException($"{op}: Expected 0D or 1D tensor in the tensor list but got a tensor of shape {Shapes.Format(t._shape)}");
            Ops.CheckPair(op, tensors[0], t);
        }
        int n = tensors.Length;
        // Where input i's values run in the output: dim i, but dims 0 and 1 trade places with "xy".
        int Position(int i) => indexing == "xy" && n >= 2 && i < 2 ? 1 - i : i;
        var shape = new int[n];
        for (int i = 0; i < n; i++) shape[Position(i)] = (int)tensors[i].Numel;
        return tensors.Select((t, i) =>
        {
            var view = Enumerable.Repeat(1, n).ToArray();
            view[Position(i)] = (int)t.Numel;
            return t.Reshape(view).Expand(shape);
        }).ToArray();
    }

    /// <summary>torch.meshgrid with matrix ("ij") indexing.</summary>
    public static Tensor[] Meshgrid(params Tensor[] tensors) => Meshgrid(tensors, "ij");

    /// <summary>torch.cartesian_prod: every tuple of one element from each 1-d tensor, in row-major order, as the rows
    /// of a [n0·n1·…, N] tensor (one tensor comes back as it is).</summary>
    public static Tensor CartesianProd(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("cartesian_prod expects a non-empty TensorList");
        foreach (var t in tensors)
            if (t.Rank != 1) throw new ArgumentException($"cartesian_prod: Expect a 1D vector, but got shape {Shapes.Format(t._shape)}");
        if (tensors.Length == 1) return tensors[0];
        return Stack(Meshgrid(tensors, "ij").Select(g => g.Reshape(-1)).ToArray(), 1);
    }

    /// <summary>torch.combinations: the r-length combinations of the elements of a 1-d tensor, in lexicographic order of
    /// their positions (i1 &lt; i2 &lt; … , or ≤ with <paramref name="withReplacement"/>), as the rows of a [count, r]
    /// tensor; r = 0 gives an empty [0] tensor, more than can be drawn a [0, r] one. The gradient adds up every use
    /// of an element (index_select's scatter-add).</summary>
    public Tensor Combinations(int r = 2, bool withReplacement = false)
    {
        if (Rank != 1) throw new ArgumentException($"combinations: Expect a 1D vector, but got shape {Shapes.Format(_shape)}");
        if (r < 0) throw new ArgumentException($"combinations: Expect a non-negative number, but got {r}");
        if (r == 0) return Empty([0], DType, Device);
        int n = _shape[0];
        var columns = Enumerable.Range(0, r).Select(_ => new List<int>()).ToArray();
        var pick = new int[r];
        // Enumerate the index tuples in lexicographic order: pick[j + 1] starts at pick[j] (+1 without replacement).
        void Walk(int j, int from)
        {
            if (j == r)
            {
                for (int c = 0; c < r; c++) columns[c].Add(pick[c]);
                return;
            }
            for (int i = from; i < n; i++)
            {
                pick[j] = i;
                Walk(j + 1, withReplacement ? i : i + 1);
            }
        }
        Walk(0, 0);
        return Stack(columns.Select(c => IndexSelect(0, IndexVector(c.ToArray(), Device))).ToArray(), 1);
    }

    /// <summary>torch.broadcast_tensors: every tensor expanded to the shape they broadcast to together (views; the
    /// gradient sums over the broadcast dims).</summary>
    public static Tensor[] BroadcastTensors(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var shape = BroadcastShapes(tensors.Select(t => t._shape).ToArray());
        return tensors.Select(t => t.BroadcastTo(shape)).ToArray();
    }

    /// <summary>torch.broadcast_shapes: the shape that tensors of these shapes broadcast to (aligned from the right,
    /// each dim equal or 1); no shapes gives [].</summary>
    public static int[] BroadcastShapes(params int[][] shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        foreach (var s in shapes)
            if (s.Any(d => d < 0)) throw new ArgumentException($"broadcast_shapes: Trying to create tensor with negative dimension in {Shapes.Format(s)}");
        var r = Array.Empty<int>();
        foreach (var s in shapes)
        {
            int rank = Math.Max(r.Length, s.Length);
            var next = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int a = i < rank - r.Length ? 1 : r[i - (rank - r.Length)], b = i < rank - s.Length ? 1 : s[i - (rank - s.Length)];
                if (a != b && a != 1 && b != 1)
                    throw new ArgumentException($"broadcast_shapes: Shape mismatch: objects cannot be broadcast to a single shape: " +
                                                $"{string.Join(", ", shapes.Select(x => Shapes.Format(x)))} (dim {i - rank}: {a} vs {b})");
                next[i] = a == 1 ? b : a;
            }
            r = next;
        }
        return r;
    }

    /// <summary>torch.tril_indices: the (row, column) indices of the lower triangle of a row × col matrix (the elements
    /// with column − row ≤ <paramref name="offset"/>) in row-major order, as an int32 [2, count] tensor.</summary>
    public static Tensor TrilIndices(int row, int col, int offset = 0, Device? device = null) =>
        TriangleIndices("tril_indices", row, col, (i, j) => j - i <= offset, device);

    /// <summary>torch.triu_indices: the (row, column) indices of the upper triangle of a row × col matrix (the elements
    /// with column − row ≥ <paramref name="offset"/>) in row-major order, as an int32 [2, count] tensor.</summary>
    public static Tensor TriuIndices(int row, int col, int offset = 0, Device? device = null) =>
        TriangleIndices("triu_indices", row, col, (i, j) => j - i >= offset, device);

    private static Tensor TriangleIndices(string op, int row, int col, Func<long, long, bool> inside, Device? device)
    {
        if (row < 0) throw new ArgumentException($"{op}: row must be non-negative, got {row}");
        if (col < 0) throw new ArgumentException($"{op}: col must be non-negative, got {col}");
        var rows = new List<int>();
        var cols = new List<int>();
        for (int i = 0; i < row; i++)
            for (int j = 0; j < col; j++)
                if (inside(i, j)) { rows.Add(i); cols.Add(j); }
        return FromSpan<int>(rows.Concat(cols).ToArray(), [2, rows.Count], device);
    }
}
