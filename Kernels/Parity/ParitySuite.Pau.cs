using Pade.Engine;
using Pade.Kernels.Catalog;
using static Pade.Kernels.Parity.ParityContext;
using Formula = Pade.Kernels.CudaBackend.PauFormula;

namespace Pade.Kernels.Parity;

/// <summary>PAU forward and backward (cuda/pau.cu), every version, shared and per-channel coefficients, with and
/// without RPAU noise, against <see cref="PauReference"/>.</summary>
public static partial class ParitySuite
{
    /// <summary>One PAU configuration: formula, coefficients per channel, layout [outer, channels, inner], noise α.</summary>
    private sealed record PauPlan(string Label, Formula Formula, int Na, int Nb, bool Table6, long Outer, int Channels, long Inner, double Alpha);

    private static void AddPauCases(List<ParityCase> cases)
    {
        PauPlan[] plans =
        [
            new("A table6 (5,4) shared", Formula.A, 6, 4, true, 1, 1, 1000003, 0),
            new("A table6 (5,4) shared small", Formula.A, 6, 4, true, 1, 1, 1001, 0),
            new("A random (3,2) shared", Formula.A, 4, 2, false, 1, 1, 1000003, 0),
            new("B random (5,4) shared", Formula.B, 6, 4, false, 1, 1, 300007, 0),
            new("B random (4,3) per-channel [5, 8, 64]", Formula.B, 5, 3, false, 5, 8, 64, 0),
            new("C random (5, b0..b4) shared", Formula.C, 6, 5, false, 1, 1, 300007, 0),
            new("A table6 (5,4) per-channel [7, 13, 37]", Formula.A, 6, 4, true, 7, 13, 37, 0),
            new("RPAU A table6 (5,4) shared", Formula.A, 6, 4, true, 1, 1, 200003, 0.1),
            new("RPAU C random (3, b0..b2) per-channel [3, 6, 101]", Formula.C, 4, 3, false, 3, 6, 101, 0.1),
        ];
        foreach (var plan in plans)
            foreach (var dtype in Floats)
                cases.Add(new($"pau {plan.Label} {Name(dtype)}", plan.Alpha > 0 ? "PauForward/PauBackward (noise)" : "PauForward/PauBackward",
                    ctx => PauCase(ctx, dtype, plan),
                [
                    Declared(PauKernels.For(plan.Formula, backward: false, plan.Na, plan.Nb, plan.Alpha, dtype)),
                    Declared(PauKernels.For(plan.Formula, backward: true, plan.Na, plan.Nb, plan.Alpha, dtype)),
                    Declared(PauKernels.CoeffReduce[dtype]),
                ]));
    }

    private static ParityResult PauCase(ParityContext ctx, DType dtype, PauPlan plan)
    {
        const ulong seed = 0xC0FFEE, offset = 5;
        int na = plan.Na, nb = plan.Nb, channels = plan.Channels, count = checked((int)(plan.Outer * channels * plan.Inner));
        double[] a = plan.Table6 ? Repeat(PauReference.LeakyReluNumerator, channels) : Rand([channels * na], DType.Float64, -1.5, 1.5, 160).ToArray<double>();
        double[] b = plan.Table6 ? Repeat(PauReference.LeakyReluDenominator, channels) : Rand([channels * nb], DType.Float64, -2, 2, 161).ToArray<double>();
        var xs = Rand([count], DType.Float64, -3, 3, 162).ToArray<double>();
        xs[0] = 0; // sgn(0) = +1 in Q' (version A)
        var dys = Rand([count], DType.Float64, -1, 1, 163).ToArray<double>();
        // The reference sees the inputs the GPU sees: rounded to the dtype.
        Tensor Dev(double[] v) => Tensor.FromSpan<double>(v, [v.Length]).To(dtype).To(Device.Cuda);
        double[] Back(Tensor t) => t.Cpu().To(DType.Float64).ToArray<double>();
        var (x, dy, ta, tb) = (Dev(xs), Dev(dys), Dev(a), Dev(b));
        (xs, dys, a, b) = (Back(x), Back(dy), Back(ta), Back(tb));

        var layout = new PauReference.Layout(plan.Outer, channels, plan.Inner);
        bool single = dtype == DType.Float32;
        Func<long, int, double>? factor = plan.Alpha > 0
            ? (i, q) => PauReference.NoiseFactor(seed, offset, i, q, na + nb, plan.Alpha, single)
            : null;
        var y = ctx.GpuPoisoned([count], dtype);
        var dx = ctx.GpuPoisoned([count], dtype);
        var da = ctx.GpuPoisoned([channels * na], dtype);
        var db = ctx.GpuPoisoned([channels * nb], dtype);
        ctx.Gpu.PauForward(plan.Formula, x, ta, tb, y, plan.Outer, channels, plan.Inner, plan.Alpha, seed, offset);
        ctx.Gpu.PauBackward(plan.Formula, x, dy, ta, tb, dx, da, db, plan.Outer, channels, plan.Inner, plan.Alpha, seed, offset);

        char f = plan.Formula.ToString()[0];
        var (yRef, yScale) = PauReference.ForwardWithScale(f, xs, a, b, na, layout, factor);
        var g = PauReference.Backward(f, xs, dys, a, b, na, layout, factor);
        double eps = Eps(dtype);
        const double k = 32; // a few ulps of each rounding, times the operations in a row
        Tensor Cpu(double[] v) => Tensor.FromSpan<double>(v, [v.Length]);
        return new ParityCheck($"PAU {plan.Formula} {Name(dtype)} m={na - 1} nb={nb}{(plan.Alpha > 0 ? $" noise {plan.Alpha}" : "")}",
                $"x [{plan.Outer}, {channels}, {plan.Inner}], a [{channels}, {na}], b [{channels}, {nb}]")
            .Compare("y", Cpu(yRef), y, i => k * eps * yScale[i], k * eps, "32 eps·(Σ|a x^j| + |y| Σ|b u^k|)/Q")
            .Compare("dx", Cpu(g.Dx), dx, i => k * eps * g.DxScale[i], k * eps, "32 eps·scale(dx)")
            .Compare("da", Cpu(g.Da), da, i => k * eps * g.DaScale[i], k * eps, "32 eps·Σ|terms|")
            .Compare("db", Cpu(g.Db), db, i => k * eps * g.DbScale[i], k * eps, "32 eps·Σ|terms|")
            .Result();
    }

    private static double[] Repeat(double[] row, int times) => Enumerable.Range(0, times).SelectMany(_ => row).ToArray();
}
