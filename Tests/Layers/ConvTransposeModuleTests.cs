using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>nn.ConvTranspose2d: PyTorch's parameters, initialisation, repr and errors; the arithmetic is
/// <see cref="F.ConvTranspose2d"/>'s (ConvTransposeTests).</summary>
public class ConvTransposeModuleTests
{
    [Test]
    public void ParametersAreTorchsWithItsDefaultInitialisation()
    {
        var m = new Pade.Layers.ConvTranspose2d(4, 6, (3, 2), groups: 2, generator: new Generator(1));
        Assert.That(m.StateDict().Keys, Is.EquivalentTo(new[] { "weight", "bias" }));
        Assert.That(m.Weight.ShapeCopy(), Is.EqualTo(new[] { 4, 3, 3, 2 }));
        Assert.That(m.Bias!.ShapeCopy(), Is.EqualTo(new[] { 6 }));
        // kaiming_uniform(a = √5) on the weight tensor: fan_in = weight.size(1)·kH·kW = 3·3·2, the output channels per
        // group, not the input channels; the bias takes the same bound.
        double bound = 1 / Math.Sqrt(3 * 3 * 2);
        foreach (var (t, name) in new[] { (m.Weight, "weight"), (m.Bias!, "bias") })
        {
            var v = t.ToArray<float>();
            Assert.That(v.Max(Math.Abs), Is.LessThanOrEqualTo(bound), name);
            Assert.That(v.Max(Math.Abs), Is.GreaterThan(0.5 * bound), name);
        }
        var w = m.Weight.ToArray<float>();
        Assert.That(w.Max(Math.Abs), Is.GreaterThan(0.9 * bound), "72 weights reach near the bound");
        Assert.That(new Pade.Layers.ConvTranspose2d(2, 3, 2, bias: false).StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
    }

    [Test]
    public void ReprIsTorchs()
    {
        Assert.That(new Pade.Layers.ConvTranspose2d(3, 4, 3).ToString(), Is.EqualTo("ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(1, 1))"));
        Assert.That(new Pade.Layers.ConvTranspose2d(4, 6, (3, 2), stride: 2, padding: (1, 0), outputPadding: 1, groups: 2, bias: false, dilation: (1, 2)).ExtraRepr(),
            Is.EqualTo("4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 0), dilation=(1, 2), output_padding=(1, 1), groups=2, bias=False"));
    }

    [Test]
    public void ForwardIsTheFunctionBatchedOrNot()
    {
        var m = new Pade.Layers.ConvTranspose2d(3, 5, 3, stride: 2, padding: 1, outputPadding: 1, generator: new Generator(2));
        var x = Tensor.Rand([2, 3, 4, 5], -1, 1, DType.Float32, generator: new Generator(3));
        var y = m.Call(x);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 5, 8, 10 }));
        Assert.That(m.OutputSize(4, 5), Is.EqualTo((8, 10)));
        Assert.That(y.ToArray<float>(), Is.EqualTo(F.ConvTranspose2d(x, m.Weight, m.Bias, 2, 1, 1).ToArray<float>()));
        Assert.That(m.Call(x.Select(0, 1)).ToArray<float>(), Is.EqualTo(y.Select(0, 1).ToArray<float>()));
        y.Sum().Backward();
        Assert.That(m.Weight.Grad, Is.Not.Null);
        Assert.That(m.Bias!.Grad!.ToArray<float>(), Is.All.EqualTo(2 * 8 * 10));
    }

    /// <summary>PyTorch's forward(input, output_size): output_padding = output_size − the smallest size, which may
    /// range up to stride − 1 above it; the layer's own output_padding is not used.</summary>
    [Test]
    public void OutputSizePicksTheOutputPadding()
    {
        var m = new Pade.Layers.ConvTranspose2d(3, 2, 3, stride: (3, 2), padding: 1, outputPadding: (1, 0), generator: new Generator(4));
        var x = Tensor.Rand([2, 3, 4, 5], -1, 1, DType.Float64, generator: new Generator(5));
        // Smallest: (4 − 1)·3 − 2 + 2 + 1 = 10 rows, (5 − 1)·2 − 2 + 2 + 1 = 9 columns.
        foreach (var (h, w) in new[] { (10, 9), (12, 10), (11, 9) })
        {
            var expected = F.ConvTranspose2d(x, m.Weight.To(DType.Float64), m.Bias!.To(DType.Float64), (3, 2), 1, (h - 10, w - 9));
            Assert.That(m.Forward(x.To(DType.Float32), [h, w]).ShapeCopy(), Is.EqualTo(new[] { 2, 2, h, w }));
            Assert.That(m.Forward(x.To(DType.Float32), [2, 2, h, w]).To(DType.Float64).ToArray<double>(),
                Is.EqualTo(expected.ToArray<double>()).Within(1e-5), $"output_size ({h}, {w})");
        }
        Assert.That(m.Forward(x.Select(0, 0).To(DType.Float32), [3, 11, 10]).ShapeCopy(), Is.EqualTo(new[] { 2, 11, 10 }));
        Assert.That(() => m.Forward(x.To(DType.Float32), [13, 9]),
            Throws.ArgumentException.With.Message.Contains("requested an output size of [13, 9], but valid sizes range from [10, 9] to [12, 10] (for an input of [4, 5])"));
        Assert.That(() => m.Forward(x.To(DType.Float32), [10]), Throws.ArgumentException.With.Message.Contains("output_size must have 2 or 4 elements (got 1)"));
    }

    [Test]
    public void BadArgumentsNameTheLayer()
    {
        Assert.That(() => new Pade.Layers.ConvTranspose2d(3, 4, 3, groups: 2), Throws.ArgumentException.With.Message.Contains("divisible by groups 2"));
        Assert.That(() => new Pade.Layers.ConvTranspose2d(0, 4, 3), Throws.ArgumentException.With.Message.Contains("must be positive"));
        var m = new Pade.Layers.ConvTranspose2d(3, 4, 3, stride: 2, outputPadding: 2);
        Assert.That(() => m.Call(Tensor.Zeros(1, 3, 4, 4)), Throws.ArgumentException.With.Message.Contains("ConvTranspose2d").And.Message.Contains("output_padding must be smaller"));
        Assert.That(() => new Pade.Layers.ConvTranspose2d(3, 4, 3).Call(Tensor.Zeros(1, 2, 4, 4)),
            Throws.ArgumentException.With.Message.Contains("ConvTranspose2d").And.Message.Contains("[1, 2, 4, 4]"));
    }
}
