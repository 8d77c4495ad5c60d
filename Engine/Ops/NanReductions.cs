namespace Pade.Engine;

/// <summary>
/// torch.nansum, nanmean, var_mean, std_mean, aminmax, count_nonzero, cov and corrcoef, each a composition of
/// existing differentiable ops (Where, Sum, Var, Amin/Amax, Mm), so their gradients are those of the pieces and they
/// run on every backend with no kernel of their own.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.nansum: the sum over <paramref name="dims"/> (all when null or empty) with NaNs counted as 0.
    /// The gradient passes where the element is not NaN and is 0 at the NaNs, as PyTorch's.</summary>
    public Tensor Nansum(int[]? dims = null, bool keepDim = false)
    {
        var ax = Shapes.NormalizeAxes("nansum", dims, Rank);
        if (DType == DType.Int32) return Sum(ax, keepDim);
        Tensor isNan;
        using (NoGrad()) isNan = IsNan();
        return Where(isNan, FullLikeScalar(0), this).Sum(ax, keepDim);
    }

    public Tensor Nansum(int dim, bool keepDim = false) => Nansum([dim], keepDim);

    /// <summary>torch.nanmean: the mean over <paramref name="dims"/> of the elements that are not NaN (NaN where all
    /// are, or there are none). Floating tensors only, as PyTorch.</summary>
    public Tensor Nanmean(int[]? dims = null, bool keepDim = false)
    {
        const string op = "nanmean";
        Ops.CheckFloating(op, this);
        var ax = Shapes.NormalizeAxes(op, dims, Rank);
        Tensor count;
        using (NoGrad()) count = IsNan().Neg().AddScalar(1).Sum(ax, keepDim);
        return Nansum(ax, keepDim) / count;
    }

    public Tensor Nanmean(int dim, bool keepDim = false) => Nanmean([dim], keepDim);

    /// <summary>torch.var_mean: the variance (<see cref="Var(int[], double, bool)"/>, with its
    /// <paramref name="correction"/>) and the mean over the same <paramref name="dims"/>.</summary>
    public (Tensor Var, Tensor Mean) VarMean(int[]? dims = null, double correction = 1, bool keepDim = false) =>
        (Var(dims, correction, keepDim), Mean(Shapes.NormalizeAxes("var_mean", dims, Rank), keepDim));

    public (Tensor Var, Tensor Mean) VarMean(int dim, double correction = 1, bool keepDim = false) => VarMean([dim], correction, keepDim);

    /// <summary>torch.std_mean: the standard deviation (<see cref="Std(int[], double, bool)"/>) and the mean over the
    /// same <paramref name="dims"/>.</summary>
    public (Tensor Std, Tensor Mean) StdMean(int[]? dims = null, double correction = 1, bool keepDim = false) =>
        (Std(dims, correction, keepDim), Mean(Shapes.NormalizeAxes("std_mean", dims, Rank), keepDim));

    public (Tensor Std, Tensor Mean) StdMean(int dim, double correction = 1, bool keepDim = false) => StdMean([dim], correction, keepDim);

    /// <summary>torch.aminmax: the minimum and the maximum along <paramref name="dim"/> (of every element when null;
    /// keepDim then keeps every dim as size 1), gradients as <see cref="Amin(int[], bool)"/>'s and
    /// <see cref="Amax(int[], bool)"/>'s. Over no elements it throws, as PyTorch.</summary>
    public (Tensor Min, Tensor Max) Aminmax(int? dim = null, bool keepDim = false)
    {
        const string op = "aminmax";
        int[]? axes = null;
        if (dim is int d) axes = Shapes.IsScalarAxis(d, Rank) ? [] : [DimOf(op, d)];
        var ax = Shapes.NormalizeAxes(op, axes, Rank);
        if (axes is null ? Numel == 0 : ax.Any(a => _shape[a] == 0))
            throw new ArgumentException($"{op}: cannot compute aminmax over an empty dimension as the operation has no identity (shape {Shapes.Format(_shape)}, dim {dim?.ToString() ?? "None"})");
        // A 0-d tensor reduces over no axes (ax is empty): its one element is both.
        return axes is null ? (Amin(null, keepDim), Amax(null, keepDim)) : (Amin(ax, keepDim), Amax(ax, keepDim));
    }

    /// <summary>torch.count_nonzero: the number of nonzero elements (NaN included) over <paramref name="dims"/> (all
    /// when null or empty), as int32 (PyTorch's int64; Pade has none). No gradient.</summary>
    public Tensor CountNonzero(int[]? dims = null)
    {
        var ax = Shapes.NormalizeAxes("count_nonzero", dims, Rank);
        using var _ = NoGrad();
        var x = DType == DType.Int32 ? To(DType.Float64) : Detach();
        return x.NonZeroTruth().Sum(ax).To(DType.Int32);
    }

    public Tensor CountNonzero(int dim) => CountNonzero([dim]);

    /// <summary>
    /// torch.cov: the covariance matrix of the variables in the rows of a 2-D tensor (observations in the columns; a
    /// 1-D or 0-d tensor is one variable), squeezed (one variable gives a 0-d tensor). With weights w (the product of
    /// <paramref name="fweights"/>, integer frequencies, and <paramref name="aweights"/>, observation weights, when
    /// given): x̄ = Σ w x / Σ w and C = (x − x̄) diag(w) (x − x̄)ᵀ / f, with f = Σ w − <paramref name="correction"/>
    /// (Σ w − correction·Σ w·aweights / Σ w when aweights are given), or 0 when f ≤ 0 (inf or NaN, as PyTorch).
    /// Differentiable in the input through the composition.
    /// </summary>
    public Tensor Cov(int correction = 1, Tensor? fweights = null, Tensor? aweights = null)
    {
        const string op = "cov";
        if (Rank > 2) throw new ArgumentException($"{op}: expected input to have two or fewer dimensions but got an input with {Rank} dimensions");
        var input = DType == DType.Int32 ? To(DType.Float32) : this;
        int observations = Rank < 2 ? (int)Numel : _shape[1];
        Tensor? w = null;
        if (fweights is not null)
        {
            CheckCovWeights(op, "fweights", fweights, observations);
            if (fweights.DType != DType.Int32)
                throw new ArgumentException($"{op}: expected fweights to have integral dtype but got fweights with {fweights.DType.TorchName()} dtype");
            if (fweights.Lt(0).Any().Item() != 0) throw new ArgumentException($"{op}: fweights cannot be negative");
            w = fweights.To(input.DType);
        }
        if (aweights is not null)
        {
            CheckCovWeights(op, "aweights", aweights, observations);
            if (!aweights.DType.IsFloating())
                throw new ArgumentException($"{op}: expected aweights to have floating point dtype but got aweights with {aweights.DType.TorchName()} dtype");
            if (aweights.Lt(0).Any().Item() != 0) throw new ArgumentException($"{op}: aweights cannot be negative");
            var aw = aweights.DType == input.DType ? aweights : aweights.To(input.DType);
            w = w is null ? aw : w * aw;
        }
        var rows = input.Rank < 2 ? input.Reshape(1, -1) : input;
        Tensor wSum = w is null ? Full([], observations, input.DType, input.Device) : w.Sum();
        if (w is not null && wSum.Item() == 0) throw new ArgumentException($"{op}: weights sum to zero, can't be normalized");
        var avg = (w is null ? rows : rows * w).Sum(1, keepDim: true) / wSum;
        var norm = w is not null && aweights is not null && correction != 0
            ? wSum - (w * aweights.To(input.DType)).Sum().MulScalar(correction) / wSum
            : wSum.AddScalar(-correction);
        // PyTorch warns and divides by 0 where the degrees of freedom are ≤ 0.
        if (norm.Item() <= 0) norm = norm.Detach().ZerosLike(); // +0 (a product with 0 could be −0: −∞ where torch has ∞)
        var centered = rows - avg;
        var c = Mm(centered, (w is null ? centered : centered * w).T) / norm;
        return SqueezeAll(c);
    }

    private static Tensor SqueezeAll(Tensor t) => t.Reshape(t._shape.Where(d => d != 1).ToArray());

    private static void CheckCovWeights(string op, string name, Tensor weights, int observations)
    {
        if (weights.Rank > 1) throw new ArgumentException($"{op}: expected {name} to have one or fewer dimensions but got {name} with {weights.Rank} dimensions");
        if (weights.Numel != observations)
            throw new ArgumentException($"{op}: expected {name} to have the same numel as there are observations in the input but got {weights.Numel} != {observations}");
    }

    /// <summary>
    /// torch.corrcoef: Pearson's correlation coefficients of the variables in the rows (see <see cref="Cov"/>),
    /// R = C / √(diag C diag Cᵀ), clipped to [−1, 1]; for one variable C/C (1, or NaN where C is 0, NaN or ∞).
    /// </summary>
    public Tensor Corrcoef()
    {
        var c = Cov();
        if (c.Rank == 0) return c / c;
        var std = c.Diagonal().Sqrt();
        c = c / std.Reshape(-1, 1);
        c = c / std.Reshape(1, -1);
        return c.Clamp(-1.0, 1.0);
    }
}
