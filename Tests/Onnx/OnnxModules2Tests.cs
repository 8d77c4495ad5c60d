using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Activations;

namespace Pade.Tests.Onnx;

/// <summary>The ONNX forms of the second batch of modules, run in ONNX Runtime against Pade's evaluation forward:
/// softmax family, GLU, Threshold, Unflatten, RMSNorm, and the dropouts as the identity.</summary>
public class OnnxModules2Tests
{
    public static IEnumerable<TestCaseData> Layers()
    {
        TestCaseData Case(string name, Func<Module> layer, params int[] input) =>
            new TestCaseData(layer, input).SetName($"Layer_{name}");
        yield return Case("Softmax_dim1", () => new Softmax(1), 2, 5, 3);
        yield return Case("Softmax_implicit_rank2", () => new Softmax(), 3, 6);
        yield return Case("LogSoftmax_last", () => new LogSoftmax(-1), 2, 3, 7);
        yield return Case("Softmin_dim2", () => new Softmin(2), 2, 3, 4);
        yield return Case("Softmax2d", () => new Softmax2d(), 2, 3, 4, 5);
        yield return Case("GLU_last", () => new GLU(), 2, 3, 8);
        yield return Case("GLU_channels", () => new GLU(1), 2, 6, 5);
        yield return Case("Threshold", () => new Threshold(0.1, -2), 2, 3, 9);
        yield return Case("Unflatten_infer", () => new Unflatten(1, [2, -1]), 2, 6, 3);
        yield return Case("Unflatten_last", () => new Unflatten(-1, [3, 2]), 2, 4, 6);
        yield return Case("RMSNorm_last2", () => new RMSNorm([4, 5]), 2, 3, 4, 5);
        yield return Case("RMSNorm_eps_notAffine", () => new RMSNorm(6, eps: 1e-3, elementwiseAffine: false), 3, 6);
        yield return Case("Dropouts_then_Linear", () => new Sequential(new Dropout1d(0.3), new AlphaDropout(0.2), new FeatureAlphaDropout(0.4), new Linear(5, 2)), 2, 4, 5);
        yield return Case("Dropout2d_Dropout3d", () => new Sequential(new Dropout2d(), new Dropout3d(), new Softmax2d()), 2, 3, 4, 4);
    }

    [TestCaseSource(nameof(Layers))]
    public void LayerMatchesPade(Func<Module> layer, int[] input)
    {
        Tensor.ManualSeed(2);
        var m = layer();
        OnnxCheck.Randomize(m, 3);
        OnnxCheck.AssertMatches(m, OnnxCheck.Input(6, input), m.GetType().Name);
    }

    [Test]
    public void The_batch_axis_cannot_be_split_or_halved()
    {
        Assert.That(() => new Unflatten(0, [1, -1]).ToOnnx([3]), Throws.InstanceOf<Pade.Layers.Onnx.OnnxExportException>().With.Message.Contains("batch"));
        Assert.That(() => new GLU(0).ToOnnx([4]), Throws.InstanceOf<Pade.Layers.Onnx.OnnxExportException>().With.Message.Contains("batch"));
    }
}
