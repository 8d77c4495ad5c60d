using Pade.Engine;
using Pade.Layers.Onnx;

namespace Pade.Layers;

public abstract partial class InstanceNormBase : IOnnxExportable
{
    /// <summary>
    /// The evaluation form: InstanceNormalization (each instance's own statistics) without running statistics, or
    /// BatchNormalization with them when the module tracks them (its evaluation normalises every instance by them).
    /// Scale and bias are the weight and bias, or ones and zeros of the input's channel count when not affine.
    /// Batched input only ([N, C, ...]: the model's input carries the batch axis).
    /// </summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank != NoBatchRank + 1 || (Affine || TrackRunningStats) && x.Channels != NumFeatures)
            throw OnnxEmitter.Error(this, $"expected batched input of rank {NoBatchRank + 1} with {NumFeatures} channels, got {x}");
        int c = x.Channels;
        var scale = onnx.Parameter(this, "weight", Weight ?? Tensor.Ones([c], DType.Float32));
        var shift = onnx.Parameter(this, "bias", Bias ?? Tensor.Zeros([c], DType.Float32));
        if (RunningMean is Tensor mean && RunningVar is Tensor variance)
            return onnx.Op("BatchNormalization",
                [x, scale, shift, onnx.Parameter(this, "running_mean", mean), onnx.Parameter(this, "running_var", variance)],
                x.Shape, OnnxAttribute.Float("epsilon", Eps));
        return onnx.Op("InstanceNormalization", [x, scale, shift], x.Shape, OnnxAttribute.Float("epsilon", Eps));
    }
}

public sealed partial class LocalResponseNorm : IOnnxExportable
{
    /// <summary>
    /// LRN for an odd size. ONNX's window for an even size is c − (size/2 − 1) … c + size/2, one channel later than
    /// PyTorch's c − size/2 … c + size/2 − 1, so an even size is composed as PyTorch computes it: x² viewed as
    /// [N, 1, C, positions], AveragePool over size channels with size/2 zeros before and (size−1)/2 after
    /// (count_include_pad: always divided by size), then x / (k + α·avg)^β.
    /// </summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (x.Rank < 3) throw OnnxEmitter.Error(this, $"expected input [N, C, *] of rank at least 3, got {x}");
        if (Size % 2 == 1)
            return onnx.Op("LRN", [x], x.Shape, OnnxAttribute.Int("size", Size), OnnxAttribute.Float("alpha", Alpha),
                OnnxAttribute.Float("beta", Beta), OnnxAttribute.Float("bias", K));
        int c = x.Shape[1], positions = x.Shape[2..].Aggregate(1, (a, b) => a * b);
        var squared = onnx.Reshape(onnx.Mul(x, x), [x.Shape[0], 1, c, positions]);
        var avg = onnx.Op("AveragePool", [squared], [x.Shape[0], 1, c, positions],
            OnnxAttribute.Ints("kernel_shape", Size, 1), OnnxAttribute.Ints("strides", 1, 1),
            OnnxAttribute.Ints("pads", Size / 2, 0, (Size - 1) / 2, 0), OnnxAttribute.Int("count_include_pad", 1));
        var div = onnx.Elementwise("Pow", onnx.Add(onnx.Mul(onnx.Reshape(avg, x.Shape), onnx.Scalar(Alpha)), onnx.Scalar(K)), onnx.Scalar(Beta));
        return onnx.Div(x, div);
    }
}
