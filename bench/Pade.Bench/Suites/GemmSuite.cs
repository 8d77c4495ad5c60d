using static TorchSharp.torch;
using PadeTensor = Pade.Engine.Tensor;

namespace Pade.Bench;

/// <summary>Dense float32 matrix products C = A·B with square n×n operands: 2n³ FLOPs per call. Both sides allocate
/// the result per call and free it at once (torch: the call's dispose scope; Pade: <c>Dispose</c>, which returns its
/// buffer to the engine's pool, so the next call reuses the same pages).</summary>
public static class GemmSuite
{
    public static readonly int[] Sizes = [256, 512, 1024, 2048];

    public static IEnumerable<BenchCase> Cases()
    {
        foreach (int n in Sizes)
            yield return new BenchCase("mm", $"{n}²", work: 2.0 * n * n * n, WorkUnit.Flop)
            {
                Torch = () =>
                {
                    Tensor a = randn(n, n), b = randn(n, n);
                    return () => mm(a, b);
                },
                Pade = () =>
                {
                    PadeTensor a = PadeTensor.Randn([n, n]), b = PadeTensor.Randn([n, n]);
                    return () => PadeTensor.MatMul(a, b).Dispose();
                },
            };
    }
}
