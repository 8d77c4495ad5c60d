using Pade.Layers.Onnx;

namespace Pade.Layers;

public sealed partial class Embedding : IOnnxExportable
{
    /// <summary>Gather(weight, indices) along axis 0: output indices.shape + [embedding_dim]. The indices must be the
    /// model's input, which a model starting with an Embedding gets as int64 (see <see cref="OnnxExport.ToOnnx"/>);
    /// the padding row is a weight row like any other in evaluation.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (!onnx.IsIndexInput(x))
            throw OnnxEmitter.Error(this, $"needs integer indices, the model's own input ({x} is a float value computed inside the graph): put the Embedding first");
        return onnx.Op("Gather", [onnx.Parameter(this, "weight", Weight), x], [.. x.Shape, EmbeddingDim], OnnxAttribute.Int("axis", 0));
    }

    /// <summary>Whether a model takes indices: it is an Embedding, or a Sequential whose first module takes them.</summary>
    internal static bool TakesIndices(Module model) => model switch
    {
        Embedding => true,
        Sequential s => s.Children().FirstOrDefault() is Module first && TakesIndices(first),
        _ => false,
    };
}
