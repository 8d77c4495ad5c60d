// pool.cu: 2-D max, average, adaptive average and adaptive max pooling over x [N, C, H, W] (NCHW, contiguous).
//
// Window of output (oh, ow): the taps rows hs + i·DH (hs = oh·SH − PH, i < KH) and columns ws + j·DW (ws =
// ow·SW − PW, j < KW) inside the image (padding never contributes). OH, OW come from the host (PyTorch's floor or
// ceil mode); average pooling has DH = DW = 1.
//
// max_pool2d_<t>(x, y, indices, g)
//     y = max over the window's taps, scanned row-major with a strict comparison (the first maximum wins ties; a
//     NaN wins and sticks); indices = ih·W + iw of that element; a window with no tap inside the image: −∞ and
//     index −1. Mirrors CpuBackend.MaxPool2d.
// max_pool2d_backward_<t>(dy, indices, dx, g)
//     dx[h, w] = Σ over the outputs o having (h, w) as a tap and whose index is h·W + w of dy[o], summed in
//     order of o. A gather, one thread per dx element: no atomics, the CPU's order. Mirrors MaxPool2dBackward.
// avg_pool2d_<t>(x, y, g, count_include_pad, divisor_override)
//     y = (Σ window) / d, d = divisor_override when nonzero, else the window's size up to the padded border
//     (count_include_pad, PyTorch's default) or the number of positions inside the image. Mirrors
//     CpuBackend.AvgPool2d / AvgDivisor.
// avg_pool2d_backward_<t>(dy, dx, g, count_include_pad, divisor_override)
//     dx[h, w] = Σ over the windows o covering (h, w) of dy[o] / d(o), in order of o. Mirrors AvgPool2dBackward.
// adaptive_avg_pool2d_<t>(x, y, N·C, H, W, OH, OW)
//     window rows ⌊oh·H/OH⌋ .. ⌈(oh+1)·H/OH⌉ − 1 (columns likewise); y = window mean. Mirrors AdaptiveAvgPool2d.
// adaptive_avg_pool2d_backward_<t>(dy, dx, N·C, H, W, OH, OW)
//     dx[h, w] = Σ over the windows o covering (h, w) of dy[o] / |window o|. Mirrors AdaptiveAvgPool2dBackward.
// adaptive_max_pool2d_<t>(x, y, indices, N·C, H, W, OH, OW)
//     the adaptive windows above; from −∞ at the window's first element, v > max || isnan(v) takes the place
//     (PyTorch's test: the first maximum wins ties, the last NaN wins); indices = ih·W + iw. Mirrors AdaptiveMaxPool2d.
// adaptive_max_pool2d_backward_<t>(dy, indices, dx, N·C, H, W, OH, OW)
//     dx[h, w] = Σ over the windows o covering (h, w) whose index is h·W + w of dy[o], in order of o (a gather: the
//     CPU's scatter order, no atomics). Mirrors AdaptiveMaxPool2dBackward.
//
// One thread per output (forward) or per input element (backward), grid-stride. This file includes no headers,
// shared (cuda/*.cuh) or system.

struct PoolGeometry { int N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW; };  // Pade.Engine.Pool2dGeometry

template <typename T> __device__ inline T negative_infinity();
template <> __device__ inline float negative_infinity<float>() { return __int_as_float(0xff800000); }
template <> __device__ inline double negative_infinity<double>() { return __longlong_as_double(0xfff0000000000000ull); }

__device__ inline int imin(int a, int b) { return a < b ? a : b; }
__device__ inline int imax(int a, int b) { return a > b ? a : b; }

// The output o (along one axis) of which position p is tap t, p = o·S − P + t·D, or −1 when there is none in
// [0, O). For a fixed p the outputs grow as t falls, so t = K − 1 .. 0 visits them in increasing order.
__device__ inline int output_of_tap(int p, int t, int S, int P, int D, int O)
{
    int q = p + P - t * D;
    if (q < 0 || q % S != 0 || q / S >= O) return -1;
    return q / S;
}

// Calls f(oh, ow) for every output having input position (h, w) as a tap, in row-major order of (oh, ow).
template <typename F>
__device__ inline void for_each_window_over(int h, int w, const PoolGeometry& g, F f)
{
    for (int i = g.KH - 1; i >= 0; --i)
    {
        int oh = output_of_tap(h, i, g.SH, g.PH, g.DH, g.OH);
        if (oh < 0) continue;
        for (int j = g.KW - 1; j >= 0; --j)
        {
            int ow = output_of_tap(w, j, g.SW, g.PW, g.DW, g.OW);
            if (ow >= 0) f(oh, ow);
        }
    }
}

// The first tap start + t·D (t < K) inside [0, size), and one past the last tap: [first, end), empty when every
// tap falls in the padding. Mirrors CpuBackend.PoolTaps.
__device__ inline void pool_taps(int start, int K, int D, int size, int& first, int& end)
{
    first = start >= 0 ? start : start + (-start + D - 1) / D * D;
    end = imin(start + (K - 1) * D + 1, size);
}

__device__ inline int avg_divisor(const PoolGeometry& g, int hs, int ws, int count_include_pad, int divisor_override)
{
    if (divisor_override != 0) return divisor_override;
    if (count_include_pad)
    {
        int h_end = imin(hs + g.KH, g.H + g.PH), w_end = imin(ws + g.KW, g.W + g.PW);
        return (h_end - hs) * (w_end - ws);
    }
    return (imin(hs + g.KH, g.H) - imax(hs, 0)) * (imin(ws + g.KW, g.W) - imax(ws, 0));
}

template <typename T>
__device__ void max_pool2d(const T* __restrict__ x, T* __restrict__ y, int* __restrict__ indices, PoolGeometry g)
{
    long long n = (long long)g.N * g.C * g.OH * g.OW;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int ow = (int)(e % g.OW), oh = (int)(e / g.OW % g.OH);
        long long plane = e / ((long long)g.OH * g.OW);
        const T* xp = x + plane * g.H * g.W;
        int h0, h1, w0, w1;
        pool_taps(oh * g.SH - g.PH, g.KH, g.DH, g.H, h0, h1);
        pool_taps(ow * g.SW - g.PW, g.KW, g.DW, g.W, w0, w1);
        T best = negative_infinity<T>();
        int at = h0 < h1 && w0 < w1 ? h0 * g.W + w0 : -1;
        for (int ih = h0; ih < h1; ih += g.DH)
            for (int iw = w0; iw < w1; iw += g.DW)
            {
                T v = xp[ih * g.W + iw];
                if (v > best || (v != v && best == best)) { best = v; at = ih * g.W + iw; }
            }
        y[e] = best;
        indices[e] = at;
    }
}

template <typename T>
__device__ void max_pool2d_backward(const T* __restrict__ dy, const int* __restrict__ indices, T* __restrict__ dx,
                                    PoolGeometry g)
{
    long long n = (long long)g.N * g.C * g.H * g.W;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int w = (int)(e % g.W), h = (int)(e / g.W % g.H);
        long long plane = e / ((long long)g.H * g.W);
        const T* dyp = dy + plane * g.OH * g.OW;
        const int* ip = indices + plane * g.OH * g.OW;
        int self = h * g.W + w;
        T s = T(0);
        for_each_window_over(h, w, g, [&](int oh, int ow) {
            if (ip[oh * g.OW + ow] == self) s += dyp[oh * g.OW + ow];
        });
        dx[e] = s;
    }
}

template <typename T>
__device__ void avg_pool2d(const T* __restrict__ x, T* __restrict__ y, PoolGeometry g, int count_include_pad,
                           int divisor_override)
{
    long long n = (long long)g.N * g.C * g.OH * g.OW;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int ow = (int)(e % g.OW), oh = (int)(e / g.OW % g.OH);
        long long plane = e / ((long long)g.OH * g.OW);
        const T* xp = x + plane * g.H * g.W;
        int hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
        int h0 = imax(hs, 0), h1 = imin(hs + g.KH, g.H), w0 = imax(ws, 0), w1 = imin(ws + g.KW, g.W);
        if (h0 >= h1 || w0 >= w1) { y[e] = T(0); continue; }  // never, under PyTorch's rules; as the CPU
        T s = T(0);
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) s += xp[ih * g.W + iw];
        y[e] = s / T(avg_divisor(g, hs, ws, count_include_pad, divisor_override));
    }
}

template <typename T>
__device__ void avg_pool2d_backward(const T* __restrict__ dy, T* __restrict__ dx, PoolGeometry g, int count_include_pad,
                                    int divisor_override)
{
    long long n = (long long)g.N * g.C * g.H * g.W;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int w = (int)(e % g.W), h = (int)(e / g.W % g.H);
        long long plane = e / ((long long)g.H * g.W);
        const T* dyp = dy + plane * g.OH * g.OW;
        T s = T(0);
        for_each_window_over(h, w, g, [&](int oh, int ow) {
            s += dyp[oh * g.OW + ow] / T(avg_divisor(g, oh * g.SH - g.PH, ow * g.SW - g.PW, count_include_pad, divisor_override));
        });
        dx[e] = s;
    }
}

__device__ inline int adaptive_start(int o, int in, int out) { return o * in / out; }
__device__ inline int adaptive_end(int o, int in, int out) { return ((o + 1) * in + out - 1) / out; }

template <typename T>
__device__ void adaptive_avg_pool2d(const T* __restrict__ x, T* __restrict__ y, long long planes, int H, int W, int OH, int OW)
{
    long long n = planes * OH * OW;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int j = (int)(e % OW), i = (int)(e / OW % OH);
        const T* xp = x + e / ((long long)OH * OW) * H * W;
        int h0 = adaptive_start(i, H, OH), h1 = adaptive_end(i, H, OH);
        int w0 = adaptive_start(j, W, OW), w1 = adaptive_end(j, W, OW);
        T s = T(0);
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) s += xp[ih * W + iw];
        y[e] = s / T((h1 - h0) * (w1 - w0));
    }
}

template <typename T>
__device__ void adaptive_avg_pool2d_backward(const T* __restrict__ dy, T* __restrict__ dx, long long planes, int H, int W,
                                             int OH, int OW)
{
    long long n = planes * H * W;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int w = (int)(e % W), h = (int)(e / W % H);
        const T* dyp = dy + e / ((long long)H * W) * OH * OW;
        T s = T(0);
        for (int i = 0; i < OH; ++i)
        {
            int h0 = adaptive_start(i, H, OH), h1 = adaptive_end(i, H, OH);
            if (h < h0 || h >= h1) continue;
            for (int j = 0; j < OW; ++j)
            {
                int w0 = adaptive_start(j, W, OW), w1 = adaptive_end(j, W, OW);
                if (w < w0 || w >= w1) continue;
                s += dyp[i * OW + j] / T((h1 - h0) * (w1 - w0));
            }
        }
        dx[e] = s;
    }
}

template <typename T>
__device__ void adaptive_max_pool2d(const T* __restrict__ x, T* __restrict__ y, int* __restrict__ indices, long long planes,
                                    int H, int W, int OH, int OW)
{
    long long n = planes * OH * OW;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int j = (int)(e % OW), i = (int)(e / OW % OH);
        const T* xp = x + e / ((long long)OH * OW) * H * W;
        int h0 = adaptive_start(i, H, OH), h1 = adaptive_end(i, H, OH);
        int w0 = adaptive_start(j, W, OW), w1 = adaptive_end(j, W, OW);
        T best = negative_infinity<T>();
        int at = h0 * W + w0;
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw)
            {
                T v = xp[ih * W + iw];
                if (v > best || v != v) { best = v; at = ih * W + iw; }
            }
        y[e] = best;
        indices[e] = at;
    }
}

template <typename T>
__device__ void adaptive_max_pool2d_backward(const T* __restrict__ dy, const int* __restrict__ indices, T* __restrict__ dx,
                                             long long planes, int H, int W, int OH, int OW)
{
    long long n = planes * H * W;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int w = (int)(e % W), h = (int)(e / W % H);
        long long plane = e / ((long long)H * W);
        const T* dyp = dy + plane * OH * OW;
        const int* ip = indices + plane * OH * OW;
        int self = h * W + w;
        T s = T(0);
        for (int i = 0; i < OH; ++i)
        {
            if (h < adaptive_start(i, H, OH) || h >= adaptive_end(i, H, OH)) continue;
            for (int j = 0; j < OW; ++j)
            {
                if (w < adaptive_start(j, W, OW) || w >= adaptive_end(j, W, OW)) continue;
                if (ip[i * OW + j] == self) s += dyp[i * OW + j];
            }
        }
        dx[e] = s;
    }
}

#define PADE_POOL(SUFFIX, T)                                                                                   \
    extern "C" __global__ void max_pool2d_##SUFFIX(const T* x, T* y, int* indices, PoolGeometry g)             \
    {                                                                                                          \
        max_pool2d<T>(x, y, indices, g);                                                                       \
    }                                                                                                          \
    extern "C" __global__ void max_pool2d_backward_##SUFFIX(const T* dy, const int* indices, T* dx, PoolGeometry g) \
    {                                                                                                          \
        max_pool2d_backward<T>(dy, indices, dx, g);                                                            \
    }                                                                                                          \
    extern "C" __global__ void avg_pool2d_##SUFFIX(const T* x, T* y, PoolGeometry g, int count_include_pad,    \
                                                   int divisor_override)                                       \
    {                                                                                                          \
        avg_pool2d<T>(x, y, g, count_include_pad, divisor_override);                                           \
    }                                                                                                          \
    extern "C" __global__ void avg_pool2d_backward_##SUFFIX(const T* dy, T* dx, PoolGeometry g,                \
                                                            int count_include_pad, int divisor_override)       \
    {                                                                                                          \
        avg_pool2d_backward<T>(dy, dx, g, count_include_pad, divisor_override);                                \
    }                                                                                                          \
    extern "C" __global__ void adaptive_avg_pool2d_##SUFFIX(const T* x, T* y, long long planes, int H, int W,  \
                                                            int OH, int OW)                                    \
    {                                                                                                          \
        adaptive_avg_pool2d<T>(x, y, planes, H, W, OH, OW);                                                    \
    }                                                                                                          \
    extern "C" __global__ void adaptive_avg_pool2d_backward_##SUFFIX(const T* dy, T* dx, long long planes,     \
                                                                     int H, int W, int OH, int OW)             \
    {                                                                                                          \
        adaptive_avg_pool2d_backward<T>(dy, dx, planes, H, W, OH, OW);                                         \
    }                                                                                                          \
    extern "C" __global__ void adaptive_max_pool2d_##SUFFIX(const T* x, T* y, int* indices, long long planes,  \
                                                            int H, int W, int OH, int OW)                      \
    {                                                                                                          \
        adaptive_max_pool2d<T>(x, y, indices, planes, H, W, OH, OW);                                           \
    }                                                                                                          \
    extern "C" __global__ void adaptive_max_pool2d_backward_##SUFFIX(const T* dy, const int* indices, T* dx,   \
                                                                     long long planes, int H, int W, int OH,   \
                                                                     int OW)                                   \
    {                                                                                                          \
        adaptive_max_pool2d_backward<T>(dy, indices, dx, planes, H, W, OH, OW);                                \
    }

PADE_POOL(f32, float)
PADE_POOL(f64, double)
