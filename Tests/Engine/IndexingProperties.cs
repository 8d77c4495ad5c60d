using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>gather or scatter_add: input X, an index of X's rank (0-d for a 0-d X half the time) with sizes up to X's
/// apart from the axis (up to 4 there, so indices repeat), values in [0, X.size(axis)); Src covers the index and
/// sometimes more. Dim is negative half the time.</summary>
public sealed record GatherCase(Spec X, int Dim, int[] IndexShape, int[] Index, Spec Src, ulong Seed)
{
    public Tensor IndexTensor() => Tensor.FromSpan<int>(Index, IndexShape);

    public int Axis => X.Rank == 0 ? 0 : Dim < 0 ? Dim + X.Rank : Dim;

    public override string ToString() =>
        $"X {X}, dim {Dim}, index {Shapes.Format(IndexShape)} [{string.Join(", ", Index)}], src {Src}, seed {Seed}";
}

/// <summary>index_select: X, a 1-D index (0-d when Scalar) of any length with values in [0, X.size(axis)).</summary>
public sealed record SelectCase(Spec X, int Dim, int[] Index, bool Scalar, ulong Seed)
{
    public Tensor IndexTensor() => Scalar ? Tensor.FromSpan<int>(Index, []) : Tensor.FromSpan<int>(Index, [Index.Length]);

    public int Axis => X.Rank == 0 ? 0 : Dim < 0 ? Dim + X.Rank : Dim;

    public override string ToString() => $"X {X}, dim {Dim}, index{(Scalar ? " 0-d" : "")} [{string.Join(", ", Index)}], seed {Seed}";
}

/// <summary>embedding: weight [N, D] (D may be 0), indices of rank 0..3 in [0, N), padding_idx null or in [−N, N).</summary>
public sealed record EmbeddingCase(Spec Weight, int[] IndicesShape, int[] Indices, int? PaddingIdx, ulong Seed)
{
    public Tensor IndexTensor() => Tensor.FromSpan<int>(Indices, IndicesShape);

    public override string ToString() =>
        $"weight {Weight}, indices {Shapes.Format(IndicesShape)} [{string.Join(", ", Indices)}], padding_idx {PaddingIdx?.ToString() ?? "None"}, seed {Seed}";
}

public static class IndexingGen
{
    private static readonly Gen<double> Value = EngineGen.Uniform(-2, 2);

    /// <summary>Index entries: n of them in [0, size) (size 0 only with n = 0).</summary>
    private static Gen<int[]> Entries(int n, int size) => size == 0 ? Gen.Constant(new int[n]) : Gen.ArrayOf(Gen.Choose(0, size - 1), n);

    /// <summary>A size up to <paramref name="max"/>, usually max itself (the common case), sometimes 0.</summary>
    private static Gen<int> UpTo(int max) => Gen.Frequency((4, Gen.Constant(max)), (2, Gen.Choose(Math.Min(1, max), max)), (1, Gen.Constant(0)));

    public static readonly Gen<GatherCase> Gather =
        from s in StatisticsGen.Shape
        from axis in Gen.Choose(0, Math.Max(s.Length, 1) - 1)
        from negative in Gen.Elements(false, true)
        from others in Gen.CollectToArray(s, UpTo)
        from k in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4)))
        from scalarIndex in Gen.Elements(false, true)
        let size = s.Length == 0 ? 1 : s[axis]
        let kk = size == 0 ? 0 : k
        // A 0-d input takes a 0-d index (one entry) or a 1-D one; otherwise the index has the input's rank.
        let idxShape = s.Length == 0 ? (scalarIndex ? [] : new[] { kk }) : others.Select((d, i) => i == axis ? kk : d).ToArray()
        from index in Entries(idxShape.Aggregate(1, (p, d) => p * d), size)
        from extra in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 2))), idxShape.Length)
        let srcShape = idxShape.Select((d, i) => d + extra[i]).ToArray()
        from x in EngineGen.Values(s, Value)
        from src in EngineGen.Values(srcShape, Value)
        from seed in EngineGen.Seed
        select new GatherCase(x, negative && s.Length > 0 ? axis - s.Length : axis, idxShape, index, src, seed);

    public static readonly Gen<SelectCase> Select =
        from s in StatisticsGen.Shape
        from axis in Gen.Choose(0, Math.Max(s.Length, 1) - 1)
        from negative in Gen.Elements(false, true)
        from scalar in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        let size = s.Length == 0 ? 1 : s[axis]
        // A 0-d input takes exactly one index; an empty axis none.
        let count = scalar || s.Length == 0 ? 1 : n
        let fits = size > 0 || count == 0
        from index in Entries(fits ? count : 0, size)
        from x in EngineGen.Values(s, Value)
        from seed in EngineGen.Seed
        select new SelectCase(x, negative && s.Length > 0 ? axis - s.Length : axis, index, (scalar || s.Length == 0) && index.Length == 1, seed);

    public static readonly Gen<EmbeddingCase> Embedding =
        from n in Gen.Choose(1, 6)
        from d in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4)))
        from w in EngineGen.Values([n, d], Value)
        from shape in EngineGen.Shape(0, 3)
        from indices in Entries(shape.Aggregate(1, (p, e) => p * e), n)
        from pad in Gen.Frequency((1, Gen.Constant<int?>(null)), (1, Gen.Choose(-n, n - 1).Select(p => (int?)p)))
        from seed in EngineGen.Seed
        select new EmbeddingCase(w, shape, indices, pad, seed);
}

public static class IndexingArbitraries
{
    public static Arbitrary<GatherCase> GatherArb() => IndexingGen.Gather.ToArbitrary();
    public static Arbitrary<SelectCase> SelectArb() => IndexingGen.Select.ToArbitrary();
    public static Arbitrary<EmbeddingCase> EmbeddingArb() => IndexingGen.Embedding.ToArbitrary();
}

/// <summary>
/// torch.gather, torch.scatter_add, torch.index_select and F.embedding: values against plain loops over the index
/// (a gather is a copy, so exact; a scatter-add sums in index order, as the loops do), gradients against central
/// differences in float64, on random shapes with size-1 and empty dims, empty indices and repeated indices.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(IndexingArbitraries)], MaxTest = 80)]
public class IndexingProperties
{
    /// <summary>The position p with its coordinate along axis replaced by v.</summary>
    private static int[] With(int[] p, int axis, int v)
    {
        var q = (int[])p.Clone();
        if (q.Length > 0) q[axis] = v;
        return q;
    }

    private static double At(Spec s, int[] p) => s.Values[Nd.Ravel(p, s.Shape)];

    [FsCheck.NUnit.Property]
    public void Gather(GatherCase c)
    {
        var y = Tensor.Gather(c.X.Tensor(), c.Dim, c.IndexTensor());
        // out[p] = x[p with p[axis] = index[p]]; a 0-d input is read at [].
        var expected = Nd.Build(c.IndexShape, p => At(c.X, c.X.Rank == 0 ? [] : With(p, c.Axis, c.Index[Nd.Ravel(p, c.IndexShape)])));
        Expect.Exact(y, expected, "gather");
        Expect.Grad("gather", xs => Tensor.Gather(xs[0], c.Dim, c.IndexTensor()), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void ScatterAdd(GatherCase c)
    {
        var y = Tensor.ScatterAdd(c.X.Tensor(), c.Dim, c.IndexTensor(), c.Src.Tensor());
        var expected = (double[])c.X.Values.Clone();
        int count = c.IndexShape.Aggregate(1, (p, d) => p * d);
        for (int f = 0; f < count; f++)
        {
            var p = Nd.Unravel(f, c.IndexShape);
            var q = c.X.Rank == 0 ? [] : With(p, c.Axis, c.Index[f]);
            expected[Nd.Ravel(q, c.X.Shape)] += At(c.Src, p);
        }
        Expect.Close(y, new Nd(c.X.Shape, expected), 1e-12, 1e-12, "scatter_add");
        Expect.Grad("scatter_add", xs => Tensor.ScatterAdd(xs[0], c.Dim, c.IndexTensor(), xs[1]), c.Seed, c.X.Tensor(), c.Src.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void IndexSelect(SelectCase c)
    {
        var y = Tensor.IndexSelect(c.X.Tensor(), c.Dim, c.IndexTensor());
        var shape = c.X.Rank == 0 ? [] : With(c.X.Shape, c.Axis, c.Index.Length);
        var expected = Nd.Build(shape, p => At(c.X, c.X.Rank == 0 ? [] : With(p, c.Axis, c.Index[p[c.Axis]])));
        Expect.Exact(y, expected, "index_select");
        Expect.Grad("index_select", xs => Tensor.IndexSelect(xs[0], c.Dim, c.IndexTensor()), c.Seed, c.X.Tensor());
    }

    /// <summary>Values against the lookup loop; without padding the gradient against central differences; with
    /// padding against the loop Σ of the upstream gradient over positions holding each row, the padding row's 0
    /// (PyTorch's rule, not the derivative: the forward does read that row).</summary>
    [FsCheck.NUnit.Property]
    public void Embedding(EmbeddingCase c)
    {
        int n = c.Weight.Shape[0], d = c.Weight.Shape[1];
        var w = c.Weight.Tensor();
        w.RequiresGrad = true;
        var y = F.Embedding(c.IndexTensor(), w, c.PaddingIdx);
        var outShape = c.IndicesShape.Append(d).ToArray();
        Expect.Exact(y, Nd.Build(outShape, p => At(c.Weight, [c.Indices[Nd.Ravel(p[..^1], c.IndicesShape)], p[^1]])), "embedding");
        if (c.PaddingIdx is null)
        {
            Expect.Grad("embedding", xs => F.Embedding(c.IndexTensor(), xs[0]), c.Seed, c.Weight.Tensor());
            return;
        }
        int pad = c.PaddingIdx.Value < 0 ? c.PaddingIdx.Value + n : c.PaddingIdx.Value;
        var g = Tensor.Rand(outShape, -1, 1, DType.Float64, generator: new Generator(c.Seed));
        y.Backward(g);
        var gv = g.ToArray<double>();
        var expected = new double[n * d];
        for (int t = 0; t < c.Indices.Length; t++)
            if (c.Indices[t] != pad)
                for (int j = 0; j < d; j++) expected[c.Indices[t] * d + j] += gv[t * d + j];
        Expect.Close(w.Grad!, new Nd([n, d], expected), 1e-12, 1e-12, "embedding weight gradient");
    }
}
