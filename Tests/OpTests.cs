using NUnit.Framework;
using Pade.Engine;
using Pade.Kernels;
using Pade.Kernels.Catalog;
using Pade.Kernels.OpCases;
using Pade.Kernels.Parity;

namespace Pade.Tests;

/// <summary>
/// Every case of <see cref="OpSuite"/> (values and gradients through the public API against the CPU in float64) on
/// <c>cpu</c>, and on <c>cuda</c> wherever a driver loads (ignored with the reason elsewhere). `pade gpu check` runs
/// the same cases on real hardware.
/// </summary>
public class OpTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var device in (string[])["cpu", "cuda"])
            foreach (var c in OpSuite.Cases)
                foreach (var dtype in c.DTypesOn(device == "cpu" ? Device.Cpu : Device.Cuda))
                {
                    var data = new TestCaseData(device, c, dtype).SetName($"Op({device}, {c.NameFor(dtype)})");
                    yield return device == "cuda" ? data.SetCategory("GPU") : data;
                }
    }

    [TestCaseSource(nameof(Cases))]
    public void Op(string device, OpCase c, DType dtype)
    {
        var target = Device.Cpu;
        if (device == "cuda")
        {
            CudaBackend.Use(CudaTestEnvironment.RequireDevice());
            target = Device.Cuda;
        }
        var result = OpCheck.Run(c, target, dtype);
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    // ---- the suite itself (no GPU needed) -----------------------------------------------------------------------

    [Test]
    public void EveryKernelOfTheCatalogueIsDeclaredByACase()
    {
        // Declarations are checked against what runs on CUDA (a case fails when a kernel it declares was not
        // launched), so covering the list here means every entry point runs on a GPU.
        var declared = OpSuite.Cases
            .SelectMany(c => c.DTypes.SelectMany(c.KernelsFor))
            .Concat(ParitySuite.Cases.SelectMany(p => p.Launches))
            .ToHashSet();
        var all = KernelCatalog.All.Select(k => (k.File, Kernel: k.Name)).ToHashSet();
        var unknown = declared.Where(k => !LaunchCheck.IsPattern(k.Kernel) && !all.Contains(k)).Select(k => $"{k.File}:{k.Kernel}");
        Assert.That(unknown, Is.Empty, "declared kernels the catalogue does not have (misspelt?)");
        var uncovered = all.Where(k => !declared.Contains(k)).Select(k => $"{k.File}:{k.Kernel}").OrderBy(s => s);
        Assert.That(uncovered, Is.Empty, "kernels no op case or kernel-level parity case declares");
    }

    [Test]
    public void EveryEntryPointInCudaIsLaunchedByACase()
    {
        // Straight from NVRTC's PTX of every cuda/*.cu, not through the catalogue: each extern "C" __global__ entry
        // must be declared, by name, by an op case or a kernel-level parity case, and on CUDA a case fails when a
        // kernel it declares was not launched. Together: a full CUDA run launches every entry point.
        CudaTestEnvironment.RequireNvrtc();
        var declared = OpSuite.Cases
            .SelectMany(c => c.DTypes.SelectMany(c.KernelsFor))
            .Concat(ParitySuite.Cases.SelectMany(p => p.Launches))
            .Where(k => !LaunchCheck.IsPattern(k.Kernel))
            .ToHashSet();
        var entries = KernelSource.Names
            .SelectMany(f => KernelCatalogTests.Entries(CudaTestEnvironment.Ptx(f, "compute_80")).Keys.Select(e => (File: f, Kernel: e)))
            .ToList();
        Assert.That(entries, Has.Count.GreaterThanOrEqualTo(136));
        Assert.That(entries.Where(e => !declared.Contains(e)).Select(e => $"{e.File}: {e.Kernel}"), Is.Empty,
            "entry points that no case launches");
    }

    [Test]
    public void EveryOpCodeHasACase()
    {
        var names = OpSuite.Cases.Select(c => c.Family).ToHashSet();
        foreach (var op in Enum.GetValues<UnaryOp>())
            Assert.That(names.Any(n => n.StartsWith($"unary {op}", StringComparison.Ordinal)), $"unary {op}");
        foreach (var op in Enum.GetValues<BinaryOp>()) Assert.That(names, Does.Contain($"binary {op}"));
        foreach (var d in Enum.GetValues<Distribution>()) Assert.That(names, Does.Contain($"random {d}"));
    }

    [Test]
    public void AMismatchNamesTheCaseTheOutputTheIndexAndBothValues()
    {
        // A reference that differs from the op in one element, as a wrong kernel would.
        var wrong = new OpCase("planted", "[3, 4]", [new OpInput("x", [3, 4])], (e, x) =>
        {
            var y = x[0].Exp();
            if (!e.IsReference) return [y];
            var bump = new double[12];
            bump[6] = 0.5;
            return [y + Tensor.FromSpan<double>(bump, [3, 4])];
        }) { Reference = ReferenceKind.Custom, Backward = false };
        var result = OpCheck.Run(wrong, Device.Cpu, DType.Float32);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.FirstMismatches, Has.Count.EqualTo(1));
        Assert.That(result.FirstMismatches[0], Does.StartWith("y[1, 2]: cpu f64 ").And.Contain(", cpu f32 "));
        Assert.That(result.Kernel, Is.EqualTo("planted f32 [3, 4]"));
    }

    [Test]
    public void AWrongGradientIsReported()
    {
        // Forward right, backward scaled: what a sign or factor bug in a backward kernel looks like.
        var wrong = new OpCase("planted", "[5]", [new OpInput("x", [5])], (e, x) =>
            [e.IsReference ? x[0] * 2.0 : x[0] * 2.0 + (x[0] * 0.5 - x[0].Detach() * 0.5)])
            { Reference = ReferenceKind.Custom };
        var result = OpCheck.Run(wrong, Device.Cpu, DType.Float32);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.FirstMismatches[0], Does.StartWith("dx[0]"));
    }
}
