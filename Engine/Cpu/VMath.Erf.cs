using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

// The error function and the normal CDF in float32 SIMD, for GELU. The float64 GELU keeps the scalar
// SpecialFunctions.Erf (accurate to 1e-15, which float64 gradient checks need).
public static partial class VMath
{
    /// <summary>
    /// erf(x) in float, 16 lanes. Two pieces:
    /// <list type="bullet">
    /// <item>|x| &lt; 1: erf(x) = x·T(x²), Cephes' degree-6 minimax polynomial (erff.c), relative error ~1e-7; odd,
    ///   so ±0 and subnormal x keep their sign.</item>
    /// <item>|x| ≥ 1: erf(x) = ±(1 − erfc(|x|)) with erfc from <see cref="ErfcTail"/>.</item>
    /// </list>
    /// Measured against the double <see cref="Pade.Engine.Functional.SpecialFunctions.Erf"/> over a dense grid on
    /// [−12, 12], every binade, random floats, ±0, subnormals, ±∞ and NaN: |error| ≤ 1.3e-7 (1.29e-7 at x = −0.468),
    /// within 2.5 ulp of the result (Tests/Activations/ErfFloatTests.cs). erf(±∞) = ±1, erf(NaN) = NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ErfFloat(Vector512<float> x)
    {
        var a = Vector512.Abs(x);
        var hi = a * a;
        var lo = Vector512.FusedMultiplyAdd(a, a, -hi);               // a² = hi + lo exactly
        var small = x * ErfPoly(hi);
        var large = Vector512<float>.One - ErfcTail(a, hi, lo);       // in [0, 1]: the sign is x's
        large = (large.AsUInt32() | (x.AsUInt32() & Vector512.Create(0x80000000u))).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512<float>.One), small, large);
    }

    /// <summary>
    /// Φ(x) = ½ erfc(−x/√2), the standard normal CDF, in float. Near 0 (−0.5 &lt; x/√2 &lt; 1) it is ½ + ½ erf(x/√2) with the
    /// polynomial of <see cref="ErfFloat"/>; elsewhere ½ erfc(|x|/√2) from <see cref="ErfcTail"/> directly (for x &lt; 0)
    /// or 1 minus it, so the left tail keeps its relative accuracy (Φ(−10) = 7.6e-24, not 0 from 1 − 1): measured
    /// relative error ≤ 4.2e-7 wherever Φ is a normal float (the worst near x = −1.5, where the erfc
    /// polynomial's float rounding is largest), absolute ≤ 1e-7 (Tests/Activations/ErfFloatTests.cs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> NormalCdfFloat(Vector512<float> x)
    {
        HalfSquare(x, out var hi, out var lo);
        return NormalCdfFloat(x, hi, lo);
    }

    /// <summary>x²/2 as an exact float pair hi + lo (an FMA gives the rounding error of x·x; halving is exact unless
    /// x² is subnormal, where e^(−x²/2) = 1 anyway). Overflowing x² gives hi = ∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void HalfSquare(Vector512<float> x, out Vector512<float> hi, out Vector512<float> lo)
    {
        var sq = x * x;
        var half = Vector512.Create(0.5f);
        lo = Vector512.FusedMultiplyAdd(x, x, -sq) * half;
        hi = sq * half;
    }

    /// <summary><see cref="NormalCdfFloat(Vector512{float})"/> given x²/2 = hi + lo from <see cref="HalfSquare"/>
    /// (or from the caller, who may reuse them, e.g. for φ(x) = e^(−x²/2)/√(2π)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> NormalCdfFloat(Vector512<float> x, Vector512<float> hi, Vector512<float> lo)
    {
        var half = Vector512.Create(0.5f);
        var z = x * Vector512.Create(0.707106781186547524f);          // x/√2
        var a = Vector512.Abs(z);
        var small = Vector512.FusedMultiplyAdd(z * ErfPoly(z * z), half, half);
        var c = half * ErfcTail(a, hi, lo);                             // ½ erfc(|x|/√2), with (x/√2)² = hi + lo
        var large = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), Vector512<float>.One - c, c);
        // The polynomial for −0.5 < x/√2 < 1 only: below, ½ + ½ erf(x/√2) cancels (Φ(−1.4) = 0.08 came out 9e-7 off).
        var useSmall = Vector512.LessThan(a, Vector512<float>.One) & Vector512.GreaterThan(z, Vector512.Create(-0.5f));
        return Vector512.ConditionalSelect(useSmall, small, large);
    }

    /// <summary>
    /// Φ(x) from the erfc formula alone, for GELU's forward: ½ erfc(|x|/√2) (<see cref="ErfcTail"/>) for x ≤ 0 and
    /// 1 minus it above, given x²/2 = hi + lo. Without <see cref="NormalCdfFloat(Vector512{float}, Vector512{float},
    /// Vector512{float})"/>'s polynomial near 0 it costs about two thirds as much; near 0 its absolute error grows to
    /// 2.1e-7 (relative 4.3e-7), which x·Φ(x) scales down by |x|: GELU stays within 1.0e-7 of float64
    /// (Tests/Activations/ErfFloatTests.cs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> NormalCdfFloatTail(Vector512<float> x, Vector512<float> hi, Vector512<float> lo)
    {
        var a = Vector512.Abs(x) * Vector512.Create(0.707106781186547524f);   // |x|/√2
        var c = Vector512.Create(0.5f) * ErfcTail(a, hi, lo);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), Vector512<float>.One - c, c);
    }

    /// <summary>erf(x)/x = T(x²) for |x| &lt; 1: Cephes' erff.c coefficients (minimax, relative error 7.6e-8 in
    /// exact arithmetic); Taylor's leading term is 2/√π.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfPoly(Vector512<float> s)
    {
        var p = Vector512.Create(7.853861353153693E-5f);
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(-8.010193625184903E-4f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(5.188327685732524E-3f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(-2.685381193529856E-2f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(1.128358514861418E-1f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(-3.761262582423300E-1f));
        return Vector512.FusedMultiplyAdd(p, s, Vector512.Create(1.128379165726710f));
    }

    /// <summary>
    /// erfc(a) for a ≥ 1 (any a ≥ 0 works, less accurately below 1), given a² = hi + lo exactly:
    /// erfc(a) = t·P(t)·e^(−a²), t = 1/(1 + 3a/8), P of degree 8. P is our minimax fit of erfc(a)·e^(a²)/t over
    /// a in [0, 10.5] (relative error 1.5e-8 in exact arithmetic; Lawson-weighted least squares on 6000 Chebyshev
    /// nodes in t, docs/activations.md); erfc(0) = P(1) = 1. Above 10.5 erfc(a) &lt; 2^-149 and the product underflows
    /// to 0. The exponential takes −a² as the exact pair (−hi, −lo), and it does not wait for P: the
    /// division, P and e^(−a²) are three independent chains, which made GELU's forward 30 % faster than the
    /// Numerical Recipes form t·e^(−a² + Q(t)) it replaced (issue 18). erfc(∞) = 0 (t = 0, e^(−∞) = 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfcTail(Vector512<float> a, Vector512<float> hi, Vector512<float> lo)
    {
        var t = Vector512<float>.One / Vector512.FusedMultiplyAdd(a, Vector512.Create(0.375f), Vector512<float>.One);
        var p = Vector512.Create(6.099672360e-02f);
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-2.847746233e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(4.272759410e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-2.237251026e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(2.699065332e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.230879238e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(2.049184080e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(2.107038334e-01f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(2.116103532e-01f));
        return t * p * ExpFloat(-hi, -lo);
    }

    // GELU's forward and backward at 256 bits, for AVX2 machines (GeluK): the software Vector512 ran GELU anywhere
    // from 0.19x to 1.06x of libtorch's speed from one process to the next, as the JIT inlined its kernel or not
    // (bench/results/2026-12-07-activations-avx2-exp256.md). The same steps as the 512-bit forms above (HalfSquare,
    // NormalCdfFloatTail, ErfcTail and GeluK's backward), so the same bits (Avx2KernelTests).

    /// <summary><see cref="HalfSquare(Vector512{float}, out Vector512{float}, out Vector512{float})"/> for 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HalfSquare(Vector256<float> x, out Vector256<float> hi, out Vector256<float> lo)
    {
        var sq = x * x;
        var half = Vector256.Create(0.5f);
        lo = Vector256.FusedMultiplyAdd(x, x, -sq) * half;
        hi = sq * half;
    }

    /// <summary>x·Φ(x), Φ as <see cref="NormalCdfFloatTail"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> GeluFloat(Vector256<float> x)
    {
        var half = Vector256.Create(0.5f);
        HalfSquare(x, out var hi, out var lo);
        var a = Vector256.Abs(x) * Vector256.Create(0.707106781186547524f);
        var t = Vector256<float>.One / Vector256.FusedMultiplyAdd(a, Vector256.Create(0.375f), Vector256<float>.One);
        var p = Vector256.Create(6.099672360e-02f);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-2.847746233e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(4.272759410e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-2.237251026e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(2.699065332e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.230879238e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(2.049184080e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(2.107038334e-01f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(2.116103532e-01f));
        var c = half * (t * p * ExpFloat(-hi, -lo));
        return x * Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One - c, c);
    }

    /// <summary>dy·(Φ(x) + x·φ(x)) with Φ = y/x from the forward's output (½ + x·φ(0) for |x| &lt; 2⁻²⁰), as GeluK.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> GeluFloatBackward(Vector256<float> x, Vector256<float> y, Vector256<float> dy)
    {
        var half = Vector256.Create(0.5f);
        HalfSquare(x, out var hi, out var lo);
        var rsqrt2pi = Vector256.Create(0.398942280401432678f);
        var pdf = rsqrt2pi * ExpFloat(-hi, -lo);
        var tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(9.5367431640625e-7f));
        var cdf = Vector256.ConditionalSelect(tiny, Vector256.FusedMultiplyAdd(x, rsqrt2pi, half), y / x);
        return dy * Vector256.FusedMultiplyAdd(x, pdf, cdf);
    }
}
