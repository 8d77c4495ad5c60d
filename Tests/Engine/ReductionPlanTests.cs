using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>The pass plan both backends follow (ReductionPlan): runs of adjacent axes, the last run first.</summary>
public class ReductionPlanTests
{
    [Test]
    public void AdjacentAxesMakeOnePass() =>
        Assert.That(ReductionPlan.Passes([2, 3, 4, 5], [1, 2]), Is.EqualTo(new[] { new ReductionPass(2, 12, 5) }));

    [Test]
    public void SeparateRunsGoLastFirstOnTheShrunkenShape() =>
        Assert.That(ReductionPlan.Passes([2, 3, 4, 5], [0, 2]),
            Is.EqualTo(new[] { new ReductionPass(6, 4, 5), new ReductionPass(1, 2, 15) }));

    [Test]
    public void NoAxesNoPasses() => Assert.That(ReductionPlan.Passes([2, 3], []), Is.Empty);

    /// <summary>On random shapes and axis sets: each pass reads what the previous one wrote, and the last writes the
    /// element count of the kept axes.</summary>
    [FsCheck.NUnit.Property(MaxTest = 200)]
    public void PassesChainAndEndAtTheKeptSize(FsCheck.NonEmptyArray<FsCheck.PositiveInt> dims, int mask)
    {
        var shape = dims.Get.Take(6).Select(d => d.Get % 5 + 1).ToArray();
        var axes = Enumerable.Range(0, shape.Length).Where(i => (mask >> i & 1) == 1).ToArray();
        var passes = ReductionPlan.Passes(shape, axes);
        long numel = shape.Aggregate(1L, (a, d) => a * d), kept = numel;
        foreach (var a in axes) kept /= shape[a];
        long reads = numel;
        foreach (var p in passes)
        {
            Assert.That(p.Outer * p.Length * p.Inner, Is.EqualTo(reads));
            reads = p.Outer * p.Inner;
        }
        Assert.That(reads, Is.EqualTo(kept));
        Assert.That(passes.Length, Is.LessThanOrEqualTo(axes.Length));
    }
}
