// rounds.c: how fast can Philox4x32-10 run on this CPU, whatever the compiler? The same rounds as
// Engine/Random/PhiloxLanes.cs (8 blocks per 512-bit vector, the 32-bit words in the low halves of 64-bit lanes),
// written with intrinsics for gcc with NC independent chains of 8 blocks, and the throughput of the three
// instructions a round is made of. The RPAU target of issue 18 is bounded by these numbers (bench/results/
// 2026-12-07-philox-rounds-s14.md).
//
//   gcc -O3 -march=x86-64-v4 -o /tmp/rounds rounds.c && /tmp/rounds
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static __m512i keys[20];

// One batch = 8 blocks (one per 64-bit lane) = 32 words. NC batches side by side.
#define FILL(NC)                                                                                                    \
    __attribute__((noinline)) static void fill##NC(__m512i counter, int batches, __m512i* w)                      \
    {                                                                                                               \
        const __m512i m0 = _mm512_set1_epi64(0xD2511F53), m1 = _mm512_set1_epi64(0xCD9E8D57);                      \
        for (int b = 0; b + NC <= batches; b += NC)                                                                \
        {                                                                                                           \
            __m512i c0[NC], c1[NC], c2[NC], c3[NC];                                                                \
            for (int j = 0; j < NC; j++)                                                                            \
            {                                                                                                       \
                __m512i c = _mm512_add_epi64(counter, _mm512_set1_epi64(b + j));                                   \
                __m512i p0 = _mm512_mul_epu32(m0, c);                                                               \
                c0[j] = _mm512_xor_si512(_mm512_srli_epi64(c, 32), keys[0]);                                       \
                c1[j] = _mm512_setzero_si512();                                                                     \
                c2[j] = _mm512_xor_si512(_mm512_srli_epi64(p0, 32), keys[1]);                                      \
                c3[j] = p0;                                                                                         \
            }                                                                                                       \
            for (int r = 1; r < 10; r++)                                                                            \
            {                                                                                                       \
                __m512i k0 = keys[2 * r], k1 = keys[2 * r + 1];                                                    \
                for (int j = 0; j < NC; j++)                                                                        \
                {                                                                                                   \
                    __m512i p0 = _mm512_mul_epu32(m0, c0[j]), p1 = _mm512_mul_epu32(m1, c2[j]);                    \
                    c0[j] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), c1[j], k0, 0x96);                 \
                    c1[j] = p1;                                                                                     \
                    c2[j] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), c3[j], k1, 0x96);                 \
                    c3[j] = p0;                                                                                     \
                }                                                                                                   \
            }                                                                                                       \
            for (int j = 0; j < NC; j++)                                                                            \
            {                                                                                                       \
                w[4 * (b + j)] = c0[j]; w[4 * (b + j) + 1] = c1[j]; w[4 * (b + j) + 2] = c2[j]; w[4 * (b + j) + 3] = c3[j]; \
            }                                                                                                       \
        }                                                                                                           \
    }
FILL(2) FILL(4) FILL(6) FILL(8)

#define R12(OP) a0 = OP(a0); a1 = OP(a1); a2 = OP(a2); a3 = OP(a3); a4 = OP(a4); a5 = OP(a5); \
                a6 = OP(a6); a7 = OP(a7); a8 = OP(a8); a9 = OP(a9); a10 = OP(a10); a11 = OP(a11);
#define MUL(x) _mm512_mul_epu32(x, m)
#define SHR(x) _mm512_srli_epi64(x, 1)
#define TL(x) _mm512_ternarylogic_epi64(x, m, a0, 0x96)
#define ADD(x) _mm512_add_epi64(x, m)

int main(void)
{
    for (int i = 0; i < 20; i++) keys[i] = _mm512_set1_epi64((i * 0x9E3779B9ull) & 0xFFFFFFFF);
    static __m512i w[4 * 24];
    const long iters = 2000000;
    const int batches = 24;   // divisible by 2, 4, 6 and 8
    void (*fills[])(__m512i, int, __m512i*) = { fill2, fill4, fill6, fill8 };
    int chains[] = { 2, 4, 6, 8 };
    for (int f = 0; f < 4; f++)
    {
        double t0 = now();
        for (long i = 0; i < iters; i++) fills[f](_mm512_set1_epi64(i), batches, w);
        printf("rounds, %d chains: %.2f ns per batch of 8 blocks\n", chains[f], (now() - t0) / (iters * batches) * 1e9);
    }

    __m512i a0 = _mm512_set1_epi64(1), a1 = _mm512_set1_epi64(2), a2 = _mm512_set1_epi64(3), a3 = _mm512_set1_epi64(4),
            a4 = _mm512_set1_epi64(5), a5 = _mm512_set1_epi64(6), a6 = _mm512_set1_epi64(7), a7 = _mm512_set1_epi64(8),
            a8 = _mm512_set1_epi64(9), a9 = _mm512_set1_epi64(10), a10 = _mm512_set1_epi64(11), a11 = _mm512_set1_epi64(12);
    const __m512i m = _mm512_set1_epi64(0xD2511F53);
    const long n = 120000000;
    double t0;
    // ns per instruction of a loop body of 12 independent instructions, repeated n / 12 times.
#define TIME(BODY) (t0 = now(), ({ for (long i = 0; i < n / 12; i++) { BODY __asm__ volatile(""); } }), (now() - t0) / n * 1e9)
    double add = TIME(R12(ADD)), mul = TIME(R12(MUL)), shr = TIME(R12(SHR)), tl = TIME(R12(TL));
    double mix = TIME(a0 = MUL(a0); a1 = MUL(a1); a2 = MUL(a2); a3 = MUL(a3); a4 = MUL(a4); a5 = MUL(a5);
                      a6 = SHR(a6); a7 = SHR(a7); a8 = SHR(a8); a9 = SHR(a9); a10 = SHR(a10); a11 = SHR(a11););
    printf("12 independent chains, ns per instruction: vpaddq %.3f, vpmuludq %.3f, vpsrlq %.3f, vpternlogq %.3f, "
           "vpmuludq and vpsrlq mixed 6 + 6 %.3f\n", add, mul, shr, tl, mix);
    __m512i s = _mm512_xor_si512(_mm512_xor_si512(_mm512_xor_si512(a0, a1), _mm512_xor_si512(a2, a3)),
                                 _mm512_xor_si512(_mm512_xor_si512(a4, a5), _mm512_xor_si512(a6, a7)));
    s = _mm512_xor_si512(s, _mm512_xor_si512(_mm512_xor_si512(a8, a9), _mm512_xor_si512(a10, a11)));
    uint64_t sum = 0;
    for (int i = 0; i < 24 * 4; i++) sum += (uint64_t)_mm512_reduce_add_epi64(w[i]);
    printf("(checksum %llu)\n", (unsigned long long)(sum + (uint64_t)_mm512_reduce_add_epi64(s)));
    return 0;
}
