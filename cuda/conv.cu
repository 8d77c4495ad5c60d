// conv.cu: 2-D convolution (cross-correlation, NCHW) as im2col + GEMM (gemm.cu), and direct depthwise kernels.
//
//     y[n, k, oh, ow] = b[k] + Σ_{c ∈ group(k), i, j} w[k, c, i, j] · x[n, c, oh·SH − PH + i·DH, ow·SW − PW + j·DW]
//
// (positions outside the image read 0). Geometry as Pade.Engine.Conv2dGeometry. Mirrors CpuBackend.Conv2d /
// Conv2dBackward: for one group and a chunk of S samples starting at sample s0 the host runs
//     im2col:       col [R, S·OH·OW],  R = C/G·KH·KW, col[(c·KH + i)·KW + j, s·OH·OW + oh·OW + ow] = x[s0+s, c, ih, iw]
//     forward:      tmp [K/G, S·OH·OW] = W_g · col (gemm), then conv_output scatters tmp into y adding the bias
//     input grad:   conv_gather_dy: dY_g [K/G, S·OH·OW];  dcol = W_gᵀ · dY_g (gemm);  col2im: dx = Σ over the
//                   (i, j) that reach each input position of dcol — a gather, one thread per dx element, no atomics
//     weight grad:  dW_g += dY_g · colᵀ (gemm, accumulating chunk after chunk in a fixed order)
//
// im2col_<t>(x, col, g, s0, samples, group)
// col2im_<t>(col, dx, g, s0, samples, group)            writes (overwrites) dx for the group's channels
// conv_output_<t>(tmp, bias, y, g, s0, samples, group)  y[s0+s, group·K/G + r, p] = tmp[r, s·OH·OW + p] + b[group·K/G + r]
// conv_gather_dy_<t>(dy, tmp, g, s0, samples, group)    tmp[r, s·OH·OW + p] = dy[s0+s, group·K/G + r, p]
//
// Depthwise (C = K = G, w [C, 1, KH, KW], MobileNetV2), direct, one thread per output element:
// depthwise_forward_<t>(x, w, b, y, g)                  the formula above with one channel per group
// depthwise_backward_input_<t>(w, dy, dx, g)            dx[n, c, h, w] = Σ_{i, j, oh, ow reaching (h, w)} w[c, i, j] dy[n, c, oh, ow]
// depthwise_backward_weight_<t>(x, dy, dw, g)           dw[c, i, j] = Σ_{n, oh, ow} dy[n, c, oh, ow] x[n, c, ih, iw]:
//                                                       one block per weight, a fixed tree: deterministic
// Mirrors CpuBackend's DepthwiseForward / DepthwiseBackwardInput / DepthwiseBackwardWeight.
// This file includes no headers, shared (cuda/*.cuh) or system.

struct ConvGeometry { int N, C, H, W, K, KH, KW, SH, SW, PH, PW, DH, DW, Groups, OH, OW; };  // Conv2dGeometry

#define CONV_THREADS 256

template <typename T>
__device__ void im2col(const T* __restrict__ x, T* __restrict__ col, ConvGeometry g, int s0, int samples, int group)
{
    int cg = g.C / g.Groups;
    long long ohw = (long long)g.OH * g.OW, cols = samples * ohw, rows = (long long)cg * g.KH * g.KW;
    long long n = rows * cols;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long r = e / cols, q = e % cols;
        int s = (int)(q / ohw), p = (int)(q % ohw), oh = p / g.OW, ow = p % g.OW;
        int j = (int)(r % g.KW), i = (int)(r / g.KW % g.KH), c = (int)(r / ((long long)g.KW * g.KH));
        int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
        T v = T(0);
        if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W)
            v = x[(((long long)(s0 + s) * g.C + group * cg + c) * g.H + ih) * g.W + iw];
        col[e] = v;
    }
}

// Calls f(i, j, oh, ow) for every use of input position (h, w): kernel tap (i, j) of output (oh, ow), in order of
// (i, j). Along one axis the taps t and outputs o with o·S − P + t·D = p, 0 ≤ o < O, 0 ≤ t < KT are: for each t,
// o = (p + P − t·D) / S when that divides exactly.
template <typename F>
__device__ inline void for_each_use(int h, int w, const ConvGeometry& g, F f)
{
    for (int i = 0; i < g.KH; ++i)
    {
        int th = h + g.PH - i * g.DH;
        if (th < 0 || th % g.SH != 0 || th / g.SH >= g.OH) continue;
        int oh = th / g.SH;
        for (int j = 0; j < g.KW; ++j)
        {
            int tw = w + g.PW - j * g.DW;
            if (tw < 0 || tw % g.SW != 0 || tw / g.SW >= g.OW) continue;
            f(i, j, oh, tw / g.SW);
        }
    }
}

template <typename T>
__device__ void col2im(const T* __restrict__ col, T* __restrict__ dx, ConvGeometry g, int s0, int samples, int group)
{
    int cg = g.C / g.Groups;
    long long ohw = (long long)g.OH * g.OW, cols = samples * ohw;
    long long n = (long long)samples * cg * g.H * g.W;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int w = (int)(e % g.W), h = (int)(e / g.W % g.H), c = (int)(e / ((long long)g.W * g.H) % cg);
        int s = (int)(e / ((long long)g.W * g.H * cg));
        T sum = T(0);
        for_each_use(h, w, g, [&](int i, int j, int oh, int ow) {
            long long r = ((long long)c * g.KH + i) * g.KW + j;
            sum += col[r * cols + s * ohw + (long long)oh * g.OW + ow];
        });
        dx[(((long long)(s0 + s) * g.C + group * cg + c) * g.H + h) * g.W + w] = sum;
    }
}

template <typename T>
__device__ void conv_output(const T* __restrict__ tmp, const T* __restrict__ bias, T* __restrict__ y, ConvGeometry g,
                            int s0, int samples, int group)
{
    int kg = g.K / g.Groups;
    long long ohw = (long long)g.OH * g.OW, cols = samples * ohw, n = kg * cols;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long r = e / cols, q = e % cols, s = q / ohw, p = q % ohw;
        int k = group * kg + (int)r;
        y[((s0 + s) * g.K + k) * ohw + p] = tmp[e] + (bias ? bias[k] : T(0));
    }
}

template <typename T>
__device__ void conv_gather_dy(const T* __restrict__ dy, T* __restrict__ tmp, ConvGeometry g, int s0, int samples, int group)
{
    int kg = g.K / g.Groups;
    long long ohw = (long long)g.OH * g.OW, cols = samples * ohw, n = kg * cols;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long r = e / cols, q = e % cols, s = q / ohw, p = q % ohw;
        tmp[e] = dy[((s0 + s) * g.K + group * kg + r) * ohw + p];
    }
}

template <typename T>
__device__ void depthwise_forward(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b,
                                  T* __restrict__ y, ConvGeometry g)
{
    long long n = (long long)g.N * g.C * g.OH * g.OW;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int ow = (int)(e % g.OW), oh = (int)(e / g.OW % g.OH);
        long long plane = e / ((long long)g.OH * g.OW);
        int c = (int)(plane % g.C);
        const T* xp = x + plane * g.H * g.W;
        const T* wc = w + (long long)c * g.KH * g.KW;
        T s = b ? b[c] : T(0);
        for (int i = 0; i < g.KH; ++i)
        {
            int ih = oh * g.SH - g.PH + i * g.DH;
            if (ih < 0 || ih >= g.H) continue;
            for (int j = 0; j < g.KW; ++j)
            {
                int iw = ow * g.SW - g.PW + j * g.DW;
                if (iw < 0 || iw >= g.W) continue;
                s += wc[i * g.KW + j] * xp[ih * g.W + iw];
            }
        }
        y[e] = s;
    }
}

template <typename T>
__device__ void depthwise_backward_input(const T* __restrict__ w, const T* __restrict__ dy, T* __restrict__ dx, ConvGeometry g)
{
    long long n = (long long)g.N * g.C * g.H * g.W;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int x_w = (int)(e % g.W), h = (int)(e / g.W % g.H);
        long long plane = e / ((long long)g.H * g.W);
        int c = (int)(plane % g.C);
        const T* dyp = dy + plane * g.OH * g.OW;
        const T* wc = w + (long long)c * g.KH * g.KW;
        T s = T(0);
        for_each_use(h, x_w, g, [&](int i, int j, int oh, int ow) { s += wc[i * g.KW + j] * dyp[oh * g.OW + ow]; });
        dx[e] = s;
    }
}

// grid = C·KH·KW blocks of CONV_THREADS threads.
template <typename T>
__device__ void depthwise_backward_weight(const T* __restrict__ x, const T* __restrict__ dy, T* __restrict__ dw, ConvGeometry g)
{
    __shared__ T scratch[CONV_THREADS];
    int weight = blockIdx.x;
    int j = weight % g.KW, i = weight / g.KW % g.KH, c = weight / (g.KW * g.KH);
    long long ohw = (long long)g.OH * g.OW, m = (long long)g.N * ohw;
    T s = T(0);
    for (long long q = threadIdx.x; q < m; q += blockDim.x)
    {
        int n = (int)(q / ohw), p = (int)(q % ohw), oh = p / g.OW, ow = p % g.OW;
        int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
        long long plane = (long long)n * g.C + c;
        s += dy[plane * ohw + p] * x[(plane * g.H + ih) * g.W + iw];
    }
    scratch[threadIdx.x] = s;
    __syncthreads();
    for (int half = CONV_THREADS / 2; half > 0; half >>= 1)
    {
        if ((int)threadIdx.x < half) scratch[threadIdx.x] += scratch[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) dw[weight] = scratch[0];
}

#define PADE_CONV(SUFFIX, T)                                                                                    \
    extern "C" __global__ void im2col_##SUFFIX(const T* x, T* col, ConvGeometry g, int s0, int samples, int group) \
    {                                                                                                           \
        im2col<T>(x, col, g, s0, samples, group);                                                               \
    }                                                                                                           \
    extern "C" __global__ void col2im_##SUFFIX(const T* col, T* dx, ConvGeometry g, int s0, int samples, int group) \
    {                                                                                                           \
        col2im<T>(col, dx, g, s0, samples, group);                                                              \
    }                                                                                                           \
    extern "C" __global__ void conv_output_##SUFFIX(const T* tmp, const T* bias, T* y, ConvGeometry g, int s0,  \
                                                    int samples, int group)                                     \
    {                                                                                                           \
        conv_output<T>(tmp, bias, y, g, s0, samples, group);                                                    \
    }                                                                                                           \
    extern "C" __global__ void conv_gather_dy_##SUFFIX(const T* dy, T* tmp, ConvGeometry g, int s0, int samples, \
                                                       int group)                                               \
    {                                                                                                           \
        conv_gather_dy<T>(dy, tmp, g, s0, samples, group);                                                      \
    }                                                                                                           \
    extern "C" __global__ void depthwise_forward_##SUFFIX(const T* x, const T* w, const T* b, T* y, ConvGeometry g) \
    {                                                                                                           \
        depthwise_forward<T>(x, w, b, y, g);                                                                    \
    }                                                                                                           \
    extern "C" __global__ void depthwise_backward_input_##SUFFIX(const T* w, const T* dy, T* dx, ConvGeometry g) \
    {                                                                                                           \
        depthwise_backward_input<T>(w, dy, dx, g);                                                              \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(CONV_THREADS)                                                  \
        depthwise_backward_weight_##SUFFIX(const T* x, const T* dy, T* dw, ConvGeometry g)                      \
    {                                                                                                           \
        depthwise_backward_weight<T>(x, dy, dw, g);                                                             \
    }

PADE_CONV(f32, float)
PADE_CONV(f64, double)
