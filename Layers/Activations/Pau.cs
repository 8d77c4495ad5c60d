using System.Collections.Concurrent;
using System.Globalization;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

/// <summary>
/// Padé Activation Unit (Molina, Schramowski, Kersting, ICLR 2020): F(x) = P(x)/Q(x) with learnable coefficients,
/// P of degree m (a_0..a_m, parameter "numerator") and Q of degree n in one of the <see cref="PauVersion"/> forms
/// (parameter "denominator": b_1..b_n, or b_0..b_n for version C); forward and gradients in <see cref="F.Pau"/>.
/// <para>
/// As in the paper, the coefficients are shared by the whole layer (m + 1 + n = 10 parameters for the default
/// (5, 4)); with <c>channels</c> &gt; 1 each channel (axis 1) has its own set. They are initialised to approximate
/// an activation: the paper's Table 6 column for (5, 4) and version A (LeakyReLU(0.01) by default), otherwise a fit
/// of the same target by <see cref="PauFit"/> for the requested degrees and version (computed once per
/// configuration and cached).
/// </para>
/// <para>
/// Randomized PAU (RPAU): with noise α &gt; 0, training multiplies every coefficient of every element by a factor
/// from U(1 − α, 1 + α) (<see cref="PauNoise"/>, drawn from <see cref="Generator"/>); evaluation uses the plain
/// coefficients. Version D is B with α = 0.1 unless another α is given (rational_activations' randomized version).
/// </para>
/// </summary>
public sealed partial class Pau : Module
{
    private static readonly ConcurrentDictionary<(PauInitKind, int, int, PauVersion), (double[] A, double[] B)> Fits = new();

    /// <summary>A PAU of degrees (m, n) initialised to approximate <paramref name="init"/>.</summary>
    public Pau(int numeratorDegree = 5, int denominatorDegree = 4, PauVersion version = PauVersion.A,
        PauInitKind init = PauInitKind.LeakyReLU001, int channels = 1, double? noise = null, Generator? generator = null)
    {
        if (numeratorDegree < 0) throw new ArgumentException($"Pau: the numerator degree must be ≥ 0, got {numeratorDegree}");
        if (denominatorDegree < 0) throw new ArgumentException($"Pau: the denominator degree must be ≥ 0, got {denominatorDegree}");
        var (a, b) = InitialCoefficients(init, numeratorDegree, denominatorDegree, version);
        Init(a, b, version, channels, noise, generator, init.ToString());
    }

    /// <summary>A PAU with given coefficients: a_0..a_m and the denominator's (b_1..b_n; b_0..b_n for version C),
    /// copied to every channel.</summary>
    public Pau(double[] numerator, double[] denominator, PauVersion version = PauVersion.A, int channels = 1,
        double? noise = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(numerator);
        ArgumentNullException.ThrowIfNull(denominator);
        if (numerator.Length == 0)
            throw new ArgumentException("Pau: the numerator holds a_0..a_m, so it needs at least one coefficient, got none");
        int n = PauMath.DenominatorDegree(version, denominator.Length);
        PauMath.ValidateLengths(numerator.Length - 1, n, version, numerator.Length, denominator.Length);
        Init(numerator, denominator, version, channels, noise, generator, "given");
    }

    /// <summary>An RPAU: a PAU whose coefficients get ±α noise in training (paper eq. 3).</summary>
    public static Pau Randomized(double alpha = PauNoise.DefaultAlpha, int numeratorDegree = 5, int denominatorDegree = 4,
        PauVersion version = PauVersion.A, PauInitKind init = PauInitKind.LeakyReLU001, int channels = 1, Generator? generator = null) =>
        new(numeratorDegree, denominatorDegree, version, init, channels, alpha, generator);

    private void Init(double[] a, double[] b, PauVersion version, int channels, double? noise, Generator? generator, string initName)
    {
        if (version is < PauVersion.A or > PauVersion.D) throw new ArgumentOutOfRangeException(nameof(version), version, "Pau: versions are A, B, C and D");
        if (channels < 1) throw new ArgumentException($"Pau: channels must be ≥ 1 (1 = shared by the layer), got {channels}");
        double alpha = noise ?? (version == PauVersion.D ? PauNoise.DefaultAlpha : 0);
        PauNoise.Check(alpha);
        Version = version;
        NoiseAlpha = alpha;
        Generator = generator;
        InitName = initName;
        RegisterParameter("numerator", Repeat(a, channels));
        RegisterParameter("denominator", Repeat(b, channels));
    }

    private static Tensor Repeat(double[] v, int channels)
    {
        var values = new double[channels * v.Length];
        for (int c = 0; c < channels; c++) v.CopyTo(values, c * v.Length);
        return Tensor.FromArray(values, channels == 1 ? [v.Length] : [channels, v.Length]).To(DType.Float32);
    }

    public Tensor Numerator => Get("numerator");
    public Tensor Denominator => Get("denominator");
    public PauVersion Version { get; private set; }
    public int NumeratorDegree => Numerator.Size(-1) - 1;
    public int DenominatorDegree => PauMath.DenominatorDegree(Version, Denominator.Size(-1));
    public int Channels => Numerator.Rank == 2 ? Numerator.Size(0) : 1;

    /// <summary>Relative coefficient noise in training (0: a plain PAU).</summary>
    public double NoiseAlpha { get; private set; }

    /// <summary>Source of the training noise (null: <see cref="Engine.Generator.Default"/>).</summary>
    public Generator? Generator { get; set; }

    private string InitName { get; set; } = "";

    public override Tensor Forward(Tensor input)
    {
        var noise = Training && NoiseAlpha > 0
            ? PauNoise.Draw(NoiseAlpha, Generator ?? Generator.Default, input.DType, input.Numel, Numerator.Size(-1) + Denominator.Size(-1))
            : PauNoise.None;
        return F.Pau(input, Numerator, Denominator, Version, noise);
    }

    public override string ExtraRepr() => string.Create(CultureInfo.InvariantCulture,
        $"m={NumeratorDegree}, n={DenominatorDegree}, version={Version}, init={InitName}, channels={Channels}{(NoiseAlpha > 0 ? $", noise={NoiseAlpha}" : "")}");

    /// <summary>
    /// Initial coefficients approximating <paramref name="init"/>'s target: Table 6 itself for (5, 4) and version A,
    /// otherwise <see cref="PauFit.Fit"/> on [−3, 3] (version D is fitted as B, the formula it computes).
    /// </summary>
    public static (double[] Numerator, double[] Denominator) InitialCoefficients(PauInitKind init, int m, int n, PauVersion version)
    {
        if (m == PauInit.NumeratorDegree && n == PauInit.DenominatorDegree && version == PauInit.Version)
        {
            var c = PauInit.Get(init);
            return (c.Numerator, c.Denominator);
        }
        var fitVersion = version == PauVersion.D ? PauVersion.B : version;
        var (a, b) = Fits.GetOrAdd((init, m, n, fitVersion), key =>
        {
            var fit = PauFit.Fit(PauInit.Target(key.Item1), key.Item2, key.Item3, key.Item4);
            return (fit.A, fit.B);
        });
        return ((double[])a.Clone(), (double[])b.Clone());
    }
}
