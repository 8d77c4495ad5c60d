using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/resample.cu: 1-D resampling along an axis ([O, D, I] to [O, K, I]) with host-built int32 taps and
/// weights, interpolate's kernel forward and backward.</summary>
public static class ResampleKernels
{
    public static readonly KernelFile File = new("resample.cu");

    public static readonly FloatKernel Resample = File.PerFloat("resample", _ =>
        [Ptr("x"), Ptr("offsets"), Ptr("taps"), Ptr("weights"), Ptr("y"), I64("O"), I32("D"), I64("K"), I64("I")]);
}
