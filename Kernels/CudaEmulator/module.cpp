// module.cpp: modules of the emulated driver. cuModuleLoadData takes NVRTC's PTX, reads each .entry (name, parameter
// widths, .maxntid, static .shared bytes) and binds it to the g++-compiled twin of the same name (registry.h). An
// entry without a twin, or whose parameters differ from its twin's, fails the load and says which.
#include "driver_internal.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>

namespace pade_emu
{
namespace
{
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

}  // namespace

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


namespace
{
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

const Function* function_of(State& s, void* handle)
{
    for (Module* m : s.modules)
        for (auto& f : m->functions)
            if (f.get() == handle) return f.get();
    return nullptr;
}
}  // namespace pade_emu

using namespace pade_emu;

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