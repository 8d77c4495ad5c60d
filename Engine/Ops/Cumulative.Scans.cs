using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>torch.cumprod, cummax, cummin and logcumsumexp: the backend's scan (<see cref="Backend.Scan"/>) with the
/// product, max, min and log-sum-exp ops, each one recorded op whose backward is PyTorch's closed form.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// y[.., k, ..] = Π_{j ≤ k} x[.., j, ..] along <paramref name="dim"/> (torch.cumprod). The gradient is
    /// dL/dx[k] = Σ_{j ≥ k} g[j] Π_{i ≤ j, i ≠ k} x[i], correct with zeros as PyTorch's cumprod_backward: where x[k] ≠ 0
    /// it is the reverse cumsum of g·y divided by x[k] (exact, since every y[j], j ≥ k, holds the factor x[k]); the
    /// first zero of a slice gets the reverse cumsum of g times the cumprod with that zero replaced by 1; any later
    /// zero gets 0 (every product through it also holds the first zero). Built of differentiable ops (no 0/0 anywhere).
    /// int32 goes through float64 and stays int32.
    /// </summary>
    public Tensor Cumprod(int dim)
    {
        if (DType == DType.Int32) return To(DType.Float64).Cumprod(dim).To(DType.Int32);
        Ops.CheckFloating("cumprod", this);
        if (Shapes.IsScalarAxis(dim, Rank)) return Reshape(1).Cumprod(0).Reshape([]);
        int axis = DimOf("cumprod", dim);
        var y = ScanForward(ReduceOp.Prod, axis, reverse: false, exclusive: false);
        return Graph.Record(y, "cumprod", [this], g => [CumprodBackward(this, y, g, axis)], this, y);
    }

    private static Tensor CumprodBackward(Tensor x, Tensor y, Tensor g, int axis)
    {
        Tensor isZero, firstZero;
        using (NoGrad())
        {
            isZero = x.Eq(x.FullLikeScalar(0));
            firstZero = isZero * isZero.Cumsum(axis).Eq(x.FullLikeScalar(1));
        }
        var one = x.FullLikeScalar(1);
        // x with its zeros replaced by 1 (the divisor where x ≠ 0; no 0/0 even in a second derivative).
        var safe = Where(isZero, one, x);
        var nonzero = (g * y).CumsumAlong(axis, reverse: true) / safe;
        // The cumprod with the first zero replaced by 1: Π_{i ≤ j, i ≠ z} x[i] for j ≥ z.
        var skipFirst = Where(firstZero, one, x).Cumprod(axis);
        var atFirstZero = (g * skipFirst).CumsumAlong(axis, reverse: true) * firstZero;
        return Where(isZero, atFirstZero, nonzero);
    }

    /// <summary>torch.cummax: the running maximum along <paramref name="dim"/> and the index it was taken from. Ties
    /// give the last index (x[k] ≥ the running maximum takes over, as PyTorch); a NaN propagates, its index that of the
    /// latest NaN. Indices are int32 (PyTorch's are int64, as <see cref="Sort"/>'s). The gradient scatter-adds dL/dvalues
    /// back to the indices. int32 input gives int32 values.</summary>
    public (Tensor Values, Tensor Indices) Cummax(int dim) => CumExtreme("cummax", ReduceOp.Max, dim);

    /// <summary>torch.cummin: as <see cref="Cummax"/> with the running minimum (x[k] ≤ the running minimum takes over,
    /// so ties give the last index).</summary>
    public (Tensor Values, Tensor Indices) Cummin(int dim) => CumExtreme("cummin", ReduceOp.Min, dim);

    private (Tensor Values, Tensor Indices) CumExtreme(string op, ReduceOp rop, int dim)
    {
        if (DType == DType.Int32)
        {
            var (v, i) = To(DType.Float64).CumExtreme(op, rop, dim);
            return (v.To(DType.Int32), i);
        }
        Ops.CheckFloating(op, this);
        if (Shapes.IsScalarAxis(dim, Rank))
        {
            var (v, i) = Reshape(1).CumExtreme(op, rop, 0);
            return (v.Reshape([]), i.Reshape([]));
        }
        int axis = DimOf(op, dim);
        var values = ScanForward(rop, axis, reverse: false, exclusive: false);
        Tensor indices;
        using (NoGrad())
        {
            // The running extreme changes hands at k exactly where x[k] equals it (x[k] ≥ the maximum so far, ties
            // included) or x[k] is NaN; so the index at k is the last such position up to k, a running max of
            // "k where it changes hands, else −1". Positions in float64, exact for any length.
            var x = Contiguous().To(DType.Float64);
            var v = values.To(DType.Float64);
            var takes = x.Eq(v) + (1.0 - x.Eq(x));
            var shape = Enumerable.Repeat(1, Rank).ToArray();
            shape[axis] = _shape[axis];
            var positions = Arange(0, _shape[axis], 1, DType.Float64, Device).Reshape(shape);
            var marked = Where(takes, positions, x.FullLikeScalar(-1));
            indices = marked.ScanForward(ReduceOp.Max, axis, reverse: false, exclusive: false).To(DType.Int32);
        }
        var inShape = ShapeCopy();
        var y = Graph.Record(values, op, [this], g => [ScatterAddInto(null, inShape, axis, indices, g).Reshape(inShape)], indices);
        return (y, indices);
    }

    /// <summary>
    /// y[.., k, ..] = log Σ_{j ≤ k} exp(x[.., j, ..]) along <paramref name="dim"/> (torch.logcumsumexp), each step the
    /// stable log(eᵃ + eᵇ) = max + log1p(exp(min − max)); −∞ inputs add nothing, all −∞ gives −∞. The gradient is
    /// PyTorch's logcumsumexp_backward: Σ_{j ≥ k} g[j] exp(x[k] − y[j]) with the positive and negative parts of g each
    /// summed in log space by a reverse logcumsumexp, so nothing overflows. Floating dtypes only, as PyTorch.
    /// </summary>
    public Tensor LogCumSumExp(int dim)
    {
        Ops.CheckFloating("logcumsumexp", this);
        if (Shapes.IsScalarAxis(dim, Rank)) return Reshape(1).LogCumSumExp(0).Reshape([]);
        return LogCumSumExpAlong(DimOf("logcumsumexp", dim), reverse: false);
    }

    /// <summary>logcumsumexp from the start or from the end; each appears in the other's backward.</summary>
    private Tensor LogCumSumExpAlong(int axis, bool reverse)
    {
        var y = ScanForward(ReduceOp.LogSumExp, axis, reverse, exclusive: false);
        return Graph.Record(y, "logcumsumexp", [this], g =>
        {
            var lowest = g.FullLikeScalar(g.DType == DType.Float32 ? float.MinValue : double.MinValue);
            var logAbs = g.Abs().Log();
            var logPositive = Where(g.Gt(0), logAbs, lowest);
            var logNegative = Where(g.Lt(0), logAbs, lowest);
            var positive = ((logPositive - y).LogCumSumExpAlong(axis, !reverse) + this).Exp();
            var negative = ((logNegative - y).LogCumSumExpAlong(axis, !reverse) + this).Exp();
            return [positive - negative];
        }, this, y);
    }
}
