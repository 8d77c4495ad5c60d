using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

[NonParallelizable]
public class ConvTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    /// <summary>A random small configuration; a and b pick the sizes, the rest the geometry.</summary>
    internal static (int[] Xs, int[] Ws, Size2 S, Size2 P, Size2 D, int G) Config(int a, int b, int c, int d, int e, int f, int maxImage)
    {
        var r = new Naive.Picker(a, b, c, d, e, f);
        int groups = r.Next(1, 3), cg = r.Next(1, 2), kg = r.Next(1, 2);
        int kh = r.Next(1, 3), kw = r.Next(1, 3);
        var s = new Size2(r.Next(1, 2), r.Next(1, 3));
        var p = new Size2(r.Next(0, 2), r.Next(0, 1));
        var dil = new Size2(r.Next(1, 2), r.Next(1, 2));
        int effH = dil.H * (kh - 1) + 1, effW = dil.W * (kw - 1) + 1;
        int h = Math.Max(r.Next(1, maxImage), effH - 2 * p.H), w = Math.Max(r.Next(1, maxImage), effW - 2 * p.W);
        int n = r.Next(1, 3);
        return ([n, cg * groups, h, w], [kg * groups, cg, kh, kw], s, p, dil, groups);
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void ForwardMatchesNaiveConvolution(int a, int b, int c, int d, int e, int f, bool bias)
    {
        var (xs, ws, s, p, dil, g) = Config(a, b, c, d, e, f, 20);
        var x = Rand(xs, 1); var w = Rand(ws, 2); var bt = bias ? Rand([ws[0]], 3) : null;
        var y = F.Conv2d(x, w, bt, s, p, dil, g);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, w.ToArray<double>(), ws, bt?.ToArray<double>(), s, p, dil, g, out var ys);
        Assert.That(y.ShapeCopy(), Is.EqualTo(ys));
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-12, "conv2d forward");
    }

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public void BackwardMatchesNaiveGradients(int a, int b, int c, int d, int e, int f)
    {
        // Larger images (one sample per GEMM chunk, several weight partials) than the gradient check can afford.
        var (xs, ws, s, p, dil, g) = Config(a, b, c, d, e, f, 26);
        xs[0] = 5;
        var x = Rand(xs, 4); x.RequiresGrad = true;
        var w = Rand(ws, 5); w.RequiresGrad = true;
        var bt = Rand([ws[0]], 6); bt.RequiresGrad = true;
        var y = F.Conv2d(x, w, bt, s, p, dil, g);
        var up = Rand(y.ShapeCopy(), 7);
        (y * up).Sum().Backward();
        var (dx, dw, db) = Naive.Conv2dBackward(x.ToArray<double>(), xs, w.ToArray<double>(), ws, up.ToArray<double>(), s, p, dil, g);
        Naive.AssertClose(x.Grad!.ToArray<double>(), dx, 1e-11, "dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), dw, 1e-11, "dw");
        Naive.AssertClose(bt.Grad!.ToArray<double>(), db, 1e-11, "db");
    }

    /// <summary>Central differences on every CPU path (<see cref="ConvGeometries"/>), edge geometries included:
    /// taps that read only padding, one-wide outputs, padding wider than the kernel's reach.</summary>
    [FsCheck.NUnit.Property(MaxTest = 25)]
    public void GradientCheck(int a, int b, int c, bool bias)
    {
        foreach (var path in ConvGeometries.Paths)
        {
            var (xs, ws, s, p, dil, g) = ConvGeometries.Pick(new Naive.Picker(a, b, c, (int)path), path, maxImage: 6);
            Tensor[] inputs = bias ? [Rand(xs, 8), Rand(ws, 9), Rand([ws[0]], 10)] : [Rand(xs, 8), Rand(ws, 9)];
            ConvSwitches.With(ConvGeometries.Switches(path), () =>
                GradCheck.Assert($"conv2d {path} x={Shapes.Format(xs)} w={Shapes.Format(ws)} s={s} p={p} d={dil} g={g}",
                    t => F.Conv2d(t[0], t[1], bias ? t[2] : null, s, p, dil, g), inputs));
        }
    }

    [TestCase(1, 1, 0)]
    [TestCase(1, 1, 1)]
    [TestCase(2, 1, 1)]
    [TestCase(1, 2, 2)]
    public void DepthwiseMatchesNaiveAndGradCheck(int stride, int dilation, int padding)
    {
        int[] xs = [2, 4, 9, 9], ws = [4, 1, 3, 3];
        var x = Rand(xs, 11); var w = Rand(ws, 12); var b = Rand([4], 13);
        var y = F.Conv2d(x, w, b, stride, padding, dilation, groups: 4);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, w.ToArray<double>(), ws, b.ToArray<double>(), stride, padding, dilation, 4, out _);
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-12, "depthwise forward");
        GradCheck.Assert("depthwise", t => F.Conv2d(t[0], t[1], t[2], stride, padding, dilation, 4), [Rand([2, 4, 6, 6], 14), w, b]);
    }

    /// <summary>An infinite input in the last column, which only the last kernel column reads: the other taps'
    /// weight gradients stay finite and exact (the vector lanes past the output row must not multiply it by 0),
    /// float32 and float64, stride 1 and 2.</summary>
    [TestCase(1, DType.Float64)] [TestCase(2, DType.Float64)] [TestCase(1, DType.Float32)] [TestCase(2, DType.Float32)]
    public void DepthwiseWeightGradientIgnoresColumnsATapDoesNotRead(int stride, DType dtype)
    {
        foreach (bool gather in new[] { true, false })
        {
            CpuBackend.DepthwiseGatherAlways = gather;
            try { WeightGradientIgnoresUnreadColumns(stride, dtype); }
            finally { CpuBackend.DepthwiseGatherAlways = null; }
        }
    }

    private static void WeightGradientIgnoresUnreadColumns(int stride, DType dtype)
    {
        int[] xs = [2, 3, 5, 7], ws = [3, 1, 3, 3];
        var xv = Rand(xs, 21).ToArray<double>();
        for (int p = 0; p < 2 * 3 * 5; p++) xv[p * 7 + 6] = double.PositiveInfinity;
        var w = Rand(ws, 22);
        var x = Tensor.FromArray(xv, xs).To(dtype);
        x.RequiresGrad = true;
        var wt = w.To(dtype).Detach();
        wt.RequiresGrad = true;
        var y = F.Conv2d(x, wt, null, stride, 0, 1, groups: 3);
        var gy = Rand(y.ShapeCopy(), 23);
        y.Backward(gy.To(dtype));
        var expected = Naive.Conv2dBackward(xv, xs, w.ToArray<double>(), ws, gy.ToArray<double>(), stride, 0, 1, 3).Dw;
        var actual = wt.Grad!.ToArray<double>();
        double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
        for (int t = 0; t < actual.Length; t++)
        {
            if (t % 3 == 2) continue;   // the last kernel column reads the infinities
            Assert.That(double.IsFinite(actual[t]), $"dw[{t}] = {actual[t]}: a tap that never reads the infinite column");
            Assert.That(actual[t], Is.EqualTo(expected[t]).Within(tol * Math.Max(1, Math.Abs(expected[t]))), $"dw[{t}]");
        }
    }

    [Test]
    public void Float32MatchesFloat64()
    {
        var x = Rand([3, 5, 12, 12], 15); var w = Rand([8, 5, 3, 3], 16);
        var y64 = F.Conv2d(x, w, null, 1, 1).ToArray<double>();
        var y32 = F.Conv2d(x.To(DType.Float32), w.To(DType.Float32), null, 1, 1).ToArray<double>();
        Naive.AssertClose(y32, y64, 1e-5, "float32 conv");
    }

    [Test]
    public void DefaultInitialisationBounds()
    {
        var conv = new Conv2d(6, 16, 5, generator: new Generator(1));
        double bound = 1 / Math.Sqrt(6 * 25);
        var wv = conv.Weight.ToArray<float>();
        Assert.That(wv.All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(wv.Max(), Is.GreaterThan(0.9 * bound));
        Assert.That(conv.Bias!.ToArray<float>().All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(new Conv2d(3, 4, 3, bias: false).Bias, Is.Null);
        Assert.That(new Conv2d(8, 8, 3, groups: 8).Weight.ShapeCopy(), Is.EqualTo(new[] { 8, 1, 3, 3 }));
    }

    [Test]
    public void BadGeometryIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new Conv2d(6, 4, 3, groups: 4));
        var conv = new Conv2d(3, 4, 3);
        var e = Assert.Throws<ArgumentException>(() => conv.Call(Tensor.Zeros(2, 3, 32)));
        Assert.That(e!.Message, Does.Contain("Conv2d").And.Contain("[N, 3, H, W]").And.Contain("[2, 3, 32]"));
    }
}
