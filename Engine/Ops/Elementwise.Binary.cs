using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>torch's binary math functions, broadcasting and promoting as +, −, ×, ÷ (int32 pairs through float64:
/// pow, remainder, fmod and floor_divide stay int32, the others give float32), with scalar forms and the closed-form
/// gradients of PyTorch's derivatives.yaml; lerp composed with its own backward; ne.</summary>
public sealed partial class Tensor
{
    /// <summary>A Python float operand: a 0-d tensor of this tensor's floating dtype (float32 for int32, as a float
    /// scalar makes an integer operation floating in PyTorch).</summary>
    private Tensor ScalarOperand(double v) => Full([], v, DType.IsFloating() ? DType : DType.Float32, Device);

    private static Tensor Forward(BinaryOp op, ref Tensor a, ref Tensor b)
    {
        (a, b) = Promote(a, b);
        return BinaryForward(op, a, b);
    }

    /// <summary>1 where a ≠ b (NaN ≠ anything), else 0, in the operands' dtype (torch.ne); no gradient.</summary>
    public Tensor Ne(Tensor other) => Compare(BinaryOp.NotEqual, this, other);

    /// <summary>torch.ne with a scalar.</summary>
    public Tensor Ne(double v) => Ne(FullLikeScalar(v));

    /// <summary>torch.not_equal, an alias of <see cref="Ne(Tensor)"/>.</summary>
    public Tensor NotEqual(Tensor other) => Ne(other);

    /// <summary>torch.eq with a scalar.</summary>
    public Tensor Eq(double v) => Eq(FullLikeScalar(v));

    /// <summary>y = xᵉ elementwise with a tensor exponent (torch.pow): 0⁰ = 1, a negative base to a non-integer power
    /// NaN. dy/dx = e·x^(e−1) (0 where e = 0); dy/de = y·ln x (0 where x = 0 and e ≥ 0), as PyTorch.</summary>
    public Tensor Pow(Tensor exponent)
    {
        Tensor a = this, b = exponent;
        var y = Forward(BinaryOp.Pow, ref a, ref b);
        return Graph.Record(y, "pow", [a, b], g =>
        {
            var zero = g.FullLikeScalar(0);
            var da = Where(b.Eq(0), zero, g * b * a.Pow(b - 1.0));
            var db = Where(a.Eq(0) * b.Ge(0), zero, g * y * a.Log());
            return [da, db];
        }, a, b, y);
    }

    /// <summary>torch.pow(self, exponent) with a scalar base: y = selfᵉ. dy/de = y·ln self (0 where self = 0 and e ≥ 0).</summary>
    public static Tensor Pow(double self, Tensor exponent) => exponent.ScalarOperand(self).Pow(exponent);

    /// <summary>torch.pow(self, exponent) with a tensor exponent.</summary>
    public static Tensor Pow(Tensor self, Tensor exponent) => self.Pow(exponent);

    /// <summary>y = atan2(x, other), the angle of the point (other, x) in [−π, π] (torch.atan2); atan2(±0, −0) = ±π.
    /// dy/dx = other/(x² + other²), dy/dother = −x/(x² + other²) (NaN at the origin, as PyTorch).</summary>
    public Tensor Atan2(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.Atan2, ref a, ref b);
        return Graph.Record(y, "atan2", [a, b], g =>
        {
            var recip = (a.Square() + b.Square()).Reciprocal();
            return [g * b * recip, -(g * a) * recip];
        }, a, b);
    }

    /// <summary>torch.atan2(input, other).</summary>
    public static Tensor Atan2(Tensor input, Tensor other) => input.Atan2(other);

    /// <summary>y = √(x² + other²) without overflow (torch.hypot). dy/dx = x/y, dy/dother = other/y.</summary>
    public Tensor Hypot(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.Hypot, ref a, ref b);
        return Graph.Record(y, "hypot", [a, b], g => [g * a / y, g * b / y], a, b, y);
    }

    /// <summary>torch.hypot(input, other).</summary>
    public static Tensor Hypot(Tensor input, Tensor other) => input.Hypot(other);

    /// <summary>y = x − ⌊x/other⌋·other, the sign of other, as Python's % (torch.remainder); NaN where other = 0.
    /// dy/dx = 1, dy/dother = −⌊x/other⌋.</summary>
    public Tensor Remainder(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.Remainder, ref a, ref b);
        return Graph.Record(y, "remainder", [a, b], g => [g, -(g * FloorDivide(a, b))], a, b);
    }

    /// <summary>torch.remainder with a scalar divisor.</summary>
    public Tensor Remainder(double other) => Remainder(ScalarOperand(other));

    /// <summary>torch.remainder(input, other).</summary>
    public static Tensor Remainder(Tensor input, Tensor other) => input.Remainder(other);

    /// <summary>torch.remainder with a scalar dividend.</summary>
    public static Tensor Remainder(double input, Tensor other) => other.ScalarOperand(input).Remainder(other);

    /// <summary>y = x − trunc(x/other)·other, the sign of x, as C's fmod (torch.fmod); NaN where other = 0.
    /// dy/dx = 1, dy/dother = −trunc(x/other).</summary>
    public Tensor Fmod(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.Fmod, ref a, ref b);
        return Graph.Record(y, "fmod", [a, b], g => [g, -(g * (a / b).Trunc())], a, b);
    }

    /// <summary>torch.fmod with a scalar divisor.</summary>
    public Tensor Fmod(double other) => Fmod(ScalarOperand(other));

    /// <summary>torch.fmod(input, other).</summary>
    public static Tensor Fmod(Tensor input, Tensor other) => input.Fmod(other);

    /// <summary>y = ⌊x/other⌋ (torch.floor_divide, div with rounding_mode="floor"); ±∞ or NaN where other = 0.
    /// Gradient 0 for both, as PyTorch.</summary>
    public Tensor FloorDivide(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.FloorDivide, ref a, ref b);
        return Graph.Record(y, "floor_divide", [a, b], g => [g.ZerosLike(), g.ZerosLike()]);
    }

    /// <summary>torch.floor_divide with a scalar divisor.</summary>
    public Tensor FloorDivide(double other) => FloorDivide(ScalarOperand(other));

    /// <summary>torch.floor_divide(input, other).</summary>
    public static Tensor FloorDivide(Tensor input, Tensor other) => input.FloorDivide(other);

    /// <summary>y = x·ln(other), 0 where x = 0 unless other is NaN (torch.xlogy). dy/dx = ln other (0 where x = 0 and
    /// other ≤ 0), dy/dother = x/other.</summary>
    public Tensor Xlogy(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.Xlogy, ref a, ref b);
        return Graph.Record(y, "xlogy", [a, b], g =>
        {
            var da = Where(a.Eq(0) * b.Le(0), g.FullLikeScalar(0), Xlogy(g, b));
            return [da, g * a / b];
        }, a, b);
    }

    /// <summary>torch.xlogy with a scalar other.</summary>
    public Tensor Xlogy(double other) => Xlogy(ScalarOperand(other));

    /// <summary>torch.xlogy(input, other).</summary>
    public static Tensor Xlogy(Tensor input, Tensor other) => input.Xlogy(other);

    /// <summary>torch.xlogy with a scalar input.</summary>
    public static Tensor Xlogy(double input, Tensor other) => other.ScalarOperand(input).Xlogy(other);

    /// <summary>y = |x| with the sign of other, −0 included (torch.copysign). dy/dx = y/x (0 where x = 0); other gets
    /// a zero gradient.</summary>
    public Tensor Copysign(Tensor other)
    {
        Tensor a = this, b = other;
        // int32 operands give float32, as PyTorch's copysign: through the float path.
        if (a.DType == DType.Int32 && b.DType == DType.Int32) a = a.To(DType.Float32);
        var y = Forward(BinaryOp.Copysign, ref a, ref b);
        return Graph.Record(y, "copysign", [a, b], g =>
            [Where(a.Eq(0), g.FullLikeScalar(0), g * (y / a)), g.ZerosLike()], a, y);
    }

    /// <summary>torch.copysign with a scalar other.</summary>
    public Tensor Copysign(double other) => Copysign(ScalarOperand(other));

    /// <summary>torch.copysign(input, other).</summary>
    public static Tensor Copysign(Tensor input, Tensor other) => input.Copysign(other);

    /// <summary>y = ln(eˣ + e^other) without overflow (torch.logaddexp); −∞ with −∞ gives −∞. dy/dx = 1/(1 + e^(other−x)),
    /// dy/dother = 1/(1 + e^(x−other)).</summary>
    public Tensor LogAddExp(Tensor other)
    {
        Tensor a = this, b = other;
        var y = Forward(BinaryOp.LogAddExp, ref a, ref b);
        return Graph.Record(y, "logaddexp", [a, b], g => [g / (b - a).Exp().AddScalar(1), g / (a - b).Exp().AddScalar(1)], a, b);
    }

    /// <summary>torch.logaddexp(input, other).</summary>
    public static Tensor LogAddExp(Tensor input, Tensor other) => input.LogAddExp(other);

    /// <summary>y = x + weight·(end − x) (torch.lerp), computed as PyTorch's kernel: end − (end − x)(1 − weight) where
    /// |weight| ≥ ½, so that weight = 1 gives end exactly. dy/dx = 1 − weight, dy/dend = weight, dy/dweight = end − x.</summary>
    public Tensor Lerp(Tensor end, Tensor weight)
    {
        Tensor a = this, b = end;
        (a, b) = Promote(a, b);
        (a, weight) = Promote(a, weight);
        (b, weight) = Promote(b, weight);
        Ops.CheckFloating("lerp", a);
        var y = LerpValue(a, b, weight);
        return Graph.Record(y, "lerp", [a, b, weight], g => [g * (1.0 - weight), g * weight, g * (b - a)], a, b, weight);
    }

    /// <summary>torch.lerp with a scalar weight. dy/dx = 1 − weight, dy/dend = weight.</summary>
    public Tensor Lerp(Tensor end, double weight)
    {
        Tensor a = this, b = end;
        (a, b) = Promote(a, b);
        Ops.CheckFloating("lerp", a);
        var y = LerpValue(a, b, a.ScalarOperand(weight));
        return Graph.Record(y, "lerp", [a, b], g => [g * (1 - weight), g * weight]);
    }

    /// <summary>torch.lerp(input, end, weight).</summary>
    public static Tensor Lerp(Tensor input, Tensor end, Tensor weight) => input.Lerp(end, weight);

    /// <summary>torch.lerp(input, end, weight) with a scalar weight.</summary>
    public static Tensor Lerp(Tensor input, Tensor end, double weight) => input.Lerp(end, weight);

    /// <summary>PyTorch's two forms of lerp, chosen by |weight| &lt; ½, without recording (the caller records).</summary>
    private static Tensor LerpValue(Tensor a, Tensor b, Tensor w)
    {
        using var _ = NoGrad();
        var diff = b - a;
        return Where(w.Abs().Lt(0.5), a + w * diff, b - diff * (1.0 - w));
    }
}
