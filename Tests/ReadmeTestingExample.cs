using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;
using Pade.Testing;

namespace Pade.Tests;

// The README's "Testing your own op" block (an op and its GradProperty) is run by Tests/Docs/DocBlockTests.cs;
// here, what the property catches.

public class ReadmeTestingExampleCatches
{
    [Test]
    public void AWrongBackwardIsCaughtAndShrunkToTheSmallestShape()
    {
        // The planted bug: the backward forgets nothing but is 1% off, for every shape.
        static Tensor Wrong(Tensor x)
        {
            Tensor y;
            using (Tensor.NoGrad()) y = (x.Exp() + 1.0).Log();
            return Graph.Record(y, "softplus", [x], g => [g * x.Sigmoid() * 1.01], x);
        }
        var e = Assert.Catch(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true),
            GradProperty.ForAll(Wrong, lo: -3, hi: 3, minRank: 2, name: "softplus")))!;
        TestContext.Out.WriteLine(e.Message);
        // Shrinking keeps the failure while it drops dimensions: with rank ≥ 2 required, the smallest is [1, 1]. The
        // smallest case FsCheck reports is the one after "Shrunk", or the original when that was already [1, 1]
        // ("0 shrinks", about one seed in twelve; asking for "Shrunk" made this test fail on those seeds).
        int shrunk = e.Message.IndexOf("Shrunk", StringComparison.Ordinal);
        Assert.That(shrunk >= 0 ? e.Message[shrunk..] : e.Message, Does.Contain("[1, 1] {"));
        if (shrunk < 0) Assert.That(e.Message, Does.Contain("(0 shrinks)"));
        Assert.That(e.Message, Does.Contain("softplus"));
    }

    [Test]
    public void ShrinkingShortensEachAxisAndDropsSizeOneAxes()
    {
        var s = new Spec([2, 1, 3], [1, 2, 3, 4, 5, 6]);
        var smaller = PadeArb.Shrink(s).ToList();
        Assert.That(smaller.Select(x => Shapes.Format(x.Shape)), Is.EqualTo(new[] { "[1, 1, 3]", "[2, 3]", "[2, 1, 2]" }));
        Assert.That(smaller[0].Values, Is.EqualTo(new double[] { 1, 2, 3 }));
        Assert.That(smaller[2].Values, Is.EqualTo(new double[] { 1, 2, 4, 5 }));
        Assert.That(PadeArb.Shrink(new Spec([1], [7]), minRank: 1), Is.Empty);
    }
}
