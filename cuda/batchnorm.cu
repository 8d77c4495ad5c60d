// batchnorm.cu: batch normalisation over x viewed as [N, C, S] (S = H·W), per channel c.
//
// batch_norm_stats_<t>(x, mean, var, N, C, S)
//     μ_c = (1/M) Σ_{n,s} x[n, c, s],  var_c = (1/M) Σ (x − μ_c)²  (biased, two passes: no E[x²] − μ² cancellation),
//     M = N·S. Sums in double. Mirrors CpuBackend.BatchNormStats.
// batch_norm_forward_<t>(x, mean, inv_std, weight, bias, y, N, C, S)      weight, bias may be null (1, 0)
//     y = x·scale_c + shift_c,  scale_c = γ_c·invStd_c,  shift_c = β_c − μ_c·scale_c. Mirrors BatchNormForward.
// batch_norm_backward_sums_<t>(x, dy, mean, inv_std, sums, dweight, dbias, N, C, S)
//     Σdy_c and Σ(dy·x̂)_c = invStd_c · Σ dy·(x − μ_c) in double into sums[2c], sums[2c + 1]; dweight_c = Σ dy·x̂,
//     dbias_c = Σ dy when those are not null.
// batch_norm_backward_dx_<t>(x, dy, mean, inv_std, weight, sums, dx, N, C, S, training)
//     k = γ·invStd;  training: dx = k·dy + b·x + d with b = −k·invStd·Σ(dy·x̂)/M, d = −k·Σdy/M − b·μ
//     (= k·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)); evaluation: dx = k·dy. Coefficients in double, rounded to t, as the CPU.
//     Mirrors CpuBackend.BatchNormBackward.
//
// The per-channel sums give one block to a channel: its threads stride over the N·S elements in a fixed order
// and a fixed shared-memory tree combines them, so the statistics are deterministic (no atomics).
// This file includes no headers, shared (cuda/*.cuh) or system.

#define BN_THREADS 256

// Sum over the block (BN_THREADS threads) with a fixed tree; the result is returned to every thread.
__device__ inline double block_sum(double v, double* scratch /* [BN_THREADS] */)
{
    __syncthreads();  // scratch may still be read from a previous call
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (int half = BN_THREADS / 2; half > 0; half >>= 1)
    {
        if ((int)threadIdx.x < half) scratch[threadIdx.x] += scratch[threadIdx.x + half];
        __syncthreads();
    }
    return scratch[0];
}

// Element j (of M = N·S) of channel c.
__device__ inline long long channel_index(long long j, int c, int C, long long S)
{
    return (j / S * C + c) * S + j % S;
}

template <typename T>
__device__ void stats(const T* __restrict__ x, T* __restrict__ mean, T* __restrict__ var, int N, int C, long long S)
{
    __shared__ double scratch[BN_THREADS];
    int c = blockIdx.x;
    long long M = (long long)N * S;
    double s = 0;
    for (long long j = threadIdx.x; j < M; j += BN_THREADS) s += (double)x[channel_index(j, c, C, S)];
    T mu = (T)(block_sum(s, scratch) / (double)M);
    double q = 0;
    for (long long j = threadIdx.x; j < M; j += BN_THREADS)
    {
        double d = (double)(x[channel_index(j, c, C, S)] - mu);
        q += d * d;
    }
    double sq = block_sum(q, scratch);
    if (threadIdx.x == 0)
    {
        mean[c] = mu;
        var[c] = (T)(sq / (double)M);
    }
}

template <typename T>
__device__ void forward(const T* __restrict__ x, const T* __restrict__ mean, const T* __restrict__ inv_std,
                        const T* __restrict__ weight, const T* __restrict__ bias, T* __restrict__ y, int N, int C, long long S)
{
    long long n = (long long)N * C * S;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int c = (int)(e / S % C);
        T scale = (weight ? weight[c] : T(1)) * inv_std[c];
        T shift = (bias ? bias[c] : T(0)) - mean[c] * scale;
        y[e] = x[e] * scale + shift;
    }
}

template <typename T>
__device__ void backward_sums(const T* __restrict__ x, const T* __restrict__ dy, const T* __restrict__ mean,
                              const T* __restrict__ inv_std, double* __restrict__ sums, T* __restrict__ dweight,
                              T* __restrict__ dbias, int N, int C, long long S)
{
    __shared__ double scratch[BN_THREADS];
    int c = blockIdx.x;
    long long M = (long long)N * S;
    T mu = mean[c];
    double sd = 0, sdx = 0;
    for (long long j = threadIdx.x; j < M; j += BN_THREADS)
    {
        long long at = channel_index(j, c, C, S);
        double g = (double)dy[at];
        sd += g;
        sdx += g * (double)(x[at] - mu);
    }
    double sum_dy = block_sum(sd, scratch);
    double sum_dy_xhat = block_sum(sdx, scratch) * (double)inv_std[c];
    if (threadIdx.x == 0)
    {
        sums[2 * c] = sum_dy;
        sums[2 * c + 1] = sum_dy_xhat;
        if (dweight) dweight[c] = (T)sum_dy_xhat;
        if (dbias) dbias[c] = (T)sum_dy;
    }
}

template <typename T>
__device__ void backward_dx(const T* __restrict__ x, const T* __restrict__ dy, const T* __restrict__ mean,
                            const T* __restrict__ inv_std, const T* __restrict__ weight, const double* __restrict__ sums,
                            T* __restrict__ dx, int N, int C, long long S, int training)
{
    long long n = (long long)N * C * S;
    double M = (double)N * (double)S;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += stride)
    {
        int c = (int)(e / S % C);
        double k = (double)(weight ? weight[c] : T(1)) * (double)inv_std[c];
        if (!training)
        {
            dx[e] = dy[e] * (T)k;
            continue;
        }
        double b = -k * (double)inv_std[c] * sums[2 * c + 1] / M;
        double d = -k * sums[2 * c] / M - b * (double)mean[c];
        dx[e] = (T)k * dy[e] + (T)b * x[e] + (T)d;
    }
}

#define PADE_BATCHNORM(SUFFIX, T)                                                                              \
    extern "C" __global__ void __launch_bounds__(BN_THREADS)                                                   \
        batch_norm_stats_##SUFFIX(const T* x, T* mean, T* var, int N, int C, long long S)                      \
    {                                                                                                          \
        stats<T>(x, mean, var, N, C, S);                                                                       \
    }                                                                                                          \
    extern "C" __global__ void batch_norm_forward_##SUFFIX(const T* x, const T* mean, const T* inv_std,        \
                                                           const T* weight, const T* bias, T* y, int N, int C, \
                                                           long long S)                                        \
    {                                                                                                          \
        forward<T>(x, mean, inv_std, weight, bias, y, N, C, S);                                                \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(BN_THREADS)                                                   \
        batch_norm_backward_sums_##SUFFIX(const T* x, const T* dy, const T* mean, const T* inv_std,            \
                                          double* sums, T* dweight, T* dbias, int N, int C, long long S)       \
    {                                                                                                          \
        backward_sums<T>(x, dy, mean, inv_std, sums, dweight, dbias, N, C, S);                                 \
    }                                                                                                          \
    extern "C" __global__ void batch_norm_backward_dx_##SUFFIX(const T* x, const T* dy, const T* mean,         \
                                                               const T* inv_std, const T* weight,              \
                                                               const double* sums, T* dx, int N, int C,        \
                                                               long long S, int training)                      \
    {                                                                                                          \
        backward_dx<T>(x, dy, mean, inv_std, weight, sums, dx, N, C, S, training);                             \
    }

PADE_BATCHNORM(f32, float)
PADE_BATCHNORM(f64, double)
