// device.h: what a cuda/*.cu file sees when g++ compiles it for the emulated driver (the CUDA built-ins NVRTC
// provides: threadIdx and friends, __syncthreads, warp shuffles, the rounding intrinsics and the math library).
//
// Each CUDA thread of a block runs as a fiber on one worker thread (runtime.cpp); __syncthreads and the shuffles are
// the only points where a fiber yields, so everything between two barriers runs as plain C++. Per-block state
// (__shared__ arrays, the shuffle buffers) is thread_local: two workers run two blocks at once.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "device_api.h"

#define threadIdx (::pade_emu::tl_thread)
#define blockIdx (::pade_emu::tl_block)
#define blockDim (::pade_emu::tl_block_dim)
#define gridDim (::pade_emu::tl_grid_dim)
#define warpSize 32

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
// The block-size limit is read from the PTX's .maxntid, as the real driver does (driver.cpp).
#define __launch_bounds__(...)
// Shared memory belongs to the block, and a worker runs one block at a time.
#define __shared__ static thread_local

inline void __syncthreads() { pade_emu::sync_block(); }

namespace pade_emu
{
// A shuffle is one warp barrier: each lane publishes its value, waits for the warp, reads its source lane. The
// slots alternate between two buffers per barrier generation, so the next shuffle cannot overwrite a value that
// a slower lane has yet to read (it would have to pass a barrier that lane has not reached).
template <typename T> T shuffle(T v, int src)
{
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a type wider than 8 bytes");
    unsigned lane = tl_thread.x & 31;
    unsigned long long word = 0;
    std::memcpy(&word, &v, sizeof(T));
    unsigned long long* slots = shuffle_slots();
    slots[lane] = word;
    sync_warp();
    T r;
    std::memcpy(&r, &slots[src & 31], sizeof(T));
    return r;
}
}  // namespace pade_emu

template <typename T> T __shfl_sync(unsigned, T v, int src, int = 32) { return pade_emu::shuffle(v, src); }
template <typename T> T __shfl_down_sync(unsigned, T v, unsigned d, int = 32)
{
    int s = (int)(threadIdx.x & 31) + (int)d;
    return pade_emu::shuffle(v, s < 32 ? s : (int)(threadIdx.x & 31));
}
template <typename T> T __shfl_up_sync(unsigned, T v, unsigned d, int = 32)
{
    int s = (int)(threadIdx.x & 31) - (int)d;
    return pade_emu::shuffle(v, s >= 0 ? s : (int)(threadIdx.x & 31));
}
template <typename T> T __shfl_xor_sync(unsigned, T v, int m, int = 32)
{
    return pade_emu::shuffle(v, (int)(threadIdx.x & 31) ^ m);
}

// ---- intrinsics ------------------------------------------------------------------------------------------------
// The _rn forms round each operation on its own: a volatile store stops the compiler fusing them into an FMA,
// which is what they are for on the device too.
inline double __dadd_rn(double a, double b) { volatile double r = a + b; return r; }
inline double __dsub_rn(double a, double b) { volatile double r = a - b; return r; }
inline double __dmul_rn(double a, double b) { volatile double r = a * b; return r; }
inline float __fadd_rn(float a, float b) { volatile float r = a + b; return r; }
inline float __fsub_rn(float a, float b) { volatile float r = a - b; return r; }
inline float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b)
{
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
// cvt.rzi: NaN gives 0, out-of-range values saturate (C++'s cast would be undefined).
inline int __float2int_rz(float v)
{
    if (v != v) return 0;
    if (v >= 2147483648.0f) return 2147483647;
    if (v <= -2147483648.0f) return -2147483647 - 1;
    return (int)v;
}
inline int __double2int_rz(double v)
{
    if (v != v) return 0;
    if (v >= 2147483648.0) return 2147483647;
    if (v <= -2147483649.0) return -2147483647 - 1;
    return (int)v;
}
inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline int __float_as_int(float v) { int i; std::memcpy(&i, &v, 4); return i; }
inline unsigned __float_as_uint(float v) { unsigned i; std::memcpy(&i, &v, 4); return i; }
inline float __uint_as_float(unsigned v) { float f; std::memcpy(&f, &v, 4); return f; }
inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline long long __double_as_longlong(double v) { long long i; std::memcpy(&i, &v, 8); return i; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
template <typename T> T min(T a, T b) { return a < b ? a : b; }
template <typename T> T max(T a, T b) { return a > b ? a : b; }
// The math library: glibc's, through <cmath>'s global C names (expf, exp, logf, erff, ...). Its last bits differ
// from libdevice's; the op tests' tolerances allow for that, as they do on hardware.
using std::abs;
