using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers.Activations;
using Pade.Layers.Onnx;

namespace Pade.Layers
{
    // The ONNX forms (opset 17) of the second batch of torch.nn modules: the dropouts are the identity in evaluation,
    // Unflatten a Reshape, RMSNorm composed (RMSNormalization is an opset 23 op). Bilinear (two inputs), EmbeddingBag
    // (indices with offsets) and the containers without a forward have none.

    public sealed partial class Dropout1d : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
    }

    public sealed partial class Dropout2d : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
    }

    public sealed partial class Dropout3d : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
    }

    public sealed partial class AlphaDropout : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
    }

    public sealed partial class FeatureAlphaDropout : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) => x;
    }

    public sealed partial class Unflatten : IOnnxExportable
    {
        /// <summary>A Reshape to the unflattened shape; the batch axis (symbolic) cannot be the one split.</summary>
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
        {
            int d = Dim < 0 ? Dim + x.Rank : Dim;
            if (d == 0) throw OnnxEmitter.Error(this, "unflattening the batch axis: the export keeps the batch size symbolic");
            return onnx.Reshape(x, OutputShape(x.Shape));
        }
    }

    public sealed partial class RMSNorm : IOnnxExportable
    {
        /// <summary>x·(1/√(ReduceMean(x·x) + ε))·weight over the last D axes, ε the float32 epsilon when unset.</summary>
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
        {
            int d = NormalizedShape.Length;
            if (x.Rank <= d || !x.Shape[(x.Rank - d)..].SequenceEqual(NormalizedShape))
                throw OnnxEmitter.Error(this, $"expected input [N, *, {string.Join(", ", NormalizedShape)}], got {x}");
            var axes = Enumerable.Range(x.Rank - d, d).Select(a => (long)a).ToArray();
            int[] kept = [.. x.Shape[..(x.Rank - d)], .. Enumerable.Repeat(1, d)];
            var ms = onnx.Op("ReduceMean", [onnx.Mul(x, x)], kept, OnnxAttribute.Ints("axes", axes), OnnxAttribute.Int("keepdims", 1));
            var y = onnx.Div(x, onnx.Unary("Sqrt", onnx.Add(ms, onnx.Scalar(Eps ?? F.MachineEpsilon(DType.Float32)))));
            return Weight is Tensor w ? onnx.Mul(y, onnx.Parameter(this, "weight", w)) : y;
        }
    }
}

namespace Pade.Layers.Activations
{
    public sealed partial class Softmax : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
            onnx.Unary("Softmax", x, OnnxAttribute.Int("axis", Dim ?? F.ImplicitSoftmaxDim(x.Rank)));
    }

    public sealed partial class LogSoftmax : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
            onnx.Unary("LogSoftmax", x, OnnxAttribute.Int("axis", Dim ?? F.ImplicitSoftmaxDim(x.Rank)));
    }

    public sealed partial class Softmin : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
            onnx.Unary("Softmax", onnx.Unary("Neg", x), OnnxAttribute.Int("axis", Dim ?? F.ImplicitSoftmaxDim(x.Rank)));
    }

    public sealed partial class Softmax2d : IOnnxExportable
    {
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
        {
            if (x.Rank is not (3 or 4)) throw OnnxEmitter.Error(this, $"expected input to be 3D or 4D, got {x}");
            return onnx.Unary("Softmax", x, OnnxAttribute.Int("axis", -3));
        }
    }

    public sealed partial class GLU : IOnnxExportable
    {
        /// <summary>Slice into halves a, b along the dim, then a·Sigmoid(b); the dim cannot be the (symbolic) batch.</summary>
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
        {
            int d = Dim < 0 ? Dim + x.Rank : Dim;
            if (d <= 0 || d >= x.Rank) throw OnnxEmitter.Error(this, $"cannot halve dim {Dim} of {x} (the batch axis stays symbolic)");
            int h = x.Shape[d] / 2;
            if (x.Shape[d] % 2 != 0) throw OnnxEmitter.Error(this, $"Halving dimension must be even, but dimension {d} of {x} is size {x.Shape[d]}");
            var half = (int[])x.Shape.Clone();
            half[d] = h;
            OnnxValue Half(int start) => onnx.Op("Slice", [x, onnx.Int64s([start]), onnx.Int64s([start + h]), onnx.Int64s([d])], half);
            return onnx.Mul(Half(0), onnx.Unary("Sigmoid", Half(h)));
        }
    }

    public sealed partial class Threshold : IOnnxExportable
    {
        /// <summary>Where(x ≤ threshold, value, x): a NaN fails the test and stays, as in PyTorch.</summary>
        public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
            onnx.Op("Where", [onnx.Op("LessOrEqual", [x, onnx.Scalar(ThresholdValue)], x.Shape), onnx.Scalar(Value), x], x.Shape);
    }
}
