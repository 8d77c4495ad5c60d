// driver.cpp: the CUDA driver API calls that Kernels/Interop/CudaDriver.cs makes, answered by an emulated device.
//
// Device memory is host memory: each allocation is its own mapping, placed so that it ends (16-byte aligned) at
// a PROT_NONE guard page, with another guard page in front, and a freed block stays mapped PROT_NONE for a while
// (quarantine). A kernel that reads or writes past an end, or into a freed block, therefore faults, and runtime.cpp
// turns the fault into CUDA_ERROR_ILLEGAL_ADDRESS naming the kernel, as compute-sanitizer's memcheck would.
// Such an error is sticky, as on hardware: every later call fails with it.
//
// Work runs synchronously inside the call that issues it (a launch returns when the kernel has finished), which
// is one valid ordering of the asynchronous API; a kernel's fault is still reported by the *next* call, as the
// hardware reports it at the next synchronising call. Streams and events exist so the C# code runs unchanged.
//
// Modules: cuModuleLoadData takes NVRTC's PTX, reads each .entry (name, parameter widths, .maxntid, static
// .shared bytes) and binds it to the g++-compiled twin of the same name (registry.h). An entry without a twin,
// or whose parameters differ from its twin's, fails the load and says which.
//
// Beyond the driver API, two functions for Pade's tests: pade_emu_last_error() (the sentence behind the last
// failure) and pade_emu_reset() (forget a sticky error; real hardware needs a new process for that).
#include "runtime.h"

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <unordered_map>

#define EXPORT extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : int
{
    SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, NO_DEVICE = 100, INVALID_DEVICE = 101,
    INVALID_IMAGE = 200, INVALID_CONTEXT = 201, NO_BINARY_FOR_GPU = 209, INVALID_PTX = 218, INVALID_HANDLE = 400,
    NOT_FOUND = 500, NOT_READY = 600, ILLEGAL_ADDRESS = 700, LAUNCH_OUT_OF_RESOURCES = 701, LAUNCH_FAILED = 719,
    NOT_SUPPORTED = 801, UNKNOWN = 999,
};

namespace pade_emu
{
namespace
{
const size_t Page = (size_t)sysconf(_SC_PAGESIZE);
constexpr long long TotalMemory = 16LL << 30;
constexpr int MaxSharedPerBlock = 48 * 1024;

int multiprocessors()
{
    static const int n = [] {
        const char* env = std::getenv("PADE_EMU_SMS");
        int v = env ? std::atoi(env) : 4;
        return v < 1 ? 1 : v;
    }();
    return n;
}

// ---- state -----------------------------------------------------------------------------------------------------

struct Allocation
{
    char* base;      // the mapping, guard pages included
    size_t mapped;
    char* user;      // what cuMemAlloc returned
    size_t size;
};

struct Function
{
    std::string name;
    const KernelInfo* twin = nullptr;
    int max_threads = 1024;  // .maxntid / .reqntid product, 1024 without
    int static_shared = 0;   // bytes of .shared the entry uses
};

struct Module
{
    std::vector<std::unique_ptr<Function>> functions;
};

struct Event
{
    bool recorded = false;
    std::chrono::steady_clock::time_point at;
};

struct State
{
    std::mutex api;  // one call at a time (the .NET finalizer thread frees memory while others launch)
    bool initialised = false;
    int primary_retains = 0;
    std::map<char*, Allocation> live;   // by user address
    std::deque<Allocation> quarantine;  // freed, PROT_NONE, oldest first
    size_t quarantined = 0;
    long long allocated = 0;
    std::set<Module*> modules;
    std::set<void*> streams, events;
    std::unordered_map<std::string, const KernelInfo*> twins;
    std::unordered_map<std::string, std::string> twin_files;
    int sticky = 0;
    std::string sticky_message;
    bool racecheck = std::getenv("PADE_EMU_RACECHECK") != nullptr && std::getenv("PADE_EMU_RACECHECK")[0] == '1';
};

State& state()
{
    static State* s = new State();  // never destroyed: workers and finalizers may still call in at exit
    return *s;
}

int primary_context_tag;  // the primary context's handle is this address
thread_local void* current_context = nullptr;
std::mutex detail_mutex;
std::string last_detail;

CUresult fail(CUresult code, const char* format, ...)
{
    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    std::lock_guard<std::mutex> lock(detail_mutex);
    last_detail = text;
    return code;
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

size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

// The live allocation holding [p, p + bytes), or null.
const Allocation* find(State& s, const void* p, size_t bytes)
{
    char* c = (char*)p;
    auto it = s.live.upper_bound(c);
    if (it == s.live.begin()) return nullptr;
    --it;
    const Allocation& a = it->second;
    if (c >= a.user && bytes <= a.size && (size_t)(c - a.user) <= a.size - bytes) return &a;
    return nullptr;
}

CUresult check_range(State& s, CUdeviceptr p, size_t bytes, const char* call)
{
    if (bytes == 0) return SUCCESS;
    if (find(s, (void*)p, bytes)) return SUCCESS;
    return fail(INVALID_VALUE, "%s: [0x%llx, +%zu bytes) is not inside one live allocation: %s", call, p, bytes,
                describe_address((void*)p).c_str());
}

// ---- PTX -------------------------------------------------------------------------------------------------------

int width_of(const std::string& type)
{
    if (type == "b8" || type == "u8" || type == "s8") return 1;
    if (type == "b16" || type == "u16" || type == "s16" || type == "f16") return 2;
    if (type == "b32" || type == "u32" || type == "s32" || type == "f32") return 4;
    if (type == "b64" || type == "u64" || type == "s64" || type == "f64") return 8;
    return 0;
}

// Bytes of every `.shared ... name[N]` declaration in text, by name.
std::map<std::string, int> shared_declarations(const std::string& text)
{
    static const std::regex decl(R"(\.shared\s+(?:\.align\s+\d+\s+)?\.(\w+)\s+([\w$]+)(?:\[(\d+)\])?\s*;)");
    std::map<std::string, int> out;
    for (std::sregex_iterator it(text.begin(), text.end(), decl), end; it != end; ++it)
    {
        int count = (*it)[3].matched ? std::atoi((*it)[3].str().c_str()) : 1;
        out[(*it)[2].str()] = width_of((*it)[1].str()) * count;
    }
    return out;
}

CUresult load_module(State& s, const char* image, Module*& out, std::string& log)
{
    if (image == nullptr) { log = "image is null"; return INVALID_VALUE; }
    if (std::memcmp(image, "\x7f" "ELF", 4) == 0)
    {
        log = "a cubin cannot run on the emulated device; load PTX instead";
        return NO_BINARY_FOR_GPU;
    }
    std::string ptx(image);
    if (ptx.find(".version") == std::string::npos || ptx.find(".target") == std::string::npos)
    {
        log = "not PTX (no .version/.target directive)";
        return INVALID_IMAGE;
    }
    std::smatch target;
    if (std::regex_search(ptx, target, std::regex(R"(\.target\s+sm_(\d+))")) && std::atoi(target[1].str().c_str()) > 80)
    {
        log = "ptxas fatal: SM version specified by .target (sm_" + target[1].str() +
              ") is higher than the device's (sm_80)";
        return INVALID_PTX;
    }
    // Module-scope shared variables (a __shared__ array in a __device__ function) count for the entries naming them.
    auto module_shared = shared_declarations(ptx.substr(0, ptx.find(".entry")));
    auto module = std::make_unique<Module>();
    static const std::regex entry(R"(\.entry\s+([\w$]+)\s*\()");
    std::string errors;
    for (std::sregex_iterator it(ptx.begin(), ptx.end(), entry), end; it != end; ++it)
    {
        auto f = std::make_unique<Function>();
        f->name = (*it)[1].str();
        size_t open = (size_t)it->position(0) + (size_t)it->length(0);
        size_t close = ptx.find(')', open);
        size_t body = ptx.find('{', close);
        if (close == std::string::npos || body == std::string::npos) { log = "malformed .entry " + f->name; return INVALID_PTX; }
        // Parameters: `.param .u64 name` or `.param .align 8 .b8 name[64]`.
        std::vector<int> widths;
        static const std::regex param(R"(\.param\s+(?:\.align\s+\d+\s+)?\.(\w+)\s+[\w$]+(?:\[(\d+)\])?)");
        std::string params = ptx.substr(open, close - open);
        for (std::sregex_iterator p(params.begin(), params.end(), param), pe; p != pe; ++p)
            widths.push_back(width_of((*p)[1].str()) * ((*p)[2].matched ? std::atoi((*p)[2].str().c_str()) : 1));
        // Directives between ')' and '{'.
        std::string directives = ptx.substr(close, body - close);
        std::smatch bound;
        if (std::regex_search(directives, bound, std::regex(R"(\.(?:maxntid|reqntid)\s+(\d+)(?:\s*,\s*(\d+))?(?:\s*,\s*(\d+))?)")))
        {
            int x = std::atoi(bound[1].str().c_str());
            int y = bound[2].matched ? std::atoi(bound[2].str().c_str()) : 1;
            int z = bound[3].matched ? std::atoi(bound[3].str().c_str()) : 1;
            f->max_threads = x * y * z;
        }
        int depth = 0;
        size_t stop = body;
        for (; stop < ptx.size(); ++stop)
        {
            if (ptx[stop] == '{') ++depth;
            else if (ptx[stop] == '}' && --depth == 0) break;
        }
        std::string text = ptx.substr(body, stop - body);
        for (auto& [name, bytes] : shared_declarations(text)) f->static_shared += bytes;
        for (auto& [name, bytes] : module_shared)
            if (text.find(name) != std::string::npos) f->static_shared += bytes;
        if (f->static_shared > MaxSharedPerBlock)
            errors += "ptxas error: entry function '" + f->name + "' uses too much shared data (" +
                      std::to_string(f->static_shared) + " bytes, 49152 max)\n";
        auto twin = s.twins.find(f->name);
        if (twin == s.twins.end())
        {
            errors += "PTX entry '" + f->name +
                      "' has no emulated twin: no kernel file compiled into the emulator defines it (rebuild the "
                      "emulator, or add the file to its build)\n";
            continue;
        }
        f->twin = twin->second;
        bool same = (int)widths.size() == f->twin->param_count;
        for (int i = 0; same && i < f->twin->param_count; ++i) same = widths[i] == f->twin->param_sizes[i];
        if (!same)
        {
            std::string ptx_list, twin_list;
            for (int w : widths) ptx_list += (ptx_list.empty() ? "" : ", ") + std::to_string(w);
            for (int i = 0; i < f->twin->param_count; ++i)
                twin_list += (twin_list.empty() ? "" : ", ") + std::to_string(f->twin->param_sizes[i]);
            errors += "PTX entry '" + f->name + "' takes parameters of (" + ptx_list + ") bytes but its emulated twin (" +
                      s.twin_files[f->name] + ") takes (" + twin_list + "): the emulator was built from other sources\n";
            continue;
        }
        module->functions.push_back(std::move(f));
    }
    if (!errors.empty())
    {
        log = errors;
        return errors.find("no emulated twin") != std::string::npos ? NO_BINARY_FOR_GPU : INVALID_PTX;
    }
    out = module.release();
    s.modules.insert(out);
    return SUCCESS;
}

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

// JIT options of cuModuleLoadDataEx that carry a log back (cuda.h's CUjit_option values).
enum { JIT_INFO_LOG_BUFFER = 3, JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4, JIT_ERROR_LOG_BUFFER = 5,
       JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6 };
}  // namespace

void register_kernels(const char* file, const KernelInfo* kernels, int count)
{
    State& s = state();
    for (int i = 0; i < count; ++i)
    {
        auto [it, added] = s.twins.emplace(kernels[i].name, &kernels[i]);
        if (!added)
        {
            std::fprintf(stderr, "pade cuda emulator: kernel %s is defined by both %s and %s\n", kernels[i].name,
                         s.twin_files[kernels[i].name].c_str(), file);
            std::abort();
        }
        s.twin_files[kernels[i].name] = file;
    }
}

std::string describe_address(const void* address)
{
    State& s = state();
    char* a = (char*)address;
    char text[256];
    for (auto& [user, al] : s.live)
    {
        if (a < al.base || a >= al.base + al.mapped) continue;
        if (a >= al.user + al.size)
            std::snprintf(text, sizeof text, "%p, %zu bytes past the end of a %zu-byte allocation at %p", address,
                          (size_t)(a - (al.user + al.size)), al.size, (void*)al.user);
        else if (a < al.user)
            std::snprintf(text, sizeof text, "%p, %zu bytes before the start of a %zu-byte allocation at %p", address,
                          (size_t)(al.user - a), al.size, (void*)al.user);
        else
            std::snprintf(text, sizeof text, "%p, inside a %zu-byte allocation at %p", address, al.size, (void*)al.user);
        return text;
    }
    for (auto it = s.quarantine.rbegin(); it != s.quarantine.rend(); ++it)
        if (a >= it->base && a < it->base + it->mapped)
        {
            std::snprintf(text, sizeof text, "%p, in a %zu-byte allocation at %p that has been freed", address,
                          it->size, (void*)it->user);
            return text;
        }
    std::snprintf(text, sizeof text, "%p, which is in no allocation (a wild pointer or a host address)", address);
    return text;
}
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

// ---- errors ----------------------------------------------------------------------------------------------------

namespace
{
struct ErrorText { int code; const char* name; const char* text; };
const ErrorText Errors[] = {
    {SUCCESS, "CUDA_SUCCESS", "no error"},
    {INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {4, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
    {INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {702, "CUDA_ERROR_LAUNCH_TIMEOUT", "the launch timed out and was terminated"},
    {LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};
}  // namespace

EXPORT CUresult cuGetErrorName(CUresult error, const char** name)
{
    if (!name) return INVALID_VALUE;
    for (auto& e : Errors)
        if (e.code == error) { *name = e.name; return SUCCESS; }
    *name = nullptr;
    return INVALID_VALUE;
}

EXPORT CUresult cuGetErrorString(CUresult error, const char** text)
{
    if (!text) return INVALID_VALUE;
    for (auto& e : Errors)
        if (e.code == error) { *text = e.text; return SUCCESS; }
    *text = nullptr;
    return INVALID_VALUE;
}

/// The sentence behind the most recent failed call (which kernel, which address, which limit), or "".
EXPORT const char* pade_emu_last_error()
{
    static thread_local std::string copy;
    std::lock_guard<std::mutex> lock(detail_mutex);
    copy = last_detail;
    return copy.c_str();
}

/// Racecheck on (1) or off (0): every launch then runs twice, threads and blocks in opposite orders, from the
/// same memory, and a result that differs is reported as a data race (what compute-sanitizer's racecheck finds
/// when it changes the result). Twice the time plus a copy of every live allocation per launch. Returns the old
/// setting. PADE_EMU_RACECHECK=1 turns it on from the start.
EXPORT int pade_emu_set_racecheck(int on)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    int old = s.racecheck ? 1 : 0;
    s.racecheck = on != 0;
    return old;
}

/// Forgets a sticky error, so one test process can check several faults. Hardware has no equivalent: after a
/// sticky error the process must exit.
EXPORT CUresult pade_emu_reset()
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    s.sticky = 0;
    s.sticky_message.clear();
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

// ---- memory ----------------------------------------------------------------------------------------------------

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!pointer || bytes == 0) return fail(INVALID_VALUE, "cuMemAlloc: %s", pointer ? "0 bytes" : "null pointer");
    if (s.allocated + (long long)bytes > TotalMemory)
        return fail(OUT_OF_MEMORY, "cuMemAlloc: %zu bytes requested, %lld of %lld in use", bytes, s.allocated, TotalMemory);
    size_t data = round_up(bytes, Page), mapped = data + 2 * Page;
    void* m = mmap(nullptr, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return fail(OUT_OF_MEMORY, "cuMemAlloc: mmap of %zu bytes failed", mapped);
    char* base = static_cast<char*>(m);
    mprotect(base + Page, data, PROT_READ | PROT_WRITE);
    // The block ends where the guard page starts, rounded to 256 bytes as cuMemAlloc aligns (the caching
    // allocator's size classes are multiples of 256, so for them there is no slack before the guard).
    char* user = base + Page + data - round_up(bytes, 256);
    s.live[user] = {base, mapped, user, bytes};
    s.allocated += (long long)bytes;
    *pointer = (CUdeviceptr)user;
    return SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    auto it = s.live.find((char*)pointer);
    if (it == s.live.end())
        return fail(INVALID_VALUE, "cuMemFree: 0x%llx is not the start of a live allocation: %s", pointer,
                    describe_address((void*)pointer).c_str());
    Allocation a = it->second;
    s.live.erase(it);
    s.allocated -= (long long)a.size;
    // Keep the addresses reserved and inaccessible (the pages themselves are given back), so a kernel that still
    // uses the block faults instead of reading someone else's data.
    mmap(a.base, a.mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    s.quarantine.push_back(a);
    s.quarantined += a.mapped;
    while (s.quarantined > (8ULL << 30))
    {
        munmap(s.quarantine.front().base, s.quarantine.front().mapped);
        s.quarantined -= s.quarantine.front().mapped;
        s.quarantine.pop_front();
    }
    return SUCCESS;
}

EXPORT CUresult cuMemGetInfo_v2(size_t* free, size_t* total)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!free || !total) return INVALID_VALUE;
    *total = (size_t)TotalMemory;
    *free = (size_t)(TotalMemory - s.allocated);
    return SUCCESS;
}

namespace
{
CUresult copy(CUdeviceptr dst, bool dst_device, const void* src, bool src_device, size_t bytes, const char* call)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (dst_device)
        if (CUresult r = check_range(s, dst, bytes, call)) return r;
    if (src_device)
        if (CUresult r = check_range(s, (CUdeviceptr)src, bytes, call)) return r;
    if (bytes) std::memmove((void*)dst, src, bytes);
    return SUCCESS;
}

bool known_stream(State& s, void* stream)
{
    // 0: the legacy default stream; 1 and 2: CU_STREAM_LEGACY and CU_STREAM_PER_THREAD.
    return stream == nullptr || stream == (void*)1 || stream == (void*)2 || s.streams.count(stream) > 0;
}
}  // namespace

EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes)
{
    return copy(dst, true, src, false, bytes, "cuMemcpyHtoD");
}

EXPORT CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes)
{
    return copy((CUdeviceptr)dst, false, (const void*)src, true, bytes, "cuMemcpyDtoH");
}

EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes)
{
    return copy(dst, true, (const void*)src, true, bytes, "cuMemcpyDtoD");
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, void* stream)
{
    if (!known_stream(state(), stream)) return INVALID_HANDLE;
    return copy(dst, true, src, false, bytes, "cuMemcpyHtoDAsync");
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void* stream)
{
    if (!known_stream(state(), stream)) return INVALID_HANDLE;
    return copy((CUdeviceptr)dst, false, (const void*)src, true, bytes, "cuMemcpyDtoHAsync");
}

EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void* stream)
{
    if (!known_stream(state(), stream)) return INVALID_HANDLE;
    return copy(dst, true, (const void*)src, true, bytes, "cuMemcpyDtoDAsync");
}

EXPORT CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t count)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (CUresult r = check_range(s, dst, count, "cuMemsetD8")) return r;
    std::memset((void*)dst, value, count);
    return SUCCESS;
}

EXPORT CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned value, size_t count)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (dst % 4 != 0) return fail(INVALID_VALUE, "cuMemsetD32: 0x%llx is not 4-byte aligned", dst);
    if (CUresult r = check_range(s, dst, count * 4, "cuMemsetD32")) return r;
    auto* p = (unsigned*)dst;
    for (size_t i = 0; i < count; ++i) p[i] = value;
    return SUCCESS;
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

// ---- modules ---------------------------------------------------------------------------------------------------

EXPORT CUresult cuModuleLoadDataEx(void** module, const void* image, unsigned count, const int* options, void** values)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!module) return INVALID_VALUE;
    Module* m = nullptr;
    std::string log;
    CUresult r = load_module(s, static_cast<const char*>(image), m, log);
    // Hand the log back through the error-log buffer when one was given, as the JIT does.
    char* buffer = nullptr;
    size_t size = 0;
    for (unsigned i = 0; i < count && options && values; ++i)
    {
        if (options[i] == JIT_ERROR_LOG_BUFFER) buffer = static_cast<char*>(values[i]);
        if (options[i] == JIT_ERROR_LOG_BUFFER_SIZE_BYTES) size = (size_t)(uintptr_t)values[i];
    }
    for (unsigned i = 0; i < count && options && values; ++i)
        if (options[i] == JIT_INFO_LOG_BUFFER_SIZE_BYTES) values[i] = (void*)(uintptr_t)0;
    if (buffer && size > 0)
    {
        std::snprintf(buffer, size, "%s", r == SUCCESS ? "" : log.c_str());
        for (unsigned i = 0; i < count; ++i)
            if (options[i] == JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
                values[i] = (void*)(uintptr_t)std::min(size, std::strlen(buffer) + 1);
    }
    if (r != SUCCESS) return fail(r, "cuModuleLoadData: %s", log.c_str());
    *module = m;
    return SUCCESS;
}

EXPORT CUresult cuModuleLoadData(void** module, const void* image)
{
    return cuModuleLoadDataEx(module, image, 0, nullptr, nullptr);
}

EXPORT CUresult cuModuleUnload(void* module)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    auto* m = static_cast<Module*>(module);
    if (!s.modules.erase(m)) return fail(INVALID_HANDLE, "cuModuleUnload: %p is not a loaded module", module);
    delete m;
    return SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(void** function, void* module, const char* name)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    if (!function || !name) return INVALID_VALUE;
    auto* m = static_cast<Module*>(module);
    if (!s.modules.count(m)) return fail(INVALID_HANDLE, "cuModuleGetFunction: %p is not a loaded module", module);
    for (auto& f : m->functions)
        if (f->name == name) { *function = f.get(); return SUCCESS; }
    return fail(NOT_FOUND, "cuModuleGetFunction: the module has no entry '%s'", name);
}

namespace
{
const Function* function_of(State& s, void* handle)
{
    for (Module* m : s.modules)
        for (auto& f : m->functions)
            if (f.get() == handle) return f.get();
    return nullptr;
}
}  // namespace

EXPORT CUresult cuFuncGetAttribute(int* value, int attribute, void* function)
{
    State& s = state();
    std::lock_guard<std::mutex> lock(s.api);
    if (CUresult r = ready(s)) return r;
    const Function* f = function_of(s, function);
    if (!f) return INVALID_HANDLE;
    if (!value) return INVALID_VALUE;
    switch (attribute)
    {
    case 0: *value = f->max_threads; break;    // MAX_THREADS_PER_BLOCK
    case 1: *value = f->static_shared; break;  // SHARED_SIZE_BYTES
    case 2: case 3: *value = 0; break;         // CONST_SIZE_BYTES, LOCAL_SIZE_BYTES
    case 4: *value = 32; break;                // NUM_REGS
    case 5: case 6: *value = 80; break;        // PTX_VERSION, BINARY_VERSION
    default: return INVALID_VALUE;
    }
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
