using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/elementwise.cu: unary functions and their fused backward, broadcast binary arithmetic, where.
/// The op codes are <see cref="Engine.UnaryOp"/> and <see cref="Engine.BinaryOp"/> values.</summary>
public static class ElementwiseKernels
{
    public static readonly KernelFile File = new("elementwise.cu");

    public static readonly FloatKernel Unary = File.PerFloat("unary", T =>
        [I32("op"), Ptr("x"), Ptr("y"), I64("n"), T("alpha"), T("beta")]);

    public static readonly FloatKernel UnaryBackward = File.PerFloat("unary_backward", T =>
        [I32("op"), Ptr("x"), Ptr("y"), Ptr("dy"), Ptr("dx"), I64("n"), T("alpha"), T("beta")]);

    public static readonly FloatKernel Binary = File.PerFloat("binary", _ =>
        [I32("op"), Ptr("a"), Ptr("b"), Ptr("y"), I64("n"), I32("ndim"),
         Struct<Dims8>("shape"), Struct<Dims8>("sa"), Struct<Dims8>("sb"), Struct<Dims8>("sy")]);

    public static readonly FloatKernel Where = File.PerFloat("where", _ =>
        [Ptr("c"), Ptr("a"), Ptr("b"), Ptr("y"), I64("n"), I32("ndim"),
         Struct<Dims8>("shape"), Struct<Dims8>("sc"), Struct<Dims8>("sa"), Struct<Dims8>("sb"), Struct<Dims8>("sy")]);
}
