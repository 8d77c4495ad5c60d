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
            if (Math.Abs(actual[i] - expected[i]) > tol * (1 + Math.Abs(expected[i])))
                NUnit.Framework.Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }
}
