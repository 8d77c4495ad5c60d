using System.Globalization;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// Layer normalisation as torch.nn.LayerNorm (see <see cref="F.LayerNorm"/> for the formulas): statistics over the
/// last dims, which must equal <see cref="NormalizedShape"/>. With elementwise affine, parameters weight (γ, ones) and
/// bias (β, zeros, unless <c>bias: false</c>) of that shape. No running statistics: training and evaluation compute
/// the same thing.
/// </summary>
public sealed partial class LayerNorm : Module
{
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d < 0))
            throw new ArgumentException($"LayerNorm: normalized_shape must hold at least one non-negative size, got {Shapes.Format(normalizedShape)}");
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        if (elementwiseAffine)
        {
            RegisterParameter("weight", Tensor.Ones(NormalizedShape, DType.Float32));
            if (bias) RegisterParameter("bias", Tensor.Zeros(NormalizedShape, DType.Float32));
        }
    }

    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true)
        : this([normalizedShape], eps, elementwiseAffine, bias) { }

    public int[] NormalizedShape { get; }
    public double Eps { get; }
    public bool ElementwiseAffine { get; }
    public Tensor? Weight => GetOptional("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        int d = NormalizedShape.Length;
        if (input.Rank < d || !Shapes.SameShape(input.Shape[(input.Rank - d)..], NormalizedShape))
            throw new ArgumentException($"{Describe()}: expected input with shape [*, {string.Join(", ", NormalizedShape)}], got {Shapes.Format(input.Shape)}");
        return F.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);
    }

    /// <summary>"(8,), eps=1e-05, elementwise_affine=True", as PyTorch prints it.</summary>
    public override string ExtraRepr() =>
        $"{PyRepr.Tuple(NormalizedShape)}, eps={PyRepr.Float(Eps)}, elementwise_affine={PyRepr.Bool(ElementwiseAffine)}";
}

/// <summary>
/// Group normalisation as torch.nn.GroupNorm (see <see cref="F.GroupNorm"/>): input [N, C, *] with C =
/// <see cref="NumChannels"/>, statistics per sample and group of C/G channels. With affine, per-channel parameters
/// weight (ones) and bias (zeros) of shape [C]. No running statistics: training and evaluation are the same.
/// </summary>
public sealed partial class GroupNorm : Module
{
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true)
    {
        if (numGroups < 1 || numChannels < 0)
            throw new ArgumentException($"GroupNorm: num_groups must be positive and num_channels non-negative, got {numGroups} and {numChannels}");
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: num_channels must be divisible by num_groups, got {numChannels} channels and {numGroups} groups");
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Affine = affine;
        if (affine)
        {
            RegisterParameter("weight", Tensor.Ones([numChannels], DType.Float32));
            RegisterParameter("bias", Tensor.Zeros([numChannels], DType.Float32));
        }
    }

    public int NumGroups { get; }
    public int NumChannels { get; }
    public double Eps { get; }
    public bool Affine { get; }
    public Tensor? Weight => GetOptional("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 2 || input.Size(1) != NumChannels)
            throw new ArgumentException($"{Describe()}: expected input [N, {NumChannels}, *] with {NumChannels} channels, got {Shapes.Format(input.Shape)}");
        return F.GroupNorm(input, NumGroups, Weight, Bias, Eps);
    }

    /// <summary>"2, 6, eps=1e-05, affine=True", as PyTorch prints it.</summary>
    public override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={PyRepr.Float(Eps)}, affine={PyRepr.Bool(Affine)}";
}

/// <summary>Python's repr of the values in PyTorch's module descriptions.</summary>
internal static class PyRepr
{
    public static string Bool(bool b) => b ? "True" : "False";

    /// <summary>(8,) for one element, (2, 3) for more.</summary>
    public static string Tuple(int[] v) => v.Length == 1 ? $"({v[0]},)" : $"({string.Join(", ", v)})";

    /// <summary>
    /// repr(float): the shortest digits that round-trip, in positional notation for decimal exponents −4 ≤ e &lt; 16
    /// (with ".0" when integral: 1.0, 0.0001) and in scientific notation otherwise (1e-05, 1e+16).
    /// </summary>
    public static string Float(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(v) ? "-" : "";
        if (v == 0) return sign + "0.0";
        // .NET's "R" gives the shortest round-trip digits ("0.0001", "1E-05", "1.5E+20"): value = D·10^k.
        var r = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int ePos = r.IndexOf('E');
        string mantissa = ePos < 0 ? r : r[..ePos];
        int exp10 = ePos < 0 ? 0 : int.Parse(r[(ePos + 1)..], CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.');
        string all = mantissa.Replace(".", "");
        int k = exp10 + (point < 0 ? mantissa.Length : point) - all.Length;
        string d = all.TrimStart('0');
        int trailing = d.Length - d.TrimEnd('0').Length;
        d = d.TrimEnd('0');
        k += trailing;
        int e = k + d.Length - 1;   // the decimal exponent of the first digit
        if (e is >= -4 and < 16)
        {
            if (k >= 0) return $"{sign}{d}{new string('0', k)}.0";
            if (e >= 0) return $"{sign}{d[..(e + 1)]}.{d[(e + 1)..]}";
            return $"{sign}0.{new string('0', -e - 1)}{d}";
        }
        return $"{sign}{d[0]}{(d.Length > 1 ? "." + d[1..] : "")}e{(e < 0 ? "-" : "+")}{Math.Abs(e):00}";
    }
}
