using System.Numerics;
using System.Runtime.Intrinsics;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

// torch's sin, cos, rsqrt, erf and the four roundings (UnaryOp.Sin .. Trunc), one struct each as in UnaryFunctors.cs.
// The vector roundings exist per float type only (Vector512.Floor(Vector512<float>) ...): the typeof test folds away.

/// <summary>Scalar only: the C library's sin reduces any argument exactly (|x| = 1e4 and beyond stay within an ulp),
/// which a short vector polynomial would not.</summary>
public readonly struct SinK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Sin(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

/// <summary>Scalar only, as <see cref="SinK{T}"/>.</summary>
public readonly struct CosK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => false;
    public T Apply(T x) => T.Cos(x);
    public Vector512<T> Apply(Vector512<T> x) => throw new NotSupportedException();
}

/// <summary>1/√x from the correctly rounded square root (two roundings), not the hardware's 12-bit estimate.</summary>
public readonly struct RsqrtK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.One / T.Sqrt(x);
    public Vector512<T> Apply(Vector512<T> x) => Vector512<T>.One / Vector512.Sqrt(x);
}

/// <summary>erf: float64 from <see cref="SpecialFunctions.Erf"/> (~1e-15); float32 from GELU's SIMD
/// <see cref="VMath.ErfFloat"/> (≤ 2.5 ulp), the scalar tail from the float variant of the double series.</summary>
public readonly struct ErfK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool Single => typeof(T) == typeof(float);
    public bool HasVector => Single;
    public T Apply(T x) => T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x), Single));
    public Vector512<T> Apply(Vector512<T> x) => Single
        ? VMath.ErfFloat(x.AsSingle()).As<float, T>()
        : throw new NotSupportedException("ErfK: the SIMD form is float32 only");
}

public readonly struct FloorK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Floor(x);
    public Vector512<T> Apply(Vector512<T> x) => typeof(T) == typeof(float)
        ? Vector512.Floor(x.AsSingle()).As<float, T>() : Vector512.Floor(x.AsDouble()).As<double, T>();
}

public readonly struct CeilK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Ceiling(x);
    public Vector512<T> Apply(Vector512<T> x) => typeof(T) == typeof(float)
        ? Vector512.Ceiling(x.AsSingle()).As<float, T>() : Vector512.Ceiling(x.AsDouble()).As<double, T>();
}

/// <summary>Halves to even, as torch.round (T.Round's default mode, and the vector round-to-nearest).</summary>
public readonly struct RoundK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Round(x);
    public Vector512<T> Apply(Vector512<T> x) => typeof(T) == typeof(float)
        ? Vector512.Round(x.AsSingle()).As<float, T>() : Vector512.Round(x.AsDouble()).As<double, T>();
}

public readonly struct TruncK<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool HasVector => true;
    public T Apply(T x) => T.Truncate(x);
    public Vector512<T> Apply(Vector512<T> x) => typeof(T) == typeof(float)
        ? Vector512.Truncate(x.AsSingle()).As<float, T>() : Vector512.Truncate(x.AsDouble()).As<double, T>();
}
