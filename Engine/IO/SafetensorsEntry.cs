using System.Runtime.InteropServices;

namespace Pade.Engine.IO;

/// <summary>
/// One tensor of a safetensors file: its name, element type (<see cref="SafetensorsDType"/>), shape (row-major,
/// outermost first; <c>[]</c> is a scalar) and raw little-endian bytes.
/// </summary>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, byte[] Data)
{
    /// <summary>Product of the dimensions (1 for a scalar, 0 when a dimension is 0).</summary>
    public long ElementCount => Safetensors.ElementCount(Shape);

    /// <summary>Bytes per element.</summary>
    public int ElementSize => SafetensorsDType.SizeOf(DType);

    /// <summary>An entry holding a copy of <paramref name="values"/>; the dtype follows from <typeparamref name="T"/>.</summary>
    public static SafetensorsEntry From<T>(string name, long[] shape, ReadOnlySpan<T> values) where T : unmanaged
    {
        string dtype = SafetensorsDType.Of<T>()
            ?? throw new ArgumentException($"{typeof(T).Name} has no safetensors dtype", nameof(T));
        long n = Safetensors.ElementCount(shape);
        if (n != values.Length)
            throw new ArgumentException(
                $"tensor '{name}': shape [{string.Join(", ", shape)}] holds {n} elements, but {values.Length} values were given");
        Safetensors.RequireLittleEndian();
        return new SafetensorsEntry(name, dtype, (long[])shape.Clone(), MemoryMarshal.AsBytes(values).ToArray());
    }

    /// <summary>The elements as <typeparamref name="T"/> (a copy); T must match <see cref="DType"/> exactly.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        string? want = SafetensorsDType.Of<T>();
        if (want != DType)
            throw new InvalidOperationException(
                $"tensor '{Name}' has dtype {DType}; reading it as {typeof(T).Name} ({want ?? "no dtype"}) would reinterpret its bytes");
        Safetensors.RequireLittleEndian();
        return MemoryMarshal.Cast<byte, T>(Data).ToArray();
    }
}

/// <summary>The content of a safetensors file: its tensors in file order and its <c>__metadata__</c> strings.</summary>
public sealed class SafetensorsFile
{
    readonly Dictionary<string, SafetensorsEntry> _byName;

    public SafetensorsFile(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The tensors, in the order of their data in the file.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The free-form string map stored under <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>; the error lists the names present.</summary>
    public SafetensorsEntry this[string name] =>
        _byName.TryGetValue(name, out var e) ? e
        : throw new KeyNotFoundException(
            $"no tensor '{name}' in the file; it holds {(Entries.Count == 0 ? "no tensors" : string.Join(", ", Entries.Select(x => x.Name)))}");

    public bool TryGet(string name, out SafetensorsEntry? entry) => _byName.TryGetValue(name, out entry);
}

/// <summary>A safetensors file that breaks the format; the message names the file, the tensor and the rule.</summary>
public sealed class SafetensorsFormatException : Exception
{
    public SafetensorsFormatException(string message) : base(message) { }
    public SafetensorsFormatException(string message, Exception inner) : base(message, inner) { }
}
