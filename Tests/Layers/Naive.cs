using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Tests.Layers;

/// <summary>Reference implementations written straight from the definitions, in double, for comparison.</summary>
internal static class Naive
{
    public static int Pick(int v, int lo, int hi) => lo + (int)((uint)v % (uint)(hi - lo + 1));

    /// <summary>Deterministic choices derived from FsCheck's arguments. FsCheck's integers are small early in a run,
    /// so their bits alone would pick nearly the same configuration every time: a SplitMix64 stream seeded with
    /// them spreads the choices over the whole range while staying a function of the inputs.</summary>
    public sealed class Picker(params int[] inputs)
    {
        private ulong _state = inputs.Aggregate(0x9E3779B97F4A7C15UL, (h, v) => (h ^ (uint)v) * 0xBF58476D1CE4E5B9UL);

        public int Next(int lo, int hi)
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return lo + (int)(z % (ulong)(hi - lo + 1));
        }
    }

    /// <summary>y[n,k,oh,ow] = b[k] + Σ_{c in group, i, j} w[k, c', i, j] x[n, c, oh s − p + i d, ...].</summary>
    public static double[] Conv2d(double[] x, int[] xs, double[] w, int[] ws, double[]? b, Size2 s, Size2 p, Size2 d, int groups, out int[] ys)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], k = ws[0], cg = ws[1], kh = ws[2], kw = ws[3], kg = k / groups;
        int oh = (h + 2 * p.H - d.H * (kh - 1) - 1) / s.H + 1, ow = (wd + 2 * p.W - d.W * (kw - 1) - 1) / s.W + 1;
        ys = [n, k, oh, ow];
        var y = new double[n * k * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int ki = 0; ki < k; ki++)
                for (int a = 0; a < oh; a++)
                    for (int bb = 0; bb < ow; bb++)
                    {
                        double acc = b?[ki] ?? 0;
                        int gi = ki / kg;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int ih = a * s.H - p.H + i * d.H, iw = bb * s.W - p.W + j * d.W;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    int cin = gi * cg + ci;
                                    acc += w[((ki * cg + ci) * kh + i) * kw + j] * x[((ni * c + cin) * h + ih) * wd + iw];
                                }
                        y[((ni * k + ki) * oh + a) * ow + bb] = acc;
                    }
        return y;
    }

    /// <summary>The gradients of Σ y ⊙ g for the convolution above, by the same loops run backwards.</summary>
    public static (double[] Dx, double[] Dw, double[] Db) Conv2dBackward(double[] x, int[] xs, double[] w, int[] ws, double[] g, Size2 s, Size2 p, Size2 d, int groups)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], k = ws[0], cg = ws[1], kh = ws[2], kw = ws[3], kg = k / groups;
        int oh = (h + 2 * p.H - d.H * (kh - 1) - 1) / s.H + 1, ow = (wd + 2 * p.W - d.W * (kw - 1) - 1) / s.W + 1;
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[k];
        for (int ni = 0; ni < n; ni++)
            for (int ki = 0; ki < k; ki++)
                for (int a = 0; a < oh; a++)
                    for (int bb = 0; bb < ow; bb++)
                    {
                        double gv = g[((ni * k + ki) * oh + a) * ow + bb];
                        db[ki] += gv;
                        int gi = ki / kg;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int ih = a * s.H - p.H + i * d.H, iw = bb * s.W - p.W + j * d.W;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    int xi = ((ni * c + gi * cg + ci) * h + ih) * wd + iw, wi = ((ki * cg + ci) * kh + i) * kw + j;
                                    dx[xi] += w[wi] * gv;
                                    dw[wi] += x[xi] * gv;
                                }
                    }
        return (dx, dw, db);
    }

    public static void AssertClose(double[] actual, double[] expected, double tol, string what)
    {
        NUnit.Framework.Assert.That(actual.Length, NUnit.Framework.Is.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            if (!Pade.Tests.Engine.Expect.Near(actual[i], expected[i], tol * (1 + Math.Abs(expected[i]))))
                NUnit.Framework.Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }
}

/// <summary>Pooling written straight from PyTorch's definitions (pooling_output_shape, the max_pool2d and
/// avg_pool2d CPU loops), in double, for comparison.</summary>
internal static class NaivePool
{
    /// <summary>PyTorch's pooling_output_shape: floor division toward −∞; in ceil mode the last window must start
    /// inside the image or its left padding.</summary>
    public static int OutSize(int size, int k, int s, int p, int d, bool ceil)
    {
        int num = size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        int o = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
        if (ceil && (o - 1) * s >= size + p) o--;
        return o;
    }

    /// <summary>y and dx (for upstream g) of max pooling: the first strict maximum over the taps inside the image,
    /// −∞ and no gradient where there is none.</summary>
    public static (double[] Y, double[] Dx) Max(double[] x, int[] xs, double[]? g, Size2 k, Size2 s, Size2 p, Size2 d, bool ceil, out int[] ys)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = OutSize(h, k.H, s.H, p.H, d.H, ceil), ow = OutSize(w, k.W, s.W, p.W, d.W, ceil);
        ys = [xs[0], xs[1], oh, ow];
        var y = new double[planes * oh * ow];
        var dx = new double[x.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double best = double.NegativeInfinity;
                    int at = -1;
                    for (int u = 0; u < k.H; u++)
                        for (int v = 0; v < k.W; v++)
                        {
                            int ih = i * s.H - p.H + u * d.H, iw = j * s.W - p.W + v * d.W;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            int idx = (pl * h + ih) * w + iw;
                            if (at < 0 || x[idx] > best) { best = x[idx]; at = idx; }
                        }
                    int o = (pl * oh + i) * ow + j;
                    y[o] = best;
                    if (at >= 0 && g != null) dx[at] += g[o];
                }
        return (y, dx);
    }

    /// <summary>y and dx of average pooling with PyTorch's divisor: the override; else the window clipped to the
    /// padded image (countIncludePad) or the positions inside the image.</summary>
    public static (double[] Y, double[] Dx) Avg(double[] x, int[] xs, double[]? g, Size2 k, Size2 s, Size2 p, bool ceil,
        bool countIncludePad, int? divisorOverride, out int[] ys)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = OutSize(h, k.H, s.H, p.H, 1, ceil), ow = OutSize(w, k.W, s.W, p.W, 1, ceil);
        ys = [xs[0], xs[1], oh, ow];
        var y = new double[planes * oh * ow];
        var dx = new double[x.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int hs = i * s.H - p.H, ws = j * s.W - p.W;
                    int padded = (Math.Min(hs + k.H, h + p.H) - hs) * (Math.Min(ws + k.W, w + p.W) - ws);
                    var inside = new List<int>();
                    for (int u = 0; u < k.H; u++)
                        for (int v = 0; v < k.W; v++)
                        {
                            int ih = hs + u, iw = ws + v;
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) inside.Add((pl * h + ih) * w + iw);
                        }
                    double divisor = divisorOverride ?? (countIncludePad ? padded : inside.Count);
                    int o = (pl * oh + i) * ow + j;
                    y[o] = inside.Sum(idx => x[idx]) / divisor;
                    if (g != null) foreach (int idx in inside) dx[idx] += g[o] / divisor;
                }
        return (y, dx);
    }
}
