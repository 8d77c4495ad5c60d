using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>var, std or logsumexp over a random subset of axes: null (torch's dim=None), an empty list (also every
/// axis), or some axes (given as negative half the time); a 0-d tensor also gets [0] or [-1].</summary>
public sealed record MomentCase(Spec X, int[]? Axes, double Correction, bool KeepDim, ulong Seed)
{
    /// <summary>N: the number of elements each output reduces.</summary>
    public long Count => Axes is null or [] || X.Rank == 0
        ? X.Shape.Aggregate(1L, (a, b) => a * b)
        : Axes.Aggregate(1L, (n, a) => n * X.Shape[a < 0 ? a + X.Rank : a]);

    /// <summary>The axes in <see cref="Nd.Reduce"/>'s terms (empty: all).</summary>
    public int[] RefAxes => Axes is null || X.Rank == 0 ? [] : Axes;

    public override string ToString() =>
        $"X {X}, axes {(Axes == null ? "null" : $"[{string.Join(", ", Axes)}]")}, correction {Correction}, keepDim {KeepDim}, seed {Seed}";
}

public static class StatisticsGen
{
    /// <summary>EngineGen's shapes (rank 0..4, dims 1..5), one dim in eight set to 0 (empty tensors).</summary>
    public static readonly Gen<int[]> Shape =
        from s in EngineGen.Shape()
        from zeros in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (7, Gen.Constant(false))), s.Length)
        select s.Select((d, i) => zeros[i] ? 0 : d).ToArray();

    public static Gen<MomentCase> Case(Gen<double> value) =>
        from s in Shape
        from x in EngineGen.Values(s, value)
        from subset in Gen.SubListOf(Enumerable.Range(0, s.Length))
        from negate in Gen.ArrayOf(Gen.Elements(false, true), subset.Count)
        from form in Gen.Elements(0, 1, 2, 3)
        from correction in Gen.Elements(0.0, 1.0, 2.0, 0.5)
        from keepDim in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        let some = subset.Select((a, i) => negate[i] ? a - s.Length : a).ToArray()
        // Null and [] reduce every axis; a 0-d tensor also takes axis 0 or -1 (form 2, 3).
        let axes = form == 0 ? null : form == 1 ? [] : s.Length == 0 ? [form == 2 ? 0 : -1] : some
        select new MomentCase(x, axes, correction, keepDim, seed);

    public static readonly Gen<MomentCase> Moments = Case(EngineGen.Uniform(-2, 2));

    /// <summary>Values in [-50, 50]: e^x spans 43 orders of magnitude, where the unshifted sum would lose the small terms.</summary>
    public static readonly Gen<MomentCase> LogSumExp = Case(EngineGen.Uniform(-50, 50));

    /// <summary>Finite values, -inf and +inf mixed, some rows all -inf.</summary>
    public static readonly Gen<MomentCase> Infinite = Case(Gen.Frequency(
        (3, EngineGen.Uniform(-50, 50)), (3, Gen.Constant(double.NegativeInfinity)), (1, Gen.Constant(double.PositiveInfinity))));
}

public static class StatisticsArbitraries
{
    public static Arbitrary<MomentCase> MomentArb() => StatisticsGen.Moments.ToArbitrary();
}

/// <summary>
/// torch.var, torch.std and torch.logsumexp: values against plain float64 loops of their definitions, edge values
/// (inf and NaN where N − correction ≤ 0, −inf over an empty axis) included, and gradients against central
/// differences where the function is differentiable.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries), typeof(StatisticsArbitraries)], MaxTest = 80)]
public class StatisticsProperties
{
    private static double VarOf(List<double> v, double correction)
    {
        double mean = v.Sum() / v.Count, ss = v.Sum(x => (x - mean) * (x - mean));
        return ss / Math.Max(0, v.Count - correction);
    }

    // The int overloads, for half the cases with one axis.
    private static Tensor Var(Tensor x, MomentCase c) => c.Axes is [var a] && c.Seed % 2 == 0
        ? x.Var(a, c.Correction, c.KeepDim)
        : x.Var(c.Axes, c.Correction, c.KeepDim);

    private static Tensor Std(Tensor x, MomentCase c) => c.Axes is [var a] && c.Seed % 2 == 0
        ? x.Std(a, c.Correction, c.KeepDim)
        : x.Std(c.Axes, c.Correction, c.KeepDim);

    private static Tensor Lse(Tensor x, MomentCase c) => c.Axes is [var a] && c.Seed % 2 == 0
        ? x.LogSumExp(a, c.KeepDim)
        : x.LogSumExp(c.Axes ?? [], c.KeepDim);

    [FsCheck.NUnit.Property]
    public void Var(MomentCase c)
    {
        var y = Var(c.X.Tensor(), c);
        Same(y, Nd.Of(c.X).Reduce(c.RefAxes, c.KeepDim, v => VarOf(v, c.Correction)), 1e-12, "var");
        // N − correction ≤ 0 divides by 0: the value is checked above (inf or NaN), the gradient is not a derivative.
        if (c.Count - c.Correction > 0) Expect.Grad("var", xs => Var(xs[0], c), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void Std(MomentCase c)
    {
        var y = Std(c.X.Tensor(), c);
        Same(y, Nd.Of(c.X).Reduce(c.RefAxes, c.KeepDim, v => Math.Sqrt(VarOf(v, c.Correction))), 1e-12, "std");
        // One element with correction 0 or 0.5 has s = 0 whatever x is: PyTorch's gradient 0 is then the derivative.
        if (c.Count - c.Correction > 0) Expect.Grad("std", xs => Std(xs[0], c), c.Seed, c.X.Tensor());
    }

    /// <summary>Values in [−50, 50]; the reference sums e^x unshifted in float64 (e^50 ≈ 5·10²¹ does not overflow).</summary>
    [FsCheck.NUnit.Property]
    public Property LogSumExp() => Prop.ForAll(StatisticsGen.LogSumExp.ToArbitrary(), c =>
    {
        var y = Lse(c.X.Tensor(), c);
        Same(y, Nd.Of(c.X).Reduce(c.RefAxes, c.KeepDim, v => Math.Log(v.Sum(Math.Exp))), 1e-12, "logsumexp");
        if (c.Count > 0) Expect.Grad("logsumexp", xs => Lse(xs[0], c), c.Seed, c.X.Tensor());
    });

    /// <summary>
    /// −inf and +inf among the values: all −inf (or no elements) gives −inf, any +inf gives +inf, as the unshifted
    /// log Σ eˣ of the definition does. The gradient is PyTorch's g·e^(x − y): the softmax where y is finite, NaN at
    /// the +inf elements of a +inf row (e^(inf − inf)) and everywhere in an all −inf row.
    /// </summary>
    [FsCheck.NUnit.Property]
    public Property LogSumExpOfInfinities() => Prop.ForAll(StatisticsGen.Infinite.ToArbitrary(), c =>
    {
        var x = c.X.Tensor();
        x.RequiresGrad = true;
        var y = Lse(x, c);
        var expected = Nd.Of(c.X).Reduce(c.RefAxes, c.KeepDim, v => Math.Log(v.Sum(Math.Exp)));
        Same(y, expected, 1e-12, "logsumexp");
        var u = Tensor.Randn(y.ShapeCopy(), dtype: DType.Float64, generator: new Generator(c.Seed));
        (y * u).Sum().Backward();
        var kept = Nd.Of(c.X).Reduce(c.RefAxes, keepDim: true, v => Math.Log(v.Sum(Math.Exp))).BroadcastTo(c.X.Shape);
        var keptShape = Nd.Of(c.X).Reduce(c.RefAxes, keepDim: true, _ => 0).Shape;
        var uKept = new Nd(keptShape, Nd.Of(u).Data).BroadcastTo(c.X.Shape);
        var grad = Nd.Build(c.X.Shape, i => uKept[i] * Math.Exp(Nd.Of(c.X)[i] - kept[i]));
        Same(x.Grad!, grad, 1e-12, "logsumexp gradient");
    });

    /// <summary>NaN where the reference is NaN, the same infinity where it is infinite, else within atol + rtol|e|.</summary>
    private static void Same(Tensor actual, Nd expected, double tol, string what)
    {
        Assert.That(actual.ShapeCopy(), Is.EqualTo(expected.Shape), $"{what} shape");
        var v = actual.ToArray<double>();
        for (int i = 0; i < v.Length; i++)
        {
            double e = expected.Data[i], a = v[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a) : double.IsInfinity(e) ? a == e : Math.Abs(a - e) <= tol + tol * Math.Abs(e);
            if (!ok) Assert.Fail($"{what} element [{string.Join(", ", Nd.Unravel(i, expected.Shape))}]: got {a:R}, expected {e:R}\nactual   {Nd.Of(actual)}\nexpected {expected}");
        }
    }

    // ---- PyTorch's edge cases: libtorch 2.10 (through TorchSharp-cpu 0.107) gave these on the same inputs ----

    [Test]
    public void StdOfEqualValuesHasAZeroGradient()
    {
        // torch.ones(3, requires_grad=True).std().backward(): x.grad = [0, 0, 0] (std_backward's masked_fill).
        var x = Tensor.Ones([3], DType.Float64);
        x.RequiresGrad = true;
        var s = x.Std();
        Assert.That(s.Item(), Is.EqualTo(0.0));
        s.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0 }));

        var m = Tensor.Ones([2, 3], DType.Float64);
        m.RequiresGrad = true;
        m.Std(1).Sum().Backward();
        Assert.That(m.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    /// <summary>N − correction ≤ 0: the forward divides by 0; the backward is PyTorch's var_backward, whose two
    /// branches differ (dim=None: NaN where x = x̄, else +inf whatever the sign; dims: 2(x − x̄)/(N − correction)).</summary>
    [Test]
    public void DegreesOfFreedomAtOrBelowZeroAreLibtorchs()
    {
        void Check(double[] values, Func<Tensor, Tensor> f, double value, double[] grad, string what)
        {
            var x = Tensor.FromArray(values);
            x.RequiresGrad = true;
            var y = f(x);
            y.Sum().Backward();
            Assert.That(y.Item(), Is.EqualTo(value), what);
            Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(grad), what + " gradient");
        }
        double nan = double.NaN, inf = double.PositiveInfinity;
        // One element, correction 1: 0/0 (libtorch 2.10, each of these four).
        Check([2.0], x => x.Var(), nan, [nan], "var([2])");
        Check([2.0], x => x.Var(0), nan, [nan], "var([2], 0)");
        Check([2.0], x => x.Std(), nan, [nan], "std([2])");
        Check([2.0], x => x.Std(0), nan, [nan], "std([2], 0)");
        // TorchSharp 0.107 passes no correction but 0 and 1: the cases below follow libtorch's var_backward and
        // std_backward (FunctionsManual.cpp) by hand. Two elements, correction 2: Σ(x − x̄)²/0 = inf; dim=None's
        // gradient is +inf for both, the dims' 2(x − x̄)/0 is ±inf; std's g/(2·inf) = 0 then 0·inf = NaN.
        Check([1.0, 3.0], x => x.Var(correction: 2), inf, [inf, inf], "var([1, 3], correction 2)");
        Check([1.0, 3.0], x => x.Var(0, correction: 2), inf, [-inf, inf], "var([1, 3], 0, correction 2)");
        Check([1.0, 3.0], x => x.Std(correction: 2), inf, [nan, nan], "std([1, 3], correction 2)");
        // One element, correction 2: 0/0; dim=None's gradient NaN (x = x̄), the dims' 2/(1 − 2)·(x − x̄) = 0.
        Check([2.0], x => x.Var(correction: 2), nan, [nan], "var([2], correction 2)");
        Check([2.0], x => x.Var([0], correction: 2), nan, [0.0], "var([2], [0], correction 2)");
        // No elements: NaN, as the mean of nothing.
        Assert.That(Tensor.Zeros([0], DType.Float64).Var().Item(), Is.NaN);
        Assert.That(Tensor.Zeros([2, 0], DType.Float64).Std(1).ToArray<double>(), Is.All.NaN);
        Assert.That(Tensor.Zeros([2, 0], DType.Float64).Var(0).ShapeCopy(), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void ScalarTensorsTakeAxisZeroAndMinusOne()
    {
        var x = Tensor.Scalar(2.5, DType.Float64);
        x.RequiresGrad = true;
        foreach (int axis in new[] { 0, -1 })
        {
            Assert.That(x.Var(axis).Item(), Is.NaN);
            Assert.That(x.Var(axis, correction: 0).Item(), Is.EqualTo(0.0));
            Assert.That(x.Std([axis], correction: 0, keepDim: true).ShapeCopy(), Is.Empty);
            Assert.That(x.LogSumExp(axis).Item(), Is.EqualTo(2.5));
        }
        (x.LogSumExp(0) * 3.0 + x.Std(0, correction: 0)).Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(3.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Var(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.LogSumExp(-2));
    }

    [Test]
    public void LogSumExpOfAnEmptyAxisIsMinusInfinity()
    {
        var x = Tensor.Zeros([2, 0], DType.Float64);
        x.RequiresGrad = true;
        var y = x.LogSumExp(1);
        Assert.That(y.ToArray<double>(), Is.All.EqualTo(double.NegativeInfinity));
        Assert.That(x.LogSumExp(0).ShapeCopy(), Is.EqualTo(new[] { 0 }));
        Assert.That(x.LogSumExp([], keepDim: true).ShapeCopy(), Is.EqualTo(new[] { 1, 1 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 2, 0 }));
    }

    /// <summary>Integer tensors are refused naming the op (torch.var and torch.std refuse them too; torch.logsumexp
    /// would convert to float, which no reduction of Pade does: see Mean, which refuses them as torch.mean does).</summary>
    [Test]
    public void IntegerTensorsAreRefused()
    {
        var i = Tensor.FromArray(new[] { 1, 2, 3 });
        Assert.That(() => i.Var(), Throws.ArgumentException.With.Message.StartsWith("var:"));
        Assert.That(() => i.Std(0), Throws.ArgumentException.With.Message.StartsWith("std:"));
        Assert.That(() => i.LogSumExp(0), Throws.ArgumentException.With.Message.StartsWith("logsumexp:"));
        Assert.That(() => i.Mean(), Throws.ArgumentException);
    }

    [Test]
    public void RepeatedAxesAreErrors()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        Assert.That(() => x.Var([0, -2]), Throws.ArgumentException.With.Message.Contains("var: repeated axis"));
        Assert.That(() => x.LogSumExp([1, 1]), Throws.ArgumentException.With.Message.Contains("logsumexp: repeated axis"));
    }

    /// <summary>Two-pass accuracy: a spread of d = 2⁻¹⁰ around 10⁶, exact in float64 (Σx² − N x̄² would lose every
    /// digit: x² ≈ 10¹² has an ulp of 2⁻¹³, more than d² = 2⁻²⁰).</summary>
    [Test]
    public void VarianceIsAccurateFarFromZero()
    {
        double d = 1.0 / 1024;
        var x = Tensor.FromArray([1e6 + d, 1e6 - d, 1e6]);
        Assert.That(x.Var().Item(), Is.EqualTo(d * d));
        Assert.That(x.Std(correction: 0).Item(), Is.EqualTo(Math.Sqrt(2 * d * d / 3)).Within(1e-15 * d));
    }
}
