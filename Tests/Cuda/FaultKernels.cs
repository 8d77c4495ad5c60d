using System.Text;
using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Tests.Cuda;

/// <summary>The kernels of Tests/cuda/faults.cu (planted defects), compiled by NVRTC and loaded once per process.</summary>
internal static class FaultKernels
{
    private static CuModule _module;
    private static readonly Lock Gate = new();

    public static CudaKernel Get(CudaDevice device, string name)
    {
        lock (Gate)
        {
            if (_module.IsNull)
            {
                using var stream = typeof(FaultKernels).Assembly.GetManifestResourceStream("tests/cuda/faults.cu")!;
                _module = device.LoadModuleFromSource("faults.cu", new StreamReader(stream, Encoding.UTF8).ReadToEnd());
            }
        }
        CudaCheck.Driver(CudaDriver.cuModuleGetFunction(out var function, _module, name), $"cuModuleGetFunction({name})");
        CudaCheck.Driver(CudaDriver.cuFuncGetAttribute(out int max, CuFunctionAttribute.MaxThreadsPerBlock, function), "cuFuncGetAttribute");
        return new CudaKernel(function, name, "faults.cu", max);
    }
}
