using Pade.Engine.Functional;
using Pade.Layers.Onnx;

namespace Pade.Layers;

// The ONNX forms of the padding layers and of Conv2d's padding modes (docs/onnx.md).

public abstract partial class PadNd : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => OnnxPadding.Emit(onnx, this, x, [.. Padding], Mode, Value);
}

/// <summary>
/// F.pad in ONNX: ONNX Pad (opset 17) with mode constant, reflect or edge (replicate) when no pad is negative; circular
/// (ONNX's "wrap" is opset 19) and any negative pad as one Gather per padded axis with <see cref="F.PadSource"/>'s
/// indices, the index map Pade's own forward applies.
/// </summary>
internal static class OnnxPadding
{
    public static OnnxValue Emit(OnnxEmitter onnx, Module owner, OnnxValue x, int[] pad, string mode, double value)
    {
        int k = pad.Length / 2;
        if (x.Rank < k || (mode != "constant" && x.Rank - k is not (1 or 2)))
            throw OnnxEmitter.Error(owner, $"padding [{string.Join(", ", pad)}] in mode '{mode}' does not fit input {x}");
        var shape = (int[])x.Shape.Clone();
        for (int i = 0; i < k; i++)
        {
            int axis = x.Rank - 1 - i;
            shape[axis] += pad[2 * i] + pad[2 * i + 1];
            if (shape[axis] < (mode == "constant" || mode == "circular" ? 0 : 1) || (mode == "reflect" && (pad[2 * i] >= x.Shape[axis] || pad[2 * i + 1] >= x.Shape[axis])))
                throw OnnxEmitter.Error(owner, $"padding ({pad[2 * i]}, {pad[2 * i + 1]}) in mode '{mode}' does not fit axis {axis} of input {x}");
        }
        if (mode == "constant" || (mode != "circular" && pad.All(p => p >= 0)))
        {
            // ONNX's pads: every axis's begin, then every axis's end; Pade's pairs run from the last axis.
            var pads = new long[2 * x.Rank];
            for (int i = 0; i < k; i++)
            {
                pads[x.Rank - 1 - i] = pad[2 * i];
                pads[2 * x.Rank - 1 - i] = pad[2 * i + 1];
            }
            OnnxValue[] inputs = mode == "constant" ? [x, onnx.Int64s(pads), onnx.Scalar(value)] : [x, onnx.Int64s(pads)];
            return onnx.Op("Pad", inputs, shape, OnnxAttribute.String("mode", mode == "replicate" ? "edge" : mode));
        }
        var y = x;
        for (int i = 0; i < k; i++)
        {
            int axis = x.Rank - 1 - i, l = pad[2 * i], r = pad[2 * i + 1];
            if (l == 0 && r == 0) continue;
            int c = x.Shape[axis] - Math.Max(-l, 0) - Math.Max(-r, 0);
            if (mode == "circular" && (l > c || r > c))
                throw OnnxEmitter.Error(owner, $"circular padding ({l}, {r}) wraps around axis {axis} of input {x} more than once");
            var src = F.PadSource(x.Shape[axis], l, r, mode).Select(s => (long)s).ToArray();
            var next = (int[])y.Shape.Clone();
            next[axis] = src.Length;
            y = onnx.Op("Gather", [y, onnx.Int64s(src)], next, OnnxAttribute.Int("axis", axis));
        }
        return y;
    }
}
