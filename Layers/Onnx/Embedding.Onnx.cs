using Pade.Layers.Onnx;

namespace Pade.Layers;

public sealed partial class Embedding : IOnnxExportable
{
    /// <summary>Gather(weight, indices) along axis 0: output indices.shape + [embedding_dim]. The indices must be the
    /// model's input, which a model starting with an Embedding gets as int64 (see <see cref="OnnxExport.ToOnnx"/>);
    /// the padding row is a weight row like any other in evaluation. With max_norm the looked-up rows are renormalised
    /// in the graph (see <see cref="Renorm"/>).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (!onnx.IsIndexInput(x))
            throw OnnxEmitter.Error(this, $"needs integer indices, the model's own input ({x} is a float value computed inside the graph): put the Embedding first");
        var rows = onnx.Op("Gather", [onnx.Parameter(this, "weight", Weight), x], [.. x.Shape, EmbeddingDim], OnnxAttribute.Int("axis", 0));
        return MaxNorm is double maxNorm ? Renorm(onnx, rows, maxNorm, NormType) : rows;
    }

    /// <summary>
    /// max_norm in the graph: each looked-up row times maxNorm/(‖row‖ + 1e−7) where its norm exceeds maxNorm (Where),
    /// which is the row PyTorch's forward reads after embedding_renorm_. The norm: ReduceL1 or ReduceL2 for p = 1, 2,
    /// ReduceMax of Abs for ∞, else (ReduceL1 of |row|^p)^(1/p). The exported weight itself is not rewritten.
    /// </summary>
    private static OnnxValue Renorm(OnnxEmitter onnx, OnnxValue rows, double maxNorm, double p)
    {
        int[] kept = [.. rows.Shape[..^1], 1];
        OnnxAttribute[] axes = [OnnxAttribute.Ints("axes", rows.Rank - 1), OnnxAttribute.Int("keepdims", 1)];
        var norm = p switch
        {
            1 => onnx.Op("ReduceL1", [rows], kept, axes),
            2 => onnx.Op("ReduceL2", [rows], kept, axes),
            double.PositiveInfinity => onnx.Op("ReduceMax", [onnx.Unary("Abs", rows)], kept, axes),
            _ => onnx.Elementwise("Pow", onnx.Op("ReduceL1", [onnx.Elementwise("Pow", onnx.Unary("Abs", rows), onnx.Scalar(p))], kept, axes), onnx.Scalar(1 / p)),
        };
        var scale = onnx.Div(onnx.Scalar(maxNorm), onnx.Add(norm, onnx.Scalar(1e-7)));
        var factor = onnx.Op("Where", [onnx.Op("Greater", [norm, onnx.Scalar(maxNorm)], kept), scale, onnx.Scalar(1)], kept);
        return onnx.Mul(rows, factor);
    }

    /// <summary>Whether a model takes indices: it is an Embedding, or a Sequential whose first module takes them.</summary>
    internal static bool TakesIndices(Module model) => model switch
    {
        Embedding => true,
        Sequential s => s.Children().FirstOrDefault() is Module first && TakesIndices(first),
        _ => false,
    };
}
