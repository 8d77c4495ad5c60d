using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>The depthwise gather kernels against the row loops on MobileNetV2's depthwise layers, the pointwise
/// path against the direct kernels and im2col + GEMM on the 1x1 layers of ResNet-101, MobileNetV2 and DenseNet-121,
/// and the three paths of DenseNet-121's 3x3 layer (batch 8, float32): the best of 20 calls per pass, the variants alternating call by call so that a slow spell of the
/// shared machine hits all of them. These set the dispatch rules of CpuConvDepthwise.cs and CpuConv.cs. Run by hand:
/// dotnet test -c Release --filter "FullyQualifiedName~ConvKernelProfile".</summary>
[Explicit("timing, run by hand")]
[NonParallelizable]
public class ConvKernelProfile
{
    [Test]
    public void DepthwiseGatherAgainstRows()
    {
        TestContext.Out.WriteLine("| layer (batch 8) | gather fwd / dx / dw µs | rows fwd / dx / dw µs | rows ÷ gather | default |");
        TestContext.Out.WriteLine("|---|---|---|---|---|");
        foreach (var (c, h, s) in new[] { (144, 32, 1), (96, 32, 2), (144, 32, 2), (192, 16, 1), (384, 8, 1), (576, 8, 1), (960, 4, 1), (576, 8, 2) })
        {
            var x = Tensor.Randn([8, c, h, h]); var w = Tensor.Randn([c, 1, 3, 3]);
            var g = F.Conv2dShape("c", x, w, null, s, 1, 1, c);
            var best = Time(x, w, g, [() => CpuBackend.DepthwiseGatherAlways = true, () => CpuBackend.DepthwiseGatherAlways = false]);
            CpuBackend.DepthwiseGatherAlways = null;
            TestContext.Out.WriteLine($"| {c} {h}² stride {s} | {Row(best, 0)} | {Row(best, 1)} | {Ratios(best, 1, 0)} | " +
                $"{(CpuBackend.DepthwiseGathers(g) ? "gather" : "rows")} |");
        }
    }

    [Test]
    public void PointwiseAgainstDirectAndIm2Col()
    {
        TestContext.Out.WriteLine("| layer (batch 8) | pointwise fwd / dx / dw GFLOP/s | direct kernels | im2col + GEMM | pointwise ÷ best other (time) |");
        TestContext.Out.WriteLine("|---|---|---|---|---|");
        foreach (var (c, k, h) in new[] { (64, 256, 32), (512, 128, 16), (1024, 256, 8), (256, 1024, 8), (512, 2048, 4), (16, 96, 32),
                     (144, 24, 16), (192, 32, 8), (384, 64, 4), (256, 128, 16), (512, 128, 8) })
        {
            var x = Tensor.Randn([8, c, h, h]); var w = Tensor.Randn([k, c, 1, 1]);
            var g = F.Conv2dShape("c", x, w, null, 1, 0, 1, 1);
            var best = Time(x, w, g, [
                () => { CpuBackend.PointwiseConvolution = true; CpuBackend.DirectConvolution = true; },
                () => { CpuBackend.PointwiseConvolution = false; CpuBackend.DirectConvolution = true; },
                () => { CpuBackend.PointwiseConvolution = false; CpuBackend.DirectConvolution = false; }]);
            CpuBackend.PointwiseConvolution = true; CpuBackend.DirectConvolution = true;
            double flops = 2.0 * g.MacCount / 1e3;   // per µs → GFLOP/s
            string Rate(int v) => $"{flops / best[v, 0]:F0} / {flops / best[v, 1]:F0} / {flops / best[v, 2]:F0}";
            var other = new double[3];
            for (int p = 0; p < 3; p++) other[p] = Math.Min(best[1, p], best[2, p]) / best[0, p];
            TestContext.Out.WriteLine($"| {c}→{k} {h}² | {Rate(0)} | {Rate(1)} | {Rate(2)} | {other[0]:F2}x / {other[1]:F2}x / {other[2]:F2}x faster |");
        }
    }

    /// <summary>DenseNet-121's 3x3 128→32 layer on each of its image sizes: the direct kernels, Winograd, im2col + GEMM
    /// (ConvPaths sends narrow rows to Winograd, and never rows narrower than 8 over many channels to the direct kernels).</summary>
    [Test]
    public void DenseNetThreeByThreePaths()
    {
        TestContext.Out.WriteLine("| layer (batch 8) | direct fwd / dx / dw GFLOP/s | Winograd | im2col + GEMM | default paths |");
        TestContext.Out.WriteLine("|---|---|---|---|---|");
        foreach (int h in new[] { 32, 16, 8, 4 })
        {
            var x = Tensor.Randn([8, 128, h, h]); var w = Tensor.Randn([32, 128, 3, 3]);
            var g = F.Conv2dShape("c", x, w, null, 1, 1, 1, 1);
            var floor = CpuBackend.WinogradMinimum;
            var best = Time(x, w, g, [
                () => ForcePaths(direct: true, winograd: false, floor),
                () => ForcePaths(direct: false, winograd: true, new CpuBackend.WinogradFloor(1, 1)),
                () => ForcePaths(direct: false, winograd: false, floor)]);
            CpuBackend.WinogradMinimum = floor; CpuBackend.WinogradConvolution = true;
            double flops = 2.0 * g.MacCount / 1e3;
            string Rate(int v) => $"{flops / best[v, 0]:F0} / {flops / best[v, 1]:F0} / {flops / best[v, 2]:F0}";
            TestContext.Out.WriteLine($"| 128→32 {h}² | {Rate(0)} | {Rate(1)} | {Rate(2)} | {CpuBackend.ConvPaths(g, true, true, floor)} |");
        }
    }

    private static void ForcePaths(bool direct, bool winograd, CpuBackend.WinogradFloor floor)
    {
        CpuBackend.DirectConvolution = direct;
        CpuBackend.WinogradConvolution = winograd;
        CpuBackend.WinogradMinimum = floor;
    }

    private static string Row(double[,] best, int v) => $"{best[v, 0]:F0} / {best[v, 1]:F0} / {best[v, 2]:F0}";

    private static string Ratios(double[,] best, int a, int b) =>
        $"{best[a, 0] / best[b, 0]:F2} / {best[a, 1] / best[b, 1]:F2} / {best[a, 2] / best[b, 2]:F2}";

    /// <summary><see cref="ConvTiming.Best"/>, every switch it may touch restored to its default afterwards.</summary>
    private static double[,] Time(Tensor x, Tensor w, Conv2dGeometry g, Action[] variants)
    {
        try { return ConvTiming.Best(x, w, g, variants, rounds: 20); }
        finally
        {
            CpuBackend.DepthwiseGatherAlways = null; CpuBackend.PointwiseConvolution = true; CpuBackend.DirectConvolution = true;
            CpuBackend.WinogradConvolution = true;
        }
    }
}

/// <summary>The timing loop of the explicit conv profiles.</summary>
internal static class ConvTiming
{
    /// <summary>Best µs of forward, input gradient and weight gradient for each variant (set up by its action), the
    /// variants alternating call by call so that a slow spell of the shared machine hits all of them.</summary>
    public static double[,] Best(Tensor x, Tensor w, Conv2dGeometry g, Action[] variants, int rounds)
    {
        var y = Tensor.Empty([g.N, g.K, g.OH, g.OW]);
        var dy = Tensor.Randn([g.N, g.K, g.OH, g.OW]); var dx = x.EmptyLike(); var dw = w.EmptyLike();
        var best = new double[variants.Length, 3];
        for (int a = 0; a < variants.Length; a++) for (int p = 0; p < 3; p++) best[a, p] = double.MaxValue;
        for (int i = 0; i < rounds; i++)
            for (int v = 0; v < variants.Length; v++)
            {
                variants[v]();
                var sw = Stopwatch.StartNew();
                x.Backend.Conv2d(x, w, null, y, g);
                best[v, 0] = Math.Min(best[v, 0], sw.Elapsed.TotalMicroseconds);
                sw.Restart();
                x.Backend.Conv2dBackward(x, w, dy, dx, null, null, g);
                best[v, 1] = Math.Min(best[v, 1], sw.Elapsed.TotalMicroseconds);
                sw.Restart();
                x.Backend.Conv2dBackward(x, w, dy, null, dw, null, g);
                best[v, 2] = Math.Min(best[v, 2], sw.Elapsed.TotalMicroseconds);
            }
        return best;
    }
}
