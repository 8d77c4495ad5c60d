// runtime.h: the emulated GPU's execution engine (runtime.cpp), as the driver API (driver.cpp) uses it.
#pragma once
#include <string>
#include <vector>
#include "registry.h"
#include "device_api.h"

namespace pade_emu
{
// One kernel launch, with its parameters copied out of the caller's kernelParams (the driver keeps them, as the
// hardware does, so the caller's memory may change as soon as cuLaunchKernel returns).
struct Launch
{
    const KernelInfo* kernel = nullptr;
    dim3 grid, block;
    std::vector<unsigned char> storage;  // the parameter values, each at its alignment
    std::vector<void*> params;           // one pointer per parameter into storage
};

// Why a launch failed: the CUresult to make sticky and a sentence naming the kernel and the cause.
struct Fault
{
    int code = 0;  // 0: none
    std::string message;
};

// Runs every block of the launch on the worker threads and returns when all have finished. A memory fault, a
// deadlock at a barrier or a fiber stack overflow stops the launch and is returned (the remaining blocks do
// not run).
// reverse: run the blocks, and the threads of each block between barriers, in the opposite order (racecheck).
Fault execute(const Launch& launch, bool reverse = false);

// Installed once (cuInit): SIGSEGV/SIGBUS/SIGFPE in a kernel become a Fault; elsewhere they go to the handler
// that was there before (the .NET runtime's).
void install_fault_handlers();

// Describes an address for a fault message ("12 bytes past the end of a 4000-byte allocation at 0x..."); driver.cpp.
std::string describe_address(const void* address);

// Worker threads: PADE_EMU_THREADS, else the number of cores (at most 16).
int worker_count();
}  // namespace pade_emu
