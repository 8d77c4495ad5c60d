// softmax.cu: row-wise softmax, fused cross-entropy and one-hot, over the last axis of contiguous tensors.
//
// softmax_<t>(x, y, rows, cols, log)
//     m = max_c x[r, c];  s = Σ_c e^(x[r, c] - m)
//     y[r, c] = e^(x[r, c] - m) / s                 (log = 0)
//     y[r, c] = x[r, c] - (m + ln s)                (log = 1)
//     Mirrors CpuBackend.Softmax.
//
// cross_entropy_<t>(logits, targets, loss, probs, rows, cols, smoothing)      targets: int32 class indices
//     lse = m + ln Σ_c e^(x[r, c] - m);  probs[r, c] = e^(x[r, c] - m) / Σ
//     loss[r] = (1 - ε)(lse - x[r, t_r]) + ε (lse - Σ_c x[r, c] / C)     (= -(1-ε) log p_t - ε/C Σ_c log p_c)
//     Mirrors CpuBackend.CrossEntropy. The host has checked 0 <= t_r < C.
//
// one_hot_<t>(indices, y, rows, cols, on, off)      y[r, c] = c == indices[r] ? on : off
//     Mirrors CpuBackend.OneHot. The host has checked 0 <= indices[r] < C.
//
// Softmax and cross-entropy give one warp to a row: lanes stride over the columns, shuffles combine the
// maxima and sums (a fixed tree, so the result is deterministic). A 256-thread block holds 8 rows.
// Shared code: math.cuh (m_exp, m_log). NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "math.cuh"

template <typename T>
__device__ inline T warp_max(T v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
    {
        T o = __shfl_xor_sync(0xffffffffu, v, offset);
        v = o > v ? o : v;
    }
    return v;
}

template <typename T>
__device__ inline T warp_sum(T v)
{
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// The maximum of row[0..cols), the lanes of a warp striding over the columns; every lane gets it.
template <typename T>
__device__ inline T row_max(const T* row, int cols, int lane)
{
    T m = row[0];
    for (int c = lane; c < cols; c += 32) m = row[c] > m ? row[c] : m;
    return warp_max(m);
}

template <typename T>
__device__ void softmax(const T* __restrict__ x, T* __restrict__ y, long long rows, int cols, int log)
{
    int lane = threadIdx.x & 31;
    long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long r = warp; r < rows; r += warps)
    {
        const T* row = x + r * cols;
        T* out = y + r * cols;
        T m = row_max(row, cols, lane);
        T s = T(0);
        for (int c = lane; c < cols; c += 32)
        {
            T e = m_exp(row[c] - m);
            if (!log) out[c] = e;
            s += e;
        }
        s = warp_sum(s);
        if (log)
        {
            T lse = m + m_log(s);
            for (int c = lane; c < cols; c += 32) out[c] = row[c] - lse;
        }
        else
        {
            T inv = T(1) / s;
            for (int c = lane; c < cols; c += 32) out[c] *= inv;
        }
    }
}

template <typename T>
__device__ void cross_entropy(const T* __restrict__ x, const int* __restrict__ targets, T* __restrict__ loss,
                              T* __restrict__ probs, long long rows, int cols, T smoothing)
{
    int lane = threadIdx.x & 31;
    long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long r = warp; r < rows; r += warps)
    {
        const T* row = x + r * cols;
        T* p = probs + r * cols;
        T m = row_max(row, cols, lane);
        T s = T(0), total = T(0);
        for (int c = lane; c < cols; c += 32)
        {
            T e = m_exp(row[c] - m);
            p[c] = e;
            s += e;
            total += row[c];
        }
        s = warp_sum(s);
        total = warp_sum(total);
        T inv = T(1) / s;
        for (int c = lane; c < cols; c += 32) p[c] *= inv;
        if (lane == 0)
        {
            T lse = m + m_log(s);
            loss[r] = (T(1) - smoothing) * (lse - row[targets[r]]) + smoothing * (lse - total / T(cols));
        }
    }
}

template <typename T>
__device__ void one_hot(const int* __restrict__ indices, T* __restrict__ y, long long rows, int cols, T on, T off)
{
    long long n = rows * cols;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        y[i] = (int)(i % cols) == indices[i / cols] ? on : off;
}

#define PADE_SOFTMAX(SUFFIX, T)                                                                                \
    extern "C" __global__ void softmax_##SUFFIX(const T* x, T* y, long long rows, int cols, int log)           \
    {                                                                                                          \
        softmax<T>(x, y, rows, cols, log);                                                                     \
    }                                                                                                          \
    extern "C" __global__ void cross_entropy_##SUFFIX(const T* x, const int* targets, T* loss, T* probs,       \
                                                      long long rows, int cols, T smoothing)                   \
    {                                                                                                          \
        cross_entropy<T>(x, targets, loss, probs, rows, cols, smoothing);                                      \
    }                                                                                                          \
    extern "C" __global__ void one_hot_##SUFFIX(const int* indices, T* y, long long rows, int cols, T on, T off) \
    {                                                                                                          \
        one_hot<T>(indices, y, rows, cols, on, off);                                                           \
    }

PADE_SOFTMAX(f32, float)
PADE_SOFTMAX(f64, double)
