using Pade.Engine.Functional;
using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/conv.cu: im2col convolution around the GEMM, direct depthwise kernels. <c>ConvGeometry g</c> is
/// <see cref="Conv2dGeometry"/> field for field.</summary>
public static class ConvKernels
{
    public static readonly KernelFile File = new("conv.cu");

    public static readonly FloatKernel Im2Col = File.PerFloat("im2col", _ =>
        [Ptr("x"), Ptr("col"), Struct<Conv2dGeometry>("g"), I32("s0"), I32("samples"), I32("group")]);

    public static readonly FloatKernel Col2Im = File.PerFloat("col2im", _ =>
        [Ptr("col"), Ptr("dx"), Struct<Conv2dGeometry>("g"), I32("s0"), I32("samples"), I32("group")]);

    public static readonly FloatKernel Output = File.PerFloat("conv_output", _ =>
        [Ptr("tmp"), Ptr("bias"), Ptr("y"), Struct<Conv2dGeometry>("g"), I32("s0"), I32("samples"), I32("group")]);

    public static readonly FloatKernel GatherDy = File.PerFloat("conv_gather_dy", _ =>
        [Ptr("dy"), Ptr("tmp"), Struct<Conv2dGeometry>("g"), I32("s0"), I32("samples"), I32("group")]);

    public static readonly FloatKernel DepthwiseForward = File.PerFloat("depthwise_forward", _ =>
        [Ptr("x"), Ptr("w"), Ptr("b"), Ptr("y"), Struct<Conv2dGeometry>("g")]);

    public static readonly FloatKernel DepthwiseBackwardInput = File.PerFloat("depthwise_backward_input", _ =>
        [Ptr("w"), Ptr("dy"), Ptr("dx"), Struct<Conv2dGeometry>("g")]);

    public static readonly FloatKernel DepthwiseBackwardWeight = File.PerFloat("depthwise_backward_weight", _ =>
        [Ptr("x"), Ptr("dy"), Ptr("dw"), Struct<Conv2dGeometry>("g")]);
}

/// <summary>cuda/pool.cu: max, average, adaptive average and adaptive max pooling. <c>PoolGeometry g</c> is
/// <see cref="Pool2dGeometry"/> field for field.</summary>
public static class PoolKernels
{
    public static readonly KernelFile File = new("pool.cu");

    public static readonly FloatKernel MaxPool2d = File.PerFloat("max_pool2d", _ =>
        [Ptr("x"), Ptr("y"), Ptr("indices"), Struct<Pool2dGeometry>("g")]);

    public static readonly FloatKernel MaxPool2dBackward = File.PerFloat("max_pool2d_backward", _ =>
        [Ptr("dy"), Ptr("indices"), Ptr("dx"), Struct<Pool2dGeometry>("g")]);

    public static readonly FloatKernel AvgPool2d = File.PerFloat("avg_pool2d", _ =>
        [Ptr("x"), Ptr("y"), Struct<Pool2dGeometry>("g"), I32("count_include_pad"), I32("divisor_override")]);

    public static readonly FloatKernel AvgPool2dBackward = File.PerFloat("avg_pool2d_backward", _ =>
        [Ptr("dy"), Ptr("dx"), Struct<Pool2dGeometry>("g"), I32("count_include_pad"), I32("divisor_override")]);

    public static readonly FloatKernel AdaptiveAvgPool2d = File.PerFloat("adaptive_avg_pool2d", _ =>
        [Ptr("x"), Ptr("y"), I64("planes"), I32("H"), I32("W"), I32("OH"), I32("OW")]);

    public static readonly FloatKernel AdaptiveAvgPool2dBackward = File.PerFloat("adaptive_avg_pool2d_backward", _ =>
        [Ptr("dy"), Ptr("dx"), I64("planes"), I32("H"), I32("W"), I32("OH"), I32("OW")]);

    public static readonly FloatKernel AdaptiveMaxPool2d = File.PerFloat("adaptive_max_pool2d", _ =>
        [Ptr("x"), Ptr("y"), Ptr("indices"), I64("planes"), I32("H"), I32("W"), I32("OH"), I32("OW")]);

    public static readonly FloatKernel AdaptiveMaxPool2dBackward = File.PerFloat("adaptive_max_pool2d_backward", _ =>
        [Ptr("dy"), Ptr("indices"), Ptr("dx"), I64("planes"), I32("H"), I32("W"), I32("OH"), I32("OW")]);
}

/// <summary>cuda/batchnorm.cu: batch statistics, normalisation, and the backward's sums and dx (x is [N, C, S]).</summary>
public static class BatchNormKernels
{
    public static readonly KernelFile File = new("batchnorm.cu");

    public static readonly FloatKernel Stats = File.PerFloat("batch_norm_stats", _ =>
        [Ptr("x"), Ptr("mean"), Ptr("var"), I32("N"), I32("C"), I64("S")]);

    public static readonly FloatKernel Forward = File.PerFloat("batch_norm_forward", _ =>
        [Ptr("x"), Ptr("mean"), Ptr("inv_std"), Ptr("weight"), Ptr("bias"), Ptr("y"), I32("N"), I32("C"), I64("S")]);

    public static readonly FloatKernel BackwardSums = File.PerFloat("batch_norm_backward_sums", _ =>
        [Ptr("x"), Ptr("dy"), Ptr("mean"), Ptr("inv_std"), Ptr("sums"), Ptr("dweight"), Ptr("dbias"), I32("N"), I32("C"), I64("S")]);

    public static readonly FloatKernel BackwardDx = File.PerFloat("batch_norm_backward_dx", _ =>
        [Ptr("x"), Ptr("dy"), Ptr("mean"), Ptr("inv_std"), Ptr("weight"), Ptr("sums"), Ptr("dx"), I32("N"), I32("C"), I64("S"),
         I32("training")]);
}
