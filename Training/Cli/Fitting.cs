namespace Pade.Training.Cli;

/// <summary>A fit's coefficients, as `pade fit` prints them.</summary>
public sealed record FitResult(string Target, string Version, double[] Numerator, double[] Denominator, double MaxError, double Low, double High);

/// <summary>Adapter over Layers' PauFit (TEMPORARY stand-in until it is merged).</summary>
public static class Fitting
{
    public static FitResult Fit(string target, int m, int n, string version) =>
        throw new NotSupportedException("pade fit arrives with the PauFit merge");
}
