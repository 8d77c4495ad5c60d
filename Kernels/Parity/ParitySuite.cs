using Pade.Engine;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>
/// Every CUDA kernel against the CPU backend on random inputs, written once and run by the NUnit parity tests
/// (Tests/CudaParityTests.cs) and by `pade gpu check`. Shapes are deliberately not multiples of the block size
/// (256), the warp (32) or the GEMM tiles, and include views (transposes, broadcasts, slices).
/// </summary>
/// <remarks>Tolerances: exact (0) where both sides do the same correctly rounded IEEE operations (binary
/// arithmetic, copies, max/min, uniform random numbers); a few ulps for transcendental functions, whose CUDA and
/// .NET implementations differ in the last bits; and a bound growing with the number of terms for sums and dot
/// products, which the GPU adds in a different order.</remarks>
public static partial class ParitySuite
{
    private static readonly Lazy<IReadOnlyList<ParityCase>> All = new(Build);

    /// <summary>All cases, in a fixed order.</summary>
    public static IReadOnlyList<ParityCase> Cases => All.Value;

    private static IReadOnlyList<ParityCase> Build()
    {
        var cases = new List<ParityCase>();
        AddCopyCases(cases);
        AddUnaryCases(cases);
        AddBinaryCases(cases);
        AddReduceCases(cases);
        AddLinearCases(cases);
        AddRandomAndOptimizerCases(cases);
        AddPauCases(cases);
        AddExtensionCases(cases);
        var duplicate = cases.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new InvalidOperationException($"parity case name '{duplicate.Key}' is used twice");
        return cases;
    }

    // Families in other files (activations, layers) add their cases here.
    static partial void AddActivationCases(List<ParityCase> cases);
    static partial void AddLayerCases(List<ParityCase> cases);

    private static void AddExtensionCases(List<ParityCase> cases)
    {
        AddActivationCases(cases);
        AddLayerCases(cases);
    }

    private static DType[] Floats => [DType.Float32, DType.Float64];

    private static void AddCopyCases(List<ParityCase> cases)
    {
        foreach (var dtype in (DType[])[DType.Float32, DType.Float64, DType.Int32])
            cases.Add(new($"fill {Name(dtype)} [1000003]", "Fill", ctx =>
            {
                int[] shape = [1000003];
                var cpu = CpuEmpty(shape, dtype);
                var gpu = ctx.GpuPoisoned(shape, dtype);
                ctx.Cpu.Fill(cpu, -2.5);
                ctx.Gpu.Fill(gpu, -2.5);
                return new ParityCheck($"Fill {Name(dtype)}", Shapes.Format(shape)).Compare("y", cpu, gpu, 0, 0).Result();
            }));

        cases.Add(new("copy contiguous f32 [1000003]", "Copy", ctx =>
            CopyCase(ctx, "Copy f32 (memcpy)", Rand([1000003], DType.Float32, -1, 1, 11), x => x, DType.Float32)));
        cases.Add(new("copy transpose f32 [129, 257]^T", "Copy", ctx =>
            CopyCase(ctx, "Copy f32 strided", Rand([129, 257], DType.Float32, -1, 1, 12), x => x.Transpose(0, 1), DType.Float32)));
        cases.Add(new("copy broadcast f64 [1, 53] -> [37, 53]", "Copy", ctx =>
            CopyCase(ctx, "Copy f64 broadcast", Rand([1, 53], DType.Float64, -1, 1, 13), x => x.Expand(37, 53), DType.Float64)));
        cases.Add(new("copy permute f32 [33, 65, 17] -> [17, 33, 65]", "Copy", ctx =>
            CopyCase(ctx, "Copy f32 permuted", Rand([33, 65, 17], DType.Float32, -1, 1, 14), x => x.Permute(2, 0, 1), DType.Float32)));
        foreach (var from in (DType[])[DType.Float32, DType.Float64, DType.Int32])
            foreach (var to in (DType[])[DType.Float32, DType.Float64, DType.Int32])
            {
                if (from == to) continue;
                cases.Add(new($"copy convert {Name(from)} -> {Name(to)} [77, 131]^T", "Copy", ctx =>
                    CopyCase(ctx, $"Copy {Name(from)}->{Name(to)}", Rand([77, 131], from, -300, 300, 15), x => x.Transpose(0, 1), to)));
            }

        cases.Add(new("copy into strided view f32 [40, 50] -> [40, 60][:, 5:55]", "Copy", ctx =>
        {
            var x = Rand([40, 50], DType.Float32, -1, 1, 16);
            var cpu = Tensor.Zeros([40, 60], DType.Float32);
            var gpu = Tensor.Zeros([40, 60], DType.Float32, Device.Cuda);
            ctx.Cpu.Copy(x, cpu.Narrow(1, 5, 50));
            ctx.Gpu.Copy(ToGpu(x), gpu.Narrow(1, 5, 50));
            return new ParityCheck("Copy f32 into view", "[40, 50] -> [40, 60] narrow(1, 5, 50)").Compare("y", cpu, gpu, 0, 0).Result();
        }));
    }

    /// <summary>Copies view(x) into a fresh contiguous tensor of dtype <paramref name="to"/> on both devices.</summary>
    private static ParityResult CopyCase(ParityContext ctx, string kernel, Tensor x, Func<Tensor, Tensor> view, DType to)
    {
        var vc = view(x);
        var vg = view(ToGpu(x));
        var cpu = CpuEmpty(vc.ShapeCopy(), to);
        var gpu = ctx.GpuPoisoned(vc.ShapeCopy(), to);
        ctx.Cpu.Copy(vc, cpu);
        ctx.Gpu.Copy(vg, gpu);
        return new ParityCheck(kernel, $"{Shapes.Format(x.Shape)} -> {Shapes.Format(vc.Shape)} strides {Shapes.Format(vc.Strides)}")
            .Compare("y", cpu, gpu, 0, 0).Result();
    }

    private static void AddUnaryCases(List<ParityCase> cases)
    {
        foreach (var op in Enum.GetValues<UnaryOp>().Where(CudaBackend.IsCoreUnary))
            foreach (var dtype in Floats)
                cases.Add(new($"unary {op} {Name(dtype)} [1000, 1003]", "Unary", ctx =>
                {
                    int[] shape = [1000, 1003];
                    var (lo, hi, alpha, beta) = UnaryDomain(op);
                    var x = op is UnaryOp.Sign or UnaryOp.Relu or UnaryOp.Clamp
                        ? RandCoarse(shape, dtype, lo, hi, 20 + (ulong)op)
                        : Rand(shape, dtype, lo, hi, 20 + (ulong)op);
                    var cpu = CpuEmpty(shape, dtype);
                    var gpu = ctx.GpuPoisoned(shape, dtype);
                    ctx.Cpu.Unary(op, x, cpu, alpha, beta);
                    ctx.Gpu.Unary(op, ToGpu(x), gpu, alpha, beta);
                    double eps = Eps(dtype);
                    return new ParityCheck($"Unary({op}) {Name(dtype)}", $"{Shapes.Format(shape)} x in [{lo}, {hi}), alpha {alpha}, beta {beta}")
                        .Compare("y", cpu, gpu, 4 * eps, 16 * eps).Result();
                }));

        foreach (var op in Enum.GetValues<UnaryOp>().Where(CudaBackend.HasCoreUnaryBackward))
            foreach (var dtype in Floats)
                cases.Add(new($"unary backward {op} {Name(dtype)} [1000003]", "UnaryBackward", ctx =>
                {
                    int[] shape = [1000003];
                    var x = op == UnaryOp.Relu ? RandCoarse(shape, dtype, -3, 3, 40) : Rand(shape, dtype, -6, 6, 40);
                    var dy = Rand(shape, dtype, -1, 1, 41);
                    var y = CpuEmpty(shape, dtype);
                    ctx.Cpu.Unary(op, x, y);
                    var cpu = CpuEmpty(shape, dtype);
                    var gpu = ctx.GpuPoisoned(shape, dtype);
                    ctx.Cpu.UnaryBackward(op, x, y, dy, cpu);
                    ctx.Gpu.UnaryBackward(op, ToGpu(x), ToGpu(y), ToGpu(dy), gpu);
                    double eps = Eps(dtype);
                    return new ParityCheck($"UnaryBackward({op}) {Name(dtype)}", Shapes.Format(shape))
                        .Compare("dx", cpu, gpu, 2 * eps, 4 * eps).Result();
                }));
    }

    /// <summary>Input range and parameters for which each unary op is defined and well conditioned.</summary>
    private static (double Lo, double Hi, double Alpha, double Beta) UnaryDomain(UnaryOp op) => op switch
    {
        UnaryOp.Log or UnaryOp.Sqrt => (0.01, 10, 0, 0),
        UnaryOp.Pow => (0.01, 4, 2.5, 0),
        UnaryOp.Reciprocal => (0.25, 4, 0, 0),
        UnaryOp.Exp => (-20, 20, 0, 0),
        UnaryOp.Clamp => (-2, 2, -0.5, 0.75),
        UnaryOp.AddScalar => (-5, 5, 1.75, 0),
        UnaryOp.MulScalar => (-5, 5, -3.25, 0),
        _ => (-5, 5, 0, 0),
    };

    private static void AddBinaryCases(List<ParityCase> cases)
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            cases.Add(new($"binary {op} f32 [37, 1, 53] x [1, 41, 53]", "Binary", ctx =>
                BinaryCase(ctx, op, DType.Float32, [37, 1, 53], [1, 41, 53], [37, 41, 53], t => t, t => t)));
            cases.Add(new($"binary {op} f64 [53, 41]^T x [53]", "Binary", ctx =>
                BinaryCase(ctx, op, DType.Float64, [53, 41], [53], [41, 53], t => t.Transpose(0, 1), t => t)));
        }
        cases.Add(new("binary Add f32 [1000003] x scalar", "Binary", ctx =>
            BinaryCase(ctx, BinaryOp.Add, DType.Float32, [1000003], [], [1000003], t => t, t => t)));

        foreach (var condType in (DType[])[DType.Float32, DType.Int32])
            cases.Add(new($"where f32 cond {Name(condType)} [37, 1, 53] a [1, 41, 53] b [37, 41, 1]", "Where", ctx =>
            {
                int[] shape = [37, 41, 53];
                var cond = RandCoarse([37, 1, 53], DType.Float64, 0, 0.5, 50).To(condType);
                var a = Rand([1, 41, 53], DType.Float32, -1, 1, 51);
                var b = Rand([37, 41, 1], DType.Float32, -1, 1, 52);
                var cpu = CpuEmpty(shape, DType.Float32);
                var gpu = ctx.GpuPoisoned(shape, DType.Float32);
                ctx.Cpu.Where(cond.Expand(shape), a.Expand(shape), b.Expand(shape), cpu);
                ctx.Gpu.Where(ToGpu(cond).Expand(shape), ToGpu(a).Expand(shape), ToGpu(b).Expand(shape), gpu);
                return new ParityCheck($"Where f32 (cond {Name(condType)})", "[37, 1, 53], [1, 41, 53], [37, 41, 1] -> [37, 41, 53]")
                    .Compare("y", cpu, gpu, 0, 0).Result();
            }));
    }

    /// <summary>y = view(a) op view(b), broadcast to <paramref name="shape"/>. Inputs on a 1/4 grid (ties for the
    /// comparisons); the divisor stays away from zero. IEEE arithmetic is correctly rounded on both sides: exact.</summary>
    private static ParityResult BinaryCase(ParityContext ctx, BinaryOp op, DType dtype, int[] sa, int[] sb, int[] shape,
        Func<Tensor, Tensor> viewA, Func<Tensor, Tensor> viewB)
    {
        var a = RandCoarse(sa, dtype, -2, 2, 60 + (ulong)op);
        var b = op == BinaryOp.Div ? Rand(sb, dtype, 0.5, 2, 70) : RandCoarse(sb, dtype, -2, 2, 70 + (ulong)op);
        var cpu = CpuEmpty(shape, dtype);
        var gpu = ctx.GpuPoisoned(shape, dtype);
        ctx.Cpu.Binary(op, viewA(a).BroadcastTo(shape), viewB(b).BroadcastTo(shape), cpu);
        ctx.Gpu.Binary(op, viewA(ToGpu(a)).BroadcastTo(shape), viewB(ToGpu(b)).BroadcastTo(shape), gpu);
        return new ParityCheck($"Binary({op}) {Name(dtype)}", $"{Shapes.Format(sa)} op {Shapes.Format(sb)} -> {Shapes.Format(shape)}")
            .Compare("y", cpu, gpu, 0, 0).Result();
    }

    private static void AddReduceCases(List<ParityCase> cases)
    {
        (int[] Shape, int[] Axes, ReduceOp Op, DType DType)[] plans =
        [
            ([1000003], [0], ReduceOp.Sum, DType.Float32),
            ([1000003], [0], ReduceOp.Sum, DType.Float64),
            ([1000003], [0], ReduceOp.Max, DType.Float32),
            ([3, 100003], [0, 1], ReduceOp.Min, DType.Float64),
            ([1000, 3], [0], ReduceOp.Sum, DType.Float32),
            ([100003, 3], [0], ReduceOp.Max, DType.Float32),
            ([7, 33, 129], [0, 2], ReduceOp.Sum, DType.Float32),
            ([7, 33, 129], [0, 2], ReduceOp.Max, DType.Float64),
            ([513, 1000], [1], ReduceOp.Sum, DType.Float64),
            ([513, 1000], [1], ReduceOp.Min, DType.Float32),
            ([17, 999, 5], [1], ReduceOp.Sum, DType.Float32),
            ([64, 10], [0], ReduceOp.Sum, DType.Float32),
            ([5, 6, 7, 8], [1, 3], ReduceOp.Sum, DType.Float64),
        ];
        foreach (var (shape, axes, op, dtype) in plans)
            cases.Add(new($"reduce {op} {Name(dtype)} {Shapes.Format(shape)} axes {Shapes.Format(axes)}", "Reduce", ctx =>
            {
                var x = op == ReduceOp.Sum ? Rand(shape, dtype, -1, 1, 80) : RandCoarse(shape, dtype, -100, 100, 80);
                var kept = (int[])shape.Clone();
                long len = 1;
                foreach (var a in axes) { len *= kept[a]; kept[a] = 1; }
                var cpu = CpuEmpty(kept, dtype);
                var gpu = ctx.GpuPoisoned(kept, dtype);
                ctx.Cpu.Reduce(op, x, axes, cpu);
                ctx.Gpu.Reduce(op, ToGpu(x), axes, gpu);
                // A sum of len terms in [-1, 1) in another order: a few ulps of len, far below one missing term.
                double atol = op == ReduceOp.Sum ? Eps(dtype) * len : 0;
                return new ParityCheck($"Reduce({op}) {Name(dtype)}", $"{Shapes.Format(shape)} over {Shapes.Format(axes)}")
                    .Compare("y", cpu, gpu, atol, op == ReduceOp.Sum ? 8 * Eps(dtype) : 0).Result();
            }));

        (int[] Shape, int Axis, DType DType)[] argmax = [([257, 1001], 1, DType.Float32), ([33, 77, 5], 1, DType.Float64), ([1000], 0, DType.Float32)];
        foreach (var (shape, axis, dtype) in argmax)
            cases.Add(new($"argmax {Name(dtype)} {Shapes.Format(shape)} axis {axis}", "ArgMax", ctx =>
            {
                var x = RandCoarse(shape, dtype, -4, 4, 90); // ties: the first maximum must win
                var kept = (int[])shape.Clone();
                kept[axis] = 1;
                var cpu = CpuEmpty(kept, DType.Int32);
                var gpu = ctx.GpuPoisoned(kept, DType.Int32);
                ctx.Cpu.ArgMax(x, axis, cpu);
                ctx.Gpu.ArgMax(ToGpu(x), axis, gpu);
                return new ParityCheck($"ArgMax {Name(dtype)}", $"{Shapes.Format(shape)} axis {axis}").Compare("index", cpu, gpu, 0, 0).Result();
            }));
    }
}
