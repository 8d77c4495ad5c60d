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
