using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// Variance, standard deviation and log-sum-exp over any set of axes, as PyTorch defines them (torch.var, torch.std,
/// torch.logsumexp), edge cases included. Each forward composes existing ops under <see cref="NoGrad"/>, so it runs
/// on every backend with no kernel of its own, and records one node with the closed-form backward.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// torch.var: s² = Σ (x − x̄)² / max(0, N − <paramref name="correction"/>) over <paramref name="axes"/> (all by
    /// default), N the number of elements reduced. Correction 1 (the default) is Bessel's unbiased estimate, 0 the
    /// population variance. Where N − correction ≤ 0 the quotient is by 0, as in PyTorch: inf, or NaN when the sum of
    /// squares is 0 too (one element with correction 1; no elements).
    /// Backward: ∂s²/∂xᵢ = 2(xᵢ − x̄)/(N − correction) (the terms through x̄ cancel, since Σ (xⱼ − x̄) = 0), the gradient
    /// broadcast back over the reduced axes. Where N − correction ≤ 0 it copies PyTorch's var_backward: over all
    /// elements (no axes, or a 0-d tensor) g·(NaN where x = x̄, else +inf); over given axes the formula with the
    /// unclamped N − correction (so ±inf or NaN at 0, finite when negative).
    /// </summary>
    public Tensor Var(int[]? axes = null, double correction = 1, bool keepDim = false) =>
        Moments("var", axes, correction, keepDim, root: false);

    public Tensor Var(int axis, double correction = 1, bool keepDim = false) => Var([axis], correction, keepDim);

    /// <summary>
    /// torch.std: s = √(s²), s² the variance of <see cref="Var(int[], double, bool)"/> with the same arguments.
    /// Backward: ∂s/∂x = (∂s²/∂x)/(2s) = (x − x̄)/((N − correction)·s). Where s = 0 (all elements equal) that is 0/0;
    /// PyTorch's std_backward sets the gradient to 0 there (torch.ones(3).std().backward() gives zeros), and so does
    /// this one. Where N − correction ≤ 0, s is NaN or inf and the gradient NaN (PyTorch's).
    /// </summary>
    public Tensor Std(int[]? axes = null, double correction = 1, bool keepDim = false) =>
        Moments("std", axes, correction, keepDim, root: true);

    public Tensor Std(int axis, double correction = 1, bool keepDim = false) => Std([axis], correction, keepDim);

    private Tensor Moments(string op, int[]? axes, double correction, bool keepDim, bool root)
    {
        Ops.CheckFloating(op, this);
        var ax = Shapes.NormalizeAxes(op, axes, Rank);
        // PyTorch's backward has two branches: dim=None (or a 0-d input) and a list of dims. An empty list reduces
        // every axis in the forward; it is taken as dim=None here (PyTorch's backward would count 1 element).
        bool whole = axes is null or [] || Rank == 0;
        long n = ax.Aggregate(1L, (c, a) => c * _shape[a]);
        double dof = n - correction;
        var keptShape = ShapeCopy();
        foreach (var a in ax) keptShape[a] = 1;

        Tensor centered, kept, y;
        Tensor? nanOrInf = null;
        using (NoGrad())
        {
            // Two passes, as accurate as PyTorch's Welford kernel: the mean, then the squares of the deviations
            // (Σx² − N x̄² would cancel catastrophically when the spread is small against the mean).
            var mean = Mean(ax, keepDim: true);
            centered = this - mean;
            kept = centered.Square().Sum(ax, keepDim: true).MulScalar(1.0 / Math.Max(0, dof));
            if (root) kept = kept.Sqrt();
            y = keepDim ? kept : kept.Reshape(DropAxes(ax));
            if (whole && dof <= 0)
                nanOrInf = Where(Compare(BinaryOp.Equal, this, mean), FullLikeScalar(double.NaN), FullLikeScalar(double.PositiveInfinity));
        }

        return Graph.Record(y, op, [this], g =>
        {
            var gk = g.Reshape(keptShape);
            if (root)
            {
                // ∂s/∂x = ∂s²/∂x / (2s), and 0 where s = 0 (PyTorch's masked_fill of std_backward).
                var zero = kept.FullLikeScalar(0);
                gk = Where(Compare(BinaryOp.Equal, kept, zero), zero, gk / kept.MulScalar(2));
            }
            return [nanOrInf != null ? gk * nanOrInf : (gk * centered).MulScalar(2.0 / dof)];
        }, root ? [kept, nanOrInf ?? centered] : [nanOrInf ?? centered]);
    }

    /// <summary>
    /// torch.logsumexp: y = log Σ eˣ over <paramref name="axes"/>, computed stably as m + log Σ e^(x − m) with m the
    /// maximum over the axes, replaced by 0 where it is ±inf (as PyTorch does: all −inf gives log 0 = −inf, any +inf
    /// gives +inf, instead of the NaN of inf − inf). An axis of size 0 gives −inf (the log of an empty sum).
    /// Backward: ∂y/∂xᵢ = e^(xᵢ − y), the softmax, from PyTorch's formula as it is, so it is NaN where xᵢ = y = ±inf.
    /// </summary>
    public Tensor LogSumExp(int[] axes, bool keepDim = false)
    {
        const string op = "logsumexp";
        Ops.CheckFloating(op, this);
        var ax = Shapes.NormalizeAxes(op, axes, Rank);
        Tensor lse, y;
        using (NoGrad())
        {
            if (Numel == 0) lse = Exp().Sum(ax, keepDim: true).Log();
            else
            {
                var m = Max(ax, keepDim: true);
                m = Where(Compare(BinaryOp.Equal, m.Abs(), FullLikeScalar(double.PositiveInfinity)), FullLikeScalar(0), m);
                lse = (this - m).Exp().Sum(ax, keepDim: true).Log() + m;
            }
            y = keepDim ? lse : lse.Reshape(DropAxes(ax));
        }
        var keptShape = lse.ShapeCopy();
        return Graph.Record(y, op, [this], g => [g.Reshape(keptShape) * (this - lse).Exp()], this, lse);
    }

    public Tensor LogSumExp(int axis, bool keepDim = false) => LogSumExp([axis], keepDim);
}
