using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>A transposed convolution's arguments: input [N, Cin, H, W], weight [Cin, Cout/G, KH, KW].</summary>
internal sealed record ConvTCase(int[] Xs, int[] Ws, Size2 S, Size2 P, Size2 Op, Size2 D, int G)
{
    public int Cout => Ws[1] * G;

    public (int H, int W) Out => ((Xs[2] - 1) * S.H - 2 * P.H + D.H * (Ws[2] - 1) + Op.H + 1, (Xs[3] - 1) * S.W - 2 * P.W + D.W * (Ws[3] - 1) + Op.W + 1);

    public override string ToString() =>
        $"x={Shapes.Format(Xs)} w={Shapes.Format(Ws)} stride={S} padding={P} output_padding={Op} dilation={D} groups={G}";
}

/// <summary>F.ConvTranspose2d against the definition, written as plain float64 loops:
/// out[n, co, i, j] += x[n, ci, h, w]·W[ci, co', kh, kw] with i = h·SH − PH + kh·DH, j = w·SW − PW + kw·DW, kept where
/// 0 ≤ i &lt; OH and 0 ≤ j &lt; OW; and its gradients against the same loops run backwards and central differences.
/// The geometries are random over the whole range PyTorch accepts: strides, dilations, output_padding up to
/// max(stride, dilation) − 1 (so also beyond the stride), padding wider than the kernel's reach, groups, size-1
/// dims, an empty batch, unbatched images; each on a random set of the CPU convolution paths.</summary>
[NonParallelizable]
public class ConvTransposeTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    /// <summary>The definition, loop by loop, over the input's elements: each scatters into the output.</summary>
    internal static double[] NaiveForward(ConvTCase c, double[] x, double[] w, double[]? b)
    {
        var (n, cin, h, wd) = (c.Xs[0], c.Xs[1], c.Xs[2], c.Xs[3]);
        int cog = c.Ws[1], kh = c.Ws[2], kw = c.Ws[3], cout = c.Cout, cig = cin / c.G;
        var (oh, ow) = c.Out;
        var y = new double[n * cout * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < oh * ow; i++) y[(ni * cout + co) * oh * ow + i] = b?[co] ?? 0;
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < cin; ci++)
                for (int hi = 0; hi < h; hi++)
                    for (int wi = 0; wi < wd; wi++)
                        for (int cj = 0; cj < cog; cj++)
                            for (int a = 0; a < kh; a++)
                                for (int bb = 0; bb < kw; bb++)
                                {
                                    int i = hi * c.S.H - c.P.H + a * c.D.H, j = wi * c.S.W - c.P.W + bb * c.D.W;
                                    if (i < 0 || i >= oh || j < 0 || j >= ow) continue;
                                    int co = ci / cig * cog + cj;
                                    y[((ni * cout + co) * oh + i) * ow + j] += x[((ni * cin + ci) * h + hi) * wd + wi] * w[((ci * cog + cj) * kh + a) * kw + bb];
                                }
        return y;
    }

    /// <summary>The gradients of Σ y ⊙ g by the same loops: each term x·W sends g·W to x and g·x to W.</summary>
    internal static (double[] Dx, double[] Dw, double[] Db) NaiveBackward(ConvTCase c, double[] x, double[] w, double[] g)
    {
        var (n, cin, h, wd) = (c.Xs[0], c.Xs[1], c.Xs[2], c.Xs[3]);
        int cog = c.Ws[1], kh = c.Ws[2], kw = c.Ws[3], cout = c.Cout, cig = cin / c.G;
        var (oh, ow) = c.Out;
        double[] dx = new double[x.Length], dw = new double[w.Length], db = new double[cout];
        for (int ni = 0; ni < n; ni++)
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < oh * ow; i++) db[co] += g[(ni * cout + co) * oh * ow + i];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < cin; ci++)
                for (int hi = 0; hi < h; hi++)
                    for (int wi = 0; wi < wd; wi++)
                        for (int cj = 0; cj < cog; cj++)
                            for (int a = 0; a < kh; a++)
                                for (int bb = 0; bb < kw; bb++)
                                {
                                    int i = hi * c.S.H - c.P.H + a * c.D.H, j = wi * c.S.W - c.P.W + bb * c.D.W;
                                    if (i < 0 || i >= oh || j < 0 || j >= ow) continue;
                                    int co = ci / cig * cog + cj;
                                    double gv = g[((ni * cout + co) * oh + i) * ow + j];
                                    int xi = ((ni * cin + ci) * h + hi) * wd + wi, wj = ((ci * cog + cj) * kh + a) * kw + bb;
                                    dx[xi] += gv * w[wj];
                                    dw[wj] += gv * x[xi];
                                }
        return (dx, dw, db);
    }

    /// <summary>A random geometry PyTorch accepts; the padding is drawn up to the kernel's reach plus 2 and
    /// lowered until the output is at least one row and column.</summary>
    internal static ConvTCase Config(Naive.Picker r, int maxImage = 5, int maxBatch = 2)
    {
        int groups = r.Next(1, 3), cig = r.Next(1, 2), cog = r.Next(1, 2);
        int kh = r.Next(1, 3), kw = r.Next(1, 3);
        var s = new Size2(r.Next(1, 3), r.Next(1, 3));
        var d = new Size2(r.Next(1, 3), r.Next(1, 2));
        var op = new Size2(r.Next(0, Math.Max(s.H, d.H) - 1), r.Next(0, Math.Max(s.W, d.W) - 1));
        int h = r.Next(1, maxImage), w = r.Next(1, maxImage), n = r.Next(0, maxBatch);
        // One size-1 axis in four.
        if (r.Next(0, 3) == 0) h = 1;
        if (r.Next(0, 3) == 0) w = 1;
        int ph = r.Next(0, d.H * (kh - 1) + 2), pw = r.Next(0, d.W * (kw - 1) + 2);
        while (ph > 0 && (h - 1) * s.H - 2 * ph + d.H * (kh - 1) + op.H + 1 < 1) ph--;
        while (pw > 0 && (w - 1) * s.W - 2 * pw + d.W * (kw - 1) + op.W + 1 < 1) pw--;
        return new ConvTCase([n, cig * groups, h, w], [cig * groups, cog, kh, kw], s, new Size2(ph, pw), op, d, groups);
    }

    private static readonly ConvSwitchSet[] SwitchSets = [new(true, true, true), new(true, true, false), new(false, true, false), new(false, false, false)];

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void MatchesTheDefinitionAndItsGradients(int a, int b, int c, bool bias, bool unbatched)
    {
        var r = new Naive.Picker(a, b, c);
        var cc = Config(r);
        var set = SwitchSets[r.Next(0, SwitchSets.Length - 1)];
        unbatched &= cc.Xs[0] == 1;
        ConvSwitches.With(set, () => Check(cc, bias, unbatched, (ulong)(uint)a, $"{set} {cc} bias={bias} unbatched={unbatched}"));
    }

    private static void Check(ConvTCase c, bool bias, bool unbatched, ulong seed, string what)
    {
        var x0 = Rand(c.Xs, seed); var w0 = Rand(c.Ws, seed + 1); var b0 = Rand([c.Cout], seed + 2);
        var ey = NaiveForward(c, x0.ToArray<double>(), w0.ToArray<double>(), bias ? b0.ToArray<double>() : null);
        var (oh, ow) = c.Out;
        int[] ys = [c.Xs[0], c.Cout, oh, ow];
        var up = Rand(ys, seed + 3);
        var (edx, edw, edb) = NaiveBackward(c, x0.ToArray<double>(), w0.ToArray<double>(), up.ToArray<double>());

        var x = (unbatched ? x0.Squeeze(0) : x0).Clone(); x.RequiresGrad = true;
        var w = w0.Clone(); w.RequiresGrad = true;
        var b = b0.Clone(); b.RequiresGrad = true;
        var y = F.ConvTranspose2d(x, w, bias ? b : null, c.S, c.P, c.Op, c.G, c.D);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what + " forward");
        (y * (unbatched ? up.Squeeze(0) : up)).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), edw, 1e-12, what + " dw");
        if (bias) Naive.AssertClose(b.Grad!.ToArray<double>(), edb, 1e-12, what + " db");

        // Central differences, independent of the loops above (an empty batch has nothing to differentiate for x).
        if (c.Xs[0] > 0)
        {
            Tensor[] inputs = bias ? [x0, w0, b0] : [x0, w0];
            GradCheck.Assert($"conv_transpose2d {what}", t => F.ConvTranspose2d(t[0], t[1], bias ? t[2] : null, c.S, c.P, c.Op, c.G, c.D), inputs,
                new GradCheckOptions(Seed: seed));
        }
    }

    /// <summary>The paths the adjoint convolution can take that random small shapes rarely reach: depthwise
    /// (Cin = Cout = groups), pointwise (1x1, unit stride, no padding), Winograd (3x3 unit stride), a batch wide enough
    /// to be chunked, and output_padding beyond the stride on both axes.</summary>
    [TestCase(new[] { 2, 4, 5, 6 }, new[] { 4, 1, 3, 3 }, 2, 1, 1, 1, 4)]
    [TestCase(new[] { 3, 4, 5, 6 }, new[] { 4, 1, 3, 3 }, 1, 1, 0, 1, 4)]
    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 3, 5, 1, 1 }, 1, 0, 0, 1, 1)]
    [TestCase(new[] { 2, 6, 6, 5 }, new[] { 6, 4, 3, 3 }, 1, 1, 0, 1, 1)]
    [TestCase(new[] { 9, 2, 3, 3 }, new[] { 2, 3, 2, 2 }, 2, 0, 1, 1, 1)]
    [TestCase(new[] { 2, 2, 3, 4 }, new[] { 2, 2, 2, 3 }, 1, 0, 2, 3, 2)]
    [TestCase(new[] { 1, 2, 1, 1 }, new[] { 2, 1, 1, 1 }, 3, 0, 2, 1, 1)]
    public void NamedPathsMatchTheDefinition(int[] xs, int[] ws, int stride, int padding, int outputPadding, int dilation, int groups)
    {
        var c = new ConvTCase(xs, ws, stride, padding, outputPadding, dilation, groups);
        foreach (var set in SwitchSets)
            ConvSwitches.With(set, () => Check(c, bias: true, unbatched: false, 5, $"{set} {c}"));
    }

    /// <summary>libtorch takes an empty batch (an empty result, zero weight and bias gradients) but no empty image or
    /// weight.</summary>
    [Test]
    public void AnEmptyBatchGivesAnEmptyResultAndZeroGradients()
    {
        var e = Rand([0, 3, 4, 4], 3); e.RequiresGrad = true;
        var w2 = Rand([3, 2, 3, 3], 4); w2.RequiresGrad = true;
        var b2 = Rand([2], 5); b2.RequiresGrad = true;
        var ye = F.ConvTranspose2d(e, w2, b2, 2, 1, 1);
        Assert.That(ye.ShapeCopy(), Is.EqualTo(new[] { 0, 2, 8, 8 }));
        ye.Sum().Backward();
        Assert.That(w2.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(b2.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void PyTorchsErrorsNameTheProblemAndTheShapes()
    {
        var x = Tensor.Zeros([2, 4, 5, 5], DType.Float64);
        var w = Tensor.Zeros([4, 3, 3, 3], DType.Float64);
        Assert.That(() => F.ConvTranspose2d(x, w, null, 2, 0, 2), Throws.ArgumentException.With.Message.Contains("output_padding must be smaller than either stride or dilation"));
        Assert.That(() => F.ConvTranspose2d(x, w, null, 1, 0, (0, 1), dilation: 1), Throws.ArgumentException.With.Message.Contains("output_padding (0, 1)"));
        // Allowed beyond the stride when smaller than the dilation.
        Assert.That(F.ConvTranspose2d(x, w, null, 1, 0, 1, dilation: 2).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 10, 10 }));
        Assert.That(() => F.ConvTranspose2d(x, w, null, groups: 3), Throws.ArgumentException.With.Message.Contains("in_channels 4").And.Message.Contains("groups 3"));
        Assert.That(() => F.ConvTranspose2d(x, Tensor.Zeros([2, 3, 3, 3], DType.Float64)),
            Throws.ArgumentException.With.Message.Contains("expected input [N, 2, H, W] or [2, H, W]").And.Message.Contains("[2, 4, 5, 5]"));
        Assert.That(() => F.ConvTranspose2d(x, w, Tensor.Zeros([4], DType.Float64), groups: 2),
            Throws.ArgumentException.With.Message.Contains("bias must be [6]"));
        Assert.That(() => F.ConvTranspose2d(x, w, null, 1, 4),
            Throws.ArgumentException.With.Message.Contains("gives an output of -1x-1").And.Message.Contains("[2, 4, 5, 5]"));
        Assert.That(() => F.ConvTranspose2d(Tensor.Zeros([2, 4, 0, 5], DType.Float64), w), Throws.ArgumentException.With.Message.Contains("empty image"));
        Assert.That(() => F.ConvTranspose2d(x, Tensor.Zeros([4, 3, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must be [in_channels, out_channels/groups, kH, kW]"));
        Assert.That(() => F.ConvTranspose2d(x, w, null, 0), Throws.ArgumentException.With.Message.Contains("stride must be positive"));
        Assert.That(() => F.ConvTranspose2d(x, w, null, 1, -1), Throws.ArgumentException.With.Message.Contains("padding must not be negative"));
        Assert.That(() => F.ConvTranspose2d(x, Tensor.Zeros([4, 0, 3, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must not be empty, got [4, 0, 3, 3]"));
        Assert.That(() => F.ConvTranspose2d(x, w, null, 2, 0, -1), Throws.ArgumentException.With.Message.Contains("output_padding must not be negative"));
    }

    [Test]
    public void FloatMatchesDouble()
    {
        var c = new ConvTCase([3, 4, 6, 5], [4, 3, 3, 2], (2, 1), (1, 0), (1, 0), (1, 2), 2);
        var x = Rand(c.Xs, 1); var w = Rand(c.Ws, 2); var b = Rand([c.Cout], 3);
        var y64 = F.ConvTranspose2d(x, w, b, c.S, c.P, c.Op, c.G, c.D);
        var y32 = F.ConvTranspose2d(x.To(DType.Float32), w.To(DType.Float32), b.To(DType.Float32), c.S, c.P, c.Op, c.G, c.D);
        Assert.That(y32.DType, Is.EqualTo(DType.Float32));
        Naive.AssertClose(y32.To(DType.Float64).ToArray<double>(), y64.ToArray<double>(), 1e-5, "float32");
    }
}
