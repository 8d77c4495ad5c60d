using System.Runtime.Intrinsics;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Tests.Activations;

/// <summary>
/// The RPAU noise drawn in registers (<see cref="PhiloxLanes"/>, <see cref="PauNoiseLanes{T}"/>, the noisy loops of
/// <see cref="PauKernel{T}"/>) against the scalar definitions, bit for bit: Philox words against
/// <see cref="Philox.Word"/>, factors against <see cref="PauNoise.Factor(long, int, int, bool)"/>, and each element of
/// the noisy fused PAU against the noiseless fused PAU of that element alone at its hand-noised coefficients.
/// </summary>
public class PauNoiseLanesTests
{
    [Test]
    public void PhiloxLanesEqualTheScalarBlocks()
    {
        const ulong seed = 0xDEADBEEF12345UL;
        var keys = PhiloxLanes.Keys(seed);
        // Counters near 2³² (the carry into counter word 1) and lanes at uneven distances; 1..7 batches take the
        // four-chain and the one-chain paths and their mix.
        foreach (ulong first in new ulong[] { 0, 5, (1UL << 32) - 3, 123456789012 })
            for (int batches = 1; batches <= 7; batches++)
            {
                var counter = Vector512.Create(first) + Vector512.Create(0UL, 1, 7, 2, 100, 3, 1UL << 33, 11);
                var words = new Vector512<ulong>[4 * batches];
                PhiloxLanes.Fill(counter, batches, keys, words);
                for (int b = 0; b < batches; b++)
                    for (int j = 0; j < 8; j++)
                    {
                        var (w0, w1, w2, w3) = Philox.Block(seed, counter[j] + (ulong)b);
                        uint[] expected = [w0, w1, w2, w3];
                        for (int w = 0; w < 4; w++)
                            Assert.That((uint)words[4 * b + w][j], Is.EqualTo(expected[w]), $"counter {counter[j]} + {b}, word {w}");
                    }
            }
    }

    /// <summary>The factors one vector draws (lane order of <see cref="PauNoiseLanes{T}.In"/>) against the scalar ones.</summary>
    private static void CheckFactors<T>(PauNoise noise, int K, long first) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        int width = Vector512<T>.Count;
        var lanes = new PauNoiseLanes<T>(noise, K);
        var words = new Vector512<ulong>[lanes.WordVectors];
        var factors = new Vector512<T>[K];
        lanes.Factors(first, words, factors);
        for (int k = 0; k < K; k++)
        {
            // Back to element order: lane l is element first + l.
            var f = PauNoiseLanes<T>.Out(factors[k]);
            for (int l = 0; l < width; l++)
            {
                T expected = T.CreateTruncating(noise.Factor(first + l, k, K, single));
                Assert.That(f[l], Is.EqualTo(expected),
                    $"{typeof(T).Name}: K {K}, offset {noise.Offset}, element {first + l}, coefficient {k}");
            }
        }
    }

    /// <summary>The factors of four vectors drawn at once (<see cref="PauNoiseLanes{T}.Factors4"/>), taken back to
    /// element order through <see cref="PauNoiseLanes{T}.Out4"/>, against the scalar ones; and In4 then Out4 is the
    /// identity.</summary>
    private static void CheckFactors4<T>(PauNoise noise, int K, long first) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        int width = Vector512<T>.Count;
        var lanes = new PauNoiseLanes<T>(noise, K);
        var words = new Vector512<ulong>[lanes.WordVectors4];
        var factors = new Vector512<T>[4 * K];
        lanes.Factors4(first, words, factors);
        for (int k = 0; k < K; k++)
        {
            PauNoiseLanes<T>.Out4(factors[k], factors[K + k], factors[2 * K + k], factors[3 * K + k], out var f0, out var f1, out var f2, out var f3);
            Vector512<T>[] f = [f0, f1, f2, f3];
            for (int e = 0; e < 4 * width; e++)
            {
                T expected = T.CreateTruncating(noise.Factor(first + e, k, K, single));
                Assert.That(f[e / width][e % width], Is.EqualTo(expected),
                    $"{typeof(T).Name}: K {K}, offset {noise.Offset}, element {first + e}, coefficient {k} (four vectors)");
            }
        }
        var x = Enumerable.Range(0, 4).Select(v => Vector512.Create(Enumerable.Range(0, width).Select(l => T.CreateTruncating(v * width + l)).ToArray())).ToArray();
        PauNoiseLanes<T>.In4(x[0], x[1], x[2], x[3], out var v0, out var v1, out var v2, out var v3);
        PauNoiseLanes<T>.Out4(v0, v1, v2, v3, out var y0, out var y1, out var y2, out var y3);
        Assert.That(new[] { y0, y1, y2, y3 }, Is.EqualTo(x), "Out4 undoes In4");
    }

    [Test]
    public void FactorsEqualTheScalarFactorsBitForBit()
    {
        // Every K from 1 to 13 (even K: one start in the block for all lanes; odd K: two), every word offset mod 4,
        // element starts that are odd and beyond 2³² words; one vector and four at a time.
        foreach (int K in Enumerable.Range(1, 13))
            foreach (ulong offset in new ulong[] { 0, 1, 2, 3, 1UL << 40 })
                foreach (long first in new long[] { 0, 1, 17, 3_000_000_001 })
                {
                    var noise = new PauNoise(0.1, 0x5EED0000_0000_1234UL + (ulong)K, offset);
                    CheckFactors<float>(noise, K, first);
                    CheckFactors<double>(noise, K, first);
                    CheckFactors4<float>(noise, K, first);
                    CheckFactors4<double>(noise, K, first);
                }
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property FactorsEqualTheScalarFactorsForAnyStream() => Prop.ForAll(
        (from seed in ArbMap.Default.GeneratorFor<ulong>()
         from offset in Gen.Choose(0, int.MaxValue)
         from first in Gen.Choose(0, int.MaxValue)
         from k in Gen.Choose(1, 16)
         from alpha in Gen.Choose(0, 999).Select(a => a / 1000.0)
         select (seed, offset, first, k, alpha)).ToArbitrary(),
        c =>
        {
            var noise = new PauNoise(c.alpha, c.seed, (ulong)c.offset * 977);
            CheckFactors<float>(noise, c.k, c.first);
            CheckFactors<double>(noise, c.k, c.first);
        });

    /// <summary>
    /// Each element of the noisy fused PAU against the noiseless fused PAU (general kernel) of that element alone,
    /// its coefficients multiplied by its factors: y, dx and the coefficient gradient terms (times the factor, the
    /// chain rule through c̃ = c·f) must be the same bits. Shapes with rows shorter than, equal to and longer than a
    /// vector, uneven channel counts, every version, even and odd K.
    /// </summary>
    [TestCase(PauVersion.A, 6, 4, DType.Float32)]
    [TestCase(PauVersion.B, 6, 4, DType.Float64)]
    [TestCase(PauVersion.C, 6, 5, DType.Float32)]
    [TestCase(PauVersion.D, 4, 3, DType.Float32)]
    [TestCase(PauVersion.C, 3, 2, DType.Float64)]
    [TestCase(PauVersion.A, 2, 1, DType.Float64)]
    public void NoisyKernelEqualsTheNoiselessKernelAtNoisedCoefficients(PauVersion version, int na, int nb, DType dtype)
    {
        bool fixed54 = PauKernel54<float>.Enabled;
        PauKernel54<float>.Enabled = PauKernel54<double>.Enabled = false;   // the general kernel evaluates like the noisy one
        try
        {
            foreach (int[] shape in new[] { new[] { 37 }, new[] { 2, 3, 19 }, new[] { 3, 5, 1 } })
                foreach (bool perChannel in new[] { false, true })
                {
                    if (perChannel && shape.Length < 2) continue;
                    CheckElementwise(version, na, nb, dtype, shape, perChannel);
                }
        }
        finally { PauKernel54<float>.Enabled = PauKernel54<double>.Enabled = fixed54; }
    }

    private static void CheckElementwise(PauVersion version, int na, int nb, DType dtype, int[] shape, bool perChannel)
    {
        var rng = new Random(na * 31 + nb + shape.Length);
        int channels = perChannel ? shape[1] : 1, K = na + nb;
        long inner = shape.Length > 2 ? shape[2] : 1;
        double[] av = Enumerable.Range(0, channels * na).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] bv = Enumerable.Range(0, channels * nb).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var x = Tensor.Rand(shape, -2, 2, dtype, generator: new Generator(3));
        var dy = Tensor.Rand(shape, -1, 1, dtype, generator: new Generator(4));
        long n = x.Numel;
        var noise = new PauNoise(0.3, 0xABCDEF, 6);   // offset 6: lanes start mid-block
        Tensor Coefs(double[] v, int len) => (perChannel ? Tensor.FromArray(v, channels, len) : Tensor.FromArray(v, len)).To(dtype);
        var layout = ChannelLayout.For("test", x, channels);

        var (y, dx, da, db) = Kernel(x, dy, Coefs(av, na), Coefs(bv, nb), version, channels, layout, noise);
        double[] xs = x.To(DType.Float64).ToArray<double>(), gs = dy.To(DType.Float64).ToArray<double>();
        double[] y1 = y.To(DType.Float64).ToArray<double>(), dx1 = dx.To(DType.Float64).ToArray<double>();
        bool single = dtype == DType.Float32;
        for (long i = 0; i < n; i++)
        {
            int c = perChannel ? (int)(i / inner % channels) : 0;
            // The element's factors rounded to the dtype, and its coefficients times them, rounded as the kernel does.
            double F(int k) => RoundTo(dtype, noise.Factor(i, k, K, single));
            double[] an = Enumerable.Range(0, na).Select(j => RoundTo(dtype, RoundTo(dtype, av[c * na + j]) * F(j))).ToArray();
            double[] bn = Enumerable.Range(0, nb).Select(k => RoundTo(dtype, RoundTo(dtype, bv[c * nb + k]) * F(na + k))).ToArray();
            var one = Tensor.FromArray([xs[i]], 1).To(dtype);
            var g = Tensor.FromArray([gs[i]], 1).To(dtype);
            var (ye, dxe, _, _) = Kernel(one, g, Tensor.FromArray(an, 1, na).To(dtype), Tensor.FromArray(bn, 1, nb).To(dtype),
                version, 1, new ChannelLayout(1, 1, 1), PauNoise.None);
            Assert.That(y1[i], Is.EqualTo(ye.To(DType.Float64).ToArray<double>()[0]), $"{version} {dtype} [{string.Join(",", shape)}] y[{i}]");
            Assert.That(dx1[i], Is.EqualTo(dxe.To(DType.Float64).ToArray<double>()[0]), $"{version} {dtype} [{string.Join(",", shape)}] dx[{i}]");
        }
        // The coefficient gradients: the noisy kernel on each element alone (all others with dy = 0) gives exactly
        // the noiseless term times the factor, rounded to the dtype.
        for (long i = 0; i < Math.Min(n, 20); i++)
        {
            int c = perChannel ? (int)(i / inner % channels) : 0;
            var gi = new double[n];
            gi[i] = gs[i];
            var (_, _, dai, dbi) = Kernel(x, Tensor.FromArray(gi, shape).To(dtype), Coefs(av, na), Coefs(bv, nb), version, channels, layout, noise);
            double F(int k) => RoundTo(dtype, noise.Factor(i, k, K, single));
            double[] an = Enumerable.Range(0, na).Select(j => RoundTo(dtype, RoundTo(dtype, av[c * na + j]) * F(j))).ToArray();
            double[] bn = Enumerable.Range(0, nb).Select(k => RoundTo(dtype, RoundTo(dtype, bv[c * nb + k]) * F(na + k))).ToArray();
            var (_, _, dae, dbe) = Kernel(Tensor.FromArray([xs[i]], 1).To(dtype), Tensor.FromArray([gs[i]], 1).To(dtype),
                Tensor.FromArray(an, 1, na).To(dtype), Tensor.FromArray(bn, 1, nb).To(dtype), version, 1, new ChannelLayout(1, 1, 1), PauNoise.None);
            double[] dan = dai.To(DType.Float64).ToArray<double>(), dbn = dbi.To(DType.Float64).ToArray<double>();
            double[] dae1 = dae.To(DType.Float64).ToArray<double>(), dbe1 = dbe.To(DType.Float64).ToArray<double>();
            for (int j = 0; j < na; j++)
                Assert.That(dan[c * na + j], Is.EqualTo(RoundTo(dtype, dae1[j] * F(j))), $"{version} {dtype} da[{c},{j}] from element {i}");
            for (int k = 0; k < nb; k++)
                Assert.That(dbn[c * nb + k], Is.EqualTo(RoundTo(dtype, dbe1[k] * F(na + k))), $"{version} {dtype} db[{c},{k}] from element {i}");
        }
    }

    private static double RoundTo(DType dtype, double v) => dtype == DType.Float32 ? (float)v : v;

    /// <summary>The backend's fused kernels on [C, len] coefficients (what F.Pau passes them).</summary>
    private static (Tensor Y, Tensor Dx, Tensor Da, Tensor Db) Kernel(Tensor x, Tensor dy, Tensor a, Tensor b, PauVersion version,
        int channels, ChannelLayout layout, PauNoise noise)
    {
        var a2 = a.Reshape(channels, a.Size(-1)).Contiguous();
        var b2 = b.Reshape(channels, b.Size(-1)).Contiguous();
        var y = x.EmptyLike(); var dx = x.EmptyLike(); var da = a2.EmptyLike(); var db = b2.EmptyLike();
        x.Backend.PauForward(x, a2, b2, y, version, layout, noise);
        x.Backend.PauBackward(x, dy, a2, b2, dx, da, db, version, layout, noise);
        return (y, dx, da, db);
    }
}
