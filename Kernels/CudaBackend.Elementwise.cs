using Pade.Engine;
using Pade.Engine.Cpu;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>Pointwise kernels (cuda/elementwise.cu): unary functions and their fused backward, broadcast binary
/// arithmetic, where.</summary>
public sealed partial class CudaBackend
{
    /// <summary>The unary ops elementwise.cu implements (codes = enum values; the rest belong to other families).</summary>
    internal static bool IsCoreUnary(UnaryOp op) => op is >= UnaryOp.Neg and <= UnaryOp.Relu or >= UnaryOp.Log1p and <= UnaryOp.Logit;

    /// <summary>The unary ops whose fused backward elementwise.cu implements, as the CPU backend.</summary>
    internal static bool HasCoreUnaryBackward(UnaryOp op) => op is UnaryOp.Sigmoid or UnaryOp.Tanh or UnaryOp.Relu;

    public override void Unary(UnaryOp op, Tensor x, Tensor y, double alpha = 0, double beta = 0)
    {
        CheckUnaryOperands("Unary", op, x, y);
        long n = x.Numel;
        if (n == 0) return;
        if (!IsCoreUnary(op))
        {
            if (UnaryExtension(op, x, y, alpha, beta)) return;
            throw new NotSupportedException($"CUDA backend has no kernel for unary op {op}");
        }
        ElementwiseKernels.Unary[x.DType].LaunchOver(CudaDevice, n, (int)op, PointerOf(x, "Unary"), PointerOf(y, "Unary"), n, Scalar(x.DType, alpha), Scalar(x.DType, beta));
    }

    public override void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha = 0, double beta = 0)
    {
        CheckUnaryOperands("UnaryBackward", op, x, y);
        CheckUnaryOperands("UnaryBackward", op, x, dy);
        CheckUnaryOperands("UnaryBackward", op, x, dx);
        long n = x.Numel;
        if (n == 0) return;
        if (!HasCoreUnaryBackward(op))
        {
            if (UnaryBackwardExtension(op, x, y, dy, dx, alpha, beta)) return;
            throw new NotSupportedException($"CUDA backend has no backward kernel for unary op {op}");
        }
        ElementwiseKernels.UnaryBackward[x.DType].LaunchOver(CudaDevice, n, (int)op, PointerOf(x, "UnaryBackward"), PointerOf(y, "UnaryBackward"), PointerOf(dy, "UnaryBackward"),
            PointerOf(dx, "UnaryBackward"), n, Scalar(x.DType, alpha), Scalar(x.DType, beta));
    }

    // Activation families add their ops in other files of this partial class (as CpuBackend does).
    partial void UnaryExtensionImpl(UnaryOp op, Tensor x, Tensor y, double alpha, double beta, ref bool handled);
    partial void UnaryBackwardExtensionImpl(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha, double beta, ref bool handled);

    private bool UnaryExtension(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        bool handled = false;
        UnaryExtensionImpl(op, x, y, alpha, beta, ref handled);
        return handled;
    }

    private bool UnaryBackwardExtension(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha, double beta)
    {
        bool handled = false;
        UnaryBackwardExtensionImpl(op, x, y, dy, dx, alpha, beta, ref handled);
        return handled;
    }

    private static void CheckUnaryOperands(string kernel, UnaryOp op, Tensor x, Tensor other)
    {
        RequireFloating($"{kernel}({op})", x);
        RequireContiguous($"{kernel}({op})", x);
        RequireContiguous($"{kernel}({op})", other);
        if (other.DType != x.DType || other.Numel != x.Numel)
            throw new ArgumentException(
                $"{kernel}({op}): operands differ: {x.DType.TorchName()} {Shapes.Format(x.Shape)} and {other.DType.TorchName()} {Shapes.Format(other.Shape)}");
    }

    public override void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        RequireFloating($"Binary({op})", y);
        CheckBroadcastOperand($"Binary({op})", a, y);
        CheckBroadcastOperand($"Binary({op})", b, y);
        long n = y.Numel;
        if (n == 0) return;
        var loop = new StridedLoop(y.ShapeCopy(), a.Strides.ToArray(), b.Strides.ToArray(), y.Strides.ToArray());
        ElementwiseKernels.Binary[y.DType].LaunchOver(CudaDevice, n, (int)op, PointerOf(a, "Binary"), PointerOf(b, "Binary"), PointerOf(y, "Binary"), n,
            loop.Shape.Length, Dims(loop.Shape), Dims(loop.Strides[0]), Dims(loop.Strides[1]), Dims(loop.Strides[2]));
    }

    public override void Where(Tensor cond, Tensor a, Tensor b, Tensor y)
    {
        RequireFloating("Where", y);
        CheckBroadcastOperand("Where", a, y);
        CheckBroadcastOperand("Where", b, y);
        if (!Shapes.SameShape(cond.Shape, y.Shape))
            throw new ArgumentException($"Where: condition of shape {Shapes.Format(cond.Shape)} for an output of shape {Shapes.Format(y.Shape)}");
        long n = y.Numel;
        if (n == 0) return;
        // As the CPU: the condition is compared with zero in the output's dtype.
        var c = cond.DType == y.DType ? cond : cond.To(y.DType);
        var loop = new StridedLoop(y.ShapeCopy(), c.Strides.ToArray(), a.Strides.ToArray(), b.Strides.ToArray(), y.Strides.ToArray());
        ElementwiseKernels.Where[y.DType].LaunchOver(CudaDevice, n, PointerOf(c, "Where"), PointerOf(a, "Where"), PointerOf(b, "Where"), PointerOf(y, "Where"), n,
            loop.Shape.Length, Dims(loop.Shape), Dims(loop.Strides[0]), Dims(loop.Strides[1]), Dims(loop.Strides[2]),
            Dims(loop.Strides[3]));
        // A converted condition is referenced only by its pointer now: keep it from being finalized (and its
        // block reused by another thread) before the launch above was queued.
        GC.KeepAlive(c);
    }

    private static void CheckBroadcastOperand(string op, Tensor operand, Tensor y)
    {
        if (operand.DType != y.DType)
            throw new ArgumentException($"{op}: operand is {operand.DType.TorchName()}, the output {y.DType.TorchName()}");
        if (!Shapes.SameShape(operand.Shape, y.Shape))
            throw new ArgumentException($"{op}: operand of shape {Shapes.Format(operand.Shape)} is not broadcast to the output's {Shapes.Format(y.Shape)}");
    }
}
