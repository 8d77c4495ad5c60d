using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Tests.Cuda;

/// <summary>How kernels reach the GPU: which NVRTC is taken, SASS before PTX, and the JIT's log on a refused image.</summary>
public class CudaLoadingTests
{
    [TestCase(13, 0, 12080, true)]   // CUDA 13 NVRTC, 12.8 driver: its PTX ISA is too new for the driver's JIT
    [TestCase(12, 4, 12020, true)]
    [TestCase(12, 4, 12040, false)]
    [TestCase(11, 8, 13000, false)]
    public void AnNvrtcNewerThanTheDriverIsPassedOver(int major, int minor, int driver, bool newer) =>
        Assert.That(CudaLibraries.NvrtcNewerThanDriver((major, minor), driver), Is.EqualTo(newer));

    [Test]
    public void PipWheelFoldersAreSearchedForNvrtc()
    {
        var site = Path.Combine(Path.GetTempPath(), $"pade-site-{Guid.NewGuid():N}", "lib", "python3.12", "site-packages");
        try
        {
            Directory.CreateDirectory(Path.Combine(site, "nvidia", "cuda_nvrtc", "lib"));
            Directory.CreateDirectory(Path.Combine(site, "nvidia", "cu13", "lib"));
            Directory.CreateDirectory(Path.Combine(site, "nvidia", "empty"));
            Directory.CreateDirectory(Path.Combine(site, "torch", "lib"));
            var dirs = CudaLibraries.PipWheelLibraryDirectories([site, "/nonexistent/site-packages"]).ToList();
            Assert.That(dirs, Is.EqualTo(new[]
            {
                Path.Combine(site, "nvidia", "cu13", "lib"), Path.Combine(site, "nvidia", "cuda_nvrtc", "lib"),
            }));
        }
        finally
        {
            Directory.Delete(Path.GetFullPath(Path.Combine(site, "..", "..", "..")), recursive: true);
        }
    }

    [Test]
    public void ModulesLoadAsSassOrSayWhyPtx()
    {
        var device = CudaTestEnvironment.RequireDevice();
        device.LoadModule("fill_copy.cu");
        var formats = device.ModuleFormats;
        TestContext.Out.WriteLine(string.Join("\n", formats.Select(f => $"{f.Key}: {f.Value}")));
        Assert.That(formats.Keys, Does.Contain("fill_copy.cu"));
        foreach (var (file, format) in formats)
        {
            if (format.StartsWith("SASS sm_", StringComparison.Ordinal)) continue;
            // PTX only when SASS was refused or could not be built, and the reason is kept.
            Assert.That(format, Does.StartWith($"PTX {device.Arch}"), file);
            if (device.SassArch != null && device.PreferSass) Assert.That(format, Does.Contain("SASS"), file);
            // The emulated driver runs g++ twins bound to PTX entries: it refuses every cubin.
            if (CudaLibraries.DriverIsEmulated) Assert.That(format, Does.Contain("CUDA_ERROR_NO_BINARY_FOR_GPU"), file);
        }
    }

    [Test]
    public void ARefusedImageCarriesTheJitErrorLog()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        const string source = "extern \"C\" __global__ void entry_without_twin(float* y) { y[threadIdx.x] = 2; }\n";
        var e = Assert.Throws<CudaException>(() => device.LoadModuleFromSource("jit_log.cu", source))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Call, Does.StartWith("cuModuleLoadDataEx(jit_log.cu"));
        Assert.That(e.Message, Does.Contain("--- JIT error log ---").And.Contain("PTX entry 'entry_without_twin' has no emulated twin"));
    }
}
