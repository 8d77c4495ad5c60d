using Pade.Layers.Onnx;

namespace Pade.Layers;

// The ONNX forms of the vision layers (docs/onnx.md): pixel shuffle as DepthToSpace in CRD mode (PyTorch's channel
// order), the other rearrangements as Reshape + Transpose + Reshape, LPPool2d as its definition around AveragePool.

public sealed partial class PixelShuffle : IOnnxExportable
{
    /// <summary>DepthToSpace (mode CRD): output [c, h·r + i, w·r + j] = input [c·r² + i·r + j, h, w], PyTorch's order.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        int r = UpscaleFactor;
        if (x.Rank != 4) throw OnnxEmitter.Error(this, $"DepthToSpace takes input [N, C, H, W], got {x}");
        if (r <= 0 || x.Shape[1] % (r * r) != 0) throw OnnxEmitter.Error(this, $"channels of {x} are not divisible by upscale_factor² = {r * r}");
        return onnx.Op("DepthToSpace", [x], [x.Shape[0], x.Shape[1] / (r * r), x.Shape[2] * r, x.Shape[3] * r],
            OnnxAttribute.Int("blocksize", r), OnnxAttribute.String("mode", "CRD"));
    }
}

public sealed partial class PixelUnshuffle : IOnnxExportable
{
    /// <summary>Reshape to [N, C, H/r, r, W/r, r], Transpose to [N, C, r, r, H/r, W/r], Reshape: ONNX SpaceToDepth
    /// orders the channels block-first (DCR), not PyTorch's channel-first.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        int r = DownscaleFactor;
        if (x.Rank != 4) throw OnnxEmitter.Error(this, $"expected input [N, C, H, W], got {x}");
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (r <= 0 || h % r != 0 || w % r != 0) throw OnnxEmitter.Error(this, $"height and width of {x} are not divisible by downscale_factor {r}");
        var split = onnx.Reshape(x, [x.Shape[0], c, h / r, r, w / r, r]);
        var moved = onnx.Op("Transpose", [split], [x.Shape[0], c, r, r, h / r, w / r], OnnxAttribute.Ints("perm", 0, 1, 3, 5, 2, 4));
        return onnx.Reshape(moved, [x.Shape[0], c * r * r, h / r, w / r]);
    }
}

public sealed partial class ChannelShuffle : IOnnxExportable
{
    /// <summary>Reshape to [N, g, C/g, *], swap axes 1 and 2, Reshape back.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        int g = Groups;
        if (x.Rank < 3) throw OnnxEmitter.Error(this, $"expected input [N, C, *], got {x}");
        if (g <= 0 || x.Shape[1] % g != 0) throw OnnxEmitter.Error(this, $"channels of {x} are not divisible by groups {g}");
        var rest = x.Shape[2..];
        var split = onnx.Reshape(x, [x.Shape[0], g, x.Shape[1] / g, .. rest]);
        var perm = new long[x.Rank + 1];
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        (perm[1], perm[2]) = (2, 1);
        var swapped = onnx.Op("Transpose", [split], [x.Shape[0], x.Shape[1] / g, g, .. rest], OnnxAttribute.Ints("perm", perm));
        return onnx.Reshape(swapped, x.Shape);
    }
}

public sealed partial class LPPool2d : IOnnxExportable
{
    /// <summary>PyTorch's definition in ONNX ops: Pow(x, p), AveragePool, Sign·Relu(Abs)·kh·kw, Pow(1/p) (ONNX's
    /// LpPool sums |x|ᵖ, which differs for odd p and negative inputs).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var powered = onnx.Elementwise("Pow", x, onnx.Scalar(NormType));
        var a = AvgPool2d.Emit(onnx, this, powered, KernelSize, Stride ?? KernelSize, 0, CeilMode);
        var signed = onnx.Mul(onnx.Unary("Sign", a), onnx.Unary("Relu", onnx.Unary("Abs", a)));
        var scaled = onnx.Mul(signed, onnx.Scalar((double)KernelSize.H * KernelSize.W));
        return onnx.Elementwise("Pow", scaled, onnx.Scalar(1.0 / NormType));
    }
}
