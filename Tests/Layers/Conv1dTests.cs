using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using ConvPath = Pade.Engine.CpuBackend.ConvPath;

namespace Pade.Tests.Layers;

/// <summary>A 1-D convolution's arguments: x [N, C, L], w [K, C/G, KW] (conv1d) or [Cin, Cout/G, KW]
/// (conv_transpose1d), stride, padding, output_padding (transposed only), dilation, groups.</summary>
internal sealed record Conv1dCase(int[] Xs, int[] Ws, int S, int P, int Op, int D, int G)
{
    public int ConvOut => (Xs[2] + 2 * P - D * (Ws[2] - 1) - 1) / S + 1;
    public int TransposedOut => (Xs[2] - 1) * S - 2 * P + D * (Ws[2] - 1) + Op + 1;

    public override string ToString() =>
        $"x={Shapes.Format(Xs)} w={Shapes.Format(Ws)} stride={S} padding={P} output_padding={Op} dilation={D} groups={G}";
}

/// <summary>F.Conv1d and F.ConvTranspose1d against their definitions written as plain float64 loops over one axis,
/// and against central differences, on random geometries: L = 1, kernels reaching beyond the sequence with padding
/// (and padding wider than the reach), strides, dilations, groups and depthwise, an empty batch, unbatched
/// sequences; each under a random set of the CPU convolution switches. Both are their 2-D twins on a height-1 axis:
/// <see cref="OneDGeometriesTakeTheRightPaths"/> checks which 2-D paths that geometry takes.</summary>
[NonParallelizable]
public class Conv1dTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    private static readonly ConvSwitchSet[] SwitchSets = [new(true, true, true), new(true, true, false), new(false, true, false), new(false, false, false)];

    /// <summary>y[n, k, o] = b[k] + Σ_{c, j} w[k, c, j] x[n, g(k)·C/G + c, o·S − P + j·D].</summary>
    internal static double[] NaiveConv(Conv1dCase c, double[] x, double[] w, double[]? b)
    {
        int n = c.Xs[0], ch = c.Xs[1], l = c.Xs[2], k = c.Ws[0], cg = c.Ws[1], kw = c.Ws[2], kg = k / c.G, ol = c.ConvOut;
        var y = new double[n * k * ol];
        for (int ni = 0; ni < n; ni++)
            for (int ki = 0; ki < k; ki++)
                for (int o = 0; o < ol; o++)
                {
                    double acc = b?[ki] ?? 0;
                    for (int ci = 0; ci < cg; ci++)
                        for (int j = 0; j < kw; j++)
                        {
                            int at = o * c.S - c.P + j * c.D;
                            if (at < 0 || at >= l) continue;
                            acc += w[(ki * cg + ci) * kw + j] * x[(ni * ch + ki / kg * cg + ci) * l + at];
                        }
                    y[(ni * k + ki) * ol + o] = acc;
                }
        return y;
    }

    /// <summary>The gradients of Σ y ⊙ g by the same loops: each term w·x sends g·w to x and g·x to w.</summary>
    internal static (double[] Dx, double[] Dw, double[] Db) NaiveConvBackward(Conv1dCase c, double[] x, double[] w, double[] g)
    {
        int n = c.Xs[0], ch = c.Xs[1], l = c.Xs[2], k = c.Ws[0], cg = c.Ws[1], kw = c.Ws[2], kg = k / c.G, ol = c.ConvOut;
        double[] dx = new double[x.Length], dw = new double[w.Length], db = new double[k];
        for (int ni = 0; ni < n; ni++)
            for (int ki = 0; ki < k; ki++)
                for (int o = 0; o < ol; o++)
                {
                    double gv = g[(ni * k + ki) * ol + o];
                    db[ki] += gv;
                    for (int ci = 0; ci < cg; ci++)
                        for (int j = 0; j < kw; j++)
                        {
                            int at = o * c.S - c.P + j * c.D;
                            if (at < 0 || at >= l) continue;
                            int xi = (ni * ch + ki / kg * cg + ci) * l + at, wi = (ki * cg + ci) * kw + j;
                            dx[xi] += gv * w[wi];
                            dw[wi] += gv * x[xi];
                        }
                }
        return (dx, dw, db);
    }

    /// <summary>y[n, co, l·S − P + j·D] += x[n, ci, l]·w[ci, co', j], kept inside [0, OL).</summary>
    internal static double[] NaiveTransposed(Conv1dCase c, double[] x, double[] w, double[]? b)
    {
        int n = c.Xs[0], cin = c.Xs[1], l = c.Xs[2], cog = c.Ws[1], kw = c.Ws[2], cout = cog * c.G, cig = cin / c.G, ol = c.TransposedOut;
        var y = new double[n * cout * ol];
        for (int ni = 0; ni < n; ni++)
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < ol; i++) y[(ni * cout + co) * ol + i] = b?[co] ?? 0;
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < cin; ci++)
                for (int li = 0; li < l; li++)
                    for (int cj = 0; cj < cog; cj++)
                        for (int j = 0; j < kw; j++)
                        {
                            int i = li * c.S - c.P + j * c.D;
                            if (i < 0 || i >= ol) continue;
                            y[(ni * cout + ci / cig * cog + cj) * ol + i] += x[(ni * cin + ci) * l + li] * w[(ci * cog + cj) * kw + j];
                        }
        return y;
    }

    internal static (double[] Dx, double[] Dw, double[] Db) NaiveTransposedBackward(Conv1dCase c, double[] x, double[] w, double[] g)
    {
        int n = c.Xs[0], cin = c.Xs[1], l = c.Xs[2], cog = c.Ws[1], kw = c.Ws[2], cout = cog * c.G, cig = cin / c.G, ol = c.TransposedOut;
        double[] dx = new double[x.Length], dw = new double[w.Length], db = new double[cout];
        for (int ni = 0; ni < n; ni++)
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < ol; i++) db[co] += g[(ni * cout + co) * ol + i];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < cin; ci++)
                for (int li = 0; li < l; li++)
                    for (int cj = 0; cj < cog; cj++)
                        for (int j = 0; j < kw; j++)
                        {
                            int i = li * c.S - c.P + j * c.D;
                            if (i < 0 || i >= ol) continue;
                            double gv = g[(ni * cout + ci / cig * cog + cj) * ol + i];
                            int xi = (ni * cin + ci) * l + li, wj = (ci * cog + cj) * kw + j;
                            dx[xi] += gv * w[wj];
                            dw[wj] += gv * x[xi];
                        }
        return (dx, dw, db);
    }

    /// <summary>A random conv1d geometry PyTorch accepts: one sequence in three of length 1, padding up to the
    /// kernel's reach plus 2 (raised where the kernel would not fit), one case in four depthwise.</summary>
    internal static Conv1dCase ConvConfig(Naive.Picker r)
    {
        int groups = r.Next(1, 3), cg = r.Next(1, 2), kg = r.Next(1, 3);
        if (r.Next(0, 3) == 0) { cg = 1; kg = 1; groups = r.Next(1, 5); }
        int kw = r.Next(1, 4), s = r.Next(1, 3), d = r.Next(1, 3), l = r.Next(0, 2) == 0 ? 1 : r.Next(1, 9), n = r.Next(0, 2);
        int p = r.Next(0, d * (kw - 1) + 2);
        while (l + 2 * p < d * (kw - 1) + 1) p++;
        return new Conv1dCase([n, cg * groups, l], [kg * groups, cg, kw], s, p, 0, d, groups);
    }

    /// <summary>A random conv_transpose1d geometry: output_padding up to max(stride, dilation) − 1 (so also beyond the
    /// stride), padding up to the reach plus 2, lowered until the output is at least 1 long.</summary>
    internal static Conv1dCase TransposedConfig(Naive.Picker r)
    {
        int groups = r.Next(1, 3), cig = r.Next(1, 2), cog = r.Next(1, 2);
        if (r.Next(0, 3) == 0) { cig = 1; cog = 1; groups = r.Next(1, 4); }
        int kw = r.Next(1, 4), s = r.Next(1, 3), d = r.Next(1, 3), l = r.Next(0, 2) == 0 ? 1 : r.Next(1, 7), n = r.Next(0, 2);
        int op = r.Next(0, Math.Max(s, d) - 1), p = r.Next(0, d * (kw - 1) + 2);
        while (p > 0 && (l - 1) * s - 2 * p + d * (kw - 1) + op + 1 < 1) p--;
        return new Conv1dCase([n, cig * groups, l], [cig * groups, cog, kw], s, p, op, d, groups);
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void Conv1dMatchesTheDefinitionAndItsGradients(int a, int b, int c, bool bias, bool unbatched)
    {
        var r = new Naive.Picker(a, b, c);
        var cc = ConvConfig(r);
        var set = SwitchSets[r.Next(0, SwitchSets.Length - 1)];
        // padding="same" (stride 1) in one case in two: the same loops with the padding it resolves to, on the input
        // padded by the extra element at the end.
        bool same = cc.S == 1 && r.Next(0, 1) == 0;
        // Half of those with an odd reach (an even kernel, an odd dilation): the extra element at the end.
        if (same && r.Next(0, 1) == 0) cc = cc with { Ws = [cc.Ws[0], cc.Ws[1], r.Next(1, 2) * 2], D = r.Next(0, 1) * 2 + 1 };
        unbatched &= cc.Xs[0] == 1;
        ConvSwitches.With(set, () => CheckConv(cc, bias, unbatched, same, (ulong)(uint)a, $"{set} {cc} bias={bias} unbatched={unbatched} same={same}"));
    }

    private static void CheckConv(Conv1dCase c, bool bias, bool unbatched, bool same, ulong seed, string what)
    {
        var x0 = Rand(c.Xs, seed); var w0 = Rand(c.Ws, seed + 1); var b0 = Rand([c.Ws[0]], seed + 2);
        ConvPadding1d padding = c.P;
        var reference = c;
        int extra = 0;
        if (same)
        {
            int reach = c.D * (c.Ws[2] - 1);
            padding = "same";
            extra = reach % 2;
            reference = c with { Xs = [c.Xs[0], c.Xs[1], c.Xs[2] + extra], P = reach / 2 };
        }
        var xr = extra == 0 ? x0 : x0.Pad([0, extra]);
        var ey = NaiveConv(reference, xr.ToArray<double>(), w0.ToArray<double>(), bias ? b0.ToArray<double>() : null);
        int[] ys = [c.Xs[0], c.Ws[0], reference.ConvOut];
        if (same) Assert.That(ys[2], Is.EqualTo(c.Xs[2]), what + " same keeps the length");
        var up = Rand(ys, seed + 3);
        var (edx, edw, edb) = NaiveConvBackward(reference, xr.ToArray<double>(), w0.ToArray<double>(), up.ToArray<double>());
        if (extra != 0) edx = edx.Chunk(c.Xs[2] + extra).SelectMany(row => row.Take(c.Xs[2])).ToArray();

        var x = (unbatched ? x0.Squeeze(0) : x0).Clone(); x.RequiresGrad = true;
        var w = w0.Clone(); w.RequiresGrad = true;
        var b = b0.Clone(); b.RequiresGrad = true;
        var y = F.Conv1d(x, w, bias ? b : null, c.S, padding, c.D, c.G);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what + " forward");
        (y * (unbatched ? up.Squeeze(0) : up)).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), edw, 1e-12, what + " dw");
        if (bias) Naive.AssertClose(b.Grad!.ToArray<double>(), edb, 1e-12, what + " db");

        if (c.Xs[0] > 0)
        {
            Tensor[] inputs = bias ? [x0, w0, b0] : [x0, w0];
            GradCheck.Assert($"conv1d {what}", t => F.Conv1d(t[0], t[1], bias ? t[2] : null, c.S, padding, c.D, c.G), inputs,
                new GradCheckOptions(Seed: seed));
        }
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void ConvTranspose1dMatchesTheDefinitionAndItsGradients(int a, int b, int c, bool bias, bool unbatched)
    {
        var r = new Naive.Picker(a, b, c);
        var cc = TransposedConfig(r);
        var set = SwitchSets[r.Next(0, SwitchSets.Length - 1)];
        unbatched &= cc.Xs[0] == 1;
        ConvSwitches.With(set, () => CheckTransposed(cc, bias, unbatched, (ulong)(uint)a, $"{set} {cc} bias={bias} unbatched={unbatched}"));
    }

    private static void CheckTransposed(Conv1dCase c, bool bias, bool unbatched, ulong seed, string what)
    {
        int cout = c.Ws[1] * c.G;
        var x0 = Rand(c.Xs, seed); var w0 = Rand(c.Ws, seed + 1); var b0 = Rand([cout], seed + 2);
        var ey = NaiveTransposed(c, x0.ToArray<double>(), w0.ToArray<double>(), bias ? b0.ToArray<double>() : null);
        int[] ys = [c.Xs[0], cout, c.TransposedOut];
        var up = Rand(ys, seed + 3);
        var (edx, edw, edb) = NaiveTransposedBackward(c, x0.ToArray<double>(), w0.ToArray<double>(), up.ToArray<double>());

        var x = (unbatched ? x0.Squeeze(0) : x0).Clone(); x.RequiresGrad = true;
        var w = w0.Clone(); w.RequiresGrad = true;
        var b = b0.Clone(); b.RequiresGrad = true;
        var y = F.ConvTranspose1d(x, w, bias ? b : null, c.S, c.P, c.Op, c.G, c.D);
        Assert.That(y.ShapeCopy(), Is.EqualTo(unbatched ? ys[1..] : ys), what + " shape");
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what + " forward");
        (y * (unbatched ? up.Squeeze(0) : up)).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), edw, 1e-12, what + " dw");
        if (bias) Naive.AssertClose(b.Grad!.ToArray<double>(), edb, 1e-12, what + " db");

        if (c.Xs[0] > 0)
        {
            Tensor[] inputs = bias ? [x0, w0, b0] : [x0, w0];
            GradCheck.Assert($"conv_transpose1d {what}", t => F.ConvTranspose1d(t[0], t[1], bias ? t[2] : null, c.S, c.P, c.Op, c.G, c.D), inputs,
                new GradCheckOptions(Seed: seed));
        }
    }

    /// <summary>The 2-D paths a height-1 geometry takes (the dispatch of CpuBackend.ConvPaths, with the switches of each
    /// set): never Winograd (3x3 kernels only, even with its floor at 1 channel and 1 tile); depthwise, pointwise,
    /// direct, dense, table and slices all reachable; and each of those geometries matches the definition.</summary>
    [Test]
    public void OneDGeometriesTakeTheRightPaths()
    {
        // (label, case, switches, expected forward path)
        (string, Conv1dCase, ConvSwitchSet, ConvPath)[] cases =
        [
            ("depthwise", new([2, 4, 9], [4, 1, 3], 1, 1, 0, 1, 4), new(true, true, true), ConvPath.Depthwise),
            ("pointwise", new([2, 3, 7], [5, 3, 1], 1, 0, 0, 1, 1), new(true, true, true), ConvPath.Pointwise),
            ("direct k3", new([2, 3, 20], [4, 3, 3], 1, 1, 0, 1, 1), new(true, true, true), ConvPath.Direct),
            ("dense: L <= k", new([2, 3, 3], [4, 3, 3], 1, 1, 0, 1, 1), new(false, true, true), ConvPath.Dense),
            ("table, strided", new([2, 3, 9], [4, 3, 3], 2, 1, 0, 1, 1), new(false, true, true), ConvPath.Table),
            ("slices, strided", new([2, 3, 9], [4, 3, 3], 2, 1, 0, 2, 1), new(false, false, true), ConvPath.Slices),
        ];
        foreach (var (label, c, set, expected) in cases)
        {
            var g = new Conv2dGeometry(c.Xs[0], c.Xs[1], 1, c.Xs[2], c.Ws[0], 1, c.Ws[2], 1, c.S, 0, c.P, 1, c.D, c.G, 1, c.ConvOut);
            var paths = CpuBackend.ConvPaths(g, set.Direct, set.Table, set.Winograd ? ConvSwitches.AnyWinograd : null);
            Assert.That(paths.Forward, Is.EqualTo(expected), label);
            Assert.That(new[] { paths.Forward, paths.Input, paths.Weight }, Has.None.EqualTo(ConvPath.Winograd), label);
            ConvSwitches.With(set, () => CheckConv(c, bias: true, unbatched: false, same: false, 3, $"{label} {c}"));
            ConvSwitches.With(set, () => CheckTransposed(c with { Ws = [c.Xs[1], c.Ws[0] / c.G, c.Ws[2]] }, bias: true, unbatched: false, 4, $"transposed {label} {c}"));
        }
    }

    /// <summary>padding="same" with an odd reach D·(K − 1) pads one more element at the end, as PyTorch:
    /// conv1d([1, 2, 3, 4], [1, 10], padding="same") = [21, 32, 43, 4]; then even and odd reaches, dilated, batched
    /// and not, against the loops.</summary>
    [Test]
    public void SamePaddingPutsTheExtraElementAtTheEnd()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 1, 1, 4);
        var w = Tensor.FromArray(new double[] { 1, 10 }, 1, 1, 2);
        Assert.That(F.Conv1d(x, w, null, 1, "same").ToArray<double>(), Is.EqualTo(new double[] { 21, 32, 43, 4 }));
        foreach (var (kw, d) in new[] { (2, 1), (4, 1), (2, 3), (4, 3), (3, 1), (3, 2), (1, 1) })
            foreach (bool unbatched in (bool[])[false, true])
            {
                var c = new Conv1dCase([1, 2, 5], [3, 2, kw], 1, 0, 0, d, 1);
                CheckConv(c, bias: true, unbatched, same: true, 11, $"same {c} unbatched={unbatched}");
            }
    }

    [Test]
    public void AnEmptyBatchGivesAnEmptyResultAndZeroGradients()
    {
        var x = Rand([0, 3, 5], 1); x.RequiresGrad = true;
        var w = Rand([4, 3, 3], 2); w.RequiresGrad = true;
        var b = Rand([4], 3); b.RequiresGrad = true;
        var y = F.Conv1d(x, w, b, 2, 1);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 0, 4, 3 }));
        y.Sum().Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(b.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        var wt = Rand([3, 2, 3], 4);
        Assert.That(F.ConvTranspose1d(x, wt, null, 2, 1, 1).ShapeCopy(), Is.EqualTo(new[] { 0, 2, 10 }));
        // The 2-D convolution underneath, which the backend's loops leave to F.Conv2d.
        var x2 = Rand([0, 3, 4, 4], 5); x2.RequiresGrad = true;
        var w2 = Rand([2, 3, 3, 3], 6); w2.RequiresGrad = true;
        var y2 = F.Conv2d(x2, w2, null, 1, 1);
        Assert.That(y2.ShapeCopy(), Is.EqualTo(new[] { 0, 2, 4, 4 }));
        y2.Sum().Backward();
        Assert.That(w2.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(x2.Grad!.ShapeCopy(), Is.EqualTo(new[] { 0, 3, 4, 4 }));
    }

    [Test]
    public void PyTorchsErrorsNameTheProblemAndTheShapes()
    {
        var x = Tensor.Zeros([2, 4, 5], DType.Float64);
        var w = Tensor.Zeros([6, 4, 3], DType.Float64);
        Assert.That(() => F.Conv1d(x, Tensor.Zeros([6, 3, 3], DType.Float64)),
            Throws.ArgumentException.With.Message.Contains("expected input [N, 3, L] or [3, L]").And.Message.Contains("[2, 4, 5] with 4 channels"));
        Assert.That(() => F.Conv1d(Tensor.Zeros([2, 4, 5, 1], DType.Float64), w), Throws.ArgumentException.With.Message.Contains("of rank 4"));
        Assert.That(() => F.Conv1d(x, Tensor.Zeros([6, 4, 3, 1], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must be [out_channels, in_channels/groups, kW]"));
        Assert.That(() => F.Conv1d(x, w, null, 2, "same"), Throws.ArgumentException.With.Message.Contains("padding=\"same\" is not supported for strided convolutions"));
        Assert.That(() => F.Conv1d(x, w, null, 1, "full"), Throws.ArgumentException.With.Message.Contains("\"valid\", \"same\""));
        Assert.That(() => F.Conv1d(x, w, null, 1, 0, 3), Throws.ArgumentException.With.Message.Contains("too small").And.Message.Contains("kernel 7"));
        Assert.That(() => F.Conv1d(x, Tensor.Zeros([5, 2, 3], DType.Float64), groups: 2), Throws.ArgumentException.With.Message.Contains("out_channels 5").And.Message.Contains("groups 2"));
        Assert.That(() => F.Conv1d(x, w, Tensor.Zeros([5], DType.Float64)), Throws.ArgumentException.With.Message.Contains("bias must be [6]"));
        Assert.That(() => F.Conv1d(x, w, null, 0), Throws.ArgumentException.With.Message.Contains("stride must be positive"));
        Assert.That(() => F.Conv1d(x, w, null, 1, -1), Throws.ArgumentException.With.Message.Contains("padding must not be negative"));
        Assert.That(F.Conv1d(x, w, null, 1, "valid").ShapeCopy(), Is.EqualTo(new[] { 2, 6, 3 }));
        Assert.That(F.Conv1d(x, Tensor.Zeros([6, 4, 4], DType.Float64), null, 1, "same", 1).ShapeCopy(), Is.EqualTo(new[] { 2, 6, 5 }));

        var wt = Tensor.Zeros([4, 3, 3], DType.Float64);
        Assert.That(() => F.ConvTranspose1d(x, wt, null, 2, 0, 2), Throws.ArgumentException.With.Message.Contains("output_padding must be smaller than either stride or dilation"));
        Assert.That(F.ConvTranspose1d(x, wt, null, 1, 0, 1, dilation: 2).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 10 }));
        Assert.That(() => F.ConvTranspose1d(x, wt, null, groups: 3), Throws.ArgumentException.With.Message.Contains("in_channels 4").And.Message.Contains("groups 3"));
        Assert.That(() => F.ConvTranspose1d(x, Tensor.Zeros([2, 3, 3], DType.Float64)),
            Throws.ArgumentException.With.Message.Contains("expected input [N, 2, L] or [2, L]").And.Message.Contains("[2, 4, 5]"));
        Assert.That(() => F.ConvTranspose1d(x, wt, Tensor.Zeros([4], DType.Float64), groups: 2), Throws.ArgumentException.With.Message.Contains("bias must be [6]"));
        Assert.That(() => F.ConvTranspose1d(x, wt, null, 1, 4), Throws.ArgumentException.With.Message.Contains("output length of -1"));
        Assert.That(() => F.ConvTranspose1d(Tensor.Zeros([2, 4, 0], DType.Float64), wt), Throws.ArgumentException.With.Message.Contains("empty sequence"));
        Assert.That(() => F.ConvTranspose1d(x, Tensor.Zeros([4, 3, 3, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must be [in_channels, out_channels/groups, kW]"));
        Assert.That(() => F.ConvTranspose1d(x, Tensor.Zeros([4, 0, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("weight must not be empty"));
    }

    [Test]
    public void FloatMatchesDouble()
    {
        var x = Rand([3, 4, 11], 1); var w = Rand([6, 2, 3], 2); var b = Rand([6], 3);
        var y64 = F.Conv1d(x, w, b, 2, 2, 2, 2);
        var y32 = F.Conv1d(x.To(DType.Float32), w.To(DType.Float32), b.To(DType.Float32), 2, 2, 2, 2);
        Assert.That(y32.DType, Is.EqualTo(DType.Float32));
        Naive.AssertClose(y32.To(DType.Float64).ToArray<double>(), y64.ToArray<double>(), 1e-5, "conv1d float32");
        var wt = Rand([4, 3, 3], 4);
        var t64 = F.ConvTranspose1d(x, wt, null, 2, 1, 1, 2);
        var t32 = F.ConvTranspose1d(x.To(DType.Float32), wt.To(DType.Float32), null, 2, 1, 1, 2);
        Naive.AssertClose(t32.To(DType.Float64).ToArray<double>(), t64.ToArray<double>(), 1e-5, "conv_transpose1d float32");
    }
}
