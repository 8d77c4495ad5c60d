using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>The small vector loops the layer kernels (convolution, pooling, batch norm) are built from:
/// 512-bit SIMD over contiguous spans with a scalar tail. Sums accumulate in T in vector lanes; callers keep the
/// spans short (one image row or plane) and add partial sums in double where precision matters.</summary>
internal static class LayerSimd
{
    /// <summary>y += a · x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var va = Vector512.Create(a);
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                VMath.Fma(va, Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>y += x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                (Vector512.LoadUnsafe(ref rx, (nuint)i) + Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) y[i] += x[i];
    }

    /// <summary>y = x · scale + shift.</summary>
    public static void ScaleShift<T>(ReadOnlySpan<T> x, Span<T> y, T scale, T shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var vs = Vector512.Create(scale);
            var vb = Vector512.Create(shift);
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                VMath.Fma(Vector512.LoadUnsafe(ref rx, (nuint)i), vs, vb).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) y[i] = x[i] * scale + shift;
    }

    /// <summary>Σ x.</summary>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        T s = T.Zero;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var acc = Vector512<T>.Zero;
            ref T rx = ref MemoryMarshal.GetReference(x);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count) acc += Vector512.LoadUnsafe(ref rx, (nuint)i);
            s = Vector512.Sum(acc);
        }
        for (; i < n; i++) s += x[i];
        return s;
    }

    /// <summary>Σ a·b.</summary>
    public static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = a.Length;
        T s = T.Zero;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var acc = Vector512<T>.Zero;
            ref T ra = ref MemoryMarshal.GetReference(a);
            ref T rb = ref MemoryMarshal.GetReference(b);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                acc = VMath.Fma(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i), acc);
            s = Vector512.Sum(acc);
        }
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Σ (x − c)², the centred sum of squares of batch-norm variances.</summary>
    public static T SumSquaredDeviation<T>(ReadOnlySpan<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        T s = T.Zero;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var acc = Vector512<T>.Zero;
            var vc = Vector512.Create(c);
            ref T rx = ref MemoryMarshal.GetReference(x);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var d = Vector512.LoadUnsafe(ref rx, (nuint)i) - vc;
                acc = VMath.Fma(d, d, acc);
            }
            s = Vector512.Sum(acc);
        }
        for (; i < n; i++) { var d = x[i] - c; s += d * d; }
        return s;
    }

    /// <summary>(Σ a, Σ a·(b − c)) in one pass, the batch-norm backward's two sums: each accumulator as
    /// <see cref="Sum{T}"/> would run it, so Σ a has Sum's bits.</summary>
    public static (T Sum, T Dot) SumAndDotCentered<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = a.Length;
        T s = T.Zero, d = T.Zero;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var sum = Vector512<T>.Zero;
            var dot = Vector512<T>.Zero;
            var vc = Vector512.Create(c);
            ref T ra = ref MemoryMarshal.GetReference(a);
            ref T rb = ref MemoryMarshal.GetReference(b);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var va = Vector512.LoadUnsafe(ref ra, (nuint)i);
                sum += va;
                dot = VMath.Fma(va, Vector512.LoadUnsafe(ref rb, (nuint)i) - vc, dot);
            }
            s = Vector512.Sum(sum);
            d = Vector512.Sum(dot);
        }
        for (; i < n; i++) { s += a[i]; d += a[i] * (b[i] - c); }
        return (s, d);
    }

    /// <summary>z = α·x + β·y + γ.</summary>
    public static void Affine2<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> z, T alpha, T beta, T gamma) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (CpuIsa.Vectors && n >= Vector512<T>.Count)
        {
            var va = Vector512.Create(alpha);
            var vb = Vector512.Create(beta);
            var vg = Vector512.Create(gamma);
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            ref T rz = ref MemoryMarshal.GetReference(z);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                VMath.Fma(va, Vector512.LoadUnsafe(ref rx, (nuint)i), VMath.Fma(vb, Vector512.LoadUnsafe(ref ry, (nuint)i), vg)).StoreUnsafe(ref rz, (nuint)i);
        }
        for (; i < n; i++) z[i] = alpha * x[i] + beta * y[i] + gamma;
    }

    /// <summary>The range [lo, hi) of output positions o in [0, outSize) whose input position o·stride + offset
    /// lies in [0, inSize): the part of a kernel tap's row that reads the image rather than the zero padding.
    /// A tap that reads only padding (its first position is past the image, or its last one before it: padding
    /// wider than the rest of the kernel's reach) gets the empty range (0, 0). Callers must skip an empty range
    /// rather than slice at lo·stride + offset, which then lies outside the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Lo, int Hi) ValidRange(int offset, int stride, int inSize, int outSize)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = inSize - 1 - offset;
        int hi = last < 0 ? 0 : Math.Min(outSize, last / stride + 1);
        return lo < hi ? (lo, hi) : (0, 0);
    }
}
