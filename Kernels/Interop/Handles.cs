namespace Pade.Kernels.Interop;

// Typed handles over the driver's opaque pointers. Each is exactly one pointer wide (blittable), so the
// P/Invoke declarations can take and return them directly, and the compiler stops a module being passed where
// a stream is expected. None of them owns anything: lifetimes are managed by CudaDevice and DeviceMemory.

/// <summary>A device ordinal as the driver knows it (<c>CUdevice</c>, an int).</summary>
public readonly record struct CuDevice(int Ordinal);

/// <summary><c>CUcontext</c>.</summary>
public readonly record struct CuContext(nint Handle)
{
    public bool IsNull => Handle == 0;
}

/// <summary><c>CUmodule</c>: a loaded PTX image.</summary>
public readonly record struct CuModule(nint Handle)
{
    public bool IsNull => Handle == 0;
}

/// <summary><c>CUfunction</c>: one <c>__global__</c> entry point of a module.</summary>
public readonly record struct CuFunction(nint Handle)
{
    public bool IsNull => Handle == 0;
}

/// <summary><c>CUstream</c>. <see cref="Default"/> (null) is the legacy default stream.</summary>
public readonly record struct CuStream(nint Handle)
{
    public static CuStream Default => default;
    public bool IsNull => Handle == 0;
}

/// <summary><c>CUevent</c>.</summary>
public readonly record struct CuEvent(nint Handle)
{
    public bool IsNull => Handle == 0;
}

/// <summary><c>CUdeviceptr</c>: a 64-bit device address (not a host pointer; never dereference it).</summary>
public readonly record struct CuDevicePtr(ulong Address)
{
    public bool IsNull => Address == 0;

    /// <summary>The address <paramref name="bytes"/> further on (for views into one allocation).</summary>
    public CuDevicePtr Offset(long bytes) => new(Address + (ulong)bytes);

    public override string ToString() => $"0x{Address:x}";
}
