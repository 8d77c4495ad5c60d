using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>A tensor (rank 0..4, empty dims included) and one dim of it, negative half the time (0 or −1 for a 0-d
/// tensor); <see cref="Dim"/> null means every element (torch.prod(x)).</summary>
public sealed record DimCase(Spec X, int? Dim, bool KeepDim, ulong Seed)
{
    public override string ToString() => $"X {X}, dim {(Dim?.ToString() ?? "none")}, keepDim {KeepDim}, seed {Seed}";
}

public static class CumulativeGen
{
    private static Gen<DimCase> Case(Gen<double> value, bool allowNoDim) =>
        from s in StatisticsGen.Shape
        from x in EngineGen.Values(s, value)
        from dim in Gen.Choose(0, Math.Max(0, s.Length - 1))
        from negative in Gen.Elements(false, true)
        from none in allowNoDim ? Gen.Elements(false, false, true) : Gen.Constant(false)
        from keepDim in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new DimCase(x, none ? null : negative ? dim - Math.Max(1, s.Length) : dim, keepDim, seed);

    public static readonly Gen<DimCase> Cumsum = Case(EngineGen.Uniform(-2, 2), allowNoDim: false);

    /// <summary>Factors ±[0.5, 1.5], and zeros with a probability of 0, 1/4 or 1/2 per case: slices with no zero, one
    /// zero and several zeros all occur.</summary>
    public static readonly Gen<DimCase> Prod =
        from zeros in Gen.Elements(0, 1, 2)
        from c in Case(Gen.Frequency((4 - zeros, Factor), (zeros * 2, Gen.Constant(0.0))), allowNoDim: true)
        select c;

    private static readonly Gen<double> Factor =
        from m in EngineGen.Uniform(0.5, 1.5) from negative in Gen.Elements(false, true) select negative ? -m : m;
}

/// <summary>
/// cumsum and prod against plain float64 loops, their gradients against central differences (prod's also against the
/// loop Π_{j≠k} x_j, which has no division: slices with one zero and with several), on random shapes with size-1 and
/// empty dims, negative dims and 0-d tensors.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 80)]
public class CumulativeProperties
{
    /// <summary>The element index with <paramref name="axis"/> set to <paramref name="k"/>.</summary>
    private static int[] At(int[] idx, int axis, int k) { var j = (int[])idx.Clone(); j[axis] = k; return j; }

    [FsCheck.NUnit.Property]
    public Property Cumsum() => Prop.ForAll(CumulativeGen.Cumsum.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int dim = c.Dim!.Value, axis = Nd.Axis(dim, Math.Max(1, c.X.Rank));
        // Plain loops in the order of the sum, so the values agree to the last bit.
        var expected = Nd.Build(c.X.Shape, idx =>
        {
            double s = 0;
            for (int k = 0; k <= (c.X.Rank == 0 ? 0 : idx[axis]); k++) s += c.X.Rank == 0 ? x.Data[0] : x[At(idx, axis, k)];
            return s;
        });
        Expect.Close(c.X.Tensor().Cumsum(dim), expected, atol: 0, rtol: 0, what: "cumsum");
        Expect.Grad("cumsum", xs => xs[0].Cumsum(dim), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Prod() => Prop.ForAll(CumulativeGen.Prod.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        var y = c.Dim is int d ? c.X.Tensor().Prod(d, c.KeepDim) : c.X.Tensor().Prod();
        Expect.Close(y, ProdReference(x, c.Dim, c.KeepDim), atol: 0, rtol: 1e-14, what: "prod");
        Func<Tensor[], Tensor> f = c.Dim is int dim ? xs => xs[0].Prod(dim, c.KeepDim) : xs => xs[0].Prod();
        Expect.Grad("prod", f, c.Seed, c.X.Tensor());

        // dL/dx[k] = g·Π_{j≠k} x[j] with g = 1: the loop product of the other elements of x's slice.
        var leaf = c.X.Tensor();
        leaf.RequiresGrad = true;
        (c.Dim is int e ? leaf.Prod(e, c.KeepDim) : leaf.Prod()).Sum().Backward();
        int? axis = c.Dim is int a && c.X.Rank > 0 ? Nd.Axis(a, c.X.Rank) : null;
        var others = Nd.Build(c.X.Shape, idx =>
        {
            double p = 1;
            for (int flat = 0; flat < x.Data.Length; flat++)
            {
                var j = Nd.Unravel(flat, c.X.Shape);
                bool sameSlice = axis is int ax ? j.Where((v, i) => i != ax).SequenceEqual(idx.Where((v, i) => i != ax)) : true;
                if (sameSlice && !j.SequenceEqual(idx)) p *= x.Data[flat];
            }
            return p;
        });
        Expect.Close(leaf.Grad ?? Tensor.Zeros(c.X.Shape, DType.Float64), others, atol: 0, rtol: 1e-14, what: "prod gradient");
    });

    /// <summary>Π over one axis (all when <paramref name="dim"/> is null, and for a 0-d x), 1 for no elements.</summary>
    private static Nd ProdReference(Nd x, int? dim, bool keepDim)
    {
        if (dim is null || x.Rank == 0) return new Nd([], [x.Data.Aggregate(1.0, (p, v) => p * v)]);
        int axis = Nd.Axis(dim.Value, x.Rank);
        var kept = x.Shape.Select((n, i) => i == axis ? 1 : n).ToArray();
        var result = Nd.Build(kept, idx =>
        {
            double p = 1;
            for (int k = 0; k < x.Shape[axis]; k++) p *= x[At(idx, axis, k)];
            return p;
        });
        return keepDim ? result : new Nd(x.Shape.Where((_, i) => i != axis).ToArray(), result.Data);
    }

    /// <summary>PyTorch's messages for a dim out of range, and cumsum/prod of int32 (through float64, int32 results).</summary>
    [Test]
    public void BadDimsAndIntegers()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.That(() => x.Cumsum(2), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("cumsum: dim 2").And.Message.Contains("[2, 3]"));
        Assert.That(() => x.Prod(-3), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("prod: dim -3").And.Message.Contains("[-2, 1]"));
        Assert.That(() => Tensor.Scalar(1.0).Cumsum(1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[-1, 0]"));
        var i = Tensor.FromArray([3, -2, 5, 0]);
        Assert.That(i.Cumsum(0).DType, Is.EqualTo(DType.Int32));
        int[] v = [3, -2, 5, 0];
        Assert.That(i.Cumsum(0).ToArray<int>(), Is.EqualTo(v.Select((_, k) => v.Take(k + 1).Sum()).ToArray()));
        Assert.That(i.Narrow(0, 0, 3).Prod().ToArray<int>(), Is.EqualTo(new[] { v[0] * v[1] * v[2] }));
    }
}
