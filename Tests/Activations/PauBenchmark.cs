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
    private static double Median(Action f, int reps)
    {
        f();
        var t = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            f();
            t.Add(sw.Elapsed.TotalMilliseconds);
        }
        t.Sort();
        return t[t.Count / 2];
    }

    [Test]
    public void FusedPauVersusRelu16M()
    {
        const int n = 16 << 20;
        var x = Tensor.Rand([n], -3, 3, generator: new Generator(1));
        var dy = Tensor.Rand([n], -1, 1, generator: new Generator(2));
        var pau = new Pade.Layers.Activations.Pau();
        var a = pau.Numerator; var b = pau.Denominator;
        x.RequiresGrad = true;

        double relu = Median(() => { x.Grad = null; F.Relu(x).Backward(dy); }, 7);
        double fused = Median(() => { x.Grad = null; a.Grad = null; b.Grad = null; F.Pau(x, a, b).Backward(dy); }, 7);
        double composed = Median(() => { x.Grad = null; a.Grad = null; b.Grad = null; F.PauComposed(x, a, b).Backward(dy); }, 2);

        // Kernels alone (no autograd, no allocation of the outputs).
        var xd = x.Detach(); var y = xd.EmptyLike(); var dx = xd.EmptyLike();
        var a2 = a.Detach().Reshape(1, 6); var b2 = b.Detach().Reshape(1, 4); var da = a2.EmptyLike(); var db = b2.EmptyLike();
        var layout = new ChannelLayout(1, 1, n);
        double kRelu = Median(() => { xd.Backend.Unary(UnaryOp.Relu, xd, y); xd.Backend.UnaryBackward(UnaryOp.Relu, xd, y, dy, dx); }, 7);
        double kPauF = Median(() => xd.Backend.PauForward(xd, a2, b2, y, PauVersion.A, layout, PauNoise.None), 7);
        double kPauB = Median(() => xd.Backend.PauBackward(xd, dy, a2, b2, dx, da, db, PauVersion.A, layout, PauNoise.None), 7);
        var noise = new PauNoise(0.1, 3, 0);
        double kRpau = Median(() =>
        {
            xd.Backend.PauForward(xd, a2, b2, y, PauVersion.A, layout, noise);
            xd.Backend.PauBackward(xd, dy, a2, b2, dx, da, db, PauVersion.A, layout, noise);
        }, 3);

        TestContext.Out.WriteLine($"threads {CpuBackend.Threads}, 16M float32, fwd+bwd through autograd (median):");
        TestContext.Out.WriteLine($"  ReLU            {relu,8:F1} ms");
        TestContext.Out.WriteLine($"  PAU fused       {fused,8:F1} ms   ratio to ReLU {fused / relu:F2}");
        TestContext.Out.WriteLine($"  PAU composed    {composed,8:F1} ms   fused is {composed / fused:F1}x faster");
        TestContext.Out.WriteLine($"kernels only: ReLU fwd+bwd {kRelu:F1} ms, PAU fwd {kPauF:F1} ms + bwd {kPauB:F1} ms = {kPauF + kPauB:F1} ms " +
                                  $"(ratio {(kPauF + kPauB) / kRelu:F2}); RPAU fwd+bwd {kRpau:F1} ms");
    }
}
