using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Models;
using Acts = Pade.Layers.Activations.Activations;

namespace Pade.Tests.Onnx;

/// <summary>
/// The five networks of the paper (and the CIFAR VGG-8) with PAU and RPAU, exported and run in ONNX Runtime:
/// logits within <see cref="OnnxCheck.Tolerance"/> of Pade's eval forward on random inputs, random weights and
/// randomized PAU coefficients and batch-norm statistics. The big networks run at 32x32, batch 2.
/// </summary>
public class OnnxModelTests
{
    internal static Module Build(string model, string act) => model switch
    {
        "LeNet" => new LeNet(c => Acts.Create(act, c)),
        "VGG8" => new Vgg8(c => Acts.Create(act, c)),
        "VGG8Cifar" => new Vgg8Cifar(c => Acts.Create(act, c)),
        "MobileNetV2" => new MobileNetV2(c => Acts.Create(act, c)),
        "ResNet101" => ResNet.ResNet101(c => Acts.Create(act, c)),
        "DenseNet121" => DenseNet.DenseNet121(c => Acts.Create(act, c)),
        _ => throw new ArgumentException(model),
    };

    internal static int InChannels(string model) => model is "LeNet" or "VGG8" ? 1 : 3;

    public static IEnumerable<TestCaseData> Networks()
    {
        foreach (var model in new[] { "LeNet", "VGG8", "VGG8Cifar", "MobileNetV2", "ResNet101", "DenseNet121" })
            foreach (var act in new[] { "pau", "rpau", "pau:B:channel" })
            {
                // Per-channel PAUs on the two deepest networks would repeat what the others show at twice the cost.
                if (act == "pau:B:channel" && model is "ResNet101" or "DenseNet121") continue;
                yield return new TestCaseData(model, act).SetName($"Network_{model}_{act.Replace(':', '_')}");
            }
    }

    [TestCaseSource(nameof(Networks))]
    public void ExportedNetworkMatchesPadeForward(string model, string act)
    {
        var sw = Stopwatch.StartNew();
        Tensor.ManualSeed(17);
        var net = Build(model, act);
        OnnxCheck.Randomize(net, 5);
        // Exported while still in training mode: the export is the evaluation form whatever the mode.
        OnnxCheck.AssertMatches(net, OnnxCheck.Input(9, 2, InChannels(model), 32, 32), $"{model} with {act}");
        TestContext.Out.WriteLine($"{sw.Elapsed.TotalSeconds:F2} s");
    }

    [Test]
    public void TheBatchAxisIsSymbolic()
    {
        Tensor.ManualSeed(3);
        var net = new LeNet(c => Acts.Create("pau", c));
        OnnxCheck.Randomize(net, 1);
        foreach (var batch in new[] { 1, 5 })
            OnnxCheck.AssertMatches(net, OnnxCheck.Input((ulong)batch, batch, 1, 32, 32), $"LeNet batch {batch}");
    }
}

/// <summary>Writes every network with PAU, RPAU and each learnable activation, and LeNet with every activation
/// spec, to the folder in PADE_ONNX_DUMP, for a second opinion: <c>/usr/bin/python3 docs/examples/onnx_check.py DIR</c>
/// (onnx.checker with full shape inference, Debian's python3-onnx).</summary>
[Explicit("writes files for onnx.checker, run by hand")]
public class OnnxCheckerDump
{
    [Test]
    public void DumpModels()
    {
        string dir = Environment.GetEnvironmentVariable("PADE_ONNX_DUMP") ?? Path.Combine(Path.GetTempPath(), "pade-onnx-dump");
        Directory.CreateDirectory(dir);
        foreach (var (model, act) in OnnxModelTests.Networks().Select(c => ((string)c.Arguments[0]!, (string)c.Arguments[1]!)))
            OnnxModelTests.Build(model, act).ExportOnnx(Path.Combine(dir, $"{model}-{act.Replace(':', '_')}.onnx"), OnnxModelTests.InChannels(model), 32, 32);
        foreach (var spec in OnnxActivationTests.PauSpecs().Concat(OnnxActivationTests.LearnableSpecs).Concat(OnnxActivationTests.FixedSpecs))
            new LeNet(c => Acts.Create(spec, c)).ExportOnnx(Path.Combine(dir, $"LeNet-{spec.Replace(':', '_').Replace('/', '_')}.onnx"), 1, 32, 32);
        TestContext.Out.WriteLine(dir);
    }
}
