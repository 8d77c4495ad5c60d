using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>ToString follows torch's repr; the expected strings are what PyTorch 2.x prints for the same tensors.</summary>
public class ToStringTests
{
    [Test]
    public void Scalars()
    {
        Assert.That(Tensor.Scalar(3.5).ToString(), Is.EqualTo("tensor(3.5000)"));
        Assert.That(Tensor.Scalar(2).ToString(), Is.EqualTo("tensor(2.)"));
        Assert.That(Tensor.Scalar(-0.25, DType.Float64).ToString(), Is.EqualTo("tensor(-0.2500, dtype=torch.float64)"));
    }

    [Test]
    public void Vectors()
    {
        Assert.That(Tensor.FromArray([1f, 2f, 3f]).ToString(), Is.EqualTo("tensor([1., 2., 3.])"));
        Assert.That(Tensor.FromArray([1.5f, -2.25f]).ToString(), Is.EqualTo("tensor([ 1.5000, -2.2500])"));
        Assert.That(Tensor.FromArray([0f, 10f]).ToString(), Is.EqualTo("tensor([ 0., 10.])"));
        Assert.That(Tensor.FromArray([1e-5f, 1f]).ToString(), Is.EqualTo("tensor([1.0000e-05, 1.0000e+00])"));
        Assert.That(Tensor.FromArray([1, -20, 3]).ToString(), Is.EqualTo("tensor([  1, -20,   3], dtype=torch.int32)"));
        Assert.That(Tensor.FromArray([float.NaN, 1f, float.PositiveInfinity]).ToString(), Is.EqualTo("tensor([nan, 1., inf])"));
    }

    [Test]
    public void Matrices()
    {
        Assert.That(Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2).ToString(), Is.EqualTo("tensor([[1., 2.],\n        [3., 4.]])"));
        Assert.That(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 2, 2, 2).ToString(),
            Is.EqualTo("tensor([[[1., 2.],\n         [3., 4.]],\n\n        [[5., 6.],\n         [7., 8.]]])"));
    }

    [Test]
    public void Float64AndGradientSuffixes()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        Assert.That(x.ToString(), Is.EqualTo("tensor([1., 2.], dtype=torch.float64)"));
        x.RequiresGrad = true;
        Assert.That(x.ToString(), Is.EqualTo("tensor([1., 2.], dtype=torch.float64, requires_grad=True)"));
        var y = (x * 2.0).Sum();
        Assert.That(y.ToString(), Does.StartWith("tensor(6., dtype=torch.float64, grad_fn=<"));
    }

    [Test]
    public void EmptyTensors()
    {
        Assert.That(Tensor.Zeros(0).ToString(), Is.EqualTo("tensor([])"));
        Assert.That(Tensor.Zeros(0, 3).ToString(), Is.EqualTo("tensor([], size=(0, 3))"));
    }

    [Test]
    public void LargeTensorsAreSummarised()
    {
        Assert.That(Tensor.Arange(0, 1001).ToString(), Is.EqualTo("tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"));
        // PyTorch switches to scientific notation here (max/min > 1000), and 6 such elements fill a line.
        Assert.That(Tensor.Arange(0, 2000).ToString(),
            Is.EqualTo("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"));
        var m = Tensor.Arange(100, 1300).Reshape(40, 30).ToString();
        Assert.That(m, Is.EqualTo(
            "tensor([[ 100.,  101.,  102.,  ...,  127.,  128.,  129.],\n" +
            "        [ 130.,  131.,  132.,  ...,  157.,  158.,  159.],\n" +
            "        [ 160.,  161.,  162.,  ...,  187.,  188.,  189.],\n" +
            "        ...,\n" +
            "        [1210., 1211., 1212.,  ..., 1237., 1238., 1239.],\n" +
            "        [1240., 1241., 1242.,  ..., 1267., 1268., 1269.],\n" +
            "        [1270., 1271., 1272.,  ..., 1297., 1298., 1299.]])"));
        Assert.That(Tensor.Zeros(300, 300).ToString().Length, Is.LessThan(400), "a 90,000-element tensor prints 36 of them");
    }

    [Test]
    public void LongVectorsWrapAtEightyColumns()
    {
        var s = Tensor.Arange(0, 30).ToString();
        Assert.That(s.Split('\n'), Has.All.Length.LessThanOrEqualTo(80));
        Assert.That(s, Does.StartWith("tensor([ 0.,  1.,  2.,"));
        Assert.That(s, Does.Contain(",\n        "));
    }
}
