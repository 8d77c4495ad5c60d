using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

/// <summary>The named initialisations of a PAU: the columns of the paper's Table 6 (appendix A.1).</summary>
public enum PauInitKind
{
    /// <summary>LeakyReLU with negative slope 0.01: the paper's initialisation of every PAU (the default).</summary>
    LeakyReLU001,
    /// <summary>ReLU, max(0, x).</summary>
    ReLU,
    /// <summary>LeakyReLU with negative slope 0.20.</summary>
    LeakyReLU020,
    /// <summary>LeakyReLU with negative slope 0.25.</summary>
    LeakyReLU025,
    /// <summary>LeakyReLU with negative slope 0.30.</summary>
    LeakyReLU030,
    /// <summary>"LeakyReLU" with negative slope −0.5: x for x ≥ 0, −0.5·x (positive) for x &lt; 0.</summary>
    LeakyReLUNeg050,
    /// <summary>Sigmoid 1/(1 + e^−x), fitted by <see cref="PauFit"/> (the paper's digits were lost).</summary>
    Sigmoid,
    /// <summary>tanh, fitted by <see cref="PauFit"/> (the paper's digits were lost).</summary>
    Tanh,
    /// <summary>Swish x·sigmoid(x) (β = 1), fitted by <see cref="PauFit"/> (the paper's digits were lost).</summary>
    Swish,
}

/// <summary>
/// Coefficients of a PAU of degrees (5, 4), safe denominator (version A), for one initialisation.
/// The arrays are fresh copies: callers may keep or modify them.
/// </summary>
/// <param name="Kind">Which initialisation.</param>
/// <param name="Numerator">a_0..a_5.</param>
/// <param name="Denominator">b_1..b_4 (all ≥ 0; version A only uses |b_k|).</param>
/// <param name="MaxError">max |F(x) − f(x)| over the 2001-point grid of [−3, 3] (<see cref="PauFit.Errors"/>).</param>
public sealed record PauCoefficients(PauInitKind Kind, double[] Numerator, double[] Denominator, double MaxError);

/// <summary>
/// PAU initialisations, orders [5, 4], safe PAU (version A), least squares on [−3, 3] (paper, Table 6).
/// <para>
/// The ReLU and LeakyReLU columns are the paper's digits (restored in shared/paper/README.md; they are also the
/// official package's "Rational_version_A5/4" values up to the sign of b_k, which version A ignores). The Sigmoid,
/// Tanh and Swish columns lost their digits in the text copy; they are computed here on first use by
/// <see cref="PauFit.Fit"/> with the same orders, version and interval, keeping the zeros the symmetry of each
/// target dictates: an even denominator (b_1 = b_3 = 0) for all three, an odd numerator for tanh
/// (a_0 = a_2 = a_4 = 0), and a_0 = 0 for Swish (Swish(0) = 0). Each fit takes well under a second and is cached.
/// </para>
/// </summary>
public static class PauInit
{
    /// <summary>Numerator degree of every Table 6 column.</summary>
    public const int NumeratorDegree = 5;
    /// <summary>Denominator degree of every Table 6 column.</summary>
    public const int DenominatorDegree = 4;
    /// <summary>The denominator form the columns are for.</summary>
    public const PauVersion Version = PauVersion.A;
    /// <summary>The paper's initialisation of every PAU: LeakyReLU(0.01).</summary>
    public const PauInitKind Default = PauInitKind.LeakyReLU001;

    // Table 6, columns ReLU, LReLU(0.01), LReLU(0.20), LReLU(0.25), LReLU(0.30), LReLU(-0.5): a_0..a_5 | b_1..b_4.
    static readonly double[][] TableA =
    [
        [0.02996348, 0.61690165, 2.37539147, 3.06608078, 1.52474449, 0.25281987],
        [0.02979246, 0.61837738, 2.32335207, 3.05202660, 1.48548002, 0.25103717],
        [0.02557776, 0.66182815, 1.58182975, 2.94478759, 0.95287794, 0.23319681],
        [0.02423485, 0.67709718, 1.43858363, 2.95497990, 0.85679722, 0.23229612],
        [0.02282366, 0.69358438, 1.30847432, 2.97681599, 0.77165297, 0.23252265],
        [0.02650441, 0.80772912, 13.56611639, 7.00217900, 11.61477781, 0.68720375],
    ];
    static readonly double[][] TableB =
    [
        [1.19160814, 4.40811795, 0.91111034, 0.34885983],
        [1.14201226, 4.39322834, 0.87154450, 0.34720652],
        [0.50962605, 4.18376890, 0.37832090, 0.32407314],
        [0.41014746, 4.14691964, 0.30292546, 0.32002850],
        [0.32849543, 4.11557902, 0.24155603, 0.31659365],
        [13.70648993, 6.07781733, 12.32535229, 0.54006880],
    ];

    static readonly Lazy<PauCoefficients>[] Cache =
        Enum.GetValues<PauInitKind>().Select(k => new Lazy<PauCoefficients>(() => Compute(k))).ToArray();

    /// <summary>The coefficients of one initialisation (fresh arrays; fitted columns are computed once, then cached).</summary>
    public static PauCoefficients Get(PauInitKind kind)
    {
        var c = Cache[Index(kind)].Value;
        return c with { Numerator = (double[])c.Numerator.Clone(), Denominator = (double[])c.Denominator.Clone() };
    }

    /// <summary>The activation function an initialisation approximates.</summary>
    public static Func<double, double> Target(PauInitKind kind) => kind switch
    {
        PauInitKind.ReLU => x => x > 0 ? x : 0.0,
        PauInitKind.LeakyReLU001 => LeakyReLU(0.01),
        PauInitKind.LeakyReLU020 => LeakyReLU(0.20),
        PauInitKind.LeakyReLU025 => LeakyReLU(0.25),
        PauInitKind.LeakyReLU030 => LeakyReLU(0.30),
        PauInitKind.LeakyReLUNeg050 => LeakyReLU(-0.5),
        PauInitKind.Sigmoid => Sigmoid,
        PauInitKind.Tanh => Math.Tanh,
        PauInitKind.Swish => x => x * Sigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown PAU initialisation."),
    };

    /// <summary>Whether the column is the paper's printed digits (true) or computed by <see cref="PauFit"/> (false).</summary>
    public static bool IsTabulated(PauInitKind kind) => Index(kind) < (int)PauInitKind.Sigmoid;

    /// <summary>Table 6's numerator digits a_0..a_5 of a tabulated column (a copy).</summary>
    public static double[] TableNumerator(PauInitKind kind) => (double[])TableA[TableIndex(kind)].Clone();

    /// <summary>Table 6's denominator digits b_1..b_4 of a tabulated column (a copy).</summary>
    public static double[] TableDenominator(PauInitKind kind) => (double[])TableB[TableIndex(kind)].Clone();

    static Func<double, double> LeakyReLU(double slope) => x => x >= 0 ? x : slope * x;

    /// <summary>1/(1 + e^−x), written so that neither branch overflows.</summary>
    static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    static PauCoefficients Compute(PauInitKind kind)
    {
        var target = Target(kind);
        if (IsTabulated(kind))
        {
            var a = TableNumerator(kind);
            var b = TableDenominator(kind);
            return new PauCoefficients(kind, a, b, PauFit.Errors(target, a, b, Version).Max);
        }
        var options = kind switch
        {
            PauInitKind.Tanh => new PauFitOptions { ZeroNumerator = [0, 2, 4], ZeroDenominator = [1, 3] },
            PauInitKind.Swish => new PauFitOptions { ZeroNumerator = [0], ZeroDenominator = [1, 3] },
            _ => new PauFitOptions { ZeroDenominator = [1, 3] },
        };
        var fit = PauFit.Fit(target, NumeratorDegree, DenominatorDegree, Version, -3, 3, PauFit.DefaultSamples, options);
        return new PauCoefficients(kind, fit.A, fit.B, fit.MaxError);
    }

    static int Index(PauInitKind kind)
    {
        if (kind is < PauInitKind.LeakyReLU001 or > PauInitKind.Swish)
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown PAU initialisation.");
        return (int)kind;
    }

    /// <summary>Row of TableA/TableB: the enum puts LReLU(0.01) first (the default), the table puts ReLU first.</summary>
    static int TableIndex(PauInitKind kind) => kind switch
    {
        PauInitKind.ReLU => 0,
        PauInitKind.LeakyReLU001 => 1,
        PauInitKind.LeakyReLU020 => 2,
        PauInitKind.LeakyReLU025 => 3,
        PauInitKind.LeakyReLU030 => 4,
        PauInitKind.LeakyReLUNeg050 => 5,
        _ => throw new ArgumentException($"{kind} is not one of Table 6's printed columns; use Get({kind}).", nameof(kind)),
    };
}
