using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Interop;
using Pade.Kernels.Parity;
using Pade.Training.Gpu;

namespace Pade.Tests.Cuda;

/// <summary>
/// `pade gpu check` when a kernel faults: the case that launched it is the one that fails (every case ends with a
/// synchronisation), the check stops there with its own exit code instead of failing every later case with the
/// same sticky error, and --sync names the kernel. Emulated driver only (it can forget a sticky error).
/// </summary>
[NonParallelizable]
public class GpuCheckFaultTests
{
    private static ParityCase Faulty(CudaDevice device) => new("planted read past the end", "fault_read_past_end", ctx =>
    {
        var kernel = FaultKernels.Get(device, "fault_read_past_end");
        var x = DeviceMemory.Allocate(device.Context, 1024 * sizeof(float));
        device.Launch(kernel, 4, 256, 0, CuStream.Default, x.Pointer, x.Pointer, 1024);
        GC.KeepAlive(x);
        return new ParityResult("fault_read_past_end", "[1024]", 0, "exact", true, []);
    });

    private static ParityCase Good(string name) =>
        new(name, "nothing", _ => new ParityResult("nothing", "", 0, "exact", true, []));

    private static (int Code, string Output) Check(bool synchronous)
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var output = new StringWriter();
        try
        {
            int code = GpuCheck.Run(output, null, device, [Good("first good case"), Faulty(device), Good("a later good case")], synchronous);
            TestContext.Out.WriteLine(output);
            return (code, output.ToString());
        }
        finally
        {
            device.SynchronousLaunches = false;
            CudaTestEnvironment.ForgetPlantedFault();
        }
    }

    [Test]
    public void AFaultIsChargedToItsCaseAndStopsTheCheck()
    {
        var (code, output) = Check(synchronous: false);
        Assert.That(code, Is.EqualTo(GpuCheck.ContextLost));
        Assert.That(output, Does.Match(@"first good case\s+0\s+\S+\s+ok"));
        Assert.That(output, Does.Match(@"planted read past the end\s+NaN\s+\S+\s+FAILED"));
        Assert.That(output, Does.Contain("kernel fault_read_past_end").And.Contain("past the end"));
        Assert.That(output, Does.Contain("Stopped at case 'planted read past the end'").And.Contain("1 remaining cases"));
        Assert.That(output, Does.Not.Contain("a later good case"), "no case runs on a dead context");
    }

    [Test]
    public void SyncModeNamesTheKernelAtItsLaunch()
    {
        var (code, output) = Check(synchronous: true);
        Assert.That(code, Is.EqualTo(GpuCheck.ContextLost));
        Assert.That(output, Does.Contain("cuCtxSynchronize after fault_read_past_end (synchronous launches)"));
    }

    [TestCase("conv2d 3x3", null, null, true)]
    [TestCase("conv2d 3x3", "conv", null, true)]
    [TestCase("conv2d 3x3", "pool,CONV", null, true)]
    [TestCase("conv2d 3x3", "pool", null, false)]
    [TestCase("conv2d 3x3", null, "3x3", false)]
    [TestCase("conv2d 3x3", "conv", "gemm, 3X3", false)]
    public void FilterAndExcludeTakeCommaSeparatedAlternatives(string name, string? filter, string? exclude, bool selected) =>
        Assert.That(GpuCheck.Selected(name, filter, exclude), Is.EqualTo(selected));
}
