using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

public class LinearTests
{
    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void GradientCheck(int a, bool bias, bool threeD)
    {
        var r = new Naive.Picker(a);
        int n = r.Next(1, 4), inF = r.Next(1, 6), outF = r.Next(1, 5);
        int[] xs = threeD ? [2, n, inF] : [n, inF];
        var x = Tensor.Randn(xs, dtype: DType.Float64, generator: new Generator(1));
        var w = Tensor.Randn([outF, inF], dtype: DType.Float64, generator: new Generator(2));
        var b = Tensor.Randn([outF], dtype: DType.Float64, generator: new Generator(3));
        GradCheck.Assert("linear", t => F.Linear(t[0], t[1], bias ? t[2] : null), bias ? [x, w, b] : [x, w]);
    }

    [Test]
    public void MatchesMatMul()
    {
        var layer = new Linear(7, 3, generator: new Generator(4));
        var x = Tensor.Randn([5, 7], generator: new Generator(5));
        var y = layer.Call(x).ToArray<float>();
        var expected = (Tensor.MatMul(x, layer.Weight.T) + layer.Bias!).ToArray<float>();
        for (int i = 0; i < y.Length; i++) Assert.That(y[i], Is.EqualTo(expected[i]).Within(1e-5));
        double bound = 1 / Math.Sqrt(7);
        Assert.That(layer.Weight.ToArray<float>().All(v => Math.Abs(v) <= bound), Is.True);
    }

    [Test]
    public void WrongFeatureCountNamesLayer()
    {
        var m = new Sequential(new Linear(4, 3), new Linear(5, 2));
        var e = Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(2, 4)));
        Assert.That(e!.Message, Does.Contain("Linear '1'").And.Contain("[..., 5]").And.Contain("[2, 3]"));
    }

    /// <summary>No input features (PyTorch accepts it): y is the bias on every row, and the bias gets the row count
    /// of each output's gradient. It used to divide by zero finding the rows.</summary>
    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void NoInputFeaturesGiveTheBias(DType dtype)
    {
        var x = Tensor.Zeros([2, 4, 0], dtype);
        var w = Tensor.Zeros([3, 0], dtype);
        var b = Tensor.FromArray([0.5, -1.0, 2.0]).To(dtype);
        x.RequiresGrad = true; w.RequiresGrad = true; b.RequiresGrad = true;
        var y = F.Linear(x, w, b);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 4, 3 }));
        Assert.That(y.To(DType.Float64).ToArray<double>(), Is.EqualTo(Enumerable.Repeat(new[] { 0.5, -1.0, 2.0 }, 8).SelectMany(r => r).ToArray()));
        y.Sum().Backward();
        Assert.That(b.Grad!.To(DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 8.0, 8.0, 8.0 }));
        Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 2, 4, 0 }));
        Assert.That(F.Linear(Tensor.Zeros([5, 0], dtype), w).To(DType.Float64).ToArray<double>(), Is.All.EqualTo(0.0));
    }
}
