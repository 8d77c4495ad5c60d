using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// torch.nn.utils: gradient clipping (<see cref="ClipGradNorm"/>, <see cref="ClipGradValue"/>) and the flat view of
/// a parameter list (<see cref="ParametersToVector"/>, <see cref="VectorToParameters"/>). The clipping functions
/// change the gradients in place, as PyTorch's trailing-underscore versions, and skip parameters without one.
/// </summary>
public static class Utils
{
    /// <summary>
    /// torch.nn.utils.clip_grad_norm_: the norm of order <paramref name="normType"/> of all gradients together (the
    /// norm of the per-parameter norms; ∞ is the largest |g|), and when it exceeds <paramref name="maxNorm"/> every
    /// gradient is multiplied by maxNorm / (norm + 1e-6) (PyTorch's epsilon). Returns the total norm (before
    /// clipping) as a 0-d tensor; 0 when no parameter has a gradient. A non-finite norm scales the gradients by
    /// NaN or 0, as PyTorch does, unless <paramref name="errorIfNonfinite"/>, which throws instead.
    /// </summary>
    public static Tensor ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var withGrad = parameters.Where(p => p.Grad is not null).ToList();
        if (withGrad.Count == 0) return Tensor.Scalar(0.0);
        using var _ = Tensor.NoGrad();
        var dtype = withGrad[0].Grad!.DType;
        var norms = withGrad.Select(p => F.VectorNorm(p.Grad!, normType).To(dtype).Reshape(1)).ToArray();
        var total = F.VectorNorm(Tensor.Concat(norms), normType);
        double t = total.Item();
        if (errorIfNonfinite && !double.IsFinite(t))
            throw new InvalidOperationException($"The total norm of order {normType} for gradients from `parameters` is non-finite, so it cannot be clipped. " +
                "To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite: false`");
        double coef = maxNorm / (t + 1e-6);
        // torch.clamp(coef, max=1): NaN stays NaN.
        if (coef > 1) coef = 1;
        foreach (var p in withGrad) Scale(p, coef);
        return total;
    }

    private static void Scale(Tensor p, double coef)
    {
        if (p.Grad!.IsContiguous) p.Grad.Mul_(coef);
        else p.Grad = p.Grad * coef;
    }

    /// <summary>torch.nn.utils.clip_grad_value_: clamps every gradient element to [−clipValue, clipValue].</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var _ = Tensor.NoGrad();
        foreach (var p in parameters.Where(p => p.Grad is not null))
        {
            var clamped = p.Grad!.Clamp(-clipValue, clipValue);
            if (p.Grad.IsContiguous) p.Grad.CopyFrom(clamped);
            else p.Grad = clamped;
        }
    }

    /// <summary>torch.nn.utils.parameters_to_vector: the parameters flattened and concatenated into one 1-D tensor
    /// (a copy; all on one device).</summary>
    public static Tensor ParametersToVector(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var ps = parameters.ToList();
        if (ps.Count == 0) throw new ArgumentException("parameters_to_vector: expected at least one parameter");
        CheckOneDevice("parameters_to_vector", ps);
        return Tensor.Concat(ps.Select(p => p.Reshape((int)p.Numel)).ToArray());
    }

    /// <summary>torch.nn.utils.vector_to_parameters: copies consecutive slices of the 1-D <paramref name="vec"/> into
    /// the parameters, in order; its length must be their total element count.</summary>
    public static void VectorToParameters(Tensor vec, IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(vec);
        ArgumentNullException.ThrowIfNull(parameters);
        var ps = parameters.ToList();
        if (vec.Rank != 1) throw new ArgumentException($"vector_to_parameters: expected a 1-D vector, got shape {Shapes.Format(vec.Shape)}");
        long total = ps.Sum(p => p.Numel);
        if (vec.Numel != total)
            throw new ArgumentException($"vector_to_parameters: the vector has {vec.Numel} elements, the parameters {total}");
        CheckOneDevice("vector_to_parameters", [vec, .. ps]);
        using var _ = Tensor.NoGrad();
        int offset = 0;
        foreach (var p in ps)
        {
            int n = (int)p.Numel;
            p.CopyFrom(vec.Narrow(0, offset, n).Reshape(p.Shape.ToArray()));
            offset += n;
        }
    }

    private static void CheckOneDevice(string op, List<Tensor> ts)
    {
        var d = ts[0].Device;
        if (ts.Any(t => t.Device != d)) throw new ArgumentException($"{op}: found two devices, {d} and {ts.First(t => t.Device != d).Device}; all tensors must be on one");
    }
}
