using System.Runtime.InteropServices;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// One <c>cuMemAlloc</c> allocation, owned. Disposing (or, failing that, finalizing) frees it with
/// <c>cuMemFree</c>; blocks handed out by a <see cref="CachingAllocator"/> should instead go back through
/// <see cref="CachingAllocator.Free"/> so they can be reused.
/// </summary>
/// <remarks>
/// A SafeHandle because its finalizer is "critical": it runs even on abrupt shutdown paths and after ordinary
/// finalizers, and the handle cannot be freed while a P/Invoke is using it. The device address is stored in
/// SafeHandle's pointer-sized field (a 64-bit process is assumed, as CUDA itself requires).
/// </remarks>
public sealed class DeviceMemory : SafeHandle
{
    private readonly CuContext _context;

    internal DeviceMemory(CuContext context, CuDevicePtr pointer, long bytes, CachingAllocator? owner)
        : base(0, ownsHandle: true)
    {
        _context = context;
        Bytes = bytes;
        Owner = owner;
        SetHandle((nint)pointer.Address);
    }

    /// <summary>Allocates <paramref name="bytes"/> (at least 1) directly from the driver, bypassing any cache.</summary>
    public static DeviceMemory Allocate(CuContext context, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        MakeCurrent(context);
        CudaCheck.Driver(CudaDriver.cuMemAlloc_v2(out var ptr, (nuint)bytes), "cuMemAlloc_v2");
        return new DeviceMemory(context, ptr, bytes, owner: null);
    }

    /// <summary>The device address. cuMemAlloc aligns it to at least 256 bytes.</summary>
    public CuDevicePtr Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new CuDevicePtr((ulong)handle);
        }
    }

    /// <summary>Size of the allocation (for a cached block: its size class, at least what was asked for).</summary>
    public long Bytes { get; }

    /// <summary>The allocator that handed this block out, if any.</summary>
    internal CachingAllocator? Owner { get; }

    /// <summary>True while the block sits in its allocator's free list (guards against double frees).</summary>
    internal bool Cached { get; set; }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        // The finalizer thread has no current context; cuMemFree needs the one the memory belongs to. Errors are
        // ignored: if the context is already gone (process shutdown), its memory went with it.
        MakeCurrent(_context, check: false);
        CudaDriver.cuMemFree_v2(new CuDevicePtr((ulong)handle));
        Owner?.OnReleased(Bytes);
        return true;
    }

    internal static void MakeCurrent(CuContext context, bool check = true)
    {
        if (CudaDriver.cuCtxGetCurrent(out var current) == CuResult.Success && current == context) return;
        var r = CudaDriver.cuCtxSetCurrent(context);
        if (check) CudaCheck.Driver(r, "cuCtxSetCurrent");
    }
}
