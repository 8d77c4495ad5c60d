using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>normalize(X, p, dim, eps); with <see cref="Zero"/> the first vector along dim is zero (and ε = 0.05,
/// below every other vector's norm, so central differences stay on one side of the clamp).</summary>
public sealed record NormalizeCase(Spec X, int Dim, double P, double Eps, bool Zero, ulong Seed)
{
    public override string ToString() => $"X {X}, dim {Dim}, p {P}, eps {Eps}, zero vector {Zero}, seed {Seed}";
}

/// <summary>cosine_similarity(A, B, dim, eps) of broadcastable A and B (dim on the broadcast rank).</summary>
public sealed record CosineCase(Spec A, Spec B, int Dim, double Eps, bool Zero, ulong Seed)
{
    public override string ToString() => $"A {A}, B {B}, dim {Dim}, eps {Eps}, zero vector {Zero}, seed {Seed}";
}

/// <summary>pairwise_distance(A, B, p, eps, keepdim) over the last dim.</summary>
public sealed record PairwiseCase(Spec A, Spec B, double P, double Eps, bool KeepDim, ulong Seed)
{
    public override string ToString() => $"A {A}, B {B}, p {P}, eps {Eps}, keepdim {KeepDim}, seed {Seed}";
}

public static class DistanceGen
{
    /// <summary>The p's PyTorch users pass: 1 and ∞ (kinks at 0 and at ties, which the values avoid), fractional
    /// and integer ones.</summary>
    private static readonly Gen<double> P = Gen.Elements(0.5, 1.0, 1.5, 2.0, 2.0, 3.0, double.PositiveInfinity);

    /// <summary>Zeroes the vector along <paramref name="axis"/> at index 0 of the other axes (flat j·inner).</summary>
    public static Spec ZeroVector(Spec s, int axis)
    {
        int inner = s.Shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        var v = (double[])s.Values.Clone();
        for (int j = 0; j < s.Shape[axis]; j++) v[j * inner] = 0;
        return s with { Values = v };
    }

    public static readonly Gen<NormalizeCase> Normalize =
        from shape in EngineGen.Shape(1, 4)
        from x in EngineGen.Values(shape, EngineGen.NonZeroValue)
        from axis in Gen.Choose(0, shape.Length - 1)
        from negative in Gen.Elements(false, true)
        from p in P
        from zero in Gen.Elements(false, false, true)
        from eps in Gen.Elements(1e-12, 1e-12, 1e-3)
        from seed in EngineGen.Seed
        select new NormalizeCase(zero ? ZeroVector(x, axis) : x, negative ? axis - shape.Length : axis, p, zero ? 0.05 : eps, zero, seed);

    public static readonly Gen<CosineCase> Cosine =
        from shapes in EngineGen.BroadcastShapes
        let rank = Math.Max(shapes.A.Length, shapes.B.Length)
        where rank > 0
        from zero in Gen.Elements(false, false, true)
        // The zero-vector case keeps A at the broadcast rank, so dim names the same axis of A.
        let a = zero ? shapes.A.Length == rank ? shapes.A : Shapes.Broadcast("gen", shapes.A, shapes.B) : shapes.A
        from av in EngineGen.Values(a, EngineGen.NonZeroValue)
        from bv in EngineGen.Values(shapes.B, EngineGen.NonZeroValue)
        from axis in Gen.Choose(0, rank - 1)
        from negative in Gen.Elements(false, true)
        from eps in Gen.Elements(1e-8, 1e-8, 1e-3)
        from seed in EngineGen.Seed
        select new CosineCase(zero ? ZeroVector(av, axis) : av, bv, negative ? axis - rank : axis, zero ? 0.05 : eps, zero, seed);

    public static readonly Gen<PairwiseCase> Pairwise =
        from d in EngineGen.Dim
        from rows in EngineGen.Dim
        from kind in Gen.Choose(0, 2)
        from batch in EngineGen.Dim
        let a = kind switch { 0 => new[] { d }, 1 => [rows, d], _ => [batch, rows, d] }
        from bKind in Gen.Choose(0, 2)
        let b = bKind switch { 0 => new[] { d }, 1 => [1, d], _ => a }
        from av in EngineGen.Values(a, EngineGen.Uniform(-2, 2))
        from bv in EngineGen.Values(b, EngineGen.Uniform(-2, 2))
        from p in P
        from eps in Gen.Elements(1e-6, 1e-6, 0.1)
        from keep in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new PairwiseCase(av, bv, p, eps, keep, seed);
}

public static class DistanceArbitraries
{
    public static Arbitrary<NormalizeCase> NormalizeArb() => DistanceGen.Normalize.ToArbitrary();
    public static Arbitrary<CosineCase> CosineArb() => DistanceGen.Cosine.ToArbitrary();
    public static Arbitrary<PairwiseCase> PairwiseArb() => DistanceGen.Pairwise.ToArbitrary();
}

/// <summary>
/// torch.nn.functional.normalize, cosine_similarity and pairwise_distance (and the norm under them,
/// linalg.vector_norm): values against plain float64 loops over the reduced vectors, gradients against central
/// differences (zero vectors where ε clamps the norm, negative dims, broadcasting, p = 0.5, 1, 1.5, 2, 3, ∞), the
/// choices of PyTorch's backward where the function has no derivative, the modules, and the messages.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(DistanceArbitraries)], MaxTest = 80)]
public class DistanceTests
{
    // ---- references: plain loops ---------------------------------------------------------------------------------

    /// <summary>Applies f to every vector of <paramref name="values"/> (shape <paramref name="shape"/>) along
    /// <paramref name="axis"/>: f gets the vector and returns one value per element (or one value, broadcast).</summary>
    private static double[] PerVector(double[] values, int[] shape, int axis, Func<double[], double[]> f, bool reduce)
    {
        int len = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        int outer = values.Length / Math.Max(1, len * inner);
        var y = new double[reduce ? outer * inner : values.Length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                var v = new double[len];
                for (int j = 0; j < len; j++) v[j] = values[(o * len + j) * inner + i];
                var r = f(v);
                if (reduce) y[o * inner + i] = r[0];
                else for (int j = 0; j < len; j++) y[(o * len + j) * inner + i] = r[j];
            }
        return y;
    }

    private static double Norm(double[] v, double p) =>
        double.IsPositiveInfinity(p) ? v.Max(Math.Abs) : Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), p)), 1 / p);

    /// <summary>Row-major values of a broadcast to <paramref name="shape"/>.</summary>
    private static double[] Broadcast(Spec s, int[] shape)
    {
        var nd = new Nd(s.Shape, s.Values);
        var y = new double[shape.Aggregate(1, (a, b) => a * b)];
        int off = shape.Length - s.Rank;
        for (int k = 0; k < y.Length; k++)
        {
            var idx = Nd.Unravel(k, shape);
            y[k] = nd[Enumerable.Range(0, s.Rank).Select(i => s.Shape[i] == 1 ? 0 : idx[i + off]).ToArray()];
        }
        return y;
    }

    // ---- properties ----------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void NormalizeMatchesTheDefinition(NormalizeCase c)
    {
        int axis = c.Dim < 0 ? c.Dim + c.X.Rank : c.Dim;
        var expected = PerVector(c.X.Values, c.X.Shape, axis, v => v.Select(x => x / Math.Max(Norm(v, c.P), c.Eps)).ToArray(), false);
        Expect.Close(F.Normalize(c.X.Tensor(), c.P, c.Dim, c.Eps), new Nd(c.X.Shape, expected), 1e-13, 1e-12, "normalize");
    }

    [FsCheck.NUnit.Property]
    public void NormalizeGradients(NormalizeCase c) =>
        Expect.Grad("normalize", t => F.Normalize(t[0], c.P, c.Dim, c.Eps), c.Seed, c.X.Tensor());

    [FsCheck.NUnit.Property]
    public void CosineSimilarityMatchesTheDefinition(CosineCase c)
    {
        var shape = Shapes.Broadcast("test", c.A.Shape, c.B.Shape);
        int axis = c.Dim < 0 ? c.Dim + shape.Length : c.Dim;
        var a = Broadcast(c.A, shape);
        var b = Broadcast(c.B, shape);
        var expected = CosineRef(a, b, shape, axis, c.Eps);
        var outShape = shape.Where((_, i) => i != axis).ToArray();
        Expect.Close(F.CosineSimilarity(c.A.Tensor(), c.B.Tensor(), c.Dim, c.Eps), new Nd(outShape, expected), 1e-13, 1e-12, "cosine_similarity");
    }

    /// <summary>Σ_j a_j/max(‖a‖, ε) · b_j/max(‖b‖, ε) per vector along the axis of the broadcast operands.</summary>
    private static double[] CosineRef(double[] a, double[] b, int[] shape, int axis, double eps)
    {
        int len = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
        int outer = a.Length / Math.Max(1, len * inner);
        var y = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double na = 0, nb = 0;
                for (int j = 0; j < len; j++)
                {
                    int k = (o * len + j) * inner + i;
                    na += a[k] * a[k];
                    nb += b[k] * b[k];
                }
                na = Math.Max(Math.Sqrt(na), eps);
                nb = Math.Max(Math.Sqrt(nb), eps);
                double s = 0;
                for (int j = 0; j < len; j++)
                {
                    int k = (o * len + j) * inner + i;
                    s += a[k] / na * (b[k] / nb);
                }
                y[o * inner + i] = s;
            }
        return y;
    }

    [FsCheck.NUnit.Property]
    public void CosineSimilarityGradients(CosineCase c) =>
        Expect.Grad("cosine_similarity", t => F.CosineSimilarity(t[0], t[1], c.Dim, c.Eps), c.Seed, c.A.Tensor(), c.B.Tensor());

    [FsCheck.NUnit.Property]
    public void PairwiseDistanceMatchesTheDefinition(PairwiseCase c)
    {
        var shape = Shapes.Broadcast("test", c.A.Shape, c.B.Shape);
        var a = Broadcast(c.A, shape);
        var b = Broadcast(c.B, shape);
        var diff = a.Zip(b, (x, y) => x - y + c.Eps).ToArray();
        var expected = PerVector(diff, shape, shape.Length - 1, v => [Norm(v, c.P)], true);
        int[] outShape = c.KeepDim ? [.. shape[..^1], 1] : shape[..^1];
        Expect.Close(F.PairwiseDistance(c.A.Tensor(), c.B.Tensor(), c.P, c.Eps, c.KeepDim), new Nd(outShape, expected), 1e-13, 1e-12, "pairwise_distance");
    }

    [FsCheck.NUnit.Property]
    public void PairwiseDistanceGradients(PairwiseCase c) =>
        Expect.Grad("pairwise_distance", t => F.PairwiseDistance(t[0], t[1], c.P, c.Eps, c.KeepDim), c.Seed, c.A.Tensor(), c.B.Tensor());

    // ---- fixed cases: PyTorch's choices where the function has no derivative -------------------------------------

    private static Tensor Leaf(double[] v, params int[] shape)
    {
        var t = Tensor.FromArray(v).Reshape(shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>A zero vector: normalize gives 0 and, the norm clamped at ε, dx = g/ε (the clamp passes nothing).</summary>
    [Test]
    public void NormalizeOfAZeroVectorScalesTheGradientByOneOverEps()
    {
        var x = Leaf([0, 0, 3, 4], 2, 2);
        var y = F.Normalize(x, dim: 1, eps: 0.5);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0, 0, 0.6, 0.8 }).Within(1e-15));
        (y * Tensor.FromArray(new double[] { 1, -2, 0, 0 }).Reshape(2, 2)).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0, -4.0, 0, 0 }).Within(1e-15));
    }

    /// <summary>ATen clamps the norms in place without autograd: for 0 &lt; ‖x1‖ &lt; ε the value divides by ε but the
    /// gradient also flows through ‖x1‖ (dx1 = x2/(ε·n2) − S/(ε²·n2)·x1/‖x1‖), unlike a true clamp; libtorch agrees
    /// (oracle case "x1 scale 0.05").</summary>
    [Test]
    public void CosineSimilarityBelowEpsKeepsTheGradientThroughTheNorm()
    {
        double[] a = [0.03, -0.04], b = [1.0, 2.0];
        var x1 = Leaf(a, 2);
        var x2 = Leaf(b, 2);
        double eps = 1, n2 = Math.Sqrt(5), n1 = 0.05, s = (0.03 * 1 - 0.04 * 2) / (eps * n2);
        var y = F.CosineSimilarity(x1, x2, 0, eps);
        Assert.That(y.Item(), Is.EqualTo(s).Within(1e-15));
        y.Backward();
        var expected = a.Select((v, i) => b[i] / (eps * n2) - s / eps * v / n1).ToArray();
        Assert.That(x1.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(1e-14));
    }

    /// <summary>vector_norm's subgradients as ATen's: ∞-norm ties share the gradient, p = 1 at 0 gives sign(0) = 0,
    /// p = 2 of a zero vector gives 0, p = 0 counts non-zeros and passes no gradient.</summary>
    [Test]
    public void VectorNormSubgradientsAreATens()
    {
        var x = Leaf([-2, 1, 2], 3);
        F.VectorNorm(x, double.PositiveInfinity, 0).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { -0.5, 0, 0.5 }));
        var z = Leaf([0, 0], 2);
        F.VectorNorm(z, 2, 0).Backward();
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0 }));
        var w = Leaf([0, -3], 2);
        F.VectorNorm(w, 1, 0).Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, -1 }));
        var u = Leaf([0, -3, 2], 3);
        var count = F.VectorNorm(u, 0, 0);
        Assert.That(count.Item(), Is.EqualTo(2));
        count.Backward();
        Assert.That(u.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0 }));
        Assert.That(F.VectorNorm(Tensor.FromArray(new double[] { -3 }).Reshape([]), 2, -1).Item(), Is.EqualTo(3));
        // dim None: the norm of all elements.
        Assert.That(F.VectorNorm(Tensor.FromArray(new double[] { 1, -2, 2, 4 }).Reshape(2, 2)).Item(), Is.EqualTo(5));
        Assert.That(F.VectorNorm(Tensor.FromArray(new double[] { 1, -2, 2, 4 }).Reshape(2, 2), 1, keepDim: true).ShapeCopy(), Is.EqualTo(new[] { 1, 1 }));
    }

    /// <summary>1-D inputs: PyTorch reduces their only dim, giving a 0-d distance ([1] with keepdim); a 1-D x2
    /// broadcasts against the rows of a 2-D x1.</summary>
    [Test]
    public void PairwiseDistanceOfVectors()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3 });
        var b = Tensor.FromArray(new double[] { 1, 0, 3 });
        var d = F.PairwiseDistance(a, b, eps: 0);
        Assert.That(d.Rank, Is.EqualTo(0));
        Assert.That(d.Item(), Is.EqualTo(2));
        Assert.That(F.PairwiseDistance(a, b, keepDim: true).ShapeCopy(), Is.EqualTo(new[] { 1 }));
        var rows = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }).Reshape(2, 3);
        Assert.That(F.PairwiseDistance(rows, b, p: 1, eps: 0).ToArray<double>(), Is.EqualTo(new[] { 2.0, 11 }));
    }

    [Test]
    public void BadArgumentsAreNamed()
    {
        var x = Tensor.Randn([2, 3], dtype: DType.Float64);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => F.Normalize(Tensor.Randn([3], dtype: DType.Float64)))!.Message, Does.Contain("axis 1"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => F.CosineSimilarity(x, x, eps: -1))!.Message, Does.Contain("eps must be non-negative"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.CosineSimilarity(x, Tensor.Randn([2, 4], dtype: DType.Float64)))!.Message, Does.Contain("cannot be broadcast"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.PairwiseDistance(x, Tensor.Randn([4], dtype: DType.Float64)))!.Message, Does.Contain("cannot be broadcast"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => F.CosineSimilarity(x, x, dim: 2))!.Message, Does.Contain("out of range"));
    }

    /// <summary>The modules call the functions with their settings; their one-input Forward says it takes two.</summary>
    [Test]
    public void ModulesTakeTwoInputs()
    {
        var a = Tensor.Randn([4, 5], dtype: DType.Float64, generator: new Generator(1));
        var b = Tensor.Randn([4, 5], dtype: DType.Float64, generator: new Generator(2));
        Assert.That(new CosineSimilarity(dim: 0, eps: 1e-6).Forward(a, b).ToArray<double>(), Is.EqualTo(F.CosineSimilarity(a, b, 0, 1e-6).ToArray<double>()));
        Assert.That(new PairwiseDistance(p: 3, eps: 0, keepDim: true).Forward(a, b).ToArray<double>(), Is.EqualTo(F.PairwiseDistance(a, b, 3, 0, true).ToArray<double>()));
        Assert.Throws<NotSupportedException>(() => new CosineSimilarity().Forward(a));
        Assert.That(new PairwiseDistance().Parameters(), Is.Empty);
    }

    /// <summary>0-d operands are one-element vectors along dim 0 or −1 (PyTorch accepts both); an empty batch gives
    /// an empty result.</summary>
    [Test]
    public void ZeroDimensionalAndEmptyInputs()
    {
        var a = Tensor.FromArray(new double[] { 3 }).Reshape([]);
        var b = Tensor.FromArray(new double[] { -2 }).Reshape([]);
        Assert.That(F.CosineSimilarity(a, b, 0).Item(), Is.EqualTo(-1));
        Assert.That(F.CosineSimilarity(a, b, -1).Rank, Is.EqualTo(0));
        Assert.That(F.PairwiseDistance(a, b, eps: 0).Item(), Is.EqualTo(5));
        Assert.That(F.Normalize(Tensor.Zeros([0, 3], DType.Float64)).ShapeCopy(), Is.EqualTo(new[] { 0, 3 }));
        Assert.That(F.CosineSimilarity(Tensor.Zeros([0, 3], DType.Float64), Tensor.Zeros([0, 3], DType.Float64)).ShapeCopy(), Is.EqualTo(new[] { 0 }));
    }
}
