using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Training.Cli;

/// <summary>What `pade info` says about CUDA: the driver, the first GPU, NVRTC — each found, or why not.</summary>
static class Gpu
{
    public static IEnumerable<(string Key, string Value)> Describe()
    {
        if (CudaDevice.TryOpen(out var device, out string why))
        {
            using (device)
            {
                yield return ("CUDA driver", $"{device!.DriverVersionText} ({CudaLibraries.DriverPath})");
                yield return ("GPU", $"{device.Name}, compute capability {device.ComputeCapability.Major}.{device.ComputeCapability.Minor}, " +
                                     $"{device.MultiprocessorCount} SMs, {device.TotalMemory / (1L << 20):N0} MiB");
            }
        }
        else
        {
            yield return ("GPU", $"none: {OneLine(why)}");
        }
        yield return ("NVRTC", CudaLibraries.TryLoadNvrtc(out string nvrtcWhy)
            ? $"found ({CudaLibraries.NvrtcPath})"
            : $"not found: {OneLine(nvrtcWhy)}");
    }

    static string OneLine(string s) => string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
