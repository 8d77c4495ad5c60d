using System.Buffers.Binary;
using System.Text.Json;

namespace Pade.Engine.IO;

/// <summary>
/// Reader and writer of the safetensors format (Hugging Face), the checkpoint format of Pade: readable by
/// PyTorch (<c>safetensors.torch.load_file</c>) and by any other framework, and safe to open (no code, only data).
/// </summary>
/// <remarks>
/// <para>Layout of a file:</para>
/// <code>
/// offset 0      : N, unsigned 64-bit little-endian, the length of the header
/// offset 8      : N bytes of UTF-8 JSON, an object, optionally padded with spaces (0x20) at the end:
///                 { "__metadata__": { "key": "value", ... },              (optional, strings only)
///                   "name": { "dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END] }, ... }
/// offset 8 + N  : the data buffer; tensor "name" is bytes [BEGIN, END) of it, row-major, little-endian
/// </code>
/// <para>Rules the reader enforces (those of the reference implementation): the header fits in the file and is at most
/// 100,000,000 bytes; it is a JSON object with no duplicate keys; each dtype is known; dimensions are non-negative;
/// END - BEGIN = (product of shape) x (element size); and the tensors tile the data buffer exactly, from 0 to its
/// end, with no overlap and no hole (so no byte of the file is unaccounted for, and no read can reach outside it).
/// </para>
/// </remarks>
public static partial class Safetensors
{
    /// <summary>The largest header accepted (the reference implementation's limit): guards against absurd allocations.</summary>
    public const int MaxHeaderSize = 100_000_000;

    const string MetadataKey = "__metadata__";

    /// <summary>Reads every tensor of the file at <paramref name="path"/>.</summary>
    public static SafetensorsFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads a safetensors image held in memory; <paramref name="name"/> appears in error messages.</summary>
    public static SafetensorsFile Read(byte[] bytes, string name = "<memory>")
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, name);
    }

    /// <summary>
    /// Reads from a seekable stream positioned at the start of a safetensors image that extends to the stream's end.
    /// </summary>
    public static SafetensorsFile Read(Stream stream, string name)
    {
        if (!stream.CanSeek) throw new ArgumentException("safetensors reading needs a seekable stream (it checks the length)", nameof(stream));
        long start = stream.Position;
        long fileSize = stream.Length - start;
        var header = ReadHeader(stream, name, fileSize, out long headerLength);

        long dataStart = start + 8 + headerLength;
        var entries = new List<SafetensorsEntry>(header.Tensors.Count);
        foreach (var t in header.Tensors)
        {
            long length = t.End - t.Begin;
            if (length > Array.MaxLength)
                throw new SafetensorsFormatException(
                    $"{name}: tensor '{t.Name}' has {length} bytes, more than one array can hold ({Array.MaxLength})");
            var data = new byte[length];
            stream.Position = dataStart + t.Begin;
            stream.ReadExactly(data);
            entries.Add(new SafetensorsEntry(t.Name, t.DType, t.Shape, data));
        }
        return new SafetensorsFile(entries, header.Metadata);
    }

    /// <summary>A tensor's description in the header, with offsets relative to the data buffer.</summary>
    public readonly record struct TensorInfo(string Name, string DType, long[] Shape, long Begin, long End);

    /// <summary>The parsed and validated header: tensors sorted by data offset, and the metadata strings.</summary>
    public sealed record Header(IReadOnlyList<TensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>Reads and validates only the header of the file at <paramref name="path"/> (no tensor data is read).</summary>
    public static Header ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(stream, path, stream.Length, out _);
    }

    static Header ReadHeader(Stream stream, string name, long fileSize, out long headerLength)
    {
        if (fileSize < 8)
            throw new SafetensorsFormatException(
                $"{name}: file has {fileSize} bytes, fewer than the 8-byte header length at offset 0");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > (ulong)(fileSize - 8))
            throw new SafetensorsFormatException(
                $"{name}: header length {n} (u64 at offset 0) overruns the file: the header would end at offset " +
                $"{(n > long.MaxValue - 8 ? "beyond 2^63" : (8 + (long)n).ToString())} but the file has {fileSize} bytes");
        if (n > MaxHeaderSize)
            throw new SafetensorsFormatException(
                $"{name}: header length {n} (u64 at offset 0) exceeds the limit of {MaxHeaderSize} bytes");
        headerLength = (long)n;

        var json = new byte[n];
        stream.ReadExactly(json);
        long dataLength = fileSize - 8 - headerLength;
        return ParseHeader(json, name, dataLength);
    }

    /// <summary>Parses header JSON and checks it against a data buffer of <paramref name="dataLength"/> bytes.</summary>
    static Header ParseHeader(byte[] json, string name, long dataLength)
    {
        if (json.Length == 0 || json[0] != (byte)'{')
            throw new SafetensorsFormatException(
                $"{name}: header (offset 8) must be a JSON object starting with '{{', found " +
                (json.Length == 0 ? "an empty header" : $"byte 0x{json[0]:X2}"));

        JsonDocument doc;
        try
        {
            // Strict parsing: no comments, no trailing commas. Trailing spaces (the alignment padding) are valid JSON.
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(
                $"{name}: header (offset 8, {json.Length} bytes) is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            var tensors = new List<TensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw new SafetensorsFormatException($"{name}: header has the key \"{prop.Name}\" twice (duplicate keys are not allowed)");
                if (prop.Name == MetadataKey)
                    ReadMetadata(prop.Value, name, metadata);
                else
                    tensors.Add(ReadTensorInfo(prop.Name, prop.Value, name, dataLength));
            }
            CheckTiling(tensors, name, dataLength);
            return new Header(tensors, metadata);
        }
    }

    static void ReadMetadata(JsonElement value, string file, Dictionary<string, string> into)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException($"{file}: \"{MetadataKey}\" must be an object of strings, found {value.ValueKind}");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(
                    $"{file}: \"{MetadataKey}\" entry \"{kv.Name}\" must be a string, found {kv.Value.ValueKind}");
            if (!into.TryAdd(kv.Name, kv.Value.GetString()!))
                throw new SafetensorsFormatException($"{file}: \"{MetadataKey}\" has the key \"{kv.Name}\" twice");
        }
    }

    static TensorInfo ReadTensorInfo(string tensor, JsonElement value, string file, long dataLength)
    {
        string where = $"{file}: tensor '{tensor}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException($"{where}: expected an object with dtype, shape and data_offsets, found {value.ValueKind}");

        if (!value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException($"{where}: missing \"dtype\" string");
        string dtype = dt.GetString()!;
        if (!SafetensorsDType.IsKnown(dtype))
            throw new SafetensorsFormatException($"{where}: {SafetensorsDType.UnknownMessage(dtype)}");

        long[] shape = ReadIntegers(value, "shape", where, count: -1);
        foreach (long d in shape)
            if (d < 0)
                throw new SafetensorsFormatException($"{where}: shape [{string.Join(", ", shape)}] has a negative dimension {d}");

        long[] offsets = ReadIntegers(value, "data_offsets", where, count: 2);
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin)
            throw new SafetensorsFormatException(
                $"{where}: data_offsets [{begin}, {end}] are invalid: expected 0 <= begin <= end");
        if (end > dataLength)
            throw new SafetensorsFormatException(
                $"{where}: data_offsets [{begin}, {end}] are out of range: the data buffer holds {dataLength} bytes");

        long expected;
        try { expected = checked(ElementCount(shape) * SafetensorsDType.SizeOf(dtype)); }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException($"{where}: shape [{string.Join(", ", shape)}] overflows a 64-bit byte count");
        }
        if (end - begin != expected)
            throw new SafetensorsFormatException(
                $"{where}: data_offsets [{begin}, {end}] span {end - begin} bytes, but shape [{string.Join(", ", shape)}] " +
                $"of {dtype} needs {expected} bytes");
        return new TensorInfo(tensor, dtype, shape, begin, end);
    }

    static long[] ReadIntegers(JsonElement obj, string key, string where, int count)
    {
        if (!obj.TryGetProperty(key, out var arr) || arr.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException($"{where}: missing \"{key}\" array");
        int len = arr.GetArrayLength();
        if (count >= 0 && len != count)
            throw new SafetensorsFormatException($"{where}: \"{key}\" must have {count} integers, found {len}");
        var result = new long[len];
        int i = 0;
        foreach (var x in arr.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out result[i]))
                throw new SafetensorsFormatException(
                    $"{where}: \"{key}\"[{i}] must be an integer that fits in 64 bits, found {x.GetRawText()}");
            i++;
        }
        return result;
    }

    /// <summary>
    /// Sorts the tensors by offset and checks they cover [0, dataLength) exactly once: the first starts at 0, each
    /// starts where the previous ends, the last ends at the end of the buffer.
    /// </summary>
    static void CheckTiling(List<TensorInfo> tensors, string file, long dataLength)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long at = 0;
        string previous = "";
        foreach (var t in tensors)
        {
            if (t.Begin < at)
                throw new SafetensorsFormatException(
                    $"{file}: tensor '{t.Name}' data_offsets [{t.Begin}, {t.End}] overlap tensor '{previous}', " +
                    $"which ends at {at}: tensors must not share bytes");
            if (t.Begin > at)
                throw new SafetensorsFormatException(
                    $"{file}: bytes [{at}, {t.Begin}) of the data buffer belong to no tensor (a hole " +
                    (previous == "" ? "at the start, " : $"between '{previous}' and ") + $"'{t.Name}'): " +
                    "the tensors must cover the data buffer exactly");
            at = t.End;
            previous = t.Name;
        }
        if (at != dataLength)
            throw new SafetensorsFormatException(
                $"{file}: bytes [{at}, {dataLength}) at the end of the data buffer belong to no tensor " +
                $"(the file has {dataLength - at} bytes more than its tensors): the tensors must cover the data buffer exactly");
    }

    /// <summary>Product of the dimensions, checked for overflow (1 for a scalar shape []).</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] has a negative dimension {d}");
            n = checked(n * d);
        }
        return n;
    }

    internal static void RequireLittleEndian()
    {
        // The format is little-endian and so is every platform .NET 10 runs Pade on; fail loudly rather than
        // silently byte-swap-corrupt on an exotic one.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is big-endian");
    }
}
