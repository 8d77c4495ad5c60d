using Pade.Engine.Functional;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Activations;
using Pade.Training.Runs;

namespace Pade.Training.Cli;

/// <summary>A fit's coefficients, as `pade fit` prints them.</summary>
public sealed record FitResult(string Target, PauVersion Version, double[] Numerator, double[] Denominator,
                               double MaxError, double RmsError, double Low, double High);

/// <summary>
/// `pade fit` over <see cref="PauFit"/>: the target is any fixed activation spec (tanh, lrelu:0.01, gelu, ...),
/// evaluated by its own module in float64, so the fitted function is exactly the one the network would use.
/// </summary>
public static class Fitting
{
    /// <summary>
    /// Fits a PAU of degrees (<paramref name="m"/>, <paramref name="n"/>) and <paramref name="version"/> to the
    /// activation <paramref name="target"/> on [lo, hi]. With <paramref name="symmetry"/>, an odd target
    /// (f(−x) = −f(x) on the grid) gets an odd numerator and an even denominator (a_0 = a_2 = ... = 0,
    /// b_1 = b_3 = ... = 0), as the paper's Tanh column.
    /// </summary>
    public static FitResult Fit(string target, int m, int n, PauVersion version, bool symmetry = true, double lo = -3, double hi = 3)
    {
        var act = ModelZoo.CreateActivation(target, 1);
        if (act.ParameterCount() > 0)
            throw new ArgumentException($"--target '{target}' is a learnable activation; fit a fixed one (tanh, sigmoid, swish, relu, lrelu:0.01, gelu, elu, ...)");
        act.Eval();
        var f = Function(act);
        var options = new PauFitOptions();
        if (symmetry && IsOdd(f, lo, hi))
            options = options with
            {
                ZeroNumerator = Enumerable.Range(0, m + 1).Where(j => j % 2 == 0).ToList(),
                ZeroDenominator = Enumerable.Range(1, n).Where(k => k % 2 == 1).ToList(),
            };
        var r = PauFit.Fit(f, m, n, version, lo, hi, PauFit.DefaultSamples, options);
        return new FitResult(target, version, r.A, r.B, r.MaxError, r.RmsError, lo, hi);
    }

    /// <summary>The activation as a scalar function (one float64 forward per call; a fit makes a few thousand).</summary>
    public static Func<double, double> Function(Module act) => x =>
    {
        using var _ = Tensor.NoGrad();
        return act.Forward(Tensor.FromArray([x], 1)).Item();
    };

    static bool IsOdd(Func<double, double> f, double lo, double hi)
    {
        double r = Math.Min(-lo, hi);
        if (r <= 0) return false;
        for (int i = 1; i <= 50; i++)
        {
            double x = r * i / 50, a = f(x), b = f(-x);
            if (Math.Abs(a + b) > 1e-12 * Math.Max(1, Math.Abs(a))) return false;
        }
        return true;
    }
}
