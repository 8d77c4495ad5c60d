using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>index_add, index_copy, index_fill: X, a 1-D index (0-d when Scalar) along the axis, Source of X's shape
/// with the axis of the index's length; indices distinct when Unique.</summary>
public sealed record SliceCase(Spec X, int Dim, int[] Index, bool Scalar, Spec Source, ulong Seed)
{
    public Tensor IndexTensor() => Scalar ? Tensor.FromSpan<int>(Index, []) : Tensor.FromSpan<int>(Index, [Index.Length]);

    public int Axis => X.Rank == 0 ? 0 : Dim < 0 ? Dim + X.Rank : Dim;

    public override string ToString() => $"X {X}, dim {Dim}, index{(Scalar ? " 0-d" : "")} [{string.Join(", ", Index)}], source {Source}, seed {Seed}";
}

/// <summary>take and put: X, an index of any shape with values in [−numel, numel) (distinct positions when Unique),
/// Source of the index's element count.</summary>
public sealed record FlatCase(Spec X, int[] IndexShape, int[] Index, Spec Source, ulong Seed)
{
    public Tensor IndexTensor() => Tensor.FromSpan<int>(Index, IndexShape);

    public int Position(int t) => Index[t] < 0 ? Index[t] + X.Numel : Index[t];

    public override string ToString() => $"X {X}, index {Shapes.Format(IndexShape)} [{string.Join(", ", Index)}], source {Source}, seed {Seed}";
}

/// <summary>masked_select, masked_scatter, nonzero: X and a 0/1 Mask (NaN counts as true) that broadcast together,
/// Source with at least as many elements as the broadcast shape.</summary>
public sealed record MaskSelectCase(Spec X, Spec Mask, Spec Source, ulong Seed)
{
    public override string ToString() => $"X {X}, mask {Mask}, source {Source}, seed {Seed}";
}

/// <summary>take_along_dim: X and indices of the same rank whose shapes broadcast apart from the axis (Dim null: any
/// index shape, X read flattened).</summary>
public sealed record AlongCase(Spec X, int? Dim, int[] IndexShape, int[] Index, ulong Seed)
{
    public Tensor IndexTensor() => Tensor.FromSpan<int>(Index, IndexShape);

    public override string ToString() => $"X {X}, dim {Dim?.ToString() ?? "None"}, indices {Shapes.Format(IndexShape)} [{string.Join(", ", Index)}], seed {Seed}";
}

public static class IndexOpsGen
{
    private static readonly Gen<double> Value = EngineGen.Uniform(-2, 2);

    public static Gen<SliceCase> Slice(bool unique) =>
        from s in StatisticsGen.Shape
        from axis in Gen.Choose(0, Math.Max(s.Length, 1) - 1)
        from negative in Gen.Elements(false, true)
        from scalar in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        let size = s.Length == 0 ? 1 : s[axis]
        let count = size == 0 ? 0 : scalar || s.Length == 0 ? 1 : unique ? Math.Min(n, size) : n
        from indexSeed in Gen.Choose(0, int.MaxValue)
        let index = ScatterGen.Entries([count], 0, size, unique, indexSeed)
        let srcShape = s.Length == 0 ? [] : s.Select((d, i) => i == axis ? count : d).ToArray()
        from x in EngineGen.Values(s, Value)
        from src in EngineGen.Values(srcShape, Value)
        from seed in EngineGen.Seed
        select new SliceCase(x, negative && s.Length > 0 ? axis - s.Length : axis, index, (scalar || s.Length == 0) && count == 1, src, seed);

    public static Gen<FlatCase> Flat(bool unique) =>
        from s in StatisticsGen.Shape
        from idx in EngineGen.Shape(0, 3)
        let numel = s.Aggregate(1, (p, d) => p * d)
        let idxShape = numel == 0 ? [0] : unique ? CapTo(idx, numel) : idx
        from indexSeed in Gen.Choose(0, int.MaxValue)
        from negatives in Gen.Choose(0, int.MaxValue)
        let positions = ScatterGen.Entries([idxShape.Aggregate(1, (p, d) => p * d)], 0, Math.Max(numel, 1), unique, indexSeed)
        let rng = new Random(negatives)
        let index = positions.Select(p => rng.Next(2) == 0 ? p - numel : p).ToArray()
        from x in EngineGen.Values(s, Value)
        from src in EngineGen.Values(idxShape, Value)
        from seed in EngineGen.Seed
        select new FlatCase(x, idxShape, index, src, seed);

    /// <summary>The shape with dims cut until it has at most n elements.</summary>
    private static int[] CapTo(int[] shape, int n)
    {
        var d = (int[])shape.Clone();
        while (d.Aggregate(1, (p, e) => p * e) > n) d[Array.IndexOf(d, d.Max())]--;
        return d;
    }

    public static readonly Gen<MaskSelectCase> Mask =
        from shapes in EngineGen.BroadcastShapes
        from x in EngineGen.Values(shapes.A, Value)
        from m in EngineGen.Values(shapes.B, Gen.Frequency((4, Gen.Constant(0.0)), (4, Gen.Constant(1.0)), (1, Gen.Constant(double.NaN)), (1, Gen.Constant(-0.5))))
        let full = Nd.BroadcastShape(shapes.A, shapes.B).Aggregate(1, (p, d) => p * d)
        from extra in Gen.Choose(0, 2)
        from src in EngineGen.Values([full + extra], Value)
        from seed in EngineGen.Seed
        select new MaskSelectCase(x, m, src, seed);

    public static readonly Gen<AlongCase> Along =
        from s in EngineGen.Shape(1, 4)
        from flat in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from axis in Gen.Choose(0, s.Length - 1)
        from negative in Gen.Elements(false, true)
        from ones in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(1)), (2, Gen.Constant(2))), s.Length)
        from k in Gen.Choose(0, 4)
        // Each other dim: the same size, 1 in the index (broadcast over X), or 1 in X (X broadcast over the index).
        let xs = s.Select((d, i) => i != axis && ones[i] == 1 ? 1 : d).ToArray()
        let idxShape = flat ? new[] { k, 2 } : s.Select((d, i) => i == axis ? k : ones[i] == 0 ? 1 : d).ToArray()
        let bound = flat ? xs.Aggregate(1, (p, d) => p * d) : xs[axis]
        from indexSeed in Gen.Choose(0, int.MaxValue)
        from x in EngineGen.Values(xs, Value)
        from seed in EngineGen.Seed
        select new AlongCase(x, flat ? null : negative ? axis - s.Length : axis, idxShape,
            ScatterGen.Entries([idxShape.Aggregate(1, (p, d) => p * d)], 0, bound, false, indexSeed), seed);
}

/// <summary>
/// index_add, index_copy, index_fill, take, put, take_along_dim, masked_select, masked_scatter and nonzero: values
/// against plain float64 loops, gradients against central differences, on random shapes with size-0 and size-1
/// dims, 0-d inputs and indices, negative dims and (take, put) negative indices, broadcast masks with NaN in them.
/// </summary>
[FsCheck.NUnit.Properties(MaxTest = 60)]
public class IndexOpsProperties
{
    private static int[] With(int[] p, int axis, int v)
    {
        var q = (int[])p.Clone();
        if (q.Length > 0) q[axis] = v;
        return q;
    }

    /// <summary>X with the slices index[k] combined with source's k-th slice by f (in index order).</summary>
    private static Nd SliceLoop(SliceCase c, Func<double, double, double> f)
    {
        var r = (double[])c.X.Values.Clone();
        for (int t = 0; t < c.Source.Numel; t++)
        {
            var p = Nd.Unravel(t, c.Source.Shape);
            int k = c.X.Rank == 0 ? 0 : p[c.Axis];
            var q = c.X.Rank == 0 ? [] : With(p, c.Axis, c.Index[k]);
            int at = Nd.Ravel(q, c.X.Shape);
            r[at] = f(r[at], c.Source.Values[t]);
        }
        return new Nd(c.X.Shape, r);
    }

    [FsCheck.NUnit.Property]
    public Property IndexAdd() => Prop.ForAll(IndexOpsGen.Slice(false).ToArbitrary(), c =>
    {
        Expect.Close(c.X.Tensor().IndexAdd(c.Dim, c.IndexTensor(), c.Source.Tensor(), 0.5), SliceLoop(c, (a, b) => a + 0.5 * b), 1e-12, 1e-12, "index_add");
        Expect.Grad("index_add", xs => xs[0].IndexAdd(c.Dim, c.IndexTensor(), xs[1], -1.5), c.Seed, c.X.Tensor(), c.Source.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property IndexCopy() => Prop.ForAll(IndexOpsGen.Slice(true).ToArbitrary(), c =>
    {
        Expect.Exact(c.X.Tensor().IndexCopy(c.Dim, c.IndexTensor(), c.Source.Tensor()), SliceLoop(c, (_, b) => b), "index_copy");
        Expect.Grad("index_copy", xs => xs[0].IndexCopy(c.Dim, c.IndexTensor(), xs[1]), c.Seed, c.X.Tensor(), c.Source.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property IndexFill() => Prop.ForAll(IndexOpsGen.Slice(false).ToArbitrary(), c =>
    {
        Expect.Exact(c.X.Tensor().IndexFill(c.Dim, c.IndexTensor(), -7), SliceLoop(c, (_, _) => -7), "index_fill");
        Expect.Grad("index_fill", xs => xs[0].IndexFill(c.Dim, c.IndexTensor(), -7), c.Seed, c.X.Tensor());
        var value = Tensor.Full([], -7.0, DType.Float64);
        Expect.Exact(c.X.Tensor().IndexFill(c.Dim, c.IndexTensor(), value), SliceLoop(c, (_, _) => -7), "index_fill tensor value");
        Expect.Grad("index_fill tensor value", xs => xs[0].IndexFill(c.Dim, c.IndexTensor(), xs[1]), c.Seed, c.X.Tensor(), value);
    });

    [FsCheck.NUnit.Property]
    public Property Take() => Prop.ForAll(IndexOpsGen.Flat(false).ToArbitrary(), c =>
    {
        var expected = Nd.Build(c.IndexShape, p => c.X.Values[c.Position(Nd.Ravel(p, c.IndexShape))]);
        Expect.Exact(c.X.Tensor().Take(c.IndexTensor()), expected, "take");
        Expect.Grad("take", xs => xs[0].Take(c.IndexTensor()), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Put() => Prop.ForAll(IndexOpsGen.Flat(true).ToArbitrary(), c =>
    {
        foreach (bool accumulate in new[] { false, true })
        {
            var r = (double[])c.X.Values.Clone();
            for (int t = 0; t < c.Index.Length; t++) r[c.Position(t)] = (accumulate ? r[c.Position(t)] : 0) + c.Source.Values[t];
            Expect.Close(c.X.Tensor().Put(c.IndexTensor(), c.Source.Tensor(), accumulate), new Nd(c.X.Shape, r), 1e-12, 1e-12, $"put accumulate {accumulate}");
            Expect.Grad("put", xs => xs[0].Put(c.IndexTensor(), xs[1], accumulate), c.Seed, c.X.Tensor(), c.Source.Tensor());
        }
    });

    /// <summary>put with accumulate adds repeated indices up.</summary>
    [FsCheck.NUnit.Property]
    public Property PutAccumulatesRepeats() => Prop.ForAll(IndexOpsGen.Flat(false).ToArbitrary(), c =>
    {
        var r = (double[])c.X.Values.Clone();
        for (int t = 0; t < c.Index.Length; t++) r[c.Position(t)] += c.Source.Values[t];
        Expect.Close(c.X.Tensor().Put(c.IndexTensor(), c.Source.Tensor(), accumulate: true), new Nd(c.X.Shape, r), 1e-12, 1e-12, "put accumulate");
        Expect.Grad("put accumulate", xs => xs[0].Put(c.IndexTensor(), xs[1], true), c.Seed, c.X.Tensor(), c.Source.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property TakeAlongDim() => Prop.ForAll(IndexOpsGen.Along.ToArbitrary(), c =>
    {
        Nd expected;
        if (c.Dim is not int dim)
            expected = new Nd([c.Index.Length], c.Index.Select(i => c.X.Values[i]).ToArray());
        else
        {
            int axis = dim < 0 ? dim + c.X.Rank : dim;
            var shape = c.X.Shape.Select((d, i) => i == axis ? c.IndexShape[i] : Math.Max(d, c.IndexShape[i])).ToArray();
            var x = Nd.Of(c.X);
            var idx = new Nd(c.IndexShape, c.Index.Select(i => (double)i).ToArray());
            expected = Nd.Build(shape, p =>
            {
                var q = p.Select((v, i) => c.X.Shape[i] == 1 ? 0 : v).ToArray();
                q[axis] = (int)idx.At(p);
                return x[q];
            });
        }
        Expect.Exact(c.X.Tensor().TakeAlongDim(c.IndexTensor(), c.Dim), expected, "take_along_dim");
        Expect.Grad("take_along_dim", xs => xs[0].TakeAlongDim(c.IndexTensor(), c.Dim), c.Seed, c.X.Tensor());
    });

    private static List<int[]> TruePositions(MaskSelectCase c, out int[] shape)
    {
        shape = Nd.BroadcastShape(c.X.Shape, c.Mask.Shape);
        var m = Nd.Of(c.Mask);
        var r = new List<int[]>();
        for (int f = 0; f < Nd.Count(shape); f++)
        {
            var p = Nd.Unravel(f, shape);
            if (m.At(p) != 0) r.Add(p);
        }
        return r;
    }

    [FsCheck.NUnit.Property]
    public Property MaskedSelect() => Prop.ForAll(IndexOpsGen.Mask.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        var positions = TruePositions(c, out _);
        var mask = c.Mask.Tensor();
        Expect.Exact(c.X.Tensor().MaskedSelect(mask), new Nd([positions.Count], positions.Select(x.At).ToArray()), "masked_select");
        Expect.Grad("masked_select", xs => xs[0].MaskedSelect(mask), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property MaskedScatter() => Prop.ForAll(IndexOpsGen.Mask.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        var positions = TruePositions(c, out var shape);
        var r = Nd.Build(shape, x.At).Data;
        for (int t = 0; t < positions.Count; t++) r[Nd.Ravel(positions[t], shape)] = c.Source.Values[t];
        var mask = c.Mask.Tensor();
        Expect.Exact(c.X.Tensor().MaskedScatter(mask, c.Source.Tensor()), new Nd(shape, r), "masked_scatter");
        Expect.Grad("masked_scatter", xs => xs[0].MaskedScatter(mask, xs[1]), c.Seed, c.X.Tensor(), c.Source.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Nonzero() => Prop.ForAll(IndexOpsGen.Mask.ToArbitrary(), c =>
    {
        var m = c.Mask;
        var rows = Enumerable.Range(0, m.Numel).Where(f => m.Values[f] != 0).Select(f => Nd.Unravel(f, m.Shape)).ToList();
        var y = m.Tensor().Nonzero();
        Assert.That(y.DType, Is.EqualTo(DType.Int32));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { rows.Count, m.Rank }));
        Assert.That(y.ToArray<int>(), Is.EqualTo(rows.SelectMany(p => p).ToArray()));
        Assert.That(m.Tensor().ArgWhere().ToArray<int>(), Is.EqualTo(y.ToArray<int>()));
        var columns = m.Tensor().Nonzero(asTuple: true);
        Assert.That(columns, Has.Length.EqualTo(Math.Max(m.Rank, 1)));
        for (int d = 0; d < m.Rank; d++) Assert.That(columns[d].ToArray<int>(), Is.EqualTo(rows.Select(p => p[d]).ToArray()));
    });
}

/// <summary>The index ops' error messages, and 0-d cases PyTorch allows.</summary>
public class IndexOpsTests
{
    private static Tensor I(int[] v, params int[] shape) => Tensor.FromSpan<int>(v, shape);

    private static void Throws<TException>(TestDelegate code, params string[] parts) where TException : Exception
    {
        var e = Assert.Throws(Is.InstanceOf<TException>(), code)!;
        foreach (var p in parts) Assert.That(e.Message, Does.Contain(p), $"message: {e.Message}");
    }

    [Test]
    public void BadInputsNameTheProblem()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        Throws<ArgumentException>(() => x.IndexAdd(1, I([0, 1], 2), Tensor.Zeros([2, 3], DType.Float64)), "index_add", "expected [2, 2]", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => x.IndexCopy(0, I([2], 1), Tensor.Zeros([1, 3], DType.Float64)), "index_copy", "index 2 is out of bounds for dimension 0 with size 2");
        Throws<ArgumentException>(() => x.IndexFill(0, I([0, 1], 1, 2), 1), "index is supposed to be a vector");
        Throws<ArgumentOutOfRangeException>(() => x.Take(I([-7], 1)), "take", "tried to access index -7 on a tensor of 6 elements");
        Throws<ArgumentOutOfRangeException>(() => x.Put(I([6], 1), Tensor.Zeros([1], DType.Float64)), "put", "index 6");
        Throws<ArgumentException>(() => x.Put(I([1, 2], 2), Tensor.Zeros([3], DType.Float64)), "same number of elements", "source.numel() = 3", "index.numel() = 2");
        Throws<ArgumentException>(() => x.TakeAlongDim(I([0], 1), 0), "same number of dimensions", "2 dimensions for input");
        Throws<ArgumentException>(() => x.MaskedScatter(Tensor.Ones([2, 3], DType.Float64), Tensor.Zeros([5], DType.Float64)), "masked_scatter", "6 nonzero", "source 5");
        Throws<ArgumentException>(() => x.MaskedSelect(Tensor.Ones([4], DType.Float64)), "masked_select");
    }

    [Test]
    public void ZeroDimInputs()
    {
        var x = Tensor.Full([], 3.0, DType.Float64);
        Assert.That(x.Nonzero().ShapeCopy(), Is.EqualTo(new[] { 1, 0 }));
        Assert.That(x.Nonzero(asTuple: true).Single().ToArray<int>(), Is.EqualTo(new[] { 0 }));
        Assert.That(x.IndexFill(0, I([0]), 1).Item(), Is.EqualTo(1));
        Assert.That(x.Take(I([-1], 1)).ToArray<double>(), Is.EqualTo(new[] { 3.0 }));
        Assert.That(x.Put(I([0]), Tensor.Full([], 5.0, DType.Float64), accumulate: true).Item(), Is.EqualTo(8));
    }
}
