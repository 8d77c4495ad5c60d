using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pade.Engine.IO;

/// <summary>
/// A tensor to be written whose bytes are produced on demand: <paramref name="WriteData"/> must write exactly
/// (product of <paramref name="Shape"/>) x (element size of <paramref name="DType"/>) bytes, little-endian, row-major.
/// Lets a caller stream a tensor (for example from GPU memory, chunk by chunk) without first building one byte array.
/// </summary>
public sealed record SafetensorsSource(string Name, string DType, long[] Shape, Action<Stream> WriteData);

public static partial class Safetensors
{
    /// <summary>
    /// Writes <paramref name="entries"/> to <paramref name="path"/> atomically (see
    /// <see cref="Write(string,IEnumerable{SafetensorsSource},IReadOnlyDictionary{string,string}?)"/>).
    /// </summary>
    public static void Write(string path, IEnumerable<SafetensorsEntry> entries,
                             IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, entries.Select(ToSource), metadata);

    /// <summary>
    /// Writes the tensors to <paramref name="path"/> atomically: everything goes to <c>path + ".tmp"</c>, which is
    /// flushed to disk and then renamed over <paramref name="path"/>. A crash or an exception mid-write leaves any
    /// previous file at <paramref name="path"/> untouched (the partial .tmp file is deleted on exceptions).
    /// </summary>
    /// <remarks>
    /// Layout follows the reference writer, so files are byte-identical to those of Python's
    /// <c>safetensors.torch.save_file</c> for the same tensors (up to the order of metadata keys, which is a hash
    /// map there and sorted here): tensors ordered by decreasing dtype alignment then by name, compact JSON with
    /// <c>__metadata__</c> first, header padded with spaces to a multiple of 8 bytes.
    /// </remarks>
    public static void Write(string path, IEnumerable<SafetensorsSource> sources,
                             IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicWrite.ToFile(path, fs => WriteTo(fs, sources, metadata));

    /// <summary>The bytes of a safetensors file holding <paramref name="entries"/>.</summary>
    public static byte[] Serialize(IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        WriteTo(ms, entries.Select(ToSource), metadata);
        return ms.ToArray();
    }

    /// <summary>Writes a whole safetensors image (header length, header, data) to <paramref name="stream"/>.</summary>
    public static void WriteTo(Stream stream, IEnumerable<SafetensorsSource> sources,
                               IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = Order(sources);
        byte[] header = HeaderBytes(list, metadata);

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (src, bytes, _) in list)
        {
            var counted = new CountingStream(stream, bytes, src.Name);
            src.WriteData(counted);
            if (counted.Written != bytes)
                throw new InvalidOperationException(
                    $"tensor '{src.Name}': its data source wrote {counted.Written} bytes, expected {bytes} " +
                    $"for shape [{string.Join(", ", src.Shape)}] of {src.DType}");
        }
    }

    static SafetensorsSource ToSource(SafetensorsEntry e) =>
        new(e.Name, e.DType, e.Shape, s => s.Write(e.Data));

    /// <summary>Validates the sources and sorts them into file order; returns each with its byte length and UTF-8 name.</summary>
    static List<(SafetensorsSource Source, long Bytes, byte[] Utf8Name)> Order(IEnumerable<SafetensorsSource> sources)
    {
        var list = new List<(SafetensorsSource, long, byte[])>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in sources)
        {
            if (s.Name == MetadataKey)
                throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata map and cannot name a tensor");
            if (!names.Add(s.Name))
                throw new ArgumentException($"two tensors are named '{s.Name}'");
            if (!SafetensorsDType.IsKnown(s.DType))
                throw new ArgumentException($"tensor '{s.Name}': {SafetensorsDType.UnknownMessage(s.DType)}");
            long bytes = checked(ElementCount(s.Shape) * SafetensorsDType.SizeOf(s.DType));
            list.Add((s, bytes, Encoding.UTF8.GetBytes(s.Name)));
        }
        // Decreasing alignment keeps every tensor aligned to its element size; names (compared as UTF-8 bytes, as
        // Rust compares strings) make the order independent of the caller's.
        list.Sort((a, b) =>
        {
            int byType = SafetensorsDType.Rank(b.Item1.DType).CompareTo(SafetensorsDType.Rank(a.Item1.DType));
            return byType != 0 ? byType : a.Item3.AsSpan().SequenceCompareTo(b.Item3);
        });
        return list;
    }

    static byte[] HeaderBytes(List<(SafetensorsSource Source, long Bytes, byte[] Utf8Name)> list,
                              IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        // Relaxed escaping writes non-ASCII names as UTF-8 rather than \uXXXX, like serde_json; Utf8JsonWriter is
        // reflection-free, so this stays trim-safe.
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (src, bytes, _) in list)
            {
                w.WriteStartObject(src.Name);
                w.WriteString("dtype", src.DType);
                w.WriteStartArray("shape");
                foreach (long d in src.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // Pad with spaces so the data buffer starts at a multiple of 8 (8-byte prefix + header length multiple of 8).
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    /// <summary>Forwards writes to the file stream, counting them and refusing to go past a tensor's size.</summary>
    sealed class CountingStream(Stream inner, long limit, string tensor) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Written + buffer.Length > limit)
                throw new InvalidOperationException(
                    $"tensor '{tensor}': its data source wrote more than the {limit} bytes its shape and dtype allow");
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }
}
