using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;

namespace Pade.Tests.Engine;

/// <summary>GradCheck itself must be able to fail: a function with a deliberately wrong custom backward
/// (recorded with Graph.Record) is rejected with a report naming the op, the input and the element.</summary>
public class GradCheckTests
{
    /// <summary>y = x² with a chosen backward.</summary>
    private static Tensor SquareWithBackward(Tensor x, Func<Tensor, Tensor, Tensor> backward)
    {
        Tensor y;
        using (Tensor.NoGrad()) y = x * x;
        return Graph.Record(y, "custom_square", [x], g => [backward(g, x)], x);
    }

    private static readonly Tensor[] Input = [Tensor.FromArray([0.5, -1.25, 2.0, 3.0], 2, 2)];

    [Test]
    public void CorrectCustomBackwardPasses()
    {
        var r = GradCheck.Assert("custom_square", xs => SquareWithBackward(xs[0], (g, x) => g * x * 2.0), Input);
        Assert.That(r.Passed, Is.True);
    }

    [Test]
    public void WrongCustomBackwardIsRejected()
    {
        var e = Assert.Throws<GradCheckException>(() =>
            GradCheck.Assert("custom_square", xs => SquareWithBackward(xs[0], (g, x) => g * x * 3.0), Input))!;
        Assert.That(e.Result.Passed, Is.False);
        Assert.That(e.Message, Does.Contain("gradcheck custom_square: FAILED for input 0").And.Contain("analytic").And.Contain("numeric"));
    }

    /// <summary>Small errors too: a backward off by 1% on one element only.</summary>
    [Test]
    public void BackwardWrongOnOneElementByOnePercentIsRejected()
    {
        var r = GradCheck.Run("custom_square", xs => SquareWithBackward(xs[0], (g, x) =>
        {
            var d = (g * x * 2.0).Clone();
            using (Tensor.NoGrad()) d.CopyFrom(d * Tensor.FromArray([1.0, 1.0, 1.01, 1.0], 2, 2));
            return d;
        }), Input);
        Assert.That(r.Passed, Is.False);
        Assert.That(r.WorstIndex, Is.EqualTo(new[] { 1, 0 }));
    }

    /// <summary>A backward that forgets a broadcast input's reduction would give the wrong shape; one that returns
    /// a gradient for the wrong input is caught as a value error.</summary>
    [Test]
    public void GradientSentToTheWrongInputIsRejected()
    {
        Func<Tensor[], Tensor> f = xs =>
        {
            Tensor y;
            using (Tensor.NoGrad()) y = xs[0] * xs[1];
            return Graph.Record(y, "swapped_mul", [xs[0], xs[1]], g => [g * xs[0], g * xs[1]], xs[0], xs[1]);
        };
        var r = GradCheck.Run("swapped_mul", f, [Tensor.FromArray([1.0, 2.0]), Tensor.FromArray([-3.0, 0.5])]);
        Assert.That(r.Passed, Is.False);
    }

    [Test]
    public void OutputThatDoesNotRequireGradIsReported()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GradCheck.Run("detached", xs => xs[0].Detach() * 2.0, Input))!;
        Assert.That(e.Message, Does.Contain("does not require grad"));
    }
}
