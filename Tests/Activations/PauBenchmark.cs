using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Activations;

/// <summary>
/// Rough timing of the fused PAU against ReLU and against the composed PAU, forward + backward through autograd on
/// 16M float32 elements (the target: fused PAU ≤ 2× ReLU). Explicit: run it by name, on a quiet machine:
/// dotnet test Tests/Tests.csproj -c Release --filter FullyQualifiedName~PauBenchmark
/// </summary>
[Explicit("timing, not a test: run by name")]
public class PauBenchmark
{
    /// <summary>Times the actions interleaved (a, b, a, b, ...) so that load from other processes hits both alike, and
    /// returns each one's minimum and median in ms: on a shared machine the minimum is the closest to the true cost.</summary>
    private static (double Min, double Median)[] Interleaved(int reps, params Action[] actions)
    {
        foreach (var f in actions) f();
        var t = actions.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < reps; r++)
            for (int i = 0; i < actions.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                actions[i]();
                t[i].Add(sw.Elapsed.TotalMilliseconds);
            }
        return t.Select(l => { l.Sort(); return (l[0], l[l.Count / 2]); }).ToArray();
    }

    private static string F2((double Min, double Median) t) => $"min {t.Min,7:F1} ms, median {t.Median,7:F1} ms";

    [Test]
    public void FusedPauVersusRelu16M()
    {
        const int n = 16 << 20;
        var x = Tensor.Rand([n], -3, 3, generator: new Generator(1));
        var dy = Tensor.Rand([n], -1, 1, generator: new Generator(2));
        var pau = new Pade.Layers.Activations.Pau();
        var a = pau.Numerator; var b = pau.Denominator;
        x.RequiresGrad = true;

        var autograd = Interleaved(15,
            () => { x.Grad = null; F.Relu(x).Backward(dy); },
            () => { x.Grad = null; a.Grad = null; b.Grad = null; F.Pau(x, a, b).Backward(dy); });
        var composed = Interleaved(2, () => { x.Grad = null; a.Grad = null; b.Grad = null; F.PauComposed(x, a, b).Backward(dy); })[0];

        // Kernels alone (no autograd, no allocation of the outputs).
        var xd = x.Detach(); var y = xd.EmptyLike(); var dx = xd.EmptyLike();
        var a2 = a.Detach().Reshape(1, 6); var b2 = b.Detach().Reshape(1, 4); var da = a2.EmptyLike(); var db = b2.EmptyLike();
        var layout = new ChannelLayout(1, 1, n);
        var noise = new PauNoise(0.1, 3, 0);
        var kernels = Interleaved(15,
            () => { xd.Backend.Unary(UnaryOp.Relu, xd, y); xd.Backend.UnaryBackward(UnaryOp.Relu, xd, y, dy, dx); },
            () => xd.Backend.PauForward(xd, a2, b2, y, PauVersion.A, layout, PauNoise.None),
            () => xd.Backend.PauBackward(xd, dy, a2, b2, dx, da, db, PauVersion.A, layout, PauNoise.None));
        var rpau = Interleaved(2, () =>
        {
            xd.Backend.PauForward(xd, a2, b2, y, PauVersion.A, layout, noise);
            xd.Backend.PauBackward(xd, dy, a2, b2, dx, da, db, PauVersion.A, layout, noise);
        })[0];

        TestContext.Out.WriteLine($"threads {CpuBackend.Threads}, 16M float32, forward + backward through autograd:");
        TestContext.Out.WriteLine($"  ReLU          {F2(autograd[0])}");
        TestContext.Out.WriteLine($"  PAU fused     {F2(autograd[1])}   PAU/ReLU: {autograd[1].Min / autograd[0].Min:F2} (min), {autograd[1].Median / autograd[0].Median:F2} (median)");
        TestContext.Out.WriteLine($"  PAU composed  {F2(composed)}   composed/fused: {composed.Min / autograd[1].Min:F0}x");
        TestContext.Out.WriteLine($"kernels only: ReLU fwd+bwd {F2(kernels[0])}; PAU fwd {F2(kernels[1])}, bwd {F2(kernels[2])}; " +
                                  $"PAU/ReLU {(kernels[1].Min + kernels[2].Min) / kernels[0].Min:F2} (min)");
        TestContext.Out.WriteLine($"RPAU (noise on) kernels fwd+bwd {F2(rpau)}");
    }
}
