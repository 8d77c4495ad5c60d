// gemm.cu: batched general matrix multiply.
//
//     C[b] = op(A[b]) · op(B[b]) + beta · C[b]        for b in [0, batch)
//
// with row-major A [M, K] (or [K, M] when transposed: op(A) = Aᵀ), B [K, N] (or [N, K]), C [M, N]; the
// matrices of a batch follow each other (strides M·K, K·N, M·N). beta = 0 never reads C (it may hold garbage).
// Mirrors CpuBackend.MatMul / Gemm.Multiply.
//
// Blocking: each thread block computes a BM×BN tile of C. It walks K in steps of BK, staging a BM×BK slice of
// op(A) and a BK×BN slice of op(B) in shared memory (As[k][m], Bs[k][n], padded against bank conflicts), and
// each of its (BM/TM)·(BN/TN) threads accumulates a TM×TN block of C in registers (register blocking: every
// value read from shared memory is used TM or TN times). A thread's rows are tr, tr + BM/TM, tr + 2·BM/TM, ...
// and its columns tc, tc + BN/TN, ..., so the 32 threads of a warp read neighbouring shared-memory words (no
// bank conflicts) and write neighbouring columns of C (coalesced). Loads are bounds-checked, so any M, N, K
// works; the sum over k runs in the same order for every element (k ascending), so results are deterministic.
//
// Entry points: gemm_<t>_<tile>_<ta><tb> with t in f32, f64; tile 128 (128×128×8, 8×8 per thread, f32 only)
// or 64 (64×64×8, 4×4 per thread); ta, tb in n (as stored) or t (transposed). 256 threads per block, grid
// (ceil(M/BM)·ceil(N/BN), 1, min(batch, 65535)): the tiles are numbered row of tiles after row of tiles in x,
// whose limit is 2³¹ − 1, because y and z stop at 65535 (M = 4.2M rows would need 65536 tiles in y); blocks loop
// over the batch in steps of gridDim.z.
// Plain FP32/FP64 FMA (no TF32 tensor cores: results stay within rounding of the CPU's).
// This file includes no headers, shared (cuda/*.cuh) or system.

template <typename T, int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
__device__ void gemm(const T* __restrict__ A, const T* __restrict__ B, T* __restrict__ C, int M, int N, int K,
                     T beta, long long batch)
{
    constexpr int ROWS = BM / TM, COLS = BN / TN, THREADS = ROWS * COLS, PAD = 4;
    __shared__ T As[BK][BM + PAD];
    __shared__ T Bs[BK][BN + PAD];

    const int tid = threadIdx.x;
    const int tr = tid / COLS, tc = tid % COLS;
    const unsigned tiles_n = (unsigned)((N + BN - 1) / BN);
    const int m0 = (int)(blockIdx.x / tiles_n) * BM, n0 = (int)(blockIdx.x % tiles_n) * BN;

    for (long long b = blockIdx.z; b < batch; b += gridDim.z)
    {
        const T* Ab = A + b * (long long)M * K;
        const T* Bb = B + b * (long long)K * N;
        T* Cb = C + b * (long long)M * N;

        T acc[TM][TN];
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
            for (int j = 0; j < TN; ++j) acc[i][j] = T(0);

        for (int k0 = 0; k0 < K; k0 += BK)
        {
            // Stage op(A)[m0 .. m0+BM, k0 .. k0+BK). Consecutive threads take consecutive addresses of A.
            for (int e = tid; e < BM * BK; e += THREADS)
            {
                int mm = TA ? e % BM : e / BK;
                int kk = TA ? e / BM : e % BK;
                int gm = m0 + mm, gk = k0 + kk;
                T v = T(0);
                if (gm < M && gk < K) v = TA ? Ab[(long long)gk * M + gm] : Ab[(long long)gm * K + gk];
                As[kk][mm] = v;
            }
            // Stage op(B)[k0 .. k0+BK, n0 .. n0+BN).
            for (int e = tid; e < BK * BN; e += THREADS)
            {
                int nn = TB ? e / BK : e % BN;
                int kk = TB ? e % BK : e / BN;
                int gn = n0 + nn, gk = k0 + kk;
                T v = T(0);
                if (gn < N && gk < K) v = TB ? Bb[(long long)gn * K + gk] : Bb[(long long)gk * N + gn];
                Bs[kk][nn] = v;
            }
            __syncthreads();

#pragma unroll
            for (int kk = 0; kk < BK; ++kk)
            {
                T a[TM], bv[TN];
#pragma unroll
                for (int i = 0; i < TM; ++i) a[i] = As[kk][tr + i * ROWS];
#pragma unroll
                for (int j = 0; j < TN; ++j) bv[j] = Bs[kk][tc + j * COLS];
#pragma unroll
                for (int i = 0; i < TM; ++i)
#pragma unroll
                    for (int j = 0; j < TN; ++j) acc[i][j] += a[i] * bv[j];
            }
            __syncthreads();
        }

#pragma unroll
        for (int i = 0; i < TM; ++i)
        {
            int gm = m0 + tr + i * ROWS;
            if (gm >= M) continue;
#pragma unroll
            for (int j = 0; j < TN; ++j)
            {
                int gn = n0 + tc + j * COLS;
                if (gn >= N) continue;
                T* c = Cb + (long long)gm * N + gn;
                *c = beta == T(0) ? acc[i][j] : acc[i][j] + beta * *c;
            }
        }
    }
}

#define PADE_GEMM(NAME, T, BM, BN, BK, TM, TN, TA, TB)                                                      \
    extern "C" __global__ void __launch_bounds__(256) NAME(const T* A, const T* B, T* C, int M, int N, int K, \
                                                           T beta, long long batch)                          \
    {                                                                                                        \
        gemm<T, BM, BN, BK, TM, TN, TA, TB>(A, B, C, M, N, K, beta, batch);                                  \
    }

PADE_GEMM(gemm_f32_128_nn, float, 128, 128, 8, 8, 8, false, false)
PADE_GEMM(gemm_f32_128_nt, float, 128, 128, 8, 8, 8, false, true)
PADE_GEMM(gemm_f32_128_tn, float, 128, 128, 8, 8, 8, true, false)
PADE_GEMM(gemm_f32_128_tt, float, 128, 128, 8, 8, 8, true, true)
PADE_GEMM(gemm_f32_64_nn, float, 64, 64, 8, 4, 4, false, false)
PADE_GEMM(gemm_f32_64_nt, float, 64, 64, 8, 4, 4, false, true)
PADE_GEMM(gemm_f32_64_tn, float, 64, 64, 8, 4, 4, true, false)
PADE_GEMM(gemm_f32_64_tt, float, 64, 64, 8, 4, 4, true, true)
PADE_GEMM(gemm_f64_64_nn, double, 64, 64, 8, 4, 4, false, false)
PADE_GEMM(gemm_f64_64_nt, double, 64, 64, 8, 4, 4, false, true)
PADE_GEMM(gemm_f64_64_tn, double, 64, 64, 8, 4, 4, true, false)
PADE_GEMM(gemm_f64_64_tt, double, 64, 64, 8, 4, 4, true, true)
