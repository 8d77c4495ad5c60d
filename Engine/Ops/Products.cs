namespace Pade.Engine;

/// <summary>
/// torch's vector and matrix products (outer, dot, vdot, mv, mm, bmm, addmm, addmv, addbmm, baddbmm, linalg.cross,
/// kron, tensordot) as compositions of <see cref="MatMul"/>, views, elementwise ops and sums, so each gradient is
/// theirs. Each checks its ranks and sizes first and fails with PyTorch's message, naming the shapes.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.outer: out[i, j] = a[i] b[j] of two 1-D tensors.</summary>
    public static Tensor Outer(Tensor input, Tensor vec2)
    {
        Ops.CheckPair("outer", input, vec2);
        RequireRank("outer", "self", input, 1);
        RequireRank("outer", "vec2", vec2, 1);
        return input.Reshape(input._shape[0], 1) * vec2.Reshape(1, vec2._shape[0]);
    }

    /// <summary>torch.dot: Σ a[i] b[i] of two 1-D tensors of the same length, a 0-d tensor.</summary>
    public static Tensor Dot(Tensor input, Tensor other) => DotOf("dot", input, other);

    /// <summary>torch.vdot: the dot product with the first argument conjugated; for real tensors (Pade has no complex
    /// dtype) the same as <see cref="Dot(Tensor, Tensor)"/>.</summary>
    public static Tensor Vdot(Tensor input, Tensor other) => DotOf("vdot", input, other);

    private static Tensor DotOf(string op, Tensor a, Tensor b)
    {
        if (a.Rank != 1 || b.Rank != 1)
            throw new ArgumentException($"{op}: 1D tensors expected, but got {a.Rank}D and {b.Rank}D tensors (shapes {Shapes.Format(a._shape)} and {Shapes.Format(b._shape)})");
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: expected both vectors to have same dtype, but found {a.DType.TorchName()} and {b.DType.TorchName()}");
        Ops.CheckSameDevice(op, a, b);
        if (a._shape[0] != b._shape[0])
            throw new ArgumentException($"{op}: inconsistent tensor size, expected tensor [{a._shape[0]}] and src [{b._shape[0]}] to have the same number of elements, but got {a._shape[0]} and {b._shape[0]} elements respectively");
        return MatMul(a, b);
    }

    /// <summary>torch.mv: the product of an [n, m] matrix and an [m] vector, an [n] vector.</summary>
    public static Tensor Mv(Tensor input, Tensor vec)
    {
        Ops.CheckPair("mv", input, vec);
        if (input.Rank != 2 || vec.Rank != 1)
            throw new ArgumentException($"mv: vector + matrix @ vector expected, got 1, {input.Rank}, {vec.Rank} (shapes {Shapes.Format(input._shape)} and {Shapes.Format(vec._shape)})");
        if (input._shape[1] != vec._shape[0])
            throw new ArgumentException($"mv: size mismatch, got input ({input._shape[0]}), mat ({input._shape[0]}x{input._shape[1]}), vec ({vec._shape[0]})");
        return MatMul(input, vec);
    }

    /// <summary>torch.mm: the product of an [n, m] and an [m, p] matrix, no broadcasting.</summary>
    public static Tensor Mm(Tensor input, Tensor mat2)
    {
        Ops.CheckPair("mm", input, mat2);
        RequireRank("mm", "self", input, 2, "a matrix");
        RequireRank("mm", "mat2", mat2, 2, "a matrix");
        if (input._shape[1] != mat2._shape[0])
            throw new ArgumentException($"mm: mat1 and mat2 shapes cannot be multiplied ({input._shape[0]}x{input._shape[1]} and {mat2._shape[0]}x{mat2._shape[1]})");
        return MatMul(input, mat2);
    }

    /// <summary>torch.bmm: [b, n, m] times [b, m, p] matrix by matrix, strictly 3-D and the same batch (no
    /// broadcasting, as PyTorch).</summary>
    public static Tensor Bmm(Tensor input, Tensor mat2)
    {
        CheckBatches("bmm", "self", input, "mat2", mat2);
        return MatMul(input, mat2);
    }

    private static void CheckBatches(string op, string name1, Tensor b1, string name2, Tensor b2)
    {
        Ops.CheckPair(op, b1, b2);
        RequireRank(op, name1, b1, 3, "a 3D tensor");
        RequireRank(op, name2, b2, 3, "a 3D tensor");
        if (b2._shape[0] != b1._shape[0] || b2._shape[1] != b1._shape[2])
            throw new ArgumentException($"{op}: Expected size for first two dimensions of {name2} tensor to be: [{b1._shape[0]}, {b1._shape[2]}] but got: [{b2._shape[0]}, {b2._shape[1]}] " +
                                        $"({name1} {Shapes.Format(b1._shape)}, {name2} {Shapes.Format(b2._shape)})");
    }

    /// <summary>torch.addmm: β·input + α·(mat1 @ mat2), input broadcast to [n, p]. With β = 0 the input is ignored
    /// (its NaN and ∞ do not propagate), as PyTorch.</summary>
    public static Tensor Addmm(Tensor input, Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1) =>
        AddScaled("addmm", input, Mm(mat1, mat2), beta, alpha);

    /// <summary>torch.addmv: β·input + α·(mat @ vec), input broadcast to [n].</summary>
    public static Tensor Addmv(Tensor input, Tensor mat, Tensor vec, double beta = 1, double alpha = 1) =>
        AddScaled("addmv", input, Mv(mat, vec), beta, alpha);

    /// <summary>torch.addbmm: β·input + α·Σ_b batch1[b] @ batch2[b], input broadcast to [n, p].</summary>
    public static Tensor Addbmm(Tensor input, Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1)
    {
        CheckBatches("addbmm", "batch1", batch1, "batch2", batch2);
        return AddScaled("addbmm", input, MatMul(batch1, batch2).Sum(0), beta, alpha);
    }

    /// <summary>torch.baddbmm: β·input + α·(batch1 @ batch2) per batch, input broadcast to [b, n, p].</summary>
    public static Tensor Baddbmm(Tensor input, Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1)
    {
        CheckBatches("baddbmm", "batch1", batch1, "batch2", batch2);
        return AddScaled("baddbmm", input, MatMul(batch1, batch2), beta, alpha);
    }

    /// <summary>β·input + α·product, input broadcast to the product's shape (it may not grow it).</summary>
    private static Tensor AddScaled(string op, Tensor input, Tensor product, double beta, double alpha)
    {
        Ops.CheckPair(op, input, product);
        if (!BroadcastsTo(input._shape, product._shape))
            throw new ArgumentException($"{op}: the input of shape {Shapes.Format(input._shape)} does not broadcast to the product's shape {Shapes.Format(product._shape)}");
        var scaled = alpha == 1 ? product : product.MulScalar(alpha);
        // β = 0: the input's values are not read (no NaN gets through), but it still gets its gradient, β·g = 0.
        if (beta == 0) return Where(product.OnesLike(), scaled, input);
        return scaled + (beta == 1 ? input : input.MulScalar(beta));
    }

    /// <summary>x.addmm(mat1, mat2): <see cref="Addmm(Tensor, Tensor, Tensor, double, double)"/> with this as input.</summary>
    public Tensor Addmm(Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1) => Addmm(this, mat1, mat2, beta, alpha);
    /// <summary>x.addmv(mat, vec).</summary>
    public Tensor Addmv(Tensor mat, Tensor vec, double beta = 1, double alpha = 1) => Addmv(this, mat, vec, beta, alpha);
    /// <summary>x.addbmm(batch1, batch2).</summary>
    public Tensor Addbmm(Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1) => Addbmm(this, batch1, batch2, beta, alpha);
    /// <summary>x.baddbmm(batch1, batch2).</summary>
    public Tensor Baddbmm(Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1) => Baddbmm(this, batch1, batch2, beta, alpha);
    /// <summary>x.outer(vec2).</summary>
    public Tensor Outer(Tensor vec2) => Outer(this, vec2);
    /// <summary>x.dot(other).</summary>
    public Tensor Dot(Tensor other) => Dot(this, other);
    /// <summary>x.vdot(other).</summary>
    public Tensor Vdot(Tensor other) => Vdot(this, other);
    /// <summary>x.mv(vec).</summary>
    public Tensor Mv(Tensor vec) => Mv(this, vec);
    /// <summary>x.mm(mat2).</summary>
    public Tensor Mm(Tensor mat2) => Mm(this, mat2);
    /// <summary>x.bmm(mat2).</summary>
    public Tensor Bmm(Tensor mat2) => Bmm(this, mat2);
    /// <summary>x.cross(other, dim) with torch.linalg.cross semantics.</summary>
    public Tensor Cross(Tensor other, int dim = -1) => Cross(this, other, dim);
    /// <summary>x.kron(other).</summary>
    public Tensor Kron(Tensor other) => Kron(this, other);

    /// <summary>
    /// torch.linalg.cross: the cross product of 3-vectors along <paramref name="dim"/>, the other dims broadcast. Both
    /// inputs have the same rank and size 3 along dim, as PyTorch requires. c = (a₁b₂ − a₂b₁, a₂b₀ − a₀b₂, a₀b₁ − a₁b₀).
    /// </summary>
    public static Tensor Cross(Tensor input, Tensor other, int dim = -1)
    {
        const string op = "linalg.cross";
        Ops.CheckPair(op, input, other);
        if (input.Rank != other.Rank)
            throw new ArgumentException($"{op}: inputs must have the same number of dimensions (got shapes {Shapes.Format(input._shape)} and {Shapes.Format(other._shape)})");
        int d = Shapes.NormalizeAxis(op, dim, Math.Max(1, input.Rank));
        if (input.Rank == 0 || input._shape[d] != 3 || other._shape[d] != 3)
            throw new ArgumentException($"{op}: inputs dimension {dim} must have length 3. Got {(input.Rank == 0 ? 1 : input._shape[d])} and {(other.Rank == 0 ? 1 : other._shape[d])}");
        Tensor A(int i) => input.Narrow(d, i, 1);
        Tensor B(int i) => other.Narrow(d, i, 1);
        return Concat([A(1) * B(2) - A(2) * B(1), A(2) * B(0) - A(0) * B(2), A(0) * B(1) - A(1) * B(0)], d);
    }

    /// <summary>
    /// torch.kron: the Kronecker product. The shorter shape is padded with leading 1s; out has size a[d]·b[d] in each dim
    /// d and out[i·b_d + j] = a[i]·b[j] per dim: a viewed as [a₀, 1, a₁, 1, …] times b as [1, b₀, 1, b₁, …], then merged.
    /// </summary>
    public static Tensor Kron(Tensor input, Tensor other)
    {
        Ops.CheckPair("kron", input, other);
        int r = Math.Max(input.Rank, other.Rank);
        int[] sa = [.. Enumerable.Repeat(1, r - input.Rank), .. input._shape], sb = [.. Enumerable.Repeat(1, r - other.Rank), .. other._shape];
        var a = input.Reshape([.. Enumerable.Range(0, 2 * r).Select(i => i % 2 == 0 ? sa[i / 2] : 1)]);
        var b = other.Reshape([.. Enumerable.Range(0, 2 * r).Select(i => i % 2 == 0 ? 1 : sb[i / 2])]);
        return (a * b).Reshape([.. Enumerable.Range(0, r).Select(i => sa[i] * sb[i])]);
    }

    /// <summary>torch.tensordot(a, b, dims = n): contracts the last <paramref name="dims"/> dims of a with the first
    /// <paramref name="dims"/> dims of b.</summary>
    public static Tensor Tensordot(Tensor a, Tensor b, int dims = 2)
    {
        if (dims < 0) throw new ArgumentException($"tensordot: expects dims >= 0, but got dims={dims}");
        if (dims > a.Rank || dims > b.Rank)
            throw new ArgumentException($"tensordot: expects dims <= the rank of both tensors, but got dims={dims} for shapes {Shapes.Format(a._shape)} and {Shapes.Format(b._shape)}");
        return Tensordot(a, b, [.. Enumerable.Range(a.Rank - dims, dims)], [.. Enumerable.Range(0, dims)]);
    }

    /// <summary>
    /// torch.tensordot(a, b, dims = (dimsA, dimsB)): contracts a's dims <paramref name="dimsA"/> with b's
    /// <paramref name="dimsB"/> pairwise (negative dims count from the end). The result has a's other dims then b's.
    /// a is permuted to [free, contracted] and b to [contracted, free], both flattened to matrices for one
    /// <see cref="MatMul"/>. Contracted sizes must match, or one be 1 (that side broadcasts, as ATen's tensordot).
    /// </summary>
    public static Tensor Tensordot(Tensor a, Tensor b, int[] dimsA, int[] dimsB)
    {
        const string op = "tensordot";
        Ops.CheckPair(op, a, b);
        if (dimsA.Length != dimsB.Length)
            throw new ArgumentException($"{op}: both dimension lists should have same length, got [{string.Join(", ", dimsA)}] and [{string.Join(", ", dimsB)}]");
        var ca = dimsA.Select(d => Shapes.NormalizeAxis(op, d, a.Rank)).ToArray();
        var cb = dimsB.Select(d => Shapes.NormalizeAxis(op, d, b.Rank)).ToArray();
        foreach (var (list, name) in new[] { (ca, "first"), (cb, "second") })
        {
            var rep = list.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
            if (rep != null) throw new ArgumentException($"{op}: dim {rep.Key} appears multiple times in the {name} list of dims");
        }
        // A contracted dim of size 1 on one side broadcasts: the other side is summed over it first (as ATen).
        for (int i = 0; i < ca.Length; i++)
        {
            int s1 = a._shape[ca[i]], s2 = b._shape[cb[i]];
            if (s1 == s2) continue;
            if (s2 == 1) a = a.Sum(ca[i], keepDim: true);
            else if (s1 == 1) b = b.Sum(cb[i], keepDim: true);
            else throw new ArgumentException($"{op}: contracted dimensions need to match, but first has size {s1} in dim {ca[i]} and second has size {s2} in dim {cb[i]}");
        }
        var fa = Enumerable.Range(0, a.Rank).Where(d => !ca.Contains(d)).ToArray();
        var fb = Enumerable.Range(0, b.Rank).Where(d => !cb.Contains(d)).ToArray();
        int m = fa.Aggregate(1, (n, d) => n * a._shape[d]), n = fb.Aggregate(1, (s, d) => s * b._shape[d]);
        int k = ca.Aggregate(1, (s, d) => s * a._shape[d]);
        var am = a.Permute([.. fa, .. ca]).Reshape(m, k);
        var bm = b.Permute([.. cb, .. fb]).Reshape(k, n);
        return MatMul(am, bm).Reshape([.. fa.Select(d => a._shape[d]), .. fb.Select(d => b._shape[d])]);
    }

    /// <summary>torch.cdist: <see cref="Functional.F.Cdist"/>.</summary>
    public static Tensor Cdist(Tensor x1, Tensor x2, double p = 2) => Functional.F.Cdist(x1, x2, p);

    /// <summary>Whether <paramref name="from"/> expands to <paramref name="to"/> (numpy rules, growing only size-1
    /// dims and adding leading ones).</summary>
    private static bool BroadcastsTo(int[] from, int[] to)
    {
        if (from.Length > to.Length) return false;
        for (int i = 1; i <= from.Length; i++)
            if (from[^i] != 1 && from[^i] != to[^i]) return false;
        return true;
    }

    private static void RequireRank(string op, string name, Tensor t, int rank, string? what = null)
    {
        if (t.Rank != rank)
            throw new ArgumentException(what is null
                ? $"{op}: expected {rank}-D argument {name}, but got {t.Rank}-D (shape {Shapes.Format(t._shape)})"
                : $"{op}: {name} must be {what}, got shape {Shapes.Format(t._shape)}");
    }
}
