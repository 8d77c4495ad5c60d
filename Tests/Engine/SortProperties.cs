using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>A tensor (rank 0..4, empty dims included), one dim of it (negative half the time; 0 or −1 for a 0-d
/// tensor), a direction and a k drawn in [0, 1] (scaled to the dim's size by each property).</summary>
public sealed record SortCase(Spec X, int Dim, bool Descending, bool KeepDim, double K, ulong Seed)
{
    public override string ToString() => $"X {X}, dim {Dim}, descending {Descending}, keepDim {KeepDim}, k {K}, seed {Seed}";
}

public static class SortGen
{
    private static Gen<SortCase> Case(Func<int[], Gen<Spec>> values) =>
        from s in StatisticsGen.Shape
        from x in values(s)
        from dim in Gen.Choose(0, Math.Max(0, s.Length - 1))
        from negative in Gen.Elements(false, true)
        from desc in Gen.Elements(false, true)
        from keepDim in Gen.Elements(false, true)
        from k in EngineGen.Uniform(0, 1)
        from seed in EngineGen.Seed
        select new SortCase(x, negative ? dim - Math.Max(1, s.Length) : dim, desc, keepDim, k, seed);

    /// <summary>Multiples of 1/2 in [−2, 2] (ties in most slices, −0 among them), NaN and ±∞.</summary>
    private static readonly Gen<double> Tied = Gen.Frequency(
        (12, Gen.Choose(-4, 4).Select(i => i == 0 ? -0.0 : i / 2.0)), (8, Gen.Choose(-4, 4).Select(i => i / 2.0)),
        (2, Gen.Constant(double.NaN)), (1, Gen.Constant(double.PositiveInfinity)), (1, Gen.Constant(double.NegativeInfinity)));

    public static readonly Gen<SortCase> Values = Case(s => EngineGen.Values(s, Tied));

    /// <summary>Pairwise distinct values, for central differences (a tie's gradient is a choice, not a derivative).</summary>
    public static readonly Gen<SortCase> Distinct = Case(EngineGen.DistinctValues);
}

/// <summary>
/// sort, argsort, topk, kthvalue and median against a float64 reference (a stable LINQ sort of each slice with PyTorch's
/// order: NaN the largest value), on random shapes with size-1 and empty dims, negative dims, 0-d tensors, ties, −0,
/// NaN and ±∞; k = 0 and k = size included. Gradients against central differences on distinct values.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 100)]
public class SortProperties
{
    /// <summary>PyTorch's ascending order of two values: NaN above everything and equal to itself, −0 equal to +0.</summary>
    private static readonly Comparer<double> TorchOrder = Comparer<double>.Create((a, b) =>
        double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0);

    /// <summary>The slices along the axis, each sorted stably: per slice (kept-dims index), the input positions in
    /// sorted order. A 0-d tensor is one slice of one element.</summary>
    private static (int[] Kept, int[][] Order, double[][] Values, int Axis) Reference(Nd x, int dim, bool descending)
    {
        var shape = x.Rank == 0 ? [1] : x.Shape;
        int axis = x.Rank == 0 ? 0 : Nd.Axis(dim, x.Rank), n = shape[axis];
        var kept = shape.Select((d, i) => i == axis ? 1 : d).ToArray();
        int slices = Nd.Count(kept);
        var order = new int[slices][];
        var values = new double[slices][];
        for (int s = 0; s < slices; s++)
        {
            var idx = Nd.Unravel(s, kept);
            var row = Enumerable.Range(0, n).Select(k => { var j = (int[])idx.Clone(); j[axis] = k; return x.Data[Nd.Ravel(j, shape)]; }).ToArray();
            var positions = Enumerable.Range(0, n);
            order[s] = (descending ? positions.OrderByDescending(k => row[k], TorchOrder) : positions.OrderBy(k => row[k], TorchOrder)).ToArray();
            values[s] = row;
        }
        return (kept, order, values, axis);
    }

    /// <summary>The reference's entries r (from pick(slice's positions, row)) laid out with the axis of size
    /// <paramref name="count"/>, as values and as indices.</summary>
    private static (Nd Values, Nd Indices) Layout(Nd x, int dim, bool descending, int count, Func<int[], double[], int[]> pick, bool keepAxis)
    {
        var (kept, order, rows, axis) = Reference(x, dim, descending);
        var shape = kept.Select((d, i) => i == axis ? count : d).ToArray();
        var v = new double[Nd.Count(shape)];
        var ix = new double[v.Length];
        for (int flat = 0; flat < v.Length; flat++)
        {
            var idx = Nd.Unravel(flat, shape);
            int r = idx[axis];
            idx[axis] = 0;
            int s = Nd.Ravel(idx, kept);
            var chosen = pick(order[s], rows[s]);
            ix[flat] = chosen[r];
            v[flat] = rows[s][chosen[r]];
        }
        var outShape = x.Rank == 0 ? [] : keepAxis ? shape : shape.Where((_, i) => i != axis).ToArray();
        return (new Nd(outShape, v), new Nd(outShape, ix));
    }

    private static int SizeOf(SortCase c) => c.X.Rank == 0 ? 1 : c.X.Shape[Nd.Axis(c.Dim, c.X.Rank)];

    [FsCheck.NUnit.Property]
    public Property SortMatchesAStableSort() => Prop.ForAll(SortGen.Values.ToArbitrary(), c =>
    {
        int n = SizeOf(c);
        var (values, indices) = c.X.Tensor().Sort(c.Dim, c.Descending);
        var (ev, ei) = Layout(Nd.Of(c.X), c.Dim, c.Descending, n, (o, _) => o, keepAxis: true);
        Expect.Exact(values, ev, "sort values");
        Assert.That(indices.DType, Is.EqualTo(DType.Int32));
        Expect.Exact(indices, ei, "sort indices");
        Expect.Exact(c.X.Tensor().ArgSort(c.Dim, c.Descending, stable: true), ei, "argsort");
        // float32 sorts the same values (all exact in float32) into the same order.
        Expect.Exact(c.X.Tensor(DType.Float32).Sort(c.Dim, c.Descending).Indices, ei, "float32 sort indices");
    });

    [FsCheck.NUnit.Property]
    public Property TopKIsTheSortsFirstK() => Prop.ForAll(SortGen.Values.ToArbitrary(), c =>
    {
        int n = SizeOf(c), k = (int)Math.Round(c.K * n);
        bool largest = !c.Descending;
        var (values, indices) = c.X.Tensor().TopK(k, c.Dim, largest);
        if (c.X.Rank == 0 && k == 0) { Assert.That(values.Numel, Is.Zero); return; }
        var (ev, ei) = Layout(Nd.Of(c.X), c.Dim, largest, k, (o, _) => o, keepAxis: true);
        Expect.Exact(values, ev, "topk values");
        Expect.Exact(indices, ei, "topk indices");
    });

    [FsCheck.NUnit.Property]
    public Property KthvalueIsTheKthOfTheSort() => Prop.ForAll(SortGen.Values.ToArbitrary(), c =>
    {
        int n = SizeOf(c);
        if (n == 0) return;
        int k = 1 + (int)Math.Min(n - 1, Math.Floor(c.K * n));
        var (values, indices) = c.X.Tensor().Kthvalue(k, c.Dim, c.KeepDim);
        var (ev, ei) = Layout(Nd.Of(c.X), c.Dim, false, 1, (o, _) => [o[k - 1]], c.KeepDim);
        Expect.Exact(values, ev, "kthvalue values");
        Expect.Exact(indices, ei, "kthvalue indices");
    });

    [FsCheck.NUnit.Property]
    public Property MedianIsTheLowerMiddleOrTheFirstNaN() => Prop.ForAll(SortGen.Values.ToArbitrary(), c =>
    {
        int n = SizeOf(c);
        if (n > 0)
        {
            var (values, indices) = c.X.Tensor().Median(c.Dim, c.KeepDim);
            int[] Pick(int[] order, double[] row)
            {
                int nan = Array.FindIndex(row, double.IsNaN);
                return [nan >= 0 ? nan : order[(n - 1) / 2]];
            }
            var (ev, ei) = Layout(Nd.Of(c.X), c.Dim, false, 1, Pick, c.KeepDim);
            Expect.Exact(values, ev, "median values");
            Expect.Exact(indices, ei, "median indices");
        }
        // Of all elements: NaN if any, NaN for none, else the lower middle of the sorted elements.
        var all = c.X.Values;
        var sorted = all.OrderBy(v => v, TorchOrder).ToArray();
        double expected = all.Length == 0 || all.Any(double.IsNaN) ? double.NaN : sorted[(all.Length - 1) / 2];
        Expect.Exact(c.X.Tensor().Median(), new Nd([], [expected]), "median()");
    });

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property Gradients() => Prop.ForAll(SortGen.Distinct.ToArbitrary(), c =>
    {
        int n = SizeOf(c), dim = c.Dim;
        bool keep = c.KeepDim, descending = c.Descending;
        int k = (int)Math.Round(c.K * n);
        Expect.Grad("sort", xs => xs[0].Sort(dim, descending).Values, c.Seed, c.X.Tensor());
        Expect.Grad("topk", xs => xs[0].TopK(k, dim, !descending).Values, c.Seed, c.X.Tensor());
        if (n > 0)
        {
            int kth = Math.Max(1, k);
            Expect.Grad("kthvalue", xs => xs[0].Kthvalue(kth, dim, keep).Values, c.Seed, c.X.Tensor());
            Expect.Grad("median(dim)", xs => xs[0].Median(dim, keep).Values, c.Seed, c.X.Tensor());
        }
        if (c.X.Values.Length > 0) Expect.Grad("median()", xs => xs[0].Median(), c.Seed, c.X.Tensor());
    });

    /// <summary>k out of range names k and the size; an empty dim has no kthvalue or median; dims out of range.</summary>
    [Test]
    public void BadArguments()
    {
        var x = Tensor.Zeros([2, 4], DType.Float64);
        Assert.That(() => x.TopK(5), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("topk: k (5)").And.Message.Contains("size 4"));
        Assert.That(() => x.TopK(-1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("k (-1)").And.Message.Contains("size 2"));
        Assert.That(() => x.Kthvalue(0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("kthvalue: k (0)").And.Message.Contains("1 ≤ k ≤ 4"));
        Assert.That(() => x.Kthvalue(3, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("k (3)").And.Message.Contains("size 2"));
        Assert.That(() => x.Sort(2), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("sort: dim 2").And.Message.Contains("[-2, 1]"));
        Assert.That(() => Tensor.Scalar(1.0).Median(1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("median: dim 1"));
        Assert.That(() => Tensor.Zeros([3, 0], DType.Float64).Median(1), Throws.InvalidOperationException.With.Message.Contains("size 0"));
        Assert.That(() => Tensor.Zeros([3, 0], DType.Float64).Kthvalue(1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("size 0"));
    }

    /// <summary>Fixed examples: PyTorch's NaN order both ways, stability in both directions, int32, median()'s gradient
    /// shared among the ties (PyTorch's evenly_distribute_backward), median(dim)'s to one element.</summary>
    [Test]
    public void FixedExamples()
    {
        var x = Tensor.FromArray([2.0, double.NaN, 1.0, 2.0, double.NegativeInfinity, double.NaN]);
        var (v, i) = x.Sort();
        Assert.That(v.ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity, 1.0, 2.0, 2.0, double.NaN, double.NaN }));
        Assert.That(i.ToArray<int>(), Is.EqualTo(new[] { 4, 2, 0, 3, 1, 5 }));
        Assert.That(x.ArgSort(descending: true).ToArray<int>(), Is.EqualTo(new[] { 1, 5, 0, 3, 2, 4 }));
        Assert.That(x.TopK(2, largest: false).Indices.ToArray<int>(), Is.EqualTo(new[] { 4, 2 }));
        Assert.That(x.Median().ToArray<double>()[0], Is.NaN);
        Assert.That(x.Median(0).Indices.ToArray<int>()[0], Is.EqualTo(1));

        var n = Tensor.FromArray([3, 1, 2, 1]);
        Assert.That(n.Sort().Values.ToArray<int>(), Is.EqualTo(new[] { 1, 1, 2, 3 }));
        Assert.That(n.Sort().Values.DType, Is.EqualTo(DType.Int32));
        Assert.That(n.Median().ToArray<int>()[0], Is.EqualTo(1));

        var t = Tensor.FromArray([1.0, 3.0, 1.0, 0.0]);
        t.RequiresGrad = true;
        t.Median().Backward();
        Assert.That(t.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.5, 0, 0.5, 0 }));
        var u = Tensor.FromArray([1.0, 3.0, 1.0, 0.0]);
        u.RequiresGrad = true;
        var (mv, mi) = u.Median(0);
        mv.Backward();
        Assert.That(mi.ToArray<int>()[0], Is.EqualTo(0));
        Assert.That(u.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, 0, 0 }));
    }
}
