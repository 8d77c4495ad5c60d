using Pade.Engine;

namespace Pade.Training.Runs;

/// <summary>Turns <c>--device</c> into a <see cref="Device"/> whose backend is ready.</summary>
public static class DeviceSetup
{
    /// <summary>Parses <paramref name="spec"/> (cpu, cuda, cuda:N) and makes sure its backend answers; a device
    /// without a backend is a <see cref="NotSupportedException"/> saying why.</summary>
    public static Device Prepare(string spec)
    {
        var device = Device.Parse(spec);
        if (device.Type == DeviceType.Cpu) return device;
        // The CUDA backend registers itself here too, so that a program (or test) calling the CLI in-process
        // without Program.Main's registration still finds it; one registered before is kept.
        if (device.Type == DeviceType.Cuda && Backend.Resolver == null) Pade.Kernels.CudaBackend.Register(device.Index);
        try
        {
            Backend.For(device);
        }
        catch (InvalidOperationException e)
        {
            throw new NotSupportedException($"device '{spec}' is not available: {e.Message}", e);
        }
        return device;
    }
}
