using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Tests;

/// <summary>
/// Decides whether a CUDA test can run here, and on which driver. NVIDIA's driver is used where it loads; elsewhere
/// the emulated driver that the build puts beside this assembly (Kernels/CudaEmulator), so the CUDA tests run on
/// every machine with g++. <c>PADE_CUDA_DRIVER=path</c> names a driver outright; <c>PADE_CUDA_EMULATOR=1</c> takes
/// the emulator even where a GPU is present, <c>=0</c> never. In CI (CI=true) a CUDA test that finds no driver
/// fails instead of being skipped, as does a compile test without NVRTC.
/// </summary>
internal static class CudaTestEnvironment
{
    private static readonly Lazy<(CudaDevice? Device, string Why)> Shared = new(() =>
    {
        if (!CudaDevice.TryOpen(out var device, out var why))
            return (null, EmulatorUnavailable is { } reason ? $"{why}\n  {reason}" : why);
        device!.Cache = new KernelCache(directory: null); // tests leave no files behind
        return (device, "");
    });

    /// <summary>Where the build puts the emulated driver.</summary>
    public static string EmulatorPath => Path.Combine(AppContext.BaseDirectory, "cuda-emulator", "libpade_cuda_emulator.so");

    /// <summary>Why the emulator could not be chosen, when it was wanted; null otherwise.</summary>
    public static string? EmulatorUnavailable { get; private set; }

    // Runs when the test assembly loads, before any test can load a driver (the choice is made once per process).
    [ModuleInitializer]
    internal static void ChooseDriver()
    {
        if (Environment.GetEnvironmentVariable("PADE_CUDA_DRIVER") is { Length: > 0 }) return;
        var mode = Environment.GetEnvironmentVariable("PADE_CUDA_EMULATOR");
        if (mode == "0") return;
        if (mode != "1" && NativeLibrary.TryLoad("libcuda.so.1", out _)) return;
        if (File.Exists(EmulatorPath))
        {
            Environment.SetEnvironmentVariable("PADE_CUDA_DRIVER", EmulatorPath);
            return;
        }
        var note = Path.Combine(Path.GetDirectoryName(EmulatorPath)!, "UNAVAILABLE.txt");
        EmulatorUnavailable = File.Exists(note)
            ? File.ReadAllText(note).Trim()
            : $"the emulated CUDA driver was not built ({EmulatorPath} is missing; the Tests project's build makes it with g++)";
    }

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>PTX of the tests, compiled once per (file, architecture) in this process (NVRTC takes seconds).</summary>
    private static readonly KernelCache PtxCache = new(directory: null);

    /// <summary>The PTX of embedded kernel file <paramref name="file"/> for <paramref name="arch"/> (needs NVRTC).</summary>
    public static string Ptx(string file, string arch) => PtxCache.GetPtx(file, KernelSource.Read(file), arch);

    /// <summary>Returns if NVRTC loads; otherwise fails (CI) or ignores the test with the loader's reason.</summary>
    public static void RequireNvrtc()
    {
        if (CudaLibraries.TryLoadNvrtc(out var why)) return;
        if (InCi) Assert.Fail($"NVRTC must be installed in CI (CI=true): {why}");
        Assert.Ignore($"NVRTC not available: {why}");
    }

    /// <summary>
    /// The process-wide test device (ordinal 0): a GPU, or the emulated one. Without either the test is ignored
    /// saying why, except in CI, where it fails: CI runs the CUDA suite on the emulator.
    /// </summary>
    public static CudaDevice RequireDevice()
    {
        var (device, why) = Shared.Value;
        if (device == null)
        {
            if (InCi) Assert.Fail($"CI must run the CUDA tests (on the emulated driver where there is no GPU): {why}");
            Assert.Ignore($"no CUDA driver: {why}");
        }
        RequireNvrtc();
        // The first CUDA test's output says where the CUDA tests ran (the Test target prints it from the results).
        if (Interlocked.Exchange(ref _announced, 1) == 0)
            TestContext.Out.WriteLine($"CUDA tests run on {device!.Name} through {CudaLibraries.DriverPath}");
        return device!;
    }

    private static int _announced;

    /// <summary>The test device when it is the emulated one (fault tests: only it can recover from a sticky error).</summary>
    public static CudaDevice RequireEmulatedDevice()
    {
        var device = RequireDevice();
        if (!CudaLibraries.DriverIsEmulated) Assert.Ignore("planted faults need the emulated driver: on a GPU a sticky error ends the process's use of CUDA");
        return device;
    }

    /// <summary>
    /// After a planted fault: the emulator forgets the sticky error (hardware cannot; the process would have to
    /// exit) and so does <see cref="CudaCheck"/>.
    /// </summary>
    public static unsafe void ForgetPlantedFault()
    {
        if (!CudaLibraries.TryGetDriverExport("pade_emu_reset", out var reset))
            throw new InvalidOperationException("the loaded CUDA driver is not the emulator; it cannot forget a sticky error");
        ((delegate* unmanaged<int>)reset)();
        CudaCheck.ForgetStickyError();
    }

    /// <summary>Turns the emulator's racecheck on or off; returns the previous setting.</summary>
    public static unsafe bool SetRacecheck(bool on)
    {
        if (!CudaLibraries.TryGetDriverExport("pade_emu_set_racecheck", out var set))
            throw new InvalidOperationException("the loaded CUDA driver is not the emulator");
        return ((delegate* unmanaged<int, int>)set)(on ? 1 : 0) != 0;
    }
}
