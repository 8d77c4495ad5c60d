// pau.cu: Padé Activation Units (Molina et al., ICLR 2020), forward and closed-form backward, with RPAU noise.
//
//     F(x) = P(x) / Q(x),   P(x) = a_0 + a_1 x + ... + a_m x^m
//     version A (safe PAU): Q = 1 + Σ_{k=1..n} |b_k| |x|^k          version B, D: Q = 1 + |Σ_{k=1..n} b_k x^k|
//     version C:            Q = 0.1 + |Σ_{k=0..n} b_k x^k|           (D is B's formula; its noise comes as for RPAU)
//
// Gradients (paper §2.2), dy the upstream gradient, with Q' = dQ/dx and sgn(v) = −1 for v < 0, +1 otherwise
// (also at 0: the one-sided derivative on the non-negative side):
//     dF/dx   = P'/Q − P·Q'/Q²
//     dF/da_j = x^j / Q
//     dF/db_k = −P/Q² · s · u^k      A: s = sgn(b_k) (applied to the sum), u = |x|;  B, D: s = sgn(Σ b_k x^k), u = x;
//                                    C: s = sgn(Σ b_k x^k), u = x, k from 0
//     A: Q' = sgn(x)·Σ k |b_k| |x|^(k-1);  B: Q' = s·Σ k b_k x^(k-1);  C: Q' = s·Σ k b_k x^(k-1)
//
// Layout (Engine's ChannelLayout): x is [outer, channels, inner]; element (o, c, s) at flat index (o·C + c)·inner + s
// uses coefficient row c of a [C, m + 1] and b [C, nb] (C = 1: shared by the whole tensor).
//
// Noise (RPAU, Engine's PauNoise): in training every coefficient of element i is multiplied by its factor
//     f = 1 + α(2u − 1),  u = number i·K + q of the NoiseStream (seed, offset),  K = (m + 1) + nb,
// q = 0..m for a_q, then m + 1 + k for the k-th denominator coefficient; float32 numbers take one Philox word (top
// 24 bits), float64 two (53 bits); f is computed in double and rounded to t. Version A scales |b_k|. The backward
// redraws the same numbers, and each coefficient-gradient term is multiplied by its factor (c̃ = c·f, ∂c̃/∂c = f).
//
// Kernels. Grid (C, pieces): blockIdx.x is the channel, so a block's coefficients sit in registers; a channel's
// M = outer·inner elements are shared by `pieces` blocks (the host chooses pieces from the shape alone). Channels go
// in x, whose limit is 2³¹ − 1 (y stops at 65535; pieces and K stay far below it).
//     pau_forward_<v>_<t>(x, y, a, b, na, nb, outer, C, inner, seed, offset, alpha)    y = F(x)
//     pau_backward_<v>_<t>(x, dy, dx, partials, a, b, na, nb, outer, C, inner, seed, offset, alpha)
//         dx = dy·dF/dx, and the block's sums of every coefficient-gradient term into partials[c, piece, q] (double):
//         each thread accumulates its elements in registers, warps combine with shuffles, the block's warps in
//         order through shared memory. No atomics.
//     pau_coeff_reduce_<t>(partials, pieces, b, da, db, na, nb, version)     grid (C, K)
//         da[c, j] = Σ_pieces partials[c, ·, j];  db[c, k] = (A ? sgn(b[c, k]) : 1) · Σ partials[c, ·, na + k]
// <v> is a (version A), b (versions B and D), c (version C); alpha = 0 means no noise (plain PAU). Entry points
// pau54_* are the same code with m = 5, n = 4 fixed at compile time (versions A and B, no noise: the paper's
// configuration), so the loops unroll completely; the others take na, nb ≤ 8. Where x, y (dy, dx) are 16-byte
// aligned and inner is a multiple of 16 bytes, each thread moves 16 bytes per load and store (without noise).
// Results are deterministic: the grid depends on the shape only, every sum runs in a fixed order.
// Mirrors CpuBackend.PauForward / PauBackward (Engine/Cpu/PauKernel.cs, PauDenominators.cs).
// Shared code: common.cuh (Pack, block_sum), philox.cuh (the block function).
// NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "common.cuh"

// Philox4x32-10, as Engine/Random/Philox.cs. Not inlined: a noisy element calls it for every 4 numbers, and
// inlining 10 rounds at each call site made the module several times larger and slower to compile, for no speed
// (the call is cheap next to the rounds).
#define PHILOX_NOINLINE
#include "philox.cuh"

#define PAU_MAXA 8
#define PAU_MAXB 8
#define PAU_THREADS 256
#define PAU_VA 0
#define PAU_VB 1
#define PAU_VC 2

template <typename T> __device__ inline T m_abs(T v) { return v < T(0) ? -v : v; }
template <typename T> __device__ inline T sgn(T v) { return v < T(0) ? T(-1) : T(1); }

// Consecutive words of one stream, each 4-word block computed once (Engine's PhiloxReader).
struct PhiloxReader
{
    unsigned long long seed, block;
    Words4 words;

    __device__ PhiloxReader(unsigned long long s) : seed(s), block(~0ull) {}

    __device__ unsigned word(unsigned long long index)
    {
        unsigned long long b = index >> 2;
        if (b != block) { words = philox_block(seed, b); block = b; }
        return words.at(index);
    }

    // Noise factor 1 + α(2u − 1) for number j of the stream at `offset` (PauNoise.Factor), in double.
    __device__ double factor(unsigned long long offset, unsigned long long j, double alpha, bool single)
    {
        double u;
        if (single) u = (double)(word(offset + j) >> 8) * (1.0 / 16777216.0);
        else
        {
            unsigned long long w = offset + 2 * j;
            unsigned long long hi = word(w), lo = word(w + 1);
            u = (double)(((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
        }
        // Rounded as the CPU rounds (2u − 1 is exact); NVRTC would otherwise fuse alpha·(…) + 1 into one fma.
        return __dadd_rn(1.0, __dmul_rn(alpha, 2.0 * u - 1.0));
    }
};

// ---- one element ---------------------------------------------------------------------------------------------

// The coefficients of one element: a channel's (plain PAU) or with this element's noise factors (RPAU).
// b holds the denominator as the version uses it (|b_k| for A). fa, fb: the factors (1 without noise).
template <typename T, int MAXA, int MAXB>
struct Coefficients
{
    T a[MAXA], b[MAXB], fa[MAXA], fb[MAXB];
};

template <typename T, int MAXA, int MAXB>
__device__ inline void load_coefficients(Coefficients<T, MAXA, MAXB>& c, const T* a, const T* b, int na, int nb, int version)
{
#pragma unroll
    for (int j = 0; j < MAXA; ++j) { c.a[j] = j < na ? a[j] : T(0); c.fa[j] = T(1); }
#pragma unroll
    for (int k = 0; k < MAXB; ++k)
    {
        T v = k < nb ? b[k] : T(0);
        c.b[k] = version == PAU_VA ? m_abs(v) : v;
        c.fb[k] = T(1);
    }
}

template <typename T, int MAXA, int MAXB>
__device__ inline void noisy_coefficients(Coefficients<T, MAXA, MAXB>& c, const Coefficients<T, MAXA, MAXB>& base,
                                          PhiloxReader& rng, unsigned long long offset, long long i, int na, int nb,
                                          double alpha)
{
    const bool single = sizeof(T) == 4;
    unsigned long long first = (unsigned long long)i * (unsigned long long)(na + nb);
#pragma unroll
    for (int j = 0; j < MAXA; ++j)
        if (j < na)
        {
            T f = (T)rng.factor(offset, first + j, alpha, single);
            c.fa[j] = f;
            c.a[j] = f * base.a[j];
        }
#pragma unroll
    for (int k = 0; k < MAXB; ++k)
        if (k < nb)
        {
            T f = (T)rng.factor(offset, first + na + k, alpha, single);
            c.fb[k] = f;
            c.b[k] = f * base.b[k];
        }
}

template <typename T, int MAXA, int MAXB>
__device__ inline T pau_value(const Coefficients<T, MAXA, MAXB>& c, T x, int na, int nb, int version)
{
    T p = T(0);
#pragma unroll
    for (int j = MAXA - 1; j >= 0; --j)
        if (j < na) p = p * x + c.a[j];
    T u = version == PAU_VA ? m_abs(x) : x;
    T r = T(0);
#pragma unroll
    for (int k = MAXB - 1; k >= 0; --k)
        if (k < nb) r = r * u + c.b[k];
    T q = version == PAU_VA ? r * u + T(1) : version == PAU_VB ? T(1) + m_abs(r * x) : T(0.1) + m_abs(r);
    return p / q;
}

// One element's backward: returns dx and adds its coefficient terms (times their noise factors) to acc.
template <typename T, int MAXA, int MAXB>
__device__ inline T pau_grad(const Coefficients<T, MAXA, MAXB>& c, T x, T g, int na, int nb, int version, T* acc_a, T* acc_b)
{
    // P and P' together: p_j = p_{j+1}·x + a_j, p'_j = p'_{j+1}·x + p_{j+1}.
    T p = T(0), dp = T(0);
#pragma unroll
    for (int j = MAXA - 1; j >= 0; --j)
        if (j < na) { dp = dp * x + p; p = p * x + c.a[j]; }
    T u = version == PAU_VA ? m_abs(x) : x;
    T r = T(0), dr = T(0);
#pragma unroll
    for (int k = MAXB - 1; k >= 0; --k)
        if (k < nb) { dr = dr * u + r; r = r * u + c.b[k]; }
    T q, dq, s;
    if (version == PAU_VA)
    {
        // Q = 1 + t·r(t), t = |x|: dQ/dt = r + t·r', dt/dx = sgn(x)
        q = r * u + T(1);
        T dsdt = u * dr + r;
        dq = x < T(0) ? -dsdt : dsdt;
        s = T(1);
    }
    else if (version == PAU_VB)
    {
        T inner = r * x;  // Σ b_k x^k, k = 1..n
        s = sgn(inner);
        q = T(1) + m_abs(inner);
        dq = s * (x * dr + r);
    }
    else
    {
        s = sgn(r);  // Σ b_k x^k, k = 0..n
        q = T(0.1) + m_abs(r);
        dq = s * dr;
    }
    T inv_q = T(1) / q;
    T mpq2 = -(p * inv_q) * inv_q;  // −P/Q²
    T dx = g * (mpq2 * dq + dp * inv_q);
    T pw = g * inv_q;  // dy·x^j/Q
#pragma unroll
    for (int j = 0; j < MAXA; ++j)
        if (j < na) { acc_a[j] += pw * c.fa[j]; pw *= x; }
    T cc = g * mpq2 * s;
    pw = version == PAU_VC ? cc : cc * u;  // dy·(−P/Q²)·s·u^k, k from 1 (A, B) or 0 (C)
#pragma unroll
    for (int k = 0; k < MAXB; ++k)
        if (k < nb) { acc_b[k] += pw * c.fb[k]; pw *= u; }
    return dx;
}

// ---- the channel's elements, as 16-byte packs where possible ----------------------------------------------------

// Calls f(i, k0, count) for this thread's share of channel c's elements: runs of `count` (1 or V) consecutive
// elements starting at flat index i. Vector runs when every row of the channel starts 16-byte aligned.
template <typename T, typename F>
__device__ inline void for_channel_elements(const void* p0, const void* p1, const void* p2, long long outer, int channels,
                                            long long inner, bool allow_packs, F f)
{
    constexpr int V = 16 / sizeof(T);
    int c = blockIdx.x;
    long long tid = (long long)blockIdx.y * blockDim.x + threadIdx.x, stride = (long long)gridDim.y * blockDim.x;
    bool packed = allow_packs && inner % V == 0 && aligned16(p0) && aligned16(p1) && (p2 == nullptr || aligned16(p2));
    long long per_row = packed ? inner / V : inner, units = outer * per_row;
    for (long long u = tid; u < units; u += stride)
    {
        long long o = u / per_row, s = (u % per_row) * (packed ? V : 1);
        f((o * channels + c) * inner + s, packed);
    }
}

template <typename T, int MAXA, int MAXB>
__device__ void pau_forward(const T* __restrict__ x, T* __restrict__ y, const T* __restrict__ a, const T* __restrict__ b,
                            int na, int nb, long long outer, int channels, long long inner, unsigned long long seed,
                            unsigned long long offset, double alpha, int version)
{
    constexpr int V = 16 / sizeof(T);
    int c = blockIdx.x;
    Coefficients<T, MAXA, MAXB> base;
    load_coefficients(base, a + (long long)c * na, b + (long long)c * nb, na, nb, version);
    if (alpha == 0.0)
    {
        for_channel_elements<T>(x, y, nullptr, outer, channels, inner, true, [&](long long i, bool packed) {
            if (packed)
            {
                Pack<T> v = *reinterpret_cast<const Pack<T>*>(x + i);
#pragma unroll
                for (int k = 0; k < V; ++k) v.v[k] = pau_value(base, v.v[k], na, nb, version);
                *reinterpret_cast<Pack<T>*>(y + i) = v;
            }
            else y[i] = pau_value(base, x[i], na, nb, version);
        });
        return;
    }
    // Noise: one element at a time (drawing its K numbers costs far more than the loads).
    Coefficients<T, MAXA, MAXB> noisy;
    PhiloxReader rng(seed);
    for_channel_elements<T>(x, y, nullptr, outer, channels, inner, false, [&](long long i, bool) {
        noisy_coefficients(noisy, base, rng, offset, i, na, nb, alpha);
        y[i] = pau_value(noisy, x[i], na, nb, version);
    });
}

template <typename T, int MAXA, int MAXB>
__device__ void pau_backward(const T* __restrict__ x, const T* __restrict__ dy, T* __restrict__ dx,
                             double* __restrict__ partials, const T* __restrict__ a, const T* __restrict__ b, int na,
                             int nb, long long outer, int channels, long long inner, unsigned long long seed,
                             unsigned long long offset, double alpha, int version)
{
    constexpr int V = 16 / sizeof(T);
    __shared__ double scratch[PAU_THREADS / 32];
    int c = blockIdx.x;
    Coefficients<T, MAXA, MAXB> base, noisy;
    load_coefficients(base, a + (long long)c * na, b + (long long)c * nb, na, nb, version);
    PhiloxReader rng(seed);
    T acc_a[MAXA], acc_b[MAXB];
#pragma unroll
    for (int j = 0; j < MAXA; ++j) acc_a[j] = T(0);
#pragma unroll
    for (int k = 0; k < MAXB; ++k) acc_b[k] = T(0);
    if (alpha == 0.0)
        for_channel_elements<T>(x, dy, dx, outer, channels, inner, true, [&](long long i, bool packed) {
            if (packed)
            {
                Pack<T> xv = *reinterpret_cast<const Pack<T>*>(x + i), gv = *reinterpret_cast<const Pack<T>*>(dy + i), dv;
#pragma unroll
                for (int k = 0; k < V; ++k) dv.v[k] = pau_grad(base, xv.v[k], gv.v[k], na, nb, version, acc_a, acc_b);
                *reinterpret_cast<Pack<T>*>(dx + i) = dv;
            }
            else dx[i] = pau_grad(base, x[i], dy[i], na, nb, version, acc_a, acc_b);
        });
    else
        for_channel_elements<T>(x, dy, dx, outer, channels, inner, false, [&](long long i, bool) {
            noisy_coefficients(noisy, base, rng, offset, i, na, nb, alpha);
            dx[i] = pau_grad(noisy, x[i], dy[i], na, nb, version, acc_a, acc_b);
        });

    // Every thread of the block gets here (no early exit above): one row of partials per block.
    int K = na + nb;
    double* row = partials + ((long long)c * gridDim.y + blockIdx.y) * K;
#pragma unroll
    for (int j = 0; j < MAXA; ++j)
        if (j < na)
        {
            double total = block_sum((double)acc_a[j], scratch);
            if (threadIdx.x == 0) row[j] = total;
        }
#pragma unroll
    for (int k = 0; k < MAXB; ++k)
        if (k < nb)
        {
            double total = block_sum((double)acc_b[k], scratch);
            if (threadIdx.x == 0) row[na + k] = total;
        }
}

// grid (C, K), PAU_THREADS threads: one block per coefficient of each channel.
template <typename T>
__device__ void pau_coeff_reduce(const double* __restrict__ partials, int pieces, const T* __restrict__ b,
                                 T* __restrict__ da, T* __restrict__ db, int na, int nb, int version)
{
    __shared__ double scratch[PAU_THREADS / 32];
    int c = blockIdx.x, q = blockIdx.y, K = na + nb;
    double v = 0;
    for (int p = threadIdx.x; p < pieces; p += blockDim.x) v += partials[((long long)c * pieces + p) * K + q];
    double total = block_sum(v, scratch);
    if (threadIdx.x != 0) return;
    if (q < na) da[(long long)c * na + q] = (T)total;
    else
    {
        int k = q - na;
        double sign = version == PAU_VA ? (double)sgn(b[(long long)c * nb + k]) : 1.0;  // ∂|b|/∂b, sgn(0) = +1
        db[(long long)c * nb + k] = (T)(sign * total);
    }
}

// ---- entry points ------------------------------------------------------------------------------------------

#define PADE_PAU(NAME, SUFFIX, T, VERSION, MAXA, MAXB, NA, NB)                                                  \
    extern "C" __global__ void __launch_bounds__(PAU_THREADS)                                                   \
        NAME##_forward_##SUFFIX(const T* x, T* y, const T* a, const T* b, int na, int nb, long long outer,     \
                                int channels, long long inner, unsigned long long seed, unsigned long long offset, \
                                double alpha)                                                                   \
    {                                                                                                           \
        pau_forward<T, MAXA, MAXB>(x, y, a, b, NA, NB, outer, channels, inner, seed, offset, alpha, VERSION);   \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(PAU_THREADS)                                                   \
        NAME##_backward_##SUFFIX(const T* x, const T* dy, T* dx, double* partials, const T* a, const T* b,     \
                                 int na, int nb, long long outer, int channels, long long inner,               \
                                 unsigned long long seed, unsigned long long offset, double alpha)             \
    {                                                                                                           \
        pau_backward<T, MAXA, MAXB>(x, dy, dx, partials, a, b, NA, NB, outer, channels, inner, seed, offset,    \
                                    alpha, VERSION);                                                            \
    }

// Any degrees (na, nb ≤ 8), any noise.
PADE_PAU(pau_a, f32, float, PAU_VA, PAU_MAXA, PAU_MAXB, na, nb)
PADE_PAU(pau_b, f32, float, PAU_VB, PAU_MAXA, PAU_MAXB, na, nb)
PADE_PAU(pau_c, f32, float, PAU_VC, PAU_MAXA, PAU_MAXB, na, nb)
PADE_PAU(pau_a, f64, double, PAU_VA, PAU_MAXA, PAU_MAXB, na, nb)
PADE_PAU(pau_b, f64, double, PAU_VB, PAU_MAXA, PAU_MAXB, na, nb)
PADE_PAU(pau_c, f64, double, PAU_VC, PAU_MAXA, PAU_MAXB, na, nb)
// The paper's degrees (m = 5, n = 4) as compile-time constants; na, nb arguments ignored (the host passes 6, 4).
PADE_PAU(pau54_a, f32, float, PAU_VA, 6, 4, 6, 4)
PADE_PAU(pau54_b, f32, float, PAU_VB, 6, 4, 6, 4)
PADE_PAU(pau54_a, f64, double, PAU_VA, 6, 4, 6, 4)
PADE_PAU(pau54_b, f64, double, PAU_VB, 6, 4, 6, 4)

extern "C" __global__ void __launch_bounds__(PAU_THREADS)
    pau_coeff_reduce_f32(const double* partials, int pieces, const float* b, float* da, float* db, int na, int nb, int version)
{
    pau_coeff_reduce<float>(partials, pieces, b, da, db, na, nb, version);
}

extern "C" __global__ void __launch_bounds__(PAU_THREADS)
    pau_coeff_reduce_f64(const double* partials, int pieces, const double* b, double* da, double* db, int na, int nb, int version)
{
    pau_coeff_reduce<double>(partials, pieces, b, da, db, na, nb, version);
}
