using NUnit.Framework;
using Pade.Engine.Functional;

namespace Pade.Tests.Activations;

/// <summary>An independent erf for tests: the alternating Maclaurin series summed in 28-digit decimal arithmetic,
/// erf(z) = (2/√π) Σ (−1)ⁿ z^(2n+1) / (n!(2n+1)). At |z| = 4.3 the largest term is ~1e8, leaving ~20 good digits.</summary>
public static class ErfReference
{
    public static double Erf(double x)
    {
        if (Math.Abs(x) > 4.3) return SpecialFunctions.Erf(x);   // tail: checked separately against erfc values
        // (decimal)x keeps only 15 significant digits: add back the remainder (exact in double) for ~28.
        decimal head = (decimal)x, z = head + (decimal)(x - (double)head), z2 = z * z, power = z, sum = 0;   // power = z^(2n+1)/n!
        for (int n = 0; n < 400; n++)
        {
            decimal term = power / (2 * n + 1);
            sum += n % 2 == 0 ? term : -term;
            if (Math.Abs(term) < 1e-26m) break;
            power = power * z2 / (n + 1);
        }
        return (double)(sum * 1.1283791670955125738961589031m);
    }
}

public class ErfTests
{
    [Test]
    public void ErfMatchesDecimalSeriesToDoublePrecision()
    {
        double worst = 0;
        for (int i = -4300; i <= 4300; i++)
        {
            double x = i * 0.001 + 0.0003;
            worst = Math.Max(worst, Math.Abs(SpecialFunctions.Erf(x) - ErfReference.Erf(x)));
        }
        Assert.That(worst, Is.LessThan(2e-15), "max |erf − reference| over [−4.3, 4.3]");
    }

    // erfc(x) from CPython's math.erfc (the C library's), for the right tail where erf rounds to 1.
    private static readonly (double X, double Erfc)[] Tail =
    [
        (0.5, 0.4795001221869535), (1, 0.15729920705028513), (2, 0.004677734981047265), (2.5, 0.0004069520174449589),
        (3, 2.2090496998585438e-05), (4, 1.541725790028002e-08), (5, 1.5374597944280351e-12), (6, 2.1519736712498916e-17),
        (8, 1.1224297172982928e-29), (10, 2.088487583762545e-45), (20, 5.3958656116079005e-176), (26, 5.663192408856143e-296),
    ];

    [Test]
    public void ErfcHasFullRelativeAccuracyInTheTail()
    {
        // Below 2.5 erfc is 1 − erf (absolute accuracy); from 2.5 on the continued fraction (relative accuracy).
        foreach (var (x, e) in Tail)
            Assert.That(SpecialFunctions.Erfc(x), Is.EqualTo(e).Within(x < 2.5 ? 4e-16 : 2e-14 * e), $"erfc({x})");
    }

    [Test]
    public void FloatVariantIsAccurateToFloatRounding()
    {
        for (int i = -700; i <= 700; i++)
        {
            double x = i * 0.01 + 0.003;
            Assert.That(SpecialFunctions.Erf(x, single: true), Is.EqualTo(SpecialFunctions.Erf(x)).Within(1e-8), $"erf({x})");
        }
    }

    [Test]
    public void SymmetryAndLimits()
    {
        Assert.That(SpecialFunctions.Erf(0), Is.EqualTo(0));
        Assert.That(SpecialFunctions.Erf(-1.7), Is.EqualTo(-SpecialFunctions.Erf(1.7)));
        Assert.That(SpecialFunctions.Erf(double.PositiveInfinity), Is.EqualTo(1));
        Assert.That(SpecialFunctions.Erfc(double.NegativeInfinity), Is.EqualTo(2));
        Assert.That(double.IsNaN(SpecialFunctions.Erf(double.NaN)));
        Assert.That(SpecialFunctions.NormalCdf(-10), Is.EqualTo(7.619853024160593e-24).Within(1e-13 * 7.6e-24));
    }
}
