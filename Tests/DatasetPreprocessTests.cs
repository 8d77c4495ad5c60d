using NUnit.Framework;
using Pade.Datasets;

namespace Pade.Tests;

[TestFixture]
public class DatasetPreprocessTests
{
    static ImageSet Random28(int count, int channels = 1)
    {
        var rng = new SplitMix64(42);
        var px = new byte[count * channels * 28 * 28];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(1 + rng.NextInt(255));   // never 0: padding is visible
        return new ImageSet(px, count, 28, 28, channels, new byte[count], 10);
    }

    [Test]
    public void PadTo32_MovesPixelRcToRplus2Cplus2_AndZerosAround()
    {
        var set = Random28(3, channels: 2);
        var padded = Preprocess.PadTo32(set);
        Assert.That((padded.Height, padded.Width, padded.Channels, padded.Count), Is.EqualTo((32, 32, 2, 3)));
        Assert.That(padded.Labels, Is.SameAs(set.Labels));
        for (int i = 0; i < 3; i++)
        {
            var src = set.Image(i);
            var dst = padded.Image(i);
            for (int c = 0; c < 2; c++)
                for (int r = 0; r < 32; r++)
                    for (int x = 0; x < 32; x++)
                    {
                        byte got = dst[c * 1024 + r * 32 + x];
                        bool inside = r is >= 2 and < 30 && x is >= 2 and < 30;
                        byte want = inside ? src[c * 784 + (r - 2) * 28 + (x - 2)] : (byte)0;
                        if (got != want)
                            Assert.Fail($"image {i} channel {c} pixel ({r},{x}): got {got}, expected {want}");
                    }
        }
    }

    [Test]
    public void PadTo32_RejectsImagesThatDoNotFit()
    {
        var set = new ImageSet(new byte[33 * 33], 1, 33, 33, 1, [0], 10);
        Assert.Throws<ArgumentException>(() => Preprocess.PadTo32(set));
    }

    [Test]
    public void Normalize_MapsBytesToStandardScores()
    {
        byte[] px = [0, 255, 51, 0, 255, 102];   // 2 images, 1 channel, 3 pixels
        var outp = new float[6];
        Preprocess.Normalize(px, outp, count: 2, channels: 1, planeSize: 3, [0.1307f], [0.3081f]);
        Assert.That(outp[0], Is.EqualTo(-0.1307f / 0.3081f).Within(1e-5));
        Assert.That(outp[1], Is.EqualTo((1 - 0.1307f) / 0.3081f).Within(1e-5));
        Assert.That(outp[5], Is.EqualTo((0.4f - 0.1307f) / 0.3081f).Within(1e-5));
    }

    [Test]
    public void Normalize_UsesEachChannelsStats()
    {
        var stats = DatasetCatalog.Normalization("cifar10");
        byte[] px = [255, 255, 255];           // one 1x1 image, 3 channels
        var outp = new float[3];
        Preprocess.Normalize(px, outp, 1, 3, 1, stats.Mean, stats.Std);
        for (int c = 0; c < 3; c++)
            Assert.That(outp[c], Is.EqualTo((1 - stats.Mean[c]) / stats.Std[c]).Within(1e-5));

        var floats = new float[] { 1, 1, 1 };
        Preprocess.Normalize(floats, 1, 3, 1, stats.Mean, stats.Std);
        Assert.That(floats, Is.EqualTo(outp).Within(1e-5));
        Assert.Throws<ArgumentException>(() => Preprocess.Normalize(px, outp, 1, 3, 1, [0.5f], [0.5f]));
    }

    [Test]
    public void CropFlip_CentreWithoutFlipIsIdentity()
    {
        var img = Random28(1, 3).Pixels;
        var outp = new byte[img.Length];
        Preprocess.CropFlip<byte>(img, outp, 3, 28, 28, pad: 4, dy: 4, dx: 4, flip: false, fill: 0);
        Assert.That(outp, Is.EqualTo(img));
    }

    [Test]
    public void CropFlip_ShiftsAndFillsTheUncoveredBorder()
    {
        // 1 channel 3x3: values 1..9. Window at (0,0) of the image padded by 1: shifted one down-right.
        byte[] img = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var outp = new byte[9];
        Preprocess.CropFlip<byte>(img, outp, 1, 3, 3, pad: 1, dy: 0, dx: 0, flip: false, fill: 0);
        Assert.That(outp, Is.EqualTo(new byte[] { 0, 0, 0, 0, 1, 2, 0, 4, 5 }));
        Preprocess.CropFlip<byte>(img, outp, 1, 3, 3, pad: 1, dy: 1, dx: 2, flip: false, fill: 0);
        Assert.That(outp, Is.EqualTo(new byte[] { 2, 3, 0, 5, 6, 0, 8, 9, 0 }));
        Preprocess.CropFlip<byte>(img, outp, 1, 3, 3, pad: 1, dy: 1, dx: 1, flip: true, fill: 0);
        Assert.That(outp, Is.EqualTo(new byte[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 }));
        // Flip applies to the crop (RandomCrop, then RandomHorizontalFlip).
        Preprocess.CropFlip<byte>(img, outp, 1, 3, 3, pad: 1, dy: 1, dx: 2, flip: true, fill: 0);
        Assert.That(outp, Is.EqualTo(new byte[] { 0, 3, 2, 0, 6, 5, 0, 9, 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Preprocess.CropFlip<byte>(img, outp, 1, 3, 3, pad: 1, dy: 3, dx: 0, flip: false, fill: 0));
    }

    [Test]
    public void RandomCropFlip_RepeatsWithTheSameSeed()
    {
        var img = Random28(1, 3).Pixels;
        byte[] Run(ulong seed)
        {
            var rng = new SplitMix64(seed);
            var all = new List<byte>();
            var outp = new byte[img.Length];
            for (int k = 0; k < 20; k++)
            {
                Preprocess.RandomCropFlip<byte>(img, outp, 3, 28, 28, 4, rng, 0);
                all.AddRange(outp);
            }
            return all.ToArray();
        }
        Assert.That(Run(7), Is.EqualTo(Run(7)));
        Assert.That(Run(7), Is.Not.EqualTo(Run(8)));
    }
}
