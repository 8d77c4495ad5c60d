// reduce.cu: sums, maxima, minima and products along one run of axes, argmax, and cumulative sums and products.
//
// The host sees x as [outer, len, inner] (the run of reduced axes flattened into len) and reduces len. Both
// kernels cut len into fixed chunks and write one partial per chunk; the host calls again on the partials until
// one is left. Chunk sizes depend only on the shape, and each partial is combined in a fixed order, so results
// are deterministic and the same on every GPU (they differ from the CPU's only by summation order).
//
// reduce_rows_<t>(op, x, y, rows, len, chunk)             inner = 1: contiguous rows
//     y[r·C + c] = ⊕_{k in [c·chunk, min(len, (c+1)·chunk))} x[r·len + k],   C = ceil(len / chunk)
//     One warp per (row, chunk): lanes stride through the chunk, then a shuffle tree combines the 32 lanes.
//
// reduce_strided_<t>(op, x, y, outer, len, inner, chunk)  inner > 1
//     y[(o·C + c)·inner + i] = ⊕_{k in chunk c} x[(o·len + k)·inner + i]
//     One thread per output element; neighbouring threads read neighbouring i, so loads coalesce.
//
// ⊕ is + (Sum), max (Max), min (Min) or × (Prod); max and min propagate NaN, as .NET's T.Max / T.Min.
// Mirrors CpuBackend.Reduce / ReduceRun.
//
// argmax_<t>(x, y, outer, len, inner)    y[o·inner + i] = first r maximising x[(o·len + r)·inner + i]
//     A NaN beats any number (the first NaN wins). Mirrors CpuBackend.ArgMax.
//
// scan_<t>(op, x, y, outer, len, inner, reverse, exclusive)    any op, x and y [outer, len, inner]
//     y[o, k, i] = x[o, 0, i] ⊕ … ⊕ x[o, k, i]   (reverse: x[o, k, i] ⊕ … ⊕ x[o, len−1, i]; exclusive: without
//     x[o, k, i] itself, the identity 0, 1, −∞ (max, log-sum-exp) or +∞ (min) at the first position). Op
//     LogSumExp (scan only) is max + log1p(exp(min − max)) (math.cuh's log1p_g, as ActMath.Log1p), two equal infinities giving themselves, as PyTorch's
//     _log_add_exp_helper; max and min propagate NaN. One thread per (o, i) runs the chain along len
//     in scan order, from the identity, so the terms combine in the CPU's order (CpuBackend.Scan) and the bits agree.
//     Neighbouring threads read neighbouring i (coalesced when inner > 1); a scan along the last axis (inner = 1) is
//     one row per thread: simple rather than fast (cumsum is not on a network's hot path).
//
// This file includes math.cuh (for log-sum-exp's exp and log1p, the CPU's formulas) and no system header.

#include "math.cuh"

enum ReduceOpCode { R_Sum = 0, R_Max = 1, R_Min = 2, R_Prod = 3, R_LogSumExp = 4 };

template <typename T>
__device__ inline T combine(int op, T a, T b)
{
    if (op == R_Sum) return a + b;
    if (op == R_Max) return (a > b || a != a) ? a : b;
    if (op == R_Prod) return a * b;
    return (a < b || a != a) ? a : b;
}

template <typename T>
__device__ void reduce_rows(int op, const T* __restrict__ x, T* __restrict__ y, long long rows, long long len,
                            long long chunk)
{
    const unsigned full = 0xffffffffu;
    long long chunks = (len + chunk - 1) / chunk;
    long long segments = rows * chunks;
    int lane = threadIdx.x & 31;
    long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long s = warp; s < segments; s += warps)  // s is the same for the 32 lanes of a warp
    {
        long long r = s / chunks, c = s % chunks;
        long long begin = c * chunk, end = begin + chunk < len ? begin + chunk : len;
        const T* row = x + r * len;
        T acc = T(0);
        int have = 0;
        for (long long k = begin + lane; k < end; k += 32)
        {
            T v = row[k];
            acc = have ? combine(op, acc, v) : v;
            have = 1;
        }
        for (int offset = 16; offset > 0; offset >>= 1)
        {
            T other = __shfl_down_sync(full, acc, offset);
            int otherHave = __shfl_down_sync(full, have, offset);
            if (otherHave)
            {
                acc = have ? combine(op, acc, other) : other;
                have = 1;
            }
        }
        if (lane == 0) y[s] = acc;  // lane 0 always holds element `begin`, so the segment is never empty
    }
}

template <typename T>
__device__ void reduce_strided(int op, const T* __restrict__ x, T* __restrict__ y, long long outer, long long len,
                               long long inner, long long chunk)
{
    long long chunks = (len + chunk - 1) / chunk;
    long long n = outer * chunks * inner;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x; j < n; j += stride)
    {
        long long i = j % inner, oc = j / inner, c = oc % chunks, o = oc / chunks;
        long long begin = c * chunk, end = begin + chunk < len ? begin + chunk : len;
        const T* p = x + (o * len + begin) * inner + i;
        T acc = p[0];
        for (long long k = begin + 1; k < end; ++k)
        {
            p += inner;
            acc = combine(op, acc, *p);
        }
        y[j] = acc;
    }
}

template <typename T>
__device__ void argmax(const T* __restrict__ x, int* __restrict__ y, long long outer, long long len, long long inner)
{
    long long n = outer * inner;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x; j < n; j += stride)
    {
        long long i = j % inner, o = j / inner;
        const T* p = x + o * len * inner + i;
        T best = p[0];
        int at = 0;
        for (long long r = 1; r < len; ++r)
        {
            T v = p[r * inner];
            if (v > best || (v != v && best == best)) { best = v; at = (int)r; }
        }
        y[j] = at;
    }
}

// The scan's a ⊕ b (mirrors CpuBackend.ScanCombine): reductions' combine, and log-sum-exp.
template <typename T>
__device__ inline T scan_combine(int op, T a, T b)
{
    if (op != R_LogSumExp) return combine<T>(op, a, b);
    if (a != a || b != b) return a + b;
    T hi = a > b ? a : b, lo = a > b ? b : a;
    if (lo == hi && (lo - lo != lo - lo)) return a;   // equal infinities (x − x is NaN only for ±∞)
    return hi + log1p_g(m_exp(lo - hi));
}

template <typename T>
__device__ inline T scan_identity(int op)
{
    if (op == R_Sum) return T(0);
    if (op == R_Prod) return T(1);
    T inf = T(1) / T(0);
    return op == R_Min ? inf : -inf;
}

template <typename T>
__device__ void scan(int op, const T* __restrict__ x, T* __restrict__ y, long long outer, long long len,
                     long long inner, int reverse, int exclusive)
{
    long long n = outer * inner;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x; j < n; j += stride)
    {
        long long first = (j / inner) * len * inner + j % inner;
        T acc = scan_identity<T>(op);
        for (long long s = 0; s < len; ++s)
        {
            long long at = first + (reverse ? len - 1 - s : s) * inner;
            T v = x[at];
            if (exclusive) y[at] = acc;
            acc = scan_combine<T>(op, acc, v);
            if (!exclusive) y[at] = acc;
        }
    }
}

#define PADE_REDUCE(SUFFIX, T)                                                                                \
    extern "C" __global__ void reduce_rows_##SUFFIX(int op, const T* x, T* y, long long rows, long long len,   \
                                                    long long chunk)                                          \
    {                                                                                                         \
        reduce_rows<T>(op, x, y, rows, len, chunk);                                                           \
    }                                                                                                         \
    extern "C" __global__ void reduce_strided_##SUFFIX(int op, const T* x, T* y, long long outer,             \
                                                       long long len, long long inner, long long chunk)       \
    {                                                                                                         \
        reduce_strided<T>(op, x, y, outer, len, inner, chunk);                                                \
    }                                                                                                         \
    extern "C" __global__ void argmax_##SUFFIX(const T* x, int* y, long long outer, long long len,            \
                                               long long inner)                                               \
    {                                                                                                         \
        argmax<T>(x, y, outer, len, inner);                                                                   \
    }                                                                                                         \
    extern "C" __global__ void scan_##SUFFIX(int op, const T* x, T* y, long long outer, long long len,        \
                                             long long inner, int reverse, int exclusive)                     \
    {                                                                                                         \
        scan<T>(op, x, y, outer, len, inner, reverse, exclusive);                                             \
    }

PADE_REDUCE(f32, float)
PADE_REDUCE(f64, double)
