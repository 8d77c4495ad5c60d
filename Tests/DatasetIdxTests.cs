using NUnit.Framework;
using Pade.Datasets;
using static Pade.Tests.DatasetTestFiles;

namespace Pade.Tests;

[TestFixture]
public class DatasetIdxTests
{
    string _dir = "";

    [SetUp] public void SetUp() => _dir = NewTempDir();
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadsImagesAndLabels_PlainOrGzip(bool gzip)
    {
        var pixels = Pixels(0, 3, 4 * 5);
        byte[] img = Idx3(3, 4, 5, pixels), lab = Idx1([7, 0, 9]);
        var set = Idx.Load(Write("i", gzip ? Gzip(img) : img), Write("l", gzip ? Gzip(lab) : lab));
        Assert.That(set.Count, Is.EqualTo(3));
        Assert.That((set.Height, set.Width, set.Channels, set.Classes), Is.EqualTo((4, 5, 1, 10)));
        Assert.That(set.Pixels, Is.EqualTo(pixels));
        Assert.That(set.Labels, Is.EqualTo(new byte[] { 7, 0, 9 }));
        Assert.That(set.Image(1).ToArray(), Is.EqualTo(pixels.AsSpan(20, 20).ToArray()));
    }

    [Test]
    public void WrongMagic_NamesFileOffsetAndExpectedMagic()
    {
        // A labels file given where images are expected.
        string path = Write("swapped-idx3", Idx1([1, 2, 3]));
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("expected magic 0x00000803 (idx3 images) at offset 0"));
        Assert.That(e.Message, Does.Contain("found 0x00000801"));
    }

    [Test]
    public void WrongMagic_Labels()
    {
        string path = Write("junk", [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0]);
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("expected magic 0x00000801 (idx1 labels) at offset 0")
                                       .And.Contain("found 0xDEADBEEF"));
    }

    [Test]
    public void TruncatedImages_NamesFileOffsetAndExpectedSize()
    {
        // Header announces 3 images of 4x5 = 60 bytes; only 50 follow: the file ends at 16 + 50 = 66 instead of 76.
        var bytes = Idx3(3, 4, 5, Pixels(0, 3, 20))[..66];
        string path = Write("short-idx3", bytes);
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("ended at offset 66"));
        Assert.That(e.Message, Does.Contain("expected 76 bytes"));
        Assert.That(e.Message, Does.Contain("60 bytes of image data for 3 images of 4x5"));
    }

    [Test]
    public void TruncatedGzip_SaysOffsetIsInDecompressedData()
    {
        string path = Write("short.gz", Gzip(Idx3(3, 4, 5, Pixels(0, 3, 20))[..30]));
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("ended at offset 30 of the decompressed data")
                                       .And.Contain("expected 76 bytes"));
    }

    [Test]
    public void TruncatedHeader()
    {
        string path = Write("tiny", Idx3(3, 4, 5, [])[..10]);
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain("ended at offset 10").And.Contain("16-byte idx3 header"));
    }

    [Test]
    public void TruncatedLabels()
    {
        string path = Write("short-idx1", Idx1([1, 2], count: 5));
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("ended at offset 10").And.Contain("expected 13 bytes"));
    }

    [Test]
    public void LabelCountDifferentFromImageCount_NamesBothFilesAndCounts()
    {
        string images = Write("imgs-idx3", Idx3(3, 2, 2, Pixels(0, 3, 4)));
        string labels = Write("labs-idx1", Idx1([1, 2]));
        var e = Assert.Throws<DatasetFormatException>(() => Idx.Load(images, labels))!;
        Assert.That(e.Message, Does.Contain(images).And.Contain(labels));
        Assert.That(e.Message, Does.Contain("label count 2").And.Contain("image count 3"));
    }

    [Test]
    public void LabelOutOfRange_NamesOffset()
    {
        string path = Write("bad-idx1", Idx1([1, 2, 10]));
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("label 10 at offset 10").And.Contain("[0, 10)"));
    }

    [Test]
    public void ExtraBytesAfterData_AreRejected()
    {
        string path = Write("long-idx1", [.. Idx1([1, 2]), 0]);
        var e = Assert.Throws<DatasetFormatException>(() => Idx.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain("data after offset 10"));
    }

    [Test]
    public void MissingFile_IsFileNotFound()
    {
        string path = Path.Combine(_dir, "nope");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path));
    }
}
