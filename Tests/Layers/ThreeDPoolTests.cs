using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>F.MaxPool3d, F.AvgPool3d, the 3-D adaptive pools and 5-D F.Interpolate (compositions of the 2-D ops)
/// against their definitions as plain float64 loops over whole 3-D windows, forward and gradient, and central
/// differences: random kernels, strides, paddings up to half the kernel, dilations, ceil mode, count_include_pad,
/// divisor_override, size-1 dims, an empty batch, unbatched volumes; BatchNorm3d and InstanceNorm3d; errors.</summary>
public class ThreeDPoolTests
{
    /// <summary>Distinct values in random order, so no max window has a tie that a finite difference could flip.</summary>
    private static Tensor Distinct(int[] shape, ulong seed)
    {
        int n = (int)Shapes.Numel(shape);
        var keys = Tensor.Rand([n], dtype: DType.Float64, generator: new Generator(seed)).ToArray<double>();
        var order = Enumerable.Range(0, n).OrderBy(i => keys[i]).ToArray();
        var v = new double[n];
        for (int i = 0; i < n; i++) v[order[i]] = i * 0.01 - n * 0.005;
        return Tensor.FromArray(v, shape);
    }

    /// <summary>Each output of [planes, O0, O1, O2] reads the input positions <paramref name="window"/> gives it (its
    /// window per axis, already clipped to the volume) and reduces them: the first strict maximum in row-major order
    /// (−∞ and no gradient for an empty window), or the sum over <paramref name="divisor"/>.</summary>
    private static (double[] Y, double[] Dx) NaiveWindows(double[] x, int planes, int[] xin, int[] o, double[] g,
        Func<int, int, (int Lo, int Hi, int Step)> window, bool max, Func<int[], double> divisor)
    {
        int vin = xin[0] * xin[1] * xin[2], vout = o[0] * o[1] * o[2];
        var y = new double[planes * vout];
        var dx = new double[x.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int f = 0; f < vout; f++)
            {
                int[] op = [f / (o[1] * o[2]), f / o[2] % o[1], f % o[2]];
                var ws = Enumerable.Range(0, 3).Select(a => window(a, op[a])).ToArray();
                var taps = new List<int>();
                for (int i = ws[0].Lo; i < ws[0].Hi; i += ws[0].Step)
                    for (int j = ws[1].Lo; j < ws[1].Hi; j += ws[1].Step)
                        for (int l = ws[2].Lo; l < ws[2].Hi; l += ws[2].Step)
                            if (i >= 0 && i < xin[0] && j >= 0 && j < xin[1] && l >= 0 && l < xin[2])
                                taps.Add(pl * vin + (i * xin[1] + j) * xin[2] + l);
                int yi = pl * vout + f;
                if (max)
                {
                    int at = -1;
                    foreach (int t in taps) if (at < 0 || x[t] > x[at]) at = t;
                    y[yi] = at < 0 ? double.NegativeInfinity : x[at];
                    if (at >= 0) dx[at] += g[yi];
                }
                else
                {
                    double div = divisor(op);
                    foreach (int t in taps) { y[yi] += x[t] / div; dx[t] += g[yi] / div; }
                }
            }
        return (y, dx);
    }

    private static void Check(string what, Tensor x0, bool unbatched, int[] o, Func<Tensor, Tensor> op, Func<double[], double[], (double[] Y, double[] Dx)> naive,
        double tol = 1e-12)
    {
        int[] xs = x0.ShapeCopy(), ys = [xs[0], xs[1], .. o];
        var up = Tensor.Randn(ys, dtype: DType.Float64, generator: new Generator(7));
        var (ey, edx) = naive(x0.ToArray<double>(), up.ToArray<double>());
        var x = (unbatched ? x0.Squeeze(0) : x0).Clone(); x.RequiresGrad = true;
        var y = op(x);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Naive.AssertClose(y.ToArray<double>(), ey, tol, what + " forward");
        (y * (unbatched ? up.Squeeze(0) : up)).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, tol, what + " dx");
        if (xs[0] > 0 && ey.Length > 0 && ey.All(double.IsFinite)) GradCheck.Assert(what, t => op(t[0]), [x0]);
    }

    /// <summary>A random pooling per axis, and per axis a size from the smallest with an output up to 3 more (one in
    /// three exactly the smallest: size 1 where the geometry allows it).</summary>
    private static (int[] Xs, Size3 K, Size3 S, Size3 P, Size3 D, bool Ceil) Config(Naive.Picker r, bool dilated)
    {
        bool ceil = r.Next(0, 1) == 1;
        int[] k = new int[3], s = new int[3], p = new int[3], d = new int[3], x = new int[3];
        for (int a = 0; a < 3; a++)
        {
            k[a] = r.Next(1, 3); s[a] = r.Next(1, 3); p[a] = r.Next(0, k[a] / 2); d[a] = dilated ? r.Next(1, 2) : 1;
            int min = 1;
            while (NaivePool.OutSize(min, k[a], s[a], p[a], d[a], ceil) < 1) min++;
            x[a] = r.Next(0, 2) == 0 ? min : r.Next(min, min + 3);
        }
        return ([r.Next(0, 2), r.Next(1, 2), .. x], new(k[0], k[1], k[2]), new(s[0], s[1], s[2]), new(p[0], p[1], p[2]), new(d[0], d[1], d[2]), ceil);
    }

    private static int[] Arr(Size3 v) => [v.D, v.H, v.W];

    [FsCheck.NUnit.Property(MaxTest = 50)]
    public void MaxPool3dMatchesTheDefinitionAndItsGradient(int a, int b, bool dilated, bool unbatched)
    {
        var (xs, k, s, p, d, ceil) = Config(new Naive.Picker(a, b, 5), dilated);
        unbatched &= xs[0] == 1;
        int[] ka = Arr(k), sa = Arr(s), pa = Arr(p), da = Arr(d), xin = xs[2..];
        var o = Enumerable.Range(0, 3).Select(i => NaivePool.OutSize(xin[i], ka[i], sa[i], pa[i], da[i], ceil)).ToArray();
        Check($"max_pool3d x={Shapes.Format(xs)} k={k} s={s} p={p} d={d} ceil={ceil} unbatched={unbatched}", Distinct(xs, (ulong)(uint)a), unbatched, o,
            t => F.MaxPool3d(t, k, s, p, d, ceil),
            (x, g) => NaiveWindows(x, xs[0] * xs[1], xin, o, g, (ax, i) => (i * sa[ax] - pa[ax], i * sa[ax] - pa[ax] + (ka[ax] - 1) * da[ax] + 1, da[ax]), true, _ => 1));
    }

    [FsCheck.NUnit.Property(MaxTest = 50)]
    public void AvgPool3dMatchesTheDefinitionAndItsGradient(int a, int b, bool countIncludePad, bool unbatched)
    {
        var r = new Naive.Picker(a, b, 6);
        var (xs, k, s, p, _, ceil) = Config(r, false);
        // PyTorch's avg_pool3d wants the unpadded volume to hold the kernel.
        for (int ax = 0; ax < 3; ax++) xs[2 + ax] = Math.Max(xs[2 + ax], Arr(k)[ax]);
        int? over = r.Next(0, 3) == 0 ? r.Next(1, 5) : null;
        unbatched &= xs[0] == 1;
        int[] ka = Arr(k), sa = Arr(s), pa = Arr(p), xin = xs[2..];
        var o = Enumerable.Range(0, 3).Select(i => NaivePool.OutSize(xin[i], ka[i], sa[i], pa[i], 1, ceil)).ToArray();
        // PyTorch's divisor: the override; else the product of each axis's window clipped to the padded volume (or to
        // the volume without count_include_pad).
        double Divisor(int[] op)
        {
            if (over is int v) return v;
            double div = 1;
            for (int ax = 0; ax < 3; ax++)
            {
                int start = op[ax] * sa[ax] - pa[ax], end = Math.Min(start + ka[ax], xin[ax] + pa[ax]);
                div *= countIncludePad ? end - start : Math.Min(end, xin[ax]) - Math.Max(start, 0);
            }
            return div;
        }
        var x = Tensor.Rand(xs, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)a));
        Check($"avg_pool3d x={Shapes.Format(xs)} k={k} s={s} p={p} ceil={ceil} count_include_pad={countIncludePad} divisor_override={over} unbatched={unbatched}",
            x, unbatched, o, t => F.AvgPool3d(t, k, s, p, ceil, countIncludePad, over),
            (v, g) => NaiveWindows(v, xs[0] * xs[1], xin, o, g, (ax, i) => (i * sa[ax] - pa[ax], i * sa[ax] - pa[ax] + ka[ax], 1), false, Divisor));
    }

    [FsCheck.NUnit.Property(MaxTest = 50)]
    public void AdaptivePools3dMatchTheDefinitionAndTheirGradients(int a, int b, bool max, bool unbatched)
    {
        var r = new Naive.Picker(a, b, 7);
        int[] xs = [r.Next(0, 2), r.Next(1, 2), r.Next(1, 4), r.Next(1, 5), r.Next(0, 2) == 0 ? 1 : r.Next(1, 5)];
        // Output sizes that shrink (overlapping windows), keep and grow, now and then 0 (an empty result).
        int[] o = [.. xs[2..].Select(v => r.Next(0, 9) == 0 ? 0 : r.Next(1, v + 2))];
        unbatched &= xs[0] == 1;
        int[] xin = xs[2..];
        (int, int, int) Window(int ax, int i) => (i * xin[ax] / o[ax], ((i + 1) * xin[ax] + o[ax] - 1) / o[ax], 1);
        double Count(int[] op) => Enumerable.Range(0, 3).Aggregate(1.0, (acc, ax) => acc * (Window(ax, op[ax]).Item2 - Window(ax, op[ax]).Item1));
        Check($"adaptive_{(max ? "max" : "avg")}_pool3d x={Shapes.Format(xs)} -> {Shapes.Format(o)} unbatched={unbatched}", Distinct(xs, (ulong)(uint)a),
            unbatched, o, t => max ? F.AdaptiveMaxPool3d(t, (o[0], o[1], o[2])) : F.AdaptiveAvgPool3d(t, (o[0], o[1], o[2])),
            (v, g) => NaiveWindows(v, xs[0] * xs[1], xin, o, g, Window, max, Count));
    }

    /// <summary>Each output reads, per axis, the source taps of the mode (nearest: ⌊o·s⌋; nearest-exact:
    /// ⌊(o + ½)·s⌋; trilinear: the two neighbours of s·o with align corners, else of max((o + ½)·s − ½, 0), weighted
    /// by distance), s = 1/scale_factor when given, else in/out ((in − 1)/(out − 1) with align corners); the weight of
    /// a 3-D tap is the product of its axes' weights.</summary>
    [FsCheck.NUnit.Property(MaxTest = 50)]
    public void Interpolate5dMatchesTheDefinitionAndItsGradient(int a, int b, int m, bool alignCorners, bool byScale)
    {
        var r = new Naive.Picker(a, b, 8);
        string mode = new[] { "nearest", "nearest-exact", "trilinear" }[Naive.Pick(m, 0, 2)];
        int[] xs = [r.Next(0, 2), r.Next(1, 2), r.Next(1, 4), r.Next(1, 4), r.Next(1, 4)];
        int[] xin = xs[2..];
        double[] sf = [.. xin.Select(_ => new[] { 0.5, 1.5, 2.0, 3.0 }[r.Next(0, 3)])];
        int[] o = byScale ? [.. xin.Select((v, i) => (int)Math.Floor(v * sf[i]))] : [.. xin.Select(_ => r.Next(1, 6))];
        if (o.Any(v => v < 1)) { o = [.. o.Select(v => Math.Max(v, 1))]; byScale = false; }
        bool corners = alignCorners && mode == "trilinear";
        var taps = Enumerable.Range(0, 3).Select(ax =>
        {
            int n = xin[ax], on = o[ax];
            double s = byScale ? 1 / sf[ax] : (double)n / on;
            return Enumerable.Range(0, on).Select(i =>
            {
                if (mode == "nearest") return new[] { (Math.Min((int)Math.Floor(i * s), n - 1), 1.0) };
                if (mode == "nearest-exact") return new[] { (Math.Min((int)Math.Floor((i + 0.5) * s), n - 1), 1.0) };
                double src = corners ? (on > 1 ? (double)(n - 1) / (on - 1) : 0) * i : Math.Max((i + 0.5) * s - 0.5, 0);
                int i0 = Math.Min((int)Math.Floor(src), n - 1), i1 = Math.Min(i0 + 1, n - 1);
                double l1 = Math.Min(src - i0, 1);
                return new[] { (i0, 1 - l1), (i1, l1) };
            }).ToArray();
        }).ToArray();
        double[] Naive5(double[] x, double[] g, out double[] dx)
        {
            int planes = xs[0] * xs[1], vin = xin[0] * xin[1] * xin[2], vout = o[0] * o[1] * o[2];
            var y = new double[planes * vout];
            dx = new double[x.Length];
            for (int pl = 0; pl < planes; pl++)
                for (int f = 0; f < vout; f++)
                {
                    int od = f / (o[1] * o[2]), oh = f / o[2] % o[1], ow = f % o[2];
                    foreach (var (i, wi) in taps[0][od])
                        foreach (var (j, wj) in taps[1][oh])
                            foreach (var (l, wl) in taps[2][ow])
                            {
                                int xi = pl * vin + (i * xin[1] + j) * xin[2] + l;
                                y[pl * vout + f] += wi * wj * wl * x[xi];
                                dx[xi] += wi * wj * wl * g[pl * vout + f];
                            }
                }
            return y;
        }
        var x0 = Tensor.Rand(xs, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)a));
        Check($"interpolate {mode} x={Shapes.Format(xs)} -> {Shapes.Format(o)} scale={(byScale ? string.Join(",", sf) : "none")} align_corners={corners}",
            x0, false, o, t => byScale ? F.Interpolate(t, null, sf, mode, corners ? true : null) : F.Interpolate(t, o, null, mode, corners ? true : null),
            (x, g) => { var y = Naive5(x, g, out var dx); return (y, dx); }, 1e-10);
    }

    [Test]
    public void TheModulesAndPyTorchsErrors()
    {
        var x = Tensor.Rand([2, 3, 4, 5, 6], generator: new Generator(1));
        Assert.That(new MaxPool3d(2).Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 2, 2, 3 }));
        Assert.That(new MaxPool3d(2, ceilMode: true).Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 2, 3, 3 }));
        Assert.That(new AvgPool3d((1, 2, 3), padding: (0, 1, 1)).Forward(x.Narrow(0, 0, 1).Squeeze(0)).ShapeCopy(), Is.EqualTo(new[] { 3, 4, 3, 2 }));
        Assert.That(new AdaptiveAvgPool3d((null, 2, 1)).Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4, 2, 1 }));
        Assert.That(new AdaptiveMaxPool3d(1).Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 1, 1, 1 }));
        Assert.That(new Upsample(scaleFactor: [2.0], mode: "trilinear").Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 8, 10, 12 }));
        Assert.That(F.Interpolate(x, [2, 3, 4], mode: "area").ShapeCopy(), Is.EqualTo(new[] { 2, 3, 2, 3, 4 }));
        Assert.That(new MaxPool3d(3, 1, 1, 2).ToString(), Does.Contain("kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1), dilation=(2, 2, 2)"));

        Assert.That(() => F.MaxPool3d(x, 3, padding: 2), Throws.ArgumentException.With.Message.Contains("pad should be smaller than or equal to half of kernel size"));
        Assert.That(() => F.MaxPool3d(Tensor.Zeros([3, 4, 5]), 2), Throws.ArgumentException.With.Message.Contains("expected input [N, C, D, H, W] or [C, D, H, W], got [3, 4, 5] of rank 3"));
        Assert.That(() => F.AvgPool3d(x, 5), Throws.ArgumentException.With.Message.Contains("too small").And.Message.Contains("expected at least [N, C, 5, 5, 5]"));
        Assert.That(() => F.MaxPool3d(x, 2, dilation: (4, 1, 1)), Throws.ArgumentException.With.Message.Contains("too small").And.Message.Contains("dilation (4, 1, 1)"));
        Assert.That(() => F.AvgPool3d(x, (5, 2, 2), padding: (2, 0, 0)), Throws.ArgumentException.With.Message.Contains("input image (T: 4 H: 5 W: 6) smaller than kernel size (kT: 5 kH: 2 kW: 2)"));
        Assert.That(() => new AvgPool3d((5, 2, 2), padding: (2, 0, 0)).Forward(x), Throws.ArgumentException.With.Message.StartsWith("AvgPool3d: input image (T: 4"));
        Assert.That(() => new MaxPool3d(7).Forward(x), Throws.ArgumentException.With.Message.StartsWith("MaxPool3d: input [2, 3, 4, 5, 6] is too small"));
        Assert.That(() => F.AvgPool3d(x, 2, divisorOverride: 0), Throws.ArgumentException.With.Message.Contains("divisor_override must not be zero"));
        Assert.That(() => F.MaxPool3d(x, 2, 0), Throws.ArgumentException.With.Message.Contains("must be positive"));
        Assert.That(() => F.MaxPool3d(Tensor.Zeros([2, 0, 4, 4, 4]), 2), Throws.ArgumentException.With.Message.Contains("non-empty 4D or 5D"));
        Assert.That(() => F.AdaptiveAvgPool3d(Tensor.Zeros([2, 3, 0, 4, 4]), 2), Throws.ArgumentException.With.Message.Contains("empty volume"));
        Assert.That(() => F.AdaptiveMaxPool3d(x, (1, -1, 1)), Throws.ArgumentException.With.Message.Contains("must not be negative"));
        Assert.That(() => F.Interpolate(x.Narrow(0, 0, 1).Squeeze(0), [2, 2, 2], mode: "trilinear"), Throws.ArgumentException.With.Message.Contains("trilinear mode needs 5D input"));
        Assert.That(() => F.Interpolate(x, [2, 2], mode: "trilinear"), Throws.ArgumentException.With.Message.Contains("same number of spatial dimensions"));
        Assert.That(() => F.Interpolate(x, [2, 2, 2], mode: "bilinear"), Throws.ArgumentException.With.Message.Contains("bilinear mode needs 4D input"));
        Assert.That(() => F.Interpolate(x, [2, 2, 2], mode: "nearest", alignCorners: true), Throws.ArgumentException.With.Message.Contains("align_corners option can only be set"));
    }

    /// <summary>BatchNorm3d takes [N, C, D, H, W] only, with per-channel statistics over N·D·H·W (as batch norm on the
    /// [N, C, D·H·W] view); InstanceNorm3d takes [N, C, D, H, W] or [C, D, H, W], per sample and channel.</summary>
    [Test]
    public void TheThreeDimensionalNormsNormaliseOverTheVolume()
    {
        var x = Tensor.Rand([2, 3, 2, 3, 4], -1, 2, DType.Float64, generator: new Generator(3));
        var bn = new BatchNorm3d(3);
        bn.To(dtype: DType.Float64);
        var flat = new BatchNorm1d(3);
        flat.To(dtype: DType.Float64);
        Naive.AssertClose(bn.Forward(x).ToArray<double>(), flat.Forward(x.Reshape(2, 3, 24)).ToArray<double>(), 1e-12, "batch_norm3d");
        Naive.AssertClose(bn.RunningVar!.ToArray<double>(), flat.RunningVar!.ToArray<double>(), 1e-12, "running_var");
        Assert.That(() => bn.Forward(x.Reshape(2, 3, 6, 4)), Throws.ArgumentException.With.Message.Contains("BatchNorm3d").And.Message.Contains("[N, C, D, H, W]"));
        var inorm = new InstanceNorm3d(3, affine: true);
        inorm.To(dtype: DType.Float64);
        var y = inorm.Forward(x);
        var m = y.Reshape(2, 3, 24).Mean(2).ToArray<double>();
        Assert.That(m, Is.All.EqualTo(0.0).Within(1e-12));
        Naive.AssertClose(inorm.Forward(x.Narrow(0, 1, 1).Squeeze(0)).ToArray<double>(), y.Narrow(0, 1, 1).ToArray<double>(), 1e-12, "unbatched");
        Assert.That(() => inorm.Forward(x.Reshape(2, 3, 6, 4)), Throws.ArgumentException.With.Message.Contains("expected input's size at dim=0"));
        GradCheck.Assert("instance_norm3d", t => F.InstanceNorm(t[0], weight: t[1], bias: t[2]), [x, Tensor.Rand([3], generator: new Generator(4)), Tensor.Rand([3], generator: new Generator(5))]);
    }
}
