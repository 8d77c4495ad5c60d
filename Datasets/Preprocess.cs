namespace Pade.Datasets;

/// <summary>
/// Pixel preprocessing on spans: byte-to-float normalisation, zero padding, and the CIFAR augmentation
/// (random crop of a padded image, horizontal flip). Images are C x H x W, batches N x C x H x W.
/// </summary>
/// <remarks>
/// Geometry (padding, crops, flips) is applied to the raw bytes, before normalisation, as torchvision does on PIL
/// images: a padded border is then black (byte 0), which after normalisation is the value of the data set's
/// background, <c>(0 - mean) / std</c>, rather than the normalised grey that padding the floats with 0 would give.
/// The routines are generic over the element type so the same code moves bytes or floats.
/// </remarks>
public static class Preprocess
{
    /// <summary>
    /// out = (pixel / 255 - mean[c]) / std[c] for <paramref name="count"/> images of
    /// <paramref name="channels"/> planes of <paramref name="planeSize"/> (= H*W) bytes.
    /// </summary>
    public static void Normalize(ReadOnlySpan<byte> pixels, Span<float> output, int count, int channels, int planeSize,
                                 ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        CheckStats(channels, mean, std);
        long n = (long)count * channels * planeSize;
        if (pixels.Length < n || output.Length < n)
            throw new ArgumentException(
                $"Normalize: {count} images x {channels} x {planeSize} = {n} values, but input has {pixels.Length} " +
                $"and output {output.Length}");

        // Folded into one multiply-add per pixel: x/255/std - mean/std.
        Span<float> scale = stackalloc float[channels];
        Span<float> shift = stackalloc float[channels];
        for (int c = 0; c < channels; c++)
        {
            scale[c] = 1f / (255f * std[c]);
            shift[c] = -mean[c] / std[c];
        }
        int at = 0;
        for (int i = 0; i < count; i++)
            for (int c = 0; c < channels; c++, at += planeSize)
            {
                var src = pixels.Slice(at, planeSize);
                var dst = output.Slice(at, planeSize);
                float a = scale[c], b = shift[c];
                for (int k = 0; k < src.Length; k++) dst[k] = src[k] * a + b;
            }
    }

    /// <summary>As <see cref="Normalize(ReadOnlySpan{byte},Span{float},int,int,int,ReadOnlySpan{float},ReadOnlySpan{float})"/>
    /// for values already on the 0..1 scale, in place: x = (x - mean[c]) / std[c].</summary>
    public static void Normalize(Span<float> values, int count, int channels, int planeSize,
                                 ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        CheckStats(channels, mean, std);
        int at = 0;
        for (int i = 0; i < count; i++)
            for (int c = 0; c < channels; c++, at += planeSize)
            {
                var plane = values.Slice(at, planeSize);
                float m = mean[c], inv = 1f / std[c];
                for (int k = 0; k < plane.Length; k++) plane[k] = (plane[k] - m) * inv;
            }
    }

    /// <summary>
    /// Copies <paramref name="count"/> images of C x H x W into (H+2p) x (W+2p) frames filled with
    /// <paramref name="fill"/>: pixel (r, c) goes to (r+p, c+p).
    /// </summary>
    public static void Pad<T>(ReadOnlySpan<T> src, Span<T> dst, int count, int channels, int height, int width,
                              int pad, T fill)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pad);
        int oh = height + 2 * pad, ow = width + 2 * pad;
        Require(src.Length >= (long)count * channels * height * width, "Pad: source too small");
        Require(dst.Length >= (long)count * channels * oh * ow, "Pad: destination too small");
        for (int p = 0; p < count * channels; p++)
        {
            var inPlane = src.Slice(p * height * width, height * width);
            var outPlane = dst.Slice(p * oh * ow, oh * ow);
            outPlane.Fill(fill);
            for (int r = 0; r < height; r++)
                inPlane.Slice(r * width, width).CopyTo(outPlane.Slice((r + pad) * ow + pad, width));
        }
    }

    /// <summary>
    /// MNIST-style 28x28 images to 32x32 by zero-padding 2 pixels on each side (a new <see cref="ImageSet"/>).
    /// </summary>
    /// <remarks>
    /// LeNet-5 (LeCun et al., 1998) takes 32x32 inputs, and the paper describes MNIST's 28x28 digits as centred in
    /// that larger field; the PAU authors' code resizes (interpolates) instead. We pad: every original pixel keeps
    /// its exact value, and the border is the data set's own background (0), so no interpolation artefacts enter.
    /// </remarks>
    public static ImageSet PadTo32(ImageSet set)
    {
        if (set.Height != set.Width || set.Height > 32 || (32 - set.Height) % 2 != 0)
            throw new ArgumentException(
                $"PadTo32 needs square images of even side at most 32, got {set.Height}x{set.Width}");
        return Pad(set, (32 - set.Height) / 2);
    }

    /// <summary>Zero-pads every image of <paramref name="set"/> by <paramref name="pad"/> pixels on each side.</summary>
    public static ImageSet Pad(ImageSet set, int pad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pad);
        int h = set.Height + 2 * pad, w = set.Width + 2 * pad;
        var pixels = new byte[(long)set.Count * set.Channels * h * w];
        Pad<byte>(set.Pixels, pixels, set.Count, set.Channels, set.Height, set.Width, pad, 0);
        return set with { Pixels = pixels, Height = h, Width = w };
    }

    /// <summary>
    /// One image: the H x W window at offset (<paramref name="dy"/>, <paramref name="dx"/>) of the image padded by
    /// <paramref name="pad"/> on each side with <paramref name="fill"/>, optionally mirrored left-right. dy, dx are
    /// in [0, 2*pad]; (pad, pad) with no flip is the identity. Computed without building the padded image.
    /// </summary>
    public static void CropFlip<T>(ReadOnlySpan<T> src, Span<T> dst, int channels, int height, int width,
                                   int pad, int dy, int dx, bool flip, T fill)
    {
        if ((uint)dy > (uint)(2 * pad) || (uint)dx > (uint)(2 * pad))
            throw new ArgumentOutOfRangeException(nameof(dy), $"crop offset ({dy}, {dx}) must lie in [0, {2 * pad}]");
        int plane = height * width;
        Require(src.Length >= channels * plane && dst.Length >= channels * plane, "CropFlip: spans smaller than one image");
        for (int c = 0; c < channels; c++)
        {
            var inPlane = src.Slice(c * plane, plane);
            var outPlane = dst.Slice(c * plane, plane);
            for (int r = 0; r < height; r++)
            {
                int sr = r + dy - pad;                      // source row in the unpadded image
                var outRow = outPlane.Slice(r * width, width);
                if ((uint)sr >= (uint)height) { outRow.Fill(fill); continue; }
                var inRow = inPlane.Slice(sr * width, width);
                for (int col = 0; col < width; col++)
                {
                    int oc = flip ? width - 1 - col : col;  // flip mirrors the crop, as RandomCrop then RandomHorizontalFlip
                    int sc = oc + dx - pad;
                    outRow[col] = (uint)sc < (uint)width ? inRow[sc] : fill;
                }
            }
        }
    }

    /// <summary>
    /// The standard CIFAR augmentation of one image (RandomCrop(32, padding=4) then RandomHorizontalFlip(0.5)):
    /// draws the offset and the flip from <paramref name="rng"/> in a fixed order (dy, dx, flip) so runs repeat.
    /// </summary>
    public static void RandomCropFlip<T>(ReadOnlySpan<T> src, Span<T> dst, int channels, int height, int width,
                                         int pad, SplitMix64 rng, T fill)
    {
        int dy = rng.NextInt(2 * pad + 1);
        int dx = rng.NextInt(2 * pad + 1);
        bool flip = rng.NextBool();
        CropFlip(src, dst, channels, height, width, pad, dy, dx, flip, fill);
    }

    static void CheckStats(int channels, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length != channels || std.Length != channels)
            throw new ArgumentException(
                $"normalisation needs one mean and one std per channel: {channels} channels, {mean.Length} means, {std.Length} stds");
        foreach (float s in std)
            if (!(s > 0)) throw new ArgumentException($"normalisation std must be positive, got {s}");
    }

    static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
