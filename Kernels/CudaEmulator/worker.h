// worker.h: a worker thread of the emulated GPU and the fibers of the block it runs (runtime.cpp), shared with the
// fault handler (faults.cpp), which needs the worker's jump buffer and the fiber that faulted.
#pragma once
#include "runtime.h"

#include <csetjmp>
#include <csignal>
#include <string>
#include <thread>
#include <unistd.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace pade_emu::fibers
{
constexpr int MaxThreads = 1024, MaxWarps = MaxThreads / 32;
inline const size_t Page = (size_t)sysconf(_SC_PAGESIZE);

struct Fiber
{
    void* sp = nullptr;
#if !defined(__x86_64__)
    ucontext_t uc;
#endif
    uint3 idx{};
    unsigned warp = 0;
    bool done = false;
    enum Wait : unsigned char { None, Block, Warp } waiting = None;
};

struct Worker
{
    int index = 0;
    std::thread thread;
    // Fibers and their stacks, [guard page][stack] each, mapped once and reused by every block.
    Fiber fibers[MaxThreads];
    char* stacks = nullptr;
    size_t stack_stride = 0;
    void* scheduler_sp = nullptr;
#if !defined(__x86_64__)
    ucontext_t scheduler_uc;
#endif
    Fiber* current = nullptr;
    unsigned long long initial_fp_state = 0;
    // The block that runs now.
    const Launch* launch = nullptr;
    int threads = 0, alive = 0;
    int block_waiting = 0;
    unsigned block_generation = 0;
    int warp_alive[MaxWarps]{}, warp_waiting[MaxWarps]{};
    unsigned warp_generation[MaxWarps]{};
    unsigned long long shuffle[MaxWarps][2][32]{};
    unsigned long long progress = 0;
    // Fault recovery.
    sigjmp_buf fault_jump;
    volatile sig_atomic_t in_kernel = 0;
    int fault_signal = 0;
    void* fault_address = nullptr;
    char* alt_stack = nullptr;
};


extern thread_local Worker* tl_worker;  // the worker this thread is, if it is one

// "kernel k, block (…), thread (…): illegal memory access at …" for the fault the worker just caught.
std::string fault_text(Worker& w, const Launch& L);
}  // namespace pade_emu::fibers
