using System.Buffers.Binary;
using System.IO.Compression;

namespace Pade.Datasets;

/// <summary>The images of an idx3 file: <paramref name="Count"/> grey images of Height x Width bytes, row-major.</summary>
public readonly record struct IdxImages(byte[] Pixels, int Count, int Height, int Width);

/// <summary>
/// Reader of the IDX files of MNIST and Fashion-MNIST (LeCun et al.), plain or gzip-compressed.
/// </summary>
/// <remarks>
/// <para>Layout, all integers big-endian int32:</para>
/// <code>
/// images (idx3): magic 0x00000803 | count | rows | cols | count*rows*cols unsigned bytes (row-major)
/// labels (idx1): magic 0x00000801 | count | count unsigned bytes
/// </code>
/// <para>The magic is 0x00 0x00, a type code (0x08 = unsigned byte) and the number of dimensions (3 or 1).
/// Compression is detected from the content (gzip's magic bytes 1f 8b), not from the file name, so a
/// decompressed file renamed to .gz, or the reverse, still reads. Byte offsets in error messages count in the
/// decompressed data, which is where the IDX layout lives.</para>
/// </remarks>
public static class Idx
{
    /// <summary>Magic number of an idx3 file of unsigned bytes (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an idx1 file of unsigned bytes (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    const int ImagesHeaderSize = 16;
    const int LabelsHeaderSize = 8;

    /// <summary>Reads images and labels and checks they belong together (same count, labels below <paramref name="classes"/>).</summary>
    public static ImageSet Load(string imagesPath, string labelsPath, int classes = 10)
    {
        using var images = OpenFile(imagesPath);
        using var labels = OpenFile(labelsPath);
        return Load(images, imagesPath, labels, labelsPath, classes);
    }

    /// <summary>As <see cref="Load(string,string,int)"/>, from streams; the names are used in error messages.</summary>
    public static ImageSet Load(Stream images, string imagesName, Stream labels, string labelsName, int classes = 10)
    {
        var img = ReadImages(images, imagesName);
        var lab = ReadLabels(labels, labelsName, classes);
        if (lab.Length != img.Count)
            throw new DatasetFormatException(
                $"label count {lab.Length} in '{labelsName}' (idx1 header, offset 4) does not match image count " +
                $"{img.Count} in '{imagesName}' (idx3 header, offset 4): the two files are not a pair");
        return new ImageSet(img.Pixels, img.Count, img.Height, img.Width, Channels: 1, lab, classes);
    }

    /// <summary>Reads an idx3 file of unsigned bytes.</summary>
    public static IdxImages ReadImages(string path)
    {
        using var s = OpenFile(path);
        return ReadImages(s, path);
    }

    /// <summary>Reads an idx3 stream of unsigned bytes (plain or gzip); <paramref name="name"/> appears in errors.</summary>
    public static IdxImages ReadImages(Stream stream, string name)
    {
        using var s = Decompressed(stream, name, out string where);
        Span<byte> header = stackalloc byte[ImagesHeaderSize];
        int got = ReadFully(s, header);
        CheckMagic(header, got, ImagesMagic, "idx3 images", name);
        if (got < ImagesHeaderSize)
            throw new DatasetFormatException(
                $"file '{name}' ended at offset {got}{where}, expected a {ImagesHeaderSize}-byte idx3 header " +
                "(magic, count, rows, columns)");

        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int cols = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count < 0 || rows <= 0 || cols <= 0)
            throw new DatasetFormatException(
                $"file '{name}': idx3 header at offset 4 gives count {count}, rows {rows}, columns {cols}; " +
                "expected count >= 0 and positive rows and columns");
        long dataBytes = (long)count * rows * cols;
        if (dataBytes > Array.MaxLength)
            throw new DatasetFormatException(
                $"file '{name}': idx3 header at offset 4 announces {count} images of {rows}x{cols} = {dataBytes} bytes, " +
                $"more than one array can hold ({Array.MaxLength})");

        var pixels = new byte[dataBytes];
        got = ReadFully(s, pixels);
        if (got < dataBytes)
            throw new DatasetFormatException(
                $"file '{name}' ended at offset {ImagesHeaderSize + got}{where}, expected {ImagesHeaderSize + dataBytes} " +
                $"bytes: a {ImagesHeaderSize}-byte header and {dataBytes} bytes of image data for {count} images of {rows}x{cols}");
        CheckEnd(s, ImagesHeaderSize + dataBytes, name, where, $"{count} images of {rows}x{cols}");
        return new IdxImages(pixels, count, rows, cols);
    }

    /// <summary>Reads an idx1 file of unsigned bytes and checks every label is below <paramref name="classes"/>.</summary>
    public static byte[] ReadLabels(string path, int classes = 10)
    {
        using var s = OpenFile(path);
        return ReadLabels(s, path, classes);
    }

    /// <summary>Reads an idx1 stream (plain or gzip); <paramref name="name"/> appears in errors.</summary>
    public static byte[] ReadLabels(Stream stream, string name, int classes = 10)
    {
        using var s = Decompressed(stream, name, out string where);
        Span<byte> header = stackalloc byte[LabelsHeaderSize];
        int got = ReadFully(s, header);
        CheckMagic(header, got, LabelsMagic, "idx1 labels", name);
        if (got < LabelsHeaderSize)
            throw new DatasetFormatException(
                $"file '{name}' ended at offset {got}{where}, expected a {LabelsHeaderSize}-byte idx1 header (magic, count)");

        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (count < 0)
            throw new DatasetFormatException($"file '{name}': idx1 header at offset 4 gives count {count}, expected count >= 0");

        var labels = new byte[count];
        got = ReadFully(s, labels);
        if (got < count)
            throw new DatasetFormatException(
                $"file '{name}' ended at offset {LabelsHeaderSize + got}{where}, expected {LabelsHeaderSize + (long)count} " +
                $"bytes: an {LabelsHeaderSize}-byte header and {count} bytes of labels");
        CheckEnd(s, LabelsHeaderSize + (long)count, name, where, $"{count} labels");

        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classes)
                throw new DatasetFormatException(
                    $"file '{name}': label {labels[i]} at offset {LabelsHeaderSize + i}{where} is not a class index; " +
                    $"expected a value in [0, {classes})");
        return labels;
    }

    static FileStream OpenFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    /// <summary>
    /// The stream to parse: a GZipStream when the content starts with 1f 8b, otherwise the stream itself.
    /// <paramref name="where"/> is a note for error messages saying offsets count in decompressed data.
    /// The returned stream must be disposed; it leaves <paramref name="stream"/> open for its owner.
    /// </summary>
    static Stream Decompressed(Stream stream, string name, out string where)
    {
        // Peeking needs to rewind; buffer non-seekable sources (network, pipes) in memory, IDX files are small.
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        long start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        int got = ReadFully(stream, magic);
        stream.Position = start;
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            where = " of the decompressed data";
            return new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        }
        where = "";
        return new NonClosing(stream);
    }

    static void CheckMagic(ReadOnlySpan<byte> header, int got, int expected, string what, string name)
    {
        if (got < 4)
            throw new DatasetFormatException(
                $"file '{name}' ended at offset {got}, expected magic 0x{expected:X8} ({what}) at offset 0");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expected)
        {
            string hint = magic == ImagesMagic ? " (that is an idx3 images file)"
                : magic == LabelsMagic ? " (that is an idx1 labels file)" : "";
            throw new DatasetFormatException(
                $"file '{name}': expected magic 0x{expected:X8} ({what}) at offset 0, found 0x{magic:X8}{hint}");
        }
    }

    /// <summary>Rejects bytes after the announced data: a file with extra data is not the file its header describes.</summary>
    static void CheckEnd(Stream s, long end, string name, string where, string what)
    {
        if (s.ReadByte() >= 0)
            throw new DatasetFormatException(
                $"file '{name}' has data after offset {end}{where}, expected it to end there after {what}");
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>A pass-through whose Dispose leaves the inner stream to its owner (mirrors GZipStream's leaveOpen).</summary>
    sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override int ReadByte() => inner.ReadByte();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
