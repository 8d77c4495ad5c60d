namespace Pade.Layers.Activations;

/// <summary>Polynomial initialisations for SLAF.</summary>
public static class PolynomialFit
{
    /// <summary>Placeholder until the least-squares solver lands: the identity a_1 = 1.</summary>
    public static double[] ReLU(int degree)
    {
        var a = new double[degree + 1];
        if (degree >= 1) a[1] = 1;
        return a;
    }
}
