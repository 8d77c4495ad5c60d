namespace Pade.Engine.Functional;

// The activations that act along a dim (softmax, log-softmax, softmin, GLU) and threshold, as torch.nn.functional's.
// Each composes differentiable tensor ops, so each backward is theirs (softmax's closed form, Where's, Narrow's).

public static partial class F
{
    /// <summary>
    /// PyTorch's legacy implicit dim (torch.nn.functional._get_softmax_dim) for softmax, log_softmax and softmin
    /// called without one: 0 for inputs of 0, 1 or 3 dims, else 1. PyTorch warns that this choice is deprecated;
    /// Pade takes the same dim silently, so pass a dim.
    /// </summary>
    public static int ImplicitSoftmaxDim(int rank) => rank is 0 or 1 or 3 ? 0 : 1;

    /// <summary>torch.nn.functional.softmax: e^(xᵢ − max x)/Σⱼ e^(xⱼ − max x) along <paramref name="dim"/> (negative
    /// counts from the end; null: <see cref="ImplicitSoftmaxDim"/>). dx = s ⊙ (g − Σ g ⊙ s).</summary>
    public static Tensor Softmax(Tensor input, int? dim = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softmax(dim ?? ImplicitSoftmaxDim(input.Rank));
    }

    /// <summary>torch.nn.functional.log_softmax: xᵢ − max x − log Σⱼ e^(xⱼ − max x) along <paramref name="dim"/>
    /// (null: <see cref="ImplicitSoftmaxDim"/>). dx = g − softmax(x) Σ g.</summary>
    public static Tensor LogSoftmax(Tensor input, int? dim = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LogSoftmax(dim ?? ImplicitSoftmaxDim(input.Rank));
    }

    /// <summary>torch.nn.functional.softmin: softmax(−x) along <paramref name="dim"/> (null:
    /// <see cref="ImplicitSoftmaxDim"/>); dx = −s ⊙ (g − Σ g ⊙ s) with s the output.</summary>
    public static Tensor Softmin(Tensor input, int? dim = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Neg().Softmax(dim ?? ImplicitSoftmaxDim(input.Rank));
    }

    /// <summary>
    /// torch.nn.functional.glu: the input split in halves a, b along <paramref name="dim"/> (default −1, the last),
    /// y = a ⊙ σ(b); that dim must have an even size. da = g ⊙ σ(b), db = g ⊙ a ⊙ σ(b)(1 − σ(b)).
    /// </summary>
    public static Tensor Glu(Tensor input, int dim = -1)
    {
        const string op = "glu";
        ArgumentNullException.ThrowIfNull(input);
        Ops.CheckFloating(op, input);
        if (input.Rank == 0) throw new ArgumentException($"{op}: glu does not support scalars because halving size must be even");
        int d = Shapes.NormalizeAxis(op, dim, input.Rank);
        int n = input.Size(d);
        if (n % 2 != 0) throw new ArgumentException($"{op}: Halving dimension must be even, but dimension {d} is size {n} (input shape {Shapes.Format(input.Shape)})");
        return input.Narrow(d, 0, n / 2) * input.Narrow(d, n / 2, n / 2).Sigmoid();
    }

    /// <summary>
    /// torch.nn.functional.threshold: y = x where x &gt; <paramref name="threshold"/>, else <paramref name="value"/>
    /// (a NaN stays NaN, as PyTorch's x ≤ threshold test is false for it); dx = g where x &gt; threshold, else 0.
    /// </summary>
    public static Tensor Threshold(Tensor input, double threshold, double value)
    {
        ArgumentNullException.ThrowIfNull(input);
        Ops.CheckFloating("threshold", input);
        return Tensor.Where(input.Le(threshold), input.FullLikeScalar(value), input);
    }
}
