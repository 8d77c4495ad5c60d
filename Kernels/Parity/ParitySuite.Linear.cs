using Pade.Engine;
using Pade.Kernels.Catalog;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>Each GEMM entry point with its tile forced (the backend picks 128 only on shapes with many tiles,
/// which depends on the GPU), on sizes that are not multiples of either tile.</summary>
public static partial class ParitySuite
{
    private static void AddLinearCases(List<ParityCase> cases)
    {
        foreach (var dtype in Floats)
            foreach (var tile in dtype == DType.Float32 ? (int[])[64, 128] : [64])
                foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
                {
                    var kernel = GemmKernels.For(dtype, tile, ta, tb);
                    cases.Add(new($"{kernel.Name} [3, 67, 95] x [3, 95, 133]", "MatMul", ctx =>
                        MatMulCase(ctx, dtype, tile, 3, 67, 133, 95, ta, tb, beta: 0), [Declared(kernel)]));
                }
        foreach (var tile in (int[])[64, 128])
            cases.Add(new($"gemm_f32_{tile}_nn beta=1 [2, 33, 17] x [2, 17, 45] + C", "MatMul", ctx =>
                MatMulCase(ctx, DType.Float32, tile, 2, 33, 45, 17, false, false, beta: 1),
                [Declared(GemmKernels.For(DType.Float32, tile, false, false))]));
    }

    /// <summary>C = op(A) op(B) + beta C for a batch of [m, k] x [k, n] products (A, B stored transposed when asked),
    /// with the GEMM's tile forced. With beta = 0 the GPU's C starts as NaN: the kernel must not read it.</summary>
    private static ParityResult MatMulCase(ParityContext ctx, DType dtype, int tile, int batch, int m, int n, int k, bool ta, bool tb, double beta)
    {
        var a = Rand(ta ? [batch, k, m] : [batch, m, k], dtype, -1, 1, 130);
        var b = Rand(tb ? [batch, n, k] : [batch, k, n], dtype, -1, 1, 131);
        var c0 = Rand([batch, m, n], dtype, -1, 1, 132);
        var cpu = c0.Clone();
        var gpu = ToGpu(c0);
        if (beta == 0) ctx.Gpu.Fill(gpu, double.NaN);
        ctx.Cpu.MatMul(a, b, cpu, ta, tb, beta);
        var (ag, bg) = (ToGpu(a), ToGpu(b));
        ctx.Gpu.Gemm(dtype, ctx.Gpu.PointerOf(ag, "MatMul"), ctx.Gpu.PointerOf(bg, "MatMul"), ctx.Gpu.PointerOf(gpu, "MatMul"),
            batch, m, n, k, ta, tb, beta, tile);
        // k products of terms in [-1, 1), summed in another order (the CPU skips zero terms and saxpys rows).
        double atol = 2 * Eps(dtype) * (k + 1);
        var result = new ParityCheck($"MatMul {Name(dtype)} tile {tile} {(ta ? "T" : "N")}{(tb ? "T" : "N")} beta={beta}",
                $"[{batch}, {m}, {k}] x [{batch}, {k}, {n}]")
            .Compare("c", cpu, gpu, atol, 8 * Eps(dtype)).Result();
        GC.KeepAlive(ag);
        GC.KeepAlive(bg);
        return result;
    }
}
