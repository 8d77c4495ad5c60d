using NUnit.Framework;
using Pade.Engine;
using Pade.Kernels;
using Pade.Layers;
using Pade.Tests.Layers;

namespace Pade.Tests.Cuda;

/// <summary>
/// The recurrent layers have no kernel of their own: they are compositions of ops the CUDA backend has. This runs
/// LSTM, GRU and a relu RNN (two layers, bidirectional, batch_first, given states) forward and backward on cuda (the
/// emulated driver where there is no GPU) against the same module on the CPU, output, states and every gradient.
/// </summary>
[Category("GPU")]
public class CudaRecurrentTests
{
    private static IEnumerable<TestCaseData> Cases() => new[] { "LSTM", "GRU", "RNN_RELU" }.Select(m => new TestCaseData(m).SetName($"Recurrent({m})"));

    [TestCaseSource(nameof(Cases))]
    public void RunsOnCudaAsOnTheCpu(string mode)
    {
        CudaBackend.Use(CudaTestEnvironment.RequireDevice());
        var c = new RecurrentCase(mode, 3, 4, 2, true, true, true, 0, 5, 3, true, 11);
        var (cpuOut, cpuGrads) = Run(c, Device.Cpu);
        var (gpuOut, gpuGrads) = Run(c, Device.Cuda);
        Assert.That(gpuOut, Is.EqualTo(cpuOut).Within(1e-5), $"{mode} forward");
        foreach (var (name, g) in cpuGrads)
            Assert.That(gpuGrads[name], Is.EqualTo(g).Within(1e-5), $"{mode} d{name}");
    }

    private static (float[] Out, Dictionary<string, float[]> Grads) Run(RecurrentCase c, Device device)
    {
        var m = c.Build();
        m.To(device, DType.Float32);
        var (x64, h64, c64) = c.Inputs();
        Tensor Leaf(Tensor t) { var l = t.To(DType.Float32).To(device).Detach(); l.RequiresGrad = true; return l; }
        var x = Leaf(x64);
        var h0 = Leaf(h64!);
        var c0 = c64 == null ? null : Leaf(c64);
        var y = c.Run(m, x, h0, c0);
        var u = Tensor.Rand(y.ShapeCopy(), -1, 1, DType.Float32, null, new Generator(3)).To(device);
        (y * u).Sum().Backward();
        var grads = m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad!.Cpu().ToArray<float>());
        grads["input"] = x.Grad!.Cpu().ToArray<float>();
        grads["h_0"] = h0.Grad!.Cpu().ToArray<float>();
        if (c0 != null) grads["c_0"] = c0.Grad!.Cpu().ToArray<float>();
        return (y.Cpu().ToArray<float>(), grads);
    }
}
