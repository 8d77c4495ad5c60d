using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/softmax.cu: row-wise softmax, cross-entropy, one-hot (a warp per row).</summary>
public static class SoftmaxKernels
{
    public static readonly KernelFile File = new("softmax.cu");

    public static readonly FloatKernel Softmax = File.PerFloat("softmax", _ =>
        [Ptr("x"), Ptr("y"), I64("rows"), I32("cols"), I32("log")]);

    public static readonly FloatKernel CrossEntropy = File.PerFloat("cross_entropy", T =>
        [Ptr("x"), Ptr("targets"), Ptr("loss"), Ptr("probs"), I64("rows"), I32("cols"), T("smoothing")]);

    public static readonly FloatKernel OneHot = File.PerFloat("one_hot", T =>
        [Ptr("indices"), Ptr("y"), I64("rows"), I32("cols"), T("on"), T("off")]);
}
