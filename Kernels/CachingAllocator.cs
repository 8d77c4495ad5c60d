using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>Allocator counters. <c>InUseBytes = AllocatedBytes - CachedBytes</c>.</summary>
/// <param name="AllocatedBytes">Bytes currently obtained from the driver (in use plus cached).</param>
/// <param name="CachedBytes">Bytes in free lists, ready for reuse.</param>
/// <param name="Hits">Allocations served from the cache.</param>
/// <param name="Misses">Allocations that went to cuMemAlloc.</param>
public readonly record struct AllocatorStats(long AllocatedBytes, long CachedBytes, long Hits, long Misses)
{
    public long InUseBytes => AllocatedBytes - CachedBytes;
}

/// <summary>
/// Keeps freed device blocks for reuse, because cuMemAlloc/cuMemFree are slow (cuMemFree synchronises the
/// device) and a training loop asks for the same sizes every step.
/// </summary>
/// <remarks>
/// <para>Size classes: a request is rounded up to a power of two (at least 512 bytes) below 1 MiB, and to a
/// multiple of 2 MiB from 1 MiB on. A freed block is reused only for a request of the same class, so at most
/// half of a small block, and less than 2 MiB of a large one, is wasted. Blocks are never split or merged.</para>
/// <para>Ownership: <see cref="Allocate"/> hands out a <see cref="DeviceMemory"/>; <see cref="Free"/> puts it
/// in the cache. Disposing a block releases it to the driver instead (not cached); a fresh block dropped without
/// either is freed by its finalizer, a block served from the cache is not (it must be freed or disposed: tensor
/// storage does so from its own finalizer).</para>
/// <para>Out of memory: the cache is emptied and the allocation retried; then the garbage collector is run so
/// finalizers return unreachable tensors' blocks, the cache is emptied again, and it is retried once more before
/// the error is thrown.</para>
/// <para>Synchronisation: a freed block may be reused at once, which is safe as long as all work runs on one
/// stream (kernels on one stream execute in order). Multi-stream users must synchronise before freeing.</para>
/// </remarks>
public sealed class CachingAllocator(CuContext context) : IDisposable
{
    public const long MinBlock = 512;
    public const long SmallLimit = 1 << 20;
    public const long LargeGranule = 2 << 20;

    private readonly Dictionary<long, Stack<DeviceMemory>> _free = new();
    private readonly Lock _lock = new();
    private long _allocated, _cached, _hits, _misses;

    /// <summary>The block size a request of <paramref name="bytes"/> receives.</summary>
    public static long SizeClass(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= MinBlock) return MinBlock;
        if (bytes < SmallLimit) return (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)bytes);
        return (bytes + LargeGranule - 1) / LargeGranule * LargeGranule;
    }

    /// <summary>A block of at least <paramref name="bytes"/> bytes (contents undefined).</summary>
    public DeviceMemory Allocate(long bytes)
    {
        long size = SizeClass(bytes);
        lock (_lock)
        {
            if (_free.TryGetValue(size, out var stack))
            {
                while (stack.TryPop(out var block))
                {
                    _cached -= size;
                    block.Cached = false;
                    if (block.IsClosed) continue; // disposed by its user after Free: already back with the driver
                    _hits++;
                    // Not re-registered for finalization: when a storage and its block became unreachable in the
                    // same collection, the block's (critical) finalizer may still be queued behind the storage's,
                    // which put the block here and suppressed it. Re-registering would clear that suppression, and
                    // the queued finalizer would cuMemFree the block under its next tensor (a use-after-free the
                    // emulated driver's memcheck caught). A reused block goes back through its storage's finalizer,
                    // or through Free / Dispose.
                    return block;
                }
            }
            _misses++;
        }
        var fresh = AllocateFromDriver(size);
        Interlocked.Add(ref _allocated, size);
        return fresh;
    }

    /// <summary>Returns <paramref name="block"/> to the cache. It must come from this allocator and be in use.</summary>
    public void Free(DeviceMemory block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Owner != this)
            throw new ArgumentException("block was not allocated by this CachingAllocator", nameof(block));
        ObjectDisposedException.ThrowIf(block.IsClosed, block);
        lock (_lock)
        {
            if (block.Cached)
                throw new InvalidOperationException($"device block {block.Pointer} ({block.Bytes} bytes) freed twice");
            block.Cached = true;
            // The cache owns the block now. Its finalizer must not run: when a tensor's storage is finalized, its
            // block (reachable only from it) may be queued for finalization in the same collection, and would be
            // freed by the driver after the storage's finalizer put it here. EmptyCache frees cached blocks.
            GC.SuppressFinalize(block);
            if (!_free.TryGetValue(block.Bytes, out var stack)) _free[block.Bytes] = stack = new Stack<DeviceMemory>();
            stack.Push(block);
            _cached += block.Bytes;
        }
    }

    public AllocatorStats Stats()
    {
        lock (_lock) return new AllocatorStats(Interlocked.Read(ref _allocated), _cached, _hits, _misses);
    }

    /// <summary>Releases every cached block to the driver. Blocks in use are untouched.</summary>
    public void EmptyCache()
    {
        List<DeviceMemory> release;
        lock (_lock)
        {
            release = _free.Values.SelectMany(s => s).ToList();
            _free.Clear();
            _cached = 0;
        }
        foreach (var block in release) block.Dispose(); // ReleaseHandle -> OnReleased adjusts _allocated
    }

    public void Dispose() => EmptyCache();

    /// <summary>Called by <see cref="DeviceMemory"/> when its memory goes back to the driver (any thread).</summary>
    internal void OnReleased(long bytes) => Interlocked.Add(ref _allocated, -bytes);

    private DeviceMemory AllocateFromDriver(long size)
    {
        for (int attempt = 0; ; attempt++)
        {
            DeviceMemory.MakeCurrent(context);
            var r = CudaDriver.cuMemAlloc_v2(out var ptr, (nuint)size);
            if (r == CuResult.Success) return new DeviceMemory(context, ptr, size, this);
            if (r != CuResult.OutOfMemory || attempt == 2) CudaCheck.Driver(r, $"cuMemAlloc_v2({size} bytes)");
            if (attempt == 1)
            {
                // Unreachable tensors still hold blocks until their finalizers run; those hand the blocks to
                // the cache, which is emptied below.
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            EmptyCache();
        }
    }
}
