using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/sort.cu: a stable sort along an axis ([outer, len, inner]) into values and int32 indices.</summary>
public static class SortKernels
{
    public static readonly KernelFile File = new("sort.cu");

    public static readonly FloatKernel Sort = File.PerFloat("sort", _ =>
        [Ptr("x"), Ptr("values"), Ptr("indices"), I64("outer"), I64("len"), I64("inner"), I32("descending")]);
}
