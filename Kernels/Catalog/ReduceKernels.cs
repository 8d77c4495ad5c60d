using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/reduce.cu: contiguous-row and strided reductions (op codes: <see cref="Engine.ReduceOp"/>), argmax,
/// cumulative sums and products.</summary>
public static class ReduceKernels
{
    public static readonly KernelFile File = new("reduce.cu");

    public static readonly FloatKernel Rows = File.PerFloat("reduce_rows", _ =>
        [I32("op"), Ptr("x"), Ptr("y"), I64("rows"), I64("len"), I64("chunk")]);

    public static readonly FloatKernel Strided = File.PerFloat("reduce_strided", _ =>
        [I32("op"), Ptr("x"), Ptr("y"), I64("outer"), I64("len"), I64("inner"), I64("chunk")]);

    public static readonly FloatKernel ArgMax = File.PerFloat("argmax", _ =>
        [Ptr("x"), Ptr("y"), I64("outer"), I64("len"), I64("inner")]);

    public static readonly FloatKernel Scan = File.PerFloat("scan", _ =>
        [I32("op"), Ptr("x"), Ptr("y"), I64("outer"), I64("len"), I64("inner"), I32("reverse"), I32("exclusive")]);
}
