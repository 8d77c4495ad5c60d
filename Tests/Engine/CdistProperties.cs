using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>x1 [B…, P, M] and x2 [B…, R, M] with broadcast batch dims, and p.</summary>
public sealed record CdistCase(Spec X1, Spec X2, double P, ulong Seed)
{
    public override string ToString() => $"X1 {X1}, X2 {X2}, p {P}, seed {Seed}";
}

public static class CdistGen
{
    public static readonly Gen<double> P = Gen.Elements(0.0, 1.0, 2.0, double.PositiveInfinity, 0.5, 1.5, 3.0, 4.5);

    private static readonly Gen<int> Size = Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Constant(1)), (4, Gen.Choose(2, 4)));

    /// <summary>Values on a coarse grid (ties, zero differences, zero distances) or distinct ones (differentiable).</summary>
    public static Gen<CdistCase> Case(bool distinct) =>
        from batch in Gen.Choose(0, 2).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, 2), r))
        from ones1 in Gen.ArrayOf(Gen.Elements(false, true), batch.Length)
        from ones2 in Gen.ArrayOf(Gen.Elements(false, true), batch.Length)
        from drop in Gen.Choose(0, batch.Length)
        from p in Size from r in Size from m in Size
        let s1 = batch.Select((d, i) => ones1[i] ? 1 : d).Concat([p, m]).ToArray()
        let s2 = batch.Skip(drop).Select((d, i) => ones2[i + drop] ? 1 : d).Concat([r, m]).ToArray()
        from x1 in distinct ? EngineGen.DistinctValues(s1) : EngineGen.Values(s1, Gen.Elements(-1.0, 0.0, 1.0, 2.0))
        from x2 in distinct ? EngineGen.DistinctValues(s2).Select(s => new Spec(s.Shape, [.. s.Values.Select(v => v * 0.77 + 0.013)])) : EngineGen.Values(s2, Gen.Elements(-1.0, 0.0, 1.0, 2.0))
        from pv in P
        from seed in EngineGen.Seed
        select new CdistCase(x1, x2, pv, seed);
}

/// <summary>
/// cdist and pdist against float64 loops of the definition; gradients against central differences (distinct values)
/// and, on tied and zero differences, against a loop of ATen's closed-form backward (Distance.cpp).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 80)]
public class CdistProperties
{
    private static double Norm(IEnumerable<double> d, double p)
    {
        var a = d.Select(Math.Abs).ToArray();
        if (a.Length == 0) return 0;
        if (p == 0) return a.Count(v => v != 0);
        if (double.IsPositiveInfinity(p)) return a.Max();
        return Math.Pow(a.Sum(v => Math.Pow(v, p)), 1 / p);
    }

    /// <summary>ATen's d dist / d diff for one coordinate, times the upstream g (Distance.cpp's *_calc::backward).</summary>
    private static double Backward(double diff, double g, double dist, double p)
    {
        if (p == 0) return 0;
        if (p == 1) return g * Math.Sign(diff);
        if (double.IsPositiveInfinity(p)) return Math.Abs(diff) == dist ? g * Math.Sign(diff) : 0;
        if (dist == 0) return 0;
        if (p == 2) return g * diff / dist;
        if (p < 2) return p < 1 && diff == 0 ? 0 : Math.Sign(diff) * Math.Pow(Math.Abs(diff), p - 1) * g / Math.Pow(dist, p - 1);
        return diff * Math.Pow(Math.Abs(diff), p - 2) * g / Math.Pow(dist, p - 1);
    }

    /// <summary>(dist, dL/dx1, dL/dx2) by loops, for L = Σ dist.</summary>
    private static (Nd Dist, Nd G1, Nd G2) Reference(CdistCase c)
    {
        Nd x1 = Nd.Of(c.X1), x2 = Nd.Of(c.X2);
        int r1 = c.X1.Rank, r2 = c.X2.Rank;
        var batch = Nd.BroadcastShape(c.X1.Shape[..^2], c.X2.Shape[..^2]);
        int p = c.X1.Shape[^2], r = c.X2.Shape[^2], m = c.X1.Shape[^1];
        var b1 = x1.BroadcastTo([.. batch, p, m]);
        var b2 = x2.BroadcastTo([.. batch, r, m]);
        var outShape = batch.Concat([p, r]).ToArray();
        var g1 = new double[Nd.Count([.. batch, p, m])];
        var g2 = new double[Nd.Count([.. batch, r, m])];
        var dist = Nd.Build(outShape, idx =>
        {
            var bi = idx[..^2];
            double[] diff = [.. Enumerable.Range(0, m).Select(k => b1[[.. bi, idx[^2], k]] - b2[[.. bi, idx[^1], k]])];
            double d = Norm(diff, c.P);
            for (int k = 0; k < m; k++)
            {
                double gd = Backward(diff[k], 1, d, c.P);
                g1[Nd.Ravel([.. bi, idx[^2], k], [.. batch, p, m])] += gd;
                g2[Nd.Ravel([.. bi, idx[^1], k], [.. batch, r, m])] -= gd;
            }
            return d;
        });
        // Sum the broadcast batch dims back to each input's shape.
        Nd Back(double[] g, int[] full, int[] shape)
        {
            var nd = new Nd(full, g);
            var lead = full.Length - shape.Length;
            var axes = Enumerable.Range(0, full.Length).Where(i => i < lead || (shape[i - lead] == 1 && full[i] != 1)).ToArray();
            var summed = axes.Length == 0 ? nd : nd.Reduce(axes, keepDim: true, l => l.Sum());
            return summed.Reshape(shape);
        }
        return (dist, Back(g1, [.. batch, p, m], c.X1.Shape), Back(g2, [.. batch, r, m], c.X2.Shape));
    }

    [FsCheck.NUnit.Property]
    public Property CdistOnTiesAndZeros() => Prop.ForAll(CdistGen.Case(distinct: false).ToArbitrary(), c =>
    {
        var (dist, g1, g2) = Reference(c);
        Tensor a = c.X1.Tensor(), b = c.X2.Tensor();
        a.RequiresGrad = true; b.RequiresGrad = true;
        var y = F.Cdist(a, b, c.P);
        Expect.Close(y, dist, 1e-12, 1e-12, "cdist");
        y.Sum().Backward();
        Expect.Close(a.Grad ?? a.ZerosLike(), g1, 1e-12, 1e-12, "cdist dL/dx1");
        Expect.Close(b.Grad ?? b.ZerosLike(), g2, 1e-12, 1e-12, "cdist dL/dx2");
    });

    [FsCheck.NUnit.Property]
    public Property CdistGradient() => Prop.ForAll(CdistGen.Case(distinct: true).ToArbitrary(), c =>
    {
        Expect.Close(Tensor.Cdist(c.X1.Tensor(), c.X2.Tensor(), c.P), Reference(c).Dist, 1e-12, 1e-12, "cdist");
        if (c.P != 0) Expect.Grad($"cdist p={c.P}", xs => F.Cdist(xs[0], xs[1], c.P), c.Seed, c.X1.Tensor(), c.X2.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Pdist() => Prop.ForAll(CdistGen.Case(distinct: false).ToArbitrary(), CdistGen.Case(distinct: true).ToArbitrary(), (tied, distinct) =>
    {
        foreach (var c in new[] { tied, distinct })
        {
            // The distinct grid's differences repeat (ties of |d| for p = ∞): bend it by irrational steps.
            var rows = new Spec(c.X1.Shape[^2..], [.. c.X1.Values[..Nd.Count(c.X1.Shape[^2..])].Select((v, k) => c == distinct ? v + 0.0137 * Math.Sqrt(k + 2) : v)]);
            var x = Nd.Of(rows);
            int n = rows.Shape[0], m = rows.Shape[1];
            var expected = new List<double>();
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) expected.Add(Norm(Enumerable.Range(0, m).Select(k => x[[i, k]] - x[[j, k]]), c.P));
            Expect.Close(F.Pdist(rows.Tensor(), c.P), new Nd([expected.Count], [.. expected]), 1e-12, 1e-12, "pdist");
            if (c == distinct && c.P != 0) Expect.Grad($"pdist p={c.P}", xs => F.Pdist(xs[0], c.P), c.Seed, rows.Tensor());
        }
    });

    [Test]
    public void BadInputs()
    {
        var m = Tensor.Zeros([2, 3], DType.Float64);
        Assert.That(() => F.Cdist(Tensor.Zeros([3], DType.Float64), m), Throws.ArgumentException.With.Message.Contains("cdist: only supports at least 2D tensors, X1 got: 1D"));
        Assert.That(() => F.Cdist(m, Tensor.Zeros([2, 4], DType.Float64)), Throws.ArgumentException.With.Message.Contains("X1 and X2 must have the same number of columns. X1: 3 X2: 4"));
        Assert.That(() => F.Cdist(m, m, -1), Throws.ArgumentException.With.Message.Contains("only supports non-negative p values"));
        Assert.That(() => F.Cdist(Tensor.Zeros([2, 3], DType.Int32), Tensor.Zeros([2, 3], DType.Int32)), Throws.ArgumentException.With.Message.Contains("floating-point"));
        Assert.That(() => F.Pdist(Tensor.Zeros([2, 2, 3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("pdist: only supports 2D tensors, got: 3D"));
        Assert.That(() => F.Pdist(m, -2), Throws.ArgumentException.With.Message.Contains("only supports non-negative p values"));
        Assert.That(F.Pdist(Tensor.Zeros([1, 3], DType.Float64)).ShapeCopy(), Is.EqualTo(new[] { 0 }));
    }
}
