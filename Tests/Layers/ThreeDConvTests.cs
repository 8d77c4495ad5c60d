using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>A 3-D convolution's arguments: input [N, C, D, H, W]; weight [K, C/G, KD, KH, KW] (transposed: [Cin,
/// Cout/G, KD, KH, KW]).</summary>
internal sealed record Conv3Case(int[] Xs, int[] Ws, int[] S, int[] P, int[] Op, int[] D, int G, bool Transposed)
{
    public int Cout => Transposed ? Ws[1] * G : Ws[0];

    public int[] Out => Enumerable.Range(0, 3).Select(a => Transposed
        ? (Xs[2 + a] - 1) * S[a] - 2 * P[a] + D[a] * (Ws[2 + a] - 1) + Op[a] + 1
        : (Xs[2 + a] + 2 * P[a] - D[a] * (Ws[2 + a] - 1) - 1) / S[a] + 1).ToArray();

    public Size3 S3 => new(S[0], S[1], S[2]);
    public Size3 P3 => new(P[0], P[1], P[2]);
    public Size3 Op3 => new(Op[0], Op[1], Op[2]);
    public Size3 D3 => new(D[0], D[1], D[2]);

    public override string ToString() =>
        $"{(Transposed ? "conv_transpose3d" : "conv3d")} x={Shapes.Format(Xs)} w={Shapes.Format(Ws)} stride={S3} padding={P3}" +
        (Transposed ? $" output_padding={Op3}" : "") + $" dilation={D3} groups={G}";
}

/// <summary>F.Conv3d and F.ConvTranspose3d (compositions of the 2-D ops) against their definitions as plain float64
/// loops, forward and gradients, and against central differences: random strides, paddings up to the kernel's reach
/// (half of it and beyond), dilations, groups, output_padding up to max(stride, dilation) − 1, size-1 dims, an empty
/// batch and unbatched volumes; PyTorch's errors; the modules, "same" padding and the padding modes.</summary>
public class ThreeDConvTests
{
    private static T F64<T>(T m) where T : Module
    {
        m.To(dtype: DType.Float64);
        return m;
    }

    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    /// <summary>Every term x·w of the definition, with the flat indices of x, w and y; a conv gathers y[n, k, o] from
    /// x[n, c, o·S − P + a·D], a transposed conv scatters x[n, ci, i] to y[n, co, i·S − P + a·D] (kept inside y).</summary>
    private static IEnumerable<(int X, int W, int Y)> Terms(Conv3Case c)
    {
        int n = c.Xs[0], cin = c.Xs[1];
        int[] xin = c.Xs[2..], k = c.Ws[2..], o = c.Out;
        int cout = c.Cout, cig = cin / c.G, cog = cout / c.G;
        int kvol = k[0] * k[1] * k[2];
        int Flat(int[] dims, int[] idx) { int f = 0; for (int i = 0; i < dims.Length; i++) f = f * dims[i] + idx[i]; return f; }
        // The loop runs over the (small) "from" volume and the kernel; "to" positions outside their volume drop.
        int[] from = c.Transposed ? xin : o, to = c.Transposed ? o : xin;
        for (int ni = 0; ni < n; ni++)
            for (int g = 0; g < c.G; g++)
                for (int ci = 0; ci < cig; ci++)
                    for (int co = 0; co < cog; co++)
                        for (int f = 0; f < from[0] * from[1] * from[2]; f++)
                            for (int t = 0; t < kvol; t++)
                            {
                                int[] fp = [f / (from[1] * from[2]), f / from[2] % from[1], f % from[2]];
                                int[] tp = [t / (k[1] * k[2]), t / k[2] % k[1], t % k[2]];
                                var pos = new int[3];
                                bool inside = true;
                                for (int a = 0; a < 3; a++)
                                {
                                    pos[a] = fp[a] * c.S[a] - c.P[a] + tp[a] * c.D[a];
                                    inside &= pos[a] >= 0 && pos[a] < to[a];
                                }
                                if (!inside) continue;
                                int cx = g * cig + ci, cy = g * cog + co;
                                int xi = Flat([n, cin, .. xin], [ni, cx, .. c.Transposed ? fp : pos]);
                                int yi = Flat([n, cout, .. o], [ni, cy, .. c.Transposed ? pos : fp]);
                                int wi = c.Transposed ? Flat(c.Ws, [cx, co, .. tp]) : Flat(c.Ws, [cy, ci, .. tp]);
                                yield return (xi, wi, yi);
                            }
    }

    private static (double[] Y, double[] Dx, double[] Dw, double[] Db) Naive3(Conv3Case c, double[] x, double[] w, double[]? b, double[] g)
    {
        int per = c.Out.Aggregate(1, (p, v) => p * v), cout = c.Cout;
        var y = new double[c.Xs[0] * cout * per];
        double[] dx = new double[x.Length], dw = new double[w.Length], db = new double[cout];
        for (int i = 0; i < y.Length; i++) { y[i] = b?[i / per % cout] ?? 0; db[i / per % cout] += g[i]; }
        foreach (var (xi, wi, yi) in Terms(c))
        {
            y[yi] += x[xi] * w[wi];
            dx[xi] += g[yi] * w[wi];
            dw[wi] += g[yi] * x[xi];
        }
        return (y, dx, dw, db);
    }

    /// <summary>A random geometry PyTorch accepts: a convolution's padding up to half its reach plus one (lowered until
    /// the volume holds the kernel), a transposed one's up to the reach plus 1 (lowered until the output is positive).</summary>
    private static Conv3Case Config(Naive.Picker r, bool transposed)
    {
        int g = r.Next(1, 2), cig = r.Next(1, 2), cog = r.Next(1, 2), n = r.Next(0, 2);
        int[] k = new int[3], s = new int[3], d = new int[3], p = new int[3], op = new int[3], x = new int[3];
        for (int a = 0; a < 3; a++)
        {
            k[a] = r.Next(1, 3);
            s[a] = r.Next(1, 2);
            d[a] = r.Next(1, 2);
            x[a] = r.Next(0, 3) == 0 ? 1 : r.Next(1, 4);
            int reach = d[a] * (k[a] - 1);
            if (transposed)
            {
                op[a] = r.Next(0, Math.Max(s[a], d[a]) - 1);
                p[a] = r.Next(0, reach + 1);
                while (p[a] > 0 && (x[a] - 1) * s[a] - 2 * p[a] + reach + op[a] + 1 < 1) p[a]--;
            }
            else
            {
                p[a] = r.Next(0, reach / 2 + 1);
                while (x[a] + 2 * p[a] < reach + 1) x[a]++;
            }
        }
        int[] ws = transposed ? [cig * g, cog, .. k] : [cog * g, cig, .. k];
        return new Conv3Case([n, cig * g, .. x], ws, s, p, op, d, g, transposed);
    }

    private static void Check(Conv3Case c, bool bias, bool unbatched, ulong seed)
    {
        string what = $"{c} bias={bias} unbatched={unbatched}";
        var x0 = Rand(c.Xs, seed); var w0 = Rand(c.Ws, seed + 1); var b0 = Rand([c.Cout], seed + 2);
        int[] ys = [c.Xs[0], c.Cout, .. c.Out];
        var up = Rand(ys, seed + 3);
        var (ey, edx, edw, edb) = Naive3(c, x0.ToArray<double>(), w0.ToArray<double>(), bias ? b0.ToArray<double>() : null, up.ToArray<double>());
        Tensor Op(Tensor[] t) => c.Transposed
            ? F.ConvTranspose3d(t[0], t[1], bias ? t[2] : null, c.S3, c.P3, c.Op3, c.G, c.D3)
            : F.Conv3d(t[0], t[1], bias ? t[2] : null, c.S3, c.P3, c.D3, c.G);
        var x = (unbatched ? x0.Squeeze(0) : x0).Clone(); x.RequiresGrad = true;
        var w = w0.Clone(); w.RequiresGrad = true;
        var b = b0.Clone(); b.RequiresGrad = true;
        var y = Op([x, w, b]);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what + " forward");
        (y * (unbatched ? up.Squeeze(0) : up)).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), edw, 1e-12, what + " dw");
        if (bias) Naive.AssertClose(b.Grad!.ToArray<double>(), edb, 1e-12, what + " db");
        if (c.Xs[0] > 0)
            GradCheck.Assert(what, Op, bias ? [x0, w0, b0] : [x0, w0], new GradCheckOptions(Seed: seed));
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void Conv3dMatchesTheDefinitionAndItsGradients(int a, int b, bool bias, bool unbatched)
    {
        var c = Config(new Naive.Picker(a, b, 3), transposed: false);
        Check(c, bias, unbatched && c.Xs[0] == 1, (ulong)(uint)a);
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void ConvTranspose3dMatchesTheDefinitionAndItsGradients(int a, int b, bool bias, bool unbatched)
    {
        var c = Config(new Naive.Picker(a, b, 4), transposed: true);
        Check(c, bias, unbatched && c.Xs[0] == 1, (ulong)(uint)a);
    }

    /// <summary>Geometries random draws reach rarely: groups with several channels per group, a stride and dilation
    /// on depth only, output_padding beyond the stride (below the dilation), padding beyond the reach.</summary>
    [TestCase(new[] { 2, 4, 3, 4, 5 }, new[] { 6, 2, 2, 3, 2 }, 2, 1, 0, 1, 2, false)]
    [TestCase(new[] { 1, 2, 5, 3, 3 }, new[] { 3, 2, 3, 1, 1 }, 2, 1, 0, 2, 1, false)]
    [TestCase(new[] { 2, 4, 3, 2, 3 }, new[] { 4, 3, 2, 2, 2 }, 2, 1, 1, 1, 2, true)]
    [TestCase(new[] { 1, 2, 2, 2, 2 }, new[] { 2, 1, 3, 3, 3 }, 1, 0, 1, 2, 1, true)]
    [TestCase(new[] { 1, 1, 1, 1, 1 }, new[] { 1, 2, 1, 1, 1 }, 3, 0, 2, 1, 1, true)]
    [TestCase(new[] { 1, 1, 2, 2, 2 }, new[] { 1, 1, 2, 2, 2 }, 1, 2, 0, 3, 1, true)]
    public void NamedGeometriesMatchTheDefinition(int[] xs, int[] ws, int stride, int padding, int outputPadding, int dilation, int groups, bool transposed)
    {
        var c = new Conv3Case(xs, ws, [stride, stride, stride], [padding, padding, padding], [outputPadding, outputPadding, outputPadding],
            [dilation, dilation, dilation], groups, transposed);
        Check(c, bias: true, unbatched: false, 11);
    }

    [Test]
    public void AnEmptyBatchGivesAnEmptyResultAndZeroGradients()
    {
        var w = Rand([4, 3, 2, 2, 2], 1); w.RequiresGrad = true;
        var y = F.Conv3d(Tensor.Zeros([0, 3, 4, 4, 4], DType.Float64), w, null, 2, 1);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 0, 4, 3, 3, 3 }));
        y.Sum().Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        var wt = Rand([3, 2, 2, 2, 2], 2); wt.RequiresGrad = true;
        var yt = F.ConvTranspose3d(Tensor.Zeros([0, 3, 2, 2, 2], DType.Float64), wt, null, 2);
        Assert.That(yt.ShapeCopy(), Is.EqualTo(new[] { 0, 2, 4, 4, 4 }));
        yt.Sum().Backward();
        Assert.That(wt.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void PyTorchsErrorsNameTheProblemAndTheShapes()
    {
        var x = Tensor.Zeros([2, 4, 5, 5, 5], DType.Float64);
        var w = Tensor.Zeros([6, 4, 3, 3, 3], DType.Float64);
        Assert.That(() => F.Conv3d(x, Tensor.Zeros([6, 4, 3, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must be [out_channels, in_channels/groups, kD, kH, kW]"));
        Assert.That(() => F.Conv3d(x, w, groups: 4), Throws.ArgumentException.With.Message.Contains("out_channels 6").And.Message.Contains("groups 4"));
        Assert.That(() => F.Conv3d(x, w, groups: 2), Throws.ArgumentException.With.Message.Contains("expected input [N, 8, D, H, W] or [8, D, H, W]").And.Message.Contains("[2, 4, 5, 5, 5]"));
        Assert.That(() => F.Conv3d(Tensor.Zeros([3, 4, 5, 5], DType.Float64), Tensor.Zeros([6, 2, 3, 3, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("of rank 4"));
        Assert.That(() => F.Conv3d(x, w, Tensor.Zeros([5], DType.Float64)), Throws.ArgumentException.With.Message.Contains("bias must be [6]"));
        Assert.That(() => F.Conv3d(x, w, dilation: (3, 1, 1)), Throws.ArgumentException.With.Message.Contains("too small").And.Message.Contains("kernel 7x3x3"));
        Assert.That(() => F.Conv3d(x, w, null, 2, "same"), Throws.ArgumentException.With.Message.Contains("padding=\"same\" is not supported for strided convolutions"));
        Assert.That(() => F.Conv3d(x, w, null, 1, "full"), Throws.ArgumentException.With.Message.Contains("padding must be \"valid\", \"same\" or sizes"));
        Assert.That(() => F.Conv3d(x, w, null, 0), Throws.ArgumentException.With.Message.Contains("stride must be positive"));
        Assert.That(() => F.Conv3d(x, w, null, 1, -1), Throws.ArgumentException.With.Message.Contains("padding must not be negative"));
        var wt = Tensor.Zeros([4, 3, 3, 3, 3], DType.Float64);
        Assert.That(() => F.ConvTranspose3d(x, wt, null, 2, 0, 2), Throws.ArgumentException.With.Message.Contains("output_padding must be smaller than either stride or dilation"));
        Assert.That(() => F.ConvTranspose3d(x, wt, null, groups: 3), Throws.ArgumentException.With.Message.Contains("in_channels 4").And.Message.Contains("groups 3"));
        Assert.That(() => F.ConvTranspose3d(x, wt, Tensor.Zeros([3], DType.Float64), groups: 2), Throws.ArgumentException.With.Message.Contains("bias must be [6]"));
        Assert.That(() => F.ConvTranspose3d(x, wt, null, 1, 4), Throws.ArgumentException.With.Message.Contains("gives an output of -1x-1x-1"));
        Assert.That(() => F.ConvTranspose3d(Tensor.Zeros([2, 4, 0, 5, 5], DType.Float64), wt), Throws.ArgumentException.With.Message.Contains("empty volume"));
        Assert.That(() => F.ConvTranspose3d(x, Tensor.Zeros([4, 0, 3, 3, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must not be empty"));
        Assert.That(() => new Conv3d(4, 6, 3, paddingMode: "mirror"), Throws.ArgumentException.With.Message.Contains("padding_mode must be one of"));
        Assert.That(() => new Conv3d(4, 6, 3).Forward(Tensor.Zeros([2, 3, 5, 5, 5])), Throws.ArgumentException.With.Message.Contains("Conv3d"));
    }

    /// <summary>"same" keeps every size (an odd reach pads one more at the end); the padding modes pad with F.Pad first:
    /// compared with the explicit F.Pad + F.Conv3d, and "zeros" with F.Conv3d's own padding.</summary>
    [Test]
    public void TheModuleTakesSamePaddingAndThePaddingModes()
    {
        var x = Rand([2, 2, 4, 5, 3], 5);
        var same = F64(new Conv3d(2, 3, (2, 3, 2), padding: "same", dilation: (1, 1, 2), generator: new Generator(1)));
        Assert.That(same.Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4, 5, 3 }));
        var manual = F.Conv3d(x.Pad([1, 1, 1, 1, 0, 1]), same.Weight, same.Bias, dilation: (1, 1, 2));
        Naive.AssertClose(same.Forward(x).ToArray<double>(), manual.ToArray<double>(), 1e-12, "same");
        foreach (var mode in new[] { "zeros", "reflect", "replicate", "circular" })
        {
            var m = F64(new Conv3d(2, 3, 3, padding: (1, 1, 1), paddingMode: mode, generator: new Generator(2)));
            var expected = mode == "zeros" ? F.Conv3d(x, m.Weight, m.Bias, 1, 1) : F.Conv3d(F.Pad(x, [1, 1, 1, 1, 1, 1], mode), m.Weight, m.Bias);
            Naive.AssertClose(m.Forward(x).ToArray<double>(), expected.ToArray<double>(), 1e-12, mode);
            Assert.That(m.Forward(x.Narrow(0, 0, 1).Squeeze(0)).ShapeCopy(), Is.EqualTo(new[] { 3, 4, 5, 3 }), mode + " unbatched");
        }
        Assert.That(new Conv3d(2, 3, (1, 2, 3), 2, bias: false).ToString(), Does.Contain("Conv3d(2, 3, kernel_size=(1, 2, 3), stride=(2, 2, 2), bias=False)"));
        var t = F64(new ConvTranspose3d(2, 4, 3, 2, 1, 1, groups: 2, generator: new Generator(3)));
        Assert.That(t.Forward(x).ShapeCopy(), Is.EqualTo(new[] { 2, 4, 8, 10, 6 }));
        Assert.That(t.Forward(x, [7, 9, 5]).ShapeCopy(), Is.EqualTo(new[] { 2, 4, 7, 9, 5 }));
        Assert.That(() => t.Forward(x, [9, 9, 5]), Throws.ArgumentException.With.Message.Contains("valid sizes range from [7, 9, 5] to [8, 10, 6]"));
        Assert.That(t.Weight.ShapeCopy(), Is.EqualTo(new[] { 2, 2, 3, 3, 3 }));
    }

    /// <summary>A small 3-D network (two convolutions, a pool, a transposed convolution) forward and backward: its
    /// time goes to the console, as a sanity bound on the composition's cost.</summary>
    [Test]
    public void ASmall3dNetRunsInReasonableTime()
    {
        var c1 = new Conv3d(4, 16, 3, padding: 1, generator: new Generator(1));
        var c2 = new Conv3d(16, 16, 3, padding: 1, generator: new Generator(2));
        var up = new ConvTranspose3d(16, 4, 2, 2, generator: new Generator(3));
        var x = Tensor.Rand([2, 4, 16, 16, 16], generator: new Generator(4));
        void Step()
        {
            var h = F.MaxPool3d(F.Relu(c2.Forward(F.Relu(c1.Forward(x)))), 2);
            up.Forward(h).Square().Mean().Backward();
        }
        Step();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 3; i++) Step();
        double ms = sw.Elapsed.TotalMilliseconds / 3;
        TestContext.Out.WriteLine($"small 3-D net [2, 4, 16, 16, 16], forward + backward: {ms:F1} ms per step");
        Assert.That(ms, Is.LessThan(5000));
    }
}
