namespace Pade.Engine.Cpu;

/// <summary>Splits work over the CPU cores. Chunks are fixed in size, never derived from the thread count, so a
/// reduction gives bit-identical results whatever the number of threads.</summary>
public static class CpuParallel
{
    private static int _threads = Environment.ProcessorCount;

    /// <summary>Worker threads used by CPU kernels (default: all cores).</summary>
    public static int Threads
    {
        get => _threads;
        set => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"thread count must be at least 1, got {value}");
    }

    /// <summary>Set on a thread while it runs a chunk of <see cref="For"/>.</summary>
    [ThreadStatic] private static bool _inside;

    /// <summary>
    /// Threads a kernel may split its work over from here: <see cref="Threads"/>, or 1 inside a chunk of a parallel
    /// loop. A kernel called from a parallel loop (a GEMM per convolution chunk) then runs serially instead of
    /// forking again: nested loops would put more busy threads than cores on the machine, each evicting the others'
    /// packed blocks from the cache.
    /// </summary>
    public static int Available => _inside ? 1 : _threads;

    /// <summary>Loops run on <see cref="ForkJoinPool"/>'s workers, which spin between loops (default); off, on
    /// .NET's Parallel.For. Settable for the A/B measurement and for tests.</summary>
    internal static bool SpinningWorkers { get; set; } = true;

    /// <summary>Marks the thread as inside a parallel loop (nested loops then run serially); <see cref="Leave"/>
    /// restores what it was.</summary>
    internal static void Enter(out bool outer) { outer = _inside; _inside = true; }

    internal static void Leave(bool outer) => _inside = outer;

    /// <summary>Runs body(chunk) for chunk in [0, chunks), in parallel when there is enough work (serially when
    /// called from inside another parallel loop).</summary>
    public static void For(int chunks, Action<int> body, long workPerChunk = long.MaxValue)
    {
        if (chunks <= 0) return;
        // workPerChunk < 32768 / chunks, not workPerChunk · chunks < 32768: the product of the default (unknown work:
        // always parallel) and any even count overflowed to a negative and ran every such loop serially.
        if (chunks == 1 || Available == 1 || workPerChunk < (32_768 + chunks - 1) / chunks)
        {
            for (int i = 0; i < chunks; i++) body(i);
            return;
        }
        if (SpinningWorkers && ForkJoinPool.Shared.TryRun(chunks, body, _threads)) return;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, i =>
        {
            bool outer = _inside;
            _inside = true;
            try { body(i); }
            finally { _inside = outer; }
        });
    }

    /// <summary>Runs body(start, end) over [0, n) in ranges of about grain elements.</summary>
    public static void ForRange(long n, long grain, Action<long, long> body)
    {
        if (n <= 0) return;
        int chunks = (int)Math.Min((n + grain - 1) / grain, int.MaxValue);
        For(chunks, c => body(c * grain, Math.Min(n, (c + 1) * grain)), grain);
    }
}
