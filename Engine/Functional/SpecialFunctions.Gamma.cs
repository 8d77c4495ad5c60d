namespace Pade.Engine.Functional;

/// <summary>
/// ln|Γ|, digamma, trigamma and the inverse error function, in double, for torch.lgamma, digamma, polygamma(1, ·)
/// and erfinv. .NET has none of them. lgamma is Cephes' lgam (a rational approximation on [2, 3) reached by the
/// recurrence below 13, with the logarithms of the recurrence's factors taken apart; Stirling's series above, the reflection formula below −34): relative error ~1e-15, and
/// near its zeros at 1 and 2 the reduction to x − 2 keeps relative accuracy. digamma and trigamma are PyTorch's
/// calc_digamma and calc_trigamma (recurrence up to 10 or by 6 steps, then the asymptotic series; reflection for
/// x &lt; 0 and x &lt; ½), so the special points are PyTorch's: ψ(±0) = ∓∞, ψ at a negative integer NaN. erfinv is
/// PyTorch's calc_erfinv: a rational first guess, then two Newton steps on <see cref="Erf"/> (full double precision).
/// The CUDA twins (cuda/math.cuh) follow the same formulas.
/// </summary>
public static partial class SpecialFunctions
{
    private const double LogPi = 1.14472988584940017414;      // ln π
    private const double LogSqrt2Pi = 0.91893853320467274178; // ln √(2π)

    private static readonly double[] LgamA =
        [8.11614167470508450300E-4, -5.95061904284301438324E-4, 7.93650340457716943945E-4, -2.77777777730099687205E-3, 8.33333333333331927722E-2];
    private static readonly double[] LgamB =
        [-1.37825152569120859100E3, -3.88016315134637840924E4, -3.31612992738871184744E5, -1.16237097492762307383E6, -1.72173700820839662146E6, -8.53555664245765465627E5];
    private static readonly double[] LgamC =
        [-3.51815701436523470549E2, -1.70642106651881159223E4, -2.20528590553854454839E5, -1.13933444367982507207E6, -2.53252307177582951285E6, -2.01889141433532773231E6];

    /// <summary>Σ c[i] x^(n−i), Horner from c[0].</summary>
    private static double Polevl(double x, double[] c)
    {
        double r = c[0];
        for (int i = 1; i < c.Length; i++) r = r * x + c[i];
        return r;
    }

    /// <summary>As <see cref="Polevl"/> with a leading coefficient 1 not stored.</summary>
    private static double P1evl(double x, double[] c)
    {
        double r = x + c[0];
        for (int i = 1; i < c.Length; i++) r = r * x + c[i];
        return r;
    }

    /// <summary>ln |Γ(x)|: +∞ at the poles (0 and the negative integers) and at ±∞, NaN for NaN, as torch.lgamma.</summary>
    public static double Lgamma(double x)
    {
        if (double.IsNaN(x)) return x;
        if (double.IsInfinity(x)) return double.PositiveInfinity;
        if (x < -34.0)
        {
            double q = -x, w = Lgamma(q), p = Math.Floor(q);
            if (p == q) return double.PositiveInfinity;
            double z = q - p;
            if (z > 0.5) { p += 1.0; z = p - q; }
            z = q * Math.Sin(Math.PI * z);
            return z == 0 ? double.PositiveInfinity : LogPi - Math.Log(z) - w;
        }
        if (x < 13.0)
        {
            // Γ(x) = (num/den)·Γ(u) with u = x + p in [2, 3): down by Γ(u+1) = uΓ(u), up by Γ(u) = Γ(u+1)/u. The
            // logarithms are taken apart (Cephes divides into one z), so that near x = 1 the result is −ln x of
            // the exact x rather than ln of a rounded 1/x (which lost 7e-9 of lgamma(1 + 1e-7), relatively).
            double num = 1.0, den = 1.0, p = 0.0, u = x;
            while (u >= 3.0) { p -= 1.0; u = x + p; num *= u; }
            while (u < 2.0)
            {
                if (u == 0.0) return double.PositiveInfinity;
                den *= u; p += 1.0; u = x + p;
            }
            double logz = Math.Log(Math.Abs(num)) - Math.Log(Math.Abs(den));
            if (u == 2.0) return logz;
            p -= 2.0;
            double t = x + p;   // u − 2, exact
            return logz + t * Polevl(t, LgamB) / P1evl(t, LgamC);
        }
        double r = (x - 0.5) * Math.Log(x) - x + LogSqrt2Pi;
        if (x > 1.0e8) return r;
        double ix2 = 1.0 / (x * x);
        return x >= 1000.0
            ? r + ((7.9365079365079365079365e-4 * ix2 - 2.7777777777777777777778e-3) * ix2 + 0.0833333333333333333333) / x
            : r + Polevl(ix2, LgamA) / x;
    }

    private static readonly double[] DigammaA =
        [8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3, -4.16666666666666666667E-3,
         3.96825396825396825397E-3, -8.33333333333333333333E-3, 8.33333333333333333333E-2];

    /// <summary>ψ(x) as PyTorch's calc_digamma: ψ(+0) = −∞, ψ(−0) = +∞, NaN at the negative integers and at −∞.</summary>
    public static double Digamma(double x)
    {
        const double Psi10 = 2.25175258906672110764;
        if (x == 0) return double.CopySign(double.PositiveInfinity, -x);
        if (x < 0)
        {
            if (x == Math.Truncate(x)) return double.NaN;
            // Reflection: ψ(x) = ψ(1 − x) − π / tan(π·frac(x)).
            double r = x - Math.Truncate(x);
            return Digamma(1 - x) - Math.PI / Math.Tan(Math.PI * r);
        }
        double result = 0;
        while (x < 10) { result -= 1 / x; x += 1; }
        if (x == 10) return result + Psi10;
        double y = 0;
        if (x < 1.0e17)
        {
            double z = 1.0 / (x * x);
            y = z * Polevl(z, DigammaA);
        }
        return result + Math.Log(x) - 0.5 / x - y;
    }

    /// <summary>ψ'(x) as PyTorch's calc_trigamma (torch.polygamma(1, x)): +∞ at 0 and the negative integers. Its
    /// series stops at x^−7 after six steps of the recurrence, ~1e-9 relative, as PyTorch's (digamma's gradient).</summary>
    public static double Trigamma(double x)
    {
        double sign = 1, result = 0;
        if (x < 0.5)
        {
            // Reflection: ψ'(1 − x) + ψ'(x) = π² / sin²(πx).
            sign = -1;
            double s = Math.Sin(Math.PI * (x - Math.Round(x)));   // sin² has period 1; x − round(x) is exact
            result -= Math.PI * Math.PI / (s * s);
            x = 1 - x;
        }
        for (int i = 0; i < 6; i++) { result += 1 / (x * x); x += 1; }
        double ixx = 1 / (x * x);
        result += (1 + 1 / (2 * x) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / x;
        return sign * result;
    }

    /// <summary>erf⁻¹(y) on [−1, 1] (±∞ at ±1, NaN outside), as PyTorch's calc_erfinv: a rational first guess
    /// (relative error ~1e-7), then two Newton steps x −= (erf x − y) / ((2/√π) e^(−x²)).</summary>
    public static double Erfinv(double y, bool single = false)
    {
        double ya = Math.Abs(y);
        if (double.IsNaN(y) || ya > 1) return double.NaN;
        if (ya == 1) return double.CopySign(double.PositiveInfinity, y);
        double x;
        if (ya <= 0.7)
        {
            double z = y * y;
            double num = ((-0.140543331 * z + 0.914624893) * z - 1.645349621) * z + 0.886226899;
            double dem = (((0.012229801 * z - 0.329097515) * z + 1.442710462) * z - 2.118377725) * z + 1;
            x = y * num / dem;
        }
        else
        {
            double z = Math.Sqrt(-Math.Log((1 - ya) / 2));
            double num = ((1.641345311 * z + 3.429567803) * z - 1.624906493) * z - 1.970840454;
            double dem = (1.637067800 * z + 3.543889200) * z + 1;
            x = double.CopySign(num, y) / dem;
        }
        x -= (Erf(x, single) - y) / (TwoOverSqrtPi * Math.Exp(-x * x));
        x -= (Erf(x, single) - y) / (TwoOverSqrtPi * Math.Exp(-x * x));
        return x;
    }
}
