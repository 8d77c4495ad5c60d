// memory.cpp: device memory of the emulated driver. Each allocation is its own mapping, placed so that it ends
// (256-byte aligned, as cuMemAlloc aligns) at a PROT_NONE guard page, with another guard page in front; a freed block
// stays mapped PROT_NONE for a while (quarantine). A kernel that reads or writes past an end, or into a freed block,
// therefore faults, and runtime.cpp turns the fault into CUDA_ERROR_ILLEGAL_ADDRESS naming the kernel, as
// compute-sanitizer's memcheck would. Copies and sets outside one live allocation are CUDA_ERROR_INVALID_VALUE.
#include "driver_internal.h"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace pade_emu
{
namespace
{
const size_t Page = (size_t)sysconf(_SC_PAGESIZE);

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

}  // namespace

CUresult check_range(State& s, CUdeviceptr p, size_t bytes, const char* call)
{
    if (bytes == 0) return SUCCESS;
    if (find(s, (void*)p, bytes)) return SUCCESS;
    return fail(INVALID_VALUE, "%s: [0x%llx, +%zu bytes) is not inside one live allocation: %s", call, p, bytes,
                describe_address((void*)p).c_str());
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
