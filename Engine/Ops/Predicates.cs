using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// torch's predicates and logical ops (isnan, isinf, isposinf, isneginf, isfinite, isclose, allclose, equal,
/// logical_and/or/xor/not), nan_to_num and clamp with tensor bounds (clip). Every one is a composition of
/// <see cref="Compare"/>, <see cref="Where"/> and the elementwise ops, so it runs on every backend with no kernel of its
/// own. Pade has no bool dtype: a predicate gives 1 and 0 in its operands' dtype, as the comparisons do, and any
/// nonzero element (NaN included, as bool(nan) is True) counts as true.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.isnan: 1 where the element is NaN (x ≠ x), else 0; no gradient. An int32 tensor has no NaN.</summary>
    public Tensor IsNan() => DType == DType.Int32 ? ZerosLike() : Compare(BinaryOp.NotEqual, this, this);

    /// <summary>torch.isposinf: 1 where the element is +∞, else 0.</summary>
    public Tensor IsPosInf() => DType == DType.Int32 ? ZerosLike() : Compare(BinaryOp.Equal, this, FullLikeScalar(double.PositiveInfinity));

    /// <summary>torch.isneginf: 1 where the element is −∞, else 0.</summary>
    public Tensor IsNegInf() => DType == DType.Int32 ? ZerosLike() : Compare(BinaryOp.Equal, this, FullLikeScalar(double.NegativeInfinity));

    /// <summary>torch.isinf: 1 where the element is +∞ or −∞, else 0.</summary>
    public Tensor IsInf()
    {
        using var _ = NoGrad();
        return IsPosInf() + IsNegInf();
    }

    /// <summary>torch.isfinite: 1 where the element is neither NaN nor ±∞, else 0. x − x is 0 exactly for the finite
    /// values (∞ − ∞ and NaN − NaN are NaN).</summary>
    public Tensor IsFinite()
    {
        if (DType == DType.Int32) return Full(_shape, 1, DType, Device);
        using var _ = NoGrad();
        var d = Detach() - Detach();
        return Compare(BinaryOp.Equal, d, d.FullLikeScalar(0));
    }

    /// <summary>
    /// torch.isclose: 1 where |x − other| ≤ <paramref name="atol"/> + <paramref name="rtol"/>·|other| (the test is not
    /// symmetric: other is the reference), or where x = other (equal infinities), or, with
    /// <paramref name="equalNan"/>, where both are NaN; else 0, broadcasting. Both tensors must have the same dtype,
    /// and the tolerances must be ≥ 0, as in PyTorch.
    /// </summary>
    public Tensor IsClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false)
    {
        const string op = "isclose";
        ArgumentNullException.ThrowIfNull(other);
        if (DType != other.DType)
            throw new ArgumentException($"{op}: expected self and other to have the same dtype, but got self.dtype = {DType.TorchName()} and other.dtype = {other.DType.TorchName()}");
        if (!(rtol >= 0)) throw new ArgumentException($"{op}: rtol must be greater than or equal to zero, but got {rtol}");
        if (!(atol >= 0)) throw new ArgumentException($"{op}: atol must be greater than or equal to zero, but got {atol}");
        Ops.CheckSameDevice(op, this, other);
        Shapes.Broadcast(op, _shape, other._shape);
        // int32 operands through float64 (|a − b| and rtol·|b| are not integers), the result back in int32.
        if (DType == DType.Int32) return To(DType.Float64).IsClose(other.To(DType.Float64), rtol, atol, equalNan).To(DType.Int32);
        using var _ = NoGrad();
        Tensor a = Detach(), b = other.Detach();
        var close = Compare(BinaryOp.Equal, a, b);
        if (equalNan) close = Maximum(close, a.IsNan() * b.IsNan());
        if (atol == 0 && rtol == 0) return close;
        var error = (a - b).Abs();
        var allowed = b.Abs().MulScalar(rtol).AddScalar(atol);
        // An infinite error (∞ against a finite value, or ∞ − ∞ = NaN) is never within the tolerance.
        var within = Compare(BinaryOp.GreaterEqual, allowed, error) * error.IsFinite();
        return Maximum(close, within);
    }

    /// <summary>torch.allclose: whether <see cref="IsClose"/> holds for every element (true for none).</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false) =>
        IsClose(other, rtol, atol, equalNan).All().Item() != 0;

    /// <summary>torch.equal: whether both tensors have the same shape and the same values (NaN equals nothing, so a
    /// tensor holding a NaN is not equal to itself). Values of different dtypes are compared after promotion.</summary>
    public bool Equal(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Ops.CheckSameDevice("equal", this, other);
        if (!Shapes.SameShape(_shape, other._shape)) return false;
        return Compare(BinaryOp.Equal, this, other).All().Item() != 0;
    }

    /// <summary>torch.logical_and: 1 where both elements are nonzero (NaN counts as nonzero), else 0, broadcasting, in
    /// the promoted dtype of the two.</summary>
    public Tensor LogicalAnd(Tensor other) => Logical("logical_and", other, (a, b) => a * b);

    /// <summary>torch.logical_or: 1 where either element is nonzero.</summary>
    public Tensor LogicalOr(Tensor other) => Logical("logical_or", other, Maximum);

    /// <summary>torch.logical_xor: 1 where exactly one of the elements is nonzero.</summary>
    public Tensor LogicalXor(Tensor other) => Logical("logical_xor", other, (a, b) => Compare(BinaryOp.NotEqual, a, b));

    /// <summary>torch.logical_not: 1 where the element is 0, else 0 (NaN is nonzero, so it gives 0).</summary>
    public Tensor LogicalNot()
    {
        using var _ = NoGrad();
        return Compare(BinaryOp.Equal, this, FullLikeScalar(0));
    }

    private Tensor Logical(string op, Tensor other, Func<Tensor, Tensor, Tensor> combine)
    {
        ArgumentNullException.ThrowIfNull(other);
        Ops.CheckSameDevice(op, this, other);
        Shapes.Broadcast(op, _shape, other._shape);
        using var _ = NoGrad();
        var (a, b) = Promote(this, other);
        return combine(a.NonZeroTruth(), b.NonZeroTruth());
    }

    /// <summary>1 where nonzero (NaN included), else 0, in this tensor's dtype.</summary>
    private Tensor NonZeroTruth() => Compare(BinaryOp.Equal, this, FullLikeScalar(0)).Neg().AddScalar(1);

    /// <summary>
    /// torch.nan_to_num: NaN replaced by <paramref name="nan"/>, +∞ by <paramref name="posinf"/> and −∞ by
    /// <paramref name="neginf"/>; by default the largest and the lowest finite value of the dtype (torch.finfo's max
    /// and min). The gradient passes where the element is finite and is 0 elsewhere, as PyTorch's. An int32 tensor
    /// holds no NaN nor ∞ and is returned as a copy.
    /// </summary>
    public Tensor NanToNum(double nan = 0, double? posinf = null, double? neginf = null)
    {
        if (DType == DType.Int32) return Clone();
        double max = DType == DType.Float32 ? float.MaxValue : double.MaxValue;
        Tensor isNan, isPos, isNeg;
        using (NoGrad()) { isNan = IsNan(); isPos = IsPosInf(); isNeg = IsNegInf(); }
        // Where sends the gradient to the side it keeps: the finite elements keep x.
        var y = Where(isNeg, FullLikeScalar(neginf ?? -max), this);
        y = Where(isPos, FullLikeScalar(posinf ?? max), y);
        return Where(isNan, FullLikeScalar(nan), y);
    }

    /// <summary>
    /// torch.clamp with tensor bounds: y = min(max(x, min), max), broadcasting the three (either bound may be null, not
    /// both); where min &gt; max every element is max, and a NaN in any of them gives NaN. The gradient follows
    /// PyTorch's clamp_backward_min_max: x gets it where min ≤ x ≤ max (the bounds included); min where x &lt; min
    /// and min &lt; max; max where x &gt; max or max &lt; min (with one bound only: min where x &lt; min, max where
    /// x &gt; max).
    /// </summary>
    public Tensor Clamp(Tensor? min = null, Tensor? max = null)
    {
        const string op = "clamp";
        if (min is null && max is null) throw new ArgumentException($"{op}: at least one of 'min' or 'max' must not be None");
        var shape = _shape;
        foreach (var bound in (Tensor?[])[min, max])
            if (bound is not null)
            {
                Ops.CheckSameDevice(op, this, bound);
                shape = Shapes.Broadcast(op, shape, bound._shape);
            }
        // Every operand in the promoted dtype of the three.
        var dtype = DType;
        if (min is not null) dtype = dtype.Promote(min.DType);
        if (max is not null) dtype = dtype.Promote(max.DType);
        if (dtype == DType.Int32)
            return To(DType.Float64).Clamp(min?.To(DType.Float64), max?.To(DType.Float64)).To(DType.Int32);
        Tensor x = DType == dtype ? this : To(dtype);
        Tensor? lo = min is null || min.DType == dtype ? min : min.To(dtype), hi = max is null || max.DType == dtype ? max : max.To(dtype);

        Tensor y;
        using (NoGrad())
        {
            y = x.Detach();
            if (lo is not null) y = BinaryForward(BinaryOp.Maximum, y, lo.Detach());
            if (hi is not null) y = BinaryForward(BinaryOp.Minimum, y, hi.Detach());
            if (!Shapes.SameShape(y._shape, shape)) y = y.BroadcastTo(shape).Contiguous();
        }
        var inputs = new List<Tensor> { x };
        if (lo is not null) inputs.Add(lo);
        if (hi is not null) inputs.Add(hi);
        return Graph.Record(y, op, [.. inputs], g =>
        {
            var zero = g.FullLikeScalar(0);
            Tensor? gx, glo = null, ghi = null;
            if (lo is not null && hi is not null)
            {
                gx = Where(Compare(BinaryOp.GreaterEqual, x, lo) * Compare(BinaryOp.GreaterEqual, hi, x), g, zero);
                glo = Where(Compare(BinaryOp.Less, x, lo) * Compare(BinaryOp.Less, lo, hi), g, zero);
                ghi = Where(Maximum(Compare(BinaryOp.Greater, x, hi), Compare(BinaryOp.Less, hi, lo)), g, zero);
            }
            else if (lo is not null)
            {
                gx = Where(Compare(BinaryOp.GreaterEqual, x, lo), g, zero);
                glo = Where(Compare(BinaryOp.Less, x, lo), g, zero);
            }
            else
            {
                gx = Where(Compare(BinaryOp.GreaterEqual, hi!, x), g, zero);
                ghi = Where(Compare(BinaryOp.Greater, x, hi!), g, zero);
            }
            var grads = new List<Tensor?> { gx };
            if (lo is not null) grads.Add(glo);
            if (hi is not null) grads.Add(ghi);
            return [.. grads];
        }, [.. inputs]);
    }

    /// <summary>torch.clip, an alias of <see cref="Clamp(Tensor, Tensor)"/>.</summary>
    public Tensor Clip(Tensor? min = null, Tensor? max = null) => Clamp(min, max);

    /// <summary>torch.clip, an alias of <see cref="Clamp(double, double)"/>.</summary>
    public Tensor Clip(double min, double max) => Clamp(min, max);
}
