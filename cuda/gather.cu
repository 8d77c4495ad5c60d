// gather.cu: gather, scatter-add and scatter-reduce along one axis, the kernels of gather, scatter_add, scatter,
// scatter_reduce, index_select, embedding and the ops built on them.
// Tensors are read as [O, D, I] (x, y of scatter-add) and [O, K, I] (index, src, y of gather): the dims before the
// axis, the axis, the dims after it. The index is int32 with strides (so, sk, si) in elements, 0 where one index row
// serves every o or i (index_select, embedding); the host has checked every entry lies in [0, D).
//
// gather_<t>(x, index, y, O, D, K, I, so, sk, si)
//     y[o, k, i] = x[(o·D + index[o·so + k·sk + i·si])·I + i]          one thread per y element
//     Mirrors CpuBackend.Gather.
// scatter_add_<t>(src, index, y, O, D, K, I, so, sk, si)
//     for k = 0 .. K − 1 in order:  y[(o·D + index[o·so + k·sk + i·si])·I + i] += src[(o·K + k)·I + i]
//     One thread per column (o, i) walks k in order: no two threads write one element, so there are no atomics,
//     the sums are the CPU's, bit for bit, and the same on every run. Mirrors CpuBackend.ScatterAdd.
// scatter_reduce_<t>(src, index, y, O, D, K, I, so, sk, si, op)
//     as scatter_add, with y[...] = reduce(y[...], src[...]) for op 0 prod, 1 amax, 2 amin, 3 assign (the last
//     write wins); a NaN on either side wins amax and amin, as in PyTorch. Same threads, same order, so the same
//     results as the CPU's. Mirrors CpuBackend.ScatterReduce.
//
// Grid-stride loops, 64-bit indices. This file includes no headers, shared (cuda/*.cuh) or system.

template <typename T>
__device__ void gather(const T* __restrict__ x, const int* __restrict__ index, T* __restrict__ y, long long O, int D,
                       long long K, long long I, long long so, long long sk, long long si)
{
    long long n = O * K * I;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long i = e % I, k = e / I % K, o = e / (I * K);
        y[e] = x[(o * D + index[o * so + k * sk + i * si]) * I + i];
    }
}

template <typename T>
__device__ void scatter_add(const T* __restrict__ src, const int* __restrict__ index, T* __restrict__ y, long long O,
                            int D, long long K, long long I, long long so, long long sk, long long si)
{
    long long n = O * I;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < n; c += stride)
    {
        long long i = c % I, o = c / I;
        T* column = y + o * D * I + i;
        const T* s = src + o * K * I + i;
        const int* idx = index + o * so + i * si;
        for (long long k = 0; k < K; k++) column[(long long)idx[k * sk] * I] += s[k * I];
    }
}

template <typename T>
__device__ void scatter_reduce(const T* __restrict__ src, const int* __restrict__ index, T* __restrict__ y, long long O,
                               int D, long long K, long long I, long long so, long long sk, long long si, int op)
{
    long long n = O * I;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < n; c += stride)
    {
        long long i = c % I, o = c / I;
        T* column = y + o * D * I + i;
        const T* s = src + o * K * I + i;
        const int* idx = index + o * so + i * si;
        for (long long k = 0; k < K; k++)
        {
            T* t = column + (long long)idx[k * sk] * I;
            T v = s[k * I];
            if (op == 0) *t = *t * v;
            else if (op == 1) { if (v != v || v > *t) *t = v; }   // a NaN already in *t stays: v > NaN is false
            else if (op == 2) { if (v != v || v < *t) *t = v; }
            else *t = v;
        }
    }
}

#define PADE_GATHER(SUFFIX, T)                                                                                 \
    extern "C" __global__ void gather_##SUFFIX(const T* x, const int* index, T* y, long long O, int D,          \
                                               long long K, long long I, long long so, long long sk,           \
                                               long long si)                                                   \
    {                                                                                                          \
        gather<T>(x, index, y, O, D, K, I, so, sk, si);                                                        \
    }                                                                                                          \
    extern "C" __global__ void scatter_add_##SUFFIX(const T* src, const int* index, T* y, long long O, int D,   \
                                                    long long K, long long I, long long so, long long sk,      \
                                                    long long si)                                              \
    {                                                                                                          \
        scatter_add<T>(src, index, y, O, D, K, I, so, sk, si);                                                 \
    }                                                                                                          \
    extern "C" __global__ void scatter_reduce_##SUFFIX(const T* src, const int* index, T* y, long long O, int D,\
                                                       long long K, long long I, long long so, long long sk,   \
                                                       long long si, int op)                                   \
    {                                                                                                          \
        scatter_reduce<T>(src, index, y, O, D, K, I, so, sk, si, op);                                          \
    }

PADE_GATHER(f32, float)
PADE_GATHER(f64, double)
