using Pade.Engine;

namespace Pade.Kernels.Parity;

/// <summary>
/// Safe PAU (version A) and RPAU written out in double precision, term by term as the paper states them, for the
/// parity cases of cuda/pau.cu (the formulas are in that file's header). Also returns Σ|term| per coefficient
/// gradient, the scale of the rounding error a float sum of those terms can carry.
/// </summary>
public static class PauReference
{
    /// <summary>The paper's initialisation: Table 6, LReLU(0.01), m = 5, n = 4.</summary>
    public static readonly double[] LeakyReluNumerator = [0.02979246, 0.61837738, 2.32335207, 3.05202660, 1.48548002, 0.25103717];

    /// <inheritdoc cref="LeakyReluNumerator"/>
    public static readonly double[] LeakyReluDenominator = [1.14201226, 4.39322834, 0.87154450, 0.34720652];

    /// <summary>RPAU noise factor 1 + α(2u − 1) of coefficient q (a_0..a_m, then b_1..b_n) at element i, with u
    /// number i·C + q of the NoiseStream (seed, offset): one Philox word for float32, two for float64.</summary>
    public static double NoiseFactor(ulong seed, ulong offset, long i, int q, int columns, double alpha, bool single)
    {
        ulong j = (ulong)i * (ulong)columns + (ulong)q;
        double u;
        if (single) u = (Philox.Word(seed, offset + j) >> 8) * (1.0 / 16777216.0);
        else
        {
            ulong w = offset + 2 * j;
            ulong hi = Philox.Word(seed, w), lo = Philox.Word(seed, w + 1);
            u = (((hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
        }
        return 1 + alpha * (2 * u - 1);
    }

    /// <summary>F(x) for every element; <paramref name="factor"/>(i, q) scales coefficient q at element i (RPAU).</summary>
    public static double[] Forward(double[] x, double[] a, double[] b, Func<long, int, double>? factor = null)
    {
        var y = new double[x.Length];
        int m = a.Length - 1;
        for (long i = 0; i < x.Length; i++)
        {
            double p = 0, q = 1, xi = x[i];
            for (int j = 0; j <= m; j++) p += a[j] * (factor?.Invoke(i, j) ?? 1) * Math.Pow(xi, j);
            for (int k = 1; k <= b.Length; k++) q += Math.Abs(b[k - 1] * (factor?.Invoke(i, m + k) ?? 1)) * Math.Pow(Math.Abs(xi), k);
            y[i] = p / q;
        }
        return y;
    }

    /// <summary>dx, the coefficient gradients da, db, and the Σ|term| of each coefficient gradient.</summary>
    public static (double[] Dx, double[] Da, double[] Db, double[] DaScale, double[] DbScale) Backward(
        double[] x, double[] dy, double[] a, double[] b, Func<long, int, double>? factor = null)
    {
        int m = a.Length - 1, n = b.Length;
        var dx = new double[x.Length];
        double[] da = new double[m + 1], db = new double[n], daScale = new double[m + 1], dbScale = new double[n];
        var ac = new double[m + 1];
        var bc = new double[n + 1];
        for (long i = 0; i < x.Length; i++)
        {
            double xi = x[i], ax = Math.Abs(xi), sx = Math.Sign(xi);
            for (int j = 0; j <= m; j++) ac[j] = a[j] * (factor?.Invoke(i, j) ?? 1);
            for (int k = 1; k <= n; k++) bc[k] = b[k - 1] * (factor?.Invoke(i, m + k) ?? 1);
            double p = 0, dp = 0, aSum = 0, dA = 0;
            for (int j = 0; j <= m; j++)
            {
                p += ac[j] * Math.Pow(xi, j);
                if (j > 0) dp += j * ac[j] * Math.Pow(xi, j - 1);
            }
            for (int k = 1; k <= n; k++)
            {
                aSum += Math.Abs(bc[k]) * Math.Pow(ax, k);
                dA += k * Math.Abs(bc[k]) * Math.Pow(ax, k - 1) * sx;   // A'(x), sign(0) = 0
            }
            double q = 1 + aSum;
            dx[i] = dy[i] * (dp / q - p * dA / (q * q));
            for (int j = 0; j <= m; j++)
            {
                double term = dy[i] * Math.Pow(xi, j) / q * (factor?.Invoke(i, j) ?? 1);
                da[j] += term;
                daScale[j] += Math.Abs(term);
            }
            for (int k = 1; k <= n; k++)
            {
                double term = -dy[i] * p / (q * q) * Math.Sign(bc[k]) * Math.Pow(ax, k) * (factor?.Invoke(i, m + k) ?? 1);
                db[k - 1] += term;
                dbScale[k - 1] += Math.Abs(term);
            }
        }
        return (dx, da, db, daScale, dbScale);
    }
}
