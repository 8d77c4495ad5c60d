// driver_internal.h: the emulated driver's state, shared by driver.cpp (device, contexts, streams, events, launch),
// memory.cpp (allocations, copies) and module.cpp (PTX, modules, functions).
#pragma once
#include "runtime.h"

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

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
constexpr long long TotalMemory = 16LL << 30;
constexpr int MaxSharedPerBlock = 48 * 1024;

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


State& state();

extern int primary_context_tag;           // the primary context's handle is this address
extern thread_local void* current_context;

// Records the sentence behind a failure (pade_emu_last_error) and returns code.
CUresult fail(CUresult code, const char* format, ...) __attribute__((format(printf, 2, 3)));

// The checks every context-bound call starts with: initialised, a current context, no sticky error.
CUresult ready(State& s);

inline size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

// memory.cpp
CUresult check_range(State& s, CUdeviceptr p, size_t bytes, const char* call);

// module.cpp
CUresult load_module(State& s, const char* image, Module*& out, std::string& log);
const Function* function_of(State& s, void* handle);

// driver.cpp
bool known_stream(State& s, void* stream);
}  // namespace pade_emu
