using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>F.MaxPool3dWithIndices, F.MaxUnpool3d, F.AdaptiveMaxPool1d/2dWithIndices and the pools' returnIndices
/// (ForwardWithIndices) against PyTorch's CPU loop written out in float64: each window scanned row-major with
/// "v &gt; max or v is NaN" taking the place, so ties keep the first maximum and the last NaN wins; values drawn from a
/// few integers (many ties) with NaNs; the pool → unpool round trip; bad input.</summary>
public class PoolIndicesTests
{
    private static void Throws(TestDelegate f, string text) =>
        Assert.That(Assert.Throws<ArgumentException>(f)!.Message, Does.Contain(text));

    /// <summary>Values in {0, 1, 2, 3} (ties everywhere), NaN with probability 1/8 when asked.</summary>
    private static double[] Tied(Naive.Picker r, int n, bool nan) =>
        [.. Enumerable.Range(0, n).Select(_ => nan && r.Next(0, 7) == 0 ? double.NaN : r.Next(0, 3))];

    /// <summary>The loop over one window's taps (flat positions in the volume, row-major order): the place of the
    /// first strict maximum, or of a NaN: the last NaN for the adaptive pools (PyTorch's "v &gt; max or v is NaN"),
    /// the first for max_pool (Pade's max_pool2d kernels, CPU, SIMD 2x2 and CUDA, on which the 3-D one is built, let
    /// the first NaN stick; libtorch's max_pool2d/3d_with_indices give the last: [NaN, 1, NaN, 0] → index 2 there, 0
    /// here, the same NaN value: a known gap of the 2-D kernels);
    /// −1 for a window without taps.</summary>
    private static int Pick(double[] x, int baseAt, IEnumerable<int> taps, bool lastNaN = false)
    {
        int at = -1;
        double max = double.NegativeInfinity;
        foreach (int t in taps)
        {
            double v = x[baseAt + t];
            if (at < 0 || v > max || (double.IsNaN(v) && (lastNaN || !double.IsNaN(max)))) { at = t; max = v; }
        }
        return at;
    }

    private static void Same(double[] actual, double[] expected, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what + " length");
        for (int i = 0; i < actual.Length; i++)
            if (!(actual[i].Equals(expected[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void MaxPool3dWithIndicesIsPyTorchsLoop(int a, int b, bool dilated, bool nan)
    {
        var r = new Naive.Picker(a, b, 11);
        bool ceil = r.Next(0, 1) == 1, unbatched = r.Next(0, 3) == 0;
        int[] k = new int[3], s = new int[3], p = new int[3], d = new int[3], xin = new int[3], o = new int[3];
        for (int ax = 0; ax < 3; ax++)
        {
            k[ax] = r.Next(1, 3); s[ax] = r.Next(1, 3); p[ax] = r.Next(0, k[ax] / 2); d[ax] = dilated ? r.Next(1, 2) : 1;
            int min = 1;
            while (NaivePool.OutSize(min, k[ax], s[ax], p[ax], d[ax], ceil) < 1) min++;
            xin[ax] = r.Next(0, 2) == 0 ? min : r.Next(min, min + 3);
            o[ax] = NaivePool.OutSize(xin[ax], k[ax], s[ax], p[ax], d[ax], ceil);
        }
        int n = unbatched ? 1 : r.Next(0, 2), c = r.Next(1, 2), vin = xin[0] * xin[1] * xin[2], vout = o[0] * o[1] * o[2];
        var xv = Tied(r, n * c * vin, nan);
        var ey = new double[n * c * vout];
        var ei = new double[ey.Length];
        var g = Enumerable.Range(0, ey.Length).Select(i => 1.0 + i % 7).ToArray();
        var edx = new double[xv.Length];
        for (int pl = 0; pl < n * c; pl++)
            for (int f = 0; f < vout; f++)
            {
                int[] op = [f / (o[1] * o[2]), f / o[2] % o[1], f % o[2]];
                var taps = new List<int>();
                for (int i = op[0] * s[0] - p[0], ti = 0; ti < k[0]; ti++, i += d[0])
                    for (int j = op[1] * s[1] - p[1], tj = 0; tj < k[1]; tj++, j += d[1])
                        for (int l = op[2] * s[2] - p[2], tl = 0; tl < k[2]; tl++, l += d[2])
                            if (i >= 0 && i < xin[0] && j >= 0 && j < xin[1] && l >= 0 && l < xin[2]) taps.Add((i * xin[1] + j) * xin[2] + l);
                int at = Pick(xv, pl * vin, taps), yi = pl * vout + f;
                ey[yi] = at < 0 ? double.NegativeInfinity : xv[pl * vin + at];
                ei[yi] = at;
                if (at >= 0) edx[pl * vin + at] += g[yi];
            }
        int[] xs = [n, c, .. xin], ys = [n, c, .. o];
        var x = Tensor.FromArray(xv, xs);
        if (unbatched) x = x.Squeeze(0);
        x.RequiresGrad = true;
        string what = $"max_pool3d_with_indices x={Shapes.Format(xs)} k=({string.Join(",", k)}) s=({string.Join(",", s)}) p=({string.Join(",", p)}) d=({string.Join(",", d)}) ceil={ceil}";
        var (y, idx) = F.MaxPool3dWithIndices(x, new Size3(k[0], k[1], k[2]), new Size3(s[0], s[1], s[2]), new Size3(p[0], p[1], p[2]), new Size3(d[0], d[1], d[2]), ceil);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Assert.That(idx.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " indices shape");
        Assert.That(idx.DType, Is.EqualTo(DType.Int32), what + " indices dtype");
        Same(y.ToArray<double>(), ey, what + " values");
        Same([.. idx.ToArray<int>().Select(v => (double)v)], ei, what + " indices");
        var gt = Tensor.FromArray(g, ys);
        (y * (unbatched ? gt.Squeeze(0) : gt)).Sum().Backward();
        Same(x.Grad!.ToArray<double>(), edx, what + " dx");
        // Float32 picks the same places (the values are small integers).
        var (_, i32) = F.MaxPool3dWithIndices(x.Detach().To(DType.Float32), new Size3(k[0], k[1], k[2]), new Size3(s[0], s[1], s[2]),
            new Size3(p[0], p[1], p[2]), new Size3(d[0], d[1], d[2]), ceil);
        Same([.. i32.ToArray<int>().Select(v => (double)v)], ei, what + " float32 indices");
    }

    /// <summary>Pool with stride = kernel over a volume the kernel tiles, unpool with the indices: each window's
    /// first maximum back in place, zeros elsewhere; the unpool's gradient gathers at the indices (central
    /// differences on distinct values).</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void MaxUnpool3dUndoesMaxPool3dWithIndices(int a, int b, bool unbatched)
    {
        var r = new Naive.Picker(a, b, 12);
        var k = new Size3(r.Next(1, 3), r.Next(1, 3), r.Next(1, 3));
        int n = unbatched ? 1 : r.Next(1, 2), c = r.Next(1, 2);
        int[] xs = [n, c, k.D * r.Next(1, 2), k.H * r.Next(1, 2), k.W * r.Next(1, 2)];
        var xv = Tied(r, (int)Shapes.Numel(xs), false);
        var x = Tensor.FromArray(xv, xs);
        if (unbatched) x = x.Squeeze(0);
        var (y, idx) = F.MaxPool3dWithIndices(x, k);
        var up = F.MaxUnpool3d(y, idx, k);
        Assert.That(up.ShapeCopy(), Is.EqualTo(x.ShapeCopy()));
        var expected = new double[xv.Length];
        int vin = xs[2] * xs[3] * xs[4], vout = (int)(idx.Numel / (n * c));
        var iv = idx.ToArray<int>();
        var yv = y.ToArray<double>();
        for (int e = 0; e < iv.Length; e++) expected[e / vout * vin + iv[e]] = yv[e];
        Same(up.ToArray<double>(), expected, $"unpool x={Shapes.Format(xs)} k={k}");
        var module = new MaxPool3d(k, returnIndices: true);
        var (my, mi) = module.ForwardWithIndices(x);
        Same(new MaxUnpool3d(k).Forward(my, mi).ToArray<double>(), expected, "MaxPool3d → MaxUnpool3d");
        var distinct = Tensor.Rand(y.ShapeCopy(), -1, 1, DType.Float64, generator: new Generator((ulong)(uint)a));
        GradCheck.Assert("max_unpool3d", t => F.MaxUnpool3d(t[0], idx, k), [distinct]);
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void AdaptiveMaxPoolWithIndicesIsPyTorchsLoop(int a, int b, bool nan, bool oneD)
    {
        var r = new Naive.Picker(a, b, 13);
        int n = r.Next(1, 2), c = r.Next(1, 2), h = oneD ? 1 : r.Next(1, 5), w = r.Next(1, 6), oh = oneD ? 1 : r.Next(1, 4), ow = r.Next(1, 4);
        var xv = Tied(r, n * c * h * w, nan);
        var ey = new double[n * c * oh * ow];
        var ei = new double[ey.Length];
        for (int pl = 0; pl < n * c; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    var taps = new List<int>();
                    for (int u = i * h / oh; u < ((i + 1) * h + oh - 1) / oh; u++)
                        for (int v = j * w / ow; v < ((j + 1) * w + ow - 1) / ow; v++) taps.Add(u * w + v);
                    int at = Pick(xv, pl * h * w, taps, lastNaN: true), yi = (pl * oh + i) * ow + j;
                    ey[yi] = xv[pl * h * w + at]; ei[yi] = at;
                }
        var (y, idx) = oneD
            ? F.AdaptiveMaxPool1dWithIndices(Tensor.FromArray(xv, n, c, w), ow)
            : F.AdaptiveMaxPool2dWithIndices(Tensor.FromArray(xv, n, c, h, w), (oh, ow));
        string what = $"adaptive_max_pool{(oneD ? 1 : 2)}d x=[{n}, {c}, {h}, {w}] out=({oh}, {ow})";
        Same(y.ToArray<double>(), ey, what + " values");
        Same([.. idx.ToArray<int>().Select(v => (double)v)], ei, what + " indices");
    }

    [Test]
    public void ModulesReturnIndicesAndKeepTheirForward()
    {
        var x = Tensor.FromArray(new double[] { 1, 5, 2, 5, 3, 0, 4, 4 }, 1, 1, 2, 2, 2);
        var m3 = new MaxPool3d(2, returnIndices: true);
        Assert.That(m3.ReturnIndices, Is.True);
        var (y3, i3) = m3.ForwardWithIndices(x);
        Assert.That(y3.ToArray<double>(), Is.EqualTo(new double[] { 5 }));
        Assert.That(i3.ToArray<int>(), Is.EqualTo(new[] { 1 }));
        Assert.That(m3.Forward(x).ToArray<double>(), Is.EqualTo(new double[] { 5 }));
        // PyTorch's _MaxPoolNd.extra_repr does not show return_indices.
        Assert.That(m3.ToString(), Is.EqualTo(new MaxPool3d(2).ToString()));
        var x2 = x.Reshape(1, 2, 4);
        var (y2, i2) = new MaxPool2d(2, returnIndices: true).ForwardWithIndices(x2);
        Assert.That(i2.ToArray<int>(), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(y2.ToArray<double>(), Is.EqualTo(new double[] { 5, 5 }));
        var (y1, i1) = new MaxPool1d(4, returnIndices: true).ForwardWithIndices(x.Reshape(1, 2, 4));
        Assert.That(i1.ToArray<int>(), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(y1.ToArray<double>(), Is.EqualTo(new double[] { 5, 4 }));
        Assert.That(new MaxPool1d(4).ReturnIndices, Is.False);
        Assert.That(new MaxUnpool3d(2).ToString(), Is.EqualTo("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))"));
        Assert.Throws<InvalidOperationException>(() => new MaxUnpool3d(2).Forward(y3));
        // An all-padding window (width 1, kernel 2 with dilation 2 and padding 1: taps −1 and 1): −∞ and index −1.
        var (yp, ip) = F.MaxPool3dWithIndices(Tensor.Ones([1, 1, 1, 1, 1], DType.Float64), (1, 1, 2), 1, (0, 0, 1), (1, 1, 2));
        Assert.That(yp.ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity }));
        Assert.That(ip.ToArray<int>(), Is.EqualTo(new[] { -1 }));
    }

    /// <summary>adaptive_max_pool3d with indices on a volume whose maxima sit in known places (a NaN wins).</summary>
    [Test]
    public void AdaptiveMaxPool3dWithIndices()
    {
        var v = Enumerable.Range(0, 2 * 3 * 4).Select(i => (double)(i * 7 % 24)).ToArray();
        var x = Tensor.FromArray(v, 1, 1, 2, 3, 4);
        var (y, idx) = F.AdaptiveMaxPool3dWithIndices(x, (1, 2, 2));
        int[] expected = new int[4];
        for (int oh = 0, e = 0; oh < 2; oh++)
            for (int ow = 0; ow < 2; ow++, e++)
            {
                var taps = new List<int>();
                for (int d = 0; d < 2; d++)
                    for (int ih = oh * 3 / 2; ih < ((oh + 1) * 3 + 1) / 2; ih++)
                        for (int iw = ow * 2; iw < ow * 2 + 2; iw++) taps.Add((d * 3 + ih) * 4 + iw);
                expected[e] = Pick(v, 0, taps, lastNaN: true);
            }
        Assert.That(idx.ToArray<int>(), Is.EqualTo(expected));
        Assert.That(y.ToArray<double>(), Is.EqualTo(expected.Select(i => v[i]).ToArray()));
        var (yu, iu) = F.AdaptiveMaxPool3dWithIndices(x.Squeeze(0), (1, 2, 2));
        Assert.That(iu.ShapeCopy(), Is.EqualTo(new[] { 1, 1, 2, 2 }));
        Assert.That(yu.ToArray<double>(), Is.EqualTo(y.ToArray<double>()));
    }

    [Test]
    public void BadInputsGivePyTorchsMessages()
    {
        var y = Tensor.Ones([1, 1, 1, 1, 2], DType.Float64);
        Throws(() => F.MaxUnpool3d(y, Tensor.FromArray(new[] { 0, 16 }, 1, 1, 1, 1, 2), 2), "Found an invalid max index: 16 (output volumes are of size 2x2x4");
        Throws(() => F.MaxUnpool3d(y, Tensor.FromArray(new[] { 0, -1 }, 1, 1, 1, 1, 2), 2), "Found an invalid max index: -1");
        Throws(() => F.MaxUnpool3d(y, Tensor.FromArray(new[] { 0 }, 1, 1, 1, 1, 1), 2), "Expected shape of indices to be same as that of the input tensor");
        Throws(() => F.MaxUnpool3d(y.Reshape(1, 2), Tensor.FromArray(new[] { 0, 1 }, 1, 2), 2), "should be a 4d or 5d Tensor");
        Throws(() => F.MaxUnpool3d(y, Tensor.FromArray(new[] { 0, 1 }, 1, 1, 1, 1, 2), 2, outputSize: [2, 2, 9]), "invalid output_size");
        Throws(() => F.MaxUnpool3d(y, Tensor.FromArray(new[] { 0, 1 }, 1, 1, 1, 1, 2).To(DType.Float64), 2), "elements in indices should be type int32");
        Throws(() => F.MaxPool3dWithIndices(Tensor.Ones([2, 2, 2], DType.Float64), 2), "expected input [N, C, D, H, W] or [C, D, H, W]");
        Throws(() => F.MaxPool3dWithIndices(Tensor.Ones([1, 1, 2, 2, 2], DType.Float64), 2, padding: 2), "pad should be smaller than or equal to half of kernel size");
        Throws(() => F.MaxPool3dWithIndices(Tensor.Ones([1, 1, 1, 2, 2], DType.Float64), 2), "is too small for kernel");
    }
}
