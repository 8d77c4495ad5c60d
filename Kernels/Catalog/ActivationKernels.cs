using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>
/// cuda/activations.cu: the pointwise activations (<see cref="Engine.UnaryOp"/> codes from Relu6 on), RReLU, the
/// per-channel baselines (PReLU, APL, SReLU, SLAF) whose backward writes per-block partial sums that
/// <see cref="ChannelReduce"/> adds, and Maxout. Per-channel layouts are (outer, C, inner).
/// </summary>
public static class ActivationKernels
{
    public static readonly KernelFile File = new("activations.cu");

    /// <summary>Parameter-gradient sums one block keeps (activations.cu's ACT_MAXP).</summary>
    public const int MaxChannelParameters = 16;

    public static readonly FloatKernel Unary = File.PerFloat("activation_unary", T =>
        [I32("op"), Ptr("x"), Ptr("y"), I64("n"), T("a"), T("b")]);

    public static readonly FloatKernel UnaryBackward = File.PerFloat("activation_unary_backward", T =>
        [I32("op"), Ptr("x"), Ptr("y"), Ptr("dy"), Ptr("dx"), I64("n"), T("a"), T("b")]);

    public static readonly FloatKernel RRelu = File.PerFloat("rrelu", _ =>
        [Ptr("x"), Ptr("y"), Ptr("noise"), I64("n"), F64("lower"), F64("upper"), U64("seed"), U64("offset")]);

    public static readonly FloatKernel PRelu = File.PerFloat("prelu", _ =>
        [Ptr("x"), Ptr("w"), Ptr("y"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel PReluBackward = File.PerFloat("prelu_backward", _ =>
        [Ptr("x"), Ptr("w"), Ptr("dy"), Ptr("dx"), Ptr("partials"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel Apl = File.PerFloat("apl", _ =>
        [Ptr("x"), Ptr("a"), Ptr("b"), Ptr("y"), I32("S"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel AplBackward = File.PerFloat("apl_backward", _ =>
        [Ptr("x"), Ptr("a"), Ptr("b"), Ptr("dy"), Ptr("dx"), Ptr("partials"), I32("S"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel SRelu = File.PerFloat("srelu", _ =>
        [Ptr("x"), Ptr("tl"), Ptr("al"), Ptr("tr"), Ptr("ar"), Ptr("y"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel SReluBackward = File.PerFloat("srelu_backward", _ =>
        [Ptr("x"), Ptr("tl"), Ptr("al"), Ptr("tr"), Ptr("ar"), Ptr("dy"), Ptr("dx"), Ptr("partials"), I64("outer"), I32("C"),
         I64("inner")]);

    public static readonly FloatKernel Slaf = File.PerFloat("slaf", _ =>
        [Ptr("x"), Ptr("coef"), Ptr("y"), I32("width"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel SlafBackward = File.PerFloat("slaf_backward", _ =>
        [Ptr("x"), Ptr("coef"), Ptr("dy"), Ptr("dx"), Ptr("partials"), I32("width"), I64("outer"), I32("C"), I64("inner")]);

    public static readonly FloatKernel ChannelReduce = File.PerFloat("channel_reduce", _ =>
        [Ptr("partials"), I32("pieces"), I32("P"), I32("C"), Ptr("out"), I32("channel_major")]);

    public static readonly FloatKernel Maxout = File.PerFloat("maxout", _ =>
        [Ptr("x"), Ptr("y"), Ptr("argmax"), I32("k"), I64("outer"), I32("groups"), I64("inner")]);

    public static readonly FloatKernel MaxoutBackward = File.PerFloat("maxout_backward", _ =>
        [Ptr("dy"), Ptr("argmax"), Ptr("dx"), I32("k"), I64("outer"), I32("groups"), I64("inner")]);
}
