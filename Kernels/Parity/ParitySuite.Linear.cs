using Pade.Engine;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>GEMM, softmax, cross-entropy and one-hot cases.</summary>
public static partial class ParitySuite
{
    private static void AddLinearCases(List<ParityCase> cases)
    {
        foreach (var dtype in Floats)
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
                cases.Add(new($"matmul {Name(dtype)} {(ta ? "T" : "N")}{(tb ? "T" : "N")} [3, 67, 95] x [3, 95, 129]", "MatMul", ctx =>
                    MatMulCase(ctx, dtype, 3, 67, 129, 95, ta, tb, beta: 0)));
        cases.Add(new("matmul f32 NN beta=1 [2, 33, 17] x [2, 17, 45] + C", "MatMul", ctx =>
            MatMulCase(ctx, DType.Float32, 2, 33, 45, 17, false, false, beta: 1)));
        cases.Add(new("matmul f32 NN 128-tiles [1, 2100, 123] x [1, 123, 2100]", "MatMul", ctx =>
            MatMulCase(ctx, DType.Float32, 1, 2100, 2100, 123, false, false, beta: 0)));
        cases.Add(new("matmul f32 TN K=1 [5, 1, 70] x [5, 1, 300]", "MatMul", ctx =>
            MatMulCase(ctx, DType.Float32, 5, 70, 300, 1, true, false, beta: 0)));

        foreach (var dtype in Floats)
            foreach (var log in (bool[])[false, true])
                foreach (var shape in (int[][])[[1000, 10], [37, 1003]])
                    cases.Add(new($"{(log ? "log_softmax" : "softmax")} {Name(dtype)} {Shapes.Format(shape)}", "Softmax", ctx =>
                    {
                        var x = Rand(shape, dtype, -8, 8, 100);
                        var cpu = CpuEmpty(shape, dtype);
                        var gpu = ctx.GpuPoisoned(shape, dtype);
                        ctx.Cpu.Softmax(x, cpu, log);
                        ctx.Gpu.Softmax(ToGpu(x), gpu, log);
                        double eps = Eps(dtype);
                        return new ParityCheck($"Softmax(log={log}) {Name(dtype)}", Shapes.Format(shape))
                            .Compare("y", cpu, gpu, 16 * eps, 16 * eps).Result();
                    }));

        foreach (var dtype in Floats)
            foreach (var smoothing in (double[])[0, 0.1])
                foreach (var shape in (int[][])[[333, 10], [65, 1000]])
                    cases.Add(new($"cross_entropy {Name(dtype)} {Shapes.Format(shape)} smoothing {smoothing}", "CrossEntropy", ctx =>
                    {
                        int n = shape[0], c = shape[1];
                        var logits = Rand(shape, dtype, -6, 6, 110);
                        var targets = Rand([n], DType.Int32, 0, c, 111);
                        var lossCpu = CpuEmpty([n], dtype);
                        var probsCpu = CpuEmpty(shape, dtype);
                        var lossGpu = ctx.GpuPoisoned([n], dtype);
                        var probsGpu = ctx.GpuPoisoned(shape, dtype);
                        ctx.Cpu.CrossEntropy(logits, targets, smoothing, lossCpu, probsCpu);
                        ctx.Gpu.CrossEntropy(ToGpu(logits), ToGpu(targets), smoothing, lossGpu, probsGpu);
                        double eps = Eps(dtype);
                        return new ParityCheck($"CrossEntropy {Name(dtype)}", $"{Shapes.Format(shape)}, smoothing {smoothing}")
                            .Compare("loss", lossCpu, lossGpu, 64 * eps, 16 * eps)
                            .Compare("probs", probsCpu, probsGpu, 16 * eps, 16 * eps).Result();
                    }));

        foreach (var dtype in Floats)
            cases.Add(new($"one_hot {Name(dtype)} [1000] x 10", "OneHot", ctx =>
            {
                var idx = Rand([1000], DType.Int32, 0, 10, 120);
                var cpu = CpuEmpty([1000, 10], dtype);
                var gpu = ctx.GpuPoisoned([1000, 10], dtype);
                ctx.Cpu.OneHot(idx, cpu, 0.91, 0.01);
                ctx.Gpu.OneHot(ToGpu(idx), gpu, 0.91, 0.01);
                return new ParityCheck($"OneHot {Name(dtype)}", "[1000] -> [1000, 10]").Compare("y", cpu, gpu, 0, 0).Result();
            }));
    }

    /// <summary>C = op(A) op(B) + beta C for a batch of [m, k] x [k, n] products (A, B stored transposed when asked).</summary>
    private static ParityResult MatMulCase(ParityContext ctx, DType dtype, int batch, int m, int n, int k, bool ta, bool tb, double beta)
    {
        var a = Rand(ta ? [batch, k, m] : [batch, m, k], dtype, -1, 1, 130);
        var b = Rand(tb ? [batch, n, k] : [batch, k, n], dtype, -1, 1, 131);
        var c0 = Rand([batch, m, n], dtype, -1, 1, 132);
        var cpu = c0.Clone();
        var gpu = ToGpu(c0);
        if (beta == 0) ctx.Gpu.Fill(gpu, double.NaN); // beta = 0 must not read C
        ctx.Cpu.MatMul(a, b, cpu, ta, tb, beta);
        ctx.Gpu.MatMul(ToGpu(a), ToGpu(b), gpu, ta, tb, beta);
        // k products of terms in [-1, 1), summed in another order (the CPU skips zero terms and saxpys rows).
        double atol = 2 * Eps(dtype) * (k + 1);
        return new ParityCheck($"MatMul {Name(dtype)} {(ta ? "T" : "N")}{(tb ? "T" : "N")} beta={beta}",
                $"[{batch}, {m}, {k}] x [{batch}, {k}, {n}]")
            .Compare("c", cpu, gpu, atol, 8 * Eps(dtype)).Result();
    }
}
