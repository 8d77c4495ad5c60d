using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>scatter or scatter_reduce: input X, an index of X's rank (0-d for a 0-d X sometimes) with sizes up to X's
/// apart from the axis, values in [0, X.size(axis)), distinct within each column when Unique (scatter's defined case),
/// repeating otherwise; Src covers the index and sometimes more. Coarse values (few distinct, zeros among them) make
/// ties for amax and amin and zeros for prod. Dim is negative half the time.</summary>
public sealed record ScatterCase(Spec X, int Dim, int[] IndexShape, int[] Index, Spec Src, string Reduce, bool IncludeSelf, bool Coarse, ulong Seed)
{
    public Tensor IndexTensor() => Tensor.FromSpan<int>(Index, IndexShape);

    public int Axis => X.Rank == 0 ? 0 : Dim < 0 ? Dim + X.Rank : Dim;

    public override string ToString() =>
        $"X {X}, dim {Dim}, index {Shapes.Format(IndexShape)} [{string.Join(", ", Index)}], src {Src}, reduce {Reduce}, include_self {IncludeSelf}, coarse {Coarse}, seed {Seed}";
}

public static class ScatterGen
{
    private static readonly Gen<double> Fine = EngineGen.Uniform(-2, 2);
    private static readonly Gen<double> Few = Gen.Elements(-1.0, 0.0, 0.5, 1.0);

    private static Gen<int> UpTo(int max) => Gen.Frequency((4, Gen.Constant(max)), (2, Gen.Choose(Math.Min(1, max), max)), (1, Gen.Constant(0)));

    /// <summary>Index entries in [0, size) for an index of shape idx along axis: each column (the entries sharing
    /// every coordinate but the axis) a shuffled prefix of 0..size−1 when unique, any values otherwise.</summary>
    public static int[] Entries(int[] idx, int axis, int size, bool unique, int seed)
    {
        var rng = new Random(seed);
        int n = idx.Aggregate(1, (p, d) => p * d);
        var r = new int[n];
        if (n == 0) return r;
        if (!unique)
        {
            for (int t = 0; t < n; t++) r[t] = rng.Next(size);
            return r;
        }
        int k = idx.Length == 0 ? 1 : idx[axis], inner = idx.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
        for (int c = 0; c < n / k; c++)
        {
            var perm = Enumerable.Range(0, size).OrderBy(_ => rng.Next()).ToArray();
            int o = c / inner, i = c % inner;
            for (int j = 0; j < k; j++) r[(o * k + j) * inner + i] = perm[j];
        }
        return r;
    }

    public static Gen<ScatterCase> Case(bool unique, Gen<string> reduce) =>
        from s in StatisticsGen.Shape
        from axis in Gen.Choose(0, Math.Max(s.Length, 1) - 1)
        from negative in Gen.Elements(false, true)
        from others in Gen.CollectToArray(s, UpTo)
        from k0 in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4)))
        from scalarIndex in Gen.Elements(false, true)
        let size = s.Length == 0 ? 1 : s[axis]
        let k = size == 0 ? 0 : unique ? Math.Min(k0, size) : k0
        let idxShape = s.Length == 0 ? (scalarIndex && k > 0 ? [] : new[] { Math.Min(k, 1) }) : others.Select((d, i) => i == axis ? k : d).ToArray()
        from indexSeed in Gen.Choose(0, int.MaxValue)
        from extra in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 2))), idxShape.Length)
        let srcShape = idxShape.Select((d, i) => d + extra[i]).ToArray()
        from coarse in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        from x in EngineGen.Values(s, coarse ? Few : Fine)
        from src in EngineGen.Values(srcShape, coarse ? Few : Fine)
        from r in reduce
        from includeSelf in Gen.Elements(true, false)
        from seed in EngineGen.Seed
        select new ScatterCase(x, negative && s.Length > 0 ? axis - s.Length : axis, idxShape,
            Entries(idxShape, idxShape.Length == 0 ? 0 : axis, size, unique, indexSeed), src, r, includeSelf, coarse, seed);

    public static readonly Gen<ScatterCase> Unique = Case(true, Gen.Constant("scatter"));

    public static readonly Gen<ScatterCase> Reduce = Case(false, Gen.Elements("sum", "prod", "mean", "amax", "amin"));
}

public static class ScatterArbitraries
{
    public static Arbitrary<ScatterCase> ScatterArb() => ScatterGen.Reduce.ToArbitrary();
}

/// <summary>
/// scatter (src and value) and scatter_reduce (sum, prod, mean, amax, amin, with and without include_self): values
/// against a plain float64 loop over the index, gradients against central differences (prod's too, where zeros
/// among the factors are the interesting case: the product is linear in each factor, so the differences are exact)
/// and, for amax and amin, against a loop of PyTorch's rule, which shares the gradient evenly among ties (central
/// differences cannot see ties). Random shapes with size-0 and size-1 dims, 0-d inputs, empty indices.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(ScatterArbitraries)], MaxTest = 80)]
public class ScatterProperties
{
    private static int[] With(int[] p, int axis, int v)
    {
        var q = (int[])p.Clone();
        if (q.Length > 0) q[axis] = v;
        return q;
    }

    /// <summary>For each element of X, the src elements scattered to it (flat positions in Src), in index order.</summary>
    private static List<int>[] Groups(ScatterCase c)
    {
        var groups = Enumerable.Range(0, c.X.Numel).Select(_ => new List<int>()).ToArray();
        for (int f = 0; f < c.Index.Length; f++)
        {
            var p = Nd.Unravel(f, c.IndexShape);
            var q = c.X.Rank == 0 ? [] : With(p, c.Axis, c.Index[f]);
            groups[Nd.Ravel(q, c.X.Shape)].Add(Nd.Ravel(c.Src.Rank == 0 ? [] : p, c.Src.Shape));
        }
        return groups;
    }

    private static double Reduce(string reduce, List<double> v) => reduce switch
    {
        "sum" => v.Sum(),
        "prod" => v.Aggregate(1.0, (p, e) => p * e),
        "mean" => v.Sum() / v.Count,
        "amax" => v.Max(),
        "amin" => v.Min(),
        _ => throw new ArgumentException(reduce),
    };

    private static double[] Expected(ScatterCase c)
    {
        var groups = Groups(c);
        var r = (double[])c.X.Values.Clone();
        for (int q = 0; q < r.Length; q++)
        {
            if (groups[q].Count == 0) continue;
            var v = groups[q].Select(p => c.Src.Values[p]).ToList();
            if (c.Reduce == "scatter") r[q] = v[^1];
            else r[q] = Reduce(c.Reduce, c.IncludeSelf ? v.Prepend(c.X.Values[q]).ToList() : v);
        }
        return r;
    }

    private static Tensor Run(ScatterCase c, Tensor x, Tensor src) =>
        c.Reduce == "scatter" ? x.Scatter(c.Dim, c.IndexTensor(), src) : x.ScatterReduce(c.Dim, c.IndexTensor(), src, c.Reduce, c.IncludeSelf);

    [FsCheck.NUnit.Property]
    public Property Scatter() => Prop.ForAll(ScatterGen.Unique.ToArbitrary(), c =>
    {
        Expect.Exact(Run(c, c.X.Tensor(), c.Src.Tensor()), new Nd(c.X.Shape, Expected(c)), "scatter");
        Expect.Grad("scatter", xs => Run(c, xs[0], xs[1]), c.Seed, c.X.Tensor(), c.Src.Tensor());
    });

    /// <summary>scatter of a value: every indexed position holds it, repeats or not; the gradient is 0 there.</summary>
    [FsCheck.NUnit.Property]
    public void ScatterValue(ScatterCase c)
    {
        var y = c.X.Tensor().Scatter(c.Dim, c.IndexTensor(), 0.25);
        var expected = (double[])c.X.Values.Clone();
        var groups = Groups(c);
        for (int q = 0; q < expected.Length; q++)
            if (groups[q].Count > 0) expected[q] = 0.25;
        Expect.Exact(y, new Nd(c.X.Shape, expected), "scatter value");
        Expect.Grad("scatter value", xs => xs[0].Scatter(c.Dim, c.IndexTensor(), 0.25), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void ScatterReduce(ScatterCase c)
    {
        var y = Run(c, c.X.Tensor(), c.Src.Tensor());
        Expect.Close(y, new Nd(c.X.Shape, Expected(c)), 1e-12, 1e-12, $"scatter_reduce {c.Reduce}");
        bool extreme = c.Reduce is "amax" or "amin";
        if (!extreme || !c.Coarse)
            Expect.Grad($"scatter_reduce {c.Reduce}", xs => Run(c, xs[0], xs[1]), c.Seed, c.X.Tensor(), c.Src.Tensor());
        if (extreme) ExtremeGradient(c);
    }

    /// <summary>amax and amin: the upstream gradient of each result shared evenly by the elements equal to it, X's
    /// element counted even without include_self (PyTorch's rule) but then given 0 where the index reaches.</summary>
    private static void ExtremeGradient(ScatterCase c)
    {
        var x = c.X.Tensor();
        var s = c.Src.Tensor();
        x.RequiresGrad = true;
        s.RequiresGrad = true;
        var y = Run(c, x, s);
        var g = Tensor.Rand(c.X.Shape, -1, 1, DType.Float64, generator: new Generator(c.Seed));
        y.Backward(g);
        var gv = g.ToArray<double>();
        var result = Expected(c);
        var groups = Groups(c);
        var gx = new double[c.X.Numel];
        var gs = new double[c.Src.Numel];
        for (int q = 0; q < gx.Length; q++)
        {
            double r = result[q];
            bool selfIs = c.X.Values[q] == r;
            int n = (selfIs ? 1 : 0) + groups[q].Count(p => c.Src.Values[p] == r);
            gx[q] = selfIs && (c.IncludeSelf || groups[q].Count == 0) ? gv[q] / n : 0;
            foreach (var p in groups[q])
                if (c.Src.Values[p] == r) gs[p] = gv[q] / n;
        }
        Expect.Close(x.Grad!, new Nd(c.X.Shape, gx), 1e-12, 1e-12, $"{c.Reduce} gradient of self");
        Expect.Close(s.Grad!, new Nd(c.Src.Shape, gs), 1e-12, 1e-12, $"{c.Reduce} gradient of src");
    }
}

/// <summary>scatter and scatter_reduce: int32 inputs, NaN, PyTorch's error messages.</summary>
public class ScatterTests
{
    private static Tensor I(int[] v, params int[] shape) => Tensor.FromSpan<int>(v, shape);

    private static Tensor D(double[] v, params int[] shape) => Tensor.FromSpan<double>(v, shape);

    [Test]
    public void IntegerMeanRoundsDownAsFloorDivision()
    {
        var x = I([1, 0, -3], 3);
        var y = x.ScatterReduce(0, I([0, 0, 2], 3), I([2, 4, 2], 3), "mean");
        Assert.That(y.DType, Is.EqualTo(DType.Int32));
        // (1 + 2 + 4) / 3 = 2.33 → 2; (−3 + 2) / 2 = −0.5 → −1.
        Assert.That(y.ToArray<int>(), Is.EqualTo(new[] { 2, 0, -1 }));
    }

    [Test]
    public void NaNWinsAmaxAndAmin()
    {
        var y = D([0, 0], 2).ScatterReduce(0, I([0, 0, 1], 3), D([double.NaN, 1, 2], 3), "amax");
        Assert.That(double.IsNaN(y.ToArray<double>()[0]), Is.True);
        Assert.That(y.ToArray<double>()[1], Is.EqualTo(2));
        var z = D([double.NaN, 0], 2).ScatterReduce(0, I([0, 1], 2), D([5, -1], 2), "amin");
        Assert.That(double.IsNaN(z.ToArray<double>()[0]), Is.True);
        Assert.That(z.ToArray<double>()[1], Is.EqualTo(-1));
    }

    [Test]
    public void ARepeatedScatterIndexKeepsTheLastWrite()
    {
        var y = Tensor.Zeros([3], DType.Float64).Scatter(0, I([1, 1, 1], 3), D([4, 5, 6], 3));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.0, 6, 0 }));
    }

    [Test]
    public void BadInputsNameTheProblem()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var src = Tensor.Zeros([2, 3], DType.Float64);
        Throws(() => x.ScatterReduce(0, I([0, 1], 1, 2), src, "max"), "reduce argument must be either sum, prod, mean, amax or amin", "max");
        Throws(() => x.Scatter(1, I([0, 3], 1, 2), src), "index 3 is out of bounds for dimension 1 with size 3");
        Throws(() => x.Scatter(-3, I([0], 1, 1), src), "axis -3 is out of range for a tensor of rank 2");
        Throws(() => x.Scatter(0, I([0, 1, 0, 1], 1, 4), src), "expected index [1, 4] to be smaller than self [2, 3] apart from dimension 0");
        Throws(() => x.Scatter(0, I([0, 1], 2), src), "index tensor must have the same number of dimensions");
        Throws(() => x.Scatter(0, Tensor.Zeros([1, 1], DType.Float64), src), "int32 index");
        Throws(() => x.Scatter(0, I([0], 1, 1), Tensor.Zeros([2, 3], DType.Float32)), "same dtype");
    }

    private static void Throws(TestDelegate code, params string[] parts)
    {
        var e = Assert.Catch<ArgumentException>(code)!;
        foreach (var p in parts) Assert.That(e.Message, Does.Contain(p), $"message: {e.Message}");
    }
}
