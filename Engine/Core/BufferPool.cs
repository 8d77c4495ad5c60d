using System.Collections.Concurrent;

namespace Pade.Engine;

/// <summary>
/// Recycles large arrays by power-of-two size class. On this VM a freshly touched 4 KiB page costs ~11 us, so a
/// training step that allocated its activations anew would spend more time in page faults than in arithmetic.
/// Buffers come back through <see cref="Storage.Dispose"/> or the storage finalizer; when more than a budget is
/// outstanding and the pool is empty, a blocking GC runs the finalizers of dead tensors so their buffers return
/// before we ask the OS for new pages.
/// </summary>
public static class BufferPool<T> where T : unmanaged
{
    private const int MinPooled = 1024;           // smaller arrays are cheap for the GC's nursery
    private static readonly ConcurrentBag<T[]>[] Classes = Enumerable.Range(0, 32).Select(_ => new ConcurrentBag<T[]>()).ToArray();
    private static long _outstandingBytes, _cachedBytes, _hits, _misses, _collections;
    private static long _budgetBytes = 256L << 20;

    public static T[] Rent(int length)
    {
        if (length < MinPooled) return new T[length];
        int cls = SizeClass(length);
        int capacity = 1 << cls;
        long bytes = (long)capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (!Classes[cls].TryTake(out var array))
        {
            if (Volatile.Read(ref _outstandingBytes) > _budgetBytes)
            {
                // Let dead tensors give their buffers back before touching new pages.
                Interlocked.Increment(ref _collections);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                // Live memory after the collection sets the next budget: 1.5 times what is really in use. At twice,
                // a ResNet-101 step (batch 8) let 500 MiB of dead activations pile up between collections (peak
                // 1.3 GiB against 0.96 GiB at 1.5x); the extra collections, about three per step, did not show in
                // its step time (bench/results/2026-12-06-layers-memory-budget.md).
                _budgetBytes = Math.Max(256L << 20, Volatile.Read(ref _outstandingBytes) * 3 / 2);
                Classes[cls].TryTake(out array);
            }
        }
        if (array != null) { Interlocked.Increment(ref _hits); Interlocked.Add(ref _cachedBytes, -bytes); }
        else { Interlocked.Increment(ref _misses); array = GC.AllocateUninitializedArray<T>(capacity); }
        Interlocked.Add(ref _outstandingBytes, bytes);
        return array;
    }

    public static void Return(T[] array)
    {
        if (array.Length < MinPooled) return;
        long bytes = (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        Interlocked.Add(ref _outstandingBytes, -bytes);
        Interlocked.Add(ref _cachedBytes, bytes);
        Classes[SizeClass(array.Length)].Add(array);
    }

    private static int SizeClass(int length) => 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1));

    public static BufferPoolStats Stats() => new(
        Volatile.Read(ref _outstandingBytes), Volatile.Read(ref _cachedBytes), Volatile.Read(ref _hits),
        Volatile.Read(ref _misses), Volatile.Read(ref _collections));
}

public readonly record struct BufferPoolStats(long OutstandingBytes, long CachedBytes, long Hits, long Misses, long Collections);
