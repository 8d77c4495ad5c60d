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

#endif  // PADE_MATH_CUH
