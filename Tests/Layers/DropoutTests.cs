using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

public class DropoutTests
{
    [FsCheck.NUnit.Property(MaxTest = 20)]
    public void GradientCheckWithFixedMask(int a)
    {
        double p = Naive.Pick(a, 0, 9) / 10.0;
        var mask = F.DropoutMask([3, 4], p, DType.Float64, generator: new Generator((ulong)(uint)a));
        var x = Tensor.Randn([3, 4], dtype: DType.Float64, generator: new Generator(1));
        GradCheck.Assert("dropout", t => F.DropoutWithMask(t[0], mask), [x]);
        var dropout = new Dropout(p) { FixedMask = mask };
        Assert.That(dropout.Call(x).ToArray<double>(), Is.EqualTo((x * mask).ToArray<double>()));
    }

    [Test]
    public void TrainingScalesKeptElementsAndEvaluationIsIdentity()
    {
        var x = Tensor.Ones([100_000]);
        var d = new Dropout(0.25, new Generator(2));
        var y = d.Call(x).ToArray<float>();
        Assert.That(y.All(v => v == 0 || Math.Abs(v - 1 / 0.75f) < 1e-6), Is.True);
        double kept = y.Count(v => v != 0) / 100_000.0;
        Assert.That(kept, Is.EqualTo(0.75).Within(0.01));
        Assert.That(y.Average(), Is.EqualTo(1).Within(0.02));
        d.Eval();
        Assert.That(ReferenceEquals(d.Call(x), x), Is.True);
    }

    [Test]
    public void SeededMaskIsReproducible()
    {
        var x = Tensor.Ones([1000]);
        var a = new Dropout(0.5, new Generator(3)).Call(x).ToArray<float>();
        var b = new Dropout(0.5, new Generator(3)).Call(x).ToArray<float>();
        var c = new Dropout(0.5, new Generator(4)).Call(x).ToArray<float>();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [Test]
    public void EdgeProbabilities()
    {
        var x = Tensor.Randn([10], generator: new Generator(5));
        Assert.That(new Dropout(0).Call(x).ToArray<float>(), Is.EqualTo(x.ToArray<float>()));
        Assert.That(new Dropout(1).Call(x).ToArray<float>().All(v => v == 0), Is.True);
        Assert.Throws<ArgumentException>(() => new Dropout(1.5));
    }

    [Test]
    public void FlattenKeepsBatch()
    {
        var y = new Flatten().Call(Tensor.Zeros(2, 3, 4, 5));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 60 }));
    }
}
