// pool.cu: 2-D max, average and adaptive average pooling over x [N, C, H, W] (NCHW, contiguous).
//
// Window of output (oh, ow): rows hs = oh·SH − PH .. hs + KH − 1, columns ws = ow·SW − PW .. ws + KW − 1, clipped
// to the image (padding never contributes).
//
// max_pool2d_<t>(x, y, indices, g)
//     y = max of the window, scanned row-major with a strict comparison (the first maximum wins ties; a NaN wins
//     and sticks); indices = ih·W + iw of that element. Mirrors CpuBackend.MaxPool2d.
// max_pool2d_backward_<t>(dy, indices, dx, g)
//     dx[h, w] = Σ over the outputs o whose window covers (h, w) and whose index is h·W + w of dy[o], summed in
//     order of o. A gather, one thread per dx element: no atomics, the CPU's order. Mirrors MaxPool2dBackward.
// avg_pool2d_<t>(x, y, g, count_include_pad)
//     y = (Σ window) / d, d = the window's size up to the padded border (count_include_pad, PyTorch's default)
//     or the number of positions inside the image. Mirrors CpuBackend.AvgPool2d / AvgDivisor.
// avg_pool2d_backward_<t>(dy, dx, g, count_include_pad)
//     dx[h, w] = Σ over the windows o covering (h, w) of dy[o] / d(o), in order of o. Mirrors AvgPool2dBackward.
// adaptive_avg_pool2d_<t>(x, y, N·C, H, W, OH, OW)
//     window rows ⌊oh·H/OH⌋ .. ⌈(oh+1)·H/OH⌉ − 1 (columns likewise); y = window mean. Mirrors AdaptiveAvgPool2d.
// adaptive_avg_pool2d_backward_<t>(dy, dx, N·C, H, W, OH, OW)
//     dx[h, w] = Σ over the windows o covering (h, w) of dy[o] / |window o|. Mirrors AdaptiveAvgPool2dBackward.
//
// One thread per output (forward) or per input element (backward), grid-stride. This file includes no headers,
// shared (cuda/*.cuh) or system.

struct PoolGeometry { int N, C, H, W, KH, KW, SH, SW, PH, PW, OH, OW; };  // Pade.Engine.Pool2dGeometry

template <typename T> __device__ inline T negative_infinity();
template <> __device__ inline float negative_infinity<float>() { return __int_as_float(0xff800000); }
template <> __device__ inline double negative_infinity<double>() { return __longlong_as_double(0xfff0000000000000ull); }

__device__ inline int imin(int a, int b) { return a < b ? a : b; }
__device__ inline int imax(int a, int b) { return a > b ? a : b; }

// Outputs o (along one axis) whose window [o·S − P, o·S − P + K) contains position p: [first, last].
__device__ inline void covering(int p, int K, int S, int P, int O, int& first, int& last)
{
    int hi = p + P;                  // o·S ≤ p + P
    int lo = p + P - K + 1;          // o·S ≥ p + P − K + 1
    first = lo <= 0 ? 0 : (lo + S - 1) / S;
    last = imin(O - 1, hi / S);
}

// Calls f(oh, ow) for every output whose window contains input position (h, w), in row-major order of (oh, ow).
template <typename F>
__device__ inline void for_each_window_over(int h, int w, const PoolGeometry& g, F f)
{
    int oh0, oh1, ow0, ow1;
    covering(h, g.KH, g.SH, g.PH, g.OH, oh0, oh1);
    covering(w, g.KW, g.SW, g.PW, g.OW, ow0, ow1);
    for (int oh = oh0; oh <= oh1; ++oh)
        for (int ow = ow0; ow <= ow1; ++ow) f(oh, ow);
}

__device__ inline int avg_divisor(const PoolGeometry& g, int hs, int ws, int count_include_pad)
{
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
        int h0 = oh * g.SH - g.PH, h1 = imin(h0 + g.KH, g.H), w0 = ow * g.SW - g.PW, w1 = imin(w0 + g.KW, g.W);
        h0 = imax(h0, 0);
        w0 = imax(w0, 0);
        T best = negative_infinity<T>();
        int at = h0 * g.W + w0;
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw)
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
__device__ void avg_pool2d(const T* __restrict__ x, T* __restrict__ y, PoolGeometry g, int count_include_pad)
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
        T s = T(0);
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) s += xp[ih * g.W + iw];
        y[e] = s / T(avg_divisor(g, hs, ws, count_include_pad));
    }
}

template <typename T>
__device__ void avg_pool2d_backward(const T* __restrict__ dy, T* __restrict__ dx, PoolGeometry g, int count_include_pad)
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
            s += dyp[oh * g.OW + ow] / T(avg_divisor(g, oh * g.SH - g.PH, ow * g.SW - g.PW, count_include_pad));
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

#define PADE_POOL(SUFFIX, T)                                                                                   \
    extern "C" __global__ void max_pool2d_##SUFFIX(const T* x, T* y, int* indices, PoolGeometry g)             \
    {                                                                                                          \
        max_pool2d<T>(x, y, indices, g);                                                                       \
    }                                                                                                          \
    extern "C" __global__ void max_pool2d_backward_##SUFFIX(const T* dy, const int* indices, T* dx, PoolGeometry g) \
    {                                                                                                          \
        max_pool2d_backward<T>(dy, indices, dx, g);                                                            \
    }                                                                                                          \
    extern "C" __global__ void avg_pool2d_##SUFFIX(const T* x, T* y, PoolGeometry g, int count_include_pad)    \
    {                                                                                                          \
        avg_pool2d<T>(x, y, g, count_include_pad);                                                             \
    }                                                                                                          \
    extern "C" __global__ void avg_pool2d_backward_##SUFFIX(const T* dy, T* dx, PoolGeometry g,                \
                                                            int count_include_pad)                             \
    {                                                                                                          \
        avg_pool2d_backward<T>(dy, dx, g, count_include_pad);                                                  \
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
    }

PADE_POOL(f32, float)
PADE_POOL(f64, double)
