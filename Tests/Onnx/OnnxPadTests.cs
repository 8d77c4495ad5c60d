using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Onnx;

namespace Pade.Tests.Onnx;

/// <summary>The padding layers and Conv1d's and Conv2d's padding modes in ONNX Runtime: Pad (constant, reflect, edge) where no
/// pad is negative, Gather along each padded axis for circular and negative pads.</summary>
public class OnnxPadTests
{
    public static IEnumerable<TestCaseData> Layers()
    {
        TestCaseData Case(string name, Func<Module> layer, string op, params int[] input) =>
            new TestCaseData(layer, op, input).SetName($"Pad_{name}");
        yield return Case("ZeroPad2d", () => new ZeroPad2d((1, 2, 0, 3)), "Pad", 2, 3, 4, 5);
        yield return Case("ConstantPad1d_value", () => new ConstantPad1d((3, 1), -1.5), "Pad", 2, 3, 4);
        yield return Case("ConstantPad3d_negative", () => new ConstantPad3d((1, -1, 0, 2, -1, 1), 2.5), "Pad", 2, 3, 3, 4, 5);
        yield return Case("ReflectionPad1d", () => new ReflectionPad1d((3, 2)), "Pad", 2, 3, 4);
        yield return Case("ReflectionPad2d_sizeMinus1", () => new ReflectionPad2d((4, 1, 2, 2)), "Pad", 2, 3, 3, 5);
        yield return Case("ReflectionPad3d", () => new ReflectionPad3d(1), "Pad", 1, 2, 3, 4, 5);
        yield return Case("ReflectionPad2d_negative", () => new ReflectionPad2d((-1, 3, 2, -2)), "Gather", 2, 3, 4, 5);
        yield return Case("ReplicationPad2d", () => new ReplicationPad2d((3, 0, 1, 4)), "Pad", 2, 3, 4, 5);
        yield return Case("ReplicationPad1d_negative", () => new ReplicationPad1d((-2, 3)), "Gather", 2, 3, 6);
        yield return Case("ReplicationPad3d", () => new ReplicationPad3d((1, 0, 2, 1, 0, 2)), "Pad", 2, 2, 3, 3, 4);
        yield return Case("CircularPad1d_size", () => new CircularPad1d((4, 1)), "Gather", 2, 3, 4);
        yield return Case("CircularPad2d_negative", () => new CircularPad2d((-1, 2, 3, 0)), "Gather", 2, 3, 4, 5);
        yield return Case("CircularPad3d", () => new CircularPad3d(1), "Gather", 1, 2, 3, 4, 5);
        yield return Case("Conv2d_reflect", () => new Conv2d(3, 4, 3, padding: 1, paddingMode: "reflect"), "Pad", 2, 3, 6, 5);
        yield return Case("Conv2d_replicate_same_even", () => new Conv2d(3, 4, (2, 3), padding: "same", dilation: (3, 1), paddingMode: "replicate"), "Pad", 2, 3, 7, 6);
        yield return Case("Conv2d_circular_stride2", () => new Conv2d(2, 4, 3, stride: 2, padding: (2, 1), groups: 2, paddingMode: "circular"), "Gather", 2, 2, 5, 6);
        yield return Case("Conv1d_reflect", () => new Conv1d(3, 4, 3, padding: 2, paddingMode: "reflect"), "Pad", 2, 3, 6);
        yield return Case("Conv1d_circular_same_even", () => new Conv1d(2, 2, 4, padding: "same", groups: 2, paddingMode: "circular"), "Gather", 2, 2, 5);
    }

    [TestCaseSource(nameof(Layers))]
    public void LayerMatchesPade(Func<Module> layer, string op, int[] input)
    {
        Tensor.ManualSeed(2);
        var m = layer();
        OnnxCheck.Randomize(m, 3);
        var model = m.ToOnnx(input[1..]);
        Assert.That(model.Graph.Node.Select(n => n.OpType), Does.Contain(op), "the padding's ONNX op");
        OnnxCheck.AssertMatches(m, OnnxCheck.Input(6, input), m.ToString());
    }

    [Test]
    public void PaddingThatDoesNotFitIsNamed()
    {
        Assert.That(Assert.Throws<OnnxExportException>(() => new ReflectionPad2d(4).ToOnnx(3, 4, 6))!.Message,
            Does.Contain("ReflectionPad2d").And.Contain("(4, 4)"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new CircularPad1d(5).ToOnnx(3, 4))!.Message, Does.Contain("CircularPad1d"));
    }
}
