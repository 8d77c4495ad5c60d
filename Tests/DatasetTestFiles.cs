using NUnit.Framework;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Pade.Tests;

/// <summary>Builds small data files byte by byte, as the formats describe them, for the dataset tests.</summary>
static class DatasetTestFiles
{
    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pade-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>idx3 bytes: magic, count, rows, cols (big-endian), then <paramref name="pixels"/>.</summary>
    public static byte[] Idx3(int count, int rows, int cols, byte[] pixels, int magic = 0x00000803)
    {
        var b = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), cols);
        pixels.CopyTo(b, 16);
        return b;
    }

    /// <summary>idx1 bytes: magic, count (big-endian), then <paramref name="labels"/>.</summary>
    public static byte[] Idx1(byte[] labels, int? count = null)
    {
        var b = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(0), 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count ?? labels.Length);
        labels.CopyTo(b, 8);
        return b;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>A deterministic pseudo-pixel value for image i, byte k of a file tagged f.</summary>
    public static byte Pattern(int f, int i, int k) => (byte)((f * 131 + i * 31 + k * 7) % 251);

    /// <summary>Writes the four MNIST-named IDX files (n train, m test images of h x w) into <paramref name="dir"/>.</summary>
    public static void WriteIdxSet(string dir, int n, int m, int h, int w, bool gzip)
    {
        Directory.CreateDirectory(dir);
        void Put(string name, byte[] raw) =>
            File.WriteAllBytes(Path.Combine(dir, gzip ? name + ".gz" : name), gzip ? Gzip(raw) : raw);
        Put("train-images-idx3-ubyte", Idx3(n, h, w, Pixels(0, n, h * w)));
        Put("train-labels-idx1-ubyte", Idx1(Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray()));
        Put("t10k-images-idx3-ubyte", Idx3(m, h, w, Pixels(1, m, h * w)));
        Put("t10k-labels-idx1-ubyte", Idx1(Enumerable.Range(0, m).Select(i => (byte)((i + 3) % 10)).ToArray()));
    }

    public static byte[] Pixels(int f, int count, int size)
    {
        var p = new byte[count * size];
        for (int i = 0; i < count; i++)
            for (int k = 0; k < size; k++) p[i * size + k] = Pattern(f, i, k);
        return p;
    }

    /// <summary>CIFAR-10 records: for each (label, image tag) a label byte then 3072 pattern bytes.</summary>
    public static byte[] CifarRecords(int fileTag, params byte[] labels)
    {
        var b = new byte[labels.Length * 3073];
        for (int i = 0; i < labels.Length; i++)
        {
            b[i * 3073] = labels[i];
            for (int k = 0; k < 3072; k++) b[i * 3073 + 1 + k] = Pattern(fileTag, i, k);
        }
        return b;
    }
}
