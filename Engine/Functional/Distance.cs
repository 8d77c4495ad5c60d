using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// The p-norm of <paramref name="input"/> along <paramref name="dim"/>, as torch.linalg.vector_norm(x, ord, dim):
    /// (Σ|x|^p)^(1/p); p = ∞ is max|x|, p = −∞ min|x|, p = 0 the count of non-zeros. One recorded node whose backward
    /// is PyTorch's closed form (linalg_vector_norm_backward), with its choices at the points where the norm has no
    /// derivative: 0 where the norm is 0 (p ≥ 1), sign(x) for p = 1, and for p = ±∞ the gradient shared equally by
    /// the elements whose |x| equals the norm. A 0-d input takes dim 0 or −1 (its norm is |x|).
    /// </summary>
    public static Tensor VectorNorm(Tensor input, double p = 2, int? dim = null, bool keepDim = false)
    {
        const string op = "linalg.vector_norm";
        Ops.CheckFloating(op, input);
        if (double.IsNaN(p)) throw new ArgumentException($"{op}: ord must be a number, got NaN");
        if (dim is not int axis)
        {
            var all = VectorNorm(input.Reshape((int)input.Numel), p, 0);
            return keepDim ? all.Reshape(Enumerable.Repeat(1, input.Rank).ToArray()) : all;
        }
        if (input.Rank == 0)
        {
            if (!Shapes.IsScalarAxis(axis, 0))
                throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: Dimension out of range (expected to be in range of [-1, 0], but got {axis})");
            return VectorNorm(input.Reshape(1), p, 0).Reshape([]);
        }
        int d = Shapes.NormalizeAxis(op, axis, input.Rank);
        if (input.Size(d) == 0 && (double.IsInfinity(p) || p < 0))
            throw new ArgumentException($"{op}: expected dim {axis} of input {Shapes.Format(input.Shape)} to have non-zero size for ord {p} (the norm of no elements is undefined)");

        Tensor norm;
        using (Tensor.NoGrad())
        {
            var a = input.Abs();
            norm = p switch
            {
                2 => input.Square().Sum(d, keepDim: true).Sqrt(),
                1 => a.Sum(d, keepDim: true),
                0 => a.Gt(0).Sum(d, keepDim: true),
                double.PositiveInfinity => a.Max(d, keepDim: true),
                double.NegativeInfinity => a.Min(d, keepDim: true),
                _ => a.Pow(p).Sum(d, keepDim: true).Pow(1 / p),
            };
        }
        var x = input.Detach();
        var y = Graph.Record(norm, "linalg_vector_norm", [input], g => [VectorNormBackward(x, norm, g, p, d)], x, norm);
        return keepDim ? y : y.Squeeze(d);
    }

    /// <summary>
    /// torch.linalg.vector_norm(x, ord, dim=tuple, keepdim): the p-norm over the dims in <paramref name="dims"/> taken
    /// together (negative dims count from the end; an empty list means every dim, as dim = None). The dims are moved
    /// last and flattened into one, then <see cref="VectorNorm(Tensor, double, int?, bool)"/> reduces it, so the
    /// gradient is that one's closed form through the permute and reshape. A repeated dim is refused as PyTorch does.
    /// </summary>
    public static Tensor VectorNorm(Tensor input, double p, int[] dims, bool keepDim = false)
    {
        const string op = "linalg.vector_norm";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0) return VectorNorm(input, p, (int?)null, keepDim);
        int rank = Math.Max(input.Rank, 1);
        var axes = dims.Select(d => Shapes.NormalizeAxis(op, d, rank)).ToArray();
        var repeated = axes.GroupBy(a => a).FirstOrDefault(g => g.Count() > 1);
        if (repeated != null) throw new ArgumentException($"{op}: dim {repeated.Key} appears multiple times in the list of dims [{string.Join(", ", dims)}]");
        if (input.Rank == 0) return VectorNorm(input, p, (int?)0, keepDim);
        if (axes.Length == 1) return VectorNorm(input, p, (int?)axes[0], keepDim);
        var shape = input.ShapeCopy();
        var kept = Enumerable.Range(0, input.Rank).Where(d => !axes.Contains(d)).ToArray();
        int reduced = axes.Aggregate(1, (n, a) => n * shape[a]);
        if (reduced == 0 && (double.IsInfinity(p) || p < 0))
            throw new ArgumentException($"{op}: expected dims [{string.Join(", ", dims)}] of input {Shapes.Format(input.Shape)} to have non-zero size for ord {p} (the norm of no elements is undefined)");
        var flat = input.Permute([.. kept, .. axes]).Reshape([.. kept.Select(d => shape[d]), reduced]);
        var y = VectorNorm(flat, p, (int?)(kept.Length), keepDim: false);
        if (!keepDim) return y;
        var outShape = (int[])shape.Clone();
        foreach (int a in axes) outShape[a] = 1;
        return y.Reshape(outShape);
    }

    /// <summary>dx of <see cref="VectorNorm"/> for the upstream gradient g (keepdim layout), ATen's cases.</summary>
    private static Tensor VectorNormBackward(Tensor x, Tensor norm, Tensor g, double p, int d)
    {
        var zero = x.ZerosLike();
        var normZero = norm.Eq(norm.ZerosLike());
        switch (p)
        {
            case 0:
                return zero;
            case 1:
                return g * x.Sign();
            case 2:
                return g * Tensor.Where(normZero, zero, x / norm);
            case double.PositiveInfinity or double.NegativeInfinity:
            {
                var mask = x.Abs().Eq(norm);
                return x.Sign() * (g / mask.Sum(d, keepDim: true)) * mask;
            }
        }
        var a = x.Abs();
        if (p < 1)
        {
            // |x|^(p−1) is infinite at x = 0: those elements get 0, as ATen's masked_fill.
            var scaled = Tensor.Where(x.Eq(zero), zero, x.Sign() * a.Pow(p - 1));
            return scaled * g * norm.Pow(1 - p);
        }
        var scale = Tensor.Where(normZero, norm.ZerosLike(), g / norm.Pow(p - 1));
        return (p < 2 ? x.Sign() * a.Pow(p - 1) : x * a.Pow(p - 2)) * scale;
    }

    /// <summary>
    /// Lp normalisation as torch.nn.functional.normalize: x / max(‖x‖_p, ε), the norm along <paramref name="dim"/>
    /// (<see cref="VectorNorm"/>). The clamp passes no gradient where the norm is below ε (PyTorch's clamp_min), so a
    /// vector shorter than ε is just scaled by 1/ε; a zero vector stays zero.
    /// </summary>
    public static Tensor Normalize(Tensor input, double p = 2, int dim = 1, double eps = 1e-12)
    {
        var denom = VectorNorm(input, p, dim, keepDim: true).Clamp(eps, double.PositiveInfinity);
        return input / denom;
    }

    /// <summary>
    /// Cosine similarity along <paramref name="dim"/> as torch.nn.functional.cosine_similarity (PyTorch 2.x's ATen
    /// formula): x1 and x2 broadcast to a common shape, each is divided by its 2-norm clamped below at ε, and the
    /// quotients' products are summed over dim: Σ (x1/max(‖x1‖, ε))·(x2/max(‖x2‖, ε)), which stays within [−1, 1].
    /// As in ATen the clamp is applied in place without autograd, so the gradient flows through the norms as if they
    /// were not clamped (a non-zero vector shorter than ε gets a gradient through its norm; a zero vector does not).
    /// </summary>
    public static Tensor CosineSimilarity(Tensor x1, Tensor x2, int dim = 1, double eps = 1e-8)
    {
        const string op = "cosine_similarity";
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        Ops.CheckFloating(op, x1);
        Ops.CheckFloating(op, x2);
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be non-negative, got: {eps}");
        var shape = Shapes.Broadcast(op, x1.ShapeCopy(), x2.ShapeCopy());
        var a = x1.BroadcastTo(shape);
        var b = x2.BroadcastTo(shape);
        if (shape.Length == 0)
        {
            // A 0-d pair: one-element vectors along dim 0 (PyTorch accepts dim 0 or −1 there).
            if (!Shapes.IsScalarAxis(dim, 0))
                throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: Dimension out of range (expected to be in range of [-1, 0], but got {dim})");
            return CosineSimilarity(a.Reshape(1), b.Reshape(1), 0, eps).Reshape([]);
        }
        int d = Shapes.NormalizeAxis(op, dim, shape.Length);
        return ((a / ClampMinKeepGrad(VectorNorm(a, 2, d, keepDim: true), eps))
              * (b / ClampMinKeepGrad(VectorNorm(b, 2, d, keepDim: true), eps))).Sum(d);
    }

    /// <summary>max(x, lo) in value with the gradient of x itself: ATen's in-place clamp_min_ under no_grad.</summary>
    private static Tensor ClampMinKeepGrad(Tensor x, double lo)
    {
        Tensor y;
        using (Tensor.NoGrad()) y = x.Clamp(lo, double.PositiveInfinity);
        return Graph.Record(y, "clamp_min_", [x], g => [g]);
    }

    /// <summary>
    /// torch.nn.functional.pairwise_distance: ‖x1 − x2 + ε‖_p over the last dim of the broadcast shape (the innermost
    /// dim of the higher-rank input; 1-D inputs give a 0-d result, or [1] with keepDim), through
    /// <see cref="VectorNorm"/> (ε is added to every element of the difference, as PyTorch does).
    /// </summary>
    public static Tensor PairwiseDistance(Tensor x1, Tensor x2, double p = 2, double eps = 1e-6, bool keepDim = false)
    {
        const string op = "pairwise_distance";
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        Ops.CheckFloating(op, x1);
        Ops.CheckFloating(op, x2);
        Shapes.Broadcast(op, x1.ShapeCopy(), x2.ShapeCopy());
        int innermost = Math.Max(x1.Rank, x2.Rank) - 1;
        return VectorNorm((x1 - x2).AddScalar(eps), p, innermost, keepDim);
    }
}
