using System.Buffers.Binary;
using System.IO.Compression;

namespace Pade.Bench;

/// <summary>
/// MNIST as both sides of the train suite see it: 28x28 images zero-padded by 2 to 32x32 (as the paper's code
/// resizes to 32x32), scaled to [0, 1] and normalised with mean 0.1307 and std 0.3081 (padding included, as
/// torchvision's Pad → ToTensor → Normalize does), labels 0..9, and a seeded shuffle per epoch.
/// </summary>
public sealed class Mnist
{
    public const int Side = 32, Pixels = Side * Side;
    const int Border = 2;
    const float Mean = 0.1307f, Std = 0.3081f;

    /// <summary>Train images, <c>TrainCount × 1 × 32 × 32</c> row-major.</summary>
    public required float[] TrainImages { get; init; }
    public required byte[] TrainLabels { get; init; }
    public required float[] TestImages { get; init; }
    public required byte[] TestLabels { get; init; }
    public int TrainCount => TrainLabels.Length;
    public int TestCount => TestLabels.Length;

    /// <summary>Reads the four gz IDX files of <paramref name="directory"/> (train-images-idx3-ubyte.gz, …).</summary>
    public static Mnist Load(string directory) => new()
    {
        TrainImages = Preprocess(IdxGz.ReadImages(Path.Combine(directory, "train-images-idx3-ubyte.gz"))),
        TrainLabels = IdxGz.ReadLabels(Path.Combine(directory, "train-labels-idx1-ubyte.gz")),
        TestImages = Preprocess(IdxGz.ReadImages(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"))),
        TestLabels = IdxGz.ReadLabels(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz")),
    };

    static float[] Preprocess((byte[] Pixels, int Count, int Rows, int Cols) raw)
    {
        if (raw.Rows + 2 * Border != Side || raw.Cols + 2 * Border != Side)
            throw new InvalidDataException($"MNIST images are {raw.Rows}x{raw.Cols}, expected 28x28");
        var images = new float[raw.Count * Pixels];
        images.AsSpan().Fill((0f - Mean) / Std); // the padding: black pixels, normalised
        for (int i = 0; i < raw.Count; i++)
            for (int r = 0; r < raw.Rows; r++)
                for (int c = 0; c < raw.Cols; c++)
                {
                    float v = raw.Pixels[(i * raw.Rows + r) * raw.Cols + c] / 255f;
                    images[i * Pixels + (r + Border) * Side + c + Border] = (v - Mean) / Std;
                }
        return images;
    }

    /// <summary>The sample order of one epoch: a Fisher–Yates shuffle seeded by (seed, epoch), the same for both
    /// sides.</summary>
    public static int[] EpochOrder(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
        return order;
    }
}

/// <summary>
/// The IDX format of the MNIST files, gzip-compressed: a big-endian header (magic 0x00000803 for 3-d unsigned-byte
/// images with count, rows, cols; 0x00000801 for 1-d labels with count), then the bytes.
/// </summary>
public static class IdxGz
{
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        byte[] data = Decompress(path);
        Expect(path, data, magic: 0x00000803, headerBytes: 16);
        int count = ReadInt(data, 4), rows = ReadInt(data, 8), cols = ReadInt(data, 12);
        long expected = 16L + (long)count * rows * cols;
        if (data.Length != expected)
            throw new InvalidDataException(
                $"{path}: header says {count} images of {rows}x{cols} ({expected} bytes), file has {data.Length}");
        return (data[16..], count, rows, cols);
    }

    public static byte[] ReadLabels(string path)
    {
        byte[] data = Decompress(path);
        Expect(path, data, magic: 0x00000801, headerBytes: 8);
        int count = ReadInt(data, 4);
        if (data.Length != 8L + count)
            throw new InvalidDataException($"{path}: header says {count} labels ({8 + count} bytes), file has {data.Length}");
        byte[] labels = data[8..];
        int bad = Array.FindIndex(labels, l => l > 9);
        if (bad >= 0)
            throw new InvalidDataException($"{path}: label {labels[bad]} at index {bad} (offset {8 + bad}) is not 0..9");
        return labels;
    }

    static byte[] Decompress(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"MNIST file not found: {path}", path);
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }

    static void Expect(string path, byte[] data, int magic, int headerBytes)
    {
        if (data.Length < headerBytes)
            throw new InvalidDataException($"{path}: {data.Length} bytes, shorter than the {headerBytes}-byte IDX header");
        int actual = ReadInt(data, 0);
        if (actual != magic)
            throw new InvalidDataException($"{path}: IDX magic at offset 0 is 0x{actual:x8}, expected 0x{magic:x8}");
    }

    static int ReadInt(byte[] data, int offset) => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));
}
