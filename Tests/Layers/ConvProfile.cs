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
    private static double Time(Action a, int reps)
    {
        a();
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++) { var sw = Stopwatch.StartNew(); a(); best = Math.Min(best, sw.Elapsed.TotalMilliseconds); }
        return best;
    }

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
            void Conv(string name, int n, int c, int k, int h, int ks, int pad, int reps)
            {
                var x = Tensor.Randn([n, c, h, h], generator: gen);
                var w = Tensor.Randn([k, c, ks, ks], generator: gen);
                var b = Tensor.Randn([k], generator: gen);
                var g = F.Conv2dShape("c", x, w, b, 1, pad, 1, 1);
                var y = Tensor.Empty([n, k, g.OH, g.OW]);
                var dy = Tensor.Randn([n, k, g.OH, g.OW], generator: gen);
                var dx = x.EmptyLike(); var dw = w.EmptyLike();
                double f = Time(() => x.Backend.Conv2d(x, w, b, y, g), reps);
                double tdx = Time(() => x.Backend.Conv2dBackward(x, w, dy, dx, null, null, g), reps);
                double tdw = Time(() => x.Backend.Conv2dBackward(x, w, dy, null, dw, null, g), reps);
                double gf = 2.0 * g.MacCount / 1e6;
                TestContext.Out.WriteLine($"{name,-28} fwd {f,7:F2} ms ({gf / f,5:F0} GF/s)  dx {tdx,7:F2} ms  dw {tdw,7:F2} ms");
            }
            Conv("conv1 1->6 5x5 32x32 b256", 256, 1, 6, 32, 5, 0, 5);
            Conv("conv2 6->16 5x5 14x14 b256", 256, 6, 16, 14, 5, 0, 5);
            Conv("conv3 16->120 5x5 5x5 b256", 256, 16, 120, 5, 5, 0, 5);
            Conv("vgg 64->128 3x3p1 16x16 b64", 64, 64, 128, 16, 3, 1, 3);
            Conv("vgg 3->64 3x3p1 32x32 b64", 64, 3, 64, 32, 3, 1, 3);
        }
        finally { Pade.Engine.Cpu.CpuParallel.Threads = saved; }
    }
}
