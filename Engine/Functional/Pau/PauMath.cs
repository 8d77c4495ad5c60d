namespace Pade.Engine.Functional;

/// <summary>
/// Scalar float64 reference of a Padé Activation Unit: its value and its closed-form gradients (paper §2.2).
/// The fused CPU/CUDA kernels mirror this code; their tests compare against it.
/// <para>
/// F(x) = P(x) / Q(x),  P(x) = a_0 + a_1 x + ... + a_m x^m  (a holds a_0..a_m, length m + 1), and Q by version
/// (<see cref="PauVersion"/>):
/// <list type="bullet">
/// <item>A: Q = 1 + Σ_{k=1..n} |b_k| |x|^k            (b = b_1..b_n, length n)</item>
/// <item>B, D: Q = 1 + |A(x)|,   A(x) = Σ_{k=1..n} b_k x^k  (b = b_1..b_n, length n)</item>
/// <item>C: Q = 0.1 + |A(x)|, A(x) = Σ_{k=0..n} b_k x^k  (b = b_0..b_n, length n + 1)</item>
/// </list>
/// Gradients, with P'(x) = Σ_{j=1..m} j a_j x^(j−1) and −P/Q² shared by all coefficient gradients:
/// <list type="bullet">
/// <item>∂F/∂x = P'(x)/Q − P(x)·Q'(x)/Q², where
///   Q' = sgn(x)·Σ_k k |b_k| |x|^(k−1) (A) and Q' = sgn(A(x))·A'(x) (B, C, D)</item>
/// <item>∂F/∂a_j = x^j / Q</item>
/// <item>A: ∂F/∂b_k = −P/Q² · sgn(b_k) · |x|^k;   B, C, D: ∂F/∂b_k = −P/Q² · sgn(A(x)) · x^k (x^0 = 1 for C's b_0)</item>
/// </list>
/// </para>
/// <para>
/// <b>sign(0) convention</b> (<see cref="Sign"/>): sgn(v) = −1 for v &lt; 0 and +1 otherwise, so sgn(+0) = sgn(−0) = +1.
/// This is the official CUDA kernel's <c>copysign(1, v)</c> for every v except −0 (where copysign gives −1); we
/// decide on the value, not the sign bit, so the result does not depend on how a zero was produced. At a kink
/// (x = 0 in A, A(x) = 0 in B/C/D) ∂F/∂x is therefore the one-sided derivative for which the inner quantity is
/// taken as non-negative, and a coefficient b_k = 0 of version A still gets the gradient −P/Q²·|x|^k, so it can
/// leave zero under gradient descent (with PyTorch autograd's sign(0) = 0 it would stay stuck at zero).
/// </para>
/// <para>
/// P and P' are evaluated together by Horner's rule, and so are the inner polynomial of Q and its derivative; one
/// forward sweep of powers then fills the coefficient gradients.
/// </para>
/// </summary>
public static class PauMath
{
    /// <summary>The ε of version C: Q = ε + |b_0 + b_1 x + ... + b_n x^n| ≥ ε (official value 0.1).</summary>
    public const double VersionCEpsilon = 0.1;

    /// <summary>The sign used in every gradient: −1 for v &lt; 0, otherwise +1 (so sign(±0) = +1; NaN gives +1).</summary>
    public static double Sign(double v) => v < 0 ? -1.0 : 1.0;

    /// <summary>Number of numerator coefficients a_0..a_m for degree m (m + 1).</summary>
    public static int NumeratorLength(int m)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, $"The numerator degree m must be ≥ 0, got {m}.");
        return m + 1;
    }

    /// <summary>Number of denominator coefficients for degree n: n for A, B, D (b_1..b_n); n + 1 for C (b_0..b_n).</summary>
    public static int DenominatorLength(PauVersion version, int n)
    {
        CheckVersion(version);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"The denominator degree n must be ≥ 0, got {n}.");
        return version == PauVersion.C ? n + 1 : n;
    }

    /// <summary>The denominator degree n that a coefficient vector of <paramref name="length"/> entries encodes.</summary>
    public static int DenominatorDegree(PauVersion version, int length)
    {
        CheckVersion(version);
        int n = version == PauVersion.C ? length - 1 : length;
        if (n < 0) throw new ArgumentException(
            $"Version C's denominator holds b_0..b_n: expected length n + 1 ≥ 1, got {length}.", nameof(length));
        return n;
    }

    /// <summary>
    /// Checks that <paramref name="aLength"/> and <paramref name="bLength"/> are the coefficient counts of degrees
    /// (m, n) in <paramref name="version"/>; throws an <see cref="ArgumentException"/> naming the parameter, the
    /// expected and the actual length otherwise.
    /// </summary>
    public static void ValidateLengths(int m, int n, PauVersion version, int aLength, int bLength)
    {
        int expectedA = NumeratorLength(m), expectedB = DenominatorLength(version, n);
        if (aLength != expectedA) throw new ArgumentException(
            $"Numerator coefficients a_0..a_{m} of degree m = {m}: expected length {expectedA}, got {aLength}.", "a");
        if (bLength != expectedB) throw new ArgumentException(
            $"Denominator coefficients of version {version}, degree n = {n} ({DenominatorLayout(version, n)}): " +
            $"expected length {expectedB}, got {bLength}.", "b");
    }

    /// <summary>F(x) = P(x) / Q(x) in the given version; the degrees are read from the lengths of a and b.</summary>
    public static double Evaluate(double x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, PauVersion version)
    {
        CheckCoefficients(a, b, version);
        Core(x, a, b, version, out double p, out _, out double q, out _, out _);
        return p / q;
    }

    /// <summary>
    /// Writes ∂F/∂a_j into <paramref name="dA"/> (length of a) and ∂F/∂b_k into <paramref name="dB"/> (length of b,
    /// same layout) and returns ∂F/∂x. See the class comment for the formulas and the sign(0) convention.
    /// </summary>
    public static double Gradients(double x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, PauVersion version,
        Span<double> dA, Span<double> dB) => Gradients(x, a, b, version, dA, dB, out _);

    /// <summary>As <see cref="Gradients(double, ReadOnlySpan{double}, ReadOnlySpan{double}, PauVersion, Span{double}, Span{double})"/>,
    /// also returning F(x) in <paramref name="value"/> (the fused forward+backward a fitting loop needs).</summary>
    public static double Gradients(double x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, PauVersion version,
        Span<double> dA, Span<double> dB, out double value)
    {
        CheckCoefficients(a, b, version);
        if (dA.Length != a.Length) throw new ArgumentException(
            $"dA receives one gradient per numerator coefficient: expected length {a.Length}, got {dA.Length}.", nameof(dA));
        if (dB.Length != b.Length) throw new ArgumentException(
            $"dB receives one gradient per denominator coefficient: expected length {b.Length}, got {dB.Length}.", nameof(dB));

        Core(x, a, b, version, out double p, out double dp, out double q, out double dq, out double sInner);
        double invQ = 1.0 / q;
        value = p / q;                          // exactly Evaluate's value (p·(1/q) can differ in the last bit)
        double mpq2 = -value * invQ;            // −P/Q², the common factor of ∂F/∂b and of the Q' term of ∂F/∂x

        double xp = 1.0;                        // x^j
        for (int j = 0; j < a.Length; j++) { dA[j] = xp * invQ; xp *= x; }

        switch (version)
        {
            case PauVersion.A:
            {
                double t = Math.Abs(x), tp = t; // |x|^k
                for (int k = 0; k < b.Length; k++) { dB[k] = mpq2 * Sign(b[k]) * tp; tp *= t; }
                break;
            }
            case PauVersion.C:
            {
                double c = mpq2 * sInner, pw = 1.0;  // x^k from k = 0
                for (int k = 0; k < b.Length; k++) { dB[k] = c * pw; pw *= x; }
                break;
            }
            default: // B, D
            {
                double c = mpq2 * sInner, pw = x;    // x^k from k = 1
                for (int k = 0; k < b.Length; k++) { dB[k] = c * pw; pw *= x; }
                break;
            }
        }
        return dp * invQ + mpq2 * dq;
    }

    /// <summary>
    /// Reference of a whole PAU forward over a span: y[i] = F(x[i]). (The fused kernels compute the same.)
    /// </summary>
    public static void Forward(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> a, ReadOnlySpan<double> b,
        PauVersion version)
    {
        if (y.Length != x.Length) throw new ArgumentException(
            $"y receives one value per input: expected length {x.Length}, got {y.Length}.", nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] = Evaluate(x[i], a, b, version);
    }

    /// <summary>
    /// Reference of a whole PAU backward over a span, given the upstream gradient dy: dx[i] = dy[i]·∂F/∂x(x[i]) and
    /// the coefficient gradients summed over all elements, dA[j] = Σ_i dy[i]·∂F/∂a_j(x[i]) (likewise dB; both are
    /// overwritten, the sums run in index order in float64).
    /// </summary>
    public static void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, ReadOnlySpan<double> a,
        ReadOnlySpan<double> b, PauVersion version, Span<double> dx, Span<double> dA, Span<double> dB)
    {
        if (dy.Length != x.Length) throw new ArgumentException(
            $"dy holds one upstream gradient per input: expected length {x.Length}, got {dy.Length}.", nameof(dy));
        if (dx.Length != x.Length) throw new ArgumentException(
            $"dx receives one gradient per input: expected length {x.Length}, got {dx.Length}.", nameof(dx));
        CheckCoefficients(a, b, version);
        if (dA.Length != a.Length) throw new ArgumentException(
            $"dA receives one gradient per numerator coefficient: expected length {a.Length}, got {dA.Length}.", nameof(dA));
        if (dB.Length != b.Length) throw new ArgumentException(
            $"dB receives one gradient per denominator coefficient: expected length {b.Length}, got {dB.Length}.", nameof(dB));
        dA.Clear(); dB.Clear();
        Span<double> ga = a.Length <= 64 ? stackalloc double[a.Length] : new double[a.Length];
        Span<double> gb = b.Length <= 64 ? stackalloc double[b.Length] : new double[b.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double g = dy[i];
            dx[i] = g * Gradients(x[i], a, b, version, ga, gb);
            for (int j = 0; j < ga.Length; j++) dA[j] += g * ga[j];
            for (int k = 0; k < gb.Length; k++) dB[k] += g * gb[k];
        }
    }

    /// <summary>
    /// P(x), P'(x), Q(x), Q'(x) and the sign of the inner polynomial A(x) (B, C, D; +1 for A, unused there).
    /// </summary>
    static void Core(double x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, PauVersion version,
        out double p, out double dp, out double q, out double dq, out double sInner)
    {
        // Horner for P and P' together: p_j = p_{j+1}·x + a_j, p'_j = p'_{j+1}·x + p_{j+1}.
        int m = a.Length - 1;
        p = a[m]; dp = 0.0;
        for (int j = m - 1; j >= 0; j--) { dp = dp * x + p; p = p * x + a[j]; }

        switch (version)
        {
            case PauVersion.A:
            {
                // s(t) = Σ_{k=1..n} |b_k| t^k at t = |x|, by Horner without a constant term:
                // s_k = (s_{k+1} + |b_k|)·t, s'_k = s'_{k+1}·t + (s_{k+1} + |b_k|).
                double t = Math.Abs(x), s = 0.0, ds = 0.0;
                for (int k = b.Length - 1; k >= 0; k--) { double u = s + Math.Abs(b[k]); ds = ds * t + u; s = u * t; }
                q = 1.0 + s;
                dq = Sign(x) * ds;                 // d|x|/dx = sgn(x)
                sInner = 1.0;
                break;
            }
            case PauVersion.C:
            {
                int n = b.Length - 1;
                double s = b[n], ds = 0.0;
                for (int k = n - 1; k >= 0; k--) { ds = ds * x + s; s = s * x + b[k]; }
                sInner = Sign(s);
                q = VersionCEpsilon + Math.Abs(s);
                dq = sInner * ds;
                break;
            }
            default: // B, D: A(x) = Σ_{k=1..n} b_k x^k
            {
                double s = 0.0, ds = 0.0;
                for (int k = b.Length - 1; k >= 0; k--) { double u = s + b[k]; ds = ds * x + u; s = u * x; }
                sInner = Sign(s);
                q = 1.0 + Math.Abs(s);
                dq = sInner * ds;
                break;
            }
        }
    }

    static void CheckCoefficients(ReadOnlySpan<double> a, ReadOnlySpan<double> b, PauVersion version)
    {
        CheckVersion(version);
        if (a.Length == 0) throw new ArgumentException(
            "The numerator holds a_0..a_m: expected length m + 1 ≥ 1, got 0.", nameof(a));
        if (version == PauVersion.C && b.Length == 0) throw new ArgumentException(
            "Version C's denominator holds b_0..b_n: expected length n + 1 ≥ 1, got 0.", nameof(b));
    }

    static void CheckVersion(PauVersion version)
    {
        if (version is < PauVersion.A or > PauVersion.D)
            throw new ArgumentOutOfRangeException(nameof(version), version, "PAU versions are A, B, C and D.");
    }

    static string DenominatorLayout(PauVersion version, int n) => version == PauVersion.C ? $"b_0..b_{n}" : $"b_1..b_{n}";
}
