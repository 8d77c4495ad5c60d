using Pade.Engine.Functional;
using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Layers;

/// <summary>Timings of the CPU conv2d kernels (forward, input gradient, weight gradient) on the LeNet and VGG8
/// shapes, at 1 and 2 threads. Run by hand: dotnet test -c Release --filter "FullyQualifiedName~ConvProfile".</summary>
[Explicit("timing, run by hand")]
public class ConvProfile
{
    /// <summary>Best of reps: process CPU time (robust when the machine is shared: preemption does not count)
    /// and wall time.</summary>
    private static (double Cpu, double Wall) Time(Action a, int reps)
    {
        for (int i = 0; i < 3; i++) a();
        var proc = Process.GetCurrentProcess();
        double cpu = double.MaxValue, wall = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            a();
            wall = Math.Min(wall, sw.Elapsed.TotalMilliseconds);
            proc.Refresh();
            cpu = Math.Min(cpu, (proc.TotalProcessorTime - c0).TotalMilliseconds);
        }
        return (cpu, wall);
    }

    private static string Show((double Cpu, double Wall) t) => $"{t.Cpu,6:F2}/{t.Wall,6:F2}";

    [TestCase(1)]
    [TestCase(2)]
    public void Kernels(int threads)
    {
        int saved = Pade.Engine.Cpu.CpuParallel.Threads;
        Pade.Engine.Cpu.CpuParallel.Threads = threads;
        try
        {
            TestContext.Out.WriteLine($"threads {threads}");
            var gen = new Generator(1);
            bool print = false;
            void Conv(string name, int n, int c, int k, int h, int ks, int pad, int reps)
            {
                var x = Tensor.Randn([n, c, h, h], generator: gen);
                var w = Tensor.Randn([k, c, ks, ks], generator: gen);
                var b = Tensor.Randn([k], generator: gen);
                var g = F.Conv2dShape("c", x, w, b, 1, pad, 1, 1);
                var y = Tensor.Empty([n, k, g.OH, g.OW]);
                var dy = Tensor.Randn([n, k, g.OH, g.OW], generator: gen);
                var dx = x.EmptyLike(); var dw = w.EmptyLike();
                foreach (bool direct in new[] { false, true })
                {
                    CpuBackend.DirectConvolution = direct;
                    var f = Time(() => x.Backend.Conv2d(x, w, b, y, g), reps);
                    var tdx = Time(() => x.Backend.Conv2dBackward(x, w, dy, dx, null, null, g), reps);
                    var tdw = Time(() => x.Backend.Conv2dBackward(x, w, dy, null, dw, null, g), reps);
                    if (print) TestContext.Out.WriteLine($"{name,-28} {(direct ? "direct" : "gemm  ")} fwd {Show(f)}  dx {Show(tdx)}  dw {Show(tdw)}  (ms cpu/wall)");
                }
                CpuBackend.DirectConvolution = true;
            }
            // Two passes, the first only to get every kernel past the JIT's first tier.
            for (int pass = 0; pass < 2; pass++, print = true)
            {
            Conv("conv1 1->6 5x5 32x32 b256", 256, 1, 6, 32, 5, 0, 10);
            Conv("conv2 6->16 5x5 14x14 b256", 256, 6, 16, 14, 5, 0, 10);
            Conv("conv3 16->120 5x5 5x5 b256", 256, 16, 120, 5, 5, 0, 5);
            Conv("vgg 64->128 3x3p1 16x16 b64", 64, 64, 128, 16, 3, 1, 3);
            Conv("vgg 3->64 3x3p1 32x32 b64", 64, 3, 64, 32, 3, 1, 3);
            }
        }
        finally { Pade.Engine.Cpu.CpuParallel.Threads = saved; }
    }

    /// <summary>The forward kernel of one shape in a loop, for a profiler (perf record with DOTNET_PerfMapEnabled=1).</summary>
    [TestCase(1, 6, 32, 5)]
    public void ForwardLoop(int c, int k, int h, int ks)
    {
        var gen = new Generator(1);
        var x = Tensor.Randn([256, c, h, h], generator: gen);
        var w = Tensor.Randn([k, c, ks, ks], generator: gen);
        var b = Tensor.Randn([k], generator: gen);
        var g = F.Conv2dShape("c", x, w, b, 1, 0, 1, 1);
        var y = Tensor.Empty([256, k, g.OH, g.OW]);
        int saved = Pade.Engine.Cpu.CpuParallel.Threads;
        Pade.Engine.Cpu.CpuParallel.Threads = 1;
        for (int i = 0; i < 100; i++) x.Backend.Conv2d(x, w, b, y, g);
        TestContext.Out.WriteLine($"bias {Show(Time(() => x.Backend.Conv2d(x, w, b, y, g), 20))}");
        var g0 = F.Conv2dShape("c", x, w, null, 1, 0, 1, 1);
        TestContext.Out.WriteLine($"no bias {Show(Time(() => x.Backend.Conv2d(x, w, null, y, g0), 20))}");
        var dy = Tensor.Randn([256, k, g.OH, g.OW], generator: gen); var dw = w.EmptyLike();
        TestContext.Out.WriteLine($"dw {Show(Time(() => x.Backend.Conv2dBackward(x, w, dy, null, dw, null, g), 20))}");
        Pade.Engine.Cpu.CpuParallel.Threads = saved;
    }
}
