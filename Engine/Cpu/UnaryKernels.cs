using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>A pointwise function, with a 512-bit SIMD form where one exists. Implemented by small structs so the
/// JIT specialises and inlines each loop: no delegate call per element.</summary>
public interface IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    bool HasVector { get; }
    T Apply(T x);
    Vector512<T> Apply(Vector512<T> x);
}

/// <summary>A pointwise backward: dx = dy · f'(x), with y = f(x) at hand where that is cheaper.</summary>
public interface IUnaryBackwardKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    bool HasVector { get; }
    T Apply(T x, T y, T dy);
    Vector512<T> Apply(Vector512<T> x, Vector512<T> y, Vector512<T> dy);
}

/// <summary>Loops that apply kernels over contiguous spans, split across cores.</summary>
public static class Pointwise
{
    private const int Grain = 1 << 16;

    public static void Map<T, TK>(ReadOnlySpan<T> x, Span<T> y, TK k) where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryKernel<T>
    {
        unsafe
        {
            fixed (T* px = x, py = y)
            {
                T* ax = px, ay = py;
                CpuParallel.ForRange(x.Length, Grain, (s, e) => MapRange(new ReadOnlySpan<T>(ax + s, (int)(e - s)), new Span<T>(ay + s, (int)(e - s)), k));
            }
        }
    }

    private static void MapRange<T, TK>(ReadOnlySpan<T> x, Span<T> y, TK k) where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryKernel<T>
    {
        int i = 0;
        if (k.HasVector && Vector512.IsHardwareAccelerated)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            for (; i <= x.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                k.Apply(Vector512.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < x.Length; i++) y[i] = k.Apply(x[i]);
    }

    public static void MapBackward<T, TK>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, TK k)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryBackwardKernel<T>
    {
        unsafe
        {
            fixed (T* px = x, py = y, pdy = dy, pdx = dx)
            {
                T* ax = px, ay = py, ady = pdy, adx = pdx;
                CpuParallel.ForRange(x.Length, Grain, (s, e) =>
                {
                    int n = (int)(e - s);
                    BackwardRange(new ReadOnlySpan<T>(ax + s, n), new ReadOnlySpan<T>(ay + s, n), new ReadOnlySpan<T>(ady + s, n), new Span<T>(adx + s, n), k);
                });
            }
        }
    }

    private static void BackwardRange<T, TK>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, TK k)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryBackwardKernel<T>
    {
        int i = 0;
        if (k.HasVector && Vector512.IsHardwareAccelerated)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            ref T rdy = ref MemoryMarshal.GetReference(dy);
            ref T rdx = ref MemoryMarshal.GetReference(dx);
            for (; i <= x.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                k.Apply(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i), Vector512.LoadUnsafe(ref rdy, (nuint)i))
                    .StoreUnsafe(ref rdx, (nuint)i);
        }
        for (; i < x.Length; i++) dx[i] = k.Apply(x[i], y[i], dy[i]);
    }
}

/// <summary>SIMD transcendental functions for generic T (float or double), on .NET's vectorised Exp/Log.</summary>
public static class VMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> v) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector512.Exp(v.AsSingle()).As<float, T>() : Vector512.Exp(v.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> v) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector512.Log(v.AsSingle()).As<float, T>() : Vector512.Log(v.AsDouble()).As<double, T>();

    /// <summary>a·b + c in one rounding (vfmadd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>σ(x) = 1 / (1 + e^(-x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sigmoid<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512<T>.One / (Vector512<T>.One + Exp(-x));

    /// <summary>
    /// tanh(x) = 1 - 2 / (e^(2x) + 1) for |x| ≥ 0.625: exact at ±∞ (e^(2x) overflows to ∞ or underflows to 0).
    /// For smaller |x| that form cancels (float32 gave tanh(1e-7) = 0 or 2.4e-7), so there tanh(x) = x + x·s·P(s)/Q(s)
    /// with s = x², Cephes' rational approximation (tanh.c), accurate to an ulp or two in double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Tanh<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        static Vector512<T> C(double v) => Vector512.Create(T.CreateTruncating(v));
        var two = Vector512.Create(T.One + T.One);
        var large = Vector512<T>.One - two / (Exp(x * two) + Vector512<T>.One);
        var s = x * x;
        var p = (C(-9.64399179425052238628E-1) * s + C(-9.92877231001918586564E1)) * s + C(-1.61468768441708447952E3);
        var q = ((s + C(1.12811678491632931402E2)) * s + C(2.23548839060100448583E3)) * s + C(4.84406305325125486048E3);
        var small = x + x * s * p / q;
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), C(0.625)), small, large);
    }
}
