namespace Pade.Layers.Activations;

/// <summary>Polynomial initialisations for <see cref="SLAF"/>.</summary>
public static class PolynomialFit
{
    /// <summary>
    /// a_0..a_K of the degree-K polynomial closest to ReLU in least squares on 2001 evenly spaced points of [−3, 3]
    /// (the interval of the PAU fits of Table 6), solved by <see cref="LeastSquares"/> on the Vandermonde matrix.
    /// </summary>
    public static double[] ReLU(int degree) => Fit(x => Math.Max(0, x), degree);

    /// <summary>Least-squares polynomial of the given degree to f on [lo, hi] (<paramref name="samples"/> points).</summary>
    public static double[] Fit(Func<double, double> f, int degree, double lo = -3, double hi = 3, int samples = 2001)
    {
        if (degree < 0) throw new ArgumentException($"polynomial fit: the degree must be ≥ 0, got {degree}");
        int cols = degree + 1;
        var a = new double[samples * cols];
        var y = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            double x = lo + (hi - lo) * i / (samples - 1), p = 1;
            for (int k = 0; k < cols; k++) { a[i * cols + k] = p; p *= x; }
            y[i] = f(x);
        }
        return LeastSquares.Solve(a, samples, cols, y);
    }
}
