using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>
/// Quick throughput numbers for the CPU kernels; run by hand, on a quiet machine:
/// <c>dotnet test Tests/Tests.csproj -c Release --filter "FullyQualifiedName~GemmBenchmarks" --logger "console;verbosity=detailed"</c>.
/// Each figure is the best of many short calls (a shared machine preempts long ones). The real comparison with
/// TorchSharp lives in bench/.
/// </summary>
[Explicit("benchmark: prints throughput, asserts nothing")]
[Category("Benchmark")]
public class GemmBenchmarks
{
    [Test]
    public void GemmGflops()
    {
        int saved = CpuParallel.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                CpuParallel.Threads = threads;
                foreach (int s in new[] { 256, 512, 1024, 2048 })
                    TestContext.Out.WriteLine($"sgemm {s,4}^3  threads={threads}: {Gflops<float>(s),6:F1} GFLOP/s   " +
                                              $"dgemm: {Gflops<double>(s),6:F1} GFLOP/s");
            }
        }
        finally { CpuParallel.Threads = saved; }
    }

    [Test]
    public void PointwiseBandwidth()
    {
        int n = 16 << 20;
        var a = Tensor.Randn([n]); var b = Tensor.Randn([n]);
        var square = Tensor.Randn([4096, 4096]);
        int saved = CpuParallel.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                CpuParallel.Threads = threads;
                Report("a + b", 12.0 * n, () => (a + b).Dispose());
                Report("a * b", 12.0 * n, () => (a * b).Dispose());
                Report("exp(a)", 8.0 * n, () => a.Exp().Dispose());
                Report("sum(a)", 4.0 * n, () => a.Sum().Dispose());
                Report("sum(x, 0) 4096^2", 4.0 * n, () => square.Sum([0]).Dispose());
                Report("x.T.Contiguous() 4096^2", 8.0 * n, () => square.T.Contiguous().Dispose());
            }
        }
        finally { CpuParallel.Threads = saved; }
    }

    private static double Gflops<T>(int s) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rnd = new Random(1);
        var a = Enumerable.Range(0, s * s).Select(_ => T.CreateTruncating(rnd.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, s * s).Select(_ => T.CreateTruncating(rnd.NextDouble() - 0.5)).ToArray();
        var c = new T[s * s];
        double flops = 2.0 * s * s * s, best = double.MaxValue;
        int calls = Math.Max(10, (int)(4e9 / flops));
        for (int r = 0; r < calls; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Gemm.Multiply(false, false, s, s, s, a, b, c, T.Zero);
            double dt = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r >= 2) best = Math.Min(best, dt);   // the first calls include JIT and first-touch page faults
        }
        return flops / best / 1e9;
    }

    private static void Report(string name, double bytes, Action op)
    {
        double best = double.MaxValue;
        for (int r = 0; r < 30; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            op();
            double dt = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r >= 5) best = Math.Min(best, dt);
        }
        TestContext.Out.WriteLine($"{name,-26} threads={CpuParallel.Threads}: {best * 1e3,7:F2} ms  {bytes / best / 1e9,6:F1} GB/s");
    }
}
