using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// torch.nn.CosineSimilarity: <see cref="F.CosineSimilarity"/> of two inputs along <see cref="Dim"/>. It takes two
/// tensors, so it is called as <c>Forward(x1, x2)</c>; the one-input Forward of <see cref="Module"/> throws.
/// </summary>
public sealed class CosineSimilarity(int dim = 1, double eps = 1e-8) : Module
{
    public int Dim { get; } = dim;
    public double Eps { get; } = eps;

    public Tensor Forward(Tensor x1, Tensor x2) => F.CosineSimilarity(x1, x2, Dim, Eps);

    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{Describe()}: takes two inputs, call Forward(x1, x2)");
}

/// <summary>
/// torch.nn.PairwiseDistance: <see cref="F.PairwiseDistance"/> of two inputs (‖x1 − x2 + ε‖_p over the last dim),
/// called as <c>Forward(x1, x2)</c>; the one-input Forward of <see cref="Module"/> throws.
/// </summary>
public sealed class PairwiseDistance(double p = 2, double eps = 1e-6, bool keepDim = false) : Module
{
    public double Norm { get; } = p;
    public double Eps { get; } = eps;
    public bool KeepDim { get; } = keepDim;

    public Tensor Forward(Tensor x1, Tensor x2) => F.PairwiseDistance(x1, x2, Norm, Eps, KeepDim);

    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{Describe()}: takes two inputs, call Forward(x1, x2)");
}
