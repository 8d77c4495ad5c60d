namespace Pade.Engine;

public enum DeviceType { Cpu, Cuda }

/// <summary>Where a tensor's storage lives. Every op runs on the backend of its inputs' device; there is no global
/// switch. Backends other than the CPU register themselves (the CUDA one lives in Pade.Kernels).</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static readonly Device Cpu = new(DeviceType.Cpu);
    public static readonly Device Cuda = new(DeviceType.Cuda);

    public static Device Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "cpu" => Cpu,
        "cuda" or "gpu" => Cuda,
        var t when t.StartsWith("cuda:") && int.TryParse(t[5..], out var i) => new Device(DeviceType.Cuda, i),
        _ => throw new ArgumentException($"unknown device '{s}': expected cpu, cuda or cuda:N"),
    };

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
