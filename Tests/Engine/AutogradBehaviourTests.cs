using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;

namespace Pade.Tests.Engine;

/// <summary>How the graph behaves around the gradients themselves: accumulation, ZeroGrad, Detach, NoGrad,
/// freed graphs, in-place changes of saved tensors, deep graphs.</summary>
public class AutogradBehaviourTests
{
    private static Tensor Leaf(params double[] v)
    {
        var t = Tensor.FromArray(v, v.Length);
        t.RequiresGrad = true;
        return t;
    }

    [Test]
    public void GradientsAccumulateOverTwoBackwardCalls()
    {
        var x = Leaf(1, -2, 3);
        (x * x).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2 + 3.0, -4 + 3.0, 6 + 3.0 }));
    }

    [Test]
    public void ZeroGradClearsTheAccumulatedGradient()
    {
        var x = Leaf(1, 2);
        (x * 5.0).Sum().Backward();
        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
        (x * 7.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 7.0, 7.0 }));
    }

    [Test]
    public void DetachCutsTheGraph()
    {
        var x = Leaf(1, 2);
        var d = x.Detach();
        Assert.That(d.RequiresGrad, Is.False);
        Assert.That(d.GradFn, Is.Null);
        Assert.That(d.Storage, Is.SameAs(x.Storage), "detach shares storage");
        // y = 3x + 5·detach(x): only the first term carries a gradient.
        (x * 3.0 + x.Detach() * 5.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3.0, 3.0 }));
        var e = (x * 2.0).Detach();
        Assert.That(e.RequiresGrad, Is.False);
        Assert.That(e.IsLeaf, Is.True);
    }

    [Test]
    public void NoGradRecordsNothing()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (Tensor.NoGrad())
        {
            using (Tensor.NoGrad()) { }          // nested scopes: leaving the inner one must not re-enable recording
            y = (x * x).Exp().Sum();
            Assert.That(GradMode.IsEnabled, Is.False);
        }
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.GradFn, Is.Null);
        Assert.That(GradMode.IsEnabled, Is.True);
        Assert.That((x * x).RequiresGrad, Is.True, "recording resumes after the scope");
    }

    [Test]
    public void SecondBackwardThroughAFreedGraphThrowsAndRetainGraphAllowsIt()
    {
        var x = Leaf(1, 2);
        var y = (x * x).Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("a second time").And.Contain("retainGraph"));

        var x2 = Leaf(1, 2);
        var y2 = (x2 * x2).Sum();
        y2.Backward(retainGraph: true);
        y2.Backward();
        Assert.That(x2.Grad!.ToArray<double>(), Is.EqualTo(new[] { 4.0, 8.0 }));
    }

    [Test]
    public void InPlaceChangeOfASavedTensorMakesBackwardThrowNamingTheVersion()
    {
        var a = Leaf(1, 2);
        var b = Leaf(3, 4);
        var y = (a * b).Sum();
        using (Tensor.NoGrad()) a.Mul_(2);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("'mul'").And.Contain("modified by an in-place operation")
            .And.Contain("version 1").And.Contain("expected version 0"));
    }

    [Test]
    public void InPlaceOnALeafThatRequiresGradOutsideNoGradIsRefused()
    {
        var a = Leaf(1, 2);
        var e = Assert.Throws<InvalidOperationException>(() => a.Mul_(2))!;
        Assert.That(e.Message, Does.Contain("Mul_").And.Contain("NoGrad"));
    }

    [Test]
    public void BackwardOnATensorThatDoesNotRequireGradSaysSo()
    {
        var y = Tensor.FromArray([1.0, 2.0]).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("does not require grad"));
    }

    [Test]
    public void NonScalarBackwardWithoutAGradientSaysSo()
    {
        var y = Leaf(1, 2, 3) * 2.0;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("scalar").And.Contain("[3]").And.Contain("pass the gradient"));
        y.Backward(Tensor.FromArray([1.0, 0.0, -1.0]));
    }

    [Test]
    public void BackwardWithAGradientOfTheWrongShapeSaysSo()
    {
        var y = Leaf(1, 2, 3) * 2.0;
        var e = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones([2], DType.Float64)))!;
        Assert.That(e.Message, Does.Contain("[2]").And.Contain("[3]"));
    }

    [Test]
    public void BackwardWithAGradientOfTheWrongDTypeSaysSo()
    {
        var y = Leaf(1, 2, 3) * 2.0;
        var e = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones([3], DType.Float32)))!;
        Assert.That(e.Message, Does.Contain("float32").And.Contain("float64"));
    }

    [Test]
    public void InPlaceChangeOfCrossEntropyTargetsIsCaught()
    {
        var logits = Tensor.FromArray([1.0, 2.0, 3.0, 0.5, 0.25, 0.0], 2, 3);
        logits.RequiresGrad = true;
        var targets = Tensor.FromArray([0, 2]);
        var loss = Tensor.CrossEntropy(logits, targets);
        using (Tensor.NoGrad()) targets.CopyFrom(Tensor.FromArray([1, 1]));
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward())!;
        Assert.That(e.Message, Does.Contain("cross_entropy").And.Contain("version"));
    }

    [Test]
    public void TwentyThousandOpChainBackpropagatesWithoutStackOverflow()
    {
        var x0 = Tensor.FromArray([1.0], 1);
        x0.RequiresGrad = true;
        var x = x0;
        for (int i = 0; i < 20_000; i++) x = x * 1.0001;
        x.Sum().Backward();
        Assert.That(x0.Grad!.Item(), Is.EqualTo(Math.Pow(1.0001, 20_000)).Within(1e-9).Percent);
    }

    [Test]
    public void ATensorUsedTwiceGetsBothContributions()
    {
        var x = Leaf(1.5, -2);
        (x * x).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3.0, -4.0 }));
        // Two paths through different ops: d/dx (exp(x) + x·x) = exp(x) + 2x.
        var z = Leaf(0.5);
        var y = z.Exp() + z * z;
        y.Sum().Backward();
        Assert.That(z.Grad!.Item(), Is.EqualTo(Math.Exp(0.5) + 1.0).Within(1e-15));
    }

    [Test]
    public void FloatLeafGetsAFloatGradientThroughFloat64Ops()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        (x.To(DType.Float64) * 3.0).Sum().Backward();
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float32));
        Assert.That(x.Grad.ToArray<float>(), Is.EqualTo(new[] { 3f, 3f }));
    }

    [Test]
    public void IntegerTensorsCannotRequireGrad()
    {
        var t = Tensor.FromArray([1, 2, 3]);
        var e = Assert.Throws<InvalidOperationException>(() => t.RequiresGrad = true)!;
        Assert.That(e.Message, Does.Contain("int32"));
    }

    [Test]
    public void ClearingRequiresGradOnANonLeafIsRefused()
    {
        var y = Leaf(1) * 2.0;
        var e = Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false)!;
        Assert.That(e.Message, Does.Contain("Detach"));
    }
}
