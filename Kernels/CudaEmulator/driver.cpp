// driver.cpp: the CUDA driver API calls that Kernels/Interop/CudaDriver.cs makes, answered by an emulated device:
// initialisation, device queries, error texts, the primary context, streams, events and launches. Memory is in
// memory.cpp, modules in module.cpp, execution in runtime.cpp.
//
// Work runs synchronously inside the call that issues it (a launch returns when the kernel has finished), which
// is one valid ordering of the asynchronous API; a kernel's fault is still reported by the *next* call, as the
// hardware reports it at the next synchronising call, and it is sticky, as on hardware: every later call fails
// with it. Streams and events exist so the C# code runs unchanged.
//
// Beyond the driver API, functions for Pade's tests: pade_emu_last_error() (the sentence behind the last failure),
// pade_emu_reset() (forget a sticky error; real hardware needs a new process for that) and pade_emu_set_racecheck.
#include "driver_internal.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pade_emu
{
namespace
{
int multiprocessors()
{
    static const int n = [] {
        const char* env = std::getenv("PADE_EMU_SMS");
        int v = env ? std::atoi(env) : 4;
        return v < 1 ? 1 : v;
    }();
    return n;
}

}  // namespace

int primary_context_tag;
thread_local void* current_context = nullptr;

State& state()
{
    static State* s = new State();  // never destroyed: workers and finalizers may still call in at exit
    return *s;
}


// The checks every context-bound call starts with: initialised, a current context, no sticky error.
CUresult ready(State& s)
{
    if (!s.initialised) return fail(NOT_INITIALIZED, "cuInit has not been called");
    if (s.sticky != 0)
        return fail(s.sticky, "the context is unusable since an earlier error (sticky, as on hardware): %s",
                    s.sticky_message.c_str());
    if (current_context != &primary_context_tag)
        return fail(INVALID_CONTEXT, "no current context on this thread (cuCtxSetCurrent)");
    return SUCCESS;
}

bool known_stream(State& s, void* stream)
{
    // 0: the legacy default stream; 1 and 2: CU_STREAM_LEGACY and CU_STREAM_PER_THREAD.
    return stream == nullptr || stream == (void*)1 || stream == (void*)2 || s.streams.count(stream) > 0;
}

namespace
{
// Racecheck: the launch from the same memory in two orders; the first difference is the report.
Fault execute_twice(State& s, const Launch& launch)
{
    std::vector<std::pair<Allocation, std::vector<char>>> before, after;
    for (auto& [user, a] : s.live) before.push_back({a, std::vector<char>(a.user, a.user + a.size)});
    Fault fault = execute(launch, false);
    if (fault.code != 0) return fault;
    for (auto& [a, bytes] : before)
    {
        after.push_back({a, std::vector<char>(a.user, a.user + a.size)});
        std::memcpy(a.user, bytes.data(), a.size);
    }
    fault = execute(launch, true);
    if (fault.code != 0) return fault;
    for (auto& [a, bytes] : after)
    {
        if (std::memcmp(a.user, bytes.data(), a.size) == 0) continue;
        size_t at = 0;
        while (a.user[at] == bytes[at]) ++at;
        at &= ~(size_t)3;
        float forward, backward;
        std::memcpy(&forward, bytes.data() + at, 4);
        std::memcpy(&backward, a.user + at, 4);
        char text[768];
        std::snprintf(text, sizeof text,
                      "kernel %s: data race: the result depends on the order in which threads run (racecheck ran it "
                      "twice, threads and blocks in opposite orders). First difference at byte %zu of a %zu-byte "
                      "allocation at %p (as float32: %g in order, %g in reverse order). Typical causes: a missing "
                      "__syncthreads between writing shared memory and reading it, or two threads writing one address",
                      launch.kernel->name, at, a.size, (void*)a.user, forward, backward);
        return {LAUNCH_FAILED, text};
    }
    return fault;
}

// PADE_EMU_LAUNCH_LOG=file: the name of every kernel launched, once, appended to the file (which entry points a
// test run reaches; docs/cuda.md).
void note_first_launch(const char* name)
{
    static const char* path = std::getenv("PADE_EMU_LAUNCH_LOG");
    static std::set<std::string> seen;
    if (path == nullptr || !seen.insert(name).second) return;
    if (FILE* f = std::fopen(path, "a"))
    {
        std::fprintf(f, "%s\n", name);
        std::fclose(f);
    }
}
}  // namespace
}  // namespace pade_emu

using namespace pade_emu;

// ---- initialisation, device queries ----------------------------------------------------------------------------

EXPORT CUresult cuInit(unsigned flags)
{
    if (flags != 0) return fail(INVALID_VALUE, "cuInit: flags must be 0");
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    install_fault_handlers();
    s.initialised = true;
    return SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int* version)
{
    if (!version) return INVALID_VALUE;
    *version = 13000;
    return SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int* count)
{
    if (!state().initialised) return NOT_INITIALIZED;
    if (!count) return INVALID_VALUE;
    *count = 1;
    return SUCCESS;
}

EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal)
{
    if (!state().initialised) return NOT_INITIALIZED;
    if (!device) return INVALID_VALUE;
    if (ordinal != 0) return fail(INVALID_DEVICE, "cuDeviceGet: ordinal %d, the emulator has one device", ordinal);
    *device = 0;
    return SUCCESS;
}

EXPORT CUresult cuDeviceGetName(char* name, int length, CUdevice device)
{
    if (!name || length <= 0) return INVALID_VALUE;
    if (device != 0) return INVALID_DEVICE;
    std::snprintf(name, (size_t)length, "Pade emulated CUDA device (%d SMs on %d CPU threads)", multiprocessors(),
                  worker_count());
    return SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device)
{
    if (!value) return INVALID_VALUE;
    if (device != 0) return INVALID_DEVICE;
    // An A100-like sm_80 device with few multiprocessors: grid-stride kernels size their grids by the SM count,
    // and every block costs emulation time.
    switch (attribute)
    {
    case 1: *value = 1024; break;                 // MAX_THREADS_PER_BLOCK
    case 2: case 3: *value = 1024; break;         // MAX_BLOCK_DIM_X, _Y
    case 4: *value = 64; break;                   // MAX_BLOCK_DIM_Z
    case 5: *value = 2147483647; break;           // MAX_GRID_DIM_X
    case 6: case 7: *value = 65535; break;        // MAX_GRID_DIM_Y, _Z
    case 8: *value = MaxSharedPerBlock; break;    // MAX_SHARED_MEMORY_PER_BLOCK
    case 9: *value = 65536; break;                // TOTAL_CONSTANT_MEMORY
    case 10: *value = 32; break;                  // WARP_SIZE
    case 12: *value = 65536; break;               // MAX_REGISTERS_PER_BLOCK
    case 13: *value = 1410000; break;             // CLOCK_RATE (kHz)
    case 16: *value = multiprocessors(); break;   // MULTIPROCESSOR_COUNT
    case 36: *value = 1215000; break;             // MEMORY_CLOCK_RATE (kHz)
    case 37: *value = 5120; break;                // GLOBAL_MEMORY_BUS_WIDTH
    case 38: *value = 40 << 20; break;            // L2_CACHE_SIZE
    case 39: *value = 2048; break;                // MAX_THREADS_PER_MULTIPROCESSOR
    case 75: *value = 8; break;                   // COMPUTE_CAPABILITY_MAJOR
    case 76: *value = 0; break;                   // COMPUTE_CAPABILITY_MINOR
    case 81: *value = 167936; break;              // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
    case 82: *value = 65536; break;               // MAX_REGISTERS_PER_MULTIPROCESSOR
    case 97: *value = 166912; break;              // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
    case 106: *value = 32; break;                 // MAX_BLOCKS_PER_MULTIPROCESSOR
    default:
        if (attribute < 1 || attribute > 140) return fail(INVALID_VALUE, "cuDeviceGetAttribute: no attribute %d", attribute);
        *value = 0;
    }
    return SUCCESS;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device)
{
    if (!bytes) return INVALID_VALUE;
    if (device != 0) return INVALID_DEVICE;
    *bytes = (size_t)TotalMemory;
    return SUCCESS;
}

// ---- contexts --------------------------------------------------------------------------------------------------

EXPORT CUresult cuDevicePrimaryCtxRetain(void** context, CUdevice device)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (!s.initialised) return NOT_INITIALIZED;
    if (!context) return INVALID_VALUE;
    if (device != 0) return INVALID_DEVICE;
    ++s.primary_retains;
    *context = &primary_context_tag;
    return SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (device != 0) return INVALID_DEVICE;
    if (s.primary_retains == 0) return fail(INVALID_CONTEXT, "cuDevicePrimaryCtxRelease: not retained");
    --s.primary_retains;
    return SUCCESS;
}

EXPORT CUresult cuCtxSetCurrent(void* context)
{
    if (!state().initialised) return NOT_INITIALIZED;
    if (context != nullptr && context != &primary_context_tag)
        return fail(INVALID_CONTEXT, "cuCtxSetCurrent: %p is not a context", context);
    current_context = context;
    return SUCCESS;
}

EXPORT CUresult cuCtxGetCurrent(void** context)
{
    if (!state().initialised) return NOT_INITIALIZED;
    if (!context) return INVALID_VALUE;
    *context = current_context;
    return SUCCESS;
}

EXPORT CUresult cuCtxSynchronize()
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    return ready(s);
}

// ---- streams and events ----------------------------------------------------------------------------------------

EXPORT CUresult cuStreamCreate(void** stream, unsigned flags)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!stream || flags > 1) return INVALID_VALUE;
    *stream = new int(0);
    s.streams.insert(*stream);
    return SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(void* stream)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (!s.streams.erase(stream)) return fail(INVALID_HANDLE, "cuStreamDestroy: %p is not a stream", stream);
    delete static_cast<int*>(stream);
    return SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(void* stream)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    return known_stream(s, stream) ? SUCCESS : INVALID_HANDLE;
}

EXPORT CUresult cuEventCreate(void** event, unsigned flags)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!event) return INVALID_VALUE;
    (void)flags;
    *event = new Event();
    s.events.insert(*event);
    return SUCCESS;
}

EXPORT CUresult cuEventRecord(void* event, void* stream)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!s.events.count(event) || !known_stream(s, stream)) return INVALID_HANDLE;
    auto* e = static_cast<Event*>(event);
    e->recorded = true;
    e->at = std::chrono::steady_clock::now();
    return SUCCESS;
}

EXPORT CUresult cuEventSynchronize(void* event)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    return s.events.count(event) ? SUCCESS : INVALID_HANDLE;
}

EXPORT CUresult cuEventElapsedTime(float* milliseconds, void* start, void* end)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!milliseconds) return INVALID_VALUE;
    if (!s.events.count(start) || !s.events.count(end)) return INVALID_HANDLE;
    auto* a = static_cast<Event*>(start);
    auto* b = static_cast<Event*>(end);
    if (!a->recorded || !b->recorded) return fail(INVALID_HANDLE, "cuEventElapsedTime: an event was never recorded");
    *milliseconds = std::chrono::duration<float, std::milli>(b->at - a->at).count();
    return SUCCESS;
}

EXPORT CUresult cuEventDestroy_v2(void* event)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (!s.events.erase(event)) return INVALID_HANDLE;
    delete static_cast<Event*>(event);
    return SUCCESS;
}


EXPORT CUresult cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned shared, void* stream, void** params, void** extra)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    const Function* f = function_of(s, function);
    if (!f) return fail(INVALID_HANDLE, "cuLaunchKernel: %p is not a function of a loaded module", function);
    const char* k = f->name.c_str();
    if (!known_stream(s, stream)) return fail(INVALID_HANDLE, "cuLaunchKernel(%s): unknown stream %p", k, stream);
    // The hardware's limits, with the error codes the real driver gives.
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0)
        return fail(INVALID_VALUE, "cuLaunchKernel(%s): grid (%u,%u,%u) or block (%u,%u,%u) has a zero extent", k, gx, gy,
                    gz, bx, by, bz);
    if (gy > 65535 || gz > 65535 || gx > 2147483647u)
        return fail(INVALID_VALUE, "cuLaunchKernel(%s): grid (%u,%u,%u) exceeds the limits (2147483647, 65535, 65535)", k,
                    gx, gy, gz);
    if (bx > 1024 || by > 1024 || bz > 64)
        return fail(INVALID_VALUE, "cuLaunchKernel(%s): block (%u,%u,%u) exceeds the limits (1024, 1024, 64)", k, bx, by, bz);
    unsigned long long threads = (unsigned long long)bx * by * bz;
    if (threads > 1024)
        return fail(INVALID_VALUE, "cuLaunchKernel(%s): block of %llu threads, the device allows 1024", k, threads);
    if ((long long)threads > f->max_threads)
        return fail(LAUNCH_OUT_OF_RESOURCES,
                    "cuLaunchKernel(%s): block of %llu threads exceeds the kernel's __launch_bounds__ (%d)", k, threads,
                    f->max_threads);
    if ((long long)shared + f->static_shared > MaxSharedPerBlock)
        return fail(INVALID_VALUE,
                    "cuLaunchKernel(%s): %u bytes of dynamic and %d of static shared memory exceed 49152 per block", k,
                    shared, f->static_shared);
    if (extra != nullptr) return fail(NOT_SUPPORTED, "cuLaunchKernel(%s): 'extra' is not emulated; pass kernelParams", k);
    const KernelInfo* twin = f->twin;
    if (twin->param_count > 0 && params == nullptr)
        return fail(INVALID_VALUE, "cuLaunchKernel(%s): kernelParams is null, the kernel takes %d parameters", k,
                    twin->param_count);
    // Copy the parameter values now: the caller's memory may change as soon as the call returns.
    Launch launch;
    launch.kernel = twin;
    launch.grid = {gx, gy, gz};
    launch.block = {bx, by, bz};
    size_t offset = 0;
    std::vector<size_t> offsets;
    for (int i = 0; i < twin->param_count; ++i)
    {
        offset = round_up(offset, twin->param_aligns[i]);
        offsets.push_back(offset);
        offset += twin->param_sizes[i];
    }
    launch.storage.resize(offset + 64);
    auto* base = reinterpret_cast<unsigned char*>(round_up((size_t)launch.storage.data(), 64));
    for (int i = 0; i < twin->param_count; ++i)
    {
        std::memcpy(base + offsets[i], params[i], twin->param_sizes[i]);
        launch.params.push_back(base + offsets[i]);
    }
    note_first_launch(twin->name);
    Fault fault = s.racecheck ? execute_twice(s, launch) : execute(launch);
    if (fault.code != 0)
    {
        // As on hardware, the launch itself succeeds; the context is now unusable and the next call says why.
        s.sticky = fault.code;
        s.sticky_message = fault.message;
        fail(fault.code, "%s", fault.message.c_str());
    }
    return SUCCESS;
}
