using Pade.Engine;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>Random numbers (bit-exact with the CPU) and the fused optimizer steps.</summary>
public static partial class ParitySuite
{
    private static void AddRandomAndOptimizerCases(List<ParityCase> cases)
    {
        foreach (var d in Enum.GetValues<Distribution>())
            foreach (var dtype in Floats)
                cases.Add(new($"random {d} {Name(dtype)} [1000003] offset 7", "Random", ctx =>
                {
                    int[] shape = [1000003];
                    var (p1, p2) = d switch { Distribution.Uniform => (-2.0, 3.0), Distribution.Normal => (0.5, 2.0), _ => (0.3, 0.0) };
                    const ulong seed = 0x1234_5678_9ABC_DEF0, offset = 7; // an offset that is not a multiple of 4
                    var cpu = CpuEmpty(shape, dtype);
                    var gpu = ctx.GpuPoisoned(shape, dtype);
                    ctx.Cpu.Random(cpu, d, seed, offset, p1, p2);
                    ctx.Gpu.Random(gpu, d, seed, offset, p1, p2);
                    // Uniform and Bernoulli: the same IEEE operations on the same Philox words, bit for bit.
                    // Normal: log and cos may differ in the last bit of a double (CUDA libdevice vs the host's libm).
                    double rtol = d == Distribution.Normal ? 4 * Eps(DType.Float64) + (dtype == DType.Float32 ? Eps(dtype) : 0) : 0;
                    return new ParityCheck($"Random({d}) {Name(dtype)}", $"{Shapes.Format(shape)}, seed {seed:x}, offset {offset}")
                        .Compare("y", cpu, gpu, rtol, rtol).Result();
                }));

        foreach (var dtype in Floats)
            foreach (var (momentum, nesterov, first) in new[] { (0.0, false, false), (0.9, false, true), (0.9, false, false), (0.9, true, false) })
                cases.Add(new($"sgd {Name(dtype)} momentum {momentum}{(nesterov ? " nesterov" : "")}{(first ? " first" : "")} [100003]", "SgdStep", ctx =>
                {
                    int[] shape = [100003];
                    var p = Rand(shape, dtype, -1, 1, 140);
                    var g = Rand(shape, dtype, -1, 1, 141);
                    var buf = Rand(shape, dtype, -1, 1, 142);
                    var (pg, bg) = (ToGpu(p), ToGpu(buf));
                    bool hasBuf = momentum != 0;
                    ctx.Cpu.SgdStep(p, g, hasBuf ? buf : null, 0.05, momentum, 0.1, nesterov, 1e-3, first);
                    ctx.Gpu.SgdStep(pg, ToGpu(g), hasBuf ? bg : null, 0.05, momentum, 0.1, nesterov, 1e-3, first);
                    double eps = Eps(dtype);
                    return new ParityCheck($"SgdStep {Name(dtype)}", $"{Shapes.Format(shape)}, lr 0.05, momentum {momentum}, dampening 0.1, wd 1e-3")
                        .Compare("p", p, pg, 4 * eps, 4 * eps).Compare("buf", buf, bg, 4 * eps, 4 * eps).Result();
                }));

        foreach (var dtype in Floats)
            foreach (var (decoupled, step) in new[] { (false, 1), (false, 7), (true, 3) })
                cases.Add(new($"adam {Name(dtype)}{(decoupled ? " decoupled" : "")} step {step} [100003]", "AdamStep", ctx =>
                {
                    int[] shape = [100003];
                    var p = Rand(shape, dtype, -1, 1, 150);
                    var g = Rand(shape, dtype, -1, 1, 151);
                    var m = Rand(shape, dtype, -0.1, 0.1, 152);
                    var v = Rand(shape, dtype, 0, 0.01, 153);
                    var (pg, mg, vg) = (ToGpu(p), ToGpu(m), ToGpu(v));
                    ctx.Cpu.AdamStep(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 1e-2, decoupled, step);
                    ctx.Gpu.AdamStep(pg, ToGpu(g), mg, vg, 1e-3, 0.9, 0.999, 1e-8, 1e-2, decoupled, step);
                    double eps = Eps(dtype);
                    return new ParityCheck($"AdamStep {Name(dtype)}{(decoupled ? " (AdamW)" : "")}", $"{Shapes.Format(shape)}, step {step}")
                        .Compare("p", p, pg, 4 * eps, 8 * eps).Compare("m", m, mg, 4 * eps, 4 * eps).Compare("v", v, vg, 4 * eps, 4 * eps).Result();
                }));
    }
}
