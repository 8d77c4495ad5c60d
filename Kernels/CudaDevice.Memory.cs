using System.Runtime.CompilerServices;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>Synchronous copies and fills between host spans and device memory.</summary>
public sealed unsafe partial class CudaDevice
{
    /// <summary>(free, total) bytes of device memory, as the driver sees them now.</summary>
    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuMemGetInfo_v2(out nuint free, out nuint total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    /// <summary>Copies <paramref name="source"/> to device address <paramref name="destination"/>.</summary>
    public void CopyToDevice<T>(ReadOnlySpan<T> source, CuDevicePtr destination) where T : unmanaged
    {
        if (source.IsEmpty) return;
        MakeCurrent();
        fixed (T* p = source)
            CudaCheck.Driver(CudaDriver.cuMemcpyHtoD_v2(destination, p, Bytes<T>(source.Length)), "cuMemcpyHtoD_v2");
    }

    /// <summary>Fills <paramref name="destination"/> from device address <paramref name="source"/> (waits for prior work).</summary>
    public void CopyToHost<T>(CuDevicePtr source, Span<T> destination) where T : unmanaged
    {
        if (destination.IsEmpty) return;
        MakeCurrent();
        fixed (T* p = destination)
            CudaCheck.Driver(CudaDriver.cuMemcpyDtoH_v2(p, source, Bytes<T>(destination.Length)), "cuMemcpyDtoH_v2");
        LaunchLog.Clear(); // the copy waited for every kernel before it
    }

    /// <summary>Device-to-device copy of <paramref name="count"/> elements of T.</summary>
    public void CopyDeviceToDevice<T>(CuDevicePtr source, CuDevicePtr destination, long count) where T : unmanaged
    {
        if (count == 0) return;
        MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuMemcpyDtoD_v2(destination, source, Bytes<T>(count)), "cuMemcpyDtoD_v2");
    }

    /// <summary>Sets <paramref name="bytes"/> bytes at <paramref name="destination"/> to <paramref name="value"/>.</summary>
    public void Memset(CuDevicePtr destination, byte value, long bytes)
    {
        if (bytes == 0) return;
        MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuMemsetD8_v2(destination, value, (nuint)bytes), "cuMemsetD8_v2");
    }

    /// <summary>Sets <paramref name="count"/> 32-bit words (e.g. a float's bit pattern) at <paramref name="destination"/>.</summary>
    public void Memset32(CuDevicePtr destination, uint value, long count)
    {
        if (count == 0) return;
        MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuMemsetD32_v2(destination, value, (nuint)count), "cuMemsetD32_v2");
    }

    private static nuint Bytes<T>(long count) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return checked((nuint)count * (nuint)Unsafe.SizeOf<T>());
    }
}
