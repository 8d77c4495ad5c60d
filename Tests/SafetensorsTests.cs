using NUnit.Framework;
using System.Buffers.Binary;
using System.Text;
using Pade.Engine.IO;

namespace Pade.Tests;

[TestFixture]
public class SafetensorsTests
{
    string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "pade-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A file laid out by hand: u64 LE header length, the header text, the data buffer.</summary>
    static byte[] Craft(string header, byte[] data, ulong? declaredLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)h.Length);
        h.CopyTo(file, 8);
        data.CopyTo(file, 8 + h.Length);
        return file;
    }

    static byte[] F32Bytes(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), v[i]);
        return b;
    }

    [Test]
    public void RoundTrip_SeveralDtypesShapesAndMetadata()
    {
        var entries = new[]
        {
            SafetensorsEntry.From<float>("layer.weight", [2, 3], [1f, -2f, 3.5f, float.NaN, float.PositiveInfinity, 0f]),
            SafetensorsEntry.From<long>("step", [], [123456789012L]),
            SafetensorsEntry.From<byte>("mask", [3], [1, 0, 255]),
            SafetensorsEntry.From<double>("a.scale", [1], [Math.PI]),
            SafetensorsEntry.From<Half>("half", [2], [(Half)0.5f, (Half)(-2f)]),
            SafetensorsEntry.From<float>("empty", [0, 5], []),
            SafetensorsEntry.From<int>("counts", [2, 1], [7, -7]),
        };
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["pade.epoch"] = "12", ["note"] = "ünïcödé \"q\"" };
        string path = Path.Combine(_dir, "model.safetensors");
        Safetensors.Write(path, entries, meta);

        var file = Safetensors.Read(path);
        Assert.That(file.Metadata, Is.EquivalentTo(meta));
        Assert.That(file.Entries.Select(e => e.Name), Is.EquivalentTo(entries.Select(e => e.Name)));
        foreach (var e in entries)
        {
            var r = file[e.Name];
            Assert.That((r.DType, r.Shape, r.Data), Is.EqualTo((e.DType, e.Shape, e.Data)), e.Name);
        }
        Assert.That(file["layer.weight"].ToArray<float>()[2], Is.EqualTo(3.5f));
        Assert.That(file["step"].ToArray<long>(), Is.EqualTo(new[] { 123456789012L }));
        Assert.That(File.Exists(path + ".tmp"), Is.False);

        // Every tensor starts at a multiple of its element size (the writer orders by decreasing alignment).
        var header = Safetensors.ReadHeader(path);
        foreach (var t in header.Tensors)
            Assert.That(t.Begin % SafetensorsDType.SizeOf(t.DType), Is.Zero, t.Name);
        long headerLen = BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path));
        Assert.That(headerLen % 8, Is.Zero);
    }

    [Test]
    public void Writer_MatchesTheReferenceLayoutByteForByte()
    {
        // {"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}} is 64 bytes: no padding needed.
        var e = SafetensorsEntry.From<float>("attn.0", [1, 2, 3], [0, 1, 2, 3, 4, 5]);
        string json = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        Assert.That(Safetensors.Serialize([e]), Is.EqualTo(Craft(json, F32Bytes(0, 1, 2, 3, 4, 5))));

        // One character shorter and one dimension more: 65 bytes, padded with 7 spaces to 72.
        var e2 = SafetensorsEntry.From<float>("attn0", [1, 1, 2, 3], [0, 1, 2, 3, 4, 5]);
        string json2 = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ";
        Assert.That(Safetensors.Serialize([e2]), Is.EqualTo(Craft(json2, F32Bytes(0, 1, 2, 3, 4, 5))));

        Assert.That(Safetensors.Serialize([]), Is.EqualTo(Craft("{}      ", [])));
        Assert.That(Safetensors.Serialize([], new Dictionary<string, string> { ["framework"] = "pt" }),
                    Is.EqualTo(Craft("{\"__metadata__\":{\"framework\":\"pt\"}}     ", [])));
    }

    [Test]
    public void Writer_OrdersByAlignmentThenName()
    {
        var bytes = Safetensors.Serialize(
        [
            SafetensorsEntry.From<byte>("a", [3], [1, 2, 3]),
            SafetensorsEntry.From<float>("c", [1], [1f]),
            SafetensorsEntry.From<float>("b", [1], [2f]),
            SafetensorsEntry.From<double>("z", [1], [3.0]),
        ]);
        var header = Safetensors.Read(bytes);
        Assert.That(header.Entries.Select(x => x.Name), Is.EqualTo(new[] { "z", "b", "c", "a" }));
    }

    [Test]
    public void Reader_AcceptsAFileWrittenByHand()
    {
        // Two tensors listed out of offset order, metadata last, no alignment padding (header of odd length),
        // a scalar and an empty tensor: all legal.
        string json = "{\"bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [12, 20]}, " +
                      "\"w\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]}," +
                      "\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}," +
                      "\"none\":{\"dtype\":\"BF16\",\"shape\":[3,0],\"data_offsets\":[20,20]}," +
                      "\"__metadata__\":{\"who\":\"hand\"}}";
        var data = new byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(0), -5);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 42);
        F32Bytes(0.25f, -8f).CopyTo(data, 12);
        string path = Path.Combine(_dir, "hand.safetensors");
        File.WriteAllBytes(path, Craft(json, data));

        var f = Safetensors.Read(path);
        Assert.That(f.Entries.Select(e => e.Name), Is.EqualTo(new[] { "ids", "w", "bias", "none" }));
        Assert.That(f["bias"].ToArray<float>(), Is.EqualTo(new[] { 0.25f, -8f }));
        Assert.That(f["bias"].Shape, Is.EqualTo(new long[] { 2 }));
        Assert.That(f["w"].ToArray<int>(), Is.EqualTo(new[] { 42 }));
        Assert.That(f["w"].Shape, Is.Empty);
        Assert.That(f["ids"].ToArray<long>(), Is.EqualTo(new[] { -5L }));
        Assert.That((f["none"].ElementCount, f["none"].Data.Length), Is.EqualTo((0L, 0)));
        Assert.That(f.Metadata["who"], Is.EqualTo("hand"));
        var ex = Assert.Throws<KeyNotFoundException>(() => _ = f["missing"])!;
        Assert.That(ex.Message, Does.Contain("missing").And.Contain("bias"));
    }

    static string Rejected(byte[] file)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(file, "test.safetensors"))!;
        Assert.That(e.Message, Does.Contain("test.safetensors"));
        return e.Message;
    }

    const string OneF32 = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    [Test]
    public void Rejects_HeaderLengthThatOverrunsTheFile()
    {
        string m = Rejected(Craft(OneF32, new byte[8], declaredLength: 1000));
        Assert.That(m, Does.Contain("header length 1000").And.Contain("overruns the file"));
        Assert.That(Rejected(Craft(OneF32, [], declaredLength: ulong.MaxValue)), Does.Contain("overruns"));
        Assert.That(Rejected([1, 0, 0]), Does.Contain("fewer than the 8-byte header length"));
    }

    [Test]
    public void Rejects_HeaderThatIsNotJson()
    {
        Assert.That(Rejected(Craft("{\"x\": {\"dtype\": ", [])), Does.Contain("not valid JSON"));
        Assert.That(Rejected(Craft("[1, 2]  ", [])), Does.Contain("must be a JSON object"));
    }

    [Test]
    public void Rejects_UnknownDtype()
    {
        string m = Rejected(Craft(OneF32.Replace("F32", "F12"), new byte[8]));
        Assert.That(m, Does.Contain("tensor 'x'").And.Contain("unknown dtype \"F12\"").And.Contain("F32"));
        Assert.That(Rejected(Craft(OneF32.Replace("F32", "F4"), new byte[8])), Does.Contain("not supported"));
    }

    [Test]
    public void Rejects_OverlappingOffsets()
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        string m = Rejected(Craft(json, new byte[12]));
        Assert.That(m, Does.Contain("'b'").And.Contain("[4, 12]").And.Contain("overlap tensor 'a'"));
    }

    [Test]
    public void Rejects_OffsetsOutOfRange()
    {
        string m = Rejected(Craft(OneF32.Replace("[0,8]", "[8,16]"), new byte[8]));
        Assert.That(m, Does.Contain("tensor 'x'").And.Contain("[8, 16]").And.Contain("out of range")
                          .And.Contain("holds 8 bytes"));
        Assert.That(Rejected(Craft(OneF32.Replace("[0,8]", "[8,0]"), new byte[8])), Does.Contain("begin <= end"));
        Assert.That(Rejected(Craft(OneF32.Replace("[0,8]", "[0,8,9]"), new byte[8])), Does.Contain("must have 2 integers"));
    }

    [Test]
    public void Rejects_OffsetsThatDoNotMatchShapeTimesDtype()
    {
        string m = Rejected(Craft(OneF32.Replace("[2]", "[3]"), new byte[8]));
        Assert.That(m, Does.Contain("span 8 bytes").And.Contain("shape [3] of F32 needs 12 bytes"));
    }

    [Test]
    public void Rejects_HolesAndUncoveredTail()
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Assert.That(Rejected(Craft(json, new byte[12])), Does.Contain("bytes [4, 8)").And.Contain("belong to no tensor")
                                                          .And.Contain("between 'a' and 'b'"));
        Assert.That(Rejected(Craft(OneF32, new byte[10])), Does.Contain("bytes [8, 10) at the end"));
        Assert.That(Rejected(Craft(OneF32.Replace("[0,8]", "[2,10]"), new byte[10])), Does.Contain("hole at the start"));
    }

    [Test]
    public void Rejects_NegativeDimensionsDuplicatesAndBadMetadata()
    {
        Assert.That(Rejected(Craft(OneF32.Replace("[2]", "[-2]"), new byte[8])), Does.Contain("negative dimension -2"));
        Assert.That(Rejected(Craft(OneF32.Replace("[2]", "[2.5]"), new byte[8])), Does.Contain("\"shape\"[0] must be an integer"));
        string dup = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
                     "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Assert.That(Rejected(Craft(dup, new byte[8])), Does.Contain("\"x\" twice"));
        string meta = "{\"__metadata__\":{\"epoch\":3}}";
        Assert.That(Rejected(Craft(meta, [])), Does.Contain("\"epoch\" must be a string"));
        Assert.That(Rejected(Craft("{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])), Does.Contain("missing \"dtype\""));
    }

    [Test]
    public void InterruptedWrite_LeavesThePreviousFileIntact()
    {
        string path = Path.Combine(_dir, "ckpt.safetensors");
        Safetensors.Write(path, [SafetensorsEntry.From<float>("w", [4], [1, 2, 3, 4])],
                          new Dictionary<string, string> { ["epoch"] = "1" });
        byte[] before = File.ReadAllBytes(path);

        // The second checkpoint's data source dies half-way through its tensor (a GPU copy failing, a full disk...).
        var failing = new SafetensorsSource("w", "F32", [1024], s =>
        {
            s.Write(new byte[2048]);
            throw new IOException("simulated failure mid-write");
        });
        var e = Assert.Throws<IOException>(() => Safetensors.Write(path, [failing]))!;
        Assert.That(e.Message, Does.Contain("simulated"));

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(File.Exists(path + ".tmp"), Is.False);
        var f = Safetensors.Read(path);
        Assert.That(f["w"].ToArray<float>(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
        Assert.That(f.Metadata["epoch"], Is.EqualTo("1"));
    }

    [Test]
    public void Writer_ChecksWhatSourcesWrite()
    {
        string path = Path.Combine(_dir, "x.safetensors");
        var tooShort = new SafetensorsSource("w", "F32", [2], s => s.Write(new byte[4]));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Safetensors.Write(path, [tooShort]))!.Message,
                    Does.Contain("wrote 4 bytes, expected 8"));
        var tooLong = new SafetensorsSource("w", "F32", [2], s => s.Write(new byte[12]));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Safetensors.Write(path, [tooLong]))!.Message,
                    Does.Contain("more than the 8 bytes"));
        Assert.That(File.Exists(path), Is.False);
        Assert.That(File.Exists(path + ".tmp"), Is.False);

        var a = SafetensorsEntry.From<float>("w", [1], [1f]);
        Assert.That(Assert.Throws<ArgumentException>(() => Safetensors.Serialize([a, a]))!.Message, Does.Contain("two tensors are named 'w'"));
        Assert.Throws<ArgumentException>(() => Safetensors.Serialize([a with { DType = "F12" }]));
        Assert.Throws<ArgumentException>(() => Safetensors.Serialize([a with { Name = "__metadata__" }]));
    }

    [Test]
    public void Entry_ChecksLengthAndType()
    {
        Assert.Throws<ArgumentException>(() => SafetensorsEntry.From<float>("w", [2, 2], [1f, 2f, 3f]));
        var e = SafetensorsEntry.From<float>("w", [1], [1f]);
        var ex = Assert.Throws<InvalidOperationException>(() => e.ToArray<double>())!;
        Assert.That(ex.Message, Does.Contain("F32").And.Contain("Double"));
    }
}
