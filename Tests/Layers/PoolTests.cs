using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

public class PoolTests
{
    /// <summary>Distinct values in random order, so no window has a tie that a finite difference could flip.</summary>
    private static Tensor Distinct(int[] shape, ulong seed)
    {
        int n = (int)Pade.Engine.Shapes.Numel(shape);
        var keys = Tensor.Rand([n], dtype: DType.Float64, generator: new Generator(seed)).ToArray<double>();
        var order = Enumerable.Range(0, n).OrderBy(i => keys[i]).ToArray();
        var v = new double[n];
        for (int i = 0; i < n; i++) v[order[i]] = i * 0.01 - n * 0.005;
        return Tensor.FromArray(v, shape);
    }

    private static (int[] Xs, Size2 K, Size2 S, Size2 P) Config(int a, int b)
    {
        var r = new Naive.Picker(a, b);
        var k = new Size2(r.Next(1, 3), r.Next(1, 3));
        var s = new Size2(r.Next(1, 3), r.Next(1, 2));
        var p = new Size2(r.Next(0, k.H / 2), r.Next(0, k.W / 2));
        int h = Math.Max(r.Next(1, 7), k.H), w = Math.Max(r.Next(1, 7), k.W);
        return ([r.Next(1, 2), r.Next(1, 3), h, w], k, s, p);
    }

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void MaxPoolForwardAndGradient(int a, int b)
    {
        var (xs, k, s, p) = Config(a, b);
        var x = Distinct(xs, (ulong)(uint)a);
        var y = F.MaxPool2d(x, k, s, p);
        // Forward against the definition.
        var xv = x.ToArray<double>();
        int oh = (xs[2] + 2 * p.H - k.H) / s.H + 1, ow = (xs[3] + 2 * p.W - k.W) / s.W + 1;
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { xs[0], xs[1], oh, ow }));
        var yv = y.ToArray<double>();
        for (int pl = 0; pl < xs[0] * xs[1]; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double m = double.NegativeInfinity;
                    for (int u = 0; u < k.H; u++)
                        for (int v = 0; v < k.W; v++)
                        {
                            int ih = i * s.H - p.H + u, iw = j * s.W - p.W + v;
                            if (ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3]) m = Math.Max(m, xv[(pl * xs[2] + ih) * xs[3] + iw]);
                        }
                    Assert.That(yv[(pl * oh + i) * ow + j], Is.EqualTo(m));
                }
        GradCheck.Assert("max_pool2d", t => F.MaxPool2d(t[0], k, s, p), [x]);
    }

    [Test]
    public void MaxPoolTiesGoToFirstMaximumInRowMajorOrder()
    {
        // One 2x2 window of equal values: the top-left element gets the whole gradient.
        var x = Tensor.FromArray(new double[] { 1, 1, 1, 1 }, 1, 1, 2, 2);
        x.RequiresGrad = true;
        F.MaxPool2d(x, 2).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 0, 0, 0 }));

        // Overlapping 2x2 windows, stride 1, with ties inside: each window picks its first maximum.
        var z = Tensor.FromArray(new double[] { 0, 5, 5, 5, 5, 5, 0, 0, 0 }, 1, 1, 3, 3);
        z.RequiresGrad = true;
        var y = F.MaxPool2d(z, 2, 1);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new double[] { 5, 5, 5, 5 }));
        y.Sum().Backward();
        // windows: (0,0) → first 5 at (0,1); (0,1) → (0,1); (1,0) → (1,0); (1,1) → (1,1)
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 2, 0, 1, 1, 0, 0, 0, 0 }));
    }

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void AvgPoolForwardAndGradient(int a, int b, bool countIncludePad)
    {
        var (xs, k, s, p) = Config(a, b);
        var x = Tensor.Randn(xs, dtype: DType.Float64, generator: new Generator((ulong)(uint)b));
        var y = F.AvgPool2d(x, k, s, p, countIncludePad);
        var xv = x.ToArray<double>();
        int oh = (xs[2] + 2 * p.H - k.H) / s.H + 1, ow = (xs[3] + 2 * p.W - k.W) / s.W + 1;
        var yv = y.ToArray<double>();
        for (int pl = 0; pl < xs[0] * xs[1]; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double sum = 0; int inside = 0;
                    for (int u = 0; u < k.H; u++)
                        for (int v = 0; v < k.W; v++)
                        {
                            int ih = i * s.H - p.H + u, iw = j * s.W - p.W + v;
                            if (ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3]) { sum += xv[(pl * xs[2] + ih) * xs[3] + iw]; inside++; }
                        }
                    // With the PyTorch rule the divisor is the window clipped to the padded image.
                    int hEnd = Math.Min(i * s.H - p.H + k.H, xs[2] + p.H), wEnd = Math.Min(j * s.W - p.W + k.W, xs[3] + p.W);
                    int full = (hEnd - (i * s.H - p.H)) * (wEnd - (j * s.W - p.W));
                    Assert.That(yv[(pl * oh + i) * ow + j], Is.EqualTo(sum / (countIncludePad ? full : inside)).Within(1e-12));
                }
        GradCheck.Assert("avg_pool2d", t => F.AvgPool2d(t[0], k, s, p, countIncludePad), [x]);
    }

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void AdaptiveAvgPoolForwardAndGradient(int a)
    {
        var r = new Naive.Picker(a);
        int h = r.Next(1, 9), w = r.Next(1, 9), oh = r.Next(1, 4), ow = r.Next(1, 4);
        var x = Tensor.Randn([2, 2, h, w], dtype: DType.Float64, generator: new Generator((ulong)(uint)a));
        var y = F.AdaptiveAvgPool2d(x, (oh, ow));
        var xv = x.ToArray<double>();
        var yv = y.ToArray<double>();
        for (int pl = 0; pl < 4; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int h0 = (int)Math.Floor((double)i * h / oh), h1 = (int)Math.Ceiling((double)(i + 1) * h / oh);
                    int w0 = (int)Math.Floor((double)j * w / ow), w1 = (int)Math.Ceiling((double)(j + 1) * w / ow);
                    double sum = 0;
                    for (int u = h0; u < h1; u++) for (int v = w0; v < w1; v++) sum += xv[(pl * h + u) * w + v];
                    Assert.That(yv[(pl * oh + i) * ow + j], Is.EqualTo(sum / ((h1 - h0) * (w1 - w0))).Within(1e-12));
                }
        GradCheck.Assert("adaptive_avg_pool2d", t => F.AdaptiveAvgPool2d(t[0], (oh, ow)), [x]);
    }

    [Test]
    public void GlobalAveragePoolModule()
    {
        var x = Tensor.Randn([2, 3, 4, 4], generator: new Generator(3));
        var y = new AdaptiveAvgPool2d(1).Call(x);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 3, 1, 1 }));
        var m = x.Mean([2, 3]).ToArray<float>();
        var yv = y.ToArray<float>();
        for (int i = 0; i < 6; i++) Assert.That(yv[i], Is.EqualTo(m[i]).Within(1e-6));
    }

    [Test]
    public void PoolTooSmallNamesLayer()
    {
        var m = new Sequential(new MaxPool2d(2), new MaxPool2d(3));
        var e = Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(1, 1, 4, 4)));
        Assert.That(e!.Message, Does.Contain("MaxPool2d '1'").And.Contain("[1, 1, 2, 2]").And.Contain("too small"));
    }
}
