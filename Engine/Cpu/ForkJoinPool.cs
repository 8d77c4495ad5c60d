using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Pade.Engine.Cpu;

/// <summary>
/// The workers behind <see cref="CpuParallel.For"/>: threads that stay awake between loops. A training step runs
/// a thousand or more short parallel loops (a batch norm over 256 channels of 8x8 planes takes ~50 µs), each
/// followed by a few µs of serial work in autograd. .NET's Parallel.For hands each loop to pool threads that went
/// to sleep after the last one, and waking one costs ~6 µs per loop on this VM (a loop of two 10 µs halves took
/// 16.5 µs instead of 10). These workers spin for <see cref="SpinMicroseconds"/> after each loop before they
/// block, as OpenMP's do, so back-to-back loops find them running.
/// <para>One loop at a time: the caller takes the gate, publishes the loop, works on chunks itself, and returns
/// when every worker has left it. Chunks are handed out from one counter, so which thread runs a chunk varies but
/// the chunks themselves (and every reduction's order) do not. A caller that finds the gate taken (another thread
/// is running a loop) gets false and uses Parallel.For instead. The first exception a chunk throws stops the
/// handing out of chunks and is rethrown to the caller as it was thrown.</para>
/// </summary>
internal sealed class ForkJoinPool
{
    /// <summary>How long a worker spins for the next loop before it blocks.</summary>
    public const int SpinMicroseconds = 50;

    private readonly object _gate = new();
    private readonly List<Worker> _workers = [];
    private Action<int>? _body;
    private int _chunks, _next, _pending, _generation, _helpers;
    private ExceptionDispatchInfo? _error;

    public static ForkJoinPool Shared { get; } = new();

    /// <summary>Runs body(0 .. chunks − 1) on the caller and <paramref name="threads"/> − 1 workers; false (nothing
    /// run) when another thread holds the pool.</summary>
    public bool TryRun(int chunks, Action<int> body, int threads)
    {
        if (!Monitor.TryEnter(_gate)) return false;
        try
        {
            while (_workers.Count < threads - 1) Start();
            _body = body; _chunks = chunks; _next = 0; _error = null;
            _helpers = threads - 1;                                 // workers past it (Threads was lowered) sit out
            Volatile.Write(ref _pending, _helpers);
            Interlocked.Increment(ref _generation);                  // publishes the loop (a full fence)
            for (int i = 0; i < _helpers; i++) _workers[i].Wake();
            Work();
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) > 0) spin.SpinOnce(-1); // never Thread.Sleep(1): a loop lasts µs
            _body = null;
            _error?.Throw();
            return true;
        }
        finally { Monitor.Exit(_gate); }
    }

    /// <summary>Takes chunks until none are left; the thread counts as inside a parallel loop meanwhile.</summary>
    private void Work()
    {
        var body = _body!;
        // A few runs of chunks per thread: one shared counter bumped per chunk would bounce its cache line between
        // the cores (256 empty chunks took 39 µs that way, 6.5 with Parallel.For's ranges).
        int chunks = _chunks, step = Math.Max(1, chunks / (4 * (_helpers + 1)));
        CpuParallel.Enter(out bool outer);
        try
        {
            for (int i0 = Interlocked.Add(ref _next, step) - step; i0 < chunks; i0 = Interlocked.Add(ref _next, step) - step)
            {
                for (int i = i0, end = Math.Min(chunks, i0 + step); i < end; i++)
                {
                    try { body(i); }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                        Volatile.Write(ref _next, chunks);             // hand out no more chunks
                        break;
                    }
                }
            }
        }
        finally { CpuParallel.Leave(outer); }
    }

    private void Start()
    {
        var worker = new Worker(this, _workers.Count, Volatile.Read(ref _generation));
        _workers.Add(worker);
        worker.Thread.Start();
    }

    /// <summary>One worker thread, with its own wake-up: a shared semaphore let a worker that sits a loop out (its
    /// index past the thread count) take the release meant for one that was needed, and the loop never ended.</summary>
    private sealed class Worker
    {
        private readonly ForkJoinPool _pool;
        private readonly int _index;
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping, _seen;

        public Thread Thread { get; }

        public Worker(ForkJoinPool pool, int index, int generation)
        {
            _pool = pool; _index = index; _seen = generation;
            Thread = new Thread(Loop) { IsBackground = true, Name = $"Pade CPU worker {index + 1}" };
        }

        /// <summary>Called by the caller after it published a loop: releases the worker if it blocked.</summary>
        public void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                WaitForLoop();
                // The thread count of the loop just seen, read while it is still the current one: a worker that
                // sits loops out can notice one late, after the next has begun, and that one's count would have
                // it join (and count itself out of) a loop it was not counted into.
                int helpers = Volatile.Read(ref _pool._helpers);
                if (Volatile.Read(ref _pool._generation) != _seen || _index >= helpers) continue;
                _pool.Work();
                Interlocked.Decrement(ref _pool._pending);
            }
        }

        /// <summary>Spins until the generation moves past the one last seen, then blocks.</summary>
        private void WaitForLoop()
        {
            long spin = Stopwatch.Frequency * SpinMicroseconds / 1_000_000, until = Stopwatch.GetTimestamp() + spin;
            var wait = new SpinWait();
            while (true)
            {
                int now = Volatile.Read(ref _pool._generation);
                if (now != _seen) { _seen = now; return; }
                if (Stopwatch.GetTimestamp() < until) { wait.SpinOnce(-1); continue; }
                // Announce the sleep, then look once more: a caller that published its loop before it saw the
                // announcement released nothing, and this check finds its loop. A release that found the flag set
                // after this check saw the loop leaves one count behind: the next wait returns at once, and the
                // generation test sends the worker back to spinning.
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _pool._generation) == _seen) _wake.Wait();
                Interlocked.Exchange(ref _sleeping, 0);
                until = Stopwatch.GetTimestamp() + spin;
            }
        }
    }
}
