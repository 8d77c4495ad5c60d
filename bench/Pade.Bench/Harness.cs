using System.Diagnostics;
using TorchSharp;

namespace Pade.Bench;

/// <summary>What a case's work count means, and so how its rate is printed.</summary>
public enum WorkUnit
{
    /// <summary>Floating-point operations per call: rate in GFLOP/s.</summary>
    Flop,
    /// <summary>Bytes moved per call (reads + writes): rate in GB/s (10^9 bytes per second).</summary>
    Byte,
    /// <summary>Samples per call: rate in samples/s.</summary>
    Sample,
}

/// <summary>
/// One side of a case: called once per measurement (per thread count); it allocates its inputs and returns the body
/// that the harness times. Allocation stays out of the timing; the body is what a user would write in a loop.
/// </summary>
/// <example><code>
/// Side torch = () => { var a = torch.randn(n, n); var b = torch.randn(n, n); return () => torch.mm(a, b); };
/// Side pade  = () => { var a = Tensor.Randn([n, n]); var b = Tensor.Randn([n, n]); return () => a.MatMul(b); };
/// </code></example>
public delegate Action Side();

/// <summary>
/// One benchmark case: the same computation written against Pade and against TorchSharp. A missing side is
/// <c>null</c> and shows as "—" in the report; adding the Pade side of a case is setting <see cref="Pade"/>.
/// </summary>
public sealed class BenchCase(string name, string size, double work, WorkUnit unit)
{
    /// <summary>What is computed, e.g. "mm" or "exp fwd+bwd".</summary>
    public string Name { get; } = name;
    /// <summary>The problem size as printed, e.g. "1024²" or "16M".</summary>
    public string Size { get; } = size;
    /// <summary>FLOPs, bytes or samples per call of the body, per <see cref="Unit"/>.</summary>
    public double Work { get; } = work;
    public WorkUnit Unit { get; } = unit;
    public Side? Torch { get; init; }
    public Side? Pade { get; set; }
    /// <summary>Overrides the measurement budget for slow cases (e.g. a VGG training step).</summary>
    public MeasureOptions? Options { get; init; }
}

/// <summary>
/// How long to measure. Warm-up: at least <see cref="WarmupMs"/> and <see cref="MinWarmup"/> calls (or, for slow
/// bodies, at least 3 calls once <see cref="WarmupCallsCapMs"/> have passed), then on while the calls are still
/// getting faster (the last one slower than 1.5x the fastest so far), up to <see cref="MaxWarmupMs"/>. Timed: repeat
/// until <see cref="TargetMs"/> of timed calls or <see cref="MaxReps"/> calls, but at least <see cref="MinReps"/>.
/// </summary>
/// <remarks>
/// <para>The call count is for Pade's steady state, which takes tens of calls to reach: (1) the engine's buffer pool
/// only starts recycling once 256 MiB of buffers are outstanding (it then runs the finalizers of dead tensors), so
/// until then every call's fresh buffers page-fault (~11 µs per 4 KiB page on this VM): PAU forward+backward on 1M
/// floats took ~80 ms of CPU for its first ~20 calls and 1.2 ms after; (2) .NET's tiered JIT recompiles a method
/// with full optimisation after about 30 calls. Neither shows as "still getting faster" while it lasts.</para>
/// <para>The adaptive part of the warm-up is for allocators that reach their steady state slowly: glibc serves
/// libtorch's 64 MiB posix_memalign requests from fresh (page-faulting) heap for a dozen calls before freed blocks
/// coalesce enough to be reused (see <see cref="GlibcMalloc"/>).</para>
/// </remarks>
public sealed record MeasureOptions(double WarmupMs, int MinWarmup, double MaxWarmupMs, double TargetMs, int MinReps,
    int MaxReps, double WarmupCallsCapMs = double.PositiveInfinity)
{
    public static readonly MeasureOptions Full = new(WarmupMs: 500, MinWarmup: 50, MaxWarmupMs: 10_000, TargetMs: 2000,
        MinReps: 5, MaxReps: 1000, WarmupCallsCapMs: 5_000);
    public static readonly MeasureOptions Quick = new(WarmupMs: 0, MinWarmup: 2, MaxWarmupMs: 0, TargetMs: 150,
        MinReps: 3, MaxReps: 20);
}

/// <summary>Timings of one side of one case at one thread count.</summary>
public readonly record struct Timing(double MedianMs, double MinMs, int Reps)
{
    /// <summary>Work per second at the median time, in the unit's printed scale (GFLOP/s, GB/s, samples/s).</summary>
    public double Rate(double work, WorkUnit unit) => Harness.Rate(work, unit, MedianMs);
}

/// <summary>One row of the report: a case at one thread count, both sides.</summary>
public sealed record CaseResult(string Suite, BenchCase Case, int Threads, Timing? Pade, Timing? Torch);

/// <summary>
/// Measures cases: warm-up, repeated timed calls, median and minimum, at each requested thread count, for both
/// sides. Each call of a Torch body runs in its own dispose scope so the tensors it returns are freed at once, as
/// they would be by a Python loop dropping its references.
/// </summary>
public static class Harness
{
    /// <summary>
    /// Sets Pade's CPU thread count before each Pade measurement. Program wires it to the engine's setting,
    /// <c>CpuBackend.Threads</c> (= <c>CpuParallel.Threads</c>, what <c>pade train --threads</c> sets); while it is
    /// null Pade runs with its default (all cores) and the report says so.
    /// </summary>
    public static Action<int>? SetPadeThreads { get; set; }

    /// <summary>The thread count of the measurement in progress, for sides that parallelise by hand.</summary>
    public static int CurrentThreads { get; private set; } = 1;

    /// <summary>Sets libtorch's intra-op thread count (OpenMP), as <c>torch.set_num_threads(n)</c> in Python.</summary>
    public static void SetTorchThreads(int n) => torch.set_num_threads(n);

    /// <summary>Runs every case at every thread count, printing each row as it completes.</summary>
    public static List<CaseResult> Run(string suite, IEnumerable<BenchCase> cases, IReadOnlyList<int> threads,
        MeasureOptions options)
    {
        var results = new List<CaseResult>();
        foreach (BenchCase c in cases)
            foreach (int t in threads)
            {
                MeasureOptions o = c.Options ?? options;
                Timing? pade = null, torchTiming = null;
                CurrentThreads = t;
                if (c.Pade is not null)
                {
                    SetPadeThreads?.Invoke(t);
                    pade = Measure(c.Pade, o, perCallScope: null);
                }
                if (c.Torch is not null)
                {
                    SetTorchThreads(t);
                    using var caseScope = torch.NewDisposeScope();
                    torchTiming = Measure(c.Torch, o, perCallScope: () => torch.NewDisposeScope());
                }
                var r = new CaseResult(suite, c, t, pade, torchTiming);
                results.Add(r);
                Console.WriteLine(FormatLine(r));
            }
        return results;
    }

    /// <summary>
    /// Times one side: setup once, warm-up calls (JIT tiers, allocator caches, page faults of first touch; see
    /// <see cref="MeasureOptions"/>), then timed calls. Each call is timed alone with <see cref="Stopwatch"/>
    /// (resolution well under a microsecond; the cheapest case here takes a few hundred microseconds).
    /// </summary>
    public static Timing Measure(Side side, MeasureOptions o, Func<IDisposable>? perCallScope)
    {
        Action body = side();
        void Call()
        {
            using IDisposable? scope = perCallScope?.Invoke();
            body();
        }

        var clock = Stopwatch.StartNew();
        double fastest = double.PositiveInfinity, last = 0;
        for (int i = 0; ; i++)
        {
            double elapsed = clock.Elapsed.TotalMilliseconds;
            bool enoughCalls = i >= o.MinWarmup || (i >= 3 && elapsed >= o.WarmupCallsCapMs);
            bool minimumDone = enoughCalls && elapsed >= o.WarmupMs;
            bool stillSpeedingUp = last > 1.5 * fastest && elapsed < o.MaxWarmupMs;
            if (minimumDone && !stillSpeedingUp) break;
            long start = Stopwatch.GetTimestamp();
            Call();
            last = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            fastest = Math.Min(fastest, last);
        }

        // A collection now rather than inside the timed loop: garbage left by setup and warm-up is not the body's.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new List<double>();
        double total = 0;
        while (times.Count < o.MinReps || (total < o.TargetMs && times.Count < o.MaxReps))
        {
            long start = Stopwatch.GetTimestamp();
            Call();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            times.Add(ms);
            total += ms;
        }
        times.Sort();
        int n = times.Count;
        double median = n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
        return new Timing(median, times[0], n);
    }

    /// <summary>Work per second in the printed scale: GFLOP/s (2n³/t for an n² matmul), GB/s, samples/s.</summary>
    public static double Rate(double work, WorkUnit unit, double ms) => unit switch
    {
        WorkUnit.Flop or WorkUnit.Byte => work / (ms * 1e-3) / 1e9,
        _ => work / (ms * 1e-3),
    };

    public static string UnitLabel(WorkUnit unit) => unit switch
    {
        WorkUnit.Flop => "GFLOP/s",
        WorkUnit.Byte => "GB/s",
        _ => "samples/s",
    };

    static string FormatLine(CaseResult r)
    {
        string Side(string who, Timing? t) => t is { } v
            ? $"{who} {v.MedianMs,9:F3} ms (min {v.MinMs:F3}, {v.Reps} reps) {v.Rate(r.Case.Work, r.Case.Unit),9:F2} {UnitLabel(r.Case.Unit)}"
            : $"{who} —";
        return $"{r.Case.Name,-28} {r.Case.Size,-14} t={r.Threads}  {Side("pade", r.Pade)}  |  {Side("torch", r.Torch)}";
    }
}
