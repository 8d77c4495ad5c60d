using Pade.Engine;

namespace Pade.Training.Runs;

/// <summary>Turns <c>--device</c> into a <see cref="Device"/> whose backend is ready.</summary>
public static class DeviceSetup
{
    public static Device Prepare(string spec)
    {
        var device = Device.Parse(spec);
        if (device.Type == DeviceType.Cpu) return device;
        // TEMPORARY until Kernels (the CUDA backend) is merged.
        throw new NotSupportedException($"device '{spec}': this build has no CUDA backend yet; use --device cpu");
    }
}
