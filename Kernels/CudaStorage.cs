using Pade.Engine;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// Tensor storage in GPU memory: one block of the device's <see cref="CachingAllocator"/>, holding
/// <see cref="Storage.Length"/> elements of <see cref="Storage.DType"/> from its first byte. Disposing it, or
/// letting the garbage collector finalize it, puts the block back in the allocator's cache.
/// </summary>
public sealed class CudaStorage : Storage
{
    private DeviceMemory? _memory;

    internal CudaStorage(CudaBackend backend, DType dtype, long length, DeviceMemory memory) : base(dtype, length)
    {
        Backend = backend;
        _memory = memory;
    }

    /// <summary>The backend (and so the GPU) this storage belongs to.</summary>
    public CudaBackend Backend { get; }

    public override Device Device => Backend.Device;

    /// <summary>Device address of element 0.</summary>
    public CuDevicePtr Pointer =>
        (_memory ?? throw new ObjectDisposedException("tensor storage", "the tensor's GPU storage was disposed")).Pointer;

    /// <summary>Device address of element <paramref name="index"/>.</summary>
    public CuDevicePtr PointerAt(long index) => Pointer.Offset(index * DType.SizeInBytes());

    protected override void Release()
    {
        var memory = Interlocked.Exchange(ref _memory, null);
        if (memory == null || memory.IsClosed) return;
        // From a finalizer too: Free suppresses the block's own (critical, later) finalizer, see CachingAllocator.Free.
        try
        {
            Backend.CudaDevice.Allocator.Free(memory);
        }
        catch (ObjectDisposedException)
        {
            // The device was torn down first (process exit): its memory went with the context.
        }
    }
}
