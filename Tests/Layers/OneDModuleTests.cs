using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>The 1-D modules: PyTorch's parameters, initialisation, state dict names, repr, shapes batched and unbatched
/// and errors naming the layer; their arithmetic is the functional ops' (Conv1dTests, Pool1dTests).</summary>
public class OneDModuleTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float32, generator: new Generator(seed));

    [Test]
    public void ParametersAreTorchsWithItsDefaultInitialisation()
    {
        var conv = new Conv1d(4, 6, 3, groups: 2, generator: new Generator(1));
        Assert.That(conv.StateDict().Keys, Is.EquivalentTo(new[] { "weight", "bias" }));
        Assert.That(conv.Weight.ShapeCopy(), Is.EqualTo(new[] { 6, 2, 3 }));
        Assert.That(conv.Bias!.ShapeCopy(), Is.EqualTo(new[] { 6 }));
        var convT = new ConvTranspose1d(4, 6, 3, groups: 2, generator: new Generator(2));
        Assert.That(convT.Weight.ShapeCopy(), Is.EqualTo(new[] { 4, 3, 3 }));
        Assert.That(new ConvTranspose1d(2, 3, 2, bias: false).StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
        Assert.That(new Conv1d(2, 3, 2, bias: false).StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
        // kaiming_uniform(a = √5): bound 1/√fan_in, fan_in = weight.size(1)·k (in/groups·k; out/groups·k transposed).
        foreach (var (t, bound, name) in new[] { (conv.Weight, 1 / Math.Sqrt(2 * 3), "conv weight"), (conv.Bias!, 1 / Math.Sqrt(2 * 3), "conv bias"),
                     (convT.Weight, 1 / Math.Sqrt(3 * 3), "transposed weight"), (convT.Bias!, 1 / Math.Sqrt(3 * 3), "transposed bias") })
        {
            var v = t.ToArray<float>();
            Assert.That(v.Max(Math.Abs), Is.LessThanOrEqualTo(bound), name);
            Assert.That(v.Max(Math.Abs), Is.GreaterThan(0.5 * bound), name);
        }
        Assert.That(new MaxPool1d(2).StateDict(), Is.Empty);
    }

    [Test]
    public void ReprIsTorchs()
    {
        Assert.That(new Conv1d(3, 8, 3).ToString(), Is.EqualTo("Conv1d(3, 8, kernel_size=(3,), stride=(1,))"));
        Assert.That(new Conv1d(4, 6, 3, stride: 2, padding: 1, dilation: 2, groups: 2, bias: false).ExtraRepr(),
            Is.EqualTo("4, 6, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), groups=2, bias=False"));
        Assert.That(new Conv1d(3, 8, 4, padding: "same").ExtraRepr(), Is.EqualTo("3, 8, kernel_size=(4,), stride=(1,), padding=same"));
        Assert.That(new ConvTranspose1d(3, 4, 3).ToString(), Is.EqualTo("ConvTranspose1d(3, 4, kernel_size=(3,), stride=(1,))"));
        Assert.That(new ConvTranspose1d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 2).ExtraRepr(),
            Is.EqualTo("4, 6, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), output_padding=(1,), groups=2, bias=False"));
        Assert.That(new MaxPool1d(3).ToString(), Is.EqualTo("MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"));
        Assert.That(new MaxPool1d(3, 2, 1, 2, true).ExtraRepr(), Is.EqualTo("kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True"));
        Assert.That(new AvgPool1d(3).ToString(), Is.EqualTo("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"));
        Assert.That(new AdaptiveAvgPool1d(5).ToString(), Is.EqualTo("AdaptiveAvgPool1d(output_size=5)"));
        Assert.That(new AdaptiveMaxPool1d(1).ToString(), Is.EqualTo("AdaptiveMaxPool1d(output_size=1)"));
    }

    [Test]
    public void ForwardIsTheFunctionBatchedOrNot()
    {
        var x = Rand([2, 4, 9], 3);
        var conv = new Conv1d(4, 6, 3, stride: 2, padding: 1, groups: 2, generator: new Generator(4));
        var y = conv.Call(x);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 6, 5 }));
        Assert.That(y.ToArray<float>(), Is.EqualTo(F.Conv1d(x, conv.Weight, conv.Bias, 2, 1, 1, 2).ToArray<float>()));
        // One sequence may take another CPU path than the batch (its chunking): equal to rounding.
        Assert.That(conv.Call(x.Select(0, 1)).ToArray<float>(), Is.EqualTo(y.Select(0, 1).ToArray<float>()).Within(1e-6));
        y.Sum().Backward();
        Assert.That(conv.Bias!.Grad!.ToArray<float>(), Is.All.EqualTo(2 * 5));

        // "same" with an even kernel: the extra element at the end, the length kept.
        var same = new Conv1d(4, 3, 4, padding: "same", generator: new Generator(5));
        Assert.That(same.Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 9 }));
        Assert.That(same.Call(x).ToArray<float>(), Is.EqualTo(F.Conv1d(x, same.Weight, same.Bias, 1, "same").ToArray<float>()));
        Assert.That(new Conv1d(4, 3, 4, padding: "valid").Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 6 }));
        Assert.That(() => new Conv1d(4, 3, 3, stride: 2, padding: "same"), Throws.ArgumentException.With.Message.Contains("strided"));

        var convT = new ConvTranspose1d(4, 3, 3, stride: 2, padding: 1, outputPadding: 1, generator: new Generator(6));
        Assert.That(convT.Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 18 }));
        Assert.That(convT.OutputSize(9), Is.EqualTo(18));
        Assert.That(convT.Call(x.Select(0, 0)).ShapeCopy(), Is.EqualTo(new[] { 3, 18 }));

        Assert.That(new MaxPool1d(2).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 4, 4 }));
        Assert.That(new MaxPool1d(2, ceilMode: true).Call(x.Select(0, 0)).ShapeCopy(), Is.EqualTo(new[] { 4, 5 }));
        Assert.That(new AvgPool1d(3, 2, 1).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 4, 5 }));
        Assert.That(new AdaptiveAvgPool1d(4).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 4, 4 }));
        Assert.That(new AdaptiveMaxPool1d(1).Call(x.Select(0, 1)).ShapeCopy(), Is.EqualTo(new[] { 4, 1 }));
        Assert.That(new AdaptiveAvgPool1d(1).Call(x).ToArray<float>(), Is.EqualTo(x.Mean([2], keepDim: true).ToArray<float>()).Within(1e-6));
    }

    /// <summary>PyTorch's forward(input, output_size): output_padding = output_size − the smallest length, up to
    /// stride − 1 above it, given as [L] or the whole output shape.</summary>
    [Test]
    public void OutputSizePicksTheOutputPadding()
    {
        var m = new ConvTranspose1d(3, 2, 3, stride: 3, padding: 1, outputPadding: 1, generator: new Generator(7));
        var x = Rand([2, 3, 4], 8);
        // Smallest: (4 − 1)·3 − 2 + 2 + 1 = 10.
        foreach (int l in new[] { 10, 11, 12 })
        {
            var expected = F.ConvTranspose1d(x, m.Weight, m.Bias, 3, 1, l - 10);
            Assert.That(m.Forward(x, [l]).ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), $"length {l}");
            Assert.That(m.Forward(x, [2, 2, l]).ShapeCopy(), Is.EqualTo(new[] { 2, 2, l }));
        }
        Assert.That(m.Forward(x.Select(0, 0), [3, 11]).ShapeCopy(), Is.EqualTo(new[] { 2, 11 }));
        Assert.That(() => m.Forward(x, [13]), Throws.ArgumentException.With.Message.Contains("requested an output size of [13], but valid sizes range from [10] to [12]"));
        Assert.That(() => m.Forward(x, [1, 13]), Throws.ArgumentException.With.Message.Contains("output_size must have 1 or 3 elements (got 2)"));
    }

    [Test]
    public void ErrorsNameTheLayer()
    {
        var net = new Sequential(new Conv1d(3, 4, 3), new MaxPool1d(2));
        Assert.That(() => net.Call(Tensor.Zeros([2, 5, 9])), Throws.ArgumentException.With.Message.Contains("Conv1d '0'").And.Message.Contains("[2, 5, 9]"));
        Assert.That(() => net.Call(Tensor.Zeros([2, 3, 3])), Throws.ArgumentException.With.Message.Contains("MaxPool1d '1'"));
        Assert.That(() => new ConvTranspose1d(3, 4, 3).Call(Tensor.Zeros([2, 4, 5])), Throws.ArgumentException.With.Message.Contains("ConvTranspose1d"));
        Assert.That(() => new AvgPool1d(2).Call(Tensor.Zeros([2, 4, 5, 5])), Throws.ArgumentException.With.Message.Contains("AvgPool1d"));
        Assert.That(() => new AdaptiveAvgPool1d(2).Call(Tensor.Zeros([5])), Throws.ArgumentException.With.Message.Contains("AdaptiveAvgPool1d"));
        Assert.That(() => new Conv1d(4, 6, 3, groups: 4), Throws.ArgumentException.With.Message.Contains("divisible by groups 4"));
    }
}
