using NUnit.Framework;
using Onnx;
using Pade.Engine;
using Pade.Tests.Training;
using Pade.Training.Checkpoints;
using Pade.Training.Cli;
using Pade.Training.Runs;
using static Pade.Tests.Cli.CliTests;

namespace Pade.Tests.Onnx;

/// <summary>`pade export CHECKPOINT --onnx FILE` on a checkpoint written as training writes them.</summary>
public class OnnxCliTests
{
    [Test]
    public void ExportWritesTheCheckpointsNetworkAndItRunsInOnnxRuntime()
    {
        string dir = TrainingFixtures.TempDir("onnx-export");
        var config = new RunConfig { Model = "lenet", Act = "rpau:B:channel", Data = "fashion" };
        var (model, _) = TrainingRun.BuildModel(config, 1, 10);
        OnnxCheck.Randomize(model, 8);   // "learned" weights, different from the ones the config's seed rebuilds
        Checkpoint.Save(Path.Combine(dir, "run", "checkpoints", "last"), model, null, new CheckpointState { Config = config, Epoch = 3 });
        string file = Path.Combine(dir, "out", "lenet.onnx");

        var (code, output, err) = RunPade("export", Path.Combine(dir, "run"), "--onnx", file);

        Assert.That(code, Is.EqualTo(PadeCli.Ok), err);
        Assert.That(output, Does.Contain("lenet-rpau_b_channel-fashion").And.Contain("[N, 1, 32, 32]").And.Contain("0.286").And.Contain("opset 17"));
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
        Assert.That(proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value)["pade.normalization.std"], Is.EqualTo("0.353"));
        var x = OnnxCheck.Input(2, 3, 1, 32, 32);
        var actual = OnnxCheck.Run(File.ReadAllBytes(file), x, out _);
        model.Eval();
        float[] expected;
        using (Tensor.NoGrad()) expected = model.Forward(x).ToArray<float>();
        Assert.That(OnnxCheck.RelativeError(actual, expected), Is.LessThanOrEqualTo(OnnxCheck.Tolerance), "the file holds the checkpoint's weights");
    }

    [Test]
    public void AMissingCheckpointIsAFailureOnOneLine()
    {
        var (code, _, err) = RunPade("export", Path.Combine(TrainingFixtures.TempDir("onnx-missing"), "nothing"), "--onnx", "x.onnx");
        Assert.That(code, Is.EqualTo(PadeCli.Failure));
        Assert.That(err, Does.StartWith("pade: no checkpoint at"));
    }
}
