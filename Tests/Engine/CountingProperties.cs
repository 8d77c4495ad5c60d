using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

public sealed record SpaceCase(double Start, double End, int Steps, double Base, bool Float32)
{
    public override string ToString() => $"start {Start}, end {End}, steps {Steps}, base {Base}, float32 {Float32}";
}

/// <summary>A sorted sequence (1-D, or batched with the values' leading dims), values on and between its entries.</summary>
public sealed record SearchCase(Spec Sequence, Spec Values, bool Right)
{
    public override string ToString() => $"sequence {Sequence}, values {Values}, right {Right}";
}

public sealed record BincountCase(int[] X, double[]? Weights, int MinLength)
{
    public override string ToString() => $"x [{string.Join(", ", X)}], weights {(Weights is null ? "none" : $"[{string.Join(", ", Weights)}]")}, minlength {MinLength}";
}

public sealed record HistcCase(Spec X, int Bins, double Min, double Max, bool Float32)
{
    public override string ToString() => $"X {X}, bins {Bins}, min {Min}, max {Max}, float32 {Float32}";
}

public sealed record ConsecutiveCase(Spec X, int? Dim)
{
    public override string ToString() => $"X {X}, dim {Dim?.ToString() ?? "none"}";
}

public static class CountingGen
{
    /// <summary>Multiples of 1/4 in [−2, 2]: ties everywhere, and every histc edge below (dyadic) is hit exactly.</summary>
    private static readonly Gen<double> Quarter = Gen.Choose(-8, 8).Select(i => i / 4.0);

    public static readonly Gen<SpaceCase> Space =
        from start in EngineGen.Uniform(-5, 5)
        from end in Gen.Frequency((4, EngineGen.Uniform(-5, 5)), (1, Gen.Constant(double.NaN)))
        from steps in Gen.Frequency((1, Gen.Choose(0, 2)), (4, Gen.Choose(3, 40)))
        from b in Gen.Elements(10.0, 2.0, 0.5, Math.E)
        from f32 in Gen.Elements(false, true)
        select new SpaceCase(start, double.IsNaN(end) ? start : end, steps, b, f32);

    public static readonly Gen<SearchCase> Search =
        from batched in Gen.Elements(false, true)
        from lead in batched ? EngineGen.Shape(0, 2) : Gen.Constant(Array.Empty<int>())
        from n in Gen.Choose(0, 6)
        from m in Gen.Choose(0, 5)
        from seqRows in Gen.ArrayOf(Gen.ArrayOf(Quarter, n).Select(r => r.Order().ToArray()), lead.Aggregate(1, (a, b) => a * b))
        from valueShape in batched ? Gen.Constant(lead.Append(m).ToArray()) : EngineGen.Shape(0, 3)
        from values in EngineGen.Values(valueShape, Gen.Frequency((9, Quarter), (1, Gen.Constant(double.NaN)), (1, Gen.Elements(-9.0, 9.0))))
        from right in Gen.Elements(false, true)
        select new SearchCase(new Spec(batched ? lead.Append(n).ToArray() : [n], seqRows.SelectMany(r => r).ToArray()), values, right);

    public static readonly Gen<BincountCase> Bincount =
        from len in Gen.Choose(0, 12)
        from x in Gen.ArrayOf(Gen.Choose(0, 6), len)
        from weighted in Gen.Elements(false, true)
        from w in Gen.ArrayOf(EngineGen.Uniform(-2, 2), len)
        from minlength in Gen.Choose(0, 9)
        select new BincountCase(x, weighted ? w : null, minlength);

    public static readonly Gen<HistcCase> Histc =
        from shape in EngineGen.Shape(0, 3)
        from x in EngineGen.Values(shape, Gen.Frequency((10, Quarter), (1, Gen.Constant(double.NaN)), (1, Gen.Elements(-5.0, 5.0))))
        from bins in Gen.Elements(1, 2, 4, 8)
        from lo in Gen.Choose(-2, 2)
        from width in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 3)))
        from f32 in Gen.Elements(false, true)
        // min == max takes the data's range: NaN there is an error, so those cases have none.
        select new HistcCase(width == 0 ? x with { Values = [.. x.Values.Where(v => !double.IsNaN(v))] , Shape = [x.Values.Count(v => !double.IsNaN(v))] } : x,
                             bins, lo, lo + width, f32);

    public static readonly Gen<ConsecutiveCase> Consecutive =
        from shape in EngineGen.Shape(0, 3)
        from levels in Gen.Choose(0, 2)
        from x in EngineGen.Values(shape, Gen.Frequency((8, Gen.Choose(-levels, levels).Select(v => v * 0.5)), (1, Gen.Constant(double.NaN))))
        from useDim in Gen.Elements(false, true)
        from dim in Gen.Choose(0, Math.Max(0, shape.Length - 1))
        from negative in Gen.Elements(false, true)
        select new ConsecutiveCase(x, useDim && shape.Length > 0 ? (negative ? dim - shape.Length : dim) : null);
}

public static class CountingArbitraries
{
    public static Arbitrary<SpaceCase> SpaceArb() => CountingGen.Space.ToArbitrary();
    public static Arbitrary<SearchCase> SearchArb() => CountingGen.Search.ToArbitrary();
    public static Arbitrary<BincountCase> BincountArb() => CountingGen.Bincount.ToArbitrary();
    public static Arbitrary<HistcCase> HistcArb() => CountingGen.Histc.ToArbitrary();
    public static Arbitrary<ConsecutiveCase> ConsecutiveArb() => CountingGen.Consecutive.ToArbitrary();
}

/// <summary>
/// linspace, logspace, eye, searchsorted, bucketize, bincount, histc and unique_consecutive against plain loops of
/// their definitions (counting comparisons, not binary searches), on random sizes with size 0, ties, NaN, values
/// equal to boundaries and bin edges, and out-of-range values.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(CountingArbitraries)], MaxTest = 100)]
public class CountingProperties
{
    [FsCheck.NUnit.Property]
    public void LinspaceAndLogspaceMatchTheDefinition(SpaceCase c)
    {
        var dtype = c.Float32 ? DType.Float32 : DType.Float64;
        var lin = Tensor.Linspace(c.Start, c.End, c.Steps, dtype).ToArray<double>();
        var log = Tensor.Logspace(c.Start, c.End, c.Steps, c.Base, dtype).ToArray<double>();
        Assert.That(lin, Has.Length.EqualTo(c.Steps));
        double s = c.Float32 ? (float)c.Start : c.Start, e = c.Float32 ? (float)c.End : c.End;
        double tol = c.Float32 ? 1e-5 : 1e-13;
        for (int i = 0; i < c.Steps; i++)
        {
            double expected = c.Steps == 1 ? s : s + (e - s) * i / (c.Steps - 1);
            Assert.That(lin[i], Is.EqualTo(expected).Within(tol * 10), $"linspace[{i}]");
            Assert.That(log[i], Is.EqualTo(Math.Pow(c.Base, expected)).Within(tol * 10 * Math.Max(1, Math.Pow(c.Base, expected)) * 4), $"logspace[{i}]");
        }
        // The symmetric formula makes both ends exact.
        if (c.Steps >= 1) Assert.That(lin[0], Is.EqualTo(s));
        if (c.Steps >= 2) Assert.That(lin[^1], Is.EqualTo(e));
    }

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void EyeHasOnesOnTheDiagonal(byte n, byte m)
    {
        int rows = n % 6, cols = m % 7;
        var eye = Tensor.Eye(rows, cols, DType.Float64);
        Assert.That(eye.ShapeCopy(), Is.EqualTo(new[] { rows, cols }));
        var v = eye.ToArray<double>();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.That(v[i * cols + j], Is.EqualTo(i == j ? 1 : 0));
        Assert.That(Tensor.Eye(rows).ShapeCopy(), Is.EqualTo(new[] { rows, rows }));
    }

    /// <summary>The insertion index by counting: entries below x (left) or not above x (right); NaN goes last.</summary>
    private static int Count(IEnumerable<double> row, double x, bool right) =>
        double.IsNaN(x) ? row.Count() : row.Count(s => right ? s <= x : s < x);

    [FsCheck.NUnit.Property]
    public void SearchsortedCountsTheEntriesBefore(SearchCase c)
    {
        int n = c.Sequence.Shape[^1], batched = c.Sequence.Shape.Length > 1 ? 1 : 0;
        int rowLen = c.Values.Shape.Length == 0 ? 1 : c.Values.Shape[^1];
        var got = Tensor.Searchsorted(c.Sequence.Tensor(), c.Values.Tensor(), c.Right);
        var side = Tensor.Searchsorted(c.Sequence.Tensor(), c.Values.Tensor(DType.Float32), side: c.Right ? "right" : "left");
        Assert.That(got.DType, Is.EqualTo(DType.Int32));
        Assert.That(got.ShapeCopy(), Is.EqualTo(c.Values.Shape));
        var r = got.ToArray<int>();
        Assert.That(side.ToArray<int>(), Is.EqualTo(r), "side = right/left and float32 values");
        for (int k = 0; k < c.Values.Numel; k++)
        {
            var row = c.Sequence.Values.Skip(batched * (k / Math.Max(1, rowLen)) * n).Take(n);
            Assert.That(r[k], Is.EqualTo(Count(row, c.Values.Values[k], c.Right)), $"value {k} = {c.Values.Values[k]}");
        }
        if (batched == 0)
            Assert.That(c.Values.Tensor().Bucketize(c.Sequence.Tensor(), c.Right).ToArray<int>(), Is.EqualTo(r), "bucketize");
    }

    [FsCheck.NUnit.Property]
    public void BincountCountsEachValue(BincountCase c)
    {
        var x = Tensor.FromSpan<int>(c.X, [c.X.Length]);
        int bins = Math.Max(c.MinLength, c.X.Length == 0 ? 0 : c.X.Max() + 1);
        var expected = new double[bins];
        for (int i = 0; i < c.X.Length; i++) expected[c.X[i]] += c.Weights?[i] ?? 1;
        if (c.Weights is null)
        {
            var got = x.Bincount(minlength: c.MinLength);
            Assert.That(got.DType, Is.EqualTo(DType.Int32));
            Assert.That(got.ToArray<double>(), Is.EqualTo(expected));
        }
        else
        {
            var got = x.Bincount(Tensor.FromSpan<double>(c.Weights, [c.X.Length]), c.MinLength);
            Assert.That(got.DType, Is.EqualTo(DType.Float64));
            Assert.That(got.ToArray<double>(), Is.EqualTo(expected).Within(1e-12));
            var got32 = x.Bincount(Tensor.FromSpan<double>(c.Weights, [c.X.Length]).To(DType.Float32), c.MinLength);
            Assert.That(got32.DType, Is.EqualTo(DType.Float32));
            Assert.That(got32.ToArray<double>(), Is.EqualTo(expected).Within(1e-5));
        }
    }

    [FsCheck.NUnit.Property]
    public void HistcPutsEachValueInItsBin(HistcCase c)
    {
        var dtype = c.Float32 ? DType.Float32 : DType.Float64;
        var got = c.X.Tensor(dtype).Histc(c.Bins, c.Min, c.Max);
        Assert.That(got.DType, Is.EqualTo(dtype));
        double lo = c.Min, hi = c.Max;
        if (lo == hi && c.X.Numel > 0) { lo = c.X.Values.Min(); hi = c.X.Values.Max(); }
        if (lo == hi) { lo -= 1; hi += 1; }
        // Bin k holds [lo + k w, lo + (k + 1) w), the last one its right edge too; every edge here is exact (dyadic).
        var expected = new double[c.Bins];
        double w = (hi - lo) / c.Bins;
        foreach (var v in c.X.Values)
        {
            if (!(v >= lo && v <= hi)) continue;
            int k = 0;
            while (k + 1 < c.Bins && lo + (k + 1) * w <= v) k++;
            expected[k]++;
        }
        Assert.That(got.ToArray<double>(), Is.EqualTo(expected));
    }

    [FsCheck.NUnit.Property]
    public void UniqueConsecutiveCollapsesRuns(ConsecutiveCase c)
    {
        var (values, inverse, counts) = c.X.Tensor().UniqueConsecutive(true, true, c.Dim);
        var shape = c.X.Shape;
        if (c.Dim is null)
        {
            var x = c.X.Values;
            var keep = new List<double>();
            var cnt = new List<int>();
            var inv = new int[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                if (i == 0 || !(x[i] == x[i - 1])) { keep.Add(x[i]); cnt.Add(0); }
                cnt[^1]++;
                inv[i] = keep.Count - 1;
            }
            Assert.That(values.ToArray<double>(), Is.EqualTo(keep.ToArray()));
            Assert.That(inverse!.ShapeCopy(), Is.EqualTo(shape));
            Assert.That(inverse.ToArray<int>(), Is.EqualTo(inv));
            Assert.That(counts!.ToArray<int>(), Is.EqualTo(cnt.ToArray()));
            return;
        }
        int d = c.Dim.Value < 0 ? c.Dim.Value + shape.Length : c.Dim.Value;
        // Slice j along d, by moving d first: slices compare equal when all their elements do (NaN never).
        var t = c.X.Tensor().Transpose(0, d).Contiguous();
        int size = shape[d];
        var slices = Enumerable.Range(0, size).Select(j => t.Select(0, j).Contiguous().ToArray<double>()).ToArray();
        var keepIdx = new List<int>();
        var counts2 = new List<int>();
        var inv2 = new int[size];
        for (int j = 0; j < size; j++)
        {
            bool same = j > 0 && slices[j].Zip(slices[j - 1]).All(p => p.First == p.Second);
            if (!same) { keepIdx.Add(j); counts2.Add(0); }
            counts2[^1]++;
            inv2[j] = keepIdx.Count - 1;
        }
        var expectedShape = (int[])shape.Clone();
        expectedShape[d] = keepIdx.Count;
        Assert.That(values.ShapeCopy(), Is.EqualTo(expectedShape));
        var vt = values.Transpose(0, d).Contiguous();
        for (int k = 0; k < keepIdx.Count; k++)
            Assert.That(vt.Select(0, k).Contiguous().ToArray<double>(), Is.EqualTo(slices[keepIdx[k]]));
        Assert.That(inverse!.ToArray<int>(), Is.EqualTo(inv2));
        Assert.That(counts!.ToArray<int>(), Is.EqualTo(counts2.ToArray()));
    }

    [FsCheck.NUnit.Property]
    public void UniqueAlongADimSortsAndMergesSlices(ConsecutiveCase c)
    {
        if (c.Dim is not int dim || c.X.Values.Any(double.IsNaN)) return; // NaN slices: no order to compare with
        var shape = c.X.Shape;
        int d = dim < 0 ? dim + shape.Length : dim, size = shape[d];
        var t = c.X.Tensor().Transpose(0, d).Contiguous();
        var slices = Enumerable.Range(0, size).Select(j => t.Select(0, j).Contiguous().ToArray<double>()).ToArray();
        // Reference: the distinct slices by pairwise comparison, then ordered lexicographically.
        static int Lex(double[] a, double[] b) => a.Zip(b).Select(p => p.First.CompareTo(p.Second)).FirstOrDefault(x => x != 0);
        var distinct = new List<double[]>();
        foreach (var s in slices)
            if (!distinct.Any(u => Lex(u, s) == 0)) distinct.Add(s);
        distinct.Sort(Lex);
        var (values, inverse, counts) = c.X.Tensor().Unique(returnInverse: true, returnCounts: true, dim: dim);
        var expectedShape = (int[])shape.Clone();
        expectedShape[d] = distinct.Count;
        Assert.That(values.ShapeCopy(), Is.EqualTo(expectedShape));
        var vt = values.Transpose(0, d).Contiguous();
        for (int k = 0; k < distinct.Count; k++)
            Assert.That(vt.Select(0, k).Contiguous().ToArray<double>(), Is.EqualTo(distinct[k]));
        var inv = inverse!.ToArray<int>();
        for (int j = 0; j < size; j++) Assert.That(distinct[inv[j]], Is.EqualTo(slices[j]));
        Assert.That(counts!.ToArray<int>(), Is.EqualTo(distinct.Select(u => slices.Count(s => Lex(s, u) == 0)).ToArray()));
    }
}
