// faults.cpp: a SIGSEGV, SIGBUS or SIGFPE inside a kernel becomes a Fault naming the kernel, block, thread and
// address (the worker jumps back to its loop, runtime.cpp); any other goes to the handler installed before ours (the
// .NET runtime turns a fault in managed code into a NullReferenceException), or ends the process as by default.
#include "worker.h"

#include <cstdio>
#include <mutex>

namespace pade_emu
{
namespace fibers
{
std::string fault_text(Worker& w, const Launch& L)
{
    char head[256];
    const uint3 b = tl_block, t = w.current ? w.current->idx : uint3{0, 0, 0};
    std::snprintf(head, sizeof head, "kernel %s, block (%u,%u,%u), thread (%u,%u,%u): ", L.kernel->name, b.x, b.y, b.z,
                  t.x, t.y, t.z);
    char* a = static_cast<char*>(w.fault_address);
    if (w.fault_signal == SIGFPE) return std::string(head) + "integer division by zero (undefined on the device)";
    if (a >= w.stacks && a < w.stacks + MaxThreads * w.stack_stride)
        return std::string(head) + "the emulator's stack for this CUDA thread overflowed (PADE_EMU_STACK_KB sets its size)";
    return std::string(head) + "illegal memory access at " + describe_address(a);
}

}  // namespace fibers

namespace
{
using namespace fibers;

struct sigaction previous[3];
const int handled[3] = {SIGSEGV, SIGBUS, SIGFPE};

void on_fault(int sig, siginfo_t* info, void* context)
{
    Worker* w = tl_worker;
    if (w != nullptr && w->in_kernel)
    {
        w->fault_signal = sig;
        w->fault_address = info->si_addr;
        w->in_kernel = 0;
        siglongjmp(w->fault_jump, 1);
    }
    // Not ours: hand it to whoever handled it before (the .NET runtime turns a fault in managed code into a
    // NullReferenceException), or let the default action end the process.
    for (int i = 0; i < 3; ++i)
    {
        if (handled[i] != sig) continue;
        const struct sigaction& prev = previous[i];
        if (prev.sa_flags & SA_SIGINFO)
        {
            if (prev.sa_sigaction) prev.sa_sigaction(sig, info, context);
            return;
        }
        if (prev.sa_handler == SIG_IGN) return;
        if (prev.sa_handler == SIG_DFL)
        {
            signal(sig, SIG_DFL);
            raise(sig);
            return;
        }
        prev.sa_handler(sig);
        return;
    }
}
}  // namespace

void install_fault_handlers()
{
    static std::once_flag once;
    std::call_once(once, [] {
        for (int i = 0; i < 3; ++i)
        {
            struct sigaction sa{};
            sa.sa_sigaction = on_fault;
            sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&sa.sa_mask);
            sigaction(handled[i], &sa, &previous[i]);
        }
    });
}

}  // namespace pade_emu
