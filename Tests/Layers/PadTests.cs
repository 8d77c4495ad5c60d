using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>pad(X, pad, mode, value): pairs from the last dim.</summary>
public sealed record PadCase(Spec X, string Mode, int[] Pad, double Value, ulong Seed)
{
    public Tensor Call(Tensor x) => F.Pad(x, Pad, Mode, Value);

    public override string ToString() => $"X {X}, mode {Mode}, pad [{string.Join(", ", Pad)}], value {Value}, seed {Seed}";
}

public static class PadGen
{
    /// <summary>A pad in [lo, hi], its ends (pad = size − 1 for reflect, = size for circular, the most negative) and 0
    /// more often than the rest.</summary>
    private static int Pick(int lo, int hi, int raw)
    {
        if (lo > hi) return lo;
        return (raw % 6) switch
        {
            0 => hi,
            1 => lo,
            2 when lo <= 0 && hi >= 0 => 0,
            _ => lo + raw / 6 % (hi - lo + 1),
        };
    }

    /// <summary>(before, after) of one dim of size n that the mode accepts (PyTorch's rules, negative pads included):
    /// reflect below n with an output of at least 1; replicate any output of at least 1; circular within the elements
    /// left after cropping; constant any crop that leaves a size ≥ 0.</summary>
    public static (int L, int R) Pads(string mode, int n, int a, int b)
    {
        int l, r;
        switch (mode)
        {
            case "reflect":
                l = Pick(-(n - 1), n - 1, a);
                r = Pick(Math.Max(-(n - 1), 1 - n - l), n - 1, b);
                break;
            case "replicate":
                l = Pick(-(n - 1), 4, a);
                r = Pick(1 - n - l, 4, b);
                break;
            case "circular":
                l = Pick(-n, n, a);
                r = l >= 0 ? Pick(l - n, n, b) : Pick(-(n + l), n + l, b);
                break;
            default:
                l = Pick(-n, 3, a);
                r = Pick(-(n + Math.Min(l, 0)), 3, b);
                break;
        }
        return (l, r);
    }

    /// <summary>1 to 3 padded dims of sizes 1..5 after one (unbatched) or two (batched) dims; the batch 0..2 (empty
    /// batches included), channels 1..2; constant also pads inputs with no leading dim. Values in ±2, or a value
    /// for constant.</summary>
    public static readonly Gen<PadCase> Case =
        from mode in Gen.Elements("constant", "reflect", "replicate", "circular")
        from k in Gen.Choose(1, 3)
        from lead in Gen.Choose(mode == "constant" ? 0 : 1, 2)
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 2)))
        from c in Gen.Choose(1, 2)
        from spatial in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(1)), (5, Gen.Choose(2, 5))), k)
        from raw in Gen.ArrayOf(Gen.Choose(0, 1 << 20), 2 * k)
        from value in Gen.Elements(0.0, 0.0, 1.5, -3.25)
        let shape = (lead == 2 ? new[] { n, c } : lead == 1 ? [c] : []).Concat(spatial).ToArray()
        let pad = Enumerable.Range(0, k).SelectMany(i =>
        {
            var (l, r) = Pads(mode, spatial[k - 1 - i], raw[2 * i], raw[2 * i + 1]);
            return new[] { l, r };
        }).ToArray()
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        select new PadCase(x, mode, pad, mode == "constant" ? value : 0, seed);
}

public static class PadArbitraries
{
    public static Arbitrary<PadCase> Case() => PadGen.Case.ToArbitrary();
}

/// <summary>
/// torch.nn.functional.pad and the padding layers: values against float64 loops of the index definitions (circular
/// written as PyTorch's _pad_circular copies, simulated), gradients against central differences, PyTorch's errors;
/// Conv2d's padding_mode against F.pad and the naive convolution.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(PadArbitraries)], MaxTest = 200)]
public class PadTests
{
    // ---- reference: plain loops --------------------------------------------------------------------------------

    /// <summary>Along one dim of size n padded by (l, r): the input each output reads, −1 for constant's fill.</summary>
    private static int[] Sources(string mode, int n, int l, int r)
    {
        int size = n + l + r;
        var src = new int[size];
        if (mode == "circular")
        {
            // PyTorch's _pad_circular: the cropped input into the middle, then the left pad copied from the end of
            // the padded output's middle, then the right pad from its start (index copies instead of value copies).
            for (int o = 0; o < size; o++) src[o] = -1;
            int outFrom = Math.Max(l, 0), outTo = size - Math.Max(r, 0), inFrom = Math.Max(-l, 0);
            for (int o = outFrom; o < outTo; o++) src[o] = inFrom + o - outFrom;
            if (l > 0)
                for (int o = 0; o < l; o++) src[o] = src[size - l - Math.Max(r, 0) + o];
            if (r > 0)
                for (int o = 0; o < r; o++) src[size - r + o] = src[Math.Max(l, 0) + o];
            Assert.That(src.All(s => s >= 0 && s < n), $"circular ({l}, {r}) of {n}: every output reads the input");
            return src;
        }
        for (int o = 0; o < size; o++)
        {
            int i = o - l;
            src[o] = mode switch
            {
                "constant" => i >= 0 && i < n ? i : -1,
                "replicate" => Math.Min(Math.Max(i, 0), n - 1),
                _ => i < 0 ? -i : i > n - 1 ? 2 * (n - 1) - i : i,   // reflect: mirror about the edge, edge once
            };
        }
        return src;
    }

    private static Nd Reference(PadCase c, double[]? values = null)
    {
        var shape = c.X.Shape;
        int rank = shape.Length, k = c.Pad.Length / 2;
        var outShape = (int[])shape.Clone();
        var maps = new int[rank][];
        for (int d = 0; d < rank; d++) maps[d] = Enumerable.Range(0, shape[d]).ToArray();
        for (int i = 0; i < k; i++)
        {
            int d = rank - 1 - i;
            maps[d] = Sources(c.Mode, shape[d], c.Pad[2 * i], c.Pad[2 * i + 1]);
            outShape[d] = maps[d].Length;
        }
        int total = outShape.Aggregate(1, (p, q) => p * q);
        var y = new double[total];
        for (int flat = 0; flat < total; flat++)
        {
            var idx = Nd.Unravel(flat, outShape);
            int at = 0;
            bool fill = false;
            for (int d = 0; d < rank; d++)
            {
                int s = maps[d][idx[d]];
                if (s < 0) { fill = true; break; }
                at = at * shape[d] + s;
            }
            y[flat] = fill ? c.Value : (values ?? c.X.Values)[at];
        }
        return new Nd(outShape, y);
    }

    // ---- properties --------------------------------------------------------------------------------------------

    /// <summary>Every mode is a copy: the values exactly, float64 and float32 (the float32 input's own values).</summary>
    [FsCheck.NUnit.Property]
    public void PadMatchesTheDefinition(PadCase c)
    {
        Expect.Exact(c.Call(c.X.Tensor()), Reference(c), $"pad {c.Mode}");
        var x32 = c.X.Tensor(DType.Float32);
        Expect.Exact(c.Call(x32).To(DType.Float64), Reference(c, x32.To(DType.Float64).ToArray<double>()), $"pad {c.Mode} float32");
        // int32 (the index modes, as PyTorch pads integers): the same copy, dtype kept.
        if (c.Mode == "constant") return;
        var ints = c.X.Values.Select(v => (int)Math.Round(v * 1000)).ToArray();
        var yi = c.Call(Tensor.FromSpan<int>(ints, c.X.Shape));
        Assert.That(yi.DType, Is.EqualTo(DType.Int32), $"pad {c.Mode} int32 dtype");
        Expect.Exact(yi.To(DType.Float64), Reference(c, [.. ints.Select(v => (double)v)]), $"pad {c.Mode} int32");
    }

    [FsCheck.NUnit.Property(MaxTest = 120)]
    public void PadGradients(PadCase c) =>
        Expect.Grad($"pad {c.Mode}", t => c.Call(t[0]), c.Seed, c.X.Tensor());

    /// <summary>The same through the layers, for their rank (int and per-side paddings give the same tuple).</summary>
    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void LayersCallPad(PadCase c)
    {
        int k = c.Pad.Length / 2;
        if (c.X.Rank - k is not (1 or 2)) return;
        var p = c.Pad;
        PadNd layer = (c.Mode, k) switch
        {
            ("constant", 1) => c.Value == 0 ? new ZeroPad1d((p[0], p[1])) : new ConstantPad1d((p[0], p[1]), c.Value),
            ("constant", 2) => c.Value == 0 ? new ZeroPad2d((p[0], p[1], p[2], p[3])) : new ConstantPad2d((p[0], p[1], p[2], p[3]), c.Value),
            ("constant", _) => c.Value == 0 ? new ZeroPad3d((p[0], p[1], p[2], p[3], p[4], p[5])) : new ConstantPad3d((p[0], p[1], p[2], p[3], p[4], p[5]), c.Value),
            ("reflect", 1) => new ReflectionPad1d((p[0], p[1])),
            ("reflect", 2) => new ReflectionPad2d((p[0], p[1], p[2], p[3])),
            ("reflect", _) => new ReflectionPad3d((p[0], p[1], p[2], p[3], p[4], p[5])),
            ("replicate", 1) => new ReplicationPad1d((p[0], p[1])),
            ("replicate", 2) => new ReplicationPad2d((p[0], p[1], p[2], p[3])),
            ("replicate", _) => new ReplicationPad3d((p[0], p[1], p[2], p[3], p[4], p[5])),
            (_, 1) => new CircularPad1d((p[0], p[1])),
            (_, 2) => new CircularPad2d((p[0], p[1], p[2], p[3])),
            _ => new CircularPad3d((p[0], p[1], p[2], p[3], p[4], p[5])),
        };
        Assert.That(layer.Padding, Is.EqualTo(c.Pad));
        Expect.Exact(layer.Call(c.X.Tensor()), Reference(c), layer.ToString());
    }

    // ---- fixed cases -------------------------------------------------------------------------------------------

    /// <summary>Worked examples of the three modes on 0 1 2 3 (PyTorch's documentation), negative pads and the limits.</summary>
    [Test]
    public void WorkedExamples()
    {
        var x = Tensor.FromArray(new double[] { 0, 1, 2, 3 }, 1, 4);
        double[] Pad(int l, int r, string mode) => F.Pad(x, [l, r], mode).ToArray<double>();
        Assert.That(Pad(3, 2, "reflect"), Is.EqualTo(new double[] { 3, 2, 1, 0, 1, 2, 3, 2, 1 }));
        Assert.That(Pad(2, 3, "replicate"), Is.EqualTo(new double[] { 0, 0, 0, 1, 2, 3, 3, 3, 3 }));
        Assert.That(Pad(4, 1, "circular"), Is.EqualTo(new double[] { 0, 1, 2, 3, 0, 1, 2, 3, 0 }));
        Assert.That(Pad(-1, 2, "reflect"), Is.EqualTo(new double[] { 1, 2, 3, 2, 1 }));
        Assert.That(Pad(2, -1, "replicate"), Is.EqualTo(new double[] { 0, 0, 0, 1, 2 }));
        // Circular wraps around what the crop leaves: 1 2 3, then 1 2.
        Assert.That(Pad(-1, 2, "circular"), Is.EqualTo(new double[] { 1, 2, 3, 1, 2 }));
        Assert.That(Pad(-2, -2, "circular"), Is.Empty);
        Assert.That(F.Pad(x, [1, -2], value: 9).ToArray<double>(), Is.EqualTo(new double[] { 9, 0, 1 }));
        // An empty batch pads to an empty batch; zero pads copy.
        Assert.That(F.Pad(Tensor.Zeros(0, 2, 3), [2, 2], "reflect").ShapeCopy(), Is.EqualTo(new[] { 0, 2, 7 }));
        var copy = F.Pad(x, [0, 0], "reflect");
        Assert.That(copy.ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(ReferenceEquals(copy, x), Is.False);
    }

    /// <summary>The backward sums, for each input, the outputs that read it: reflect (3, 2) of 0 1 2 3 reads
    /// 3 2 1 0 1 2 3 2 1, so the gradient of the sum counts 1, 3, 3, 2. Without a gradient no node is recorded.</summary>
    [Test]
    public void TheGradientCountsTheReaders()
    {
        var x = Tensor.FromArray(new double[] { 0, 1, 2, 3 }, 1, 4);
        x.RequiresGrad = true;
        F.Pad(x, [3, 2], "reflect").Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 3, 3, 2 }));
        var c = Tensor.FromArray(new double[] { 0, 1, 2, 3 }, 1, 4);
        c.RequiresGrad = true;
        F.Pad(c, [-1, 2], "circular").Sum().Backward();
        Assert.That(c.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 2, 2, 1 }));
        using (Tensor.NoGrad())
            Assert.That(F.Pad(x, [1, 1], "replicate").RequiresGrad, Is.False);
    }

    [Test]
    public void BadArgumentsThrowPyTorchsMessages()
    {
        var x = Tensor.Zeros(1, 2, 3, 4);
        void Throws(TestDelegate f, params string[] texts)
        {
            var m = Assert.Throws<ArgumentException>(f)!.Message;
            foreach (var t in texts) Assert.That(m, Does.Contain(t));
        }
        Throws(() => F.Pad(x, [1]), "Padding length must be divisible by 2");
        Throws(() => F.Pad(Tensor.Zeros(2, 3), [1, 1, 1, 1, 1, 1], "reflect"), "Padding length should be less than or equal to two times the input dimension", "[2, 3]");
        Throws(() => F.Pad(x, [1, 1], "zeros"), "Unrecognised padding mode 'zeros'");
        Throws(() => F.Pad(x, [1, 1, 1, 1], "reflect", 1), "Padding mode \"reflect\" doesn't take in value argument");
        Throws(() => F.Pad(x, [1, 1], "replicate"), "Only 2D, 3D, 4D, 5D padding with non-constant padding", "[1, 2, 3, 4]", "[1, 1]");
        Throws(() => F.Pad(Tensor.Zeros(4), [1, 1], "circular"), "Only 2D, 3D, 4D, 5D padding");
        Throws(() => F.Pad(x, [4, 0, 0, 0], "reflect"), "Padding size should be less than the corresponding input dimension", "(4, 0)", "dim 3 (size 4)", "[1, 2, 3, 4]");
        Throws(() => F.Pad(x, [0, 0, 0, 3], "reflect"), "Padding size should be less than", "(0, 3)", "dim 2 (size 3)");
        Throws(() => F.Pad(x, [-2, -2, 0, 0], "replicate"), "is too small", "output size: 0");
        Throws(() => F.Pad(Tensor.Zeros(2, 3, 4), [5, 0], "circular"), "wrapping around more than once", "(5, 0)");
        Throws(() => F.Pad(Tensor.Zeros(2, 3, 4), [3, -2], "circular"), "wrapping around more than once", "2 elements remain");
        Throws(() => F.Pad(Tensor.Zeros(2, 3, 4), [-3, -2], "circular"), "Negative padding value is resulting in an empty dimension");
        Throws(() => F.Pad(Tensor.Zeros(1, 0, 3), [1, 1], "reflect"), "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size", "[1, 0, 3]");
        Throws(() => F.Pad(Tensor.Zeros(0, 3), [1, 1], "replicate"), "Expected 2D or 3D");
        Assert.That(F.Pad(Tensor.FromSpan<int>(new[] { 1, 2, 3 }, [1, 3]), [2, 1], "reflect").ToArray<int>(), Is.EqualTo(new[] { 3, 2, 1, 2, 3, 2 }));
        Throws(() => F.Pad(x, [-3, -2]), "negative size");
        // Circular accepts empty channels (no check_valid_input in _pad_circular), constant any dtype.
        Assert.That(F.Pad(Tensor.Zeros(1, 0, 3), [1, 1], "circular").ShapeCopy(), Is.EqualTo(new[] { 1, 0, 5 }));
        Assert.That(F.Pad(Tensor.FromArray(new[] { 1, 2 }), [1, 0], value: 7).ToArray<int>(), Is.EqualTo(new[] { 7, 1, 2 }));
    }

    [Test]
    public void LayersPrintAsPyTorch()
    {
        Assert.That(new ReflectionPad2d(2).ToString(), Is.EqualTo("ReflectionPad2d((2, 2, 2, 2))"));
        Assert.That(new ReflectionPad1d((3, 1)).ToString(), Is.EqualTo("ReflectionPad1d((3, 1))"));
        Assert.That(new ReplicationPad3d(1).ToString(), Is.EqualTo("ReplicationPad3d((1, 1, 1, 1, 1, 1))"));
        Assert.That(new CircularPad2d((1, 0, 2, 3)).ToString(), Is.EqualTo("CircularPad2d((1, 0, 2, 3))"));
        Assert.That(new ZeroPad2d((1, 1, 2, 0)).ToString(), Is.EqualTo("ZeroPad2d((1, 1, 2, 0))"));
        Assert.That(new ZeroPad1d(2).ToString(), Is.EqualTo("ZeroPad1d((2, 2))"));
        Assert.That(new ConstantPad2d(2, 3.5).ToString(), Is.EqualTo("ConstantPad2d(padding=(2, 2, 2, 2), value=3.5)"));
        Assert.That(new ConstantPad1d((3, 1), 2).ToString(), Is.EqualTo("ConstantPad1d(padding=(3, 1), value=2.0)"));
        Assert.That(new ReflectionPad2d(1).Parameters(), Is.Empty);
        // Constant pads any rank, as F.pad; the others check the rank when they run.
        Assert.That(new ConstantPad1d(1, 0.5).Call(Tensor.Zeros(3)).ToArray<float>(), Is.EqualTo(new[] { 0.5f, 0, 0, 0, 0.5f }));
        Assert.That(() => new ReflectionPad2d(1).Call(Tensor.Zeros(3, 3)), Throws.ArgumentException.With.Message.Contains("Only 2D, 3D, 4D, 5D padding"));
    }

    // ---- Conv2d padding_mode -----------------------------------------------------------------------------------

    /// <summary>Conv2d with padding_mode reflect, replicate or circular (sizes or "same", batched or one image) is the
    /// naive convolution without padding of the input padded by the loops above with PyTorch's
    /// _reversed_padding_repeated_twice (same: ⌊t/2⌋ before, the rest after), and F.pad + conv2d exactly; gradients
    /// against central differences; the state dict is the zeros layer's.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void Conv2dPaddingModeIsPadThenConvolve(int a, int b, bool same, bool unbatched)
    {
        var r = new Naive.Picker(a, b);
        string mode = new[] { "reflect", "replicate", "circular" }[r.Next(0, 2)];
        int groups = r.Next(1, 2), cg = r.Next(1, 2), kg = r.Next(1, 2), kh = r.Next(1, 3), kw = r.Next(1, 3);
        var dil = new Size2(r.Next(1, 2), r.Next(1, 2));
        int h = r.Next(2, 6), w = r.Next(2, 6);
        // Pads the mode accepts: reflect below the size, circular at most the size.
        int limH = mode == "reflect" ? h - 1 : h, limW = mode == "reflect" ? w - 1 : w;
        int[] pads;   // (left, right, top, bottom)
        ConvPadding padding;
        if (same)
        {
            int th = dil.H * (kh - 1), tw = dil.W * (kw - 1);
            if (th - th / 2 > limH || tw - tw / 2 > limW) return;
            pads = [tw / 2, tw - tw / 2, th / 2, th - th / 2];
            padding = "same";
        }
        else
        {
            var p = new Size2(r.Next(0, Math.Min(limH, 2)), r.Next(0, Math.Min(limW, 2)));
            if (h + 2 * p.H < dil.H * (kh - 1) + 1 || w + 2 * p.W < dil.W * (kw - 1) + 1) return;
            pads = [p.W, p.W, p.H, p.H];
            padding = p;
        }
        var stride = same ? new Size2(1, 1) : new Size2(r.Next(1, 2), r.Next(1, 2));
        int n = r.Next(1, 2), c = cg * groups, k = kg * groups;
        var layer = new Conv2d(c, k, (kh, kw), stride, padding, dil, groups, bias: r.Next(0, 1) == 1, paddingMode: mode, generator: new Generator((ulong)(uint)a));
        layer.To(dtype: DType.Float64);
        var x = Tensor.Rand(unbatched ? [c, h, w] : [n, c, h, w], -1, 1, DType.Float64, generator: new Generator((ulong)(uint)b));
        string what = $"Conv2d {mode} padding {padding} x={Shapes.Format(x.Shape)} k=({kh}, {kw}) d={dil} s={stride} g={groups}";

        Assert.That(layer.ReversedPaddingRepeatedTwice, Is.EqualTo(pads), what);
        var y = layer.Call(x);
        var xb = unbatched ? x.Unsqueeze(0) : x;
        var padded = Reference(new PadCase(new Spec(xb.ShapeCopy(), xb.ToArray<double>()), mode, pads, 0, 1));
        var expected = Naive.Conv2d(padded.Data, padded.Shape, layer.Weight.ToArray<double>(), layer.Weight.ShapeCopy(), layer.Bias?.ToArray<double>(),
            stride, 0, dil, groups, out var ys);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what);
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-12, what);
        Expect.Exact(y, Nd.Of(F.Conv2d(F.Pad(x, pads, mode), layer.Weight, layer.Bias, stride, 0, dil, groups)), what + " vs F.pad + conv2d");
        if (same) Assert.That(y.ShapeCopy()[^2..], Is.EqualTo(new[] { h, w }), what + ": same keeps the size");
        GradCheck.Assert(what, t => layer.Call(t[0]), [x]);
        Assert.That(layer.StateDict().Keys, Is.EquivalentTo(layer.Bias == null ? new[] { "weight" } : ["weight", "bias"]), what);
    }

    /// <summary>nn.Conv1d's padding_mode as Conv2d's: the sequence padded by the mode's definition (the 1-D loops
    /// above), then the naive convolution with padding 0, seen as a 2-D one on a height-1 image; "same" puts its odd
    /// extra element on the right; then central differences through the layer.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void Conv1dPaddingModeIsPadThenConvolve(int a, int b, bool same, bool unbatched)
    {
        var r = new Naive.Picker(a, b);
        string mode = new[] { "reflect", "replicate", "circular" }[r.Next(0, 2)];
        int groups = r.Next(1, 2), cg = r.Next(1, 2), kg = r.Next(1, 2), kl = r.Next(1, 4), dil = r.Next(1, 2), l = r.Next(2, 7);
        int lim = mode == "reflect" ? l - 1 : l;
        int[] pads;
        ConvPadding1d padding;
        if (same)
        {
            int t = dil * (kl - 1);
            if (t - t / 2 > lim) return;
            pads = [t / 2, t - t / 2];
            padding = "same";
        }
        else
        {
            int p = r.Next(0, Math.Min(lim, 3));
            if (l + 2 * p < dil * (kl - 1) + 1) return;
            pads = [p, p];
            padding = p;
        }
        int stride = same ? 1 : r.Next(1, 2), n = r.Next(1, 2), c = cg * groups, k = kg * groups;
        var layer = new Conv1d(c, k, kl, stride, padding, dil, groups, bias: r.Next(0, 1) == 1, paddingMode: mode, generator: new Generator((ulong)(uint)a));
        layer.To(dtype: DType.Float64);
        var x = Tensor.Rand(unbatched ? [c, l] : [n, c, l], -1, 1, DType.Float64, generator: new Generator((ulong)(uint)b));
        string what = $"Conv1d {mode} padding {padding} x={Shapes.Format(x.Shape)} k={kl} d={dil} s={stride} g={groups}";

        Assert.That(layer.ReversedPaddingRepeatedTwice, Is.EqualTo(pads), what);
        var y = layer.Call(x);
        var xb = unbatched ? x.Unsqueeze(0) : x;
        var padded = Reference(new PadCase(new Spec(xb.ShapeCopy(), xb.ToArray<double>()), mode, pads, 0, 1));
        int[] ws = layer.Weight.ShapeCopy();
        var expected = Naive.Conv2d(padded.Data, [padded.Shape[0], padded.Shape[1], 1, padded.Shape[2]], layer.Weight.ToArray<double>(),
            [ws[0], ws[1], 1, ws[2]], layer.Bias?.ToArray<double>(), new Size2(1, stride), 0, new Size2(1, dil), groups, out var ys);
        int[] want = [ys[0], ys[1], ys[3]];
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? want[1..] : want), what);
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-12, what);
        if (same) Assert.That(y.Size(-1), Is.EqualTo(l), what + ": same keeps the length");
        GradCheck.Assert(what, t => layer.Call(t[0]), [x]);
        Assert.That(layer.ExtraRepr(), Does.EndWith($"padding_mode={mode}"), what);
    }

    [Test]
    public void Conv2dPaddingModeIsNamedAndChecked()
    {
        Assert.That(new Conv2d(3, 4, 3, padding: 1, paddingMode: "reflect").ExtraRepr(),
            Is.EqualTo("3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect"));
        Assert.That(new Conv2d(3, 4, 3, padding: "same", bias: false, paddingMode: "circular").ExtraRepr(),
            Is.EqualTo("3, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False, padding_mode=circular"));
        var zeros = new Conv2d(3, 4, 3, padding: "same");
        Assert.That((zeros.PaddingMode, zeros.PaddingString), Is.EqualTo(("zeros", "same")));
        Assert.That(zeros.ExtraRepr(), Does.Not.Contain("padding_mode"));
        Assert.That(() => new Conv2d(3, 4, 3, paddingMode: "reflection"),
            Throws.ArgumentException.With.Message.Contains("padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='reflection'"));
        // Reflect pads below the size: a padding of 3 on a 3-row image is refused by F.pad, naming the pad.
        Assert.That(() => new Conv2d(1, 1, 3, padding: 3, paddingMode: "reflect").Call(Tensor.Zeros(1, 1, 3, 8)),
            Throws.ArgumentException.With.Message.Contains("Padding size should be less than").And.Message.Contains("(3, 3)"));
    }
}
