using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>
/// A width for kernels written once: a vector of <see cref="Count"/> elements of T with the loads, stores and the
/// arithmetic the kernels use. A kernel generic over <typeparamref name="TSelf"/> runs its vector body with
/// <see cref="Lanes128{T}"/> and its tail with <see cref="Lane1{T}"/>, the same expressions in the same order, so the
/// tail and the body give the same bits (.NET 10 keeps its own ISimdVector internal). The JIT specializes each
/// struct instantiation and inlines the operators: the body compiles to plain vector instructions.
/// </summary>
internal unsafe interface ILanes<TSelf, T> where TSelf : struct, ILanes<TSelf, T> where T : unmanaged
{
    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    static abstract TSelf Load(T* source);

    static abstract TSelf Splat(T value);

    void Store(T* destination);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>IEEE negation (the sign flipped, also of zeros and NaN), as the scalar minus.</summary>
    static abstract TSelf operator -(TSelf a);
}

/// <summary>One element: the scalar tail of a kernel written for <see cref="ILanes{TSelf, T}"/>.</summary>
internal readonly unsafe struct Lane1<T>(T value) : ILanes<Lane1<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v = value;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Load(T* source) => new(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Splat(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* destination) => *destination = _v;

    public static Lane1<T> operator +(Lane1<T> a, Lane1<T> b) => new(a._v + b._v);

    public static Lane1<T> operator -(Lane1<T> a, Lane1<T> b) => new(a._v - b._v);

    public static Lane1<T> operator -(Lane1<T> a) => new(-a._v);
}

/// <summary>A 128-bit vector: 4 floats or 2 doubles (the narrowest width that pays on every x64 machine).</summary>
internal readonly unsafe struct Lanes128<T>(Vector128<T> value) : ILanes<Lanes128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v = value;

    public static int Count => Vector128<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Load(T* source) => new(Vector128.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Splat(T value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* destination) => _v.Store(destination);

    public static Lanes128<T> operator +(Lanes128<T> a, Lanes128<T> b) => new(a._v + b._v);

    public static Lanes128<T> operator -(Lanes128<T> a, Lanes128<T> b) => new(a._v - b._v);

    public static Lanes128<T> operator -(Lanes128<T> a) => new(-a._v);
}

/// <summary>A 512-bit vector: 16 floats or 8 doubles (in hardware with AVX-512, else as two 256-bit halves).</summary>
internal readonly unsafe struct Lanes512<T>(Vector512<T> value) : ILanes<Lanes512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = value;

    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Load(T* source) => new(Vector512.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Splat(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* destination) => _v.Store(destination);

    public static Lanes512<T> operator +(Lanes512<T> a, Lanes512<T> b) => new(a._v + b._v);

    public static Lanes512<T> operator -(Lanes512<T> a, Lanes512<T> b) => new(a._v - b._v);

    public static Lanes512<T> operator -(Lanes512<T> a) => new(-a._v);
}
