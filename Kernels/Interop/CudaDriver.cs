using System.Runtime.InteropServices;

namespace Pade.Kernels.Interop;

/// <summary>
/// Raw bindings to the CUDA driver API (libcuda.so.1), one line per C function, named as in cuda.h.
/// The <c>_v2</c> suffixes are the symbols the C headers bind to on 64-bit builds (<c>cuMemAlloc</c> is a macro
/// for <c>cuMemAlloc_v2</c>); the unsuffixed ones are legacy 32-bit ABI entry points and must not be used.
/// </summary>
/// <remarks>
/// [LibraryImport] generates the marshalling code at compile time, so nothing here needs reflection or runtime
/// IL generation and the layer survives trimming and AOT. "cuda" is a logical name that
/// <see cref="CudaLibraries"/> resolves to the real file. Every function returns a <see cref="CuResult"/>;
/// wrap calls in <see cref="CudaCheck.Driver"/>.
/// </remarks>
public static unsafe partial class CudaDriver
{
    public const string Library = CudaLibraries.DriverName;

    // Runs before the first P/Invoke of this class (an explicit static constructor makes the timing precise).
    static CudaDriver() => CudaLibraries.RegisterResolver();

    // --- initialisation and device queries ---------------------------------------------------------------------
    [LibraryImport(Library)] public static partial CuResult cuInit(uint flags);
    [LibraryImport(Library)] public static partial CuResult cuDriverGetVersion(out int version);
    [LibraryImport(Library)] public static partial CuResult cuDeviceGetCount(out int count);
    [LibraryImport(Library)] public static partial CuResult cuDeviceGet(out CuDevice device, int ordinal);
    [LibraryImport(Library)] public static partial CuResult cuDeviceGetName(byte* name, int length, CuDevice device);
    [LibraryImport(Library)] public static partial CuResult cuDeviceGetAttribute(out int value, CuDeviceAttribute attribute, CuDevice device);
    [LibraryImport(Library)] public static partial CuResult cuDeviceTotalMem_v2(out nuint bytes, CuDevice device);

    // --- error text (pointers to static strings owned by the driver; never freed) --------------------------------
    [LibraryImport(Library)] public static partial CuResult cuGetErrorName(CuResult error, out byte* name);
    [LibraryImport(Library)] public static partial CuResult cuGetErrorString(CuResult error, out byte* text);

    // --- contexts ----------------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial CuResult cuDevicePrimaryCtxRetain(out CuContext context, CuDevice device);
    [LibraryImport(Library)] public static partial CuResult cuDevicePrimaryCtxRelease_v2(CuDevice device);
    [LibraryImport(Library)] public static partial CuResult cuCtxSetCurrent(CuContext context);
    [LibraryImport(Library)] public static partial CuResult cuCtxGetCurrent(out CuContext context);
    [LibraryImport(Library)] public static partial CuResult cuCtxSynchronize();

    // --- modules and launches ----------------------------------------------------------------------------------
    /// <summary><paramref name="image"/> is a NUL-terminated PTX text (or a cubin).</summary>
    [LibraryImport(Library)] public static partial CuResult cuModuleLoadData(out CuModule module, byte* image);
    /// <summary>cuModuleLoadData with JIT options: <paramref name="options"/> are <c>CUjit_option</c> values, each
    /// with one pointer-sized value (a size is passed as the pointer's value). See <see cref="JitOption"/>.</summary>
    [LibraryImport(Library)]
    public static partial CuResult cuModuleLoadDataEx(out CuModule module, byte* image, uint numOptions, JitOption* options, void** values);
    [LibraryImport(Library)] public static partial CuResult cuModuleUnload(CuModule module);
    [LibraryImport(Library)]
    public static partial CuResult cuFuncGetAttribute(out int value, CuFunctionAttribute attribute, CuFunction function);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial CuResult cuModuleGetFunction(out CuFunction function, CuModule module, string name);

    /// <summary><paramref name="kernelParams"/>: one pointer per kernel parameter, each to that parameter's value.</summary>
    [LibraryImport(Library)]
    public static partial CuResult cuLaunchKernel(CuFunction function,
        uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemBytes, CuStream stream, void** kernelParams, void** extra);

    // --- memory ------------------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial CuResult cuMemAlloc_v2(out CuDevicePtr ptr, nuint bytes);
    [LibraryImport(Library)] public static partial CuResult cuMemFree_v2(CuDevicePtr ptr);
    [LibraryImport(Library)] public static partial CuResult cuMemGetInfo_v2(out nuint free, out nuint total);
    [LibraryImport(Library)] public static partial CuResult cuMemcpyHtoD_v2(CuDevicePtr dst, void* src, nuint bytes);
    [LibraryImport(Library)] public static partial CuResult cuMemcpyDtoH_v2(void* dst, CuDevicePtr src, nuint bytes);
    [LibraryImport(Library)] public static partial CuResult cuMemcpyDtoD_v2(CuDevicePtr dst, CuDevicePtr src, nuint bytes);
    [LibraryImport(Library)] public static partial CuResult cuMemcpyHtoDAsync_v2(CuDevicePtr dst, void* src, nuint bytes, CuStream stream);
    [LibraryImport(Library)] public static partial CuResult cuMemcpyDtoHAsync_v2(void* dst, CuDevicePtr src, nuint bytes, CuStream stream);
    [LibraryImport(Library)] public static partial CuResult cuMemcpyDtoDAsync_v2(CuDevicePtr dst, CuDevicePtr src, nuint bytes, CuStream stream);
    [LibraryImport(Library)] public static partial CuResult cuMemsetD8_v2(CuDevicePtr dst, byte value, nuint count);
    [LibraryImport(Library)] public static partial CuResult cuMemsetD32_v2(CuDevicePtr dst, uint value, nuint count);

    // --- streams and events ------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial CuResult cuStreamCreate(out CuStream stream, uint flags);
    [LibraryImport(Library)] public static partial CuResult cuStreamDestroy_v2(CuStream stream);
    [LibraryImport(Library)] public static partial CuResult cuStreamSynchronize(CuStream stream);
    [LibraryImport(Library)] public static partial CuResult cuEventCreate(out CuEvent ev, uint flags);
    [LibraryImport(Library)] public static partial CuResult cuEventRecord(CuEvent ev, CuStream stream);
    [LibraryImport(Library)] public static partial CuResult cuEventSynchronize(CuEvent ev);
    [LibraryImport(Library)] public static partial CuResult cuEventElapsedTime(out float milliseconds, CuEvent start, CuEvent end);
    [LibraryImport(Library)] public static partial CuResult cuEventDestroy_v2(CuEvent ev);

    /// <summary><c>CUjit_option</c>: the log buffers of a module load.</summary>
    public enum JitOption
    {
        InfoLogBuffer = 3,
        InfoLogBufferSizeBytes = 4,
        ErrorLogBuffer = 5,
        ErrorLogBufferSizeBytes = 6,
    }

    /// <summary><c>CU_STREAM_NON_BLOCKING</c>: the stream does not synchronise with the legacy default stream.</summary>
    public const uint StreamNonBlocking = 0x1;
}
