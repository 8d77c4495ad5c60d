using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>Dense float32 matrix products C = A·B with square n×n operands: 2n³ FLOPs per call.</summary>
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
                // Pade = () => { var a = Tensor.Randn([n, n]); var b = Tensor.Randn([n, n]); return () => a.MatMul(b); },
            };
    }
}
