// runtime.cpp: runs a kernel launch on CPU threads.
//
// Blocks are shared out to a few worker threads (one per core). A worker runs one block at a time, each CUDA
// thread of it as a fiber with a small stack of its own: a fiber runs until it reaches __syncthreads, a warp
// shuffle or its end, then hands control back to the worker's scheduler, which resumes the next fiber. A barrier
// opens when every live thread of the block (or lane of the warp) has arrived. Switching is a dozen instructions
// (pade_emu_switch below, x86-64; ucontext elsewhere), so a block of 256 threads without barriers costs 512
// switches, and the whole CUDA suite runs in minutes where one OS thread per CUDA thread took hours.
//
// Faults: a kernel's load or store outside every live allocation touches a guard page (driver.cpp maps each
// allocation between two) and raises SIGSEGV on the worker; the handler jumps back to the worker's loop, which
// stops the launch and reports the kernel, block, thread and address. Threads that can never pass a barrier (a
// __syncthreads that not all threads reach while others wait) are reported as a deadlock instead of hanging.
#include "worker.h"

#include <atomic>
#include <condition_variable>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace pade_emu
{
namespace fibers
{
thread_local Worker* tl_worker = nullptr;
}  // namespace fibers
using namespace fibers;

PADE_EMU_TLS uint3 tl_thread;
PADE_EMU_TLS uint3 tl_block;
PADE_EMU_TLS dim3 tl_block_dim;
PADE_EMU_TLS dim3 tl_grid_dim;

namespace
{

size_t stack_bytes()
{
    static const size_t bytes = [] {
        const char* kb = std::getenv("PADE_EMU_STACK_KB");
        long v = kb ? std::atol(kb) : 0;
        return (size_t)(v >= 16 ? v : 64) * 1024;
    }();
    return bytes;
}

// ---- context switch --------------------------------------------------------------------------------------------
#if defined(__x86_64__)
extern "C" void pade_emu_switch(void** save_sp, void* load_sp);
// Saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores the stack pointer
// in *save_sp, and resumes the context whose stack pointer is load_sp (the System V ABI lets a call clobber
// everything else).
asm(R"(
    .text
    .globl pade_emu_switch
    .hidden pade_emu_switch
    .type pade_emu_switch,@function
pade_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size pade_emu_switch, .-pade_emu_switch
)");
#endif


[[noreturn]] void fiber_main();

void start_fiber(Worker& w, Fiber& f, int t)
{
    char* top = w.stacks + (size_t)t * w.stack_stride + w.stack_stride;  // stride is a multiple of the page size
#if defined(__x86_64__)
    auto* sp = reinterpret_cast<unsigned long long*>(top);
    *--sp = 0;                                                // fiber_main's return address: it never returns
    *--sp = reinterpret_cast<unsigned long long>(&fiber_main);  // popped by pade_emu_switch's ret
    for (int r = 0; r < 6; ++r) *--sp = 0;                     // rbp rbx r12 r13 r14 r15
    *--sp = w.initial_fp_state;                                // MXCSR, x87 control word
    f.sp = sp;
#else
    getcontext(&f.uc);
    f.uc.uc_stack.ss_sp = top - (w.stack_stride - Page);
    f.uc.uc_stack.ss_size = w.stack_stride - Page;
    f.uc.uc_link = nullptr;
    makecontext(&f.uc, (void (*)())fiber_main, 0);
#endif
}

inline void to_scheduler(Worker& w, Fiber& f)
{
#if defined(__x86_64__)
    pade_emu_switch(&f.sp, w.scheduler_sp);
#else
    swapcontext(&f.uc, &w.scheduler_uc);
#endif
}

inline void to_fiber(Worker& w, Fiber& f)
{
    w.current = &f;
    tl_thread = f.idx;
#if defined(__x86_64__)
    pade_emu_switch(&w.scheduler_sp, f.sp);
#else
    swapcontext(&w.scheduler_uc, &f.uc);
#endif
}

// A barrier opens when the threads waiting at it are all the threads still alive (exited threads do not hold it
// up, as on hardware since Volta).
void maybe_open_block(Worker& w)
{
    if (w.block_waiting > 0 && w.block_waiting == w.alive)
    {
        w.block_waiting = 0;
        ++w.block_generation;
    }
}

void maybe_open_warp(Worker& w, unsigned warp)
{
    if (w.warp_waiting[warp] > 0 && w.warp_waiting[warp] == w.warp_alive[warp])
    {
        w.warp_waiting[warp] = 0;
        ++w.warp_generation[warp];
    }
}

[[noreturn]] void fiber_main()
{
    Worker& w = *tl_worker;
    w.launch->kernel->invoke(w.launch->params.data());
    Worker& v = *tl_worker;  // same worker: a block never changes threads
    Fiber& f = *v.current;
    f.done = true;
    --v.alive;
    --v.warp_alive[f.warp];
    ++v.progress;
    maybe_open_block(v);
    maybe_open_warp(v, f.warp);
    to_scheduler(v, f);
    __builtin_unreachable();
}

// The scheduler: resumes every unfinished fiber in turn until all have finished. A full round in which no fiber
// arrived at a barrier, passed one or finished means that none ever will.
bool run_block(Worker& w, const Launch& L, uint3 block, bool reverse, Fault& fault)
{
    tl_block = block;
    const dim3 b = L.block;
    const int n = (int)(b.x * b.y * b.z);
    w.threads = w.alive = n;
    w.block_waiting = 0;
    const int warps = (n + 31) / 32;
    for (int i = 0; i < warps; ++i)
    {
        w.warp_alive[i] = i < warps - 1 ? 32 : n - 32 * i;
        w.warp_waiting[i] = 0;
    }
    for (int t = 0; t < n; ++t)
    {
        Fiber& f = w.fibers[t];
        f.idx = {t % b.x, (t / b.x) % b.y, t / (b.x * b.y)};
        f.warp = (unsigned)t / 32;
        f.done = false;
        f.waiting = Fiber::None;
        start_fiber(w, f, t);
    }
    while (w.alive > 0)
    {
        unsigned long long before = w.progress;
        for (int k = 0; k < n; ++k)
        {
            int t = reverse ? n - 1 - k : k;
            if (!w.fibers[t].done) to_fiber(w, w.fibers[t]);
        }
        if (w.alive > 0 && w.progress == before)
        {
            int at_block = 0, at_warp = 0;
            for (int t = 0; t < n; ++t)
            {
                if (w.fibers[t].done) continue;
                at_block += w.fibers[t].waiting == Fiber::Block;
                at_warp += w.fibers[t].waiting == Fiber::Warp;
            }
            char text[512];
            std::snprintf(text, sizeof text,
                          "kernel %s, block (%u,%u,%u): deadlock: %d of %d threads wait at __syncthreads and %d at a "
                          "warp shuffle, %d have exited, and none can go on (a barrier that not every thread "
                          "reaches, or a shuffle after some lanes returned)",
                          L.kernel->name, block.x, block.y, block.z, at_block, n, at_warp, n - w.alive);
            fault = {719, text};
            return false;
        }
    }
    return true;
}

// ---- worker pool -----------------------------------------------------------------------------------------------

struct Pool
{
    std::mutex mutex;
    std::condition_variable start, done;
    std::vector<Worker*> workers;
    unsigned long long generation = 0;
    int pending = 0, wanted = 0;
    const Launch* launch = nullptr;
    std::atomic<long long> next_block{0};
    long long total_blocks = 0;
    bool reverse = false;
    std::atomic<bool> abort{false};
    std::mutex fault_mutex;
    Fault fault;
};

Pool& pool();


void work(Worker& w, const Launch& L)
{
    Pool& p = pool();
    tl_block_dim = L.block;
    tl_grid_dim = L.grid;
    w.launch = &L;
    if (sigsetjmp(w.fault_jump, 1) != 0)
    {
        // Back from the fault handler: the fibers of this block are abandoned (their stacks are simply reused).
        w.in_kernel = 0;
        std::string text = fault_text(w, L);
        std::lock_guard<std::mutex> lock(p.fault_mutex);
        if (p.fault.code == 0) p.fault = {w.fault_signal == SIGFPE ? 719 : 700, text};
        p.abort = true;
        return;
    }
    w.in_kernel = 1;
    const long long gx = L.grid.x, gy = L.grid.y;
    for (;;)
    {
        long long i = p.next_block.fetch_add(1);
        if (i >= p.total_blocks || p.abort.load(std::memory_order_relaxed)) break;
        if (p.reverse) i = p.total_blocks - 1 - i;
        uint3 block{(unsigned)(i % gx), (unsigned)(i / gx % gy), (unsigned)(i / (gx * gy))};
        Fault f;
        if (!run_block(w, L, block, p.reverse, f))
        {
            std::lock_guard<std::mutex> lock(p.fault_mutex);
            if (p.fault.code == 0) p.fault = f;
            p.abort = true;
            break;
        }
    }
    w.in_kernel = 0;
}

void worker_loop(Worker* w)
{
    tl_worker = w;
    stack_t ss{};
    ss.ss_sp = w->alt_stack;
    ss.ss_size = 64 * 1024;
    sigaltstack(&ss, nullptr);
#if defined(__x86_64__)
    unsigned mxcsr = 0;
    unsigned short cw = 0;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(cw));
    w->initial_fp_state = (unsigned long long)mxcsr | ((unsigned long long)cw << 32);
#endif
    Pool& p = pool();
    unsigned long long seen = 0;
    for (;;)
    {
        const Launch* L;
        {
            std::unique_lock<std::mutex> lock(p.mutex);
            p.start.wait(lock, [&] { return p.generation != seen && w->index < p.wanted; });
            seen = p.generation;
            L = p.launch;
        }
        work(*w, *L);
        {
            std::lock_guard<std::mutex> lock(p.mutex);
            if (--p.pending == 0) p.done.notify_all();
        }
    }
}

Worker* make_worker(int index)
{
    auto* w = new Worker();
    w->index = index;
    w->stack_stride = Page + ((stack_bytes() + Page - 1) / Page) * Page;
    size_t total = w->stack_stride * MaxThreads;
    void* m = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) { std::perror("pade cuda emulator: mmap of fiber stacks"); std::abort(); }
    w->stacks = static_cast<char*>(m);
    for (int t = 0; t < MaxThreads; ++t) mprotect(w->stacks + (size_t)t * w->stack_stride, Page, PROT_NONE);
    w->alt_stack = static_cast<char*>(std::malloc(64 * 1024));
    w->thread = std::thread(worker_loop, w);
    w->thread.detach();
    return w;
}

Pool& pool()
{
    static Pool* p = [] {
        auto* q = new Pool();  // never destroyed: workers outlive static destructors at exit
        return q;
    }();
    return *p;
}

std::once_flag workers_started;

}  // namespace

void sync_block()
{
    Worker& w = *tl_worker;
    Fiber& f = *w.current;
    unsigned generation = w.block_generation;
    ++w.block_waiting;
    ++w.progress;
    maybe_open_block(w);
    f.waiting = Fiber::Block;
    while (w.block_generation == generation) to_scheduler(w, f);
    f.waiting = Fiber::None;
}

void sync_warp()
{
    Worker& w = *tl_worker;
    Fiber& f = *w.current;
    unsigned warp = f.warp, generation = w.warp_generation[warp];
    ++w.warp_waiting[warp];
    ++w.progress;
    maybe_open_warp(w, warp);
    f.waiting = Fiber::Warp;
    while (w.warp_generation[warp] == generation) to_scheduler(w, f);
    f.waiting = Fiber::None;
}

unsigned long long* shuffle_slots()
{
    Worker& w = *tl_worker;
    unsigned warp = w.current->warp;
    return w.shuffle[warp][w.warp_generation[warp] & 1];
}

int worker_count()
{
    static const int count = [] {
        const char* env = std::getenv("PADE_EMU_THREADS");
        int n = env ? std::atoi(env) : (int)std::thread::hardware_concurrency();
        return n < 1 ? 1 : n > 16 ? 16 : n;
    }();
    return count;
}

Fault execute(const Launch& L, bool reverse)
{
    Pool& p = pool();
    std::call_once(workers_started, [&] {
        for (int i = 0; i < worker_count(); ++i) p.workers.push_back(make_worker(i));
    });
    long long blocks = (long long)L.grid.x * L.grid.y * L.grid.z;
    std::unique_lock<std::mutex> lock(p.mutex);
    p.launch = &L;
    p.total_blocks = blocks;
    p.reverse = reverse;
    p.next_block = 0;
    p.abort = false;
    p.fault = {};
    p.wanted = (int)std::min<long long>(blocks, (long long)p.workers.size());
    p.pending = p.wanted;
    ++p.generation;
    p.start.notify_all();
    p.done.wait(lock, [&] { return p.pending == 0; });
    return p.fault;
}
}  // namespace pade_emu
