using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// int32 tensors take PyTorch's arithmetic (through float64, Tensor.IntegerUnary): the random pairs and reductions of
/// the float properties, rounded to integers in [−20, 20], against the same formulas on doubles, result dtypes
/// included (int32 where PyTorch keeps the integers, float32 where it leaves them).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class IntegerProperties
{
    private static Tensor Ints(Spec s) => Tensor.FromArray(s.Values.Select(v => (int)Math.Round(10 * v)).ToArray()).Reshape(s.Shape);

    private static Nd Of(Spec s) => new(s.Shape, s.Values.Select(v => Math.Round(10 * v) + 0.0).ToArray());   // + 0.0: an integer 0 has no sign

    private static void Same(Tensor actual, DType dtype, Nd expected, string what)
    {
        Assert.That(actual.DType, Is.EqualTo(dtype), what + " dtype");
        Expect.Exact(actual.To(DType.Float64), expected, what);
    }

    [FsCheck.NUnit.Property]
    public void BinaryOpsAndComparisons(BroadcastPair p)
    {
        var shape = Nd.BroadcastShape(p.A.Shape, p.B.Shape);
        Nd a = Of(p.A).BroadcastTo(shape), b = Of(p.B).BroadcastTo(shape);
        Nd Zip(Func<double, double, double> f) => Nd.Build(shape, i => f(a[i], b[i]));
        Tensor x = Ints(p.A), y = Ints(p.B);
        Same(x + y, DType.Int32, Zip((u, v) => u + v), "add");
        Same(x - y, DType.Int32, Zip((u, v) => u - v), "sub");
        Same(x * y, DType.Int32, Zip((u, v) => u * v), "mul");
        Same(Tensor.Maximum(x, y), DType.Int32, Zip(Math.Max), "maximum");
        Same(Tensor.Minimum(x, y), DType.Int32, Zip(Math.Min), "minimum");
        Same(x.Gt(y), DType.Int32, Zip((u, v) => u > v ? 1 : 0), "gt");
        Same(x.Ge(y), DType.Int32, Zip((u, v) => u >= v ? 1 : 0), "ge");
        Same(x.Lt(y), DType.Int32, Zip((u, v) => u < v ? 1 : 0), "lt");
        Same(x.Le(y), DType.Int32, Zip((u, v) => u <= v ? 1 : 0), "le");
        Same(x.Eq(y), DType.Int32, Zip((u, v) => u == v ? 1 : 0), "eq");
        Same(Tensor.Where(x.Gt(y), x, y * y), DType.Int32, Zip((u, v) => u > v ? u : v * v), "where");
        // True division leaves the integers: float32, PyTorch's default dtype.
        var q = x / y;
        Assert.That(q.DType, Is.EqualTo(DType.Float32), "div dtype");
        Expect.Close(q.To(DType.Float64), Zip((u, v) => (float)(u / v)), 0, 0, "div");
        // With a float operand, promotion makes the pair floating first.
        Same(x + p.B.Tensor(), DType.Float64, Nd.Build(shape, i => a[i] + Nd.Of(p.B).BroadcastTo(shape)[i]), "int + float64");
    }

    [FsCheck.NUnit.Property]
    public void UnaryOps(Smooth c)
    {
        Tensor x = Ints(c.X);
        var v = Of(c.X);
        Same(-x, DType.Int32, v.Map(u => -u), "neg");
        Same(x.Abs(), DType.Int32, v.Map(Math.Abs), "abs");
        Same(x.Sign(), DType.Int32, v.Map(u => Math.Sign(u)), "sign");
        Same(x.Square(), DType.Int32, v.Map(u => u * u), "square");
        Same(x.Relu(), DType.Int32, v.Map(u => Math.Max(u, 0)), "relu");
        var e = x.Exp();
        Assert.That(e.DType, Is.EqualTo(DType.Float32), "exp dtype");
        Expect.Close(e.To(DType.Float64), v.Map(Math.Exp), 0, 2e-7, "exp");
        Same(x.MulScalar(0.5), DType.Float32, v.Map(u => (float)(u * 0.5)), "mul_scalar");
        Same(x.Clamp(-3.5, 4), DType.Float32, v.Map(u => Math.Clamp(u, -3.5, 4)), "clamp");
    }

    [FsCheck.NUnit.Property]
    public void Reductions(ReductionCase c)
    {
        Tensor x = Ints(c.X);
        var v = Of(c.X);
        var axes = c.Axes.Length == 0 ? Enumerable.Range(0, c.X.Rank).ToArray() : c.Axes.Select(a => a < 0 ? a + c.X.Rank : a).ToArray();
        Same(x.Sum(c.Axes, c.KeepDim), DType.Int32, v.Reduce(c.Axes, c.KeepDim, u => u.Sum()), "sum");
        if (axes.All(a => c.X.Shape[a] > 0))
        {
            Same(x.Max(c.Axes, c.KeepDim), DType.Int32, v.Reduce(c.Axes, c.KeepDim, u => u.Max()), "max");
            Same(x.Min(c.Axes, c.KeepDim), DType.Int32, v.Reduce(c.Axes, c.KeepDim, u => u.Min()), "min");
        }
        if (c.X.Rank > 0 && c.X.Shape[^1] > 0)
            Same(x.ArgMax(-1), DType.Int32, Nd.Of(x.To(DType.Float64).ArgMax(-1).To(DType.Float64)), "argmax");
    }

    [Test]
    public void AccuracyReadsAsInPyTorch()
    {
        var logits = Tensor.FromArray(new double[] { 2, 1, 0, 0, 3, 1, 5, 0, 9 }, 3, 3);
        var labels = Tensor.FromArray(new[] { 0, 1, 1 });
        var correct = logits.ArgMax(1).Eq(labels);
        Assert.That(correct.Sum().Item(), Is.EqualTo(2));
        Assert.That(correct.To(DType.Float32).Mean().Item(), Is.EqualTo(2.0 / 3).Within(1e-7));
        Assert.That(() => correct.Mean(), Throws.ArgumentException.With.Message.Contains("mean").And.Message.Contains("int32"), "as PyTorch's mean()");
    }
}
