using System.Text.RegularExpressions;
using NUnit.Framework;
using Pade.Engine;
using Pade.Kernels;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;
using Pade.Kernels.Parity;

namespace Pade.Tests;

/// <summary>
/// The CUDA backend around its kernels: what can be checked without a GPU (op codes, entry points, launch plans,
/// the parity comparer), then tensors and autograd on a real GPU (ignored, with the reason, where there is none).
/// </summary>
public class CudaBackendTests
{
    // ---- no GPU needed ------------------------------------------------------------------------------------------

    [Test]
    public void KernelsKeepNothingInLocalMemory()
    {
        // Arrays indexed by a variable (a Dims8 in a loop that does not unroll, Philox words picked by index)
        // land in slow local memory; the kernels are written so that they do not.
        // libdevice's sin and cos reduce a huge argument (Payne-Hanek) through a small local array: random.cu
        // (Box-Muller's cos) and, in elementwise.cu, the unary_ entry points (torch's sin and cos; the float one has the
        // slow path inline) and the double slow path's own function may keep it; every other function is checked.
        CudaTestEnvironment.RequireNvrtc();
        string[] trigEntries = ["elementwise.cu:unary_f32", "elementwise.cu:unary_f64", "elementwise.cu:__internal_trig_reduction_slowpathd"];
        var offenders = new List<string>();
        foreach (var file in KernelSource.Names.Where(f => f != "random.cu"))
        {
            var ptx = CudaTestEnvironment.Ptx(file, "compute_80");
            // One piece per .entry or .func (the first piece is the module's header).
            foreach (var piece in Regex.Split(ptx, @"(?=^\s*(?:\.visible\s+|\.weak\s+)?\.(?:entry|func)\s)", RegexOptions.Multiline))
            {
                var name = Regex.Match(piece, @"^\s*(?:\.visible\s+|\.weak\s+)?\.(?:entry|func)\s+(?:\([^)]*\)\s*)?(\w+)").Groups[1].Value;
                int count = Regex.Matches(piece, @"\b(ld|st)\.local\b").Count;
                if (count > 0 && !trigEntries.Contains($"{file}:{name}")) offenders.Add($"{file}: {name}: {count} local loads/stores");
            }
        }
        Assert.That(offenders, Is.Empty);
    }

    [TestCase(1000L, 100L, 70L, ExpectedResult = 100L)]       // many outputs: the whole axis per thread
    [TestCase(1L, 1_000_000L, 3L, ExpectedResult = 46L)]      // three outputs: split the axis
    [TestCase(1L, 50L, 3L, ExpectedResult = 50L)]             // short axis: never split
    [TestCase(5L, 1_000_000L, 1L, ExpectedResult = CudaBackend.RowChunk)]
    public long ReduceChunksDependOnlyOnTheShape(long outer, long len, long inner) => CudaBackend.ChunkFor(outer, len, inner);

    [Test]
    public void PauUsesThePapersSpecialisationAndAGridFixedByTheShape()
    {
        Assert.That(PauKernels.For(CudaBackend.PauFormula.A, false, 6, 4, 0, DType.Float32).Name, Is.EqualTo("pau54_a_forward_f32"));
        Assert.That(PauKernels.For(CudaBackend.PauFormula.A, false, 6, 4, 0.1, DType.Float32).Name, Is.EqualTo("pau_a_forward_f32"));
        Assert.That(PauKernels.For(CudaBackend.PauFormula.C, true, 6, 4, 0, DType.Float64).Name, Is.EqualTo("pau_c_backward_f64"));
        Assert.That(PauKernels.For(CudaBackend.PauFormula.B, true, 4, 2, 0, DType.Float64).Name, Is.EqualTo("pau_b_backward_f64"));
        Assert.That(CudaBackend.PauPieces(1, 1), Is.EqualTo(1));
        Assert.That(CudaBackend.PauPieces(2049, 1), Is.EqualTo(2));
        Assert.That(CudaBackend.PauPieces(64L << 20, 1), Is.EqualTo(CudaBackend.PauMaxBlocks));
        Assert.That(CudaBackend.PauPieces(1L << 20, 64), Is.EqualTo(CudaBackend.PauMaxBlocks / 64));
    }

    [Test]
    public void ParityCheckReportsTheFirstMismatchesWithIndices()
    {
        var expected = Tensor.FromArray(new double[] { 1, 2, 3, double.NaN, 5, 6 }, 2, 3);
        var actual = Tensor.FromArray(new float[] { 1, 2.5f, 3, float.NaN, 5.000001f, 7 }, 2, 3);
        var result = new ParityCheck("K", "[2, 3]").Compare("y", expected, actual, 1e-5, 0).Result();
        Assert.That(result.Passed, Is.False);
        Assert.That(result.MaxAbsErr, Is.EqualTo(1).Within(1e-6));
        Assert.That(result.FirstMismatches, Has.Count.EqualTo(2));
        Assert.That(result.FirstMismatches[0], Does.StartWith("y[0, 1]: cpu 2, gpu 2.5"));
        Assert.That(result.FirstMismatches[1], Does.StartWith("y[1, 2]: cpu 6, gpu 7"));

        var ok = new ParityCheck("K", "[2, 3]").Compare("y", expected, expected, 0, 0).Result();
        Assert.That(ok.Passed, Is.True);
        var nanOnOneSide = new ParityCheck("K", "[1]").Compare("y", Tensor.FromArray(new[] { 1.0 }), Tensor.FromArray(new[] { double.NaN }), 1, 1).Result();
        Assert.That((nanOnOneSide.Passed, double.IsNaN(nanOnOneSide.MaxAbsErr)), Is.EqualTo((false, true)));
    }

    [TestCase('A')]
    [TestCase('B')]
    [TestCase('C')]
    public void PauReferenceMatchesFiniteDifferences(char formula)
    {
        // The parity reference itself: its closed-form gradients against central differences, two channels.
        double[] a = [0.1, -0.7, 0.3, 0.2, 0.5, 0.1, -0.2, 0.4], b = [0.5, -1.2, 0.3, 0.8, 0.9, -0.4];
        const int na = 4;
        var layout = new PauReference.Layout(2, 2, 3);                    // x [2, 2, 3]
        double[] xs = [-1.7, -0.3, 0.4, 2.2, 1.1, -0.9, 0.6, -2.4, 0.05, 1.3, -0.7, 0.9];
        var ones = Enumerable.Repeat(1.0, xs.Length).ToArray();
        var g = PauReference.Backward(formula, xs, ones, a, b, na, layout);
        const double h = 1e-6;
        double[] Y(double[] x, double[] aa, double[] bb) => PauReference.ForwardWithScale(formula, x, aa, bb, na, layout).Y;
        for (int i = 0; i < xs.Length; i++)
        {
            var up = (double[])xs.Clone(); up[i] += h;
            var down = (double[])xs.Clone(); down[i] -= h;
            Assert.That(g.Dx[i], Is.EqualTo((Y(up, a, b)[i] - Y(down, a, b)[i]) / (2 * h)).Within(1e-6), $"dx[{i}]");
        }
        double Loss(double[] aa, double[] bb) => Y(xs, aa, bb).Sum();
        for (int j = 0; j < a.Length; j++)
        {
            var ap = (double[])a.Clone(); ap[j] += h;
            var am = (double[])a.Clone(); am[j] -= h;
            Assert.That(g.Da[j], Is.EqualTo((Loss(ap, b) - Loss(am, b)) / (2 * h)).Within(1e-6), $"da[{j}]");
        }
        for (int k = 0; k < b.Length; k++)
        {
            var bp = (double[])b.Clone(); bp[k] += h;
            var bm = (double[])b.Clone(); bm[k] -= h;
            Assert.That(g.Db[k], Is.EqualTo((Loss(a, bp) - Loss(a, bm)) / (2 * h)).Within(1e-6), $"db[{k}]");
        }
    }

    [Test]
    public void RegisterDoesNotThrowAndAMissingGpuIsExplainedOnFirstUse()
    {
        CudaBackend.Register();
        if (CudaDevice.TryOpen(out var device, out var why))
        {
            device!.Dispose();
            Assert.Pass("a GPU is present: nothing to explain");
        }
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([3], DType.Float32, Device.Cuda))!;
        Assert.That(e.Message, Does.Contain("cuda:0").And.Contain(why.Split('\n')[0]));
    }

    // ---- on a GPU -----------------------------------------------------------------------------------------------

    private static CudaBackend Gpu() => CudaBackend.Use(CudaTestEnvironment.RequireDevice());

    [Test]
    public void TensorsMoveBetweenDevicesAndKeepTheirValues()
    {
        Gpu();
        var x = Tensor.Arange(0, 24, 1, DType.Float64).Reshape(2, 3, 4);
        var g = x.To(Device.Cuda);
        Assert.That(g.Device, Is.EqualTo(Device.Cuda));
        Assert.That(g.Storage, Is.InstanceOf<CudaStorage>());
        Assert.That(g.Cpu().ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(g.Transpose(0, 2).ToArray<double>(), Is.EqualTo(x.Transpose(0, 2).ToArray<double>())); // strided ToHost
        Assert.That(g.To(DType.Int32).ToArray<int>(), Is.EqualTo(x.To(DType.Int32).ToArray<int>()));
    }

    [Test]
    public void MixingDevicesIsAnErrorNamingBoth()
    {
        var gpu = Gpu();
        var c = Tensor.Ones([4], DType.Float32);
        var g = Tensor.Ones([4], DType.Float32, Device.Cuda);
        var e = Assert.Throws<ArgumentException>(() => _ = c + g)!;
        Assert.That(e.Message, Does.Contain("cpu").And.Contain("cuda:0"));
        var k = Assert.Throws<ArgumentException>(() => gpu.Binary(BinaryOp.Add, c, g, g))!;
        Assert.That(k.Message, Does.Contain("cpu").And.Contain("cuda:0"));
    }

    [Test]
    public void RandomTensorsAreTheCpusNumbers()
    {
        Gpu();
        foreach (var dtype in (DType[])[DType.Float32, DType.Float64])
        {
            var cpu = Tensor.Rand([1001], -1, 1, dtype, Device.Cpu, new Generator(42));
            var gpu = Tensor.Rand([1001], -1, 1, dtype, Device.Cuda, new Generator(42));
            Assert.That(gpu.Cpu().ToArray<double>(), Is.EqualTo(cpu.ToArray<double>()), dtype.ToString());
        }
    }

    [Test]
    public void TrainingStepGradientsMatchTheCpu()
    {
        Gpu();
        // A two-layer classifier through the Engine's ops: matmul, broadcast add, leaky ReLU (maximum), cross-entropy.
        var gen = new Generator(7);
        var x = Tensor.Randn([64, 20], 0, 1, DType.Float64, Device.Cpu, gen);
        var w1 = Tensor.Randn([20, 33], 0, 0.3, DType.Float64, Device.Cpu, gen);
        var b1 = Tensor.Randn([33], 0, 0.1, DType.Float64, Device.Cpu, gen);
        var w2 = Tensor.Randn([33, 10], 0, 0.3, DType.Float64, Device.Cpu, gen);
        var t = Tensor.FromArray(Enumerable.Range(0, 64).Select(i => i * 7 % 10).ToArray());

        (double Loss, double[][] Grads) Step(Device device)
        {
            var ps = new[] { w1, b1, w2 }.Select(p => { var q = p.To(device).Detach(); q.RequiresGrad = true; return q; }).ToArray();
            var z = Tensor.MatMul(x.To(device), ps[0]) + ps[1];
            var h = Tensor.Maximum(z, z * 0.1);
            var loss = Tensor.CrossEntropy(Tensor.MatMul(h, ps[2]), t.To(device), labelSmoothing: 0.1);
            loss.Backward();
            return (loss.Item(), ps.Select(p => p.Grad!.Cpu().ToArray<double>()).ToArray());
        }

        var (cpuLoss, cpuGrads) = Step(Device.Cpu);
        var (gpuLoss, gpuGrads) = Step(Device.Cuda);
        Assert.That(gpuLoss, Is.EqualTo(cpuLoss).Within(1e-12));
        for (int i = 0; i < cpuGrads.Length; i++)
            Assert.That(gpuGrads[i], Is.EqualTo(cpuGrads[i]).Within(1e-12), $"gradient {i}");
    }

    [Test]
    public void DisposedTensorsReturnTheirBlocksToTheCache()
    {
        var gpu = Gpu();
        var before = gpu.CudaDevice.Allocator.Stats();
        var t = Tensor.Zeros([12345], DType.Float32, Device.Cuda);
        t.Dispose();
        var u = Tensor.Zeros([12345], DType.Float32, Device.Cuda);
        Assert.That(gpu.CudaDevice.Allocator.Stats().Hits, Is.GreaterThan(before.Hits));
        Assert.That(u.ToArray<float>(), Is.All.EqualTo(0f));
        u.Dispose();
    }
}

/// <summary>`pade gpu check` and `pade bench gpu` where there is no GPU: a clear message and exit code 4.</summary>
public class CudaGpuCommandTests
{
    [Test]
    public void WithoutADriverTheCommandsSaySoAndReturnNoGpu()
    {
        // This process has a driver (a GPU's or the emulated one), so the commands run in a child process whose
        // driver is a file that does not exist; that is "no driver" wherever NVIDIA's libcuda.so.1 is absent.
        if (System.Runtime.InteropServices.NativeLibrary.TryLoad("libcuda.so.1", out _))
            Assert.Ignore("NVIDIA's driver is installed here: the no-driver path cannot be exercised");
        var md = Path.Combine(Path.GetTempPath(), $"pade-no-driver-{Guid.NewGuid():N}.md");
        foreach (var (args, prefix) in new[] { ($"gpu check --out {md}", "pade gpu check: no CUDA driver"),
                                               ($"bench gpu --out {md}", "pade bench gpu: no CUDA driver") })
        {
            var (code, output) = Pade.Tests.Cli.PadeProcess.Run(args.Split(' '), ("PADE_CUDA_DRIVER", "/nonexistent/libcuda-for-this-test.so"));
            Assert.That(code, Is.EqualTo(Pade.Training.Gpu.GpuCheck.NoGpu), output);
            Assert.That(output, Does.StartWith(prefix).And.Contain("libcuda.so.1"));
        }
    }
}
