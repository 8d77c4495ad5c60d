using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;
using Pade.Testing;

namespace Pade.Tests;

// ---- the README's "Testing your own op" section, as written there --------------------------------------------------

public static class MyOps
{
    // softplus(x) = log(1 + eˣ), with its closed-form backward: d/dx softplus(x) = σ(x).
    public static Tensor Softplus(Tensor x)
    {
        Tensor y;
        using (Tensor.NoGrad()) y = (x.Exp() + 1.0).Log();
        return Graph.Record(y, "softplus", [x], g => [g * x.Sigmoid()], x);
    }
}

public class MySoftplusTests
{
    [FsCheck.NUnit.Property(MaxTest = 30)]
    public Property SoftplusGradient() => GradProperty.ForAll(MyOps.Softplus, lo: -3, hi: 3, name: "softplus");
}

// ---- and what it catches ------------------------------------------------------------------------------------------

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
        // Shrinking keeps the failure while it drops dimensions: with rank ≥ 2 required, the smallest is [1, 1].
        Assert.That(e.Message, Does.Contain("Shrunk").And.Contain("[1, 1] {"));
        Assert.That(e.Message, Does.Contain("softplus"));
    }

    [Test]
    public void TheReadmeShowsThisFilesCode()
    {
        // The README's block must be the code above (compared without indentation), so the README never shows
        // code that is not compiled and run here.
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) dir = dir.Parent;
        Assume.That(dir, Is.Not.Null, "the repository root (with Engine.sln) is not above the test assembly");
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
        int at = readme.IndexOf("### Testing your own op with Pade.Testing", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), "README section missing");
        int start = readme.IndexOf("```csharp", at, StringComparison.Ordinal) + "```csharp".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var source = File.ReadAllText(Path.Combine(dir.FullName, "Tests", "ReadmeTestingExample.cs"));
        static string Flat(string t) => string.Join("\n", t.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        Assert.That(Flat(source), Does.Contain(Flat(block)));
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
