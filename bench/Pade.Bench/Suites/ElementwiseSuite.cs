using System.Globalization;
using static TorchSharp.torch;
using PadeTensor = Pade.Engine.Tensor;

namespace Pade.Bench;

/// <summary>
/// Memory-bound pointwise ops on 16M float32 elements, out of place as users write them (<c>a + b</c> allocates its
/// result), in GB/s of bytes that must move: reads + writes of 4-byte elements. A parallel
/// <see cref="Span{T}.CopyTo"/> of the same size is the reference bandwidth the ops can at best reach.
/// </summary>
/// <remarks>Each call frees its result at once: torch's through the call's dispose scope, Pade's with
/// <c>Dispose</c>, which hands the buffer back to the engine's pool (<c>BufferPool</c>) so the next call writes into
/// pages that are already mapped, as torch's retained malloc arena does.</remarks>
public static class ElementwiseSuite
{
    public const int N = 16 * 1024 * 1024;
    const double Mb = 4.0 * N; // bytes of one operand
    public const string CopyCase = "copy (C# Span.CopyTo ref.)";

    public static IEnumerable<BenchCase> Cases()
    {
        yield return new BenchCase("add (a + b)", "16M", work: 3 * Mb, WorkUnit.Byte)
        {
            Torch = () => { Tensor a = randn(N), b = randn(N); return () => { _ = a + b; }; },
            Pade = () => { PadeTensor a = PadeTensor.Randn([N]), b = PadeTensor.Randn([N]); return () => (a + b).Dispose(); },
        };
        yield return new BenchCase("mul (a * b)", "16M", work: 3 * Mb, WorkUnit.Byte)
        {
            Torch = () => { Tensor a = randn(N), b = randn(N); return () => { _ = a * b; }; },
            Pade = () => { PadeTensor a = PadeTensor.Randn([N]), b = PadeTensor.Randn([N]); return () => (a * b).Dispose(); },
        };
        yield return new BenchCase("exp", "16M", work: 2 * Mb, WorkUnit.Byte)
        {
            Torch = () => { Tensor a = randn(N); return () => a.exp(); },
            Pade = () => { PadeTensor a = PadeTensor.Randn([N]); return () => a.Exp().Dispose(); },
        };
        // The bandwidth reference. Its "Pade" column is plain C# (no engine): a Span.CopyTo split into one chunk per
        // thread; its Torch column is an in-place dst.copy_(src), which allocates nothing.
        yield return new BenchCase(CopyCase, "16M", work: 2 * Mb, WorkUnit.Byte)
        {
            Pade = SpanCopyReference,
            Torch = () => { Tensor src = randn(N), dst = empty(N); return () => dst.copy_(src); },
        };
    }

    /// <summary>Copies 16M floats with <see cref="Span{T}.CopyTo"/>, one contiguous chunk per thread.</summary>
    static Action SpanCopyReference()
    {
        var src = new float[N];
        var dst = new float[N];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(src.AsSpan()));
        int threads = Harness.CurrentThreads;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        return () =>
        {
            if (threads == 1) { src.AsSpan().CopyTo(dst); return; }
            int chunk = (N + threads - 1) / threads;
            Parallel.For(0, threads, options, i =>
            {
                int start = i * chunk, length = Math.Min(chunk, N - start);
                src.AsSpan(start, length).CopyTo(dst.AsSpan(start, length));
            });
        };
    }

    /// <summary>Each op's GB/s as a fraction of the C# copy's GB/s at the same thread count (the copy moves 8 bytes
    /// per element with no arithmetic: what a memory-bound op can at best reach), for both sides.</summary>
    public static IEnumerable<string> BandwidthLines(IReadOnlyList<CaseResult> results)
    {
        foreach (var byThreads in results.GroupBy(r => r.Threads))
        {
            CaseResult? copy = byThreads.FirstOrDefault(r => r.Case.Name == CopyCase);
            if (copy?.Pade is not { } reference) continue;
            double copyRate = reference.Rate(copy.Case.Work, copy.Case.Unit);
            var parts = new List<string>();
            foreach (CaseResult r in byThreads.Where(r => r.Case.Name != CopyCase))
            {
                string Side(string who, Timing? t) => t is { } v
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"{who} {v.Rate(r.Case.Work, r.Case.Unit):F1} GB/s = {100 * v.Rate(r.Case.Work, r.Case.Unit) / copyRate:F0} %")
                    : $"{who} —";
                parts.Add($"{r.Case.Name}: {Side("Pade", r.Pade)}, {Side("Torch", r.Torch)}");
            }
            yield return string.Create(CultureInfo.InvariantCulture,
                $"elementwise bandwidth vs the copy reference ({copyRate:F1} GB/s) at {byThreads.Key} thread(s): ") +
                string.Join("; ", parts);
        }
    }
}
