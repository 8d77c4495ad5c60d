using System.Runtime.Intrinsics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;
using Pade.Tests.Layers;

namespace Pade.Tests.Engine;

/// <summary>
/// The 256-bit kernels (CpuIsa: GEMM and direct-conv tiles, the 2x2 max pool, for AVX2 machines without AVX-512)
/// against the 512-bit ones and the naive references. On an AVX-512 machine <see cref="CpuIsa.Force256"/> runs them; on an AVX2
/// machine they are the default and the comparison with the other setting is the same path, so the naive checks carry
/// the test there. NonParallelizable: the switch is process-wide.
/// </summary>
[NonParallelizable]
public class Avx2KernelTests
{
    [SetUp]
    public void NeedsAvx2() => Assume.That(CpuIsa.Avx2, "the machine has no AVX2 + FMA");

    private static T[] Run256<T>(bool force, Func<T[]> f)
    {
        bool saved = CpuIsa.Force256;
        CpuIsa.Force256 = force;
        try { return f(); }
        finally { CpuIsa.Force256 = saved; }
    }

    /// <summary>Each element of C is the same FMA chain over k in both tiles, so the bits agree; the edge tiles (rows
    /// and columns short of MR x NR), the K blocks and beta 0, 1 and 0.5 all go through the tile.</summary>
    [TestCase(1, 1, 1)] [TestCase(8, 32, 5)] [TestCase(9, 33, 17)] [TestCase(13, 47, 300)] [TestCase(70, 100, 257)]
    [TestCase(64, 64, 64)] [TestCase(5, 200, 31)] [TestCase(200, 7, 40)]
    public void GemmTileGivesTheBitsOf512AndMatchesNaive(int m, int n, int k)
    {
        var rnd = new Random(m * 31 + n * 7 + k);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (double beta in new[] { 0.0, 1.0, 0.5 })
                {
                    Same<float>(rnd, m, n, k, ta, tb, beta, 1e-5);
                    Same<double>(rnd, m, n, k, ta, tb, beta, 1e-12);
                }
    }

    private static void Same<T>(Random rnd, int m, int n, int k, bool ta, bool tb, double beta, double tol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T[] a = Rand<T>(rnd, m * k), b = Rand<T>(rnd, k * n), c0 = Rand<T>(rnd, m * n);
        T[] Mul(bool force) => Run256(force, () =>
        {
            var c = (T[])c0.Clone();
            Gemm.Multiply(ta, tb, m, n, k, a, b, c, T.CreateTruncating(beta));
            return c;
        });
        var c256 = Mul(true);
        string what = $"{typeof(T).Name} {m}x{n}x{k} transA={ta} transB={tb} beta={beta}";
        if (Vector512Native) Assert.That(c256, Is.EqualTo(Mul(false)), what + ": 256-bit tile against 512-bit tile");
        double bound = tol * Math.Max(1, k / 16.0);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = beta * double.CreateTruncating(c0[i * n + j]);
                for (int p = 0; p < k; p++)
                    s += double.CreateTruncating(ta ? a[p * m + i] : a[i * k + p]) * double.CreateTruncating(tb ? b[j * k + p] : b[p * n + j]);
                double got = double.CreateTruncating(c256[i * n + j]);
                if (!Expect.Near(got, s, bound)) Assert.Fail($"{what}: C[{i}, {j}] = {got}, naive {s}");
            }
    }

    /// <summary>The direct convolution (stride 1, few output channels) with 256-bit tiles: its bits equal the 512-bit
    /// tiles' (forward, input and weight gradients), and forward and all three gradients match the naive convolution, on odd shapes (channel
    /// counts off the 8-row tile, widths off the 32-output tile, padding wider than the kernel's reach).</summary>
    [TestCase(1, 3, 1, 5, 9, 1, 0)] [TestCase(2, 5, 11, 12, 21, 3, 1)] [TestCase(3, 4, 9, 7, 40, 3, 3)]
    [TestCase(1, 2, 20, 9, 13, 5, 2)] [TestCase(2, 7, 3, 16, 33, 2, 0)]
    public void DirectConvTilesMatch512AndNaive(int n, int c, int k, int h, int w, int ks, int pad)
    {
        foreach (var dt in new[] { DType.Float64, DType.Float32 })
        {
            var gen = new Generator((ulong)(n * 1000 + c * 100 + k * 10 + h + w));
            var x = Tensor.Rand([n, c, h, w], -1, 1, DType.Float64, generator: gen);
            var wt = Tensor.Rand([k, c, ks, ks], -1, 1, DType.Float64, generator: gen);
            var bias = Tensor.Rand([k], -1, 1, DType.Float64, generator: gen);
            var p = new Size2(pad, pad);
            var expected = Naive.Conv2d(x.ToArray<double>(), x.ShapeCopy(), wt.ToArray<double>(), wt.ShapeCopy(), bias.ToArray<double>(), 1, p, new Size2(1, 1), 1, out var ys);
            var up = Tensor.Rand(ys, -1, 1, DType.Float64, generator: gen);
            var (edx, edw, edb) = Naive.Conv2dBackward(x.ToArray<double>(), x.ShapeCopy(), wt.ToArray<double>(), wt.ShapeCopy(), up.ToArray<double>(), 1, p, new Size2(1, 1), 1);
            double[][] Conv(bool force) => Run256(force, () =>
            {
                bool savedDirect = CpuBackend.DirectConvolution;
                CpuBackend.DirectConvolution = true;
                try
                {
                    var xt = x.To(dt).Clone(); xt.RequiresGrad = true;
                    var wg = wt.To(dt).Clone(); wg.RequiresGrad = true;
                    var bt = bias.To(dt).Clone(); bt.RequiresGrad = true;
                    var y = F.Conv2d(xt, wg, bt, 1, p, new Size2(1, 1), 1);
                    (y * up.To(dt)).Sum().Backward();
                    return new[] { y, xt.Grad!, wg.Grad!, bt.Grad! }.Select(t => t.To(DType.Float64).ToArray<double>()).ToArray();
                }
                finally { CpuBackend.DirectConvolution = savedDirect; }
            });
            var got = Conv(true);
            string what = $"{dt} x=[{n},{c},{h},{w}] w=[{k},{c},{ks},{ks}] pad={pad}";
            if (Vector512Native)
            {
                var wide = Conv(false);
                string[] names = ["forward", "dx", "dw", "db"];
                for (int i = 0; i < 4; i++) Assert.That(got[i], Is.EqualTo(wide[i]), $"{what} {names[i]}: bits of the 256-bit against the 512-bit tiles");
            }
            double tol = dt == DType.Float32 ? 2e-4 : 1e-11;
            Naive.AssertClose(got[0], expected, tol, what + " forward");
            Naive.AssertClose(got[1], edx, tol, what + " dx");
            Naive.AssertClose(got[2], edw, tol, what + " dw");
            Naive.AssertClose(got[3], edb, tol, what + " db");
        }
    }

    /// <summary>The 2x2 max pool's 256-bit path picks the general loop's winners (ties, NaNs, narrow and wide rows).</summary>
    [Test]
    public void MaxPool2x2PathPicksTheGeneralLoopsWinners()
    {
        bool saved = CpuIsa.Force256;
        CpuIsa.Force256 = true;
        try
        {
            for (int s = 0; s < 40; s++) MaxPool2x2Tests.Check(s * 7919 + 1, s * 104729 + 3, s % 2 == 1);
        }
        finally { CpuIsa.Force256 = saved; }
    }

    /// <summary>The 256-bit Philox rounds (RPAU's noise) give the words of the scalar stream, for batch counts that
    /// use both the two-block and the one-block step, and the 512-bit rounds' words where those run.</summary>
    [Test]
    public void PhiloxLanesGiveTheScalarStream()
    {
        var keys = PhiloxLanes.Keys(0x123456789ABCDEFUL);
        foreach (int batches in new[] { 1, 2, 3, 5, 8 })
        {
            var counter = System.Runtime.Intrinsics.Vector512.Create(0UL, 7, 1000, 1UL << 33, 5, 6, ulong.MaxValue - 20, 3);
            System.Runtime.Intrinsics.Vector512<ulong>[] Run(bool force) => Run256(force, () =>
            {
                var words = new System.Runtime.Intrinsics.Vector512<ulong>[4 * batches];
                PhiloxLanes.Fill(counter, batches, keys, words);
                return words;
            });
            var got = Run(true);
            for (int b = 0; b < batches; b++)
                for (int lane = 0; lane < 8; lane++)
                {
                    var (w0, w1, w2, w3) = Philox.Block(0x123456789ABCDEFUL, counter[lane] + (ulong)b);
                    uint[] block = [w0, w1, w2, w3];
                    for (int w = 0; w < 4; w++)
                        Assert.That((uint)got[4 * b + w][lane], Is.EqualTo(block[w]), $"batches {batches}, block {b}, lane {lane}, word {w}");
                }
            if (Vector512Native)
                Assert.That(got.Select(v => Enumerable.Range(0, 8).Select(i => (uint)v[i])), Is.EqualTo(Run(false).Select(v => Enumerable.Range(0, 8).Select(i => (uint)v[i]))));
        }
    }

    /// <summary>The 256-bit float exponential (AVX2 machines) gives the bits of the 512-bit one, which AVX-512 machines
    /// run with vscalefps, and stays within 1.3 ulp of e^x in double over the whole range: subnormal results, the
    /// overflow edge, ±∞ and NaN included; likewise the two-part form e^(hi + lo).</summary>
    [Test]
    public void ExpFloat256GivesTheBitsOf512()
    {
        var rng = new Random(7);
        var x = new float[16];
        for (int round = 0; round < 20000; round++)
        {
            for (int i = 0; i < 16; i++)
                x[i] = (round + i) % 211 == 0 ? float.NaN : (round + i) % 223 == 0 ? float.PositiveInfinity
                     : (round + i) % 227 == 0 ? float.NegativeInfinity : (float)(rng.NextDouble() * 200 - 110);
            var v = System.Runtime.Intrinsics.Vector512.Create(x);
            var wide = VMath.ExpFloat(v);
            var lo = VMath.ExpFloat(v.GetLower());
            var hi = VMath.ExpFloat(v.GetUpper());
            for (int i = 0; i < 16; i++)
            {
                float got = i < 8 ? lo[i] : hi[i - 8];
                Assert.That(Bits(got), Is.EqualTo(Bits(wide[i])), $"e^{x[i]:R}: 256-bit {got:R}, 512-bit {wide[i]:R}");
                double exact = Math.Exp(x[i]);
                if (double.IsNaN(exact)) { Assert.That(got, Is.NaN); continue; }
                if (exact > float.MaxValue) { Assert.That(got, Is.EqualTo(float.PositiveInfinity), $"e^{x[i]:R} overflows"); continue; }
                double ulp = Math.Max(Math.Abs(MathF.BitIncrement((float)exact) - (float)exact), float.Epsilon);
                Assert.That(Math.Abs(got - exact), Is.LessThanOrEqualTo(1.3 * ulp), $"e^{x[i]:R} = {exact:R}, got {got:R}");
            }
            // The two-part argument (hi, lo) of erf's exponential: the same bits at both widths.
            var l = Vector512.Create(x.Select(e => float.IsFinite(e) ? (float)(rng.NextDouble() * 4 - 2) : 0f).ToArray());
            var wide2 = VMath.ExpFloat(v, l);
            var lo2 = VMath.ExpFloat(v.GetLower(), l.GetLower());
            var hi2 = VMath.ExpFloat(v.GetUpper(), l.GetUpper());
            for (int i = 0; i < 16; i++)
            {
                float got = i < 8 ? lo2[i] : hi2[i - 8];
                Assert.That(Bits(got), Is.EqualTo(Bits(wide2[i])), $"e^({x[i]:R} + {l[i]:R}): 256-bit {got:R}, 512-bit {wide2[i]:R}");
            }
        }
    }

    /// <summary>GELU's 256-bit forward and backward (AVX2 machines) give the bits of the 512-bit kernel, over
    /// [−12, 12) with ±0, ±∞, NaN and |x| below 2⁻²⁰, and the forward stays within 4e-7·max(1, |gelu(x)|) of float64.</summary>
    [Test]
    public void Gelu256GivesTheBitsOf512()
    {
        var rng = new Random(13);
        var k = new GeluK<float>();
        float[] specials = [0f, -0f, 1e-8f, -3e-7f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 9.5e-7f];
        var x = new float[16]; var dy = new float[16];
        for (int round = 0; round < 20000; round++)
        {
            for (int i = 0; i < 16; i++)
            {
                x[i] = (round + i) % 97 == 0 ? specials[(round / 97 + i) % specials.Length] : (float)(rng.NextDouble() * 24 - 12);
                dy[i] = (float)(rng.NextDouble() * 2 - 1);
            }
            var v = Vector512.Create(x);
            var g = Vector512.Create(dy);
            var y = k.Apply(v);
            var dx = k.Apply(v, y, g);
            var yl = VMath.GeluFloat(v.GetLower()); var yh = VMath.GeluFloat(v.GetUpper());
            var dl = VMath.GeluFloatBackward(v.GetLower(), y.GetLower(), g.GetLower());
            var dh = VMath.GeluFloatBackward(v.GetUpper(), y.GetUpper(), g.GetUpper());
            for (int i = 0; i < 16; i++)
            {
                float y256 = i < 8 ? yl[i] : yh[i - 8], d256 = i < 8 ? dl[i] : dh[i - 8];
                Assert.That(Bits(y256), Is.EqualTo(Bits(y[i])), $"gelu({x[i]:R}): 256-bit {y256:R}, 512-bit {y[i]:R}");
                Assert.That(Bits(d256), Is.EqualTo(Bits(dx[i])), $"gelu'({x[i]:R})·{dy[i]:R}: 256-bit {d256:R}, 512-bit {dx[i]:R}");
                if (float.IsFinite(x[i]))
                {
                    double exact = x[i] * SpecialFunctions.NormalCdf(x[i]);
                    Assert.That(Math.Abs(y256 - exact), Is.LessThanOrEqualTo(4e-7 * Math.Max(1, Math.Abs(exact))), $"gelu({x[i]:R}) = {exact:R}, got {y256:R}");
                }
            }
        }
    }

    /// <summary>The bits of a float, every NaN as one: the two widths may give a NaN input's result either sign (the
    /// 512-bit kernel −NaN, the 256-bit one +NaN on Zen 5), and a NaN is all that is promised.</summary>
    private static int Bits(float v) => float.IsNaN(v) ? int.MinValue : BitConverter.SingleToInt32Bits(v);

    private static bool Vector512Native => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    private static T[] Rand<T>(Random rnd, int length) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        Enumerable.Range(0, length).Select(_ => T.CreateTruncating(rnd.NextDouble() * 2 - 1)).ToArray();
}
