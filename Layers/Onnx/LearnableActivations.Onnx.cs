using Pade.Engine.Functional;
using Pade.Layers.Onnx;

namespace Pade.Layers.Activations;

// The learnable activations as small subgraphs of primitive ONNX ops, with the learned parameters as initializers
// (per-channel ones laid out to broadcast along axis 1, see OnnxEmitter.CoefficientSet). Each follows the formula
// and the evaluation order of its CPU kernel (Engine/Cpu/CpuLearnableActivations.cs, PauKernel.cs).

public sealed partial class Pau : IOnnxExportable
{
    /// <summary>
    /// P(x)/Q(x) with both polynomials by Horner's rule, as <see cref="F.Pau"/> in evaluation (an RPAU's noise is a
    /// training-only perturbation): A: Q = 1 + t·(|b_1| + t(|b_2| + ...)), t = |x|; B, D: Q = 1 + |x·(b_1 + x(b_2 + ...))|;
    /// C: Q = 0.1 + |b_0 + x(b_1 + ...)|. n = 0 (A, B, D) leaves Q = 1: the PAU is the polynomial P.
    /// </summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var p = onnx.Horner(onnx.CoefficientSet(this, "numerator", Numerator, 1, x), x);
        if (Version != PauVersion.C && DenominatorDegree == 0) return p;
        var b = onnx.CoefficientSet(this, "denominator", Denominator, 1, x, abs: Version == PauVersion.A);
        var t = Version == PauVersion.A ? onnx.Unary("Abs", x) : x;
        OnnxValue q = Version switch
        {
            PauVersion.A => Fma(onnx, onnx.Horner(b, t), t, onnx.Scalar(1)),
            PauVersion.C => onnx.Add(onnx.Scalar(PauMath.VersionCEpsilon), onnx.Unary("Abs", onnx.Horner(b, x))),
            _ => onnx.Add(onnx.Scalar(1), onnx.Unary("Abs", onnx.Mul(onnx.Horner(b, x), x))),
        };
        return onnx.Div(p, q);
    }

    /// <summary>r·t + c (the kernel's fused multiply-add, as two ops).</summary>
    private static OnnxValue Fma(OnnxEmitter onnx, OnnxValue r, OnnxValue t, OnnxValue c) => onnx.Add(onnx.Mul(r, t), c);
}

public sealed partial class PReLU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Op("PRelu", [x, onnx.ChannelVector(this, "weight", Weight, x)], x.Shape);
}

public sealed partial class Maxout : IOnnxExportable
{
    /// <summary>Reshape [N, G·k, ...] → [N, G, k, ...] and ReduceMax over the k pieces (consecutive channels).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank < 2 || x.Channels % Pieces != 0)
            throw OnnxEmitter.Error(this, $"expected an input with a multiple of {Pieces} channels on axis 1, got {x}");
        int groups = x.Channels / Pieces;
        var split = onnx.Reshape(x, [x.Shape[0], groups, Pieces, .. x.Shape[2..]]);
        return onnx.Op("ReduceMax", [split], [x.Shape[0], groups, .. x.Shape[2..]],
            OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 0));
    }
}

public sealed partial class Mixture : IOnnxExportable
{
    /// <summary>Σ_i w_i·f_i(x), each member emitted as itself (path "….activations.i").</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var w = onnx.CoefficientSet(this, "weight", Weight, 0, x);
        OnnxValue? y = null;
        for (int i = 0; i < _activations.Count; i++)
        {
            var term = onnx.Mul(w[i], onnx.Emit(_activations[i], x));
            y = y == null ? term : onnx.Add(y, term);
        }
        return y!;
    }
}

public sealed partial class APL : IOnnxExportable
{
    /// <summary>Relu(x) + Σ_s a_s·Relu(b_s − x).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var a = onnx.CoefficientSet(this, "a", A, 0, x);
        var b = onnx.CoefficientSet(this, "b", B, 0, x);
        var y = onnx.Unary("Relu", x);
        for (int s = 0; s < a.Count; s++) y = onnx.Add(y, onnx.Mul(a[s], onnx.Unary("Relu", onnx.Sub(b[s], x))));
        return y;
    }
}

public sealed partial class SReLU : IOnnxExportable
{
    /// <summary>Where(x ≥ t_r, t_r + a_r(x − t_r), Where(x ≤ t_l, t_l + a_l(x − t_l), x)).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var tl = onnx.ChannelVector(this, "t_left", TLeft, x);
        var al = onnx.ChannelVector(this, "a_left", ALeft, x);
        var tr = onnx.ChannelVector(this, "t_right", TRight, x);
        var ar = onnx.ChannelVector(this, "a_right", ARight, x);
        var left = onnx.Add(tl, onnx.Mul(al, onnx.Sub(x, tl)));
        var right = onnx.Add(tr, onnx.Mul(ar, onnx.Sub(x, tr)));
        var inner = onnx.Op("Where", [onnx.Elementwise("LessOrEqual", x, tl), left, x], x.Shape);
        return onnx.Op("Where", [onnx.Elementwise("GreaterOrEqual", x, tr), right, inner], x.Shape);
    }
}

public sealed partial class SLAF : IOnnxExportable
{
    /// <summary>a_0 + x(a_1 + ... + x a_K) by Horner's rule (the output check of Forward is a training aid).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Horner(onnx.CoefficientSet(this, "weight", Weight, 1, x), x);
}
