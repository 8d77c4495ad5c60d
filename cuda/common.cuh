// common.cuh: small building blocks shared by several kernel files.
//
// Dims8, for_each_axis    strided views (elementwise.cu, fill_copy.cu): element i of a tensor of shape[0..ndim)
//     has the row-major multi-index idx(i), idx_{ndim-1} = i mod shape[ndim-1] and so on leftwards, and lives at
//     sum_d idx_d·s[d] of its base pointer for strides s (a broadcast axis has stride 0).
// Pack, aligned16         16 bytes of T moved by one vector load or store (elementwise.cu, pau.cu).
// block_sum               a deterministic sum over a block of threads (activations.cu, pau.cu).
//
// NVRTC receives every cuda/*.cuh as an in-memory header (NvrtcCompiler); the include guard lets several .cu
// files share one translation unit (the emulated driver compiles each .cu on its own, Kernels/CudaEmulator).

#ifndef PADE_COMMON_CUH
#define PADE_COMMON_CUH

// ---- strided views ---------------------------------------------------------------------------------------------

struct Dims8 { long long d[8]; };  // same layout as Pade.Kernels.Dims8

// Calls f(d, idx_d) for every axis d of the row-major multi-index of element i in shape[0..ndim), innermost axis
// first. The loop is unrolled over all 8 slots, so after inlining every index into a Dims8 (shape here, the
// strides in f) is a constant and no Dims8 is copied to local memory.
template <typename F>
__device__ inline void for_each_axis(long long i, int ndim, const Dims8& shape, F f)
{
#pragma unroll
    for (int d = 7; d >= 0; --d)
    {
        if (d >= ndim) continue;
        // The outermost axis needs no division: what is left of i is its index.
        long long extent = shape.d[d], idx = d == 0 ? i : i % extent;
        if (d > 0) i /= extent;
        f(d, idx);
    }
}

// ---- 16-byte packs ---------------------------------------------------------------------------------------------

// 16 bytes of T: one vector load or store, so that a thread keeps several elements in flight (see pau.cu).
template <typename T>
struct alignas(16) Pack
{
    T v[16 / sizeof(T)];
};

__device__ inline bool aligned16(const void* p) { return ((unsigned long long)p & 15) == 0; }

// ---- block reduction -------------------------------------------------------------------------------------------

// Sums v over the block with a fixed tree (warp shuffles, then the warps in order); valid in thread 0.
// scratch: blockDim.x / 32 doubles of shared memory. (batchnorm.cu has its own, which returns the sum to every
// thread.)
__device__ inline double block_sum(double v, double* scratch)
{
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    double total = 0;
    if (threadIdx.x == 0)
        for (int w = 0; w < (int)(blockDim.x >> 5); ++w) total += scratch[w];
    return total;
}

#endif  // PADE_COMMON_CUH
