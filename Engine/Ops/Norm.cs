using Pade.Engine.Functional;

namespace Pade.Engine;

public sealed partial class Tensor
{
    /// <summary>torch.norm's vector case (p a number, no matrix norm): the p-norm over <paramref name="dims"/> (every dim
    /// when null or empty), as <see cref="F.VectorNorm(Tensor, double, int[], bool)"/>: p = ±∞, 0 or any real.</summary>
    public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false) => F.VectorNorm(this, p, dims ?? [], keepDim);
}
