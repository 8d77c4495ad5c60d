using System.Numerics;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

// One struct per pointwise function: the scalar form is the definition, the vector form its SIMD twin.
// Parameters (alpha, beta) travel as fields.

public readonly struct NegK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => -x;
    public Vector512<T> Apply(Vector512<T> x) => -x;
}

public readonly struct ExpK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Exp(x);
    public Vector512<T> Apply(Vector512<T> x) => VMath.Exp(x);
}

public readonly struct LogK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Log(x);
    public Vector512<T> Apply(Vector512<T> x) => VMath.Log(x);
}

public readonly struct Log1pK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => ActMath.Log1p(x);
    public Vector512<T> Apply(Vector512<T> x) => ActMath.Log1p(x);
}

/// <summary>Scalar only: expm1 is not on a network's hot path.</summary>
public readonly struct Expm1K<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => ActMath.Expm1(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct SqrtK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Sqrt(x);
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Sqrt(x);
}

public readonly struct AbsK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Abs(x);
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Abs(x);
}

/// <summary>sign(x) ∈ {-1, 0, 1}; NaN stays NaN.</summary>
public readonly struct SignK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.IsNaN(x) ? x : x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct PowK<T>(T p) : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Pow(x, p);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct ClampK<T>(T lo, T hi) : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Min(T.Max(x, lo), hi);
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(lo)), Vector512.Create(hi));
}

public readonly struct SquareK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x * x;
    public Vector512<T> Apply(Vector512<T> x) => x * x;
}

public readonly struct ReciprocalK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.One / x;
    public Vector512<T> Apply(Vector512<T> x) => Vector512<T>.One / x;
}

public readonly struct AddScalarK<T>(T c) : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x + c;
    public Vector512<T> Apply(Vector512<T> x) => x + Vector512.Create(c);
}

public readonly struct MulScalarK<T>(T c) : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x * c;
    public Vector512<T> Apply(Vector512<T> x) => x * Vector512.Create(c);
}

/// <summary>σ(x) = 1/(1+e⁻ˣ); σ' = σ(1-σ).</summary>
public readonly struct SigmoidK<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.One / (T.One + T.Exp(-x));
    public Vector512<T> Apply(Vector512<T> x) => VMath.Sigmoid(x);
    public T Apply(T x, T y, T dy) => dy * y * (T.One - y);
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy * y * (Vector512<T>.One - y);
}

/// <summary>tanh; tanh' = 1 - tanh².</summary>
public readonly struct TanhK<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Tanh(x);
    public Vector512<T> Apply(Vector512<T> x) => VMath.Tanh(x);
    public T Apply(T x, T y, T dy) => dy * (T.One - y * y);
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy * (Vector512<T>.One - y * y);
}

/// <summary>relu(x) = max(0, x), NaN staying NaN (as PyTorch, and as Vector512.Max); relu'(x) = 1 for x > 0, else 0
/// (0 at the kink, as PyTorch).</summary>
public readonly struct ReluK<T> : IUnaryKernel<T>, IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x > T.Zero || T.IsNaN(x) ? x : T.Zero;
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Max(x, Vector512<T>.Zero);
    public T Apply(T x, T y, T dy) => x > T.Zero ? dy : T.Zero;
    public Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, Vector512<T>.Zero);
}
