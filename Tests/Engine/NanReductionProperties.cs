using FsCheck;
using NUnit.Framework;
using Pade.Engine;
using static Pade.Tests.Engine.PredicateProperties;

namespace Pade.Tests.Engine;

/// <summary>
/// nansum, nanmean, var_mean, std_mean, aminmax, count_nonzero, cov and corrcoef against plain float64 loops, on
/// random shapes (size-0 and size-1 dims, 0-d), dims (negative half the time) and keepDim, NaN sprinkled in;
/// gradients against loops of the definition and central differences; and their bad-input messages.
/// </summary>
public class NanReductionProperties
{
    /// <summary>A random subset of the axes, negative half the time; null (all) one time in four.</summary>
    private static int[]? Dims(Random r, int rank)
    {
        if (r.Next(4) == 0) return null;
        var d = Enumerable.Range(0, rank).Where(_ => r.Next(2) == 0).Select(a => r.Next(2) == 0 ? a - rank : a).ToArray();
        return d;
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void NansumNanmean(int seed)
    {
        var r = new Random(seed);
        var s = Shape(r);
        // Some NaN, no infinities (their sum is a NaN of its own).
        var v = Values(r, s).Select(a => double.IsInfinity(a) ? double.NaN : a).ToArray();
        var dims = Dims(r, s.Length);
        bool keep = r.Next(2) == 0;
        var refAxes = dims ?? [];
        var nd = new Nd(s, v);
        var x = T(s, v);
        x.RequiresGrad = true;
        var sum = x.Nansum(dims, keep);
        Expect.Close(sum, nd.Reduce(refAxes, keep, g => g.Where(a => !double.IsNaN(a)).Sum()), what: "nansum");
        var mean = x.Nanmean(dims, keep);
        var counts = nd.Reduce(refAxes, true, g => g.Count(a => !double.IsNaN(a)));
        Expect.Close(mean, nd.Reduce(refAxes, keep, g => g.Where(a => !double.IsNaN(a)).Sum() / g.Count(a => !double.IsNaN(a))), what: "nanmean");

        // Gradients: the upstream gradient where x is not NaN (nansum), divided by the count (nanmean).
        var us = Values(r, sum.ShapeCopy(), special: false);
        var um = Values(r, mean.ShapeCopy(), special: false);
        ((sum * T(sum.ShapeCopy(), us)).Sum() + (mean * T(mean.ShapeCopy(), um)).Sum()).Backward();
        var keptShape = counts.Shape;
        var reduced = refAxes.Length == 0 ? Enumerable.Range(0, s.Length).ToArray() : refAxes.Select(d => d < 0 ? d + s.Length : d).ToArray();
        var (nus, num) = (new Nd(keptShape, us), new Nd(keptShape, um));
        var expected = Nd.Build(s, i =>
        {
            if (double.IsNaN(nd[i])) return 0;
            var k = i.Select((c, a) => reduced.Contains(a) ? 0 : c).ToArray();
            return nus[k] + num[k] / counts[k];
        });
        Expect.Close(x.Grad!, expected, what: "d(nansum + nanmean)");
        Expect.Grad("nanmean", t => t[0].Nanmean(dims, keep), (ulong)seed, T(s, Values(r, s, special: false)));
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void VarMeanStdMean(int seed)
    {
        var r = new Random(seed);
        var s = Shape(r);
        var v = Values(r, s, special: false);
        var dims = Dims(r, s.Length);
        bool keep = r.Next(2) == 0;
        double c = new[] { 0.0, 1, 2, 0.5 }[r.Next(4)];
        var x = T(s, v);
        var (var, m1) = x.VarMean(dims, c, keep);
        var (std, m2) = x.StdMean(dims, c, keep);
        var nd = new Nd(s, v);
        var refAxes = dims ?? [];
        var mean = nd.Reduce(refAxes, keep, g => g.Count == 0 ? double.NaN : g.Sum() / g.Count);
        var variance = nd.Reduce(refAxes, keep, g =>
        {
            double mu = g.Sum() / g.Count;
            return g.Sum(a => (a - mu) * (a - mu)) / Math.Max(0, g.Count - c);
        });
        Expect.Close(m1, mean, what: "var_mean mean");
        Expect.Close(m2, mean, what: "std_mean mean");
        Expect.Close(var, variance, 1e-12, 1e-11, "var_mean var");
        Expect.Close(std, variance.Map(Math.Sqrt), 1e-12, 1e-11, "std_mean std");
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void Aminmax(int seed)
    {
        var r = new Random(seed);
        var s = Shape(r).Select(d => Math.Max(d, 1)).ToArray();
        var v = Values(r, s, special: false);
        int? dim = s.Length == 0 ? (r.Next(3) == 0 ? null : r.Next(2) - 1) : r.Next(4) == 0 ? null : r.Next(-s.Length, s.Length);
        bool keep = r.Next(2) == 0;
        var x = T(s, v);
        var (min, max) = x.Aminmax(dim, keep);
        var nd = new Nd(s, v);
        int[] axes = dim is null || s.Length == 0 ? [] : [dim.Value];
        Expect.Exact(min, nd.Reduce(axes, keep, g => g.Min()), "aminmax min");
        Expect.Exact(max, nd.Reduce(axes, keep, g => g.Max()), "aminmax max");
        Expect.Grad("aminmax", t => { var (lo, hi) = t[0].Aminmax(dim, keep); return lo * 2.0 + hi; }, (ulong)seed, x);
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void CountNonzero(int seed)
    {
        var r = new Random(seed);
        var s = Shape(r);
        var v = Values(r, s);
        var dims = Dims(r, s.Length);
        var y = T(s, v).CountNonzero(dims);
        Assert.That(y.DType, Is.EqualTo(DType.Int32));
        Expect.Exact(y.To(DType.Float64), new Nd(s, v).Reduce(dims ?? [], false, g => g.Count(a => a != 0)), "count_nonzero");
    }

    /// <summary>torch.cov's definition, element by element.</summary>
    private static Nd CovLoop(int[] shape, double[] v, double[]? fw, double[]? aw, int correction)
    {
        int vars = shape.Length < 2 ? 1 : shape[0], n = shape.Length < 2 ? v.Length : shape[1];
        var w = Enumerable.Range(0, n).Select(j => (fw?[j] ?? 1) * (aw?[j] ?? 1)).ToArray();
        double ws = w.Sum();
        var mean = Enumerable.Range(0, vars).Select(i => Enumerable.Range(0, n).Sum(j => w[j] * v[i * n + j]) / ws).ToArray();
        double f = aw is not null && correction != 0
            ? ws - correction * Enumerable.Range(0, n).Sum(j => w[j] * aw[j]) / ws
            : ws - correction;
        f = Math.Max(f, 0);
        var c = new double[vars * vars];
        for (int a = 0; a < vars; a++)
            for (int b = 0; b < vars; b++)
                c[a * vars + b] = Enumerable.Range(0, n).Sum(j => w[j] * (v[a * n + j] - mean[a]) * (v[b * n + j] - mean[b])) / f;
        return new Nd(vars == 1 ? [] : [vars, vars], c);
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void CovCorrcoef(int seed)
    {
        var r = new Random(seed);
        int rank = r.Next(3), vars = r.Next(1, 4), n = r.Next(1, 6);
        int[] s = rank switch { 0 => [], 1 => [n], _ => [vars, n] };
        if (rank == 0) n = 1;
        var v = Values(r, s, special: false);
        int correction = r.Next(3);
        double[]? fw = r.Next(2) == 0 ? null : Enumerable.Range(0, n).Select(_ => (double)r.Next(1, 4)).ToArray();
        double[]? aw = r.Next(2) == 0 ? null : Enumerable.Range(0, n).Select(_ => r.NextDouble() + 0.1).ToArray();
        Tensor? tf = fw is null ? null : Tensor.FromArray(fw.Select(a => (int)a).ToArray());
        Tensor? ta = aw is null ? null : T([n], aw);
        var x = T(s, v);
        var expected = CovLoop(s, v, fw, aw, correction);
        Expect.Close(x.Cov(correction, tf, ta), expected, 1e-12, 1e-10, $"cov correction {correction}");
        if (expected.Data.All(double.IsFinite))
            Expect.Grad("cov", t => t[0].Cov(correction, tf, ta), (ulong)seed, x);

        var c1 = CovLoop(s, v, null, null, 1);
        int k = s.Length < 2 ? 1 : vars;
        var corr = k == 1 ? new Nd([], [c1.Data[0] / c1.Data[0]])
            : Nd.Build([k, k], i => Math.Clamp(c1.Data[i[0] * k + i[1]] / Math.Sqrt(c1.Data[i[0] * k + i[0]]) / Math.Sqrt(c1.Data[i[1] * k + i[1]]), -1, 1));
        Expect.Close(x.Corrcoef(), corr, 1e-12, 1e-10, "corrcoef");
        if (n > 2 && k > 1 && corr.Data.All(a => double.IsFinite(a) && Math.Abs(a) < 0.999))
            Expect.Grad("corrcoef", t => t[0].Corrcoef(), (ulong)seed, x);
    }

    private static void Throws(TestDelegate f, string fragment) =>
        Assert.That(Assert.Catch<ArgumentException>(f)!.Message, Does.Contain(fragment));

    [Test]
    public void BadInputs()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 4], 2, 2);
        Throws(() => x.IsClose(x.To(DType.Float32)), "same dtype");
        Throws(() => x.IsClose(x, rtol: -1), "rtol must be greater than or equal to zero, but got -1");
        Throws(() => x.IsClose(x, atol: -1e-3), "atol must be greater than or equal to zero");
        Throws(() => x.IsClose(Tensor.FromArray([1.0, 2, 3])), "isclose");
        Throws(() => x.LogicalAnd(Tensor.FromArray([1.0, 2, 3])), "logical_and");
        Throws(() => x.Clamp(null, null), "at least one of 'min' or 'max' must not be None");
        Throws(() => x.Clamp(Tensor.FromArray([1.0, 2, 3])), "clamp");
        Throws(() => x.Nansum([2]), "nansum");
        Throws(() => x.Nansum([0, -2]), "repeated axis");
        Throws(() => x.To(DType.Int32).Nanmean(), "nanmean: needs a floating-point tensor, got int32");
        Throws(() => Tensor.Zeros([2, 0]).Aminmax(1), "cannot compute aminmax over an empty dimension");
        Throws(() => Tensor.Zeros([0]).Aminmax(), "cannot compute aminmax over an empty dimension");
        Throws(() => x.Aminmax(2), "aminmax");
        Throws(() => x.CountNonzero([3]), "count_nonzero");
        Throws(() => Tensor.Zeros([2, 2, 2]).Cov(), "expected input to have two or fewer dimensions but got an input with 3 dimensions");
        Throws(() => x.Cov(fweights: Tensor.FromArray([1.0, 2])), "expected fweights to have integral dtype but got fweights with float64 dtype");
        Throws(() => x.Cov(fweights: Tensor.FromArray([1, 2, 3])), "expected fweights to have the same numel as there are observations in the input but got 3 != 2");
        Throws(() => x.Cov(fweights: Tensor.FromArray([1, -2])), "fweights cannot be negative");
        Throws(() => x.Cov(fweights: Tensor.FromArray([1, 2, 3, 4], 2, 2)), "expected fweights to have one or fewer dimensions but got fweights with 2 dimensions");
        Throws(() => x.Cov(aweights: Tensor.FromArray([1, 2])), "expected aweights to have floating point dtype but got aweights with int32 dtype");
        Throws(() => x.Cov(aweights: Tensor.FromArray([1.0, -2])), "aweights cannot be negative");
        Throws(() => x.Cov(aweights: Tensor.FromArray([0.0, 0])), "weights sum to zero, can't be normalized");
    }

    [Test]
    public void EdgeValues()
    {
        // An all-NaN row: nansum 0, nanmean NaN; an empty tensor: nansum 0, count 0.
        var x = Tensor.FromArray([double.NaN, double.NaN, 1, double.NaN], 2, 2);
        Expect.Exact(x.Nansum(1), new Nd([2], [0, 1]));
        Expect.Exact(x.Nanmean(-1), new Nd([2], [double.NaN, 1]));
        Expect.Exact(Tensor.Zeros([0, 3], DType.Float64).Nansum(), new Nd([], [0]));
        Expect.Exact(Tensor.Zeros([0, 3], DType.Float64).CountNonzero([0]).To(DType.Float64), new Nd([3], [0, 0, 0]));
        // aminmax of every element keeps every dim with keepDim.
        var (lo, hi) = Tensor.FromArray([3.0, -1, 2, 5], 2, 2).Aminmax(keepDim: true);
        Expect.Exact(lo, new Nd([1, 1], [-1]));
        Expect.Exact(hi, new Nd([1, 1], [5]));
        // One observation with correction 1: 0/0, NaN (PyTorch warns and divides by 0); corrcoef of one variable 1.
        Assert.That(double.IsNaN(Tensor.FromArray([2.0]).Cov().Item()));
        Assert.That(Tensor.FromArray([2.0, 3, 7]).Corrcoef().Item(), Is.EqualTo(1));
        Assert.That(Tensor.FromArray([double.NaN, 1]).NanToNum().ToArray<double>(), Is.EqualTo(new[] { 0.0, 1 }));
        Assert.That(Tensor.FromArray([1, 2]).NanToNum().DType, Is.EqualTo(DType.Int32));
    }
}
