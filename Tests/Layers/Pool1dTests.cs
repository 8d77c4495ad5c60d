using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>F.MaxPool1d, F.AvgPool1d, F.AdaptiveAvgPool1d and F.AdaptiveMaxPool1d against their 1-D definitions as
/// plain float64 loops, and against central differences: random kernels, strides, paddings up to half the kernel,
/// dilations, ceil mode (its clipped last windows), L = 1, an empty batch and unbatched [C, L] inputs.</summary>
public class Pool1dTests
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

    /// <summary>A random pooling over one axis, and a length from the smallest with an output up to 6 more; one in four
    /// of length exactly the smallest (L = 1 where the geometry allows it).</summary>
    private static (int[] Xs, int K, int S, int P, int D, bool Ceil) Config(Naive.Picker r, bool dilated)
    {
        bool ceil = r.Next(0, 1) == 1;
        int k = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, k / 2), d = dilated ? r.Next(1, 3) : 1;
        int min = 1;
        while (NaivePool.OutSize(min, k, s, p, d, ceil) < 1) min++;
        int l = r.Next(0, 3) == 0 ? min : r.Next(min, min + 6);
        return ([r.Next(0, 2), r.Next(1, 3), l], k, s, p, d, ceil);
    }

    /// <summary>Each (n, c) row: the output o takes the first maximum of x[o·S − P + j·D], j &lt; K, inside the
    /// sequence (−∞ when every tap is in the padding: no gradient); dx collects g at the winners.</summary>
    private static (double[] Y, double[] Dx) NaiveMax(double[] x, int rows, int l, double[] g, int k, int s, int p, int d, int ol)
    {
        var y = new double[rows * ol];
        var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < ol; o++)
            {
                double best = double.NegativeInfinity;
                int at = -1;
                for (int j = 0; j < k; j++)
                {
                    int i = o * s - p + j * d;
                    if (i < 0 || i >= l) continue;
                    if (at < 0 || x[r * l + i] > best) { best = x[r * l + i]; at = i; }
                }
                y[r * ol + o] = best;
                if (at >= 0) dx[r * l + at] += g[r * ol + o];
            }
        return (y, dx);
    }

    /// <summary>y = Σ window / divisor: the window clipped to the padded sequence [−P, L + P) when counting the padding,
    /// else the positions inside [0, L).</summary>
    private static (double[] Y, double[] Dx) NaiveAvg(double[] x, int rows, int l, double[] g, int k, int s, int p, bool include, int ol)
    {
        var y = new double[rows * ol];
        var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < ol; o++)
            {
                int start = o * s - p, end = Math.Min(start + k, l + p);
                int lo = Math.Max(start, 0), hi = Math.Min(end, l);
                double divisor = include ? end - start : hi - lo;
                for (int i = lo; i < hi; i++)
                {
                    y[r * ol + o] += x[r * l + i] / divisor;
                    dx[r * l + i] += g[r * ol + o] / divisor;
                }
            }
        return (y, dx);
    }

    /// <summary>PyTorch's adaptive windows: ⌊o·L/OL⌋ .. ⌈(o+1)·L/OL⌉ − 1; the mean or the first maximum.</summary>
    private static (double[] Y, double[] Dx) NaiveAdaptive(double[] x, int rows, int l, double[] g, int ol, bool max)
    {
        var y = new double[rows * ol];
        var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < ol; o++)
            {
                int lo = o * l / ol, hi = ((o + 1) * l + ol - 1) / ol;
                if (max)
                {
                    int at = lo;
                    for (int i = lo + 1; i < hi; i++) if (x[r * l + i] > x[r * l + at]) at = i;
                    y[r * ol + o] = x[r * l + at];
                    dx[r * l + at] += g[r * ol + o];
                }
                else
                    for (int i = lo; i < hi; i++)
                    {
                        y[r * ol + o] += x[r * l + i] / (hi - lo);
                        dx[r * l + i] += g[r * ol + o] / (hi - lo);
                    }
            }
        return (y, dx);
    }

    /// <summary>Runs <paramref name="op"/> on x (or on x[0] unbatched), compares y and dx with the loops, then central
    /// differences where the batch is not empty and every output is finite.</summary>
    private static void Check(string what, Tensor x0, bool unbatched, Func<Tensor, Tensor> op,
        Func<double[], double[], (double[] Y, double[] Dx)> naive, int outLength)
    {
        int[] xs = x0.ShapeCopy(), ys = [xs[0], xs[1], outLength];
        var up = Tensor.Randn(ys, dtype: DType.Float64, generator: new Generator(7));
        var (ey, edx) = naive(x0.ToArray<double>(), up.ToArray<double>());
        var x = (unbatched ? x0.Squeeze(0) : x0).Clone(); x.RequiresGrad = true;
        var y = op(x);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what + " forward");
        (y * (unbatched ? up.Squeeze(0) : up)).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        if (xs[0] > 0 && ey.All(double.IsFinite)) GradCheck.Assert(what, t => op(t[0]), [x0]);
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void MaxPool1dMatchesTheDefinitionAndItsGradient(int a, int b, bool dilated, bool unbatched)
    {
        var r = new Naive.Picker(a, b, dilated ? 1 : 0);
        var (xs, k, s, p, d, ceil) = Config(r, dilated);
        unbatched &= xs[0] == 1;
        int ol = NaivePool.OutSize(xs[2], k, s, p, d, ceil);
        Check($"max_pool1d x={Shapes.Format(xs)} k={k} s={s} p={p} d={d} ceil={ceil} unbatched={unbatched}", Distinct(xs, (ulong)(uint)a), unbatched,
            x => F.MaxPool1d(x, k, s, p, d, ceil), (x, g) => NaiveMax(x, xs[0] * xs[1], xs[2], g, k, s, p, d, ol), ol);
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void AvgPool1dMatchesTheDefinitionAndItsGradient(int a, int b, bool countIncludePad, bool unbatched)
    {
        var r = new Naive.Picker(a, b, countIncludePad ? 1 : 0);
        var (xs, k, s, p, _, ceil) = Config(r, false);
        unbatched &= xs[0] == 1;
        int ol = NaivePool.OutSize(xs[2], k, s, p, 1, ceil);
        var x = Tensor.Rand(xs, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)a));
        Check($"avg_pool1d x={Shapes.Format(xs)} k={k} s={s} p={p} ceil={ceil} count_include_pad={countIncludePad} unbatched={unbatched}", x, unbatched,
            t => F.AvgPool1d(t, k, s, p, ceil, countIncludePad), (v, g) => NaiveAvg(v, xs[0] * xs[1], xs[2], g, k, s, p, countIncludePad, ol), ol);
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void AdaptivePools1dMatchTheDefinitionAndTheirGradients(int a, int b, bool max, bool unbatched)
    {
        var r = new Naive.Picker(a, b, max ? 1 : 0);
        int[] xs = [r.Next(0, 2), r.Next(1, 3), r.Next(0, 2) == 0 ? 1 : r.Next(1, 9)];
        // Output sizes that shrink (overlapping windows), keep and grow (upsampling), and 0 (an empty result).
        int ol = r.Next(0, 5) == 0 ? 0 : r.Next(1, xs[2] + 3);
        unbatched &= xs[0] == 1;
        string what = $"adaptive_{(max ? "max" : "avg")}_pool1d x={Shapes.Format(xs)} -> {ol} unbatched={unbatched}";
        Check(what, Distinct(xs, (ulong)(uint)a), unbatched, t => max ? F.AdaptiveMaxPool1d(t, ol) : F.AdaptiveAvgPool1d(t, ol),
            (v, g) => NaiveAdaptive(v, xs[0] * xs[1], xs[2], g, ol, max), ol);
    }

    [Test]
    public void PyTorchsErrorsNameTheProblemAndTheShapes()
    {
        var x = Tensor.Zeros([2, 3, 5], DType.Float64);
        Assert.That(() => F.MaxPool1d(x, 3, padding: 2), Throws.ArgumentException.With.Message.Contains("padding should be at most half of kernel size, but got padding=2 and kernel_size=3"));
        Assert.That(() => F.AvgPool1d(x, 2, padding: 2), Throws.ArgumentException.With.Message.Contains("at most half of kernel size"));
        Assert.That(() => F.MaxPool1d(Tensor.Zeros([2, 3, 4, 5], DType.Float64), 2), Throws.ArgumentException.With.Message.Contains("expected input [N, C, L] or [C, L], got [2, 3, 4, 5] of rank 4"));
        Assert.That(() => F.MaxPool1d(Tensor.Zeros([5], DType.Float64), 2), Throws.ArgumentException.With.Message.Contains("of rank 1"));
        Assert.That(() => F.MaxPool1d(x, 3, dilation: 3), Throws.ArgumentException.With.Message.Contains("too small").And.Message.Contains("at least 7"));
        Assert.That(() => F.AvgPool1d(x, 6), Throws.ArgumentException.With.Message.Contains("too small").And.Message.Contains("[2, 3, 5]"));
        Assert.That(() => F.MaxPool1d(x, 2, 0), Throws.ArgumentException.With.Message.Contains("stride must be positive"));
        Assert.That(() => F.MaxPool1d(x, 0), Throws.ArgumentException.With.Message.Contains("kernel_size must be positive"));
        Assert.That(() => F.AdaptiveAvgPool1d(Tensor.Zeros([2, 3, 0], DType.Float64), 2), Throws.ArgumentException.With.Message.Contains("empty sequence"));
        Assert.That(() => F.AdaptiveMaxPool1d(x, -1), Throws.ArgumentException.With.Message.Contains("must not be negative"));
        Assert.That(() => F.AdaptiveMaxPool1d(Tensor.Zeros([1, 2, 3, 5], DType.Float64), 2), Throws.ArgumentException.With.Message.Contains("of rank 4"));
        // Stride defaults to the kernel; ceil mode keeps a last window that starts inside the sequence.
        Assert.That(F.MaxPool1d(x, 2).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 2 }));
        Assert.That(F.MaxPool1d(x, 2, ceilMode: true).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 3 }));
        Assert.That(F.AvgPool1d(Tensor.Ones([3, 5], DType.Float64), 2, 2, 1, ceilMode: true, countIncludePad: false).ToArray<double>(), Is.All.EqualTo(1.0));
    }

    [Test]
    public void TiesAndNaNsFollowTheTwoDimensionalRules()
    {
        // Ties: the first maximum takes the gradient; a NaN wins its window and propagates.
        var x = Tensor.FromArray(new double[] { 1, 1, 2, 2, double.NaN, 0 }, 1, 1, 6);
        x.RequiresGrad = true;
        var y = F.MaxPool1d(x, 2);
        Assert.That(y.ToArray<double>()[..2], Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(double.IsNaN(y.ToArray<double>()[2]));
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 0, 1, 0, 1, 0 }));
        var z = Tensor.FromArray(new double[] { 3, 3, 1 }, 1, 3);
        z.RequiresGrad = true;
        F.AdaptiveMaxPool1d(z, 1).Sum().Backward();
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 0, 0 }));
    }
}
