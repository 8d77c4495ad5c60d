// resample.cu: a 1-D resampling along one axis with host-built taps, the kernel of interpolate's nearest, linear,
// bicubic and antialiased modes (one pass per spatial axis) and of their backward (the same kernel on the transposed
// taps). Tensors are read as [O, D, I] (x) and [O, K, I] (y): the dims before the axis, the axis, the dims after it.
// The taps are a compressed row list over the K outputs: output k reads entries t = offsets[k] .. offsets[k + 1] − 1,
// each an input position taps[t] in [0, D) and a weight weights[t] (zero weights kept, as libtorch forms every tap's
// product: 0·∞ is NaN there too).
//
// resample_<t>(x, offsets, taps, weights, y, O, D, K, I)
//     y[o, k, i] = Σ_{t = offsets[k]}^{offsets[k+1] − 1} weights[t]·x[(o·D + taps[t])·I + i]
//     summed in order of t from the first product (no taps: 0); one thread per y element. Forward: nearest one tap
//     of weight 1, linear λ0 and λ1, bicubic four (clamped at the borders), antialias the filter's span. Backward:
//     the host transposes the taps (output d of the adjoint lists the forward outputs k that read input d, in order
//     of k), so each thread owns one dx element and sums in a fixed order: no atomics, the CPU's sums, the same on
//     every run. Mirrors CpuBackend.Resample.
//
// Grid-stride loops, 64-bit indices. This file includes no headers, shared (cuda/*.cuh) or system.

template <typename T>
__device__ void resample(const T* __restrict__ x, const int* __restrict__ offsets, const int* __restrict__ taps,
                         const T* __restrict__ weights, T* __restrict__ y, long long O, int D, long long K, long long I)
{
    long long n = O * K * I;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long i = e % I, k = e / I % K, o = e / (I * K);
        const T* column = x + o * D * I + i;
        int t0 = offsets[k], t1 = offsets[k + 1];
        T s = 0;
        if (t0 < t1)
        {
            s = weights[t0] * column[(long long)taps[t0] * I];
            for (int t = t0 + 1; t < t1; t++) s = s + weights[t] * column[(long long)taps[t] * I];
        }
        y[e] = s;
    }
}

#define PADE_RESAMPLE(SUFFIX, T)                                                                               \
    extern "C" __global__ void resample_##SUFFIX(const T* x, const int* offsets, const int* taps,              \
                                                 const T* weights, T* y, long long O, int D, long long K,      \
                                                 long long I)                                                  \
    {                                                                                                          \
        resample<T>(x, offsets, taps, weights, y, O, D, K, I);                                                 \
    }

PADE_RESAMPLE(f32, float)
PADE_RESAMPLE(f64, double)
