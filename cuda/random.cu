// random.cu: random tensors from the counter-based Philox4x32-10 generator, bit for bit the CPU's numbers.
//
// Philox (Salmon et al., SC 2011): block(seed, c) = 10 rounds on counter (c lo, c hi, 0, 0) with key
// (seed lo, seed hi); word w of the stream is block(seed, w / 4)[w % 4]. Mirrors Engine/Random/Philox.cs.
//     uniform float (24 bits) from word w:         (word(w) >> 8) · 2^-24
//     uniform double (53 bits) number j:           block(j / 2) words (0, 1) or (2, 3) as hi·2^32 + lo, >> 11, · 2^-53
//
// random_<t>(y, n, dist, seed, offset, p1, p2)       element i draws from word w = offset + 4i on:
//     u1 = float: uniform float of word w;      double: uniform double number w/2
//     u2 = float: uniform float of word w + 1;  double: uniform double number w/2 + 1
//     Uniform:   y = p1 + (p2 - p1)·u1
//     Bernoulli: y = u1 < p1 ? 1 : 0
//     Normal:    y = p1 + p2·√(-2 ln(1 - u1))·cos(2π u2)        (Box-Muller)
//     All of it in double, then rounded to t: exactly CpuBackend.Draw, so the CPU and the GPU give the same
//     tensor for the same (seed, offset). The _rn intrinsics stop the compiler from fusing a·b + c into one
//     FMA, which the CPU does not do. Uniform and Bernoulli are bit-identical; Normal goes through log and
//     cos, whose last bit may differ between CUDA's libdevice and the host's libm (≤ 1 ulp in double).
//     Mirrors CpuBackend.Random / CpuBackend.Draw.
//
// Shared code: philox.cuh (the block function). NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "philox.cuh"

enum DistributionCode { D_Uniform = 0, D_Normal = 1, D_Bernoulli = 2 };

__device__ inline unsigned philox_word(unsigned long long seed, unsigned long long index)
{
    return philox_block(seed, index >> 2).at(index);
}

__device__ inline float uniform_float(unsigned long long seed, unsigned long long index)
{
    return (float)(philox_word(seed, index) >> 8) * (1.0f / 16777216.0f);
}

__device__ inline double uniform_double(unsigned long long seed, unsigned long long index)
{
    Words4 b = philox_block(seed, index >> 1);
    unsigned long long hi = (index & 1) == 0 ? b.w[0] : b.w[2];
    unsigned long long lo = (index & 1) == 0 ? b.w[1] : b.w[3];
    return (double)(((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}

// CpuBackend.Draw, operation for operation.
__device__ inline double draw(int dist, unsigned long long seed, unsigned long long w, double p1, double p2,
                              bool single)
{
    double u1 = single ? (double)uniform_float(seed, w) : uniform_double(seed, w / 2);
    if (dist == D_Uniform) return __dadd_rn(p1, __dmul_rn(__dsub_rn(p2, p1), u1));
    if (dist == D_Bernoulli) return u1 < p1 ? 1.0 : 0.0;
    double u2 = single ? (double)uniform_float(seed, w + 1) : uniform_double(seed, w / 2 + 1);
    const double twoPi = 6.283185307179586;  // 2 * Math.PI, exactly
    double radius = sqrt(__dmul_rn(-2.0, log(__dsub_rn(1.0, u1))));
    return __dadd_rn(p1, __dmul_rn(__dmul_rn(p2, radius), cos(__dmul_rn(twoPi, u2))));
}

template <typename T>
__device__ void random_fill(T* __restrict__ y, long long n, int dist, unsigned long long seed,
                            unsigned long long offset, double p1, double p2)
{
    const bool single = sizeof(T) == 4;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        y[i] = (T)draw(dist, seed, offset + 4ull * (unsigned long long)i, p1, p2, single);
}

extern "C" __global__ void random_f32(float* y, long long n, int dist, unsigned long long seed,
                                      unsigned long long offset, double p1, double p2)
{
    random_fill(y, n, dist, seed, offset, p1, p2);
}

extern "C" __global__ void random_f64(double* y, long long n, int dist, unsigned long long seed,
                                      unsigned long long offset, double p1, double p2)
{
    random_fill(y, n, dist, seed, offset, p1, p2);
}
