using Google.Protobuf;
using Onnx;
using Pade.Engine;
using Pade.Engine.IO;
using Pade.Layers.Onnx;

namespace Pade.Layers;

/// <summary>
/// Exports a model to a standard ONNX file (opset <see cref="OnnxEmitter.Opset"/>, float32): one input "input"
/// [N, ..inputShape] with a symbolic batch N (int64 indices when the model starts with an <see cref="Embedding"/>,
/// float32 otherwise), one output "output". The graph is the evaluation-mode forward
/// (docs/onnx.md lists what each module becomes); learned parameters are initializers named by their state-dict
/// keys. Every module on the way must implement <see cref="IOnnxExportable"/>; otherwise the export throws an
/// <see cref="OnnxExportException"/> naming the module's type and path. (In namespace Pade.Layers, beside
/// <see cref="Module"/>, so that <c>model.ExportOnnx(...)</c> needs no extra using.)
/// </summary>
public static class OnnxExport
{
    /// <summary>IR version 8: the one that goes with opset 17.</summary>
    public const long IrVersion = 8;

    /// <summary>The ONNX model of <paramref name="model"/> for samples of shape <paramref name="inputShape"/> (without
    /// the batch axis, e.g. 1, 32, 32).</summary>
    public static ModelProto ToOnnx(this Module model, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"ONNX export: the input shape (one sample, without the batch axis) must be non-empty and positive, got [{string.Join(", ", inputShape)}]");
        var graph = new GraphProto { Name = model.GetType().Name };
        var onnx = new OnnxEmitter(graph);
        var input = new OnnxValue("input", [-1, .. inputShape]);
        // A model starting with an Embedding takes int64 indices, as PyTorch's exported token models do.
        bool indices = Embedding.TakesIndices(model);
        if (indices) onnx.IndexInput = input;
        graph.Input.Add(ValueInfo(input, indices ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float));
        var y = onnx.Emit(model, input);
        var output = new OnnxValue("output", y.Shape);
        graph.Node.Add(new NodeProto { Name = "output", OpType = "Identity", Input = { y.Name }, Output = { output.Name } });
        graph.Output.Add(ValueInfo(output, TensorProto.Types.DataType.Float));
        return new ModelProto
        {
            IrVersion = IrVersion,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = OnnxEmitter.Opset } },
            ProducerName = "pade",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"{model.GetType().Name} exported by Pade (evaluation mode), input [N, {string.Join(", ", inputShape)}]",
            Graph = graph,
        };
    }

    /// <summary>Writes the ONNX model of <paramref name="model"/> to <paramref name="path"/> (atomically: a temporary
    /// file renamed over the target).</summary>
    public static void ExportOnnx(this Module model, string path, params int[] inputShape) => model.ToOnnx(inputShape).Save(path);

    /// <summary>Writes an ONNX model to <paramref name="path"/> atomically (a temporary file renamed over it).</summary>
    public static void Save(this ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicWrite.ToFile(path, s => model.WriteTo(s));
    }

    private static ValueInfoProto ValueInfo(OnnxValue v, TensorProto.Types.DataType type)
    {
        var shape = new TensorShapeProto();
        foreach (var d in v.Shape)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = v.Name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
