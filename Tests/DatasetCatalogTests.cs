using NUnit.Framework;
using Pade.Datasets;
using static Pade.Tests.DatasetTestFiles;

namespace Pade.Tests;

[TestFixture]
public class DatasetCatalogTests
{
    // Decompressing the embedded MNIST takes about a second: do it once for the fixture.
    static readonly Lazy<DatasetSplits> Mnist = new(() => DatasetCatalog.Load("mnist", dataDir: null));

    string _dir = "";

    [SetUp] public void SetUp() => _dir = NewTempDir();
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void EmbeddedMnist_Loads60000And10000DigitsOf28x28()
    {
        var m = Mnist.Value;
        Assert.That(m.Source, Does.Contain("embedded"));
        Assert.That((m.Train.Count, m.Test.Count), Is.EqualTo((60000, 10000)));
        foreach (var s in new[] { m.Train, m.Test })
        {
            Assert.That((s.Height, s.Width, s.Channels, s.Classes), Is.EqualTo((28, 28, 1, 10)));
            Assert.That(s.Pixels, Has.Length.EqualTo(s.Count * 784));
            Assert.That(s.Labels.Max(), Is.EqualTo(9));
        }
        // The well-known class counts of MNIST (LeCun et al.), and its first labels: 5 (train), 7 (test).
        Assert.That(Histogram(m.Train.Labels), Is.EqualTo(new[] { 5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949 }));
        Assert.That(Histogram(m.Test.Labels), Is.EqualTo(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 }));
        Assert.That((m.Train.Labels[0], m.Test.Labels[0]), Is.EqualTo(((byte)5, (byte)7)));
        // Digits are centred: the outer 2-pixel frame of the 28x28 field of the first image is blank.
        var first = m.Train.Image(0);
        Assert.That(first[..56].ToArray(), Is.All.EqualTo(0));
        Assert.That(first.ToArray().Max(), Is.EqualTo(255));
    }

    [Test]
    public void Limit_KeepsTheFirstImages()
    {
        var full = Mnist.Value;
        var small = DatasetCatalog.Load("mnist", null, limit: 100);
        Assert.That((small.Train.Count, small.Test.Count), Is.EqualTo((100, 100)));
        Assert.That(small.Train.Labels, Is.EqualTo(full.Train.Labels[..100]));
        Assert.That(small.Test.Pixels, Is.EqualTo(full.Test.Pixels[..(100 * 784)]));
    }

    [Test]
    public void Fashion_LoadsFromTheDebianPackageWhenInstalled()
    {
        if (!File.Exists(Path.Combine(DatasetCatalog.FashionSystemDir, "train-images-idx3-ubyte.gz")))
            Assert.Ignore($"{DatasetCatalog.FashionSystemDir} not present (Debian package dataset-fashion-mnist)");
        var f = DatasetCatalog.Load("fashion", null);
        Assert.That(f.Source, Does.Contain(DatasetCatalog.FashionSystemDir));
        Assert.That((f.Train.Count, f.Test.Count), Is.EqualTo((60000, 10000)));
        Assert.That((f.Train.Height, f.Train.Width, f.Train.Channels), Is.EqualTo((28, 28, 1)));
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
        Assert.That(Histogram(f.Train.Labels), Is.All.EqualTo(6000));
        Assert.That(Histogram(f.Test.Labels), Is.All.EqualTo(1000));
    }

    [TestCase(false, null)]
    [TestCase(true, null)]
    [TestCase(true, "mnist")]
    public void Mnist_FromDataDir_PlainGzipOrSubfolder(bool gzip, string? subfolder)
    {
        WriteIdxSet(subfolder is null ? _dir : Path.Combine(_dir, subfolder), n: 5, m: 3, h: 28, w: 28, gzip);
        var d = DatasetCatalog.Load("mnist", _dir);
        Assert.That((d.Train.Count, d.Test.Count), Is.EqualTo((5, 3)));
        Assert.That(d.Train.Pixels, Is.EqualTo(Pixels(0, 5, 784)));
        Assert.That(d.Test.Labels, Is.EqualTo(new byte[] { 3, 4, 5 }));
    }

    [Test]
    public void Fashion_FromDataDir_ConventionalSubfolder()
    {
        WriteIdxSet(Path.Combine(_dir, "fashion-mnist"), n: 4, m: 2, h: 28, w: 28, gzip: true);
        var d = DatasetCatalog.Load("fashion-mnist", _dir);
        Assert.That((d.Name, d.Train.Count, d.Test.Count), Is.EqualTo(("fashion", 4, 2)));
    }

    [Test]
    public void EmptyDataDir_ErrorNamesTheFoldersLookedIn()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load("fashion", _dir))!;
        Assert.That(e.Message, Does.Contain(_dir).And.Contain(Path.Combine(_dir, "fashion-mnist"))
                                     .And.Contain("train-images-idx3-ubyte"));
    }

    [Test]
    public void Cifar10_WithoutDataDir_SaysDataDirIsNeeded()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load("cifar10", null))!;
        Assert.That(e.Message, Does.Contain("--data-dir"));
    }

    [Test]
    public void Cifar10_EmptyDataDir_NamesBothFoldersLookedIn()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load("cifar10", _dir))!;
        Assert.That(e.Message, Does.Contain(_dir).And.Contain(Path.Combine(_dir, "cifar-10-batches-bin"))
                                     .And.Contain("data_batch_1.bin"));
    }

    [Test]
    public void UnknownName_ListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("imagenet", null))!;
        Assert.That(e.Message, Does.Contain("imagenet").And.Contain("mnist, fashion, cifar10"));
    }

    [Test]
    public void Normalization_HasOneMeanAndStdPerChannel()
    {
        Assert.That(DatasetCatalog.Normalization("mnist").Mean, Is.EqualTo(new[] { 0.1307f }));
        Assert.That(DatasetCatalog.Normalization("fashion").Std, Is.EqualTo(new[] { 0.3530f }));
        var c = DatasetCatalog.Normalization("CIFAR-10");
        Assert.That(c.Mean, Is.EqualTo(new[] { 0.4914f, 0.4822f, 0.4465f }));
        Assert.That(c.Std, Is.EqualTo(new[] { 0.2470f, 0.2435f, 0.2616f }));
    }

    // ---- CIFAR-10 on files written here: 2 records per file ----

    string WriteCifar(string folder)
    {
        Directory.CreateDirectory(folder);
        for (int b = 1; b <= 5; b++)
            File.WriteAllBytes(Path.Combine(folder, $"data_batch_{b}.bin"), CifarRecords(b, (byte)(b - 1), (byte)(9 - b)));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), CifarRecords(6, 3, 8));
        return folder;
    }

    [Test]
    public void Cifar10_ReadsRecordsExactly()
    {
        WriteCifar(Path.Combine(_dir, "cifar-10-batches-bin"));
        var d = DatasetCatalog.Load("cifar10", _dir);   // parent folder: the conventional subfolder is found
        Assert.That((d.Train.Count, d.Test.Count), Is.EqualTo((10, 2)));
        Assert.That((d.Train.Channels, d.Train.Height, d.Train.Width), Is.EqualTo((3, 32, 32)));
        Assert.That(d.Train.Labels, Is.EqualTo(new byte[] { 0, 8, 1, 7, 2, 6, 3, 5, 4, 4 }));
        Assert.That(d.Test.Labels, Is.EqualTo(new byte[] { 3, 8 }));

        // Image 2*(b-1)+i of the training set is record i of data_batch_b; inside it byte k = plane c, row r, col x.
        for (int b = 1; b <= 5; b++)
            for (int i = 0; i < 2; i++)
            {
                var img = d.Train.Image(2 * (b - 1) + i);
                foreach (var (c, r, x) in new[] { (0, 0, 0), (0, 31, 31), (1, 5, 7), (2, 0, 1), (2, 31, 30) })
                {
                    int k = c * 1024 + r * 32 + x;
                    Assert.That(img[k], Is.EqualTo(Pattern(b, i, k)), $"batch {b} record {i} channel {c} ({r},{x})");
                }
            }
        Assert.That(d.Test.Pixels, Is.EqualTo(CifarRecords(6, 3, 8).Where((_, j) => j % 3073 != 0).ToArray()));
    }

    [Test]
    public void Cifar10_SizeNotMultipleOfRecord()
    {
        string path = Path.Combine(_dir, "bad.bin");
        File.WriteAllBytes(path, CifarRecords(1, 0, 1)[..(3073 + 100)]);
        var e = Assert.Throws<DatasetFormatException>(() => Cifar10.ReadFile(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("3173 bytes").And.Contain("multiple of the record size 3073")
                                     .And.Contain("offset 3073"));
    }

    [Test]
    public void Cifar10_LabelAbove9()
    {
        string path = Path.Combine(_dir, "bad.bin");
        File.WriteAllBytes(path, CifarRecords(1, 4, 10));
        var e = Assert.Throws<DatasetFormatException>(() => Cifar10.ReadFile(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("label 10 of record 1 at offset 3073"));
    }

    [Test]
    public void Cifar10_MissingFile_ListsFolderAndFile()
    {
        string folder = WriteCifar(Path.Combine(_dir, "c"));
        File.Delete(Path.Combine(folder, "data_batch_3.bin"));
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load("cifar10", folder))!;
        Assert.That(e.Message, Does.Contain("data_batch_3.bin").And.Contain(folder));
    }

    static int[] Histogram(byte[] labels)
    {
        var h = new int[10];
        foreach (byte l in labels) h[l]++;
        return h;
    }
}
