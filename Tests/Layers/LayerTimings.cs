using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>Rough forward/backward timings of the models on this machine's CPU (explicit: not part of the suite).</summary>
[Explicit("timing, run by hand")]
public class LayerTimings
{
    [TestCase("LeNet", 1, 256)]
    [TestCase("VGG8", 1, 64)]
    [TestCase("VGG8Cifar", 3, 128)]
    [TestCase("MobileNetV2", 3, 32)]
    [TestCase("ResNet101", 3, 16)]
    [TestCase("DenseNet121", 3, 16)]
    public void ForwardBackward(string name, int channels, int batch)
    {
        var m = ModelTests.Build(name, g: new Generator(1));
        var x = Tensor.Randn([batch, channels, 32, 32], generator: new Generator(2));
        var target = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % 10).ToArray(), batch);
        double fwd = double.MaxValue, bwd = double.MaxValue;
        for (int rep = 0; rep < 4; rep++)
        {
            m.ZeroGrad();
            var sw = Stopwatch.StartNew();
            var loss = Tensor.CrossEntropy(m.Call(x), target);
            double f = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            loss.Backward();
            double b = sw.Elapsed.TotalMilliseconds;
            if (rep > 0) { fwd = Math.Min(fwd, f); bwd = Math.Min(bwd, b); }
        }
        TestContext.Out.WriteLine($"{name} batch {batch}: forward {fwd:F1} ms, backward {bwd:F1} ms (best of 3 after a warm-up)");
    }
}
