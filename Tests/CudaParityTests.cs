using NUnit.Framework;
using Pade.Kernels.Parity;

namespace Pade.Tests;

/// <summary>
/// Every case of <see cref="ParitySuite"/> (the same list `pade gpu check` runs): a CUDA kernel against the CPU
/// backend on random inputs. Ignored, with the reason, where there is no GPU.
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
    public void CaseNamesAreUniqueAndCoverEveryCoreKernel()
    {
        var names = ParitySuite.Cases.Select(c => c.Name).ToList();
        Assert.That(names, Is.Unique);
        var kernels = ParitySuite.Cases.Select(c => c.Kernel).ToHashSet();
        Assert.That(kernels, Is.SupersetOf(new[]
        {
            "Fill", "Copy", "Unary", "UnaryBackward", "Binary", "Where", "Reduce", "ArgMax", "MatMul", "Random",
            "Softmax", "CrossEntropy", "OneHot", "SgdStep", "AdamStep", "PauForward/PauBackward", "PauForward/PauBackward (noise)",
        }));
    }
}
