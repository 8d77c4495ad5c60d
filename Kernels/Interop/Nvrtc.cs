using System.Runtime.InteropServices;

namespace Pade.Kernels.Interop;

/// <summary>
/// Raw bindings to NVRTC, the CUDA run-time compiler (libnvrtc.so.*), named as in nvrtc.h. A program handle is an
/// opaque pointer. The logical library name "nvrtc" is resolved by <see cref="CudaLibraries"/> to whichever
/// installed version loads first. See <see cref="NvrtcCompiler"/> for the typed, checked wrapper.
/// </summary>
public static unsafe partial class Nvrtc
{
    public const string Library = CudaLibraries.NvrtcName;

    static Nvrtc() => CudaLibraries.RegisterResolver();

    [LibraryImport(Library)] public static partial NvrtcResult nvrtcVersion(out int major, out int minor);
    [LibraryImport(Library)] public static partial byte* nvrtcGetErrorString(NvrtcResult result);
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetNumSupportedArchs(out int count);
    /// <summary>Fills <paramref name="archs"/> (length from nvrtcGetNumSupportedArchs) with e.g. 52, 60, ..., 90.</summary>
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetSupportedArchs(int* archs);

    /// <summary>
    /// <paramref name="headers"/> and <paramref name="includeNames"/>: <paramref name="numHeaders"/> NUL-terminated
    /// UTF-8 strings each, the text of header i and the name <c>#include "..."</c> finds it by. NvrtcCompiler passes
    /// the embedded cuda/*.cuh this way (KernelSource.Headers), so NVRTC never reads a file.
    /// </summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial NvrtcResult nvrtcCreateProgram(out nint program, string source, string name,
        int numHeaders, byte** headers, byte** includeNames);
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcDestroyProgram(ref nint program);
    /// <summary><paramref name="options"/>: <paramref name="count"/> NUL-terminated UTF-8 strings.</summary>
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcCompileProgram(nint program, int count, byte** options);

    /// <summary>Sizes include the terminating NUL.</summary>
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetProgramLogSize(nint program, out nuint size);
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetPTXSize(nint program, out nuint size);
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetPTX(nint program, byte* ptx);
    /// <summary>The SASS of a program compiled for a real architecture (<c>--gpu-architecture=sm_XY</c>); NVRTC ≥ 11.1.</summary>
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetCUBINSize(nint program, out nuint size);
    [LibraryImport(Library)] public static partial NvrtcResult nvrtcGetCUBIN(nint program, byte* cubin);
}
