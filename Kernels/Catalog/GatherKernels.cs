using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/gather.cu: gather, scatter-add and scatter-reduce along an axis ([O, D, I] and [O, K, I], a strided int32 index).</summary>
public static class GatherKernels
{
    public static readonly KernelFile File = new("gather.cu");

    public static readonly FloatKernel Gather = File.PerFloat("gather", _ =>
        [Ptr("x"), Ptr("index"), Ptr("y"), I64("O"), I32("D"), I64("K"), I64("I"), I64("so"), I64("sk"), I64("si")]);

    public static readonly FloatKernel ScatterAdd = File.PerFloat("scatter_add", _ =>
        [Ptr("src"), Ptr("index"), Ptr("y"), I64("O"), I32("D"), I64("K"), I64("I"), I64("so"), I64("sk"), I64("si")]);

    public static readonly FloatKernel ScatterReduce = File.PerFloat("scatter_reduce", _ =>
        [Ptr("src"), Ptr("index"), Ptr("y"), I64("O"), I32("D"), I64("K"), I64("I"), I64("so"), I64("sk"), I64("si"), I32("op")]);
}
