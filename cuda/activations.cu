// activations.cu: activation functions beyond elementwise.cu's, as the Engine defines them (formulas documented on
// the ops in Engine/Functional/Activations.*.cs; kinks follow PyTorch).
//
// Pointwise (UnaryOp codes 15..; alpha/beta as on the enum), forward y = f(x) and fused backward dx = dy·f'(x):
//   activation_unary_<t>(op, x, y, n, alpha, beta), activation_unary_backward_<t>(op, x, y, dy, dx, n, alpha, beta)
//     Relu6 min(max(x,0),6), ' = 1 on (0,6) · LeakyRelu x > 0 ? x : αx · Elu x > 0 ? x : α(eˣ−1), ' = y + α ·
//     Celu x > 0 ? x : α(e^(x/α)−1), ' = y/α + 1 · Softplus βx > thr ? x : log1p(e^(βx))/β, ' = σ(βx) ·
//     Silu x·σ(βx), ' = σ(1 + βx(1−σ)) · Gelu x·Φ(x), ' = Φ + xφ (Φ from erfc, in double) ·
//     GeluTanh ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³) · Mish x·tanh(softplus x), ' = t + x(1−t²)σ(x) ·
//     Hardtanh min(max(x, α), β), ' = 1 on (α, β) (0 at the kinks, as PyTorch).
//     Mirror CpuBackend's activation functors (Engine/Cpu/ActivationFunctors.cs).
//
// RReLU in training: rrelu_<t>(x, y, noise, n, lower, upper, seed, offset)
//     slope_i = lower + (upper − lower)·u_i (in double, rounded to t), u_i number i of the NoiseStream (seed, offset);
//     noise_i = x_i > 0 ? 1 : slope_i;  y_i = x_i·noise_i. Mirrors CpuBackend.RRelu.
//
// Per-channel parameters: x is [outer, C, inner] (ChannelLayout), parameters hold one value per channel (C = 1:
// shared). Forward kernels: one thread per element. Backward kernels: grid (C, pieces), each block writes the sums
// of its channel's parameter-gradient terms (double) to partials[c, piece, q]; channel_reduce_<t> (grid (C, P))
// then adds the pieces in order (no atomics: deterministic). Channels go in x, whose limit is 2³¹ − 1: y stops at
// 65535 (pieces and P stay far below it).
//   prelu_<t>(x, w, y, outer, C, inner)                        y = x > 0 ? x : w_c x
//   prelu_backward_<t>(x, w, dy, dx, partials, ...)            dx = x > 0 ? dy : w_c dy;  q0: Σ_{x ≤ 0} dy·x
//   apl_<t>(x, a, b, y, S, ...)                                y = max(0, x) + Σ_s a[s,c] max(0, b[s,c] − x)
//   apl_backward_<t>(x, a, b, dy, dx, partials, S, ...)        dx = dy(1[x > 0] − Σ_s a_s 1[b_s − x > 0]);
//                                                              q = s: Σ dy max(0, b_s − x);  q = S + s: Σ dy a_s 1[b_s − x > 0]
//   srelu_<t>(x, tl, al, tr, ar, y, ...)                       y = x ≥ t_r ? t_r + a_r(x − t_r) : x ≤ t_l ? t_l + a_l(x − t_l) : x
//   srelu_backward_<t>(x, tl, al, tr, ar, dy, dx, partials, ...)   q = 0..3: dt_l, da_l, dt_r, da_r (see Backend.SReluBackward)
//   slaf_<t>(x, coefficients, y, width, ...)                   y = Σ_{k<width} a[c,k] x^k (Horner)
//   slaf_backward_<t>(x, coefficients, dy, dx, partials, width, ...)  dx = dy·P'(x);  q = k: Σ dy x^k
//   channel_reduce_<t>(partials, pieces, P, C, out, channel_major)   out[c·P + q] (channel-major) or out[q·C + c]
// Maxout: x [outer, G, k, inner] -> y [outer, G, inner]:
//   maxout_<t>(x, y, argmax, k, outer, G, inner)               first maximum over the k pieces (a NaN wins)
//   maxout_backward_<t>(dy, argmax, dx, k, outer, G, inner)    dx = dy at the argmax piece, 0 elsewhere
// Mirror CpuBackend's kernels in Engine/Cpu/CpuLearnableActivations.cs.
// Shared code: math.cuh (m_exp, ...), common.cuh (block_sum), philox.cuh (the block function, for RReLU).
// NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "math.cuh"
#include "common.cuh"
#include "philox.cuh"

#define ACT_THREADS 256
#define ACT_MAXP 16

enum ActivationOpCode
{
    U_Relu6 = 15, U_LeakyRelu = 16, U_Elu = 17, U_Celu = 18, U_Softplus = 19, U_Silu = 20, U_Gelu = 21,
    U_GeluTanh = 22, U_Mish = 23, U_Hardtanh = 24,
};

template <typename T> __device__ inline T sigmoid(T z) { return T(1) / (T(1) + m_exp(-z)); }

__device__ inline double normal_cdf(double x) { return 0.5 * erfc(-x * 0.7071067811865476); }
__device__ inline double normal_pdf(double x) { return 0.3989422804014327 * exp(-0.5 * x * x); }

template <typename T>
__device__ inline T softplus_stable(T x) { return (x > T(0) ? x : T(0)) + log1p_g(m_exp(x > T(0) ? -x : x)); }

template <typename T>
__device__ inline T act_value(int op, T x, T a, T b)
{
    switch (op)
    {
    case U_Relu6: return x <= T(0) ? T(0) : x >= T(6) ? T(6) : x;
    case U_LeakyRelu: return x > T(0) ? x : a * x;
    case U_Elu: return x > T(0) ? x : a * (m_exp(x) - T(1));
    case U_Celu: return x > T(0) ? x : a * (m_exp(x / a) - T(1));
    case U_Softplus: { T z = a * x; return z > b ? x : log1p_g(m_exp(z)) / a; }
    case U_Silu: return x * sigmoid(a * x);
    case U_Gelu: return (T)((double)x * normal_cdf((double)x));
    case U_GeluTanh:
    {
        const T k0 = T(0.7978845608028654), k1 = T(0.044715), half = T(0.5);
        return half * x * (T(1) + m_tanh(k0 * (x + k1 * x * x * x)));
    }
    case U_Mish: return x * m_tanh(softplus_stable(x));
    case U_Hardtanh: return x <= a ? a : x >= b ? b : x;
    default: return x;  // unreachable: the host launches only the codes above
    }
}

template <typename T>
__device__ inline T act_grad(int op, T x, T y, T dy, T a, T b)
{
    switch (op)
    {
    case U_Relu6: return x > T(0) && x < T(6) ? dy : T(0);
    case U_LeakyRelu: return x > T(0) ? dy : a * dy;
    case U_Elu: return x > T(0) ? dy : dy * (y + a);
    case U_Celu: return x > T(0) ? dy : dy * (y / a + T(1));
    case U_Softplus:
    {
        T z = a * x;
        if (z > b) return dy;
        T e = m_exp(z);
        return dy * e / (e + T(1));
    }
    case U_Silu: { T z = a * x, s = sigmoid(z); return dy * s * (T(1) + z * (T(1) - s)); }
    case U_Gelu: { double d = (double)x; return dy * (T)(normal_cdf(d) + d * normal_pdf(d)); }
    case U_GeluTanh:
    {
        const T k0 = T(0.7978845608028654), k1 = T(0.044715), k3 = T(3 * 0.044715), half = T(0.5);
        T x2 = x * x, t = m_tanh(k0 * (x + k1 * x2 * x));
        return dy * (half * (T(1) + t) + half * x * (T(1) - t * t) * k0 * (T(1) + k3 * x2));
    }
    case U_Mish:
    {
        T t = m_tanh(softplus_stable(x)), s = sigmoid(x);
        return dy * (t + x * (T(1) - t * t) * s);
    }
    case U_Hardtanh: return x > a && x < b ? dy : T(0);
    default: return T(0);
    }
}

template <typename T>
__device__ void activation_unary(int op, const T* x, T* y, long long n, T a, T b)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) y[i] = act_value(op, x[i], a, b);
}

template <typename T>
__device__ void activation_unary_backward(int op, const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ dy,
                                          T* __restrict__ dx, long long n, T a, T b)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dx[i] = act_grad(op, x[i], y[i], dy[i], a, b);
}

// ---- RReLU -------------------------------------------------------------------------------------------------

// Number j of the NoiseStream at `offset`, in double (NoiseStream.Uniform).
__device__ inline double noise_uniform(unsigned long long seed, unsigned long long offset, unsigned long long j, bool single)
{
    if (single) return (double)(philox_block(seed, (offset + j) >> 2).at(offset + j) >> 8) * (1.0 / 16777216.0);
    unsigned long long w = offset + 2 * j;
    unsigned long long hi = philox_block(seed, w >> 2).at(w), lo = philox_block(seed, (w + 1) >> 2).at(w + 1);
    return (double)(((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}

template <typename T>
__device__ void rrelu(const T* __restrict__ x, T* __restrict__ y, T* __restrict__ noise, long long n, double lower,
                      double upper, unsigned long long seed, unsigned long long offset)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T v = x[i];
        // Rounded twice, as the CPU does: NVRTC would otherwise contract this into one fma (--fmad=true).
        double u = noise_uniform(seed, offset, (unsigned long long)i, sizeof(T) == 4);
        T slope = (T)__dadd_rn(lower, __dmul_rn(upper - lower, u));
        T factor = v > T(0) ? T(1) : slope;
        y[i] = v * factor;
        noise[i] = factor;
    }
}

// ---- per-channel parameters ----------------------------------------------------------------------------------

__device__ inline long long channel_of(long long i, int C, long long inner) { return i / inner % C; }

// Calls f(i) for this block's share of channel blockIdx.x's elements (grid (C, pieces)).
template <typename F>
__device__ inline void for_channel(long long outer, int C, long long inner, F f)
{
    int c = blockIdx.x;
    long long m = outer * inner, stride = (long long)gridDim.y * blockDim.x;
    for (long long j = (long long)blockIdx.y * blockDim.x + threadIdx.x; j < m; j += stride)
        f((j / inner * C + c) * inner + j % inner);
}

// Writes the block's sums acc[0..P) to partials[c, piece, ·].
__device__ inline void store_partials(const double* acc, int P, double* partials, double* scratch)
{
    double* row = partials + ((long long)blockIdx.x * gridDim.y + blockIdx.y) * P;
#pragma unroll
    for (int q = 0; q < ACT_MAXP; ++q)
        if (q < P)
        {
            double total = block_sum(acc[q], scratch);
            if (threadIdx.x == 0) row[q] = total;
        }
}

template <typename T>
__device__ void prelu(const T* __restrict__ x, const T* __restrict__ w, T* __restrict__ y, long long outer, int C, long long inner)
{
    long long n = outer * C * inner, stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T v = x[i];
        y[i] = v > T(0) ? v : w[channel_of(i, C, inner)] * v;
    }
}

template <typename T>
__device__ void prelu_backward(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ dy, T* __restrict__ dx,
                               double* __restrict__ partials, long long outer, int C, long long inner)
{
    __shared__ double scratch[ACT_THREADS / 32];
    T wc = w[blockIdx.x];
    double acc[ACT_MAXP] = {0};
    for_channel(outer, C, inner, [&](long long i) {
        T v = x[i], g = dy[i];
        if (v > T(0)) dx[i] = g;
        else { dx[i] = wc * g; acc[0] += (double)(g * v); }
    });
    store_partials(acc, 1, partials, scratch);
}

template <typename T>
__device__ void apl(const T* __restrict__ x, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ y, int S,
                    long long outer, int C, long long inner)
{
    long long n = outer * C * inner, stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        int c = (int)channel_of(i, C, inner);
        T v = x[i], r = v > T(0) ? v : T(0);
        for (int h = 0; h < S; ++h)
        {
            T u = b[h * C + c] - v;
            r += a[h * C + c] * (u > T(0) ? u : T(0));
        }
        y[i] = r;
    }
}

template <typename T>
__device__ void apl_backward(const T* __restrict__ x, const T* __restrict__ a, const T* __restrict__ b, const T* __restrict__ dy,
                             T* __restrict__ dx, double* __restrict__ partials, int S, long long outer, int C, long long inner)
{
    __shared__ double scratch[ACT_THREADS / 32];
    int c = blockIdx.x;
    double acc_a[ACT_MAXP / 2] = {0}, acc_b[ACT_MAXP / 2] = {0};
    for_channel(outer, C, inner, [&](long long i) {
        T v = x[i], g = dy[i], d = v > T(0) ? T(1) : T(0);
        double gd = (double)g;
#pragma unroll
        for (int h = 0; h < ACT_MAXP / 2; ++h)
            if (h < S)
            {
                T ah = a[h * C + c], u = b[h * C + c] - v;
                if (u > T(0))
                {
                    d -= ah;
                    acc_a[h] += gd * (double)u;
                    acc_b[h] += gd * (double)ah;
                }
            }
        dx[i] = g * d;
    });
    // Partials in the order q = s (a), S + s (b).
    double* row = partials + ((long long)blockIdx.x * gridDim.y + blockIdx.y) * 2 * S;
#pragma unroll
    for (int h = 0; h < ACT_MAXP / 2; ++h)
        if (h < S)
        {
            double ta = block_sum(acc_a[h], scratch);
            double tb = block_sum(acc_b[h], scratch);
            if (threadIdx.x == 0) { row[h] = ta; row[S + h] = tb; }
        }
}

template <typename T>
__device__ void srelu(const T* __restrict__ x, const T* __restrict__ tl, const T* __restrict__ al, const T* __restrict__ tr,
                      const T* __restrict__ ar, T* __restrict__ y, long long outer, int C, long long inner)
{
    long long n = outer * C * inner, stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        int c = (int)channel_of(i, C, inner);
        T v = x[i];
        y[i] = v >= tr[c] ? tr[c] + ar[c] * (v - tr[c]) : v <= tl[c] ? tl[c] + al[c] * (v - tl[c]) : v;
    }
}

template <typename T>
__device__ void srelu_backward(const T* __restrict__ x, const T* __restrict__ tl, const T* __restrict__ al,
                               const T* __restrict__ tr, const T* __restrict__ ar, const T* __restrict__ dy, T* __restrict__ dx,
                               double* __restrict__ partials, long long outer, int C, long long inner)
{
    __shared__ double scratch[ACT_THREADS / 32];
    int c = blockIdx.x;
    T tlc = tl[c], alc = al[c], trc = tr[c], arc = ar[c];
    double acc[ACT_MAXP] = {0};
    for_channel(outer, C, inner, [&](long long i) {
        T v = x[i], g = dy[i];
        if (v >= trc)
        {
            dx[i] = arc * g;
            acc[2] += (double)((T(1) - arc) * g);
            acc[3] += (double)((v - trc) * g);
        }
        else if (v <= tlc)
        {
            dx[i] = alc * g;
            acc[0] += (double)((T(1) - alc) * g);
            acc[1] += (double)((v - tlc) * g);
        }
        else dx[i] = g;
    });
    store_partials(acc, 4, partials, scratch);
}

template <typename T>
__device__ void slaf(const T* __restrict__ x, const T* __restrict__ coef, T* __restrict__ y, int width, long long outer, int C,
                     long long inner)
{
    long long n = outer * C * inner, stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        const T* a = coef + channel_of(i, C, inner) * width;
        T v = x[i], r = a[width - 1];
        for (int k = width - 2; k >= 0; --k) r = r * v + a[k];
        y[i] = r;
    }
}

template <typename T>
__device__ void slaf_backward(const T* __restrict__ x, const T* __restrict__ coef, const T* __restrict__ dy, T* __restrict__ dx,
                              double* __restrict__ partials, int width, long long outer, int C, long long inner)
{
    __shared__ double scratch[ACT_THREADS / 32];
    const T* a = coef + (long long)blockIdx.x * width;
    double acc[ACT_MAXP] = {0};
    for_channel(outer, C, inner, [&](long long i) {
        T v = x[i], g = dy[i], r = a[width - 1], dr = T(0);
        for (int k = width - 2; k >= 0; --k) { dr = dr * v + r; r = r * v + a[k]; }
        dx[i] = g * dr;
        T pw = g;  // dy·x^k
#pragma unroll
        for (int k = 0; k < ACT_MAXP; ++k)
            if (k < width) { acc[k] += (double)pw; pw *= v; }
    });
    store_partials(acc, width, partials, scratch);
}

// grid (C, P): out[c·P + q] (channel_major) or out[q·C + c] = Σ_pieces partials[c, piece, q].
template <typename T>
__device__ void channel_reduce(const double* __restrict__ partials, int pieces, int P, int C, T* __restrict__ out, int channel_major)
{
    __shared__ double scratch[ACT_THREADS / 32];
    int c = blockIdx.x, q = blockIdx.y;
    double v = 0;
    for (int p = threadIdx.x; p < pieces; p += blockDim.x) v += partials[((long long)c * pieces + p) * P + q];
    double total = block_sum(v, scratch);
    if (threadIdx.x == 0) out[channel_major ? (long long)c * P + q : (long long)q * C + c] = (T)total;
}

template <typename T>
__device__ void maxout(const T* __restrict__ x, T* __restrict__ y, int* __restrict__ argmax, int k, long long outer, int groups,
                       long long inner)
{
    long long n = outer * groups * inner, stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long row = e / inner, s = e % inner;
        const T* xb = x + row * k * inner + s;
        T best = xb[0];
        int at = 0;
        for (int j = 1; j < k; ++j)
        {
            T v = xb[(long long)j * inner];
            if (v > best || (v != v && best == best)) { best = v; at = j; }
        }
        y[e] = best;
        argmax[e] = at;
    }
}

template <typename T>
__device__ void maxout_backward(const T* __restrict__ dy, const int* __restrict__ argmax, T* __restrict__ dx, int k,
                                long long outer, int groups, long long inner)
{
    long long n = outer * groups * k * inner, stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        long long s = e % inner, j = e / inner % k, row = e / (inner * k);
        long long o = row * inner + s;
        dx[e] = argmax[o] == (int)j ? dy[o] : T(0);
    }
}

#define PADE_ACT(SUFFIX, T)                                                                                         \
    extern "C" __global__ void activation_unary_##SUFFIX(int op, const T* x, T* y, long long n, T a, T b)           \
    { activation_unary<T>(op, x, y, n, a, b); }                                                                      \
    extern "C" __global__ void activation_unary_backward_##SUFFIX(int op, const T* x, const T* y, const T* dy, T* dx, \
                                                                  long long n, T a, T b)                            \
    { activation_unary_backward<T>(op, x, y, dy, dx, n, a, b); }                                                     \
    extern "C" __global__ void rrelu_##SUFFIX(const T* x, T* y, T* noise, long long n, double lower, double upper,  \
                                              unsigned long long seed, unsigned long long offset)                   \
    { rrelu<T>(x, y, noise, n, lower, upper, seed, offset); }                                                        \
    extern "C" __global__ void prelu_##SUFFIX(const T* x, const T* w, T* y, long long outer, int C, long long inner) \
    { prelu<T>(x, w, y, outer, C, inner); }                                                                          \
    extern "C" __global__ void __launch_bounds__(ACT_THREADS) prelu_backward_##SUFFIX(                              \
        const T* x, const T* w, const T* dy, T* dx, double* partials, long long outer, int C, long long inner)       \
    { prelu_backward<T>(x, w, dy, dx, partials, outer, C, inner); }                                                  \
    extern "C" __global__ void apl_##SUFFIX(const T* x, const T* a, const T* b, T* y, int S, long long outer, int C, \
                                            long long inner)                                                         \
    { apl<T>(x, a, b, y, S, outer, C, inner); }                                                                      \
    extern "C" __global__ void __launch_bounds__(ACT_THREADS) apl_backward_##SUFFIX(                                \
        const T* x, const T* a, const T* b, const T* dy, T* dx, double* partials, int S, long long outer, int C,     \
        long long inner)                                                                                             \
    { apl_backward<T>(x, a, b, dy, dx, partials, S, outer, C, inner); }                                              \
    extern "C" __global__ void srelu_##SUFFIX(const T* x, const T* tl, const T* al, const T* tr, const T* ar, T* y,  \
                                              long long outer, int C, long long inner)                              \
    { srelu<T>(x, tl, al, tr, ar, y, outer, C, inner); }                                                             \
    extern "C" __global__ void __launch_bounds__(ACT_THREADS) srelu_backward_##SUFFIX(                              \
        const T* x, const T* tl, const T* al, const T* tr, const T* ar, const T* dy, T* dx, double* partials,        \
        long long outer, int C, long long inner)                                                                     \
    { srelu_backward<T>(x, tl, al, tr, ar, dy, dx, partials, outer, C, inner); }                                     \
    extern "C" __global__ void slaf_##SUFFIX(const T* x, const T* coef, T* y, int width, long long outer, int C,     \
                                             long long inner)                                                        \
    { slaf<T>(x, coef, y, width, outer, C, inner); }                                                                 \
    extern "C" __global__ void __launch_bounds__(ACT_THREADS) slaf_backward_##SUFFIX(                               \
        const T* x, const T* coef, const T* dy, T* dx, double* partials, int width, long long outer, int C,          \
        long long inner)                                                                                             \
    { slaf_backward<T>(x, coef, dy, dx, partials, width, outer, C, inner); }                                         \
    extern "C" __global__ void __launch_bounds__(ACT_THREADS) channel_reduce_##SUFFIX(                              \
        const double* partials, int pieces, int P, int C, T* out, int channel_major)                                 \
    { channel_reduce<T>(partials, pieces, P, C, out, channel_major); }                                               \
    extern "C" __global__ void maxout_##SUFFIX(const T* x, T* y, int* argmax, int k, long long outer, int groups,    \
                                               long long inner)                                                      \
    { maxout<T>(x, y, argmax, k, outer, groups, inner); }                                                            \
    extern "C" __global__ void maxout_backward_##SUFFIX(const T* dy, const int* argmax, T* dx, int k, long long outer, \
                                                        int groups, long long inner)                                 \
    { maxout_backward<T>(dy, argmax, dx, k, outer, groups, inner); }

PADE_ACT(f32, float)
PADE_ACT(f64, double)
