// errors.cpp: the emulated driver's error texts: cuGetErrorName/cuGetErrorString as cuda.h names the codes, and
// the sentence behind the last failure (pade_emu_last_error), which the C# side appends to its exceptions. Also the
// two test hooks, pade_emu_set_racecheck and pade_emu_reset.
#include "driver_internal.h"

#include <cstdarg>
#include <cstdio>

namespace pade_emu
{
namespace
{
std::mutex detail_mutex;
std::string last_detail;
}  // namespace

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
}  // namespace pade_emu

using namespace pade_emu;

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

