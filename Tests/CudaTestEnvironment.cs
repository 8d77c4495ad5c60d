using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Tests;

/// <summary>
/// Decides whether a CUDA test can run here. NVRTC is required in CI (CI=true): without it the compile tests
/// fail instead of being skipped. A GPU is never required: device tests are skipped with the reason.
/// </summary>
internal static class CudaTestEnvironment
{
    private static readonly Lazy<(CudaDevice? Device, string Why)> Shared = new(() =>
    {
        if (!CudaDevice.TryOpen(out var device, out var why)) return (null, why);
        device!.Cache = new KernelCache(directory: null); // tests leave no files behind
        return (device, "");
    });

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>Returns if NVRTC loads; otherwise fails (CI) or ignores the test with the loader's reason.</summary>
    public static void RequireNvrtc()
    {
        if (CudaLibraries.TryLoadNvrtc(out var why)) return;
        if (InCi) Assert.Fail($"NVRTC must be installed in CI (CI=true): {why}");
        Assert.Ignore($"NVRTC not available: {why}");
    }

    /// <summary>The process-wide test device (ordinal 0), or the test is ignored saying why there is none.</summary>
    public static CudaDevice RequireDevice()
    {
        var (device, why) = Shared.Value;
        if (device == null) Assert.Ignore($"no CUDA driver: {why}");
        RequireNvrtc();
        return device!;
    }
}
