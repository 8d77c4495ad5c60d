using Pade.Engine;

namespace Pade.Kernels.Parity;

/// <summary>
/// The PAU (versions A, B/D, C), per-channel coefficients and RPAU noise written out in double precision term by
/// term as cuda/pau.cu's header states them, for the parity cases. sgn(v) = −1 for v &lt; 0, +1 otherwise (also at
/// 0), as the Engine's PAU. Also returns Σ|term| per coefficient gradient, the scale of the rounding error a
/// float sum of those terms can carry.
/// </summary>
public static class PauReference
{
    /// <summary>The paper's initialisation: Table 6, LReLU(0.01), m = 5, n = 4.</summary>
    public static readonly double[] LeakyReluNumerator = [0.02979246, 0.61837738, 2.32335207, 3.05202660, 1.48548002, 0.25103717];

    /// <inheritdoc cref="LeakyReluNumerator"/>
    public static readonly double[] LeakyReluDenominator = [1.14201226, 4.39322834, 0.87154450, 0.34720652];

    /// <summary>Where the elements' coefficients come from: x as [Outer, Channels, Inner], row c of a and b.</summary>
    public readonly record struct Layout(long Outer, int Channels, long Inner)
    {
        public static Layout Shared(long count) => new(1, 1, count);
        public int ChannelOf(long i) => (int)(i / Inner % Channels);
    }

    private static double Sgn(double v) => v < 0 ? -1 : 1;

    /// <summary>RPAU noise factor 1 + α(2u − 1) of coefficient q (a_0..a_m, then the denominator's) at element i,
    /// with u number i·K + q of the NoiseStream (seed, offset): one Philox word for float32, two for float64.</summary>
    public static double NoiseFactor(ulong seed, ulong offset, long i, int q, int k, double alpha, bool single)
    {
        ulong j = (ulong)i * (ulong)k + (ulong)q;
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

    /// <summary>P, P', Q, Q', the sign s and basis u of one element (formula: 'A', 'B' or 'C').</summary>
    /// <summary>Σ|a_j x^j|, Σ|j a_j x^(j−1)|, and the same for the denominator's polynomial: the scales of the
    /// rounding errors of P, P', Q, Q' (cancellation can make P much smaller than its terms).</summary>
    private static (double Sp, double Sdp, double Sq, double Sdq) AbsoluteSums(char formula, double x, double[] a, double[] b)
    {
        double sp = 0, sdp = 0, sq = 0, sdq = 0, t = Math.Abs(x);
        for (int j = 0; j < a.Length; j++)
        {
            sp += Math.Abs(a[j]) * Math.Pow(t, j);
            if (j > 0) sdp += j * Math.Abs(a[j]) * Math.Pow(t, j - 1);
        }
        int first = formula == 'C' ? 0 : 1;
        for (int k = 0; k < b.Length; k++)
        {
            int power = k + first;
            sq += Math.Abs(b[k]) * Math.Pow(t, power);
            if (power > 0) sdq += power * Math.Abs(b[k]) * Math.Pow(t, power - 1);
        }
        return (sp, sdp, sq, sdq);
    }

    private static (double P, double Dp, double Q, double Dq, double S, double U) Terms(char formula, double x, double[] a, double[] b)
    {
        double p = 0, dp = 0;
        for (int j = 0; j < a.Length; j++)
        {
            p += a[j] * Math.Pow(x, j);
            if (j > 0) dp += j * a[j] * Math.Pow(x, j - 1);
        }
        switch (formula)
        {
            case 'A':
            {
                double q = 1, dq = 0, t = Math.Abs(x);
                for (int k = 1; k <= b.Length; k++)
                {
                    q += Math.Abs(b[k - 1]) * Math.Pow(t, k);
                    dq += k * Math.Abs(b[k - 1]) * Math.Pow(t, k - 1);
                }
                return (p, dp, q, Sgn(x) * dq, 1, t);
            }
            case 'B':
            {
                double inner = 0, di = 0;
                for (int k = 1; k <= b.Length; k++)
                {
                    inner += b[k - 1] * Math.Pow(x, k);
                    di += k * b[k - 1] * Math.Pow(x, k - 1);
                }
                return (p, dp, 1 + Math.Abs(inner), Sgn(inner) * di, Sgn(inner), x);
            }
            default:
            {
                double r = 0, dr = 0;
                for (int k = 0; k < b.Length; k++)
                {
                    r += b[k] * Math.Pow(x, k);
                    if (k > 0) dr += k * b[k] * Math.Pow(x, k - 1);
                }
                return (p, dp, 0.1 + Math.Abs(r), Sgn(r) * dr, Sgn(r), x);
            }
        }
    }

    private static (double[] A, double[] B, double[] Fa, double[] Fb) ElementCoefficients(
        long i, double[] a, double[] b, int na, int nb, Layout layout, Func<long, int, double>? factor)
    {
        int c = layout.ChannelOf(i);
        var ac = new double[na];
        var bc = new double[nb];
        var fa = new double[na];
        var fb = new double[nb];
        for (int j = 0; j < na; j++) { fa[j] = factor?.Invoke(i, j) ?? 1; ac[j] = a[c * na + j] * fa[j]; }
        for (int k = 0; k < nb; k++) { fb[k] = factor?.Invoke(i, na + k) ?? 1; bc[k] = b[c * nb + k] * fb[k]; }
        return (ac, bc, fa, fb);
    }

    /// <summary>F(x) for every element (a [C·na] and b [C·nb] hold one row per channel), and the scale of each
    /// element's rounding error, (Σ|a_j x^j| + |F|·Σ|b_k u^k|) / Q.</summary>
    public static (double[] Y, double[] Scale) ForwardWithScale(char formula, double[] x, double[] a, double[] b, int na, Layout layout,
        Func<long, int, double>? factor = null)
    {
        int nb = b.Length / layout.Channels;
        var y = new double[x.Length];
        var scale = new double[x.Length];
        for (long i = 0; i < x.Length; i++)
        {
            var (ac, bc, _, _) = ElementCoefficients(i, a, b, na, nb, layout, factor);
            var (p, _, q, _, _, _) = Terms(formula, x[i], ac, bc);
            var (sp, _, sq, _) = AbsoluteSums(formula, x[i], ac, bc);
            y[i] = p / q;
            scale[i] = (sp + Math.Abs(y[i]) * sq) / q;
        }
        return (y, scale);
    }

    /// <summary>Safe PAU (version A) with shared coefficients.</summary>
    public static double[] Forward(double[] x, double[] a, double[] b, Func<long, int, double>? factor = null) =>
        ForwardWithScale('A', x, a, b, a.Length, Layout.Shared(x.Length), factor).Y;

    /// <summary>The backward's outputs and the scales of their rounding errors.</summary>
    public sealed record Gradients(double[] Dx, double[] Da, double[] Db, double[] DxScale, double[] DaScale, double[] DbScale);

    /// <summary>dx, the coefficient gradients da [C·na], db [C·nb], and the scale of each one's rounding error
    /// (for the coefficient gradients: Σ over the elements of each term's error scale).</summary>
    public static Gradients Backward(char formula, double[] x, double[] dy, double[] a, double[] b, int na, Layout layout,
        Func<long, int, double>? factor = null)
    {
        int nb = b.Length / layout.Channels;
        var dx = new double[x.Length];
        var dxScale = new double[x.Length];
        double[] da = new double[a.Length], db = new double[b.Length], daScale = new double[a.Length], dbScale = new double[b.Length];
        for (long i = 0; i < x.Length; i++)
        {
            int c = layout.ChannelOf(i);
            var (ac, bc, fa, fb) = ElementCoefficients(i, a, b, na, nb, layout, factor);
            var (p, dp, q, dq, s, u) = Terms(formula, x[i], ac, bc);
            var (sp, sdp, sq, sdq) = AbsoluteSums(formula, x[i], ac, bc);
            double g = Math.Abs(dy[i]), relQ = 1 + sq / q;
            dx[i] = dy[i] * (dp / q - p * dq / (q * q));
            dxScale[i] = g * (sdp + sp * sdq / q) / q * relQ * relQ;
            for (int j = 0; j < na; j++)
            {
                double term = dy[i] * Math.Pow(x[i], j) / q * fa[j];
                da[c * na + j] += term;
                daScale[c * na + j] += Math.Abs(term) * relQ;
            }
            for (int k = 0; k < nb; k++)
            {
                double sign = formula == 'A' ? Sgn(bc[k]) : s;
                double power = formula == 'C' ? Math.Pow(u, k) : Math.Pow(u, k + 1);
                double term = -dy[i] * p / (q * q) * sign * power * fb[k];
                db[c * nb + k] += term;
                dbScale[c * nb + k] += g * (sp + Math.Abs(p) * sq / q) / (q * q) * Math.Abs(power) * fb[k] * relQ;
            }
        }
        return new Gradients(dx, da, db, dxScale, daScale, dbScale);
    }

    /// <summary>Safe PAU (version A) with shared coefficients.</summary>
    public static Gradients Backward(double[] x, double[] dy, double[] a, double[] b, Func<long, int, double>? factor = null) =>
        Backward('A', x, dy, a, b, a.Length, Layout.Shared(x.Length), factor);
}
