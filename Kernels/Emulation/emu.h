// Minimal CUDA emulation on CPU threads: one std::thread per CUDA thread, blocks run one after another.
#pragma once
#include <thread>
#include <barrier>
#include <vector>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <atomic>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
inline std::barrier<>* g_block_barrier = nullptr;
inline std::vector<std::unique_ptr<std::barrier<>>> g_warp_barriers;
inline double g_warp_buf[64][32];  // [warp][lane] exchange
#define __global__
#define __device__
#define __host__
#define __restrict__
#define __launch_bounds__(x)
#define __shared__ static
#define __forceinline__ inline
inline void __syncthreads() { g_block_barrier->arrive_and_wait(); }
inline int lane_id() { return threadIdx.x & 31; }
inline int warp_id() { return threadIdx.x >> 5; }
template <typename T> T shfl_generic(T v, int src_lane) {
    int w = warp_id();
    std::memcpy(&g_warp_buf[w][lane_id()], &v, sizeof(T));
    g_warp_barriers[w]->arrive_and_wait();
    T r; std::memcpy(&r, &g_warp_buf[w][src_lane], sizeof(T));
    g_warp_barriers[w]->arrive_and_wait();
    return r;
}
template <typename T> T __shfl_down_sync(unsigned, T v, int d) { int s = lane_id() + d; return shfl_generic(v, s < 32 ? s : lane_id()); }
template <typename T> T __shfl_xor_sync(unsigned, T v, int d) { return shfl_generic(v, lane_id() ^ d); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline double __dadd_rn(double a, double b) { volatile double r = a + b; return r; }
inline double __dsub_rn(double a, double b) { volatile double r = a - b; return r; }
inline double __dmul_rn(double a, double b) { volatile double r = a * b; return r; }
inline int __float2int_rz(float v) { if (v != v) return 0; if (v >= 2147483648.0f) return 2147483647; if (v <= -2147483648.0f) return (-2147483647-1); return (int)v; }
inline int __double2int_rz(double v) { if (v != v) return 0; if (v >= 2147483648.0) return 2147483647; if (v <= -2147483649.0) return (-2147483647-1); return (int)v; }
using std::exp; using std::log; using std::sqrt; using std::fabs; using std::pow; using std::tanh; using std::cos;
inline float expf(float x) { return std::exp(x); }
inline float logf(float x) { return std::log(x); }
inline float sqrtf(float x) { return std::sqrt(x); }
inline float fabsf(float x) { return std::fabs(x); }
inline float powf(float x, float y) { return std::pow(x, y); }
inline float tanhf(float x) { return std::tanh(x); }

template <typename F>
void launch(dim3 grid, dim3 block, F&& kernel) {
    gridDim = grid; blockDim = block;
    int nthreads = block.x * block.y * block.z;
    for (unsigned bz = 0; bz < grid.z; ++bz) for (unsigned by = 0; by < grid.y; ++by) for (unsigned bx = 0; bx < grid.x; ++bx) {
        std::barrier<> bar(nthreads);
        g_block_barrier = &bar;
        g_warp_barriers.clear();
        for (int w = 0; w < (nthreads + 31) / 32; ++w) g_warp_barriers.push_back(std::make_unique<std::barrier<>>(std::min(32, nthreads - 32 * w)));
        std::vector<std::thread> ts;
        for (int t = 0; t < nthreads; ++t)
            ts.emplace_back([&, t] { threadIdx = {(unsigned)t, 0, 0}; blockIdx = {bx, by, bz}; kernel(); });
        for (auto& t : ts) t.join();
    }
}
inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
