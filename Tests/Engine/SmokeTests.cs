using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

public class SmokeTests
{
    [Test]
    public void ReadmeExample()
    {
        var x = Tensor.FromArray([1.0, 2.0, 3.0], 3);
        x.RequiresGrad = true;
        var w = Tensor.FromArray([0.5, -1.0, 2.0], 3);
        w.RequiresGrad = true;
        var y = (x * w).Sum() + (x.Exp() / 2.0).Mean();
        y.Backward();
        var gx = x.Grad!.ToArray<double>();
        var ex = new[] { 1.0, 2.0, 3.0 }.Select(Math.Exp).ToArray();
        Assert.That(gx[0], Is.EqualTo(0.5 + ex[0] / 6).Within(1e-12));
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
        TestContext.Out.WriteLine(y);
        TestContext.Out.WriteLine(x.Grad);
    }

    [Test]
    public void MatMulMatchesNaive()
    {
        var a = Tensor.Randn([2, 5, 7], dtype: DType.Float64);
        var b = Tensor.Randn([7, 3], dtype: DType.Float64);
        var c = Tensor.MatMul(a, b).ToArray<double>();
        var av = a.ToArray<double>(); var bv = b.ToArray<double>();
        for (int bi = 0; bi < 2; bi++)
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 3; j++)
                {
                    double s = 0;
                    for (int p = 0; p < 7; p++) s += av[bi * 35 + i * 7 + p] * bv[p * 3 + j];
                    Assert.That(c[bi * 15 + i * 3 + j], Is.EqualTo(s).Within(1e-12));
                }
    }

    [Test]
    public void GradCheckOfComposite()
    {
        var r = GradCheck.Assert("composite", xs => Tensor.MatMul(xs[0], xs[1]).Softmax(-1).Log().Sum(0),
            [Tensor.Randn([3, 4], dtype: DType.Float64), Tensor.Randn([4, 5], dtype: DType.Float64)]);
        TestContext.Out.WriteLine(r);
    }
}
