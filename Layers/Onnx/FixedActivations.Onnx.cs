using Pade.Engine.Functional;
using Pade.Layers.Onnx;

namespace Pade.Layers.Activations;

// The fixed activations as their ONNX ops where opset 17 has one, otherwise as the formula of their kernel
// (Engine/Cpu/ActivationFunctors.cs) in primitive ops. docs/onnx.md has the table.

public sealed partial class Sigmoid : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Sigmoid", x);
}

public sealed partial class Tanh : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Tanh", x);
}

public sealed partial class ReLU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Relu", x);
}

public sealed partial class ReLU6 : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Op("Clip", [x, onnx.Scalar(0), onnx.Scalar(6)], x.Shape);
}

public sealed partial class Hardtanh : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Op("Clip", [x, onnx.Scalar(MinVal), onnx.Scalar(MaxVal)], x.Shape);
}

public sealed partial class LeakyReLU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("LeakyRelu", x, OnnxAttribute.Float("alpha", NegativeSlope));
}

public sealed partial class RReLU : IOnnxExportable
{
    /// <summary>The evaluation form: leaky ReLU with the mean slope (lower + upper)/2, as PyTorch's.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("LeakyRelu", x, OnnxAttribute.Float("alpha", (Lower + Upper) / 2));
}

public sealed partial class ELU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Elu", x, OnnxAttribute.Float("alpha", Alpha));
}

public sealed partial class CELU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Celu", x, OnnxAttribute.Float("alpha", Alpha));
}

public sealed partial class Softplus : IOnnxExportable
{
    /// <summary>Where(βx &gt; threshold, x, Softplus(βx)/β): ONNX's Softplus has neither β nor PyTorch's switch.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var z = Beta == 1 ? x : onnx.Mul(x, onnx.Scalar(Beta));
        var sp = onnx.Unary("Softplus", z);
        if (Beta != 1) sp = onnx.Div(sp, onnx.Scalar(Beta));
        var above = onnx.Op("Greater", [z, onnx.Scalar(Threshold)], x.Shape);
        return onnx.Op("Where", [above, x, sp], x.Shape);
    }
}

public sealed partial class SiLU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Mul(x, onnx.Unary("Sigmoid", x));
}

public sealed partial class Swish : IOnnxExportable
{
    /// <summary>x·σ(βx).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Mul(x, onnx.Unary("Sigmoid", Beta == 1 ? x : onnx.Mul(x, onnx.Scalar(Beta))));
}

public sealed partial class GELU : IOnnxExportable
{
    /// <summary>Opset 17 has no Gelu (it came in 20): x·½(1 + erf(x/√2)), or the tanh form
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var one = onnx.Scalar(1);
        var half = onnx.Scalar(0.5);
        if (Approximate == GeluApproximation.None)
        {
            var erf = onnx.Unary("Erf", onnx.Mul(x, onnx.Scalar(1 / Math.Sqrt(2))));
            return onnx.Mul(x, onnx.Mul(half, onnx.Add(one, erf)));
        }
        var cube = onnx.Mul(onnx.Mul(onnx.Mul(onnx.Scalar(0.044715), x), x), x);
        var inner = onnx.Mul(onnx.Scalar(Math.Sqrt(2 / Math.PI)), onnx.Add(x, cube));
        return onnx.Mul(onnx.Mul(half, x), onnx.Add(one, onnx.Unary("Tanh", inner)));
    }
}

public sealed partial class Mish : IOnnxExportable
{
    /// <summary>x·tanh(softplus(x)) (Mish came in opset 18).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Mul(x, onnx.Unary("Tanh", onnx.Unary("Softplus", x)));
}

public sealed partial class SELU : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Unary("Selu", x, OnnxAttribute.Float("alpha", F.SeluAlpha), OnnxAttribute.Float("gamma", F.SeluScale));
}

public sealed partial class Hardsigmoid : IOnnxExportable
{
    /// <summary>ONNX's HardSigmoid max(0, min(1, αx + β)) with α = 1/6, β = ½.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Unary("HardSigmoid", x, OnnxAttribute.Float("alpha", 1.0 / 6), OnnxAttribute.Float("beta", 0.5));
}

public sealed partial class Hardswish : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("HardSwish", x);
}

public sealed partial class Softsign : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Softsign", x);
}

public sealed partial class LogSigmoid : IOnnxExportable
{
    /// <summary>−Softplus(−x) (no ONNX op of its own).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Unary("Neg", onnx.Unary("Softplus", onnx.Unary("Neg", x)));
}

public sealed partial class Tanhshrink : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => onnx.Sub(x, onnx.Unary("Tanh", x));
}

public sealed partial class Softshrink : IOnnxExportable
{
    /// <summary>Shrink with bias = lambd = λ.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Unary("Shrink", x, OnnxAttribute.Float("bias", Lambd), OnnxAttribute.Float("lambd", Lambd));
}

public sealed partial class Hardshrink : IOnnxExportable
{
    /// <summary>Shrink with bias 0 (a negative λ, the identity, works too: Shrink compares x &lt; −λ and x &gt; λ).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Unary("Shrink", x, OnnxAttribute.Float("bias", 0), OnnxAttribute.Float("lambd", Lambd));
}
