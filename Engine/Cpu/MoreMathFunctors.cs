using System.Numerics;
using System.Runtime.Intrinsics;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

// torch's tan .. logit (UnaryOp.Tan .. Logit), one struct each as in MathFunctors.cs. Scalar only, as sin and cos:
// the C library's functions are correctly reduced and within an ulp, which short vector polynomials would not be.
// The special functions .NET lacks (erfc, erfinv, lgamma, digamma, trigamma) run in double and round once, so
// float32 is within half an ulp of the double function plus its own error.

/// <summary>Wraps a function of double as a kernel of either float dtype (float32 rounds the double result).</summary>
internal static class ViaDouble
{
    public static T Map<T>(T x, Func<double, double> f) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateTruncating(f(double.CreateTruncating(x)));
}

public readonly struct TanK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Tan(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct AsinK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Asin(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct AcosK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Acos(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct AtanK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Atan(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct SinhK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Sinh(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct CoshK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Cosh(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct AsinhK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Asinh(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct AcoshK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Acosh(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct AtanhK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Atanh(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct Log2K<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Log2(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct Log10K<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Log10(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct Exp2K<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Exp2(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct ErfcK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => ViaDouble.Map(x, v => SpecialFunctions.Erfc(v));
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct ErfinvK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => ViaDouble.Map(x, v => SpecialFunctions.Erfinv(v));
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct LgammaK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => ViaDouble.Map(x, SpecialFunctions.Lgamma);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct DigammaK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => ViaDouble.Map(x, SpecialFunctions.Digamma);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

public readonly struct TrigammaK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => ViaDouble.Map(x, SpecialFunctions.Trigamma);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

/// <summary>x − trunc(x), the sign of x; NaN at ±∞ (∞ − ∞), as torch.frac.</summary>
public readonly struct FracK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => x - T.Truncate(x);
    public Vector512<T> Apply(Vector512<T> x) => x - (typeof(T) == typeof(float)
        ? Vector512.Truncate(x.AsSingle()).As<float, T>() : Vector512.Truncate(x.AsDouble()).As<double, T>());
}

/// <summary>sin(πx)/(πx), 1 at 0 (torch.sinc); the product πx rounded in T, as PyTorch's kernel.</summary>
public readonly struct SincK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x)
    {
        if (x == T.Zero) return T.One;
        T p = T.Pi * x;
        return T.Sin(p) / p;
    }
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

/// <summary>ln(x/(1 − x)) of x clamped to [eps, 1 − eps] (no clamp for eps &lt; 0, torch's None).</summary>
public readonly struct LogitK<T>(T eps) : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x)
    {
        if (eps >= T.Zero) x = x < eps ? eps : x > T.One - eps ? T.One - eps : x;
        return T.Log(x / (T.One - x));
    }
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}
