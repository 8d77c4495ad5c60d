using NUnit.Framework;
using Pade.Datasets;
using Pade.Engine;

namespace Pade.Tests.Training;

public class DataLoaderTests
{
    /// <summary>A set whose image i carries its own index in its first two pixels (i mod 256, i / 256).</summary>
    static ImageSet Indexed(int count, int side = 32, int channels = 1)
    {
        int size = channels * side * side;
        var pixels = new byte[count * size];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            pixels[i * size] = (byte)(i % 256);
            pixels[i * size + 1] = (byte)(i / 256);
            labels[i] = (byte)(i % 10);
        }
        return new ImageSet(pixels, count, side, side, channels, labels, 10);
    }

    /// <summary>Recovers the image indices of a batch made without normalisation (x = byte / 255).</summary>
    static int[] Indices(Tensor x)
    {
        var v = x.ToArray<float>();
        int n = x.Size(0), size = v.Length / n;
        return Enumerable.Range(0, n).Select(i => (int)Math.Round(v[i * size] * 255) + 256 * (int)Math.Round(v[i * size + 1] * 255)).ToArray();
    }

    static List<int> EpochOrder(DataLoader loader, int epoch)
    {
        var order = new List<int>();
        foreach (var (x, y) in loader.Epoch(epoch))
        {
            var idx = Indices(x);
            var labels = y.ToArray<int>();
            for (int i = 0; i < idx.Length; i++) Assert.That(labels[i], Is.EqualTo(idx[i] % 10), "label travels with its image");
            order.AddRange(idx);
        }
        return order;
    }

    [Test]
    public void ShuffledEpochIsAPermutationThatRepeatsWithTheSeed()
    {
        var set = Indexed(1000);
        var a = new DataLoader(set, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 7 });
        var b = new DataLoader(set, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 7 });
        var c = new DataLoader(set, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 8 });

        var e0 = EpochOrder(a, 0);
        Assert.That(e0.Order(), Is.EqualTo(Enumerable.Range(0, 1000)), "every image exactly once");
        Assert.That(e0, Is.Not.EqualTo(Enumerable.Range(0, 1000)), "shuffled");
        Assert.That(EpochOrder(b, 0), Is.EqualTo(e0), "same seed, same epoch: same order");
        Assert.That(EpochOrder(a, 0), Is.EqualTo(e0), "re-enumerating repeats (buffers are reused)");
        Assert.That(EpochOrder(a, 1), Is.Not.EqualTo(e0), "another epoch, another order");
        Assert.That(EpochOrder(c, 0), Is.Not.EqualTo(e0), "another seed, another order");
    }

    [Test]
    public void UnshuffledKeepsFileOrderAndDropLastSkipsTheShortBatch()
    {
        var set = Indexed(130);
        var keep = new DataLoader(set, new DataLoaderOptions { BatchSize = 50 });
        var sizes = keep.Epoch(0).Select(b => b.X.Size(0)).ToList();
        Assert.That(sizes, Is.EqualTo(new[] { 50, 50, 30 }));
        Assert.That(EpochOrder(keep, 3), Is.EqualTo(Enumerable.Range(0, 130)));

        var drop = new DataLoader(set, new DataLoaderOptions { BatchSize = 50, DropLast = true, Shuffle = true, Seed = 1 });
        Assert.That(drop.Epoch(0).Select(b => b.X.Size(0)), Is.EqualTo(new[] { 50, 50 }));
        Assert.That(drop.SamplesPerEpoch, Is.EqualTo(100));
    }

    [Test]
    public void PrefetchedBatchesEqualSynchronousOnesIncludingAugmentation()
    {
        var rng = new Random(3);
        var pixels = new byte[300 * 3 * 32 * 32];
        rng.NextBytes(pixels);
        var set = new ImageSet(pixels, 300, 32, 32, 3, new byte[300], 10);
        var loader = new DataLoader(set, new DataLoaderOptions
        {
            BatchSize = 32, Shuffle = true, Seed = 11, Augment = true,
            Normalization = DatasetCatalog.Normalization("cifar10"),
        });
        int b = 0;
        foreach (var (x, y) in loader.Epoch(2))
        {
            var (sx, sy) = loader.Batch(2, b++);
            Assert.That(x.ToArray<float>(), Is.EqualTo(sx.ToArray<float>()), $"batch {b - 1}");
            Assert.That(y.ToArray<int>(), Is.EqualTo(sy.ToArray<int>()));
        }
        Assert.That(b, Is.EqualTo(loader.BatchesPerEpoch));

        // Augmentation changes pixels but is a function of (seed, epoch, batch).
        var plain = new DataLoader(set, new DataLoaderOptions { BatchSize = 32, Shuffle = true, Seed = 11, Normalization = DatasetCatalog.Normalization("cifar10") });
        Assert.That(loader.Batch(2, 0).X.ToArray<float>(), Is.Not.EqualTo(plain.Batch(2, 0).X.ToArray<float>()));
        Assert.That(loader.Batch(2, 0).X.ToArray<float>(), Is.EqualTo(loader.Batch(2, 0).X.ToArray<float>()));
        Assert.That(loader.Batch(3, 0).X.ToArray<float>(), Is.Not.EqualTo(loader.Batch(2, 0).X.ToArray<float>()));
    }

    [Test]
    public void MnistSizedImagesArePaddedTo32AndNormalised()
    {
        var pixels = Enumerable.Repeat((byte)255, 2 * 28 * 28).ToArray();
        var set = new ImageSet(pixels, 2, 28, 28, 1, [3, 4], 10);
        var loader = new DataLoader(set, new DataLoaderOptions { BatchSize = 2, Normalization = new ChannelStats([0.5f], [0.5f]) });
        var (x, y) = loader.Batch(0, 0);
        Assert.That(x.ShapeCopy(), Is.EqualTo(new[] { 2, 1, 32, 32 }));
        Assert.That(y.ToArray<int>(), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(y.DType, Is.EqualTo(DType.Int32));
        var v = x.ToArray<float>();
        Assert.That(v[0], Is.EqualTo(-1f), "border: (0 - 0.5) / 0.5");
        Assert.That(v[2 * 32 + 2], Is.EqualTo(1f), "pixel (0,0) of the digit at (2,2): (1 - 0.5) / 0.5");
        Assert.That(v.Count(f => f == 1f), Is.EqualTo(2 * 28 * 28));
    }

    [Test]
    public void SecondConcurrentEpochIsRefused()
    {
        var loader = new DataLoader(Indexed(100), new DataLoaderOptions { BatchSize = 10 });
        using var first = loader.Epoch(0).GetEnumerator();
        Assert.That(first.MoveNext(), Is.True);
        Assert.Throws<InvalidOperationException>(() => loader.Epoch(1).GetEnumerator().MoveNext());
        first.Dispose();
        Assert.That(loader.Epoch(1).Count(), Is.EqualTo(10), "usable again once the first is disposed");
    }
}
