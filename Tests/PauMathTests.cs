using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine.Functional;

namespace Pade.Tests;

/// <summary>The scalar PAU reference <see cref="PauMath"/>: formulas, closed-form gradients, sign(0), validation.</summary>
public class PauMathTests
{
    static readonly PauVersion[] Versions = [PauVersion.A, PauVersion.B, PauVersion.C, PauVersion.D];

    /// <summary>One random draw: pools of coefficients (every (m, n) takes a prefix) and an input x.</summary>
    public sealed record Draw(double[] APool, double[] BPool, double X)
    {
        public override string ToString() =>
            $"a = [{string.Join(", ", APool)}], b = [{string.Join(", ", BPool)}], x = {X}";
    }

    /// <summary>Coefficients in [−1.5, 1.5]; x in ±[0.1, 2] (away from version A's kink at 0).</summary>
    static Arbitrary<Draw> Draws()
    {
        var coef = Gen.Choose(-1_500_000, 1_500_000).Select(i => i / 1e6);
        var x = Gen.Choose(100_000, 2_000_000).SelectMany(mag => Gen.Elements(-1.0, 1.0), (mag, s) => s * mag / 1e6);
        var gen = Gen.ArrayOf(coef, 7).SelectMany(a => Gen.ArrayOf(coef, 6), (a, b) => (a, b))
            .SelectMany(ab => x, (ab, xv) => new Draw(ab.a, ab.b, xv));
        return Arb.From(gen);
    }

    /// <summary>The inner polynomial of B, C, D: Σ_{k=1..n} b_k x^k, or Σ_{k=0..n} for C.</summary>
    static double Inner(double x, double[] b, PauVersion v)
    {
        double s = 0;
        for (int i = 0; i < b.Length; i++) s += b[i] * Math.Pow(x, v == PauVersion.C ? i : i + 1);
        return s;
    }

    /// <summary>Straight from the formulas, with Math.Pow: an independent check of the Horner evaluation.</summary>
    static double Naive(double x, double[] a, double[] b, PauVersion v)
    {
        double p = 0;
        for (int j = 0; j < a.Length; j++) p += a[j] * Math.Pow(x, j);
        double q = v switch
        {
            PauVersion.A => 1 + b.Select((bk, i) => Math.Abs(bk * Math.Pow(x, i + 1))).Sum(),
            PauVersion.C => 0.1 + Math.Abs(Inner(x, b, v)),
            _ => 1 + Math.Abs(Inner(x, b, v)),
        };
        return p / q;
    }

    static void AssertClose(double analytic, double fd, double f, string what)
    {
        double tol = 1e-7 * (1 + Math.Abs(analytic) + Math.Abs(f));
        Assert.That(analytic, Is.EqualTo(fd).Within(tol), what);
    }

    /// <summary>
    /// ∂F/∂x, ∂F/∂a_j, ∂F/∂b_k against float64 central differences, for every version and every (m, n) in
    /// 1..6 × 1..5 of each draw; points within 1e−3 of a kink (|A(x)| for B/C/D, |b_k| for A) are skipped.
    /// </summary>
    [FsCheck.NUnit.Property(MaxTest = 100)]
    public Property GradientsMatchCentralDifferences() => Prop.ForAll(Draws(), d =>
    {
        const double h = 1e-6;
        int checkedCases = 0;
        foreach (var v in Versions)
            for (int m = 1; m <= 6; m++)
                for (int n = 1; n <= 5; n++)
                {
                    var a = d.APool[..(m + 1)];
                    var b = d.BPool[..PauMath.DenominatorLength(v, n)];
                    double x = d.X;
                    if (v == PauVersion.A ? b.Any(bk => Math.Abs(bk) < 1e-3) : Math.Abs(Inner(x, b, v)) < 1e-3) continue;
                    checkedCases++;
                    var dA = new double[a.Length];
                    var dB = new double[b.Length];
                    double dx = PauMath.Gradients(x, a, b, v, dA, dB, out double f);
                    string at = $"{v} m={m} n={n}";
                    Assert.That(f, Is.EqualTo(Naive(x, a, b, v)).Within(1e-12 * (1 + Math.Abs(f))), $"{at}: F");
                    Assert.That(PauMath.Evaluate(x, a, b, v), Is.EqualTo(f), $"{at}: Evaluate = Gradients' value");
                    AssertClose(dx, (PauMath.Evaluate(x + h, a, b, v) - PauMath.Evaluate(x - h, a, b, v)) / (2 * h), f, $"{at}: dF/dx");
                    for (int j = 0; j < a.Length; j++)
                        AssertClose(dA[j], CentralDifference(a, j, h, c => PauMath.Evaluate(x, c, b, v)), f, $"{at}: dF/da_{j}");
                    for (int k = 0; k < b.Length; k++)
                        AssertClose(dB[k], CentralDifference(b, k, h, c => PauMath.Evaluate(x, a, c, v)), f, $"{at}: dF/db[{k}]");
                }
        // 4 versions × 30 degree pairs; only a draw landing next to a kink skips a few.
        Assert.That(checkedCases, Is.GreaterThan(60), "too many cases skipped next to kinks");
    });

    static double CentralDifference(double[] c, int i, double h, Func<double[], double> f)
    {
        var plus = (double[])c.Clone(); plus[i] += h;
        var minus = (double[])c.Clone(); minus[i] -= h;
        return (f(plus) - f(minus)) / (2 * h);
    }

    [Test]
    public void SignOfZeroIsPlusOne()
    {
        Assert.That(PauMath.Sign(0.0), Is.EqualTo(1.0));
        Assert.That(PauMath.Sign(-0.0), Is.EqualTo(1.0), "decided on the value, not the sign bit (unlike copysign)");
        Assert.That(PauMath.Sign(-double.Epsilon), Is.EqualTo(-1.0));
        Assert.That(PauMath.Sign(3.0), Is.EqualTo(1.0));
    }

    [Test]
    public void VersionAAtZeroTakesTheRightDerivative()
    {
        // F = 1 / (1 + 2|x|): right derivative at 0 is −2, left +2; sign(0) = +1 picks −2 for +0 and −0 alike.
        double[] a = [1.0], b = [2.0];
        var dA = new double[1]; var dB = new double[1];
        Assert.That(PauMath.Gradients(0.0, a, b, PauVersion.A, dA, dB), Is.EqualTo(-2.0));
        Assert.That(dB[0], Is.EqualTo(0.0), "∂F/∂b_1 = −P/Q²·sgn(b_1)·|x| vanishes at x = 0");
        Assert.That(PauMath.Gradients(-0.0, a, b, PauVersion.A, dA, dB), Is.EqualTo(-2.0));
        Assert.That(PauMath.Gradients(-1e-300, a, b, PauVersion.A, dA, dB), Is.EqualTo(2.0).Within(1e-12));
    }

    [Test]
    public void VersionAZeroCoefficientStillGetsAGradient()
    {
        // ∂F/∂b_1 = −P/Q²·sgn(b_1)·|x| with sgn(0) = +1: −1·1·0.5 at x = 0.5, for b_1 = +0 and −0.
        double[] a = [1.0];
        var dA = new double[1]; var dB = new double[1];
        PauMath.Gradients(0.5, a, [0.0], PauVersion.A, dA, dB);
        Assert.That(dB[0], Is.EqualTo(-0.5));
        PauMath.Gradients(0.5, a, [-0.0], PauVersion.A, dA, dB);
        Assert.That(dB[0], Is.EqualTo(-0.5));
        PauMath.Gradients(0.5, a, [-0.25], PauVersion.A, dA, dB);
        Assert.That(dB[0], Is.EqualTo(0.5 / (1.125 * 1.125)).Within(1e-15), "sgn(b) < 0 flips it");
    }

    [Test]
    public void VersionsBCDAtAZeroOfTheInnerPolynomialUseSignPlusOne()
    {
        var dA = new double[1];
        // B and D: A(x) = −2x, A(0) = 0 → Q' = +1·A'(0) = −2 → ∂F/∂x = −P·Q'/Q² = +2 (the left derivative).
        foreach (var v in new[] { PauVersion.B, PauVersion.D })
        {
            var dB = new double[1];
            Assert.That(PauMath.Gradients(0.0, [1.0], [-2.0], v, dA, dB), Is.EqualTo(2.0), $"{v}");
            Assert.That(PauMath.Gradients(-0.0, [1.0], [-2.0], v, dA, dB), Is.EqualTo(2.0), $"{v}, x = −0");
        }
        // C: A(x) = 0 + x at x = 0 → Q = 0.1, Q' = +1 → ∂F/∂x = −1/0.01, ∂F/∂b_0 = −P/Q²·(+1) = −100.
        var dC = new double[2];
        Assert.That(PauMath.Gradients(0.0, [1.0], [0.0, 1.0], PauVersion.C, dA, dC), Is.EqualTo(-100.0).Within(1e-12));
        Assert.That(dC[0], Is.EqualTo(-100.0).Within(1e-12));
        Assert.That(dC[1], Is.EqualTo(0.0));
    }

    [Test]
    public void KnownValues()
    {
        // A: (1 + 2x + 3x²) / (1 + |−1|·|x| + |2|·x²) at x = −2: 9 / 11.
        Assert.That(PauMath.Evaluate(-2, [1, 2, 3], [-1, 2], PauVersion.A), Is.EqualTo(9.0 / 11).Within(1e-15));
        // B: 9 / (1 + |−1·(−2) + 2·4|) = 9 / 11 too; with b_1 = +1: 9 / (1 + |−2 + 8|) = 9 / 7.
        Assert.That(PauMath.Evaluate(-2, [1, 2, 3], [1, 2], PauVersion.B), Is.EqualTo(9.0 / 7).Within(1e-15));
        Assert.That(PauMath.Evaluate(-2, [1, 2, 3], [1, 2], PauVersion.D), Is.EqualTo(9.0 / 7).Within(1e-15));
        // C: 9 / (0.1 + |−5 + 1·(−2) + 2·4|) = 9 / 1.1.
        Assert.That(PauMath.Evaluate(-2, [1, 2, 3], [-5, 1, 2], PauVersion.C), Is.EqualTo(9.0 / 1.1).Within(1e-14));
        // n = 0: a polynomial.
        Assert.That(PauMath.Evaluate(2, [1, 1], [], PauVersion.A), Is.EqualTo(3.0));
        Assert.That(PauMath.Evaluate(2, [1, 1], [0.9], PauVersion.C), Is.EqualTo(3.0).Within(1e-15));
    }

    [Test]
    public void BackwardSumsThePerElementGradients()
    {
        double[] a = [0.1, 0.9, 0.3, 0.2], b = [0.5, 1.5, 0.25];
        double[] x = [-1.5, -0.2, 0.7, 2.0], dy = [1.0, -2.0, 0.5, 3.0];
        var y = new double[4]; var dx = new double[4]; var dA = new double[4]; var dB = new double[3];
        PauMath.Forward(x, y, a, b, PauVersion.A);
        PauMath.Backward(x, dy, a, b, PauVersion.A, dx, dA, dB);
        var ga = new double[4]; var gb = new double[3];
        double[] sumA = new double[4], sumB = new double[3];
        for (int i = 0; i < 4; i++)
        {
            Assert.That(y[i], Is.EqualTo(PauMath.Evaluate(x[i], a, b, PauVersion.A)));
            Assert.That(dx[i], Is.EqualTo(dy[i] * PauMath.Gradients(x[i], a, b, PauVersion.A, ga, gb)));
            for (int j = 0; j < 4; j++) sumA[j] += dy[i] * ga[j];
            for (int k = 0; k < 3; k++) sumB[k] += dy[i] * gb[k];
        }
        Assert.That(dA, Is.EqualTo(sumA));
        Assert.That(dB, Is.EqualTo(sumB));
    }

    [Test]
    public void LayoutHelpers()
    {
        Assert.That(PauMath.NumeratorLength(5), Is.EqualTo(6));
        Assert.That(PauMath.DenominatorLength(PauVersion.A, 4), Is.EqualTo(4));
        Assert.That(PauMath.DenominatorLength(PauVersion.B, 4), Is.EqualTo(4));
        Assert.That(PauMath.DenominatorLength(PauVersion.C, 4), Is.EqualTo(5));
        Assert.That(PauMath.DenominatorLength(PauVersion.D, 4), Is.EqualTo(4));
        Assert.That(PauMath.DenominatorDegree(PauVersion.C, 5), Is.EqualTo(4));
        Assert.That(PauMath.DenominatorDegree(PauVersion.A, 4), Is.EqualTo(4));
        Assert.DoesNotThrow(() => PauMath.ValidateLengths(5, 4, PauVersion.C, 6, 5));
    }

    [Test]
    public void BadInputsNameTheParameterAndTheLengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => PauMath.Evaluate(1, [], [1.0], PauVersion.A))!;
        Assert.That(ex.ParamName, Is.EqualTo("a"));
        Assert.That(ex.Message, Does.Contain("got 0"));

        ex = Assert.Throws<ArgumentException>(() => PauMath.Evaluate(1, [1.0], [], PauVersion.C))!;
        Assert.That(ex.ParamName, Is.EqualTo("b"));

        ex = Assert.Throws<ArgumentException>(() => PauMath.Gradients(1, [1.0, 2.0], [1.0], PauVersion.A, new double[3], new double[1]))!;
        Assert.That(ex.ParamName, Is.EqualTo("dA"));
        Assert.That(ex.Message, Does.Contain("expected length 2, got 3"));

        ex = Assert.Throws<ArgumentException>(() => PauMath.Gradients(1, [1.0], [1.0, 2.0], PauVersion.B, new double[1], new double[1]))!;
        Assert.That(ex.ParamName, Is.EqualTo("dB"));
        Assert.That(ex.Message, Does.Contain("expected length 2, got 1"));

        ex = Assert.Throws<ArgumentException>(() => PauMath.ValidateLengths(5, 4, PauVersion.A, 5, 4))!;
        Assert.That(ex.ParamName, Is.EqualTo("a"));
        Assert.That(ex.Message, Does.Contain("expected length 6, got 5"));

        ex = Assert.Throws<ArgumentException>(() => PauMath.ValidateLengths(5, 4, PauVersion.C, 6, 4))!;
        Assert.That(ex.ParamName, Is.EqualTo("b"));
        Assert.That(ex.Message, Does.Contain("b_0..b_4").And.Contain("expected length 5, got 4"));

        var neg = Assert.Throws<ArgumentOutOfRangeException>(() => PauMath.NumeratorLength(-1))!;
        Assert.That(neg.ParamName, Is.EqualTo("m"));
        neg = Assert.Throws<ArgumentOutOfRangeException>(() => PauMath.DenominatorLength(PauVersion.B, -2))!;
        Assert.That(neg.ParamName, Is.EqualTo("n"));
        Assert.Throws<ArgumentOutOfRangeException>(() => PauMath.Evaluate(1, [1.0], [1.0], (PauVersion)7));

        ex = Assert.Throws<ArgumentException>(() => PauMath.Backward([1.0, 2.0], [1.0], [1.0], [1.0], PauVersion.A,
            new double[2], new double[1], new double[1]))!;
        Assert.That(ex.ParamName, Is.EqualTo("dy"));
        Assert.That(ex.Message, Does.Contain("expected length 2, got 1"));
    }
}
