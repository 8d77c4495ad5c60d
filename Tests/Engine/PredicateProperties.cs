using FsCheck;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>
/// isnan, isinf, isposinf, isneginf, isfinite, isclose, allclose, equal, the logical ops, nan_to_num and clamp with
/// tensor bounds against plain float64 loops of their definitions, on random shapes (size-0 and size-1 dims, 0-d) and
/// values with NaN, ±∞ and 0 sprinkled in; gradients against loops of PyTorch's rules and central differences.
/// </summary>
public class PredicateProperties
{
    /// <summary>Rank 0..3, dims 0..4 (a 0 one time in eight, 1 often).</summary>
    internal static int[] Shape(Random r, int maxRank = 3) =>
        Enumerable.Range(0, r.Next(maxRank + 1)).Select(_ => r.Next(8) == 0 ? 0 : r.Next(3) == 0 ? 1 : r.Next(1, 5)).ToArray();

    /// <summary>Uniform in [−2, 2], with NaN, +∞, −∞ and 0 each one time in ten when <paramref name="special"/>.</summary>
    internal static double[] Values(Random r, int[] shape, bool special = true) =>
        Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (special ? r.Next(10) : 9) switch
        {
            0 => double.NaN,
            1 => double.PositiveInfinity,
            2 => double.NegativeInfinity,
            3 => 0.0,
            _ => r.NextDouble() * 4 - 2,
        }).ToArray();

    /// <summary>A shape that broadcasts against <paramref name="full"/>: some dims 1, some leading ones dropped.</summary>
    internal static int[] Against(Random r, int[] full) =>
        full.Skip(r.Next(full.Length + 1) / 2).Select(d => r.Next(3) == 0 ? 1 : d).ToArray();

    internal static Tensor T(int[] shape, double[] v, DType dtype = DType.Float64) => Tensor.FromSpan<double>(v, shape).To(dtype);

    /// <summary>Sums a broadcast result back to <paramref name="shape"/> (what a broadcast operand's gradient is).</summary>
    internal static Nd SumTo(Nd full, int[] shape)
    {
        var data = new double[Nd.Count(shape)];
        int lead = full.Rank - shape.Length;
        for (int i = 0; i < full.Data.Length; i++)
        {
            var idx = Nd.Unravel(i, full.Shape);
            var own = Enumerable.Range(0, shape.Length).Select(d => shape[d] == 1 ? 0 : idx[d + lead]).ToArray();
            data[Nd.Ravel(own, shape)] += full.Data[i];
        }
        return new Nd(shape, data);
    }

    private static double B(bool b) => b ? 1 : 0;

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void UnaryPredicates(int seed)
    {
        var r = new Random(seed);
        var s = Shape(r);
        var v = Values(r, s);
        var nd = new Nd(s, v);
        foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
        {
            var x = T(s, v, dtype);
            var what = $"{dtype} {string.Join(",", s)}";
            Assert.That(x.IsNan().DType, Is.EqualTo(dtype));
            Expect.Exact(x.IsNan().To(DType.Float64), nd.Map(a => B(double.IsNaN(a))), "isnan " + what);
            Expect.Exact(x.IsInf().To(DType.Float64), nd.Map(a => B(double.IsInfinity(a))), "isinf " + what);
            Expect.Exact(x.IsPosInf().To(DType.Float64), nd.Map(a => B(double.IsPositiveInfinity(a))), "isposinf " + what);
            Expect.Exact(x.IsNegInf().To(DType.Float64), nd.Map(a => B(double.IsNegativeInfinity(a))), "isneginf " + what);
            Expect.Exact(x.IsFinite().To(DType.Float64), nd.Map(a => B(double.IsFinite(a))), "isfinite " + what);
            Expect.Exact(x.LogicalNot().To(DType.Float64), nd.Map(a => B(a == 0)), "logical_not " + what);
        }
        // int32 holds no NaN nor ∞: every element is finite.
        var ints = T(s, v.Select(a => double.IsFinite(a) ? Math.Round(a * 3) : 7).ToArray()).To(DType.Int32);
        Expect.Exact(ints.IsFinite().To(DType.Float64), nd.Map(_ => 1), "isfinite int32");
        Expect.Exact(ints.IsNan().To(DType.Float64), nd.Map(_ => 0), "isnan int32");
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void LogicalOps(int seed)
    {
        var r = new Random(seed);
        var sa = Shape(r);
        var sb = Against(r, sa);
        if (r.Next(2) == 0) (sa, sb) = (sb, sa);
        var (va, vb) = (Values(r, sa), Values(r, sb));
        var (a, b) = (T(sa, va), T(sb, vb));
        var (na, nb) = (new Nd(sa, va), new Nd(sb, vb));
        static bool Truth(double x) => x != 0; // NaN is true, as bool(nan)
        Expect.Exact(a.LogicalAnd(b), Nd.Zip(na, nb, (x, y) => B(Truth(x) && Truth(y))), "logical_and");
        Expect.Exact(a.LogicalOr(b), Nd.Zip(na, nb, (x, y) => B(Truth(x) || Truth(y))), "logical_or");
        Expect.Exact(a.LogicalXor(b), Nd.Zip(na, nb, (x, y) => B(Truth(x) ^ Truth(y))), "logical_xor");
        // Mixed dtypes promote, as the comparisons do.
        Assert.That(a.To(DType.Float32).LogicalAnd(b).DType, Is.EqualTo(DType.Float64));
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void IsCloseAllCloseEqual(int seed)
    {
        var r = new Random(seed);
        var sa = Shape(r);
        var sb = Against(r, sa);
        var va = Values(r, sa);
        // b near a where the shapes allow it (so both branches of the test are hit), else independent.
        double[] vb = Shapes.SameShape(sa, sb)
            ? va.Select(x => r.Next(3) switch { 0 => x, 1 => x * (1 + (r.NextDouble() - 0.5) * 4e-5), _ => r.Next(5) == 0 ? double.NaN : x + 1e-8 * r.NextDouble() }).ToArray()
            : Values(r, sb);
        double rtol = r.Next(4) == 0 ? 0 : r.NextDouble() * 1e-4, atol = r.Next(4) == 0 ? 0 : r.NextDouble() * 1e-7;
        bool equalNan = r.Next(2) == 0;
        var (a, b) = (T(sa, va), T(sb, vb));
        bool Close(double x, double y) =>
            x == y || (equalNan && double.IsNaN(x) && double.IsNaN(y))
            || (double.IsFinite(x - y) && Math.Abs(x - y) <= atol + rtol * Math.Abs(y));
        var expected = Nd.Zip(new Nd(sa, va), new Nd(sb, vb), (x, y) => B(Close(x, y)));
        Expect.Exact(a.IsClose(b, rtol, atol, equalNan), expected, $"isclose rtol {rtol} atol {atol} equalNan {equalNan}");
        Assert.That(a.AllClose(b, rtol, atol, equalNan), Is.EqualTo(expected.Data.All(c => c == 1)), "allclose");
        bool equal = sa.SequenceEqual(sb) && va.Zip(vb).All(p => p.First == p.Second);
        Assert.That(a.Equal(b), Is.EqualTo(equal), "equal");
        Assert.That(a.Equal(a), Is.EqualTo(!va.Any(double.IsNaN)), "equal to itself unless it holds a NaN");
    }

    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void NanToNum(int seed)
    {
        var r = new Random(seed);
        var s = Shape(r);
        var v = Values(r, s);
        double nan = r.NextDouble() * 10 - 5;
        double? pos = r.Next(2) == 0 ? null : r.NextDouble() * 100, neg = r.Next(2) == 0 ? null : -r.NextDouble() * 100;
        foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
        {
            double max = dtype == DType.Float32 ? float.MaxValue : double.MaxValue;
            var x = T(s, v, dtype);
            x.RequiresGrad = true;
            var y = x.NanToNum(nan, pos, neg);
            var expected = new Nd(s, v).Map(a => double.IsNaN(a) ? nan : double.IsPositiveInfinity(a) ? pos ?? max
                : double.IsNegativeInfinity(a) ? neg ?? -max : a);
            if (dtype == DType.Float32) expected = expected.Map(a => (double)(float)a);
            Expect.Exact(y.To(DType.Float64), expected, $"nan_to_num {dtype}");
            // The gradient passes where x is finite, 0 elsewhere (PyTorch's grad * isfinite(self)).
            var u = Values(r, s, special: false);
            (y * T(s, u, dtype)).Sum().Backward();
            var gx = new Nd(s, v.Zip(u, (a, g) => double.IsFinite(a) ? (double)(dtype == DType.Float32 ? (float)g : g) : 0).ToArray());
            Expect.Exact(x.Grad!.To(DType.Float64), gx, $"nan_to_num gradient {dtype}");
        }
        Expect.Grad("nan_to_num", t => t[0].NanToNum(), (ulong)seed, T(s, Values(r, s, special: false)));
    }

    /// <summary>Values from a small grid, so ties with the bounds and min = max happen often.</summary>
    private static double[] Grid(Random r, int[] s, bool nan) =>
        Enumerable.Range(0, s.Aggregate(1, (a, b) => a * b)).Select(_ => nan && r.Next(12) == 0 ? double.NaN : r.Next(-2, 3) * 0.5).ToArray();

    [FsCheck.NUnit.Property(MaxTest = 100)]
    public void ClampTensor(int seed)
    {
        var r = new Random(seed);
        var sx = Shape(r);
        var (sl, sh) = (Against(r, sx), Against(r, sx));
        if (r.Next(3) == 0) (sx, sl) = (sl, sx); // the bound may be the larger operand
        int which = r.Next(3); // 0: both bounds, 1: min only, 2: max only
        bool nan = r.Next(3) == 0;
        var (vx, vl, vh) = (Grid(r, sx, nan), Grid(r, sl, nan), Grid(r, sh, nan));
        var (nx, nl, nh) = (new Nd(sx, vx), new Nd(sl, vl), new Nd(sh, vh));
        var full = Nd.BroadcastShape(sx, which == 2 ? sx : sl, which == 1 ? sx : sh);
        var x = T(sx, vx);
        var lo = which == 2 ? null : T(sl, vl);
        var hi = which == 1 ? null : T(sh, vh);
        foreach (var t in (Tensor?[])[x, lo, hi]) if (t is not null) t.RequiresGrad = true;
        var y = r.Next(2) == 0 ? x.Clamp(lo, hi) : x.Clip(min: lo, max: hi);

        double L(int[] i) => which == 2 ? double.NaN : nl.At(i);
        double H(int[] i) => which == 1 ? double.NaN : nh.At(i);
        static double Clamp(double a, double l, double h, int which)
        {
            if (double.IsNaN(a) || (which != 2 && double.IsNaN(l)) || (which != 1 && double.IsNaN(h))) return double.NaN;
            if (which != 2) a = Math.Max(a, l);
            if (which != 1) a = Math.Min(a, h);
            return a;
        }
        Expect.Exact(y, Nd.Build(full, i => Clamp(nx.At(i), L(i), H(i), which)), $"clamp which {which}");

        // PyTorch's clamp_backward_min_max, element by element, then summed over each operand's broadcast dims.
        var u = Values(r, full, special: false);
        var nu = new Nd(full, u);
        (y * T(full, u)).Sum().Backward();
        Nd Rule(Func<double, double, double, bool> pass) => Nd.Build(full, i => pass(nx.At(i), L(i), H(i)) ? nu[i] : 0);
        var gx = Rule((a, l, h) => which switch { 0 => a >= l && a <= h, 1 => a >= l, _ => a <= h });
        Expect.Close(x.Grad!, SumTo(gx, sx), what: "dx");
        if (lo is not null) Expect.Close(lo.Grad!, SumTo(Rule((a, l, h) => a < l && (which == 1 || l < h)), sl), what: "dmin");
        if (hi is not null) Expect.Close(hi.Grad!, SumTo(Rule((a, l, h) => a > h || (which == 0 && h < l)), sh), what: "dmax");

        // Central differences away from the kinks: continuous values make ties improbable.
        var inputs = new List<Tensor> { T(sx, Values(r, sx, false)) };
        if (lo is not null) inputs.Add(T(sl, Values(r, sl, false)));
        if (hi is not null) inputs.Add(T(sh, Values(r, sh, false)));
        Expect.Grad("clamp", t => t[0].Clamp(which == 2 ? null : t[1], which == 1 ? null : t[^1]), (ulong)seed, [.. inputs]);
    }

    [Test]
    public void ClampScalarBoundsMatchTensorBounds()
    {
        var x = Tensor.FromArray([-3.0, -1, 0, 0.5, 1, 4]);
        Expect.Exact(x.Clamp(Tensor.Scalar(-1.0), Tensor.Scalar(1.0)), Nd.Of(x.Clamp(-1.0, 1.0)));
        Expect.Exact(x.Clip(-1.0, 1.0), Nd.Of(x.Clamp(-1.0, 1.0)));
        // min > max: every element is max.
        Expect.Exact(x.Clamp(Tensor.Scalar(2.0), Tensor.Scalar(1.0)), new Nd([6], [1, 1, 1, 1, 1, 1]));
    }
}
