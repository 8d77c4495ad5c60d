namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.rms_norm: y = x/√(mean(x²) + ε)·γ with the mean over the last dims, which must equal
    /// <paramref name="normalizedShape"/>, and γ = <paramref name="weight"/> of that shape (optional). ε null is the
    /// machine epsilon of the input's dtype (torch.finfo(x.dtype).eps), as PyTorch's default. Composed of
    /// differentiable ops: with r = (mean(x²) + ε)^(−1/2) and g' = g·γ, dx = r·(g' − x·r²·mean(g'·x)), dγ = Σ_batch g·x·r.
    /// </summary>
    public static Tensor RmsNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, double? eps = null)
    {
        const string op = "rms_norm";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        Ops.CheckFloating(op, input);
        int d = normalizedShape.Length;
        if (d == 0)
            throw new ArgumentException($"{op}: expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []");
        if (input.Rank < d || !Shapes.SameShape(input.Shape[(input.Rank - d)..], normalizedShape))
            throw new ArgumentException($"{op}: given normalized_shape={Shapes.Format(normalizedShape)}, expected input with shape [*, {string.Join(", ", normalizedShape)}], but got input of size {Shapes.Format(input.Shape)}");
        if (weight != null)
        {
            Ops.CheckPair(op, input, weight);
            if (!Shapes.SameShape(weight.Shape, normalizedShape))
                throw new ArgumentException($"{op}: expected weight to be of same shape as normalized_shape, but got weight of shape {Shapes.Format(weight.Shape)} and normalized_shape = {Shapes.Format(normalizedShape)}");
        }
        double e = eps ?? MachineEpsilon(input.DType);
        var axes = Enumerable.Range(input.Rank - d, d).ToArray();
        var y = input * input.Square().Mean(axes, keepDim: true).AddScalar(e).Rsqrt();
        return weight != null ? y * weight : y;
    }

    /// <summary>torch.finfo(dtype).eps: 2⁻⁵² for float64, 2⁻²³ for float32.</summary>
    public static double MachineEpsilon(DType dtype) => dtype switch
    {
        DType.Float64 => Math.Pow(2, -52),
        DType.Float32 => Math.Pow(2, -23),
        _ => throw new ArgumentException($"finfo: {dtype.TorchName()} is not a floating dtype"),
    };
}
