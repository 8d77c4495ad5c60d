namespace Pade.Datasets;

/// <summary>
/// A labelled set of images kept as the raw bytes of the files (0..255), which is 4x smaller than floats and lets
/// augmentation (padding, crops, flips) move exact pixel values; conversion to normalised floats happens per batch.
/// </summary>
/// <remarks>
/// Layout is N x C x H x W (PyTorch's NCHW): image <c>i</c> occupies
/// <c>Pixels[i*C*H*W .. (i+1)*C*H*W)</c>, and inside it channel <c>c</c> is a plane of H rows of W bytes.
/// For CIFAR-10 this is exactly the layout of a record in the binary files (1024 R, then 1024 G, then 1024 B).
/// </remarks>
/// <param name="Pixels">Count*Channels*Height*Width bytes, NCHW.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Height">Rows per image.</param>
/// <param name="Width">Columns per image.</param>
/// <param name="Channels">1 for MNIST/Fashion-MNIST, 3 for CIFAR-10.</param>
/// <param name="Labels">Count class indices, each in [0, Classes).</param>
/// <param name="Classes">Number of classes (10 for all three data sets).</param>
public sealed record ImageSet(byte[] Pixels, int Count, int Height, int Width, int Channels, byte[] Labels, int Classes)
{
    /// <summary>Bytes per image: Channels*Height*Width.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The bytes of image <paramref name="index"/> (C*H*W, channel planes one after the other).</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"image index must be in [0, {Count})");
        return Pixels.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>
    /// The first <paramref name="n"/> images (a copy). Used by tests and quick runs (<c>--limit</c>);
    /// n larger than Count returns the whole set.
    /// </summary>
    public ImageSet Take(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n >= Count) return this;
        return this with
        {
            Pixels = Pixels.AsSpan(0, n * ImageSize).ToArray(),
            Labels = Labels.AsSpan(0, n).ToArray(),
            Count = n,
        };
    }
}

/// <summary>The two halves of a data set as the papers use them, and where they came from (for logs).</summary>
public sealed record DatasetSplits(string Name, ImageSet Train, ImageSet Test, string Source);
