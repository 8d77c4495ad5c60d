using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>linalg.vector_norm(X, ord, dim = Dims, keepdim) with a tuple of dims (as given: negative ones too).</summary>
public sealed record NormDimsCase(Spec X, int[] Dims, double P, bool KeepDim, ulong Seed)
{
    public override string ToString() => $"X {X}, dims [{string.Join(", ", Dims)}], p {P}, keepdim {KeepDim}, seed {Seed}";
}

/// <summary>unique(X) on values drawn from a few levels, so that most appear several times.</summary>
public sealed record UniqueCase(Spec X, bool Int)
{
    public override string ToString() => $"X {X}, int32 {Int}";
}

public static class GapsGen
{
    public static readonly Gen<NormDimsCase> NormDims =
        from shape in EngineGen.Shape(1, 4)
        from x in EngineGen.Values(shape, EngineGen.NonZeroValue)
        from pick in Gen.ArrayOf(Gen.Elements(false, true), shape.Length)
        from negative in Gen.ArrayOf(Gen.Elements(false, true), shape.Length)
        from order in Gen.Shuffle(Enumerable.Range(0, shape.Length))
        from p in Gen.Elements(0.0, 0.5, 1.0, 1.5, 2.0, 3.0, -1.0, double.PositiveInfinity, double.NegativeInfinity)
        from keep in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new NormDimsCase(x, order.Where(d => pick[d]).Select(d => negative[d] ? d - shape.Length : d).ToArray(), p, keep, seed);

    public static readonly Gen<UniqueCase> Unique =
        from shape in EngineGen.Shape(0, 3)
        from levels in Gen.Choose(1, 6)
        from x in EngineGen.Values(shape, Gen.Choose(-levels, levels).Select(v => v * 0.75))
        from isInt in Gen.Elements(false, true)
        select new UniqueCase(isInt ? x with { Values = [.. x.Values.Select(v => Math.Round(v))] } : x, isInt);
}

public static class GapsArbitraries
{
    public static Arbitrary<NormDimsCase> NormDimsArb() => GapsGen.NormDims.ToArbitrary();
    public static Arbitrary<UniqueCase> UniqueArb() => GapsGen.Unique.ToArbitrary();
}

/// <summary>
/// PyTorch gaps: linalg.vector_norm / Tensor.norm over a tuple of dims (values against a float64 loop over the reduced
/// elements, gradients against central differences, PyTorch's messages) and torch.unique of the flattened tensor
/// (values, inverse and counts against a plain loop).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(GapsArbitraries)], MaxTest = 80)]
public class GapsTests
{
    private static double Norm(IReadOnlyList<double> v, double p) => p switch
    {
        double.PositiveInfinity => v.Count == 0 ? 0 : v.Max(Math.Abs),
        double.NegativeInfinity => v.Min(Math.Abs),
        0 => v.Count(x => x != 0),
        _ => Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), p)), 1 / p),
    };

    /// <summary>The norm over the dims of <paramref name="c"/> by a loop over every element: each goes to the output
    /// cell its kept indices name.</summary>
    private static Nd Reference(NormDimsCase c)
    {
        var shape = c.X.Shape;
        int rank = shape.Length;
        var reduce = c.Dims.Length == 0 ? Enumerable.Range(0, rank).ToHashSet() : c.Dims.Select(d => d < 0 ? d + rank : d).ToHashSet();
        var keptShape = Enumerable.Range(0, rank).Select(d => reduce.Contains(d) ? 1 : shape[d]).ToArray();
        int cells = keptShape.Aggregate(1, (a, b) => a * b);
        var groups = Enumerable.Range(0, cells).Select(_ => new List<double>()).ToArray();
        for (int flat = 0; flat < c.X.Values.Length; flat++)
        {
            var idx = Nd.Unravel(flat, shape);
            int cell = 0;
            for (int d = 0; d < rank; d++) cell = cell * keptShape[d] + (reduce.Contains(d) ? 0 : idx[d]);
            groups[cell].Add(c.X.Values[flat]);
        }
        var outShape = c.KeepDim ? keptShape : Enumerable.Range(0, rank).Where(d => !reduce.Contains(d)).Select(d => shape[d]).ToArray();
        return new Nd(outShape, [.. groups.Select(g => Norm(g, c.P))]);
    }

    [FsCheck.NUnit.Property]
    public void VectorNormOverDimsMatchesTheDefinition(NormDimsCase c)
    {
        var expected = Reference(c);
        Expect.Close(F.VectorNorm(c.X.Tensor(), c.P, c.Dims, c.KeepDim), expected, 1e-13, 1e-12, "vector_norm dims");
        Expect.Close(c.X.Tensor().Norm(c.P, c.Dims, c.KeepDim), expected, 1e-13, 1e-12, "norm dims");
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void VectorNormOverDimsGradients(NormDimsCase c) =>
        Expect.Grad("vector_norm dims", t => F.VectorNorm(t[0], c.P, c.Dims, c.KeepDim), c.Seed, c.X.Tensor());

    [Test]
    public void VectorNormOverDimsExamplesAndMessages()
    {
        var x = Tensor.FromArray(new double[] { 1, -2, 2, 4, 0, 3 }).Reshape(1, 2, 3);
        Assert.That(F.VectorNorm(x, 2, [-1, 1]).ToArray<double>(), Is.EqualTo(new[] { Math.Sqrt(34) }));
        Assert.That(F.VectorNorm(x, double.PositiveInfinity, [0, 2], keepDim: true).ShapeCopy(), Is.EqualTo(new[] { 1, 2, 1 }));
        Assert.That(F.VectorNorm(x, double.PositiveInfinity, [0, 2]).ToArray<double>(), Is.EqualTo(new[] { 2.0, 4 }));
        Assert.That(F.VectorNorm(x, 0, [1, 2]).ToArray<double>(), Is.EqualTo(new[] { 5.0 }));
        Assert.That(x.Norm().Item(), Is.EqualTo(Math.Sqrt(34)));
        Assert.That(x.Norm(1, [2], keepDim: true).ToArray<double>(), Is.EqualTo(new[] { 5.0, 7 }));
        Assert.That(F.VectorNorm(Tensor.FromArray(new double[] { -3 }).Reshape([]), 2, [0]).Item(), Is.EqualTo(3));
        var e = Assert.Throws<ArgumentException>(() => F.VectorNorm(x, 2, [2, -1]))!;
        Assert.That(e.Message, Does.Contain("dim 2 appears multiple times in the list of dims"));
        Assert.That(() => F.VectorNorm(x, 2, [0, 3]), Throws.InstanceOf<ArgumentException>().With.Message.Contain("out of range"));
        Assert.That(() => F.VectorNorm(Tensor.Zeros(2, 0, 3), double.PositiveInfinity, [0, 1]),
                    Throws.ArgumentException.With.Message.Contain("non-zero size"));
    }

    [FsCheck.NUnit.Property]
    public void UniqueMatchesTheDefinition(UniqueCase c)
    {
        var x = c.Int ? Tensor.FromSpan<int>(c.X.Values.Select(v => (int)v).ToArray(), c.X.Shape) : c.X.Tensor();
        var (values, inverse, counts) = x.Unique(returnInverse: true, returnCounts: true);
        var expected = c.X.Values.Distinct().Order().ToArray();
        Assert.That(values.DType, Is.EqualTo(x.DType));
        Assert.That(values.To(DType.Float64).ToArray<double>(), Is.EqualTo(expected));
        Assert.That(inverse!.ShapeCopy(), Is.EqualTo(c.X.Shape));
        Assert.That(inverse.ToArray<int>(), Is.EqualTo(c.X.Values.Select(v => Array.IndexOf(expected, v)).ToArray()));
        Assert.That(counts!.ToArray<int>(), Is.EqualTo(expected.Select(u => c.X.Values.Count(v => v == u)).ToArray()));
        Assert.That(x.Unique().Inverse, Is.Null);
    }

    [Test]
    public void UniqueExamples()
    {
        var x = Tensor.FromArray(new double[] { 2, double.NaN, 1, 2, double.NaN, -0.0, 0 });
        var (v, i, n) = x.Unique(returnInverse: true, returnCounts: true);
        // Each NaN is a value of its own (last), as PyTorch's CPU unique; −0 and 0 are one value.
        Assert.That(v.ToArray<double>(), Is.EqualTo(new[] { 0, 1, 2, double.NaN, double.NaN }));
        Assert.That(i!.ToArray<int>(), Is.EqualTo(new[] { 2, 3, 1, 2, 4, 0, 0 }));
        Assert.That(n!.ToArray<int>(), Is.EqualTo(new[] { 2, 1, 2, 1, 1 }));
        Assert.That(Tensor.Zeros(0, 3).Unique(returnCounts: true).Values.ShapeCopy(), Is.EqualTo(new[] { 0 }));
        var r = Tensor.FromArray(new double[] { 3, 1 });
        r.RequiresGrad = true;
        Assert.That(r.Unique().Values.RequiresGrad, Is.False);
        // dim: rows (or columns) as units, in lexicographic order.
        var rows = Tensor.FromArray(new double[] { 1, 3, 2, 3, 1, 3 }, 3, 2);
        var (ru, ri, rc) = rows.Unique(returnInverse: true, returnCounts: true, dim: 0);
        Assert.That(ru.ShapeCopy(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(ru.ToArray<double>(), Is.EqualTo(new double[] { 1, 3, 2, 3 }));
        Assert.That(ri!.ToArray<int>(), Is.EqualTo(new[] { 0, 1, 0 }));
        Assert.That(rc!.ToArray<int>(), Is.EqualTo(new[] { 2, 1 }));
        Assert.That(rows.Unique(dim: -1).Values.ToArray<double>(), Is.EqualTo(new double[] { 1, 3, 2, 3, 1, 3 }));
        Assert.That(() => r.Unique(dim: 1), Throws.InstanceOf<ArgumentException>());
    }
}
