using Pade.Engine;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>
/// The kernel-level CUDA checks the op cases (<see cref="OpCases.OpSuite"/>, through the public API on small
/// shapes) do not make: outputs poisoned with NaN so an element a kernel forgets to write shows, sizes past the
/// grid's cap (grid-stride loops) and multi-pass reductions at scale, each GEMM tile forced on sizes that are not
/// multiples of it (with beta = 0 ignoring a NaN C, and beta = 1), and the PAU's CUDA-only API against a reference
/// written term by term. Run by Tests/CudaParityTests.cs and, after the op cases, by `pade gpu check`.
/// </summary>
/// <remarks>Tolerances: exact (0) where both sides do the same correctly rounded IEEE operations (binary
/// arithmetic, copies, max/min); a few ulps for transcendental functions, whose CUDA and .NET implementations
/// differ in the last bits; and a bound growing with the number of terms for sums and dot products, which the GPU
/// adds in a different order.</remarks>
public static partial class ParitySuite
{
    private static readonly Lazy<IReadOnlyList<ParityCase>> Kernel = new(Build);

    /// <summary>The kernel-level cases, in a fixed order.</summary>
    public static IReadOnlyList<ParityCase> Cases => Kernel.Value;

    /// <summary>What `pade gpu check` runs: every op case on CUDA, then the kernel-level cases.</summary>
    public static IEnumerable<ParityCase> All => OpCases.OpSuite.OnCuda().Concat(Cases);

    private static IReadOnlyList<ParityCase> Build()
    {
        var cases = new List<ParityCase>();
        AddPoisonedCases(cases);
        AddLinearCases(cases);
        AddPauCases(cases);
        var duplicate = cases.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new InvalidOperationException($"parity case name '{duplicate.Key}' is used twice");
        return cases;
    }

    private static DType[] Floats => [DType.Float32, DType.Float64];

    /// <summary>A catalogue declaration as the (file, entry point) a case says it launches.</summary>
    private static (string File, string Kernel) Declared(Catalog.Kernel kernel) => (kernel.File, kernel.Name);

    /// <summary>Elements past one grid's worth of threads (32 blocks per multiprocessor, 256 threads: about 10⁶ on
    /// an H100) are reached only by the grid-stride loops; these sizes are larger, odd, and the outputs start as NaN.</summary>
    private const int Big = 1000003;

    private static void AddPoisonedCases(List<ParityCase> cases)
    {
        cases.Add(new($"poisoned unary Exp f32 [{Big}]", "Unary", ctx =>
        {
            var x = Rand([Big], DType.Float32, -5, 5, 21);
            var (cpu, gpu) = (CpuEmpty([Big], DType.Float32), ctx.GpuPoisoned([Big], DType.Float32));
            ctx.Cpu.Unary(UnaryOp.Exp, x, cpu);
            ctx.Gpu.Unary(UnaryOp.Exp, ToGpu(x), gpu);
            double eps = Eps(DType.Float32);
            return new ParityCheck("Unary(Exp) f32", $"[{Big}]").Compare("y", cpu, gpu, 4 * eps, 16 * eps).Result();
        }, [("elementwise.cu", "unary_f32")]));
        cases.Add(new($"poisoned binary Add f64 [{Big}] x scalar", "Binary", ctx =>
        {
            var (a, b) = (Rand([Big], DType.Float64, -2, 2, 61), Rand([], DType.Float64, -2, 2, 62));
            var (cpu, gpu) = (CpuEmpty([Big], DType.Float64), ctx.GpuPoisoned([Big], DType.Float64));
            ctx.Cpu.Binary(BinaryOp.Add, a, b.BroadcastTo([Big]), cpu);
            ctx.Gpu.Binary(BinaryOp.Add, ToGpu(a), ToGpu(b).BroadcastTo([Big]), gpu);
            return new ParityCheck("Binary(Add) f64", $"[{Big}] + []").Compare("y", cpu, gpu, 0, 0).Result();
        }, [("elementwise.cu", "binary_f64")]));
        cases.Add(new("poisoned copy transpose f32 [1029, 1001]^T", "Copy", ctx =>
            CopyCase(ctx, "Copy f32 strided", Rand([1029, 1001], DType.Float32, -1, 1, 12), x => x.Transpose(0, 1), DType.Float32),
            [("fill_copy.cu", "copy_f32_f32")]));
        foreach (var dtype in Floats)
            cases.Add(new($"poisoned copy_strided {Name(dtype)} [1029, 1001]^T at offset 3", "copy_strided", ctx => CopyStridedCase(ctx, dtype),
                [Declared(Catalog.FillCopyKernels.CopyStrided[dtype])]));
        foreach (var dtype in Floats)
            cases.Add(new($"poisoned reduce Sum {Name(dtype)} [{Big}]", "Reduce", ctx => ReduceCase(ctx, [Big], [0], ReduceOp.Sum, dtype),
                [("reduce.cu", "reduce_rows_" + Name(dtype))]));
        cases.Add(new("poisoned reduce Max f32 [100003, 3] axis 0", "Reduce", ctx => ReduceCase(ctx, [100003, 3], [0], ReduceOp.Max, DType.Float32),
            [("reduce.cu", "reduce_strided_f32")]));
    }

    /// <summary>A reduction into a NaN-poisoned output: a sum of len terms in [-1, 1) in another order is within a
    /// few ulps of len, far below one missing term; max and min are exact.</summary>
    private static ParityResult ReduceCase(ParityContext ctx, int[] shape, int[] axes, ReduceOp op, DType dtype)
    {
        var x = op == ReduceOp.Sum ? Rand(shape, dtype, -1, 1, 80) : RandCoarse(shape, dtype, -100, 100, 80);
        var kept = (int[])shape.Clone();
        long len = 1;
        foreach (var a in axes) { len *= kept[a]; kept[a] = 1; }
        var cpu = CpuEmpty(kept, dtype);
        var gpu = ctx.GpuPoisoned(kept, dtype);
        ctx.Cpu.Reduce(op, x, axes, cpu);
        ctx.Gpu.Reduce(op, ToGpu(x), axes, gpu);
        double atol = op == ReduceOp.Sum ? Eps(dtype) * len : 0;
        return new ParityCheck($"Reduce({op}) {Name(dtype)}", $"{Shapes.Format(shape)} over {Shapes.Format(axes)}")
            .Compare("y", cpu, gpu, atol, op == ReduceOp.Sum ? 8 * Eps(dtype) : 0).Result();
    }

    /// <summary>The gather kernel the backend keeps for views (copy_strided: same dtype, an element offset), launched
    /// directly on a transposed view that starts 3 elements into its buffer, against the CPU's copy of that view.</summary>
    private static ParityResult CopyStridedCase(ParityContext ctx, DType dtype)
    {
        int[] shape = [1001, 1029], strides = [1, 1001];
        var x = Rand([3 + 1029 * 1001], dtype, -1, 1, 14);
        var cpu = x.Narrow(0, 3, 1029 * 1001).Reshape(1029, 1001).Transpose(0, 1).Contiguous();
        var (xg, gpu) = (ToGpu(x), ctx.GpuPoisoned(shape, dtype));
        long n = (long)shape[0] * shape[1];
        Catalog.FillCopyKernels.CopyStrided[dtype].LaunchOver(ctx.Gpu.CudaDevice, n, ctx.Gpu.PointerOf(xg, "copy_strided"),
            ctx.Gpu.PointerOf(gpu, "copy_strided"), n, shape.Length, CudaBackend.Dims(shape), CudaBackend.Dims(strides), 3L);
        var result = new ParityCheck($"copy_strided {Name(dtype)}", "[1029, 1001]^T + 3").Compare("y", cpu, gpu, 0, 0).Result();
        GC.KeepAlive(xg);
        return result;
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
}
