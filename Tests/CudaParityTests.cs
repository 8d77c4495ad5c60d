using NUnit.Framework;
using Pade.Kernels.Parity;

namespace Pade.Tests;

/// <summary>
/// The kernel-level cases of <see cref="ParitySuite"/> (poisoned outputs at sizes past the grid's cap, forced GEMM
/// tiles, the PAU's CUDA API against its term-by-term reference); the ops themselves are tested on every device by
/// OpTests. `pade gpu check` runs both. Ignored, with the reason, where there is no GPU.
/// </summary>
public class CudaParityTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        ParitySuite.Cases.Select(c => new TestCaseData(c).SetName(c.Name).SetCategory("GPU"));

    [TestCaseSource(nameof(Cases))]
    public void GpuMatchesCpu(ParityCase parityCase)
    {
        var device = CudaTestEnvironment.RequireDevice();
        var result = parityCase.Run(device);
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void CaseNamesAreUniqueAndEachDeclaresItsKernels()
    {
        var names = ParitySuite.All.Select(c => c.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(ParitySuite.Cases.Where(c => c.Launches.Count == 0).Select(c => c.Name), Is.Empty);
    }
}
