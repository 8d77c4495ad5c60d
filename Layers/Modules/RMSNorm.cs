using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// Root-mean-square normalisation as torch.nn.RMSNorm (see <see cref="F.RmsNorm"/>): y = x/√(mean(x²) + ε)·γ over
/// the last dims, which must equal <see cref="NormalizedShape"/>. ε null (the default) is the machine epsilon of the
/// input's dtype, as PyTorch's. With elementwise affine, the parameter weight (γ, ones) of that shape.
/// </summary>
public sealed partial class RMSNorm : Module
{
    public RMSNorm(int[] normalizedShape, double? eps = null, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d < 0))
            throw new ArgumentException($"RMSNorm: normalized_shape must hold at least one non-negative size, got {Shapes.Format(normalizedShape)}");
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        if (elementwiseAffine) RegisterParameter("weight", Tensor.Ones(NormalizedShape, DType.Float32));
    }

    public RMSNorm(int normalizedShape, double? eps = null, bool elementwiseAffine = true) : this([normalizedShape], eps, elementwiseAffine) { }

    public int[] NormalizedShape { get; }
    public double? Eps { get; }
    public bool ElementwiseAffine { get; }
    public Tensor? Weight => GetOptional("weight");

    public override Tensor Forward(Tensor input)
    {
        int d = NormalizedShape.Length;
        if (input.Rank < d || !Shapes.SameShape(input.Shape[(input.Rank - d)..], NormalizedShape))
            throw new ArgumentException($"{Describe()}: expected input with shape [*, {string.Join(", ", NormalizedShape)}], got {Shapes.Format(input.Shape)}");
        return F.RmsNorm(input, NormalizedShape, Weight, Eps);
    }

    /// <summary>"(8,), eps=None, elementwise_affine=True", as PyTorch prints it.</summary>
    public override string ExtraRepr() =>
        $"{PyRepr.Tuple(NormalizedShape)}, eps={(Eps is double e ? PyRepr.Float(e) : "None")}, elementwise_affine={PyRepr.Bool(ElementwiseAffine)}";
}
