using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

public static class CumulativeScanGen
{
    /// <summary>A tensor of rank 1..4 (size-0 and size-1 dims included) and a dim of it, negative half the time.</summary>
    private static Gen<DimCase> Case(Gen<double> value) =>
        from s in StatisticsGen.Shape.Where(s => s.Length > 0)
        from x in EngineGen.Values(s, value)
        from dim in Gen.Choose(0, s.Length - 1)
        from negative in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new DimCase(x, negative ? dim - s.Length : dim, false, seed);

    /// <summary>Factors ±[0.5, 1.5] with zeros at a rate of 0, 1/4 or 1/2: slices with no, one and several zeros.</summary>
    public static readonly Gen<DimCase> Cumprod =
        from zeros in Gen.Elements(0, 1, 2)
        from c in Case(Gen.Frequency((4 - zeros, EngineGen.NonZeroValue), (zeros * 2, Gen.Constant(0.0))))
        select c;

    /// <summary>Few distinct values (ties), with NaN and ±∞ now and then.</summary>
    public static readonly Gen<DimCase> Ties =
        Case(Gen.Frequency((8, Gen.Elements(-1.0, 0.0, 0.5, 2.0)), (1, Gen.Constant(double.NaN)), (1, Gen.Elements(double.PositiveInfinity, double.NegativeInfinity))));

    /// <summary>Distinct values, where the running extreme is differentiable.</summary>
    public static readonly Gen<DimCase> Distinct =
        from s in StatisticsGen.Shape.Where(s => s.Length > 0)
        from x in EngineGen.DistinctValues(s)
        from dim in Gen.Choose(0, s.Length - 1)
        from seed in EngineGen.Seed
        select new DimCase(x, dim, false, seed);

    /// <summary>Values over a wide range (so exp overflows without the running shift), −∞ now and then.</summary>
    public static readonly Gen<DimCase> LogSumExp =
        Case(Gen.Frequency((6, EngineGen.Uniform(-3, 3)), (2, EngineGen.Uniform(-800, 800)), (1, Gen.Constant(double.NegativeInfinity))));

    public static readonly Gen<DimCase> Smooth = Case(EngineGen.Uniform(-3, 3));
}

/// <summary>
/// cumprod, cummax, cummin and logcumsumexp against plain float64 loops of their definitions, and their gradients
/// against central differences and (cumprod with zeros, cummax's scatter) against loops of the closed form, on random
/// shapes with size-0 and size-1 dims and negative dims.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 80)]
public class CumulativeScanProperties
{
    private static int[] At(int[] idx, int axis, int k) { var j = (int[])idx.Clone(); j[axis] = k; return j; }

    [FsCheck.NUnit.Property]
    public Property Cumprod() => Prop.ForAll(CumulativeScanGen.Cumprod.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int dim = c.Dim!.Value, axis = Nd.Axis(dim, c.X.Rank);
        var expected = Nd.Build(c.X.Shape, idx =>
        {
            double p = 1;
            for (int k = 0; k <= idx[axis]; k++) p *= x[At(idx, axis, k)];
            return p;
        });
        Expect.Close(c.X.Tensor().Cumprod(dim), expected, atol: 0, rtol: 0, what: "cumprod");
        Expect.Grad("cumprod", xs => xs[0].Cumprod(dim), c.Seed, c.X.Tensor());

        // dL/dx[k] = Σ_{j ≥ k} Π_{i ≤ j, i ≠ k} x[i] for L = Σ y: no division, so zeros are exact.
        var leaf = c.X.Tensor();
        leaf.RequiresGrad = true;
        leaf.Cumprod(dim).Sum().Backward();
        var grad = Nd.Build(c.X.Shape, idx =>
        {
            double s = 0;
            for (int j = idx[axis]; j < c.X.Shape[axis]; j++)
            {
                double p = 1;
                for (int i = 0; i <= j; i++) if (i != idx[axis]) p *= x[At(idx, axis, i)];
                s += p;
            }
            return s;
        });
        Expect.Close(leaf.Grad ?? Tensor.Zeros(c.X.Shape, DType.Float64), grad, atol: 1e-12, rtol: 1e-12, what: "cumprod gradient");
    });

    /// <summary>Values and indices by the loop of PyTorch's cummax_cummin_helper: x[k] takes over when it is NaN or
    /// (the running value is not NaN and) x[k] ≥ it (≤ for cummin): ties give the last index, NaN propagates.</summary>
    [FsCheck.NUnit.Property]
    public Property CummaxCummin() => Prop.ForAll(CumulativeScanGen.Ties.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int dim = c.Dim!.Value, axis = Nd.Axis(dim, c.X.Rank);
        foreach (bool max in new[] { true, false })
        {
            var values = new double[x.Data.Length];
            var indices = new double[x.Data.Length];
            for (int flat = 0; flat < x.Data.Length; flat++)
            {
                var idx = Nd.Unravel(flat, c.X.Shape);
                double best = x[At(idx, axis, 0)];
                int at = 0;
                for (int k = 0; k <= idx[axis]; k++)
                {
                    double v = x[At(idx, axis, k)];
                    if (double.IsNaN(v) || (!double.IsNaN(best) && (max ? v >= best : v <= best))) { best = v; at = k; }
                }
                values[flat] = best;
                indices[flat] = at;
            }
            var (tv, ti) = max ? c.X.Tensor().Cummax(dim) : c.X.Tensor().Cummin(dim);
            Expect.Exact(tv, new Nd(c.X.Shape, values), max ? "cummax values" : "cummin values");
            Assert.That(ti.DType, Is.EqualTo(DType.Int32));
            Expect.Exact(ti.To(DType.Float64), new Nd(c.X.Shape, indices), max ? "cummax indices" : "cummin indices");
        }
    });

    /// <summary>The gradient reaches the element each running extreme came from (distinct values: differentiable).</summary>
    [FsCheck.NUnit.Property]
    public Property CummaxGradient() => Prop.ForAll(CumulativeScanGen.Distinct.ToArbitrary(), c =>
    {
        int dim = c.Dim!.Value;
        Expect.Grad("cummax", xs => xs[0].Cummax(dim).Values, c.Seed, c.X.Tensor());
        Expect.Grad("cummin", xs => xs[0].Cummin(dim).Values, c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property LogCumSumExp() => Prop.ForAll(CumulativeScanGen.LogSumExp.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int dim = c.Dim!.Value, axis = Nd.Axis(dim, c.X.Rank);
        // Shifted by the slice's running maximum (so e^800 does not overflow); all −∞ gives −∞.
        var expected = Nd.Build(c.X.Shape, idx =>
        {
            double m = double.NegativeInfinity;
            for (int k = 0; k <= idx[axis]; k++) m = Math.Max(m, x[At(idx, axis, k)]);
            if (double.IsNegativeInfinity(m)) return m;
            double s = 0;
            for (int k = 0; k <= idx[axis]; k++) s += Math.Exp(x[At(idx, axis, k)] - m);
            return m + Math.Log(s);
        });
        Expect.Close(c.X.Tensor().LogCumSumExp(dim), expected, atol: 1e-13, rtol: 1e-13, what: "logcumsumexp");
    });

    [FsCheck.NUnit.Property]
    public Property LogCumSumExpGradient() => Prop.ForAll(CumulativeScanGen.Smooth.ToArbitrary(), c =>
    {
        int dim = c.Dim!.Value;
        Expect.Grad("logcumsumexp", xs => xs[0].LogCumSumExp(dim), c.Seed, c.X.Tensor());
    });

    /// <summary>A −∞ in front gives −∞ then the next value itself; +∞ stays +∞; NaN propagates; 0-d works.</summary>
    [Test]
    public void LogCumSumExpEdges()
    {
        var x = Tensor.FromArray([double.NegativeInfinity, double.NegativeInfinity, 1.0, double.PositiveInfinity, 2.0]);
        Assert.That(x.LogCumSumExp(0).ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity, double.NegativeInfinity, 1.0, double.PositiveInfinity, double.PositiveInfinity }));
        var n = Tensor.FromArray([1.0, double.NaN, 2.0]);
        Assert.That(n.LogCumSumExp(0).ToArray<double>()[1..], Is.All.NaN);
        var big = Tensor.FromArray([1000.0, 1000.0], 2);
        Assert.That(big.LogCumSumExp(0).ToArray<double>()[1], Is.EqualTo(1000 + Math.Log(2)).Within(1e-12));
        Assert.That(Tensor.Scalar(3.0, DType.Float64).LogCumSumExp(0).ToArray<double>(), Is.EqualTo(new[] { 3.0 }));
        var f = Tensor.FromArray([0f, -100f, 5f]);
        Assert.That(f.LogCumSumExp(-1).ToArray<float>()[2], Is.EqualTo((float)(5 + Math.Log(1 + Math.Exp(-5) + Math.Exp(-105)))).Within(1e-5));
    }

    /// <summary>PyTorch's out-of-range dim message; int32 through float64 for cumprod and cummax; logcumsumexp refuses
    /// int32 as PyTorch.</summary>
    [Test]
    public void BadInputs()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.That(() => x.Cumprod(2), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("cumprod: dim 2").And.Message.Contains("[2, 3]"));
        Assert.That(() => x.Cummax(-3), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("cummax: dim -3"));
        Assert.That(() => x.Cummin(5), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("cummin: dim 5"));
        Assert.That(() => x.LogCumSumExp(2), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("logcumsumexp: dim 2"));
        var i = Tensor.FromArray([3, -2, 5, 5]);
        Assert.That(() => i.LogCumSumExp(0), Throws.ArgumentException.With.Message.Contains("logcumsumexp"));
        Assert.That(i.Cumprod(0).ToArray<int>(), Is.EqualTo(new[] { 3, -6, -30, -150 }));
        var (v, idx) = i.Cummax(0);
        Assert.That(v.DType, Is.EqualTo(DType.Int32));
        Assert.That(v.ToArray<int>(), Is.EqualTo(new[] { 3, 3, 5, 5 }));
        Assert.That(idx.ToArray<int>(), Is.EqualTo(new[] { 0, 0, 2, 3 }));
        var (s, si) = Tensor.Scalar(2.0).Cummin(0);
        Assert.That(s.Rank, Is.EqualTo(0));
        Assert.That(si.ToArray<int>(), Is.EqualTo(new[] { 0 }));
    }
}
