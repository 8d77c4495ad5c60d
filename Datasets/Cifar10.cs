namespace Pade.Datasets;

/// <summary>
/// Reader of the CIFAR-10 "binary version" (Krizhevsky, 2009), the folder <c>cifar-10-batches-bin</c>.
/// </summary>
/// <remarks>
/// <para>Each file is a sequence of 3073-byte records with no header:</para>
/// <code>
/// 1 byte label (0..9) | 1024 bytes red | 1024 bytes green | 1024 bytes blue   (each plane 32x32, row-major)
/// </code>
/// <para>Training data is <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c> (10,000 records each), test data is
/// <c>test_batch.bin</c>. The pixel part of a record is already C x H x W, so records are copied as they are into
/// the NCHW <see cref="ImageSet"/>.</para>
/// </remarks>
public static class Cifar10
{
    public const int Side = 32;
    public const int Channels = 3;
    public const int Classes = 10;
    public const int ImageBytes = Channels * Side * Side;   // 3072
    public const int RecordBytes = 1 + ImageBytes;          // 3073

    /// <summary>The training files, in the order their records are concatenated.</summary>
    public static readonly IReadOnlyList<string> TrainFiles =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test file.</summary>
    public static readonly IReadOnlyList<string> TestFiles = ["test_batch.bin"];

    /// <summary>Reads the five training batches of <paramref name="folder"/> (50,000 images for the real data set).</summary>
    public static ImageSet LoadTrain(string folder) => LoadFiles(folder, TrainFiles);

    /// <summary>Reads <c>test_batch.bin</c> of <paramref name="folder"/> (10,000 images for the real data set).</summary>
    public static ImageSet LoadTest(string folder) => LoadFiles(folder, TestFiles);

    /// <summary>
    /// Reads and concatenates <paramref name="files"/> (names inside <paramref name="folder"/>). All files are
    /// checked to exist before any is read, so a missing file is reported at once with the folder looked in.
    /// </summary>
    public static ImageSet LoadFiles(string folder, IReadOnlyList<string> files)
    {
        var missing = files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count > 0)
            throw new DatasetNotFoundException(
                $"CIFAR-10: missing {string.Join(", ", missing)} in folder '{Path.GetFullPath(folder)}' " +
                $"(expected the binary version's files {string.Join(", ", TrainFiles.Concat(TestFiles))}; " +
                "pass --data-dir pointing at the folder cifar-10-batches-bin or its parent)");

        var parts = files.Select(f => ReadFile(Path.Combine(folder, f))).ToList();
        int count = parts.Sum(p => p.Labels.Length);
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new byte[count];
        int at = 0;
        foreach (var (px, lb) in parts)
        {
            px.CopyTo(pixels.AsSpan(at * ImageBytes));
            lb.CopyTo(labels.AsSpan(at));
            at += lb.Length;
        }
        return new ImageSet(pixels, count, Side, Side, Channels, labels, Classes);
    }

    /// <summary>Reads one batch file: returns its images (NCHW bytes) and labels.</summary>
    public static (byte[] Pixels, byte[] Labels) ReadFile(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length % RecordBytes != 0)
            throw new DatasetFormatException(
                $"CIFAR-10 file '{path}' has {raw.Length} bytes, not a multiple of the record size {RecordBytes} " +
                $"(1 label byte + {ImageBytes} pixel bytes): {raw.Length / RecordBytes} whole records and " +
                $"{raw.Length % RecordBytes} bytes left over from offset {raw.Length / RecordBytes * (long)RecordBytes}");

        int count = raw.Length / RecordBytes;
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            long offset = (long)i * RecordBytes;
            byte label = raw[offset];
            if (label >= Classes)
                throw new DatasetFormatException(
                    $"CIFAR-10 file '{path}': label {label} of record {i} at offset {offset}, expected a class index in [0, {Classes})");
            labels[i] = label;
            raw.AsSpan((int)offset + 1, ImageBytes).CopyTo(pixels.AsSpan(i * ImageBytes, ImageBytes));
        }
        return (pixels, labels);
    }
}
