using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>PyTorch's string paddings: "valid" (none) and "same" (output size = input size, stride 1), whose odd
/// total padding D·(K − 1) puts the extra row and column at the bottom and right.</summary>
public class ConvPaddingModeTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    /// <summary>"same" against the naive convolution of the image zero-padded by hand (⌊t/2⌋ before, the rest after),
    /// for random kernels (even and odd), dilations, groups, batches and one unbatched image; then central differences.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void SameKeepsTheSizeAndPadsTheExtraAfter(int a, int b, bool bias, bool unbatched)
    {
        var r = new Naive.Picker(a, b);
        int groups = r.Next(1, 2), cg = r.Next(1, 2), kg = r.Next(1, 2), kh = r.Next(1, 4), kw = r.Next(1, 4);
        var dil = new Size2(r.Next(1, 3), r.Next(1, 2));
        int n = unbatched ? 1 : r.Next(1, 2), h = r.Next(1, 6), w = r.Next(1, 6);
        int[] xs = [n, cg * groups, h, w], ws = [kg * groups, cg, kh, kw];
        var x = Rand(unbatched ? xs[1..] : xs, (ulong)(uint)a);
        var wt = Rand(ws, (ulong)(uint)b);
        var bt = bias ? Rand([ws[0]], 3) : null;
        string what = $"same x={Shapes.Format(x.Shape)} w={Shapes.Format(ws)} d={dil} g={groups}";

        var y = F.Conv2d(x, wt, bt, padding: "same", dilation: dil, groups: groups);
        int th = dil.H * (kh - 1), tw = dil.W * (kw - 1);
        int[] padded = [n, xs[1], h + th, w + tw];
        var xp = new double[padded.Aggregate(1, (p, q) => p * q)];
        var xv = x.ToArray<double>();
        for (int i = 0; i < n * xs[1]; i++)
            for (int u = 0; u < h; u++)
                for (int v = 0; v < w; v++)
                    xp[(i * padded[2] + u + th / 2) * padded[3] + v + tw / 2] = xv[(i * h + u) * w + v];
        var expected = Naive.Conv2d(xp, padded, wt.ToArray<double>(), ws, bt?.ToArray<double>(), 1, 0, dil, groups, out var ys);
        Assert.That(ys[2..], Is.EqualTo(new[] { h, w }), what + ": the naive output keeps the size");
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what);
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-12, what);
        Tensor[] inputs = bt == null ? [x, wt] : [x, wt, bt];
        GradCheck.Assert(what, t => F.Conv2d(t[0], t[1], bias ? t[2] : null, padding: "same", dilation: dil, groups: groups), inputs);

        // The module computes the same, and "valid" is padding 0.
        var layer = new Pade.Layers.Conv2d(xs[1], ws[0], (kh, kw), padding: "same", dilation: dil, groups: groups, bias: bias);
        using (Tensor.NoGrad())
        {
            layer.Weight.CopyFrom(wt.To(DType.Float32));
            if (bt != null) layer.Bias!.CopyFrom(bt.To(DType.Float32));
        }
        Naive.AssertClose(layer.Call(x.To(DType.Float32)).To(DType.Float64).ToArray<double>(), y.To(DType.Float32).To(DType.Float64).ToArray<double>(), 1e-5, what + " (module)");
        if (h >= th + 1 && w >= tw + 1)
            Expect.Exact(F.Conv2d(x, wt, bt, padding: "valid", dilation: dil, groups: groups), Nd.Of(F.Conv2d(x, wt, bt, null, 0, dil, groups)), what + " valid");
    }

    [Test]
    public void ModuleNamesItsPaddingAndRefusesWhatPyTorchRefuses()
    {
        Assert.That(new Pade.Layers.Conv2d(3, 4, 2, padding: "same").ExtraRepr(), Is.EqualTo("3, 4, kernel_size=(2, 2), stride=(1, 1), padding=same"));
        Assert.That(new Pade.Layers.Conv2d(3, 4, 3, padding: "same").Padding, Is.EqualTo(new Size2(1, 1)));
        Assert.That(new Pade.Layers.Conv2d(3, 4, 3, padding: "valid").Padding, Is.EqualTo(new Size2(0, 0)));
        Assert.That(() => new Pade.Layers.Conv2d(3, 4, 3, stride: 2, padding: "same"), Throws.ArgumentException.With.Message.Contains("strided"));
        Assert.That(() => new Pade.Layers.Conv2d(3, 4, 3, padding: "full"), Throws.ArgumentException.With.Message.Contains("\"full\""));
        var x = Tensor.Zeros(1, 3, 5, 5);
        Assert.That(() => F.Conv2d(x, Tensor.Zeros(4, 3, 3, 3), null, stride: (1, 2), padding: "same"), Throws.ArgumentException.With.Message.Contains("strided"));
        Assert.That(() => F.Conv2d(x, Tensor.Zeros(4, 3, 3, 3), null, padding: "Same"), Throws.ArgumentException.With.Message.Contains("\"Same\""));
    }
}
