namespace Pade.Kernels.Catalog;

/// <summary>
/// Every kernel of cuda/, declared once: the catalogue classes, one per kernel file. Tests check it against NVRTC's
/// PTX (every entry point declared, every declaration exported, parameters of the same widths in the same order)
/// and against the op suite (every kernel launched by a case).
/// </summary>
public static class KernelCatalog
{
    /// <summary>The kernel files with their declarations, in the order of cuda/.</summary>
    public static IReadOnlyList<KernelFile> Files { get; } =
    [
        ActivationKernels.File, BatchNormKernels.File, ConvKernels.File, ElementwiseKernels.File, FillCopyKernels.File,
        GatherKernels.File, GemmKernels.File, OptimKernels.File, PauKernels.File, PoolKernels.File, RandomKernels.File, ReduceKernels.File,
        ResampleKernels.File, SoftmaxKernels.File, SortKernels.File,
    ];

    /// <summary>All declarations.</summary>
    public static IEnumerable<Kernel> All => Files.SelectMany(f => f.Kernels);

    /// <summary>The declaration of <paramref name="file"/>'s entry point <paramref name="name"/>, or null.</summary>
    public static Kernel? Find(string file, string name) =>
        Files.FirstOrDefault(f => f.Name == file)?.Kernels.FirstOrDefault(k => k.Name == name);
}
