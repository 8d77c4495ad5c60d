// philox.cuh: the Philox4x32-10 block function, shared by random.cu, activations.cu (RReLU) and pau.cu (RPAU
// noise). The CPU's twin is Engine/Random/Philox.cs; both give the same words, bit for bit.
//
// Philox (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) is a pure function of a key
// and a counter, so any word of a stream can be drawn on its own, by any thread, in any order:
//     block(seed, c) = 10 rounds on counter (c lo, c hi, 0, 0) with key (k0, k1) = (seed lo, seed hi), where a round is
//         (c0, c1, c2, c3) <- (hi(M1·c2) ^ c1 ^ k0,  lo(M1·c2),  hi(M0·c0) ^ c3 ^ k1,  lo(M0·c0)),
//         (k0, k1) += (W0, W1)
//     with M0 = 0xD2511F53, M1 = 0xCD9E8D57 and the Weyl increments W0 = 0x9E3779B9, W1 = 0xBB67AE85;
//     word w of the stream for a seed is block(seed, w / 4)[w % 4].
// Random123's known-answer vector: key 0, counter 0 gives 6627e8d5 e169c58d bc57ac4c 9b00dbd8
// (the op tests on the emulated driver and Tests/Engine check it).
//
// philox_block is inline; a file that calls it from many places may `#define PHILOX_NOINLINE` before including
// this header to get one out-of-line copy instead (pau.cu does, see there).
// NVRTC receives every cuda/*.cuh as an in-memory header (NvrtcCompiler); the include guard lets several .cu
// files share one translation unit (the emulated driver compiles each .cu on its own, Kernels/CudaEmulator).

#ifndef PADE_PHILOX_CUH
#define PADE_PHILOX_CUH

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

#ifdef PHILOX_NOINLINE
__device__ __noinline__ Words4 philox_block(unsigned long long seed, unsigned long long counter)
#else
__device__ inline Words4 philox_block(unsigned long long seed, unsigned long long counter)
#endif
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

#endif  // PADE_PHILOX_CUH
