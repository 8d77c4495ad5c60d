using System.CommandLine;
using System.Globalization;
using Onnx;
using Pade.Datasets;
using Pade.Layers;
using Pade.Layers.Onnx;
using Pade.Training.Checkpoints;
using Pade.Training.Runs;

namespace Pade.Training.Cli;

/// <summary>`pade export CHECKPOINT --onnx FILE`: the checkpoint's network as a standard ONNX model (docs/onnx.md).</summary>
public static class ExportCommand
{
    /// <summary>Side of the images every model of the zoo takes (MNIST is zero-padded from 28).</summary>
    public const int ImageSide = 32;

    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("export", "Export a checkpoint's network to ONNX (opset 17), PAUs and all.").With("""
            Writes the network of CHECKPOINT in evaluation mode as a standard ONNX model (opset 17, float32) that
            ONNX Runtime and other ONNX tools run: input "input" [N, C, 32, 32] (N symbolic), normalised as in
            training ((pixel/255 - mean)/std per channel; the values are printed and stored in the model's
            metadata), output "output" [N, classes] (logits). PAUs and the other learnable activations become small
            graphs of primitive ops with their learned coefficients as initializers; docs/onnx.md lists the mapping.
            CHECKPOINT is a run folder (uses checkpoints/last), a checkpoint folder, or its model.safetensors.

            Examples:
              pade export runs/lenet-pau-mnist --onnx lenet-pau.onnx
              pade export runs/vgg8-cifar-rpau-cifar10/checkpoints/best --onnx vgg8.onnx
            """);
        var path = new Argument<string>("CHECKPOINT") { Description = "Run folder, checkpoint folder or model.safetensors" };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write", Required = true };
        cmd.Add(path);
        cmd.Add(onnx);
        cmd.SetAction(p =>
        {
            var r = Export(p.GetValue(path)!, p.GetValue(onnx)!);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.File}: {r.Label}, input [N, {string.Join(", ", r.InputShape)}] normalised with mean [{Join(r.Mean)}] std [{Join(r.Std)}], " +
                $"output [N, {r.Classes}] logits; {r.Nodes} nodes, {r.Parameters:N0} parameters, {r.Bytes / 1024.0:F0} KiB, opset {OnnxEmitter.Opset}"));
            return PadeCli.Ok;
        });
        return cmd;
    }

    public sealed record ExportResult(string File, string Label, int[] InputShape, float[] Mean, float[] Std, int Classes,
        int Nodes, long Parameters, long Bytes);

    /// <summary>Rebuilds the checkpoint's model, loads its weights and writes the ONNX file (atomically).</summary>
    public static ExportResult Export(string checkpoint, string file)
    {
        var ck = Checkpoint.Load(checkpoint);
        var config = ck.State.Config.Resolve();
        var norm = DatasetCatalog.Normalization(config.Data);
        int channels = norm.Mean.Length;
        const int classes = 10;   // every data set of the catalog has 10; LoadStateDict rejects a mismatch
        var (model, _) = TrainingRun.BuildModel(config, channels, classes);
        model.LoadStateDict(ck.Model);
        int[] shape = [channels, ImageSide, ImageSide];
        var proto = model.ToOnnx(shape);
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "pade.run", Value = config.Label });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "pade.epoch", Value = ck.State.Epoch.ToString(CultureInfo.InvariantCulture) });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "pade.normalization.mean", Value = Join(norm.Mean) });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "pade.normalization.std", Value = Join(norm.Std) });
        proto.Save(file);
        return new ExportResult(file, config.Label, shape, norm.Mean, norm.Std, classes, proto.Graph.Node.Count,
            model.ParameterCount(), new FileInfo(file).Length);
    }

    static string Join(float[] v) => string.Join(", ", v.Select(x => x.ToString("G6", CultureInfo.InvariantCulture)));
}
