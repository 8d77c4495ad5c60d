// fill_copy.cu: the simplest kernels, setting and gathering tensor storage.
//
// fill_f32 / fill_f64 / fill_i32   y[i] = value                             for 0 <= i < n
//     Mirrors CpuBackend.Fill.
//
// copy_strided_f32 / _f64          y[i] = x[offset + sum_d idx_d(i) * strides[d]]   for 0 <= i < n
//     where idx(i) is the row-major multi-index of i in shape[0..ndim): idx_{ndim-1} = i mod shape[ndim-1],
//     and so on leftwards; n = prod(shape). Gathers a strided view (a transpose, a slice, a broadcast with
//     stride 0) of up to 8 dimensions into a contiguous buffer.
//
// copy_<in>_<out>                  y[sum_d idx_d(i) sy[d]] = (out) x[sum_d idx_d(i) sx[d]]
//     (in, out in f32, f64, i32): both sides strided, with a dtype conversion. Float to int truncates toward
//     zero and saturates, NaN gives 0 (cvt.rzi.sat, the same as .NET's CreateTruncating); int and double to
//     float round to nearest. Mirrors CpuBackend.Copy / CopyStrided<TIn, TOut>. x and y arrive already offset.
//
// All kernels use a grid-stride loop, so any grid size covers any n, and 64-bit indices throughout.
// Shared code: common.cuh (Dims8, for_each_axis). NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "common.cuh"

template <typename T>
__device__ void fill(T* __restrict__ y, long long n, T value)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) y[i] = value;
}

// Element offset in x of the element with row-major linear index i.
__device__ inline long long strided_offset(long long i, int ndim, const Dims8& shape, const Dims8& strides)
{
    long long at = 0;
    for_each_axis(i, ndim, shape, [&](int d, long long idx) { at += idx * strides.d[d]; });
    return at;
}

template <typename T>
__device__ void copy_strided(const T* __restrict__ x, T* __restrict__ y, long long n, int ndim,
                             Dims8 shape, Dims8 strides, long long offset)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        y[i] = x[offset + strided_offset(i, ndim, shape, strides)];
}

// Conversions as .NET's INumberBase<TOut>.CreateTruncating does them.
template <typename TOut, typename TIn> __device__ inline TOut convert(TIn v) { return (TOut)v; }
template <> __device__ inline int convert<int, float>(float v) { return __float2int_rz(v); }    // saturating, NaN -> 0
template <> __device__ inline int convert<int, double>(double v) { return __double2int_rz(v); } // saturating, NaN -> 0

template <typename TIn, typename TOut>
__device__ void copy_convert(const TIn* __restrict__ x, TOut* __restrict__ y, long long n, int ndim,
                             const Dims8& shape, const Dims8& sx, const Dims8& sy)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        long long ox = 0, oy = 0;
        for_each_axis(i, ndim, shape, [&](int d, long long idx) {
            ox += idx * sx.d[d];
            oy += idx * sy.d[d];
        });
        y[oy] = convert<TOut, TIn>(x[ox]);
    }
}

extern "C" __global__ void fill_f32(float* y, long long n, float value) { fill(y, n, value); }
extern "C" __global__ void fill_f64(double* y, long long n, double value) { fill(y, n, value); }
extern "C" __global__ void fill_i32(int* y, long long n, int value) { fill(y, n, value); }

extern "C" __global__ void copy_strided_f32(const float* x, float* y, long long n, int ndim,
                                            Dims8 shape, Dims8 strides, long long offset)
{
    copy_strided(x, y, n, ndim, shape, strides, offset);
}

extern "C" __global__ void copy_strided_f64(const double* x, double* y, long long n, int ndim,
                                            Dims8 shape, Dims8 strides, long long offset)
{
    copy_strided(x, y, n, ndim, shape, strides, offset);
}

#define PADE_COPY(NAME, TIN, TOUT)                                                                         \
    extern "C" __global__ void NAME(const TIN* x, TOUT* y, long long n, int ndim, Dims8 shape, Dims8 sx,  \
                                    Dims8 sy)                                                              \
    {                                                                                                      \
        copy_convert<TIN, TOUT>(x, y, n, ndim, shape, sx, sy);                                             \
    }

PADE_COPY(copy_f32_f32, float, float)
PADE_COPY(copy_f64_f64, double, double)
PADE_COPY(copy_i32_i32, int, int)
PADE_COPY(copy_f32_f64, float, double)
PADE_COPY(copy_f64_f32, double, float)
PADE_COPY(copy_i32_f32, int, float)
PADE_COPY(copy_i32_f64, int, double)
PADE_COPY(copy_f32_i32, float, int)
PADE_COPY(copy_f64_i32, double, int)
