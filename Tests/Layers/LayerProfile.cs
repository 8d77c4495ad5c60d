using Pade.Engine.Functional;
using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Layers;

[Explicit("timing, run by hand")]
public class LayerProfile
{
    private static double Time(Action a)
    {
        a();
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++) { var sw = Stopwatch.StartNew(); a(); best = Math.Min(best, sw.Elapsed.TotalMilliseconds); }
        return best;
    }

    [TestCase(1)]
    [TestCase(2)]
    public void LeNetOps(int threads)
    {
        Pade.Engine.Cpu.CpuParallel.Threads = threads;
        TestContext.Out.WriteLine($"threads {threads}");
        int n = 256;
        var g = new Generator(1);
        void Conv(string name, int c, int k, int h, int ks)
        {
            var x = Tensor.Randn([n, c, h, h], generator: g); x.RequiresGrad = true;
            var w = Tensor.Randn([k, c, ks, ks], generator: g); w.RequiresGrad = true;
            var b = Tensor.Randn([k], generator: g); b.RequiresGrad = true;
            Tensor? y = null;
            double f = Time(() => { using (Tensor.NoGrad()) y = F.Conv2d(x, w, b); });
            var up = Tensor.Randn(F.Conv2d(x, w, b).ShapeCopy(), generator: g);
            double bw = Time(() => { x.Grad = null; w.Grad = null; b.Grad = null; F.Conv2d(x, w, b).Backward(up); });
            TestContext.Out.WriteLine($"{name}: forward {f:F2} ms, forward+backward {bw:F2} ms");
            var up2 = up;
            double dxOnly = Time(() => { using (Tensor.NoGrad()) x.Backend.Conv2dBackward(x, w, up2, x.EmptyLike(), null, null, F.Conv2dShape("c", x, w, b, 1, 0, 1, 1)); });
            double dwOnly = Time(() => { using (Tensor.NoGrad()) x.Backend.Conv2dBackward(x, w, up2, null, w.EmptyLike(), null, F.Conv2dShape("c", x, w, b, 1, 0, 1, 1)); });
            double dbOnly = Time(() => { using (Tensor.NoGrad()) x.Backend.Conv2dBackward(x, w, up2, null, null, b.EmptyLike(), F.Conv2dShape("c", x, w, b, 1, 0, 1, 1)); });
            TestContext.Out.WriteLine($"   dx {dxOnly:F2} ms, dw {dwOnly:F2} ms, db {dbOnly:F2} ms");
        }
        Conv("conv1 1->6 32x32 k5", 1, 6, 32, 5);
        Conv("conv2 6->16 14x14 k5", 6, 16, 14, 5);
        Conv("conv3 16->120 5x5 k5", 16, 120, 5, 5);
        var p = Tensor.Randn([n, 6, 28, 28], generator: g);
        TestContext.Out.WriteLine($"maxpool 6x28x28: {Time(() => F.MaxPool2d(p, 2)):F2} ms");
        var pg = F.Pool2dShape("p", p, 2, 2, 0);
        var py = Tensor.Empty([n, 6, 14, 14]); var pi = Tensor.Empty([n, 6, 14, 14], DType.Int32);
        TestContext.Out.WriteLine($"maxpool kernel only: {Time(() => p.Backend.MaxPool2d(p, py, pi, pg)):F2} ms");
        TestContext.Out.WriteLine($"empty 1.2M + fill: {Time(() => Tensor.Empty([n, 6, 28, 28]).Fill_(1)):F2} ms");
        var px = Tensor.Randn([n, 1, 32, 32], generator: g); var pw = Tensor.Randn([6, 1, 5, 5], generator: g);
        var cg = F.Conv2dShape("c", px, pw, null, 1, 0, 1, 1);
        var cy = Tensor.Empty([n, 6, 28, 28]);
        TestContext.Out.WriteLine($"conv1 kernel only: {Time(() => px.Backend.Conv2d(px, pw, null, cy, cg)):F2} ms");
        TestContext.Out.WriteLine($"relu 6x28x28: {Time(() => p.Clamp(0, double.PositiveInfinity)):F2} ms");
        int m = 256, kk = 25, nn = 784;
        var A = new float[6 * kk]; var B = new float[kk * nn]; var C = new float[6 * nn];
        TestContext.Out.WriteLine($"gemm 6x784x25 x256: {Time(() => { for (int i = 0; i < m; i++) Pade.Engine.Cpu.Gemm.Multiply<float>(false, false, 6, nn, kk, A, B, C, 0f); }):F2} ms");
    }
}
