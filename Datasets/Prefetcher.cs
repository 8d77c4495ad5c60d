using System.Collections;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Pade.Datasets;

/// <summary>
/// Produces items 0..count-1 on a worker task, ahead of the consumer: while the training step works on batch i,
/// batch i+1 (gather, augment, convert) is being prepared. At most <c>capacity</c> finished items wait in a bounded
/// channel, plus the one being produced, so memory stays bounded however slow the consumer is.
/// </summary>
/// <remarks>
/// <para>Items come out in index order, exactly once each. The producer runs on one worker, so it may keep state
/// between calls, but it must not share mutable state with the consumer (derive per-batch randomness from the
/// index, e.g. <see cref="SplitMix64.Derive"/>(seed, epoch, i), so results do not depend on timing).</para>
/// <para>If the producer throws for item i, items before i are still delivered, and taking item i rethrows the
/// original exception (same type, original stack trace).</para>
/// <para>Ownership: an item belongs to the consumer once taken. Items produced but never taken are disposed on
/// <see cref="Dispose"/> if they implement <see cref="IDisposable"/>. Because up to capacity+2 items exist at once
/// (consumed, queued, in production), a producer that recycles buffers needs a pool at least that large.</para>
/// <para>Enumerate once: this is a stream, not a collection.</para>
/// </remarks>
public sealed class Prefetcher<T> : IEnumerable<T>, IDisposable
{
    readonly Channel<T> _channel;
    readonly CancellationTokenSource _cts;
    readonly Task _worker;
    readonly int _count;
    int _taken;
    ExceptionDispatchInfo? _failure;
    int _failedIndex = -1;
    bool _disposed;

    /// <param name="count">Number of items to produce (indices 0..count-1).</param>
    /// <param name="produce">Builds item i; receives a token cancelled on <see cref="Dispose"/>.</param>
    /// <param name="capacity">Finished items allowed to wait (2: the next batch and the one after).</param>
    /// <param name="cancellationToken">Stops production early (items not yet produced are never made).</param>
    public Prefetcher(int count, Func<int, CancellationToken, T> produce, int capacity = 2,
                      CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(produce);
        _count = count;
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _worker = Task.Run(() => RunAsync(produce, _cts.Token));
    }

    /// <summary>Convenience overload for producers that ignore cancellation.</summary>
    public Prefetcher(int count, Func<int, T> produce, int capacity = 2)
        : this(count, (i, _) => produce(i), capacity) { }

    /// <summary>Number of items this prefetcher yields in total.</summary>
    public int Count => _count;

    async Task RunAsync(Func<int, CancellationToken, T> produce, CancellationToken ct)
    {
        var writer = _channel.Writer;
        int i = 0;
        try
        {
            for (; i < _count; i++)
            {
                ct.ThrowIfCancellationRequested();
                T item = produce(i, ct);
                try
                {
                    await writer.WriteAsync(item, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    (item as IDisposable)?.Dispose();  // made but never handed over
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposed or cancelled: the consumer is gone or will be told by the token.
        }
        catch (Exception e)
        {
            // Recorded, not thrown into the channel, so items 0..i-1 are still delivered first.
            _failedIndex = i;
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            writer.TryComplete();
        }
    }

    /// <summary>
    /// Waits for the next item. Throws <see cref="InvalidOperationException"/> after <see cref="Count"/> items, the
    /// producer's own exception if it failed on this item, <see cref="OperationCanceledException"/> if cancelled.
    /// </summary>
    public T Take()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_taken >= _count)
            throw new InvalidOperationException($"all {_count} prefetched items have already been taken");
        var reader = _channel.Reader;
        while (true)
        {
            if (reader.TryRead(out T? item))
            {
                _taken++;
                return item;
            }
            // Blocking here is the point: the training loop is synchronous and waits for its next batch.
            if (!reader.WaitToReadAsync(_cts.Token).AsTask().GetAwaiter().GetResult())
                break;
        }
        _failure?.Throw();
        _cts.Token.ThrowIfCancellationRequested();
        throw new InvalidOperationException(
            $"prefetch producer stopped after {_taken} of {_count} items without an error (failed index {_failedIndex})");
    }

    public IEnumerator<T> GetEnumerator()
    {
        while (_taken < _count) yield return Take();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stops the worker, waits for it, and disposes items produced but not taken.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cts.Cancel();
        try { _worker.GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { }
        while (_channel.Reader.TryRead(out T? left)) (left as IDisposable)?.Dispose();
        _cts.Dispose();
    }
}
