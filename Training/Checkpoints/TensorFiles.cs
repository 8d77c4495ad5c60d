using Pade.Engine;
using Pade.Engine.IO;

namespace Pade.Training.Checkpoints;

/// <summary>Conversions between tensors and safetensors entries (F32, F64, I32), and whole-file helpers.</summary>
public static class TensorFiles
{
    public static SafetensorsEntry ToEntry(string name, Tensor t)
    {
        var host = t.Detach().Contiguous();
        long[] shape = host.ShapeCopy().Select(d => (long)d).ToArray();
        return t.DType switch
        {
            DType.Float32 => SafetensorsEntry.From<float>(name, shape, host.ToArray<float>()),
            DType.Float64 => SafetensorsEntry.From<double>(name, shape, host.ToArray<double>()),
            _ => SafetensorsEntry.From<int>(name, shape, host.ToArray<int>()),
        };
    }

    public static Tensor ToTensor(SafetensorsEntry e, string file)
    {
        int[] shape = e.Shape.Select(d => d <= int.MaxValue ? (int)d
            : throw new FormatException($"{file}: tensor '{e.Name}' has dimension {d}, larger than a tensor dimension can be")).ToArray();
        return e.DType switch
        {
            SafetensorsDType.F32 => Tensor.FromSpan<float>(e.ToArray<float>(), shape),
            SafetensorsDType.F64 => Tensor.FromSpan<double>(e.ToArray<double>(), shape),
            SafetensorsDType.I32 => Tensor.FromSpan<int>(e.ToArray<int>(), shape),
            SafetensorsDType.I64 => Tensor.FromSpan<int>(e.ToArray<long>().Select(v => checked((int)v)).ToArray(), shape),
            _ => throw new FormatException($"{file}: tensor '{e.Name}' has dtype {e.DType}; Pade reads F32, F64, I32 and I64"),
        };
    }

    /// <summary>Writes named tensors atomically (via <see cref="Safetensors.Write(string, IEnumerable{SafetensorsEntry}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Write(path, tensors.Select(kv => ToEntry(kv.Key, kv.Value)), metadata);

    /// <summary>Reads every tensor of a safetensors file into CPU tensors, by name.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        var file = Safetensors.Read(path);
        return file.Entries.ToDictionary(e => e.Name, e => ToTensor(e, path), StringComparer.Ordinal);
    }
}
