using Pade.Engine;
using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/gemm.cu: batched GEMM, one entry point per dtype, tile and pair of transposes
/// (<c>gemm_&lt;t&gt;_&lt;tile&gt;_&lt;ta&gt;&lt;tb&gt;</c>; tile 128 for float32 only).</summary>
public static class GemmKernels
{
    public static readonly KernelFile File = new("gemm.cu");

    private static readonly Dictionary<(DType DType, int Tile, bool TransA, bool TransB), Kernel> Entries = Declare();

    // NAME(const T* A, const T* B, T* C, int M, int N, int K, T beta, long long batch), __launch_bounds__(256)
    private static Dictionary<(DType, int, bool, bool), Kernel> Declare()
    {
        var entries = new Dictionary<(DType, int, bool, bool), Kernel>();
        foreach (var (dtype, tile) in new[] { (DType.Float32, 128), (DType.Float32, 64), (DType.Float64, 64) })
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                ScalarParam T = dtype == DType.Float32 ? F32 : F64;
                var name = $"gemm_{CudaBackend.Suffix(dtype)}_{tile}_{(ta ? 't' : 'n')}{(tb ? 't' : 'n')}";
                entries[(dtype, tile, ta, tb)] = File.Declare(name,
                    [Ptr("A"), Ptr("B"), Ptr("C"), I32("M"), I32("N"), I32("K"), T("beta"), I64("batch")]);
            }
        return entries;
    }

    /// <summary>The entry point for a dtype, tile (64 or 128) and pair of transposes.</summary>
    public static Kernel For(DType dtype, int tile, bool transA, bool transB) =>
        Entries.TryGetValue((dtype, tile, transA, transB), out var kernel)
            ? kernel
            : throw new ArgumentException($"gemm.cu has no {tile}x{tile} tile for {dtype.TorchName()}");
}
