using Pade.Engine;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>PAU and RPAU forward and backward (cuda/pau.cu) against <see cref="PauReference"/>.</summary>
public static partial class ParitySuite
{
    private static void AddPauCases(List<ParityCase> cases)
    {
        foreach (var dtype in Floats)
            foreach (var (label, m, n, table6) in new[] { ("table6 m=5 n=4", 5, 4, true), ("random m=3 n=2", 3, 2, false), ("random m=5 n=4", 5, 4, false) })
                foreach (var count in (int[])[1000003, 1000])
                    foreach (bool randomized in (bool[])[false, true])
                    {
                        if (randomized && count != 1000003) continue;
                        var name = $"{(randomized ? "rpau" : "pau")} {Name(dtype)} {label} [{count}]";
                        cases.Add(new(name, randomized ? "RpauForward/RpauBackward" : "PauForward/PauBackward",
                            ctx => PauCase(ctx, dtype, m, n, table6, count, randomized)));
                    }
    }

    private static ParityResult PauCase(ParityContext ctx, DType dtype, int m, int n, bool table6, int count, bool randomized)
    {
        const ulong seed = 0xC0FFEE, offset = 5;
        const double alpha = 0.1;
        double[] a = table6 ? PauReference.LeakyReluNumerator : Rand([m + 1], DType.Float64, -1.5, 1.5, 160).ToArray<double>();
        double[] b = table6 ? PauReference.LeakyReluDenominator : Rand([n], DType.Float64, -2, 2, 161).ToArray<double>();
        var xs = Rand([count], DType.Float64, -3, 3, 162).ToArray<double>();
        xs[0] = 0; // sign(0) = 0 in A'(x) and dF/db
        var dys = Rand([count], DType.Float64, -1, 1, 163).ToArray<double>();
        // The reference sees the inputs the GPU sees: rounded to the dtype.
        Tensor Dev(double[] v) => Tensor.FromSpan<double>(v, [v.Length]).To(dtype).To(Device.Cuda);
        double[] Back(Tensor t) => t.Cpu().To(DType.Float64).ToArray<double>();
        var (x, dy, ta, tb) = (Dev(xs), Dev(dys), Dev(a), Dev(b));
        (xs, dys, a, b) = (Back(x), Back(dy), Back(ta), Back(tb));

        bool single = dtype == DType.Float32;
        int columns = m + 1 + n;
        Func<long, int, double>? factor = randomized ? (i, q) => PauReference.NoiseFactor(seed, offset, i, q, columns, alpha, single) : null;
        var y = ctx.GpuPoisoned([count], dtype);
        var dx = ctx.GpuPoisoned([count], dtype);
        var da = ctx.GpuPoisoned([m + 1], dtype);
        var db = ctx.GpuPoisoned([n], dtype);
        if (randomized)
        {
            ctx.Gpu.RpauForward(x, ta, tb, y, seed, offset, alpha);
            ctx.Gpu.RpauBackward(x, ta, tb, dy, dx, da, db, seed, offset, alpha);
        }
        else
        {
            ctx.Gpu.PauForward(x, ta, tb, y);
            ctx.Gpu.PauBackward(x, ta, tb, dy, dx, da, db);
        }

        var yRef = PauReference.Forward(xs, a, b, factor);
        var (dxRef, daRef, dbRef, daScale, dbScale) = PauReference.Backward(xs, dys, a, b, factor);
        // Scale of the float rounding: the largest polynomial term at |x| = 3 (P and its derivative cancel there).
        double terms = 0;
        for (int j = 0; j <= m; j++) terms += Math.Abs(a[j]) * Math.Pow(3, j) * (j + 1);
        double eps = Eps(dtype);
        Tensor Cpu(double[] v) => Tensor.FromSpan<double>(v, [v.Length]);
        return new ParityCheck($"{(randomized ? "RPAU" : "PAU")} {Name(dtype)} m={m} n={n}",
                $"[{count}]{(randomized ? $", alpha {alpha}, seed {seed:x}, offset {offset}" : "")}")
            .Compare("y", Cpu(yRef), y, 16 * eps * terms, 16 * eps)
            .Compare("dx", Cpu(dxRef), dx, 64 * eps * terms, 16 * eps)
            .Compare("da", Cpu(daRef), da, 16 * eps * daScale.Max(), 16 * eps)
            .Compare("db", Cpu(dbRef), db, 16 * eps * dbScale.Max() * terms, 16 * eps)
            .Result();
    }
}
