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

    /// <summary>A random pooling: kernel 1–3, stride 1–3, padding up to half the kernel, dilation 1–3 (max only),
    /// floor or ceil mode, and an image from the smallest one with an output up to 6 more, so that ceil mode's clipped
    /// last windows, its "start inside the image or left padding" rule and windows past the right padding all occur
    /// (<see cref="GeneratorReachesCeilModeEdges"/>).</summary>
    internal static (int[] Xs, Size2 K, Size2 S, Size2 P, Size2 D, bool Ceil) Config(int a, int b, bool dilated)
    {
        var r = new Naive.Picker(a, b, dilated ? 1 : 0);
        bool ceil = r.Next(0, 1) == 1;
        var (h, kh, sh, ph, dh) = Axis(r, dilated, ceil);
        var (w, kw, sw, pw, dw) = Axis(r, dilated, ceil);
        return ([r.Next(1, 2), r.Next(1, 3), h, w], (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil);
    }

    private static (int Size, int K, int S, int P, int D) Axis(Naive.Picker r, bool dilated, bool ceil)
    {
        int k = r.Next(1, 3), s = r.Next(1, 3), p = r.Next(0, k / 2), d = dilated ? r.Next(1, 3) : 1;
        int min = 1;
        while (NaivePool.OutSize(min, k, s, p, d, ceil) < 1) min++;
        return (r.Next(min, min + 6), k, s, p, d);
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void MaxPoolForwardAndGradient(int a, int b, bool dilated)
    {
        var (xs, k, s, p, d, ceil) = Config(a, b, dilated);
        var x = Distinct(xs, (ulong)(uint)a);
        string what = $"max_pool2d x={Shapes.Format(xs)} k={k} s={s} p={p} d={d} ceil={ceil}";
        var xt = x.Clone(); xt.RequiresGrad = true;
        var y = F.MaxPool2d(xt, k, s, p, d, ceil);
        var up = Tensor.Randn(y.ShapeCopy(), dtype: DType.Float64, generator: new Generator(5));
        var (ey, edx) = NaivePool.Max(x.ToArray<double>(), xs, up.ToArray<double>(), k, s, p, d, ceil, out var ys);
        Assert.That(y.ShapeCopy(), Is.EqualTo(ys), what);
        Assert.That(y.ToArray<double>(), Is.EqualTo(ey), what + " forward");
        (y * up).Sum().Backward();
        Assert.That(xt.Grad!.ToArray<double>(), Is.EqualTo(edx), what + " dx");
        // Central differences (a window with every tap in the padding gives −∞, which they cannot take).
        if (ey.All(double.IsFinite)) GradCheck.Assert(what, t => F.MaxPool2d(t[0], k, s, p, d, ceil), [x]);
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

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void AvgPoolForwardAndGradient(int a, int b, bool countIncludePad, bool overrideDivisor)
    {
        var (xs, k, s, p, _, ceil) = Config(a, b, dilated: false);
        int? divisor = overrideDivisor ? new Naive.Picker(a, b).Next(-3, 5) is var v && v != 0 ? v : 7 : null;
        var x = Tensor.Randn(xs, dtype: DType.Float64, generator: new Generator((ulong)(uint)b));
        string what = $"avg_pool2d x={Shapes.Format(xs)} k={k} s={s} p={p} ceil={ceil} count_include_pad={countIncludePad} divisor_override={divisor}";
        var xt = x.Clone(); xt.RequiresGrad = true;
        var y = F.AvgPool2d(xt, k, s, p, ceil, countIncludePad, divisor);
        var up = Tensor.Randn(y.ShapeCopy(), dtype: DType.Float64, generator: new Generator(6));
        var (ey, edx) = NaivePool.Avg(x.ToArray<double>(), xs, up.ToArray<double>(), k, s, p, ceil, countIncludePad, divisor, out var ys);
        Assert.That(y.ShapeCopy(), Is.EqualTo(ys), what);
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what + " forward");
        (y * up).Sum().Backward();
        Naive.AssertClose(xt.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        GradCheck.Assert(what, t => F.AvgPool2d(t[0], k, s, p, ceil, countIncludePad, divisor), [x]);
    }

    /// <summary>The generator meets what ceil mode changes: an extra, clipped last window; PyTorch's rule dropping a
    /// last window that would start in the right padding; an average window running past the padded image (its
    /// divisor clipped); and dilated windows. Without them the properties above could not fail on those paths.</summary>
    [Test]
    public void GeneratorReachesCeilModeEdges()
    {
        bool extra = false, dropped = false, pastPadding = false, dilatedCeil = false;
        for (int i = 0; i < 300; i++)
            foreach (bool dilated in new[] { false, true })
            {
                var (xs, k, s, p, d, ceil) = Config(i, 17 * i + 1, dilated);
                if (!ceil) continue;
                foreach (var (size, kk, ss, pp, dd) in new[] { (xs[2], k.H, s.H, p.H, d.H), (xs[3], k.W, s.W, p.W, d.W) })
                {
                    int floor = NaivePool.OutSize(size, kk, ss, pp, dd, false), up = NaivePool.OutSize(size, kk, ss, pp, dd, true);
                    int num = size + 2 * pp - dd * (kk - 1) - 1 + ss - 1;
                    extra |= up > floor;
                    dropped |= num >= 0 && num / ss + 1 > up;
                    pastPadding |= !dilated && (up - 1) * ss - pp + kk > size + pp;
                    dilatedCeil |= dd > 1 && up > floor;
                }
            }
        Assert.That((extra, dropped, pastPadding, dilatedCeil), Is.EqualTo((true, true, true, true)));
    }

    [Test]
    public void CeilModeMatchesPyTorchShapesAndDivisors()
    {
        var ones = Tensor.Ones([1, 1, 5, 5], DType.Float64);
        // 5 with kernel 2, stride 2: floor 2, ceil 3 (a last window of one column, divided by 1 as PyTorch: the
        // padded image ends there).
        Assert.That(F.MaxPool2d(ones, 2).ShapeCopy(), Is.EqualTo(new[] { 1, 1, 2, 2 }));
        Assert.That(F.MaxPool2d(ones, 2, ceilMode: true).ShapeCopy(), Is.EqualTo(new[] { 1, 1, 3, 3 }));
        Assert.That(F.AvgPool2d(ones, 2, ceilMode: true).ToArray<double>(), Is.All.EqualTo(1.0));
        // Padding 1: ⌈(5 + 2 − 2)/2⌉ + 1 = 4 windows, but the fourth would start at 5 = in + pad, in the right
        // padding: PyTorch drops it (3). Corner windows hold one image element and divide by 4 (count_include_pad).
        var y = F.AvgPool2d(ones, 2, 2, 1, ceilMode: true);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 1, 1, 3, 3 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.25, 0.5, 0.5, 0.5, 1, 1, 0.5, 1, 1 }));
        Assert.That(F.AvgPool2d(ones, 2, 2, 1, ceilMode: true, countIncludePad: false).ToArray<double>(), Is.All.EqualTo(1.0));
        Assert.That(F.AvgPool2d(ones, 2, 2, 1, ceilMode: true, divisorOverride: 2).ToArray<double>(),
            Is.EqualTo(new[] { 0.5, 1, 1, 1, 2, 2, 1, 2, 2 }));
        // Dilation 2 on 5: one window of taps 0, 2, 4 (kernel 3) — the maximum of the even positions.
        var x = Tensor.FromArray(Enumerable.Range(0, 25).Select(i => (double)(i % 5 == 4 || i / 5 == 4 ? -i : i)).ToArray(), 1, 1, 5, 5);
        Assert.That(F.MaxPool2d(x, 3, 1, 0, 2).ToArray<double>(), Is.EqualTo(new[] { 12.0 }));
        // Kernel 2, dilation 4, padding 1 on 3: the only window's taps, −1 and 3, are both padding: −∞, no gradient.
        var z = Tensor.Ones([1, 1, 3, 3], DType.Float64); z.RequiresGrad = true;
        var m = F.MaxPool2d(z, 2, 1, 1, 4);
        Assert.That(m.ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity }));
        m.Sum().Backward();
        Assert.That(z.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void BadArgumentsAreRejectedAsPyTorchDoes()
    {
        var x = Tensor.Zeros(1, 1, 4, 4);
        void Throws(TestDelegate call, params string[] parts)
        {
            var e = Assert.Throws<ArgumentException>(call);
            foreach (var part in parts) Assert.That(e!.Message, Does.Contain(part));
        }
        Throws(() => F.MaxPool2d(x, 3, 1, 2), "padding (2, 2)", "half the kernel size (3, 3)");
        Throws(() => F.AvgPool2d(x, 2, 1, (0, 2)), "padding (0, 2)", "(2, 2)");
        Throws(() => F.MaxPool2d(x, 2, dilation: 0), "dilation (0, 0) must be positive");
        Throws(() => F.MaxPool2d(x, 2, dilation: (1, -1)), "dilation (1, -1)");
        Throws(() => F.MaxPool2d(x, 0), "kernel size (0, 0)");
        Throws(() => F.AvgPool2d(x, 2, 0), "stride (0, 0)");
        Throws(() => F.MaxPool2d(x, 3, 1, 0, 2), "[1, 1, 4, 4] is too small", "dilation (2, 2)", "output would be 0x0", "[N, C, 5, 5]");
        Throws(() => F.AvgPool2d(x, 5, 1, ceilMode: true), "[1, 1, 4, 4] is too small", "ceil_mode", "[N, C, 5, 5]");
        Throws(() => F.AvgPool2d(x, 2, divisorOverride: 0), "divisor_override must not be zero");
        Throws(() => new AvgPool2d(2, divisorOverride: 0), "divisor_override must not be zero");
        Throws(() => F.AdaptiveAvgPool2d(x, (-1, 2)), "output size (-1, 2) must not be negative");
        Throws(() => F.AdaptiveAvgPool2d(Tensor.Zeros(1, 1, 0, 4), (1, 1)), "[1, 1, 0, 4] has an empty image");
        // Ceil mode accepts an image narrower than the kernel when one window fits its first position (PyTorch: 1x1).
        Assert.That(F.MaxPool2d(Tensor.Zeros(1, 1, 2, 2), 3, 2, ceilMode: true).ShapeCopy(), Is.EqualTo(new[] { 1, 1, 1, 1 }));
    }

    [Test]
    public void ModulesCarryTheNewArguments()
    {
        var mp = new MaxPool2d(3, 2, 1, 2, ceilMode: true);
        Assert.That(mp.ExtraRepr(), Is.EqualTo("kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), ceil_mode=True"));
        var ap = new AvgPool2d(2, ceilMode: true, countIncludePad: false, divisorOverride: 3);
        Assert.That(ap.ExtraRepr(), Does.Contain("ceil_mode=True, count_include_pad=False, divisor_override=3"));
        var x = Tensor.Randn([1, 2, 7, 7], dtype: DType.Float64, generator: new Generator(2));
        Assert.That(mp.Call(x).ToArray<double>(), Is.EqualTo(F.MaxPool2d(x, 3, 2, 1, 2, true).ToArray<double>()));
        Assert.That(ap.Call(x).ToArray<double>(), Is.EqualTo(F.AvgPool2d(x, 2, 2, 0, true, false, 3).ToArray<double>()));
    }

    /// <summary>Random images and output sizes, an output size of 0 (empty result, zero gradient) and empty batches or
    /// channel sets among them, and one image without the batch axis a quarter of the time.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void AdaptiveAvgPoolForwardAndGradient(int a)
    {
        var r = new Naive.Picker(a);
        int h = r.Next(1, 9), w = r.Next(1, 9), oh = r.Next(0, 4), ow = r.Next(0, 4), n = r.Next(0, 2), c = r.Next(0, 2);
        bool unbatched = r.Next(0, 3) == 0;
        if (unbatched) n = 1;
        int planes = n * c;
        int[] shape = unbatched ? [c, h, w] : [n, c, h, w];
        var x = Tensor.Randn(shape, dtype: DType.Float64, generator: new Generator((ulong)(uint)a));
        var y = F.AdaptiveAvgPool2d(x, (oh, ow));
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? new[] { c, oh, ow } : new[] { n, c, oh, ow }));
        var xv = x.ToArray<double>();
        var yv = y.ToArray<double>();
        for (int pl = 0; pl < planes; pl++)
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
        if (y.Numel == 0 && x.Numel > 0)
        {
            var xt = x.Clone(); xt.RequiresGrad = true;
            F.AdaptiveAvgPool2d(xt, (oh, ow)).Sum().Backward();
            Assert.That(xt.Grad!.ToArray<double>(), Is.All.EqualTo(0.0), "an empty output passes no gradient");
        }
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
