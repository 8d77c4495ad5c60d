// registry.h: how a compiled kernel file tells the emulated driver which entry points it has.
//
// build.sh wraps each cuda/*.cu in an unnamed namespace (so the files' helpers cannot collide) and appends a table
// with one PADE_EMU_KERNEL(name) per `extern "C" __global__` function it found. invoke<&f> unpacks cuLaunchKernel's
// kernelParams (one pointer per parameter) by f's own C++ signature, and param_sizes<&f> records each parameter's
// width, which the driver checks against the PTX's .param list when the module is loaded.
#pragma once
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace pade_emu
{
struct KernelInfo
{
    const char* name;
    void (*invoke)(void* const* params);
    int param_count;
    const unsigned short* param_sizes;
    const unsigned short* param_aligns;
};

// Called by each kernel file's static initialiser (driver.cpp keeps the table).
void register_kernels(const char* file, const KernelInfo* kernels, int count);

struct Registrar
{
    Registrar(const char* file, const KernelInfo* kernels, int count) { register_kernels(file, kernels, count); }
};

template <typename... A> constexpr int arity(void (*)(A...)) { return (int)sizeof...(A); }

template <typename... A> constexpr std::array<unsigned short, sizeof...(A) + 1> sizes_of(void (*)(A...))
{
    return {(unsigned short)sizeof(std::remove_cv_t<A>)..., 0};
}

template <typename... A> constexpr std::array<unsigned short, sizeof...(A) + 1> aligns_of(void (*)(A...))
{
    return {(unsigned short)alignof(std::remove_cv_t<A>)..., 0};
}

template <typename... A, std::size_t... I>
inline void call(void (*f)(A...), void* const* p, std::index_sequence<I...>)
{
    f(*static_cast<std::remove_cv_t<A>*>(p[I])...);
}

template <auto F> void invoke(void* const* params) { call(F, params, std::make_index_sequence<arity(F)>{}); }
template <auto F> inline constexpr auto param_sizes = sizes_of(F);
template <auto F> inline constexpr auto param_aligns = aligns_of(F);
}  // namespace pade_emu

#define PADE_EMU_KERNEL(NAME)                                                                                   \
    ::pade_emu::KernelInfo                                                                                      \
    {                                                                                                           \
        #NAME, &::pade_emu::invoke<&NAME>, ::pade_emu::arity(&NAME), ::pade_emu::param_sizes<&NAME>.data(),     \
            ::pade_emu::param_aligns<&NAME>.data()                                                              \
    }
