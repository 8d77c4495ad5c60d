using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>Philox4x32-10 against Random123's known-answer vectors, and the tensor random functions built on it.</summary>
public class RandomTests
{
    // kat_vectors of Random123 (philox4x32 10 rounds): counter words c0..c3, key words k0, k1, expected output.
    [TestCase(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [TestCase(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [TestCase(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void PhiloxKnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        Assert.That(Philox.Block(c0, c1, c2, c3, k0, k1), Is.EqualTo((e0, e1, e2, e3)));
    }

    [Test]
    public void SixtyFourBitFormIsTheFullFormWithUpperCounterWordsZero()
    {
        Assert.That(Philox.Block(0, 0), Is.EqualTo((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)));
        Assert.That(Philox.Block(0x299f31d0a4093822UL, 0x85a308d3243f6a88UL),
            Is.EqualTo(Philox.Block(0x243f6a88u, 0x85a308d3u, 0, 0, 0xa4093822u, 0x299f31d0u)));
    }

    [Test]
    public void SameSeedSameValues()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var a = Tensor.Randn([1000], dtype: dtype, generator: new Generator(42)).ToArray<double>();
            var b = Tensor.Randn([1000], dtype: dtype, generator: new Generator(42)).ToArray<double>();
            var c = Tensor.Randn([1000], dtype: dtype, generator: new Generator(43)).ToArray<double>();
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a, Is.Not.EqualTo(c));
            Assert.That(Tensor.Rand([500], dtype: dtype, generator: new Generator(7)).ToArray<double>(),
                Is.EqualTo(Tensor.Rand([500], dtype: dtype, generator: new Generator(7)).ToArray<double>()));
        }
        Tensor.ManualSeed(123);
        var m1 = Tensor.Rand([64]).ToArray<float>();
        var m2 = Tensor.Rand([64]).ToArray<float>();
        Tensor.ManualSeed(123);
        Assert.That(Tensor.Rand([64]).ToArray<float>(), Is.EqualTo(m1));
        Assert.That(m2, Is.Not.EqualTo(m1), "the generator advances between draws");
    }

    /// <summary>Counter-based: the values do not depend on the number of threads that drew them.</summary>
    [Test]
    public void ValuesDoNotDependOnTheThreadCount()
    {
        int saved = CpuBackend.Threads;
        try
        {
            CpuBackend.Threads = 1;
            var one = Tensor.Randn([100_000], generator: new Generator(5)).ToArray<float>();
            CpuBackend.Threads = 2;
            var two = Tensor.Randn([100_000], generator: new Generator(5)).ToArray<float>();
            Assert.That(two, Is.EqualTo(one));
        }
        finally { CpuBackend.Threads = saved; }
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void RandnHasMeanZeroAndStdOne(DType dtype)
    {
        var v = Tensor.Randn([100_000], dtype: dtype, generator: new Generator(2024)).ToArray<double>();
        double mean = v.Average(), std = Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average());
        // Standard error of the mean is 1/√n ≈ 0.0032; of the std ≈ 0.0022.
        Assert.That(mean, Is.EqualTo(0).Within(0.015));
        Assert.That(std, Is.EqualTo(1).Within(0.012));
        Assert.That(v.Count(x => Math.Abs(x) < 1) / (double)v.Length, Is.EqualTo(0.6827).Within(0.006));
        var shifted = Tensor.Randn([100_000], mean: 3, std: 0.5, dtype: dtype, generator: new Generator(2024)).ToArray<double>();
        Assert.That(shifted.Average(), Is.EqualTo(3).Within(0.01));
    }

    [TestCase(DType.Float32, 0.0, 1.0)]
    [TestCase(DType.Float64, 0.0, 1.0)]
    [TestCase(DType.Float32, -3.0, 5.0)]
    [TestCase(DType.Float64, -3.0, 5.0)]
    public void RandIsUniformInItsRange(DType dtype, double low, double high)
    {
        var v = Tensor.Rand([100_000], low, high, dtype, generator: new Generator(99)).ToArray<double>();
        Assert.That(v.Min(), Is.GreaterThanOrEqualTo(low));
        Assert.That(v.Max(), Is.LessThan(high));
        double width = high - low;
        Assert.That(v.Min(), Is.LessThan(low + 0.001 * width));
        Assert.That(v.Max(), Is.GreaterThan(high - 0.001 * width));
        Assert.That(v.Average(), Is.EqualTo((low + high) / 2).Within(0.01 * width));
        // Each tenth of the range holds about a tenth of the samples (± 5 standard deviations).
        var bins = new int[10];
        foreach (var x in v) bins[Math.Min(9, (int)((x - low) / width * 10))]++;
        Assert.That(bins, Has.All.InRange(10_000 - 500, 10_000 + 500));
    }

    /// <summary>Word 1772601 of seed 1 has its top 24 bits at 2^24 - 4, so u = 1 - 2^-22 and 10 + u rounds to 11 in
    /// float32 (found by a brute-force search over Philox.Word). The range must stay half-open.</summary>
    [Test]
    public void RandNeverReturnsTheUpperBound()
    {
        Assert.That(Philox.Word(1, 1772601) >> 8, Is.EqualTo((1u << 24) - 4));
        var g = new Generator(1) { Offset = 1772601 };
        float v = Tensor.Rand([1], 10, 11, generator: g).ToArray<float>()[0];
        Assert.That(v, Is.LessThan(11f));
        Assert.That(v, Is.EqualTo(MathF.BitDecrement(11f)));
        Assert.That(Tensor.Rand([4], 2, 2, generator: new Generator(1)).ToArray<float>(), Has.All.EqualTo(2f), "an empty range gives low");
    }

    [Test]
    public void BernoulliHasTheRequestedRate()
    {
        var v = Tensor.Bernoulli([100_000], 0.3, generator: new Generator(1)).ToArray<float>();
        Assert.That(v, Has.All.EqualTo(0f).Or.EqualTo(1f));
        Assert.That(v.Average(), Is.EqualTo(0.3).Within(0.01));
    }
}
