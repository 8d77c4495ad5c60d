using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>Elementwise arithmetic. Each op: forward through the backend, then its closed-form backward.</summary>
public sealed partial class Tensor
{
    internal Tensor UnaryForward(UnaryOp op, double alpha = 0, double beta = 0)
    {
        if (DType == DType.Int32 && IntegerUnary(op) is DType to)
            return to == DType.Int32 ? To(DType.Float64).UnaryForward(op, alpha, beta).To(DType.Int32) : To(to).UnaryForward(op, alpha, beta);
        Ops.CheckFloating(op.ToString().ToLowerInvariant(), this);
        var x = Contiguous();
        var y = x.EmptyLike();
        Backend.Unary(op, x, y, alpha, beta);
        return y;
    }

    /// <summary>An elementwise op whose backward is the backend's fused dy * f'(x) kernel.</summary>
    internal Tensor UnaryWithKernelBackward(UnaryOp op, double alpha = 0, double beta = 0)
    {
        if (op is UnaryOp.Relu or UnaryOp.Sigmoid or UnaryOp.Tanh) return UnaryWithOutputBackward(op);
        var x = Contiguous();
        var y = UnaryForward(op, alpha, beta);
        return Graph.Record(y, op.ToString().ToLowerInvariant(), [this], g =>
        {
            var gc = g.Contiguous();
            var dx = x.EmptyLike();
            x.Backend.UnaryBackward(op, x, y, gc, dx, alpha, beta);
            return [dx];
        }, x, y);
    }

    /// <summary>
    /// An elementwise op whose derivative is a function of its output (ReLU: 1 where y &gt; 0, which is where
    /// x &gt; 0; σ' = y(1 − y); tanh' = 1 − y²), so only y is saved and the input can be freed after the forward,
    /// as PyTorch's relu, sigmoid and tanh save their result. The backward kernels of these ops read x only for
    /// ReLU's sign test, so y is passed in its place. A method of its own: a lambda in the method above would share
    /// its closure object with that method's other lambda, which captures x.
    /// </summary>
    private Tensor UnaryWithOutputBackward(UnaryOp op)
    {
        var y = UnaryForward(op);
        return Graph.Record(y, op.ToString().ToLowerInvariant(), [this], g =>
        {
            var gc = g.Contiguous();
            var dx = y.EmptyLike();
            y.Backend.UnaryBackward(op, y, y, gc, dx);
            return [dx];
        }, y);
    }

    /// <summary>
    /// PyTorch's type promotion for the arithmetic ops: operands of different dtypes are converted (by differentiable
    /// casts, so each leaf's gradient comes back in its own dtype) to the result type (<see cref="DTypeExtensions.Promote"/>),
    /// except that of float32 and float64 a dimensioned tensor's dtype wins over a 0-d tensor's.
    /// </summary>
    internal static (Tensor A, Tensor B) Promote(Tensor a, Tensor b)
    {
        if (a.DType == b.DType) return (a, b);
        DType to = a.DType.IsFloating() && b.DType.IsFloating() && (a.Rank == 0) != (b.Rank == 0)
            ? (a.Rank == 0 ? b.DType : a.DType)
            : a.DType.Promote(b.DType);
        return (a.DType == to ? a : a.To(to), b.DType == to ? b : b.To(to));
    }

    /// <summary>
    /// Integer tensors (int32: labels, argmax results, counts) take PyTorch's arithmetic by going through float64,
    /// which holds every int32 exactly, so no kernel is written twice: +, −, ×, maximum, minimum, the comparisons (1
    /// or 0 as int32), neg, abs, sign, square, relu and the roundings stay int32; true division and the functions that leave the
    /// integers (exp, log, sqrt, pow, reciprocal, sigmoid, tanh, sin, cos, rsqrt, erf, tan to logit but frac, clamp, and adding or multiplying by a scalar, which
    /// here is always a float, as a Python float is) give float32, PyTorch's default dtype. A result outside int32
    /// saturates (PyTorch's int32 wraps around). The other activations still ask for a floating-point tensor.
    /// </summary>
    private static DType? IntegerUnary(UnaryOp op) => op switch
    {
        UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Sign or UnaryOp.Square or UnaryOp.Relu
            or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round or UnaryOp.Trunc => DType.Int32,
        UnaryOp.Exp or UnaryOp.Log or UnaryOp.Log1p or UnaryOp.Expm1 or UnaryOp.Sqrt or UnaryOp.Pow or UnaryOp.Reciprocal or UnaryOp.Sigmoid or UnaryOp.Tanh
            or UnaryOp.Clamp or UnaryOp.AddScalar or UnaryOp.MulScalar
            or UnaryOp.Sin or UnaryOp.Cos or UnaryOp.Rsqrt or UnaryOp.Erf
            or (>= UnaryOp.Tan and <= UnaryOp.Logit and not UnaryOp.Frac) => DType.Float32,
        _ => null,
    };

    /// <summary>Integer remainder, fmod and floor division by 0 are errors in PyTorch (ZeroDivisionError), not ±∞ or
    /// NaN as for floats.</summary>
    private static void CheckIntegerDivisor(BinaryOp op, Tensor b)
    {
        using var _ = NoGrad();
        var bf = b.To(DType.Float64);
        if (BinaryForward(BinaryOp.Equal, bf, bf.FullLikeScalar(0)).Sum().ToArray<double>()[0] > 0)
            throw new DivideByZeroException($"{op.ToString().ToLowerInvariant()}: ZeroDivisionError (an int32 divisor is 0)");
    }

    /// <summary>The binary ops whose result on two int32 tensors is float32, as PyTorch's.</summary>
    private static bool FloatResult(BinaryOp op) =>
        op is BinaryOp.Div or BinaryOp.Atan2 or BinaryOp.Hypot or BinaryOp.Xlogy or BinaryOp.Copysign or BinaryOp.LogAddExp;

    private static Tensor BinaryForward(BinaryOp op, Tensor a, Tensor b)
    {
        // Two int32 operands (promotion has made a mixed pair floating): through float64, see IntegerUnary.
        if (a.DType == DType.Int32 && b.DType == DType.Int32)
        {
            if (op is BinaryOp.Remainder or BinaryOp.Fmod or BinaryOp.FloorDivide) CheckIntegerDivisor(op, b);
            return BinaryForward(op, a.To(DType.Float64), b.To(DType.Float64)).To(FloatResult(op) ? DType.Float32 : DType.Int32);
        }
        var name = op.ToString().ToLowerInvariant();
        Ops.CheckPair(name, a, b);
        Ops.CheckFloating(name, a);
        var shape = Shapes.Broadcast(name, a._shape, b._shape);
        var y = Empty(shape, a.DType, a.Device);
        a.Backend.Binary(op, a.BroadcastTo(shape), b.BroadcastTo(shape), y);
        return y;
    }

    /// <summary>y = a + b. dy/da = 1, dy/db = 1.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        return Graph.Record(BinaryForward(BinaryOp.Add, a, b), "add", [a, b], g => [g, g]);
    }

    /// <summary>y = a - b. dy/da = 1, dy/db = -1.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        return Graph.Record(BinaryForward(BinaryOp.Sub, a, b), "sub", [a, b], g => [g, -g]);
    }

    /// <summary>y = a * b. dy/da = b, dy/db = a.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        return Graph.Record(BinaryForward(BinaryOp.Mul, a, b), "mul", [a, b], g => [g * b, g * a], a, b);
    }

    /// <summary>y = a / b. dy/da = 1/b, dy/db = -a/b² = -y/b.</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        var y = BinaryForward(BinaryOp.Div, a, b);
        return Graph.Record(y, "div", [a, b], g => [g / b, -(g * y) / b], b, y);
    }

    /// <summary>y = max(a, b). The gradient goes to the larger input; ties split it in half.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MaxMin(BinaryOp.Maximum, a, b);

    /// <summary>y = min(a, b). The gradient goes to the smaller input; ties split it in half.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MaxMin(BinaryOp.Minimum, a, b);

    private static Tensor MaxMin(BinaryOp op, Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        var y = BinaryForward(op, a, b);
        return Graph.Record(y, op == BinaryOp.Maximum ? "maximum" : "minimum", [a, b], g =>
        {
            var wins = op == BinaryOp.Maximum ? Compare(BinaryOp.Greater, a, b) : Compare(BinaryOp.Less, a, b);
            var ties = Compare(BinaryOp.Equal, a, b) * 0.5;
            var share = wins + ties;           // a's share of the gradient; b gets the rest
            return [g * share, g * (1.0 - share)];
        }, a, b);
    }

    /// <summary>1 where the comparison holds, else 0 (same dtype; no gradient).</summary>
    public static Tensor Compare(BinaryOp op, Tensor a, Tensor b)
    {
        using var _ = NoGrad();
        (a, b) = Promote(a, b);
        return BinaryForward(op, a, b);
    }

    public Tensor Gt(Tensor other) => Compare(BinaryOp.Greater, this, other);
    public Tensor Ge(Tensor other) => Compare(BinaryOp.GreaterEqual, this, other);
    public Tensor Lt(Tensor other) => Compare(BinaryOp.Less, this, other);
    public Tensor Le(Tensor other) => Compare(BinaryOp.GreaterEqual, other, this);
    public Tensor Eq(Tensor other) => Compare(BinaryOp.Equal, this, other);
    public Tensor Gt(double v) => Gt(FullLikeScalar(v));
    public Tensor Ge(double v) => Ge(FullLikeScalar(v));
    public Tensor Lt(double v) => Lt(FullLikeScalar(v));
    public Tensor Le(double v) => Le(FullLikeScalar(v));

    /// <summary>A 0-d tensor of value v in this tensor's dtype and device (it broadcasts against this one).</summary>
    internal Tensor FullLikeScalar(double v) => Full([], v, DType, Device);

    /// <summary>y = cond ? a : b (cond nonzero), broadcasting all three. Gradient flows to the chosen side.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        // int32 operands through float64 (see IntegerUnary); a condition of another dtype is read as nonzero.
        if (a.DType == DType.Int32) return Where(cond, a.To(DType.Float64), b.To(DType.Float64)).To(DType.Int32);
        if (cond.DType != a.DType) cond = NonZero(cond, a.DType);
        Ops.CheckPair("where", a, b);
        Ops.CheckSameDevice("where", cond, a);
        var shape = Shapes.Broadcast("where", Shapes.Broadcast("where", cond._shape, a._shape), b._shape);
        var y = Empty(shape, a.DType, a.Device);
        a.Backend.Where(cond.BroadcastTo(shape), a.BroadcastTo(shape), b.BroadcastTo(shape), y);
        return Graph.Record(y, "where", [a, b], g =>
        {
            var zero = g.ZerosLike();
            return [Where(cond, g, zero), Where(cond, zero, g)];
        }, cond);
    }

    /// <summary>A condition of another dtype in <paramref name="dtype"/>, nonzero where it is: int32 converts exactly; a
    /// float is compared with 0 first, so a value too small for the other dtype (or a NaN) stays nonzero.</summary>
    private static Tensor NonZero(Tensor cond, DType dtype) => cond.DType == DType.Int32
        ? cond.To(dtype)
        : Compare(BinaryOp.Equal, cond, cond.FullLikeScalar(0)).To(dtype).Neg().AddScalar(1);

    /// <summary>y = -x. dy/dx = -1.</summary>
    public Tensor Neg() => Graph.Record(UnaryForward(UnaryOp.Neg), "neg", [this], g => [-g]);

    /// <summary>y = x + c.</summary>
    public Tensor AddScalar(double c) => Graph.Record(UnaryForward(UnaryOp.AddScalar, c), "add_scalar", [this], g => [g]);

    /// <summary>y = c x. dy/dx = c.</summary>
    public Tensor MulScalar(double c) => Graph.Record(UnaryForward(UnaryOp.MulScalar, c), "mul_scalar", [this], g => [g.MulScalar(c)]);

    /// <summary>y = eˣ. dy/dx = y.</summary>
    public Tensor Exp()
    {
        var y = UnaryForward(UnaryOp.Exp);
        return Graph.Record(y, "exp", [this], g => [g * y], y);
    }

    /// <summary>y = ln x. dy/dx = 1/x.</summary>
    public Tensor Log() => Graph.Record(UnaryForward(UnaryOp.Log), "log", [this], g => [g / this], this);

    /// <summary>y = log(1 + x), accurate where x is small (torch.log1p). dy/dx = 1/(1 + x).</summary>
    public Tensor Log1p() => Graph.Record(UnaryForward(UnaryOp.Log1p), "log1p", [this], g => [g / AddScalar(1)], this);

    /// <summary>y = eˣ − 1, accurate where x is small (torch.expm1). dy/dx = eˣ = y + 1.</summary>
    public Tensor Expm1()
    {
        var y = UnaryForward(UnaryOp.Expm1);
        return Graph.Record(y, "expm1", [this], g => [g * y.AddScalar(1)], y);
    }

    /// <summary>y = √x. dy/dx = 1/(2y).</summary>
    public Tensor Sqrt()
    {
        var y = UnaryForward(UnaryOp.Sqrt);
        return Graph.Record(y, "sqrt", [this], g => [(g / y).MulScalar(0.5)], y);
    }

    /// <summary>y = |x|. dy/dx = sign(x) (0 at 0).</summary>
    public Tensor Abs() => Graph.Record(UnaryForward(UnaryOp.Abs), "abs", [this], g => [g * Sign()], this);

    /// <summary>y = sign(x) ∈ {-1, 0, 1}. Its derivative is 0 almost everywhere.</summary>
    public Tensor Sign() => Graph.Record(UnaryForward(UnaryOp.Sign), "sign", [this], g => [g.ZerosLike()]);

    /// <summary>y = x^p for a scalar exponent. dy/dx = p x^(p-1).</summary>
    public Tensor Pow(double p)
    {
        if (p == 1) return this;
        if (p == 2) return Square();
        return Graph.Record(UnaryForward(UnaryOp.Pow, p), "pow", [this], g => [g * Pow(p - 1).MulScalar(p)], this);
    }

    /// <summary>y = x². dy/dx = 2x.</summary>
    public Tensor Square() => Graph.Record(UnaryForward(UnaryOp.Square), "square", [this], g => [(g * this).MulScalar(2)], this);

    /// <summary>y = 1/x. dy/dx = -y².</summary>
    public Tensor Reciprocal()
    {
        var y = UnaryForward(UnaryOp.Reciprocal);
        return Graph.Record(y, "reciprocal", [this], g => [-(g * y.Square())], y);
    }

    /// <summary>y = min(max(x, lo), hi), as torch.clamp: with lo &gt; hi every element is hi. dy/dx = 1 on the closed
    /// interval lo ≤ x ≤ hi, else 0: PyTorch's subgradient 1 at the bounds (so clamp(relu(x), 0, 6) passes the gradient
    /// of an exact 0 on to relu), and 0 everywhere when lo &gt; hi.</summary>
    public Tensor Clamp(double lo, double hi)
    {
        var y = UnaryForward(UnaryOp.Clamp, lo, hi);
        return Graph.Record(y, "clamp", [this], g => [g * (Ge(lo) * Le(hi))], this);
    }

    // The activations that have a fused backward kernel (UnaryOp.Sigmoid/Tanh/Relu in the CPU backend) had no
    // public op; they are exposed here so every differentiable kernel can be reached and gradient-checked.

    /// <summary>σ(x) = 1/(1+e⁻ˣ). dσ/dx = σ(1-σ), computed by the fused backward kernel.</summary>
    public Tensor Sigmoid() => UnaryWithKernelBackward(UnaryOp.Sigmoid);

    /// <summary>tanh x. d tanh/dx = 1 - tanh², computed by the fused backward kernel.</summary>
    public Tensor Tanh() => UnaryWithKernelBackward(UnaryOp.Tanh);

    /// <summary>max(0, x). Derivative 1 for x &gt; 0, else 0 (0 at the kink, as PyTorch).</summary>
    public Tensor Relu() => UnaryWithKernelBackward(UnaryOp.Relu);

    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, double c) => a.AddScalar(c);
    public static Tensor operator +(double c, Tensor a) => a.AddScalar(c);
    public static Tensor operator -(Tensor a, double c) => a.AddScalar(-c);
    public static Tensor operator -(double c, Tensor a) => a.Neg().AddScalar(c);
    public static Tensor operator *(Tensor a, double c) => a.MulScalar(c);
    public static Tensor operator *(double c, Tensor a) => a.MulScalar(c);
    public static Tensor operator /(Tensor a, double c) => a.MulScalar(1.0 / c);
    public static Tensor operator /(double c, Tensor a) => a.Reciprocal().MulScalar(c);
}
