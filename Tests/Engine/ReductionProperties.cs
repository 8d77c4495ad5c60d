using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>Reductions over random axis subsets (negative axes, keepDim or not), and the gradient rule of
/// broadcasting: an input broadcast by an op receives the upstream gradient summed over the broadcast dims.</summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class ReductionProperties
{
    private static void Reduction(string op, ReductionCase c, Func<Tensor, int[], bool, Tensor> f, Func<List<double>, double> reference)
    {
        Expect.Close(f(c.X.Tensor(), c.Axes, c.KeepDim), Nd.Of(c.X).Reduce(c.Axes, c.KeepDim, reference), atol: 1e-12, rtol: 1e-12, what: op);
        Expect.Grad(op, xs => f(xs[0], c.Axes, c.KeepDim), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property] public void Sum(ReductionCase c) => Reduction("sum", c, (x, a, k) => x.Sum(a, k), v => v.Sum());
    [FsCheck.NUnit.Property] public void Mean(ReductionCase c) => Reduction("mean", c, (x, a, k) => x.Mean(a, k), v => v.Average());
    [FsCheck.NUnit.Property] public void Max(ReductionCase c) => Reduction("max", c, (x, a, k) => x.Max(a, k), v => v.Max());
    [FsCheck.NUnit.Property] public void Min(ReductionCase c) => Reduction("min", c, (x, a, k) => x.Min(a, k), v => v.Min());

    /// <summary>Reductions of a strided (transposed) input: the kernel must not assume a contiguous x.</summary>
    [FsCheck.NUnit.Property]
    public void SumOfTransposedView(ReductionCase c)
    {
        if (c.X.Rank < 2) return;
        Expect.Close(c.X.Tensor().Transpose(0, -1).Sum(c.Axes, c.KeepDim),
            Nd.Of(c.X).Transpose(0, -1).Reduce(c.Axes, c.KeepDim, v => v.Sum()), atol: 1e-12, rtol: 1e-12, what: "sum of transpose");
        Expect.Grad("sum of transpose", xs => xs[0].Transpose(0, -1).Max(c.Axes, c.KeepDim), c.Seed, c.X.Tensor());
    }

    /// <summary>The gradient an op sends to a broadcast input equals (1) the gradient of the same op applied to
    /// explicitly expanded inputs and (2) the plain-loop sum of the upstream gradient over the broadcast dims.</summary>
    [FsCheck.NUnit.Property]
    public void BroadcastGradientIsSummedBack(BroadcastPair p)
    {
        var shape = Nd.BroadcastShape(p.A.Shape, p.B.Shape);
        var u = Tensor.Randn(shape, dtype: DType.Float64, generator: new Generator(p.Seed));
        var (ga, gb) = Grads(p, u, (a, b) => a * b);
        var (ea, eb) = Grads(p, u, (a, b) => a.Expand(shape) * b.Expand(shape));
        Expect.Exact(ga, Nd.Of(ea), "implicit vs explicit broadcast, a");
        Expect.Exact(gb, Nd.Of(eb), "implicit vs explicit broadcast, b");

        // d/da Σ u ⊙ (a ⊙ b) at a's element j = Σ over output positions i that read a[j] of u[i] b(i).
        var un = Nd.Of(u);
        Expect.Close(ga, SumBack(Nd.Of(p.A), shape, i => un[i] * Nd.Of(p.B).At(i)), 1e-12, 1e-12, "a gradient vs loops");
        Expect.Close(gb, SumBack(Nd.Of(p.B), shape, i => un[i] * Nd.Of(p.A).At(i)), 1e-12, 1e-12, "b gradient vs loops");
        Expect.Grad("broadcast mul", xs => xs[0] * xs[1], p.Seed, p.A.Tensor(), p.B.Tensor());
    }

    private static (Tensor, Tensor) Grads(BroadcastPair p, Tensor u, Func<Tensor, Tensor, Tensor> f)
    {
        var a = p.A.Tensor(); a.RequiresGrad = true;
        var b = p.B.Tensor(); b.RequiresGrad = true;
        (f(a, b) * u).Sum().Backward();
        return (a.Grad!, b.Grad!);
    }

    private static Nd SumBack(Nd input, int[] outShape, Func<int[], double> term)
    {
        var g = new double[input.Data.Length];
        for (int i = 0; i < Nd.Count(outShape); i++)
        {
            var idx = Nd.Unravel(i, outShape);
            int lead = idx.Length - input.Rank;
            var own = input.Shape.Select((d, k) => d == 1 ? 0 : idx[k + lead]).ToArray();
            g[Nd.Ravel(own, input.Shape)] += term(idx);
        }
        return new Nd(input.Shape, g);
    }

    [Test]
    public void BroadcastExampleFromTheIssue()
    {
        // a [3,1,4] + b [2,1] -> [3,2,4]; a's gradient sums over the 2, b's over the 3 and the 4.
        var a = Tensor.Randn([3, 1, 4], dtype: DType.Float64); a.RequiresGrad = true;
        var b = Tensor.Randn([2, 1], dtype: DType.Float64); b.RequiresGrad = true;
        var y = a + b;
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 3, 2, 4 }));
        y.Sum().Backward();
        Expect.Exact(a.Grad!, new Nd([3, 1, 4], Enumerable.Repeat(2.0, 12).ToArray()));
        Expect.Exact(b.Grad!, new Nd([2, 1], [12.0, 12.0]));
        Expect.Grad("a[3,1,4] * b[2,1]", xs => xs[0] * xs[1], 7, a, b);
    }

    /// <summary>Ties split the gradient equally (the documented rule), so the gradient still sums to 1.</summary>
    [Test]
    public void MaxWithTiesSharesTheGradient()
    {
        var x = Tensor.FromArray([1.0, 3.0, 3.0, 2.0], 4);
        x.RequiresGrad = true;
        x.Max().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0, 0.5, 0.5, 0 }));
    }

    /// <summary>As in PyTorch, an empty tensor reduces over axes that have elements to an empty result (the max of
    /// each of no rows); BadInputTests has the reductions over an axis of size 0, which are errors.</summary>
    [Test]
    public void EmptyTensorsReduceOverAxesThatHaveElements()
    {
        var x = Tensor.Zeros([2, 0], DType.Float64);
        x.RequiresGrad = true;
        Assert.That(x.Max(0).ShapeCopy(), Is.EqualTo(new[] { 0 }));
        Assert.That(x.Min(0, keepDim: true).ShapeCopy(), Is.EqualTo(new[] { 1, 0 }));
        Assert.That(x.ArgMax(0).ShapeCopy(), Is.EqualTo(new[] { 0 }));
        x.Max(0).Sum().Backward();
        Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 2, 0 }));
        // The mean of no elements is NaN (a sum of 0 over a count of 0), the sum 0.
        Assert.That(x.Mean(1).ToArray<double>(), Is.All.NaN);
        Assert.That(x.Mean().Item(), Is.NaN);
        Assert.That(x.Sum(1).ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(x.Mean(0).ShapeCopy(), Is.EqualTo(new[] { 0 }));
    }

    /// <summary>A 0-d tensor takes axis 0 or −1, as in PyTorch: reductions return it, softmax gives 1 (log-softmax 0)
    /// with a zero gradient, argmax 0, transpose and squeeze return it; other axes are still errors.</summary>
    [Test]
    public void ScalarTensorsTakeAxisZeroAndMinusOne()
    {
        var x = Tensor.Scalar(2.5).To(DType.Float64);
        x.RequiresGrad = true;
        foreach (int axis in new[] { 0, -1 })
        {
            Assert.That(x.Sum(axis).Item(), Is.EqualTo(2.5));
            Assert.That(x.Mean(axis, keepDim: true).Item(), Is.EqualTo(2.5));
            Assert.That(x.Max(axis).Item(), Is.EqualTo(2.5));
            Assert.That(x.Min([axis]).ShapeCopy(), Is.Empty);
            Assert.That(x.Softmax(axis).Item(), Is.EqualTo(1.0));
            Assert.That(x.LogSoftmax(axis).Item(), Is.EqualTo(0.0));
            Assert.That(x.ArgMax(axis).Item(), Is.EqualTo(0.0));
            Assert.That(x.Transpose(axis, 0).Item(), Is.EqualTo(2.5));
            Assert.That(x.Squeeze(axis).ShapeCopy(), Is.Empty);
        }
        (x.Sum(0) * 3.0 + x.Softmax(-1)).Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(3.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(-2));
    }
}
