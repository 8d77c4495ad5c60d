using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>The comparison every value test goes through: a NaN, or an infinity, matches only itself.</summary>
public class ExpectTests
{
    [Test]
    public void NaNAndInfinitiesMatchOnlyThemselves()
    {
        Assert.That(Expect.Near(double.NaN, 1, 10), Is.False, "a NaN where a number is expected");
        Assert.That(Expect.Near(1, double.NaN, 10), Is.False, "a number where NaN is expected");
        Assert.That(Expect.Near(double.NaN, double.NaN, 0), Is.True);
        Assert.That(Expect.Near(double.PositiveInfinity, double.PositiveInfinity, 0), Is.True);
        Assert.That(Expect.Near(double.MaxValue, double.PositiveInfinity, 1e300), Is.False);
        Assert.That(Expect.Near(double.NegativeInfinity, 1, double.PositiveInfinity), Is.False);
        Assert.That(Expect.Near(1.5, 1.0, 0.5), Is.True);
        Assert.Throws<AssertionException>(() => Expect.Close(Tensor.FromArray(new double[] { double.NaN }), Nd.Of(Tensor.FromArray(new double[] { 0.0 })), 1, 1));
    }
}
