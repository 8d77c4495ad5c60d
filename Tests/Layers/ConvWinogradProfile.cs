using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>Winograd against the other CPU paths on the VGG-8 (batch 64) and ResNet-101 (batch 8) 3x3 shapes:
/// forward and backward (dx and dw), the best of 15 calls each (robust on a shared machine), with the channel floor
/// lowered so that the Winograd column is always Winograd. Where it loses sets the dispatch rule in
/// CpuConvWinograd.cs. Run by hand: dotnet test -c Release --filter "FullyQualifiedName~ConvWinogradProfile".
/// One run of a per-pass version of this table once favoured Winograd for ResNet-101's 64→64 32² weight gradient,
/// which timed alone was 1.75x slower (bench/results/2026-12-06-conv-dispatch-ab.md): confirm a rule before setting it.</summary>
[Explicit("timing, run by hand")]
[NonParallelizable]
public class ConvWinogradProfile
{
    [Test]
    public void WinogradAgainstTheOtherPaths()
    {
        foreach (var (n, c, k, h) in new[] { (64, 64, 128, 16), (64, 128, 256, 8), (64, 256, 256, 8), (64, 256, 512, 4), (64, 512, 512, 4),
                     (64, 512, 512, 2), (8, 64, 64, 32), (8, 128, 128, 16), (8, 256, 256, 8), (8, 512, 512, 4) })
        {
            var x = Tensor.Randn([n, c, h, h]); var w = Tensor.Randn([k, c, 3, 3]);
            var g = F.Conv2dShape("c", x, w, null, 1, 1, 1, 1);
            string line = $"B{n} {c}→{k} {h}² tiles {n * ((g.OH + 1) / 2) * ((g.OW + 1) / 2)}:";
            bool savedWinograd = CpuBackend.WinogradConvolution;
            var savedFloor = CpuBackend.WinogradMinimum;
            double[,] us;
            try
            {
                CpuBackend.WinogradMinimum = ConvSwitches.AnyWinograd;
                us = ConvTiming.Best(x, w, g, [() => CpuBackend.WinogradConvolution = true, () => CpuBackend.WinogradConvolution = false], rounds: 15);
            }
            finally { CpuBackend.WinogradConvolution = savedWinograd; CpuBackend.WinogradMinimum = savedFloor; }
            // ms; the backward is the input and weight gradients together.
            var best = new double[2, 2];
            for (int v = 0; v < 2; v++) { best[v, 0] = us[v, 0] / 1000; best[v, 1] = (us[v, 1] + us[v, 2]) / 1000; }
            line += $"  winograd fwd {best[0, 0],7:F2} bwd {best[0, 1],7:F2} ms  other fwd {best[1, 0],7:F2} bwd {best[1, 1],7:F2} ms";
            TestContext.Out.WriteLine(line);
        }
    }

    /// <summary>The dense path (CpuConvDense.cs) against im2col + GEMM on VGG-8's 3x3 layer on 2x2 images, alternating.</summary>
    [Test]
    public void DenseAgainstIm2Col()
    {
        var x = Tensor.Randn([64, 512, 2, 2]); var w = Tensor.Randn([512, 512, 3, 3]);
        var g = F.Conv2dShape("c", x, w, null, 1, 1, 1, 1);
        bool saved = CpuBackend.DenseConvolution;
        double[,] best;
        try { best = ConvTiming.Best(x, w, g, [() => CpuBackend.DenseConvolution = true, () => CpuBackend.DenseConvolution = false], rounds: 15); }
        finally { CpuBackend.DenseConvolution = saved; }
        for (int v = 0; v < 2; v++) for (int p = 0; p < 3; p++) best[v, p] /= 1000;   // ms
        TestContext.Out.WriteLine($"B64 512→512 2²: dense fwd {best[0, 0]:F2} dx {best[0, 1]:F2} dw {best[0, 2]:F2} ms, " +
                                  $"im2col fwd {best[1, 0]:F2} dx {best[1, 1]:F2} dw {best[1, 2]:F2} ms");
    }
}
