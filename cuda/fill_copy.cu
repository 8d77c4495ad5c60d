// fill_copy.cu: the simplest kernels, setting and gathering tensor storage.
//
// fill_f32 / fill_f64      y[i] = value                                  for 0 <= i < n
//     Mirrors CpuBackend.Fill.
//
// copy_strided_f32 / _f64  y[i] = x[offset + sum_d idx_d(i) * strides[d]] for 0 <= i < n
//     where idx(i) is the row-major multi-index of i in shape[0..ndim): idx_{ndim-1} = i mod shape[ndim-1],
//     and so on leftwards; n = prod(shape). Gathers a strided view (a transpose, a slice, a broadcast with
//     stride 0) of up to 8 dimensions into a contiguous buffer. Mirrors CpuBackend.CopyStrided.
//
// All kernels use a grid-stride loop, so any grid size covers any n, and 64-bit indices throughout.
// NVRTC compiles this file with no headers at all: everything needed is written out here.

struct Dims8 { long long d[8]; };  // same layout as Pade.Kernels.Dims8

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
    for (int d = ndim - 1; d >= 0; --d)
    {
        long long extent = shape.d[d];
        at += (i % extent) * strides.d[d];
        i /= extent;
    }
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

extern "C" __global__ void fill_f32(float* y, long long n, float value) { fill(y, n, value); }
extern "C" __global__ void fill_f64(double* y, long long n, double value) { fill(y, n, value); }

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
