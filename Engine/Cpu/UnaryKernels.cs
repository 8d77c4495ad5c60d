using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
public static partial class VMath
{
    /// <summary>e^x: <see cref="ExpFloat"/> for float (about twice as fast as .NET's, and as accurate), .NET's
    /// Vector512.Exp for double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> v) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpFloat(v.AsSingle()).As<float, T>() : Vector512.Exp(v.AsDouble()).As<double, T>();

    /// <summary>
    /// e^x in float, within 1.3 ulp of the exact value over the whole range (subnormal results included), exact at
    /// 0, ±∞ and NaN. Cody–Waite reduction x = n ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two so n ln 2 is
    /// exact), e^r = 1 + r + r² P(r) with Cephes' degree-5 minimax P, then the scale 2^n applied so that results down
    /// to 2^-149 underflow gradually (<see cref="ExpFloatScale"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpFloat(Vector512<float> x)
    {
        // The intrinsics' flags, not CpuIsa: behind one more property the JIT inlined less of SiLU's kernel on an AVX2
        // host and its forward took 3.6–4.2 ms at 1M instead of 1.2 (bench/results/2026-12-07-silu-dispatch-avx2.md).
        if (!Vector512.IsHardwareAccelerated && Avx2.IsSupported) return Vector512.Create(ExpFloat(x.GetLower()), ExpFloat(x.GetUpper()));
        // Below -104 the result rounds to 0, above 89 to ∞; clamping keeps n and the scale factors in range. Max and
        // Min (not their Native forms) pass NaN on, and against a constant the JIT still emits one vmaxps/vminps.
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(-104f)), Vector512.Create(89f));
        // n = round(x log2 e): adding 1.5·2^23 rounds to an integer held in the low mantissa bits.
        var magic = Vector512.Create(12582912f);
        var t = Vector512.FusedMultiplyAdd(xc, Vector512.Create(1.44269504088896341f), magic);
        var n = t - magic;
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), xc);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        return ExpFloatScale(t, n, r, x);
    }

    /// <summary>
    /// <see cref="ExpFloat(Vector512{float})"/> at 256 bits, for AVX2 machines, where the software Vector512 keeps the
    /// polynomial's values in memory (SiLU's forward ran at 8x libtorch's time there, 1.1–1.3x after this): e^(x + 0)
    /// of <see cref="ExpFloat(Vector256{float}, Vector256{float})"/>, which takes the same steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpFloat(Vector256<float> x) => ExpFloat(x, Vector256<float>.Zero);

    /// <summary>
    /// <see cref="ExpFloat(Vector512{float}, Vector512{float})"/> at 256 bits: the same steps on the same constants,
    /// with the scale through exponent bits, so the same bits as the 512-bit forms with or without vscalefps. With
    /// lo = 0 it is the one-argument exponential bit for bit (xc + 0 and r + 0 change no bits that reach the result).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpFloat(Vector256<float> hi, Vector256<float> lo)
    {
        var xc = Vector256.Min(Vector256.Max(hi, Vector256.Create(-104f)), Vector256.Create(89f));
        lo = Vector256.ConditionalSelect(Vector256.Equals(xc, hi), lo, Vector256<float>.Zero);
        var magic = Vector256.Create(12582912f);
        var t = Vector256.FusedMultiplyAdd(xc + lo, Vector256.Create(1.44269504088896341f), magic);
        var n = t - magic;
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r) + lo;
        var p = Vector256.Create(1.9875691500E-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var ni = t.AsInt32() - magic.AsInt32();
        var half = ni >> 1;
        var scale1 = ((half + Vector256.Create(127)) << 23).AsSingle();
        var scale2 = ((ni - half + Vector256.Create(127)) << 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.Equals(hi, hi), p * scale1 * scale2, hi);
    }

    /// <summary>
    /// e^(hi + lo) in float for an argument held as a large part hi and a small part lo (|lo| ≲ 2), as accurate as
    /// <see cref="ExpFloat"/> of the exact sum: n is rounded from hi + lo, but lo joins the reduced argument
    /// r = hi − n ln 2 + lo only after the exact Cody–Waite step, so its digits are not lost to rounding hi + lo
    /// first. Used by erf, where the argument −x² + c is formed exactly (−x² as an FMA float pair): rounding it to
    /// one float would cost up to x²·2⁻²⁴ of relative error (6e-6 at x = 10). Lanes where hi is clamped (the result
    /// is 0 or ∞ anyway) drop lo. NaN in hi gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpFloat(Vector512<float> hi, Vector512<float> lo)
    {
        if (!Vector512.IsHardwareAccelerated && Avx2.IsSupported)
            return Vector512.Create(ExpFloat(hi.GetLower(), lo.GetLower()), ExpFloat(hi.GetUpper(), lo.GetUpper()));
        var xc = Vector512.Min(Vector512.Max(hi, Vector512.Create(-104f)), Vector512.Create(89f));
        lo = Vector512.ConditionalSelect(Vector512.Equals(xc, hi), lo, Vector512<float>.Zero);
        var magic = Vector512.Create(12582912f);
        var t = Vector512.FusedMultiplyAdd(xc + lo, Vector512.Create(1.44269504088896341f), magic);
        var n = t - magic;
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), xc);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r) + lo;
        return ExpFloatScale(t, n, r, hi);
    }

    /// <summary>The second half of <see cref="ExpFloat"/>: e^r·2^n for |r| ≤ ln 2 / 2 (a little more is fine), with n
    /// a float integer in [−150, 128] that is also held in the low mantissa bits of t = n + 1.5·2^23; lanes where x is
    /// NaN give NaN. With AVX-512 one vscalefps applies 2^n, rounding once (subnormal results too) and passing NaN on
    /// from n: it replaced nine integer and multiply instructions and a NaN select, a third of the exponential's
    /// cost (GELU's forward and backward, issue 18). Without it the scale is two factors 2^(n/2) 2^(n − n/2) built
    /// from exponent bits, so that results down to 2^-149 underflow gradually.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpFloatScale(Vector512<float> t, Vector512<float> n, Vector512<float> r, Vector512<float> x)
    {
        var p = Vector512.Create(1.9875691500E-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894E-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459E-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201E-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        // n is NaN where x is (the clamps pass NaN on), and vscalefps passes it on.
        return Avx512F.IsSupported ? Avx512F.Scale(p, n) : ScaleByExponentBits(p, t, x);
    }

    /// <summary>p·2^n without vscalefps, for n in [−150, 128] held in the low mantissa bits of t = n + 1.5·2^23: two
    /// factors 2^(n/2) and 2^(n − n/2) built from exponent bits. Each is a normal float and p·2^(n/2) is exact, so the
    /// one rounding is the second product's: the same bits as vscalefps (Tests/Engine/GemmPointwiseTests.cs). NaN
    /// where x is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ScaleByExponentBits(Vector512<float> p, Vector512<float> t, Vector512<float> x)
    {
        var ni = t.AsInt32() - Vector512.Create(12582912f).AsInt32();
        var half = ni >> 1;
        var scale1 = ((half + Vector512.Create(127)) << 23).AsSingle();
        var scale2 = ((ni - half + Vector512.Create(127)) << 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), p * scale1 * scale2, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> v) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector512.Log(v.AsSingle()).As<float, T>() : Vector512.Log(v.AsDouble()).As<double, T>();

    /// <summary>a·b + c in one rounding (vfmadd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>a·b + c rounded once, 256-bit (the AVX2 register kernels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

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
