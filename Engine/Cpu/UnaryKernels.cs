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

/// <summary>Loops that apply kernels over contiguous spans, split across cores in fixed ranges (see
/// <see cref="VectorLoop"/> for the SIMD loop and its streaming stores).</summary>
public static unsafe class Pointwise
{
    private const int Grain = 1 << 16;

    public static void Map<T, TK>(ReadOnlySpan<T> x, Span<T> y, TK k) where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryKernel<T>
    {
        bool stream = k.HasVector && VectorLoop.ShouldStream<T>(y.Length);
        fixed (T* px = x, py = y)
        {
            T* ax = px, ay = py;
            CpuParallel.ForRange(x.Length, Grain, (s, e) =>
            {
                if (k.HasVector) VectorLoop.Run(ay + s, (nint)(e - s), new MapBody<T, TK>(ax + s, k), stream);
                else for (long i = s; i < e; i++) ay[i] = k.Apply(ax[i]);
            });
        }
    }

    public static void MapBackward<T, TK>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, TK k)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryBackwardKernel<T>
    {
        bool stream = k.HasVector && VectorLoop.ShouldStream<T>(dx.Length);
        fixed (T* px = x, py = y, pdy = dy, pdx = dx)
        {
            T* ax = px, ay = py, ady = pdy, adx = pdx;
            CpuParallel.ForRange(x.Length, Grain, (s, e) =>
            {
                if (k.HasVector) VectorLoop.Run(adx + s, (nint)(e - s), new BackwardBody<T, TK>(ax + s, ay + s, ady + s, k), stream);
                else for (long i = s; i < e; i++) adx[i] = k.Apply(ax[i], ay[i], ady[i]);
            });
        }
    }

    private readonly struct MapBody<T, TK>(T* x, TK k) : IVectorBody<T> where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryKernel<T>
    {
        public Vector512<T> Vector(nint i) => k.Apply(Vector512.Load(x + i));
        public T Scalar(nint i) => k.Apply(x[i]);
    }

    private readonly struct BackwardBody<T, TK>(T* x, T* y, T* dy, TK k) : IVectorBody<T>
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryBackwardKernel<T>
    {
        public Vector512<T> Vector(nint i) => k.Apply(Vector512.Load(x + i), Vector512.Load(y + i), Vector512.Load(dy + i));
        public T Scalar(nint i) => k.Apply(x[i], y[i], dy[i]);
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

    /// <summary>tanh(x) = 1 - 2 / (e^(2x) + 1): exact at ±∞ (e^(2x) overflows to ∞ or underflows to 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Tanh<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var two = Vector512.Create(T.One + T.One);
        return Vector512<T>.One - two / (Exp(x * two) + Vector512<T>.One);
    }
}
