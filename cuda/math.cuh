// math.cuh: the math library at the precision of the argument. CUDA's float functions have their own names (expf,
// logf, ...); these overloads let a kernel template call m_exp(x) for T = float and T = double alike. They are
// the accurate versions (NVRTC runs without --use_fast_math, see NvrtcOptions), so the GPU stays close to the CPU.
// Included by activations.cu, elementwise.cu, optim.cu, reduce.cu and softmax.cu. (pau.cu has its own m_abs, a branch rather
// than fabs, and does not include this file.)
// NVRTC receives every cuda/*.cuh as an in-memory header (NvrtcCompiler); the include guard lets several .cu
// files share one translation unit (the emulated driver compiles each .cu on its own, Kernels/CudaEmulator).

#ifndef PADE_MATH_CUH
#define PADE_MATH_CUH

__device__ inline float m_exp(float x) { return expf(x); }
__device__ inline double m_exp(double x) { return exp(x); }
__device__ inline float m_log(float x) { return logf(x); }
__device__ inline double m_log(double x) { return log(x); }
__device__ inline float m_sqrt(float x) { return sqrtf(x); }
__device__ inline double m_sqrt(double x) { return sqrt(x); }
__device__ inline float m_abs(float x) { return fabsf(x); }
__device__ inline double m_abs(double x) { return fabs(x); }
__device__ inline float m_pow(float x, float p) { return powf(x, p); }
__device__ inline double m_pow(double x, double p) { return pow(x, p); }
__device__ inline float m_tanh(float x) { return tanhf(x); }
__device__ inline double m_tanh(double x) { return tanh(x); }
// sin and cos reduce any argument exactly (Payne-Hanek beyond |x| ~ 1e5 in float), as the C library the CPU calls.
__device__ inline float m_sin(float x) { return sinf(x); }
__device__ inline double m_sin(double x) { return sin(x); }
__device__ inline float m_cos(float x) { return cosf(x); }
__device__ inline double m_cos(double x) { return cos(x); }
__device__ inline float m_erf(float x) { return erff(x); }
__device__ inline double m_erf(double x) { return erf(x); }
__device__ inline float m_floor(float x) { return floorf(x); }
__device__ inline double m_floor(double x) { return floor(x); }
__device__ inline float m_ceil(float x) { return ceilf(x); }
__device__ inline double m_ceil(double x) { return ceil(x); }
// rint rounds to the nearest integer in the default mode, halves to even, as torch.round.
__device__ inline float m_rint(float x) { return rintf(x); }
__device__ inline double m_rint(double x) { return rint(x); }
__device__ inline float m_trunc(float x) { return truncf(x); }
__device__ inline double m_trunc(double x) { return trunc(x); }

// log(1 + v) by Goldberg's trick, as ActMath.Log1p (the same formula as the CPU, rather than CUDA's log1p).
template <typename T>
__device__ inline T log1p_g(T v)
{
    T u = T(1) + v;
    if (u == T(1)) return v;
    if (u > T(0) && u - u != T(0)) return u;  // +∞
    return m_log(u) * v / (u - T(1));
}

// e^v − 1 by Kahan's trick, as ActMath.Expm1.
template <typename T>
__device__ inline T expm1_k(T v)
{
    T u = m_exp(v);
    if (u == T(1)) return v;
    T um1 = u - T(1);
    if (um1 == T(-1) || (u > T(0) && u - u != T(0))) return um1;  // −1, or +∞
    return um1 * v / m_log(u);
}

// torch's tan .. logit and the binary math functions (elementwise.cu): the C library's names, float and double.
__device__ inline float m_tan(float x) { return tanf(x); }
__device__ inline double m_tan(double x) { return tan(x); }
__device__ inline float m_asin(float x) { return asinf(x); }
__device__ inline double m_asin(double x) { return asin(x); }
__device__ inline float m_acos(float x) { return acosf(x); }
__device__ inline double m_acos(double x) { return acos(x); }
__device__ inline float m_atan(float x) { return atanf(x); }
__device__ inline double m_atan(double x) { return atan(x); }
__device__ inline float m_sinh(float x) { return sinhf(x); }
__device__ inline double m_sinh(double x) { return sinh(x); }
__device__ inline float m_cosh(float x) { return coshf(x); }
__device__ inline double m_cosh(double x) { return cosh(x); }
__device__ inline float m_asinh(float x) { return asinhf(x); }
__device__ inline double m_asinh(double x) { return asinh(x); }
__device__ inline float m_acosh(float x) { return acoshf(x); }
__device__ inline double m_acosh(double x) { return acosh(x); }
__device__ inline float m_atanh(float x) { return atanhf(x); }
__device__ inline double m_atanh(double x) { return atanh(x); }
__device__ inline float m_log2(float x) { return log2f(x); }
__device__ inline double m_log2(double x) { return log2(x); }
__device__ inline float m_log10(float x) { return log10f(x); }
__device__ inline double m_log10(double x) { return log10(x); }
__device__ inline float m_exp2(float x) { return exp2f(x); }
__device__ inline double m_exp2(double x) { return exp2(x); }
__device__ inline float m_erfc(float x) { return erfcf(x); }
__device__ inline double m_erfc(double x) { return erfc(x); }
// lgamma is +∞ at the poles (0 and the negative integers) in both libraries, as torch.lgamma.
__device__ inline float m_lgamma(float x) { return lgammaf(x); }
__device__ inline double m_lgamma(double x) { return lgamma(x); }
__device__ inline float m_atan2(float a, float b) { return atan2f(a, b); }
__device__ inline double m_atan2(double a, double b) { return atan2(a, b); }
__device__ inline float m_hypot(float a, float b) { return hypotf(a, b); }
__device__ inline double m_hypot(double a, double b) { return hypot(a, b); }
__device__ inline float m_fmod(float a, float b) { return fmodf(a, b); }
__device__ inline double m_fmod(double a, double b) { return fmod(a, b); }
__device__ inline float m_copysign(float a, float b) { return copysignf(a, b); }
__device__ inline double m_copysign(double a, double b) { return copysign(a, b); }

// ψ(x) as PyTorch's calc_digamma and SpecialFunctions.Digamma: ψ(±0) = ∓∞, NaN at the negative integers, the
// reflection for x < 0 (its tangent in double, of the exact fraction of x), the recurrence up to 10, then the
// asymptotic series.
template <typename T>
__device__ inline T digamma_p(T x)
{
    const double pi = 3.14159265358979323846;
    if (x == T(0)) return m_copysign(T(1) / T(0), -x);
    T result = T(0);
    if (x < T(0))
    {
        if (x == m_trunc(x)) return T(0) / T(0);
        result = T(-pi / tan(pi * (double)(x - m_trunc(x))));
        x = T(1) - x;
    }
    while (x < T(10)) { result -= T(1) / x; x += T(1); }
    if (x == T(10)) return result + T(2.25175258906672110764);
    T y = T(0);
    if (x < T(1.0e17))
    {
        T z = T(1) / (x * x);
        T p = T(8.33333333333333333333E-2);
        p = p * z + T(-2.10927960927960927961E-2);
        p = p * z + T(7.57575757575757575758E-3);
        p = p * z + T(-4.16666666666666666667E-3);
        p = p * z + T(3.96825396825396825397E-3);
        p = p * z + T(-8.33333333333333333333E-3);
        p = p * z + T(8.33333333333333333333E-2);
        y = z * p;
    }
    return result + m_log(x) - T(0.5) / x - y;
}

// ψ'(x) (torch.polygamma(1, x)) as PyTorch's calc_trigamma and SpecialFunctions.Trigamma, but for sin²(πx) taken
// of x − round(x) (exact), which PyTorch's float kernel loses ~40 ulps to near x = −2.
template <typename T>
__device__ inline T trigamma_p(T x)
{
    const T pi = T(3.14159265358979323846);
    T sign = T(1), result = T(0);
    if (x < T(0.5))
    {
        sign = T(-1);
        T s = m_sin(pi * (x - m_rint(x)));  // sin² has period 1: the exact x − round(x) keeps πx's rounding out
        result -= pi * pi / (s * s);
        x = T(1) - x;
    }
    for (int i = 0; i < 6; ++i) { result += T(1) / (x * x); x += T(1); }
    T ixx = T(1) / (x * x);
    result += (T(1) + T(1) / (T(2) * x) + ixx * (T(1) / T(6) - ixx * (T(1) / T(30) - ixx * (T(1) / T(42))))) / x;
    return sign * result;
}

// erf⁻¹(y) as PyTorch's calc_erfinv and SpecialFunctions.Erfinv: a rational first guess, two Newton steps.
template <typename T>
__device__ inline T erfinv_p(T y)
{
    T ya = m_abs(y);
    if (!(ya <= T(1))) return T(0) / T(0);  // NaN, or |y| > 1
    if (ya == T(1)) return m_copysign(T(1) / T(0), y);
    T x;
    if (ya <= T(0.7))
    {
        T z = y * y;
        T num = ((T(-0.140543331) * z + T(0.914624893)) * z + T(-1.645349621)) * z + T(0.886226899);
        T dem = (((T(0.012229801) * z + T(-0.329097515)) * z + T(1.442710462)) * z + T(-2.118377725)) * z + T(1);
        x = y * num / dem;
    }
    else
    {
        T z = m_sqrt(-m_log((T(1) - ya) / T(2)));
        T num = ((T(1.641345311) * z + T(3.429567803)) * z + T(-1.624906493)) * z + T(-1.970840454);
        T dem = (T(1.637067800) * z + T(3.543889200)) * z + T(1);
        x = m_copysign(num, y) / dem;
    }
    const T two_over_sqrt_pi = T(1.1283791670955126);
    x -= (m_erf(x) - y) / (two_over_sqrt_pi * m_exp(-x * x));
    x -= (m_erf(x) - y) / (two_over_sqrt_pi * m_exp(-x * x));
    return x;
}

#endif  // PADE_MATH_CUH
