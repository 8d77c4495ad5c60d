using Pade.Engine;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>Random tensors (cuda/random.cu): the CPU's Philox stream, element for element.</summary>
public sealed partial class CudaBackend
{
    /// <summary>Element i draws from Philox words offset + 4i on, exactly as <see cref="CpuBackend.Draw"/>: uniform
    /// and Bernoulli tensors are bit-identical to the CPU's; normal ones agree to the last bit of log/cos.</summary>
    public override void Random(Tensor y, Distribution d, ulong seed, ulong offset, double p1, double p2)
    {
        if (!y.DType.IsFloating()) throw new ArgumentException("random: int32 tensors are not supported");
        RequireContiguous("Random", y);
        long n = y.Numel;
        if (n == 0) return;
        RandomKernels.Random[y.DType].LaunchOver(CudaDevice, n, PointerOf(y, "Random"), n, (int)d, seed, offset, p1, p2);
    }
}
