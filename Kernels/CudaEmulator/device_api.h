// device_api.h: the emulated device's coordinates and barriers, without device.h's macros (which would break the
// standard headers that runtime.cpp and driver.cpp include after them).
#pragma once

struct uint3 { unsigned x, y, z; };
struct dim3 { unsigned x = 1, y = 1, z = 1; };

namespace pade_emu
{
// The coordinates of the fiber that runs now, per worker thread. (Not initial-exec: the .NET runtime leaves no
// static TLS space for a library loaded later; build.sh picks TLS descriptors, which are nearly as cheap.)
#define PADE_EMU_TLS thread_local
extern PADE_EMU_TLS uint3 tl_thread;
extern PADE_EMU_TLS uint3 tl_block;
extern PADE_EMU_TLS dim3 tl_block_dim;
extern PADE_EMU_TLS dim3 tl_grid_dim;

void sync_block();                       // __syncthreads: wait for every live thread of the block
void sync_warp();                        // a shuffle's barrier: wait for every live lane of the warp
unsigned long long* shuffle_slots();     // [32 lanes] of the calling warp, alternating between two buffers
}  // namespace pade_emu

