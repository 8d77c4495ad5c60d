using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>
/// randint, randperm, multinomial, normal and the *_like forms: reproducible with a seed, and their distributions by
/// chi-square on counts or by mean and variance within a few standard errors (fixed seeds, so never flaky); plus
/// PyTorch's messages for bad arguments of every creation and counting op.
/// </summary>
public class RandomCreationTests
{
    /// <summary>Pearson's statistic of observed counts against expected ones.</summary>
    private static double ChiSquare(IReadOnlyList<double> observed, IReadOnlyList<double> expected) =>
        observed.Zip(expected).Where(p => p.Second > 0).Sum(p => (p.First - p.Second) * (p.First - p.Second) / p.Second);

    /// <summary>A bound the statistic passes with overwhelming probability: df + 6 √(2 df).</summary>
    private static double Bound(int df) => df + 6 * Math.Sqrt(2.0 * df);

    [Test]
    public void RandintIsUniformOnItsRangeAndReproducible()
    {
        const int n = 40000;
        var x = Tensor.Randint(-3, 7, [200, n / 200], generator: new Generator(11));
        Assert.That(x.DType, Is.EqualTo(DType.Int32));
        Assert.That(x.ShapeCopy(), Is.EqualTo(new[] { 200, n / 200 }));
        var v = x.ToArray<int>();
        Assert.That(v.Min(), Is.EqualTo(-3));
        Assert.That(v.Max(), Is.EqualTo(6));
        var counts = Enumerable.Range(-3, 10).Select(k => (double)v.Count(e => e == k)).ToArray();
        Assert.That(ChiSquare(counts, Enumerable.Repeat(n / 10.0, 10).ToArray()), Is.LessThan(Bound(9)));
        Tensor.ManualSeed(5);
        var a = Tensor.Randint(100, [50]).ToArray<int>();
        Tensor.ManualSeed(5);
        Assert.That(Tensor.Randint(0, 100, [50]).ToArray<int>(), Is.EqualTo(a));
        Assert.That(Tensor.Randint(4, 5, [3]).ToArray<int>(), Is.EqualTo(new[] { 4, 4, 4 }));
        Assert.That(Tensor.Randint(0, 3, [2, 0]).ShapeCopy(), Is.EqualTo(new[] { 2, 0 }));
    }

    [Test]
    public void RandpermIsAUniformPermutation()
    {
        Assert.That(Tensor.Randperm(0).ShapeCopy(), Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.Randperm(1).ToArray<int>(), Is.EqualTo(new[] { 0 }));
        var gen = new Generator(3);
        var firsts = new double[4];
        var orders = new Dictionary<string, int>();
        for (int t = 0; t < 4800; t++)
        {
            var p = Tensor.Randperm(4, generator: gen).ToArray<int>();
            Assert.That(p.Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
            firsts[p[0]]++;
            var key = string.Join("", p);
            orders[key] = orders.GetValueOrDefault(key) + 1;
        }
        Assert.That(orders, Has.Count.EqualTo(24));
        Assert.That(ChiSquare(orders.Values.Select(c => (double)c).ToArray(), Enumerable.Repeat(200.0, 24).ToArray()), Is.LessThan(Bound(23)));
        var big = Tensor.Randperm(1000, generator: new Generator(9)).ToArray<int>();
        Assert.That(big.Order(), Is.EqualTo(Enumerable.Range(0, 1000)));
        Tensor.ManualSeed(77);
        var r1 = Tensor.Randperm(20).ToArray<int>();
        Tensor.ManualSeed(77);
        Assert.That(Tensor.Randperm(20).ToArray<int>(), Is.EqualTo(r1));
    }

    [Test]
    public void MultinomialWithReplacementFollowsTheWeights()
    {
        // Unnormalised weights, a zero among them (never drawn), two rows.
        var w = Tensor.FromArray(new double[] { 1, 0, 3, 4, 2, 2, 2, 2 }, 2, 4);
        const int n = 20000;
        var s = w.Multinomial(n, replacement: true, generator: new Generator(21));
        Assert.That(s.DType, Is.EqualTo(DType.Int32));
        Assert.That(s.ShapeCopy(), Is.EqualTo(new[] { 2, n }));
        var v = s.ToArray<int>();
        var row0 = Enumerable.Range(0, 4).Select(k => (double)v.Take(n).Count(e => e == k)).ToArray();
        var row1 = Enumerable.Range(0, 4).Select(k => (double)v.Skip(n).Count(e => e == k)).ToArray();
        Assert.That(row0[1], Is.Zero);
        Assert.That(ChiSquare(row0, new[] { n / 8.0, 0, 3 * n / 8.0, n / 2.0 }), Is.LessThan(Bound(2)));
        Assert.That(ChiSquare(row1, Enumerable.Repeat(n / 4.0, 4).ToArray()), Is.LessThan(Bound(3)));
        // 1-D, float32 weights.
        Assert.That(Tensor.FromArray(new float[] { 0, 1 }).Multinomial(5, true).ToArray<int>(), Is.EqualTo(new[] { 1, 1, 1, 1, 1 }));
    }

    [Test]
    public void MultinomialWithoutReplacementIsSequentialSampling()
    {
        // P(first = i, second = j) = p_i p_j / (1 − p_i), the law of drawing without replacement one after the other.
        var p = new[] { 0.5, 0.3, 0.2 };
        var probs = Tensor.FromArray(p);
        var gen = new Generator(8);
        var pairs = new double[9];
        const int n = 12000;
        var rows = Tensor.FromArray(Enumerable.Range(0, n).SelectMany(_ => p).ToArray(), n, 3).Multinomial(2, generator: gen).ToArray<int>();
        for (int t = 0; t < n; t++)
        {
            int a = rows[2 * t], b = rows[2 * t + 1];
            Assert.That(a, Is.Not.EqualTo(b));
            pairs[a * 3 + b]++;
        }
        var expected = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                if (i != j) expected[i * 3 + j] = n * p[i] * p[j] / (1 - p[i]);
        Assert.That(ChiSquare(pairs, expected), Is.LessThan(Bound(5)));
        // All categories: a permutation; zero weights only after every positive one.
        var all = Tensor.FromArray(new double[] { 0, 2, 0, 1 }).Multinomial(4, generator: gen).ToArray<int>();
        Assert.That(all.Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(all.Take(2).Order(), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(probs.Multinomial(1).ShapeCopy(), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void NormalHasItsMeanAndStd()
    {
        const int n = 40000;
        var mean = Tensor.FromArray(new double[] { -2, 0, 5, 1 }, 4, 1);
        var std = Tensor.FromArray(new double[] { 0.5, 1, 3, 2 }).Reshape(1, 4).To(DType.Float32);
        var z = Tensor.Normal(mean.Expand(4, n / 4), std.Reshape(4, 1).Expand(4, n / 4), new Generator(4));
        Assert.That(z.DType, Is.EqualTo(DType.Float64));
        var v = z.ToArray<double>();
        double[] m = [-2, 0, 5, 1], s = [0.5, 1, 3, 2];
        for (int r = 0; r < 4; r++)
        {
            var row = v.Skip(r * (n / 4)).Take(n / 4).ToArray();
            double mu = row.Average(), var_ = row.Sum(x => (x - mu) * (x - mu)) / (row.Length - 1);
            Assert.That(mu, Is.EqualTo(m[r]).Within(5 * s[r] / Math.Sqrt(row.Length)), $"row {r} mean");
            // The sample variance's standard error is σ² √(2 / (n − 1)).
            Assert.That(var_, Is.EqualTo(s[r] * s[r]).Within(5 * s[r] * s[r] * Math.Sqrt(2.0 / (row.Length - 1))), $"row {r} variance");
        }
        Assert.That(Tensor.Normal(mean, std).ShapeCopy(), Is.EqualTo(new[] { 4, 4 }), "broadcast");
        var one = Tensor.Normal(Tensor.Full([n], 3.0, DType.Float64), 0.0).ToArray<double>();
        Assert.That(one.Distinct(), Is.EqualTo(new[] { 3.0 }), "std 0");
        var fromScalar = Tensor.Normal(1.0, Tensor.Full([n], 2.0), new Generator(6)).ToArray<double>();
        Assert.That(fromScalar.Average(), Is.EqualTo(1).Within(5 * 2 / Math.Sqrt(n)));
        Assert.That(Tensor.Normal(0, 1, [2, 3], DType.Float64).ShapeCopy(), Is.EqualTo(new[] { 2, 3 }));
        Tensor.ManualSeed(2);
        var a = Tensor.Normal(mean, 1.0).ToArray<double>();
        Tensor.ManualSeed(2);
        Assert.That(Tensor.Normal(mean, 1.0).ToArray<double>(), Is.EqualTo(a));
    }

    [Test]
    public void LikeFormsKeepShapeDtypeAndDevice()
    {
        var x = Tensor.Zeros([3, 0, 2], DType.Float64);
        var y = Tensor.Zeros([2, 5], DType.Float64);
        foreach (var t in new[] { x, y })
        {
            Assert.That(t.RandLike().ShapeCopy(), Is.EqualTo(t.ShapeCopy()));
            Assert.That(t.RandnLike().DType, Is.EqualTo(DType.Float64));
            Assert.That(t.EmptyLike().ShapeCopy(), Is.EqualTo(t.ShapeCopy()));
            Assert.That(t.RandintLike(3, 6).DType, Is.EqualTo(DType.Float64));
        }
        var r = y.RandintLike(3, 6).ToArray<double>();
        Assert.That(r.All(v => v is >= 3 and < 6 && v == Math.Floor(v)));
        Assert.That(Tensor.Zeros([4], DType.Int32).RandintLike(2).ToArray<int>().All(v => v is 0 or 1));
        Assert.That(y.RandLike(-1, 1).ToArray<double>().All(v => v is >= -1 and < 1));
    }

    [Test]
    public void BadArgumentsGivePyTorchMessages()
    {
        void Throws(TestDelegate f, string message) =>
            Assert.That(f, NUnit.Framework.Throws.ArgumentException.With.Message.Contain(message));
        Throws(() => Tensor.Linspace(0, 1, -1), "number of steps must be non-negative");
        Throws(() => Tensor.Logspace(0, 1, -2), "number of steps must be non-negative");
        Throws(() => Tensor.Eye(-1), "n must be greater or equal to 0, got -1");
        Throws(() => Tensor.Eye(2, -3), "m must be greater or equal to 0, got -3");
        Throws(() => Tensor.Randint(5, 5, [2]), "expects 'from' to be less than 'to', but got from=5 >= to=5");
        Throws(() => Tensor.Randperm(-1), "n must be non-negative, got -1");
        var p = Tensor.FromArray(new double[] { 0.2, 0.8 });
        Throws(() => p.Multinomial(3), "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
        Throws(() => p.Multinomial(0, true), "cannot sample n_sample <= 0 samples");
        Throws(() => Tensor.Zeros(2, 2, 2).Multinomial(1), "prob_dist must be 1 or 2 dim");
        Throws(() => Tensor.FromArray(new double[] { 1, -1 }).Multinomial(1), "probability tensor contains either `inf`, `nan` or element < 0");
        Throws(() => Tensor.FromArray(new double[] { 1, double.NaN }).Multinomial(1), "probability tensor contains either `inf`, `nan` or element < 0");
        Throws(() => Tensor.FromArray(new double[] { 0, 0 }).Multinomial(1), "invalid multinomial distribution (sum of probabilities <= 0)");
        Throws(() => Tensor.Normal(p, Tensor.FromArray(new double[] { 1, -1 })), "normal expects all elements of std >= 0.0".Replace("normal expects", "expects"));
        Throws(() => Tensor.Normal(p, -1.0), "expects std >= 0.0");
        Throws(() => Tensor.Normal(p, Tensor.Ones(3)), "normal");
        var ints = Tensor.FromArray(new[] { 0, 2, 1 });
        Throws(() => ints.Bincount(minlength: -1), "minlength should be >= 0");
        Throws(() => Tensor.FromArray(new[] { 0, -2 }).Bincount(), "only supports 1-d non-negative integral inputs");
        Throws(() => p.Bincount(), "only supports 1-d non-negative integral inputs");
        Throws(() => ints.Bincount(Tensor.Ones(2)), "weights should be 1-d and have the same length as input");
        Throws(() => p.Histc(0), "bins must be > 0");
        Throws(() => p.Histc(4, 2, 1), "max must be larger than min");
        Throws(() => Tensor.FromArray(new double[] { 1, double.PositiveInfinity }).Histc(4), "range of [1, ∞] is not finite".Replace("∞", double.PositiveInfinity.ToString()));
        Throws(() => ints.Histc(), "input must be a floating-point tensor");
        Throws(() => p.Bucketize(Tensor.Zeros(2, 2)), "boundaries tensor must be 1 dimension, but got dim(2)");
        Throws(() => Tensor.Searchsorted(Tensor.Zeros(2, 3), Tensor.Zeros(3, 4)),
            "the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [2, 3] and input value tensor [3, 4]");
        Throws(() => Tensor.Searchsorted(p, p, right: true, side: "left"), "side and right can't be set to opposites");
        Throws(() => Tensor.Searchsorted(p, p, side: "middle"), "side can only be 'left' or 'right'");
        Throws(() => Tensor.Searchsorted(Tensor.Scalar(1), p), "boundaries tensor should have positive dimension");
    }

    [Test]
    public void Examples()
    {
        // From PyTorch's documentation.
        Assert.That(Tensor.Linspace(-10, 10, 5).ToArray<float>(), Is.EqualTo(new float[] { -10, -5, 0, 5, 10 }));
        Assert.That(Tensor.Logspace(0.1, 1.0, 5, dtype: DType.Float64).ToArray<double>(),
            Is.EqualTo(new[] { 1.2589, 2.1135, 3.5481, 5.9566, 10.0 }).Within(1e-4));
        var b = Tensor.FromArray(new[] { 1, 3, 5, 7, 9 });
        var v = Tensor.FromArray(new[] { 3, 6, 9, 3, 6, 9 }, 2, 3);
        Assert.That(v.Bucketize(b).ToArray<int>(), Is.EqualTo(new[] { 1, 3, 4, 1, 3, 4 }));
        Assert.That(v.Bucketize(b, right: true).ToArray<int>(), Is.EqualTo(new[] { 2, 3, 5, 2, 3, 5 }));
        var seq = Tensor.FromArray(new[] { 1, 3, 5, 7, 9, 2, 4, 6, 8, 10 }, 2, 5);
        Assert.That(Tensor.Searchsorted(seq, v).ToArray<int>(), Is.EqualTo(new[] { 1, 3, 4, 1, 2, 4 }));
        Assert.That(Tensor.Searchsorted(seq, v, right: true).ToArray<int>(), Is.EqualTo(new[] { 2, 3, 5, 1, 3, 4 }));
        Assert.That(Tensor.FromArray(new double[] { 1, 2, 1 }).Histc(4, 0, 3).ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 1, 0 }));
        Assert.That(Tensor.FromArray(new[] { 4, 3, 6, 3, 4 }).Bincount().ToArray<int>(), Is.EqualTo(new[] { 0, 0, 0, 2, 2, 0, 1 }));
        var (u, inv, cnt) = Tensor.FromArray(new[] { 1, 1, 2, 2, 3, 1, 1, 2 }).UniqueConsecutive(true, true);
        Assert.That(u.ToArray<int>(), Is.EqualTo(new[] { 1, 2, 3, 1, 2 }));
        Assert.That(inv!.ToArray<int>(), Is.EqualTo(new[] { 0, 0, 1, 1, 2, 3, 3, 4 }));
        Assert.That(cnt!.ToArray<int>(), Is.EqualTo(new[] { 2, 2, 1, 2, 1 }));
        Assert.That(Tensor.Eye(2, 3).ToArray<float>(), Is.EqualTo(new float[] { 1, 0, 0, 0, 1, 0 }));
    }
}
