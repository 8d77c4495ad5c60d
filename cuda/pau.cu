// pau.cu: Padé Activation Units, "safe" denominator (version A of the paper, eq. 2), and the randomized RPAU.
//
//     F(x) = P(x) / Q(x),   P(x) = Σ_{j=0..m} a_j x^j,   Q(x) = 1 + A(x),   A(x) = Σ_{k=1..n} |b_k| |x|^k
//
// Closed-form gradients (paper §2.2), with dy the upstream gradient and R = P/Q = F(x):
//     dF/dx   = P'(x)/Q − P·A'(x)/Q² = (P' − R·A') / Q,   P' = Σ_j j a_j x^(j-1),   A' = sign(x) Σ_k k |b_k| |x|^(k-1)
//     dF/da_j = x^j / Q
//     dF/db_k = −(P/Q²) · sign(b_k) · |x|^k = −(R/Q) · sign(b_k) · |x|^k
// sign(0) = 0 in both places (PyTorch's autograd convention for |·|; central differences agree), so at x = 0
// dF/dx = a_1 and b_k = 0 receives no gradient.
//
// pau_forward_<t>(x, y, count, a, b, m, n)           y = F(x), Horner in x and |x|.
// pau_backward_<t>(x, dy, dx, partials, count, a, b, m, n)
//     dx = dy·dF/dx, and in the same pass the per-block sums  Σ dy·x^j/Q  and  Σ −dy·(R/Q)·|x|^k  for every
//     coefficient: each thread accumulates its elements in registers, a warp combines its 32 lanes with shuffles,
//     the 8 warps of a block combine through shared memory, and the block writes one row of partials[block, C]
//     (C = m + 1 + n; columns a_0..a_m then b_1..b_n). No atomics.
// pau_coeff_reduce_<t>(partials, blocks, da, db, m, n)
//     Second, small kernel: one block per coefficient sums its column of partials (fixed strided order, then a
//     fixed shared-memory tree): da_j = Σ column j,  db_k = sign(b_k) · Σ column m + k.
// The backward grid size depends only on count (min(⌈count/256⌉, 1024) blocks of 256), never on the GPU, so the
// coefficient gradients are bit-for-bit reproducible from run to run and from GPU to GPU. Where x, y (dy, dx) are
// 16-byte aligned (always, unless a view starts mid-vector) each thread moves 16 bytes per load and store, which
// the kernels need to run near memory speed; the order of the terms each thread sums depends only on count and
// that alignment.
//
// RPAU (eq. 3): in training every coefficient gets multiplicative noise per element,
//     c̃ = c · (1 + α (2u − 1)),   u uniform in [0, 1)   (α = 0.1: within ±10 % of c, as the official code)
// where u for element i and coefficient q (q = 0..m for a_q, m + k for b_k) is number i·C + q of the noise stream
// (seed, offset) of Engine's NoiseStream: float32 takes Philox word offset + i·C + q (top 24 bits); float64 the
// 53-bit value of words offset + 2(i·C + q), +1. The backward pass recomputes the same c̃ from the same words,
// and the gradients are those of the PAU with the noisy coefficients (the noise treated as a constant factor):
//     dL/da_j = Σ_i dy_i (dF/dã_j)(x_i) (1 + α(2u_ij − 1)),  likewise for b_k.
// rpau_forward_<t>(x, y, count, a, b, m, n, seed, offset, alpha)
// rpau_backward_<t>(x, dy, dx, partials, count, a, b, m, n, seed, offset, alpha)   then pau_coeff_reduce_<t>
//
// Entry points named pau54_* / rpau54_* are the same code with m = 5, n = 4 fixed at compile time (the paper's
// degrees), so the loops unroll completely; the others take any m ≤ 9, n ≤ 9.
// Mirrors the CPU PAU kernels of Engine/Cpu (PAU / RPAU forward and backward).
// NVRTC compiles this file with no headers.

#define PAU_MAXM 9
#define PAU_MAXN 9
#define PAU_THREADS 256

template <typename T> __device__ inline T m_abs(T v) { return v < T(0) ? -v : v; }
template <typename T> __device__ inline T m_sign(T v) { return v > T(0) ? T(1) : v < T(0) ? T(-1) : T(0); }

// ---- Philox4x32-10, as Engine/Random/Philox.cs ---------------------------------------------------------------

struct Words4
{
    unsigned w[4];
    // Word i & 3 by selection, not by a variable index (which would put the array in local memory).
    __device__ unsigned at(unsigned long long i) const
    {
        unsigned k = (unsigned)(i & 3);
        return k == 0 ? w[0] : k == 1 ? w[1] : k == 2 ? w[2] : w[3];
    }
};

__device__ inline Words4 philox_block(unsigned long long seed, unsigned long long counter)
{
    const unsigned M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    unsigned c0 = (unsigned)counter, c1 = (unsigned)(counter >> 32), c2 = 0, c3 = 0;
    unsigned k0 = (unsigned)seed, k1 = (unsigned)(seed >> 32);
#pragma unroll
    for (int round = 0; round < 10; ++round)
    {
        unsigned hi0 = __umulhi(M0, c0), lo0 = M0 * c0;
        unsigned hi1 = __umulhi(M1, c2), lo1 = M1 * c2;
        unsigned n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += W0; k1 += W1;
    }
    Words4 r;
    r.w[0] = c0; r.w[1] = c1; r.w[2] = c2; r.w[3] = c3;
    return r;
}

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

    // Number j of the stream that starts at word `offset` (NoiseStream.Uniform), as T.
    template <typename T>
    __device__ T uniform(unsigned long long offset, unsigned long long j)
    {
        if (sizeof(T) == 4) return (T)((double)(word(offset + j) >> 8) * (1.0 / 16777216.0));
        unsigned long long w = offset + 2 * j;
        unsigned long long hi = word(w), lo = word(w + 1);
        return (T)((double)(((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0));
    }
};

// ---- shared pieces -----------------------------------------------------------------------------------------

// Coefficients of one element: the layer's own (PAU) or with this element's noise (RPAU).
template <typename T, int MAXM, int MAXN>
struct Coefficients
{
    T a[MAXM + 1];
    T b[MAXN + 1];  // b[0] unused; b[k] holds |b_k| (the sign only matters for the b gradient, applied at the end)
    T fa[MAXM + 1]; // RPAU: the noise factors 1 + α(2u − 1), by which the coefficient gradients are scaled
    T fb[MAXN + 1];
};

template <typename T, int MAXM, int MAXN>
__device__ inline void load_coefficients(Coefficients<T, MAXM, MAXN>& c, const T* a, const T* b, int m, int n)
{
#pragma unroll
    for (int j = 0; j <= MAXM; ++j) { c.a[j] = j <= m ? a[j] : T(0); c.fa[j] = T(1); }
    c.b[0] = T(0);
    c.fb[0] = T(1);
#pragma unroll
    for (int k = 1; k <= MAXN; ++k) { c.b[k] = k <= n ? m_abs(b[k - 1]) : T(0); c.fb[k] = T(1); }
}

// RPAU: c̃ = c·(1 + α(2u − 1)) with u number i·C + q of the stream (see the file comment).
template <typename T, int MAXM, int MAXN>
__device__ inline void noisy_coefficients(Coefficients<T, MAXM, MAXN>& c, const Coefficients<T, MAXM, MAXN>& base,
                                          PhiloxReader& rng, unsigned long long offset, long long i, int m, int n,
                                          T alpha)
{
    unsigned long long first = (unsigned long long)i * (unsigned long long)(m + 1 + n);
#pragma unroll
    for (int j = 0; j <= MAXM; ++j)
    {
        if (j > m) break;
        T f = T(1) + alpha * (T(2) * rng.uniform<T>(offset, first + j) - T(1));
        c.fa[j] = f;
        c.a[j] = base.a[j] * f;
    }
#pragma unroll
    for (int k = 1; k <= MAXN; ++k)
    {
        if (k > n) break;
        T f = T(1) + alpha * (T(2) * rng.uniform<T>(offset, first + m + k) - T(1));
        c.fb[k] = f;
        c.b[k] = base.b[k] * f;  // |b_k|·f = |b_k·f| since f > 0 for α < 1
    }
}

template <typename T, int MAXM, int MAXN>
__device__ inline T pau_value(const Coefficients<T, MAXM, MAXN>& c, T x, int m, int n)
{
    T p = T(0);
#pragma unroll
    for (int j = MAXM; j >= 0; --j)
        if (j <= m) p = p * x + c.a[j];  // Horner: (a_m x + a_{m-1}) x + ...
    T ax = m_abs(x);
    T q = T(0);
#pragma unroll
    for (int k = MAXN; k >= 1; --k)
        if (k <= n) q = (q + c.b[k]) * ax;  // ((|b_n| |x| + |b_{n-1}|) |x| + ...) |x|
    return p / (T(1) + q);
}

// One element's backward: returns dx and adds its coefficient terms to ga (Σ dy x^j/Q) and gb (Σ −dy R/Q |x|^k).
template <typename T, int MAXM, int MAXN>
__device__ inline T pau_grad(const Coefficients<T, MAXM, MAXN>& c, T x, T dy, int m, int n, T* ga, T* gb)
{
    T xp[MAXM + 1], axp[MAXN + 1];
    xp[0] = T(1);
#pragma unroll
    for (int j = 1; j <= MAXM; ++j) xp[j] = xp[j - 1] * x;
    T ax = m_abs(x);
    axp[0] = T(1);
#pragma unroll
    for (int k = 1; k <= MAXN; ++k) axp[k] = axp[k - 1] * ax;

    T p = T(0), dp = T(0);
#pragma unroll
    for (int j = 0; j <= MAXM; ++j)
        if (j <= m)
        {
            p += c.a[j] * xp[j];
            if (j >= 1) dp += T(j) * c.a[j] * xp[j - 1];
        }
    T s = T(0), ds = T(0);
#pragma unroll
    for (int k = 1; k <= MAXN; ++k)
        if (k <= n)
        {
            s += c.b[k] * axp[k];
            ds += T(k) * c.b[k] * axp[k - 1];
        }
    T inv_q = T(1) / (T(1) + s);
    T r = p * inv_q;
    T t = dy * inv_q;
#pragma unroll
    for (int j = 0; j <= MAXM; ++j)
        if (j <= m) ga[j] += t * xp[j] * c.fa[j];
    T u = -t * r;
#pragma unroll
    for (int k = 1; k <= MAXN; ++k)
        if (k <= n) gb[k] += u * axp[k] * c.fb[k];
    return t * (dp - r * m_sign(x) * ds);
}

// Sums v over the block with a fixed tree (warp shuffles, then warps in order); the result is valid in thread 0.
template <typename T>
__device__ inline T block_sum(T v, T* scratch /* [PAU_THREADS / 32] */)
{
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = T(0);
    if (threadIdx.x == 0)
        for (int w = 0; w < (int)(blockDim.x >> 5); ++w) total += scratch[w];
    return total;
}

// ---- kernels -----------------------------------------------------------------------------------------------

// 16 bytes of T (4 floats or 2 doubles): one vector load or store (ld.global.v4.f32 / v2.f64). Bandwidth-bound
// kernels need several loads in flight per thread to approach the memory's speed; scalar loads leave it idle.
template <typename T>
struct alignas(16) Pack
{
    T v[16 / sizeof(T)];
};

__device__ inline bool aligned16(const void* p) { return ((unsigned long long)p & 15) == 0; }

template <typename T, int MAXM, int MAXN, bool RANDOM>
__device__ void pau_forward(const T* __restrict__ x, T* __restrict__ y, long long count, const T* __restrict__ a,
                            const T* __restrict__ b, int m, int n, unsigned long long seed,
                            unsigned long long offset, T alpha)
{
    constexpr int V = 16 / sizeof(T);
    Coefficients<T, MAXM, MAXN> base, noisy;
    load_coefficients(base, a, b, m, n);
    PhiloxReader rng(seed);
    auto value = [&](long long i, T xi) -> T {
        if (!RANDOM) return pau_value(base, xi, m, n);
        noisy_coefficients(noisy, base, rng, offset, i, m, n, alpha);
        return pau_value(noisy, xi, m, n);
    };
    long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x, stride = (long long)gridDim.x * blockDim.x;
    long long scalar_from = 0;
    if (aligned16(x) && aligned16(y))  // the same for every thread: no divergence
    {
        long long packs = count / V;
        const Pack<T>* xp = reinterpret_cast<const Pack<T>*>(x);
        Pack<T>* yp = reinterpret_cast<Pack<T>*>(y);
        for (long long p = tid; p < packs; p += stride)
        {
            Pack<T> v = xp[p];
#pragma unroll
            for (int k = 0; k < V; ++k) v.v[k] = value(p * V + k, v.v[k]);
            yp[p] = v;
        }
        scalar_from = packs * V;
    }
    for (long long i = scalar_from + tid; i < count; i += stride) y[i] = value(i, x[i]);
}

template <typename T, int MAXM, int MAXN, bool RANDOM>
__device__ void pau_backward(const T* __restrict__ x, const T* __restrict__ dy, T* __restrict__ dx,
                             T* __restrict__ partials, long long count, const T* __restrict__ a,
                             const T* __restrict__ b, int m, int n, unsigned long long seed,
                             unsigned long long offset, T alpha)
{
    __shared__ T scratch[PAU_THREADS / 32];
    Coefficients<T, MAXM, MAXN> base, noisy;
    load_coefficients(base, a, b, m, n);
    PhiloxReader rng(seed);
    T ga[MAXM + 1], gb[MAXN + 1];
#pragma unroll
    for (int j = 0; j <= MAXM; ++j) ga[j] = T(0);
#pragma unroll
    for (int k = 0; k <= MAXN; ++k) gb[k] = T(0);

    constexpr int V = 16 / sizeof(T);
    auto grad = [&](long long i, T xi, T dyi) -> T {
        if (!RANDOM) return pau_grad(base, xi, dyi, m, n, ga, gb);
        noisy_coefficients(noisy, base, rng, offset, i, m, n, alpha);
        return pau_grad(noisy, xi, dyi, m, n, ga, gb);
    };
    long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x, stride = (long long)gridDim.x * blockDim.x;
    long long scalar_from = 0;
    if (aligned16(x) && aligned16(dy) && aligned16(dx))
    {
        long long packs = count / V;
        const Pack<T>* xp = reinterpret_cast<const Pack<T>*>(x);
        const Pack<T>* dyp = reinterpret_cast<const Pack<T>*>(dy);
        Pack<T>* dxp = reinterpret_cast<Pack<T>*>(dx);
        for (long long p = tid; p < packs; p += stride)
        {
            Pack<T> xv = xp[p], dyv = dyp[p], dxv;
#pragma unroll
            for (int k = 0; k < V; ++k) dxv.v[k] = grad(p * V + k, xv.v[k], dyv.v[k]);
            dxp[p] = dxv;
        }
        scalar_from = packs * V;
    }
    for (long long i = scalar_from + tid; i < count; i += stride) dx[i] = grad(i, x[i], dy[i]);

    // Every thread of the block reaches this point: the loop above has no early exit.
    int columns = m + 1 + n;
    T* row = partials + (long long)blockIdx.x * columns;
#pragma unroll
    for (int j = 0; j <= MAXM; ++j)
        if (j <= m)
        {
            T total = block_sum(ga[j], scratch);
            if (threadIdx.x == 0) row[j] = total;
        }
#pragma unroll
    for (int k = 1; k <= MAXN; ++k)
        if (k <= n)
        {
            T total = block_sum(gb[k], scratch);
            if (threadIdx.x == 0) row[m + k] = total;
        }
}

// grid = m + 1 + n blocks (one per coefficient), PAU_THREADS threads.
template <typename T>
__device__ void pau_coeff_reduce(const T* __restrict__ partials, int blocks, T* __restrict__ da, T* __restrict__ db,
                                 const T* __restrict__ b, int m, int n)
{
    __shared__ T scratch[PAU_THREADS / 32];
    int column = blockIdx.x, columns = m + 1 + n;
    T v = T(0);
    for (int g = threadIdx.x; g < blocks; g += blockDim.x) v += partials[(long long)g * columns + column];
    T total = block_sum(v, scratch);
    if (threadIdx.x == 0)
    {
        if (column <= m) da[column] = total;
        else db[column - m - 1] = m_sign(b[column - m - 1]) * total;
    }
}

#define PADE_PAU(SUFFIX, T, NAME, MAXM, MAXN, M, N)                                                                  \
    extern "C" __global__ void __launch_bounds__(PAU_THREADS)                                                  \
        NAME##_forward_##SUFFIX(const T* x, T* y, long long count, const T* a, const T* b, int m, int n)      \
    {                                                                                                          \
        pau_forward<T, MAXM, MAXN, false>(x, y, count, a, b, M, N, 0, 0, T(0));                                \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(PAU_THREADS)                                                  \
        NAME##_backward_##SUFFIX(const T* x, const T* dy, T* dx, T* partials, long long count, const T* a,     \
                                 const T* b, int m, int n)                                                     \
    {                                                                                                          \
        pau_backward<T, MAXM, MAXN, false>(x, dy, dx, partials, count, a, b, M, N, 0, 0, T(0));                \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(PAU_THREADS)                                                  \
        r##NAME##_forward_##SUFFIX(const T* x, T* y, long long count, const T* a, const T* b, int m, int n,   \
                                   unsigned long long seed, unsigned long long offset, T alpha)                \
    {                                                                                                          \
        pau_forward<T, MAXM, MAXN, true>(x, y, count, a, b, M, N, seed, offset, alpha);                        \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(PAU_THREADS)                                                  \
        r##NAME##_backward_##SUFFIX(const T* x, const T* dy, T* dx, T* partials, long long count, const T* a,  \
                                    const T* b, int m, int n, unsigned long long seed,                         \
                                    unsigned long long offset, T alpha)                                        \
    {                                                                                                          \
        pau_backward<T, MAXM, MAXN, true>(x, dy, dx, partials, count, a, b, M, N, seed, offset, alpha);        \
    }

// Generic degrees (m, n ≤ 9, passed at run time) and the paper's (5, 4) as compile-time constants (the m, n
// arguments of the pau54 entry points are ignored: the host passes 5 and 4 for uniformity).
PADE_PAU(f32, float, pau, PAU_MAXM, PAU_MAXN, m, n)
PADE_PAU(f64, double, pau, PAU_MAXM, PAU_MAXN, m, n)
PADE_PAU(f32, float, pau54, 5, 4, 5, 4)
PADE_PAU(f64, double, pau54, 5, 4, 5, 4)

extern "C" __global__ void __launch_bounds__(PAU_THREADS)
    pau_coeff_reduce_f32(const float* partials, int blocks, float* da, float* db, const float* b, int m, int n)
{
    pau_coeff_reduce<float>(partials, blocks, da, db, b, m, n);
}

extern "C" __global__ void __launch_bounds__(PAU_THREADS)
    pau_coeff_reduce_f64(const double* partials, int blocks, double* da, double* db, const double* b, int m, int n)
{
    pau_coeff_reduce<double>(partials, blocks, da, db, b, m, n);
}
