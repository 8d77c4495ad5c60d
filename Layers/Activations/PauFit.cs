using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

/// <summary>The coefficients a PAU fit found, in the layout of <see cref="PauMath"/>, and how well they fit.</summary>
/// <param name="Version">The denominator form the coefficients are for.</param>
/// <param name="A">a_0..a_m.</param>
/// <param name="B">b_1..b_n (A, B, D) or b_0..b_n (C). For version A they are returned as |b_k| (same function).</param>
/// <param name="MaxError">max_i |F(x_i) − f(x_i)| over the fitting grid.</param>
/// <param name="RmsError">sqrt(mean_i (F(x_i) − f(x_i))²) over the fitting grid (the quantity minimised).</param>
/// <param name="Start">Which starting point led to this fit: "linear", "linear-x", "table-lrelu" or "zero".</param>
public sealed record PauFitResult(PauVersion Version, double[] A, double[] B, double MaxError, double RmsError, string Start);

/// <summary>Constraints and budget of <see cref="PauFit.Fit"/>.</summary>
public sealed record PauFitOptions
{
    /// <summary>Indices j of numerator coefficients a_j held at exactly 0 (e.g. a_0, a_2, a_4 of an odd target).</summary>
    public IReadOnlyList<int> ZeroNumerator { get; init; } = [];

    /// <summary>Indices k of denominator coefficients b_k held at exactly 0, by their mathematical index
    /// (1..n for A, B, D; 0..n for C), e.g. b_1 and b_3 of a target with an even denominator.</summary>
    public IReadOnlyList<int> ZeroDenominator { get; init; } = [];

    /// <summary>Levenberg–Marquardt trials (accepted or rejected steps) per starting point.</summary>
    public int MaxIterations { get; init; } = 300;
}

/// <summary>
/// Fits PAU coefficients to a target activation f on [lo, hi]: least squares on a uniform grid,
/// min Σ_i (F(x_i) − f(x_i))², F = P/Q in the chosen <see cref="PauVersion"/>.
/// <para>
/// Method. (1) Linearised start: for Q̃ = 1 + Σ_k c_k t^k the residual P − f·Q̃ is linear in (a, c), so
/// min Σ (P(x_i) − f(x_i) Q̃(x_i))² is one linear least-squares solve (<see cref="LeastSquares"/>). With t = |x| this
/// is exactly version A's form when every c_k ≥ 0; with t = x it is B's form when Q̃ > 0; C takes a rescaled copy
/// (b_0 = 0.9, so that 0.1 + |b_0 + ...| = Q̃ while Q̃ ≥ 0.1). (2) Levenberg–Marquardt on the true residual
/// F(x_i) − f(x_i), with the Jacobian from the closed-form gradients of <see cref="PauMath.Gradients(double, ReadOnlySpan{double}, ReadOnlySpan{double}, PauVersion, Span{double}, Span{double})"/>
/// and each step solved as the damped least-squares problem [J; √λ·D] δ ≈ [−r; 0] by QR (J reduced to its R once
/// per Jacobian; Marquardt's scaling D = running max of the Jacobian's column norms). Version A is optimised in
/// c_k = |b_k| ≥ 0, where F is smooth (the kink of |b_k| at 0 would stall the method). LM repairs whatever the
/// linear start got wrong (negative c_k for A, sign changes of Q̃ for B). (3) Several starts — the linear fit(s)
/// (for A both t = |x| and t = x), the paper's LReLU(0.01) column of Table 6, and P = 0, Q = 1 — and the lowest sum
/// of squares wins.
/// </para>
/// <para>
/// Version D is fitted as B (its noise-free evaluation form). Typical cost: 50–300 ms for (5, 4) on 2001 samples.
/// </para>
/// </summary>
public static class PauFit
{
    /// <summary>Default number of grid points: odd, so that a symmetric interval's grid contains x = 0 exactly
    /// (where ReLU-like targets have their kink and the fits their largest error).</summary>
    public const int DefaultSamples = 2001;

    /// <summary>
    /// Fits a PAU of degrees (<paramref name="m"/>, <paramref name="n"/>) to <paramref name="target"/> on
    /// [<paramref name="lo"/>, <paramref name="hi"/>] sampled at <paramref name="samples"/> evenly spaced points
    /// (both ends included). See the class comment for the method.
    /// </summary>
    public static PauFitResult Fit(Func<double, double> target, int m, int n, PauVersion version = PauVersion.A,
        double lo = -3, double hi = 3, int samples = DefaultSamples, PauFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new PauFitOptions();
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, $"The numerator degree m must be ≥ 0, got {m}.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"The denominator degree n must be ≥ 0, got {n}.");
        int na = PauMath.NumeratorLength(m), nb = PauMath.DenominatorLength(version, n), p = na + nb;
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(lo < hi))
            throw new ArgumentException($"The fitting interval needs finite lo < hi, got [{lo}, {hi}].", nameof(lo));
        if (samples < Math.Max(p, 2)) throw new ArgumentOutOfRangeException(nameof(samples), samples,
            $"A fit of {p} coefficients needs at least {Math.Max(p, 2)} samples, got {samples}.");
        if (options.MaxIterations < 0) throw new ArgumentOutOfRangeException(nameof(options),
            $"MaxIterations must be ≥ 0, got {options.MaxIterations}.");

        var free = FreeMask(options, m, n, version, na, nb);
        var xs = Grid(lo, hi, samples);
        var ys = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            ys[i] = target(xs[i]);
            if (!double.IsFinite(ys[i])) throw new ArgumentException(
                $"The target is not finite at x = {xs[i]} (f(x) = {ys[i]}); fit on an interval where it is.", nameof(target));
        }

        var problem = new Problem(xs, ys, m, version, na, nb, free);
        double[]? best = null; double bestSse = double.PositiveInfinity; string bestStart = "";
        foreach (var (name, start) in Starts(problem, n))
        {
            for (int j = 0; j < p; j++) if (!free[j]) start[j] = 0;
            var theta = LevenbergMarquardt(problem, start, options.MaxIterations, out double sse);
            if (sse < bestSse) { bestSse = sse; best = theta; bestStart = name; }
        }
        best ??= new double[p];

        var a = best[..na];
        var b = best[na..];
        if (version == PauVersion.A) for (int k = 0; k < nb; k++) b[k] = Math.Abs(b[k]);
        var (max, rms) = Errors(target, a, b, version, lo, hi, samples);
        return new PauFitResult(version, a, b, max, rms, bestStart);
    }

    /// <summary>
    /// (max |F − f|, root-mean-square of F − f) of given coefficients over the same grid <see cref="Fit"/> uses.
    /// </summary>
    public static (double Max, double Rms) Errors(Func<double, double> target, ReadOnlySpan<double> a,
        ReadOnlySpan<double> b, PauVersion version, double lo = -3, double hi = 3, int samples = DefaultSamples)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(lo < hi))
            throw new ArgumentException($"The interval needs finite lo < hi, got [{lo}, {hi}].", nameof(lo));
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "At least 2 samples are needed.");
        var xs = Grid(lo, hi, samples);
        double max = 0, ss = 0;
        foreach (double x in xs)
        {
            double e = PauMath.Evaluate(x, a, b, version) - target(x);
            max = Math.Max(max, Math.Abs(e));
            ss += e * e;
        }
        return (max, Math.Sqrt(ss / samples));
    }

    /// <summary>x_i = mid + half·(2i − (N−1))/(N−1): evenly spaced, ends included, and exactly mirror-symmetric
    /// about the midpoint (x_i = −x_{N−1−i} when lo = −hi), so symmetric targets give symmetric problems.</summary>
    static double[] Grid(double lo, double hi, int samples)
    {
        double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
        var xs = new double[samples];
        for (int i = 0; i < samples; i++) xs[i] = mid + half * ((2.0 * i - (samples - 1)) / (samples - 1));
        xs[0] = lo; xs[samples - 1] = hi;
        return xs;
    }

    static bool[] FreeMask(PauFitOptions options, int m, int n, PauVersion version, int na, int nb)
    {
        var free = new bool[na + nb];
        Array.Fill(free, true);
        foreach (int j in options.ZeroNumerator)
        {
            if (j < 0 || j > m) throw new ArgumentOutOfRangeException(nameof(options),
                $"ZeroNumerator index {j} is not a coefficient of a degree-{m} numerator (a_0..a_{m}).");
            free[j] = false;
        }
        int first = version == PauVersion.C ? 0 : 1;
        foreach (int k in options.ZeroDenominator)
        {
            if (k < first || k > n) throw new ArgumentOutOfRangeException(nameof(options),
                $"ZeroDenominator index {k} is not a coefficient of version {version}'s degree-{n} denominator (b_{first}..b_{n}).");
            free[na + k - first] = false;
        }
        return free;
    }

    /// <summary>The sampled problem: grid, target values, degrees, layout and which coefficients are free.</summary>
    sealed record Problem(double[] Xs, double[] Ys, int M, PauVersion Version, int Na, int Nb, bool[] Free);

    /// <summary>The starting points, each a full coefficient vector [a_0..a_m, b...] in the version's layout.</summary>
    static IEnumerable<(string Name, double[] Theta)> Starts(Problem pr, int n)
    {
        if (pr.Version == PauVersion.A)
        {
            yield return ("linear", LinearStart(pr, n, absBasis: true));
            yield return ("linear-x", LinearStart(pr, n, absBasis: false));
        }
        else yield return ("linear", LinearStart(pr, n, absBasis: false));

        // The paper's default initialisation, truncated or zero-padded to (m, n).
        var table = new double[pr.Na + pr.Nb];
        var ta = PauInit.TableNumerator(PauInitKind.LeakyReLU001);
        var tb = PauInit.TableDenominator(PauInitKind.LeakyReLU001);
        for (int j = 0; j < Math.Min(pr.Na, ta.Length); j++) table[j] = ta[j];
        int off = pr.Na;
        if (pr.Version == PauVersion.C) { table[off] = 0.9; off++; }     // 0.1 + |0.9 + ...| = 1 + ... near 0
        for (int k = 0; k < Math.Min(n, tb.Length); k++) table[off + k] = tb[k];
        yield return ("table-lrelu", table);

        var zero = new double[pr.Na + pr.Nb];                           // P = 0, Q = 1
        if (pr.Version == PauVersion.C) zero[pr.Na] = 0.9;
        yield return ("zero", zero);
    }

    /// <summary>
    /// Linearised fit: min Σ_i (P(x_i) − f_i·(1 + Σ_k c_k t_i^k))², t = |x| or x, then mapped to the version's
    /// coefficient layout (see the class comment).
    /// </summary>
    static double[] LinearStart(Problem pr, int n, bool absBasis)
    {
        int rows = pr.Xs.Length, cols = pr.Na + n;
        bool isC = pr.Version == PauVersion.C;
        int bFirst = isC ? 1 : 0;                  // C's b_0 is not an unknown here (Q̃ has constant term 1)
        var mat = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            double x = pr.Xs[i], f = pr.Ys[i], t = absBasis ? Math.Abs(x) : x;
            var row = mat.AsSpan(i * cols, cols);
            double pw = 1;
            for (int j = 0; j < pr.Na; j++) { row[j] = pr.Free[j] ? pw : 0; pw *= x; }
            pw = t;
            for (int k = 0; k < n; k++) { row[pr.Na + k] = pr.Free[pr.Na + bFirst + k] ? -f * pw : 0; pw *= t; }
        }
        var sol = LeastSquares.Solve(mat, rows, cols, pr.Ys);
        var theta = new double[pr.Na + pr.Nb];
        if (!isC)
        {
            Array.Copy(sol, theta, cols);
            return theta;
        }
        // C: F = s·P / (0.1 + |(s − 0.1) + s·Σ c_k x^k|) equals P/Q̃ wherever s·Q̃ ≥ 0.1.
        double minQ = double.PositiveInfinity;
        foreach (double x in pr.Xs)
        {
            double q = 1, pw = x;
            for (int k = 0; k < n; k++) { q += sol[pr.Na + k] * pw; pw *= x; }
            minQ = Math.Min(minQ, q);
        }
        double s = minQ > 0 ? Math.Max(1.0, PauMath.VersionCEpsilon / minQ) : 1.0;
        for (int j = 0; j < pr.Na; j++) theta[j] = s * sol[j];
        theta[pr.Na] = s - PauMath.VersionCEpsilon;
        for (int k = 0; k < n; k++) theta[pr.Na + 1 + k] = s * sol[pr.Na + k];
        return theta;
    }

    /// <summary>
    /// Levenberg–Marquardt on r_i = F(x_i; θ) − f_i over the free coefficients. Returns the best θ and its Σ r².
    /// <para>
    /// Version A is fitted in c_k = |b_k| ≥ 0 rather than in b_k: F depends on b_k only through |b_k|, whose kink at 0
    /// stalls a Newton-type method (a step across 0 is predicted wrong and rejected, again and again), while F is
    /// smooth in c_k. The bound c ≥ 0 is kept by projection: a step is clipped at 0, and a c_k at 0 whose gradient
    /// points below 0 is held for that step (a simple active set). PauMath's sign(+0) = +1 makes its ∂F/∂b_k at
    /// c_k = 0 the one-sided derivative this needs.
    /// </para>
    /// </summary>
    static double[] LevenbergMarquardt(Problem pr, double[] theta0, int maxIterations, out double sse)
    {
        var freeIdx = Enumerable.Range(0, theta0.Length).Where(j => pr.Free[j]).ToArray();
        int rows = pr.Xs.Length, p = freeIdx.Length;
        var bounded = freeIdx.Select(j => pr.Version == PauVersion.A && j >= pr.Na).ToArray();
        var theta = (double[])theta0.Clone();
        if (pr.Version == PauVersion.A) for (int k = pr.Na; k < theta.Length; k++) theta[k] = Math.Abs(theta[k]);
        var trial = new double[theta.Length];
        var r = new double[rows];
        var jac = new double[rows * p];
        sse = Residuals(pr, theta, r, jac, freeIdx);
        if (p == 0 || !double.IsFinite(sse)) return theta;

        var damping = new double[p];               // D_j: Marquardt's scaling, the running max of column norms
        var small = new double[2 * p * p];         // [R; √λ·D]
        var smallRhs = new double[2 * p];
        var negR = new double[rows];
        double[] reducedR = [], reducedZ = [];
        double lambda = 1e-3;
        bool fresh = true;                         // the Jacobian changed since it was last reduced
        for (int iter = 0; iter < maxIterations; iter++)
        {
            if (fresh)
            {
                for (int c = 0; c < p; c++)
                {
                    double ss = 0, g = 0;
                    for (int i = 0; i < rows; i++) { double v = jac[i * p + c]; ss += v * v; g += v * r[i]; }
                    damping[c] = Math.Max(damping[c], Math.Sqrt(ss));
                    // Active bound: c_k = 0 and the descent direction −g points below 0 → hold c_k this step.
                    if (bounded[c] && theta[freeIdx[c]] == 0 && g > 0)
                        for (int i = 0; i < rows; i++) jac[i * p + c] = 0;
                }
                for (int i = 0; i < rows; i++) negR[i] = -r[i];
                (reducedR, reducedZ) = LeastSquares.Reduce(jac, rows, p, negR);
                fresh = false;
            }
            // min ‖J δ + r‖² + λ‖D δ‖²  ⇔  [R; √λ·D] δ ≈ [Qᵀ(−r); 0]  (J = Q R reduced once per Jacobian).
            Array.Copy(reducedR, small, p * p);
            Array.Clear(small, p * p, p * p);
            double sl = Math.Sqrt(lambda);
            for (int c = 0; c < p; c++) small[(p + c) * p + c] = sl * damping[c];
            Array.Copy(reducedZ, smallRhs, p);
            Array.Clear(smallRhs, p, p);
            var delta = LeastSquares.Solve(small, 2 * p, p, smallRhs);

            Array.Copy(theta, trial, theta.Length);
            for (int c = 0; c < p; c++)
            {
                int j = freeIdx[c];
                trial[j] += delta[c];
                if (bounded[c] && trial[j] < 0) trial[j] = 0;
            }
            double trialSse = SumOfSquares(pr, trial);
            if (double.IsFinite(trialSse) && trialSse < sse)
            {
                double gain = sse - trialSse;
                (theta, trial) = (trial, theta);
                sse = Residuals(pr, theta, r, jac, freeIdx);
                fresh = true;
                lambda = Math.Max(lambda / 3, 1e-12);
                if (gain <= 1e-10 * sse) break;    // converged: the step no longer buys anything
            }
            else
            {
                lambda *= 4;
                if (lambda > 1e12) break;          // no descent direction left at machine precision
            }
        }
        return theta;
    }

    /// <summary>Fills r_i = F(x_i) − f_i and the Jacobian row ∂F(x_i)/∂θ over the free coefficients; returns Σ r².</summary>
    static double Residuals(Problem pr, double[] theta, double[] r, double[] jac, int[] freeIdx)
    {
        var a = theta.AsSpan(0, pr.Na);
        var b = theta.AsSpan(pr.Na, pr.Nb);
        int p = freeIdx.Length;
        Span<double> g = stackalloc double[theta.Length];
        double sse = 0;
        for (int i = 0; i < pr.Xs.Length; i++)
        {
            PauMath.Gradients(pr.Xs[i], a, b, pr.Version, g[..pr.Na], g[pr.Na..], out double f);
            r[i] = f - pr.Ys[i];
            sse += r[i] * r[i];
            var row = jac.AsSpan(i * p, p);
            for (int c = 0; c < p; c++) row[c] = g[freeIdx[c]];
        }
        return sse;
    }

    static double SumOfSquares(Problem pr, double[] theta)
    {
        var a = theta.AsSpan(0, pr.Na);
        var b = theta.AsSpan(pr.Na, pr.Nb);
        double sse = 0;
        for (int i = 0; i < pr.Xs.Length; i++)
        {
            double e = PauMath.Evaluate(pr.Xs[i], a, b, pr.Version) - pr.Ys[i];
            sse += e * e;
        }
        return sse;
    }
}
