using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>
/// nn.InstanceNorm1d/2d, nn.LocalResponseNorm and nn.Embedding's max_norm as modules: PyTorch's running statistics
/// (the batch average of each instance's mean and unbiased variance; num_batches_tracked left alone; momentum None
/// as 0), evaluation with and without them, unbatched inputs, the num_features check (only with affine), state dict
/// names, reprs and messages.
/// </summary>
public class InstanceNormModuleTests
{
    private static Tensor Randn(int[] shape, ulong seed) => Tensor.Randn(shape, dtype: DType.Float64, generator: new Generator(seed));

    /// <summary>Mean and unbiased variance of each (n, c) over its S positions.</summary>
    private static (double[] Mean, double[] Var) Stats(double[] x, int rows, int s)
    {
        var mean = new double[rows];
        var variance = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            mean[r] = x.Skip(r * s).Take(s).Average();
            variance[r] = x.Skip(r * s).Take(s).Sum(v => (v - mean[r]) * (v - mean[r])) / (s - 1);
        }
        return (mean, variance);
    }

    [Test]
    public void RunningStatisticsAverageTheInstancesOverTheBatch()
    {
        var m = new InstanceNorm1d(3, momentum: 0.25, trackRunningStats: true);
        m.To(dtype: DType.Float64);
        var x = Randn([2, 3, 5], 1);
        m.Call(x);
        var (mean, variance) = Stats(x.ToArray<double>(), 6, 5);
        var rm = m.RunningMean!.ToArray<double>();
        var rv = m.RunningVar!.ToArray<double>();
        for (int c = 0; c < 3; c++)
        {
            Assert.That(rm[c], Is.EqualTo(0.25 * (mean[c] + mean[3 + c]) / 2).Within(1e-14), $"running_mean[{c}]");
            Assert.That(rv[c], Is.EqualTo(0.75 + 0.25 * (variance[c] + variance[3 + c]) / 2).Within(1e-14), $"running_var[{c}]");
        }
        Assert.That(m.NumBatchesTracked!.ToArray<int>()[0], Is.EqualTo(0), "instance norm does not count batches (as PyTorch)");

        // Evaluation normalises with the running statistics and leaves them alone.
        m.Eval();
        var y = m.Call(x).ToArray<double>();
        var xv = x.ToArray<double>();
        for (int i = 0; i < xv.Length; i++)
            Assert.That(y[i], Is.EqualTo((xv[i] - rm[i / 5 % 3]) / Math.Sqrt(rv[i / 5 % 3] + 1e-5)).Within(1e-13));
        Assert.That(m.RunningMean!.ToArray<double>(), Is.EqualTo(rm));
    }

    [Test]
    public void WithoutRunningStatisticsEvaluationUsesTheInstance()
    {
        var m = new InstanceNorm2d(2, affine: true);
        m.To(dtype: DType.Float64);
        var x = Randn([3, 2, 3, 4], 2);
        var train = m.Call(x).ToArray<double>();
        m.Eval();
        Assert.That(m.Call(x).ToArray<double>(), Is.EqualTo(train));
        Assert.That(train, Is.EqualTo(F.InstanceNorm(x, weight: m.Weight, bias: m.Bias).ToArray<double>()));
    }

    [Test]
    public void MomentumNoneLeavesTheRunningStatistics()
    {
        var m = new InstanceNorm1d(2, momentum: null, trackRunningStats: true);
        m.To(dtype: DType.Float64);
        m.Call(Randn([2, 2, 4], 3));
        Assert.That(m.RunningMean!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0 }));
        Assert.That(m.RunningVar!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void UnbatchedInputIsABatchOfOne()
    {
        var x1 = Randn([3, 6], 4);
        var m1 = new InstanceNorm1d(3);
        m1.To(dtype: DType.Float64);
        Assert.That(m1.Call(x1).ShapeCopy(), Is.EqualTo(new[] { 3, 6 }));
        Assert.That(m1.Call(x1).ToArray<double>(), Is.EqualTo(m1.Call(x1.Unsqueeze(0)).ToArray<double>()));
        var x2 = Randn([2, 3, 3], 5);
        var m2 = new InstanceNorm2d(2);
        m2.To(dtype: DType.Float64);
        Assert.That(m2.Call(x2).ToArray<double>(), Is.EqualTo(m2.Call(x2.Unsqueeze(0)).ToArray<double>()));
    }

    /// <summary>PyTorch only warns when the channels differ from num_features without affine (num_features is then
    /// unused); with affine it is an error naming the dim.</summary>
    [Test]
    public void NumFeaturesIsCheckedOnlyWithAffine()
    {
        var x = Randn([2, 3, 4], 6);
        Assert.That(new InstanceNorm1d(5).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4 }));
        var e = Assert.Throws<ArgumentException>(() => new InstanceNorm1d(5, affine: true).To(dtype: DType.Float64).Call(x));
        Assert.That(e!.Message, Does.Contain("expected input's size at dim=1 to match num_features (5), but got: 3."));
        Assert.That(Assert.Throws<ArgumentException>(() => new InstanceNorm1d(3).Call(Tensor.Zeros(1, 3, 2, 2)))!.Message,
            Does.Contain("expected 2D or 3D input (got 4D input)"));
        Assert.That(Assert.Throws<ArgumentException>(() => new InstanceNorm2d(3).Call(Tensor.Zeros(2, 3, 1, 1)))!.Message,
            Does.Contain("Expected more than 1 spatial element when training, got input size [2, 3, 1, 1]"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.InstanceNorm(x, useInputStats: false))!.Message,
            Does.Contain("Expected running_mean and running_var to be defined when use_input_stats is false"));
    }

    [Test]
    public void StateDictNamesAndReprAreTorchs()
    {
        Assert.That(new InstanceNorm2d(4, affine: true, trackRunningStats: true).StateDict().Keys,
            Is.EquivalentTo(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }));
        Assert.That(new InstanceNorm1d(4).StateDict(), Is.Empty);
        Assert.That(new InstanceNorm1d(3).ToString(), Is.EqualTo("InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)"));
        Assert.That(new InstanceNorm2d(3, momentum: null, affine: true).ToString(),
            Is.EqualTo("InstanceNorm2d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=False)"));
        Assert.That(new LocalResponseNorm(2).ToString(), Is.EqualTo("LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"));
        Assert.That(new Embedding(10, 3, maxNorm: 1).ToString(), Is.EqualTo("Embedding(10, 3, max_norm=1.0)"));
        Assert.That(new Embedding(10, 3, paddingIdx: 0, maxNorm: 2, normType: 1).ToString(), Is.EqualTo("Embedding(10, 3, padding_idx=0, max_norm=2.0, norm_type=1.0)"));
    }

    [Test]
    public void LocalResponseNormModuleAndEdges()
    {
        var x = Randn([2, 5, 3, 2], 7);
        Assert.That(new LocalResponseNorm(3, 0.1, 0.5, 2).Call(x).ToArray<double>(), Is.EqualTo(F.LocalResponseNorm(x, 3, 0.1, 0.5, 2).ToArray<double>()));
        Assert.That(Assert.Throws<ArgumentException>(() => F.LocalResponseNorm(Randn([2, 5], 8), 2))!.Message,
            Does.Contain("Expected 3D or higher dimensionality input (got 2 dimensions)"));
        var empty = Tensor.Zeros([0, 3, 4], DType.Float64);
        Assert.That(F.LocalResponseNorm(empty, 2), Is.SameAs(empty));
    }

    /// <summary>The module renormalises its own weight in each forward; the gradient is the plain lookup's.</summary>
    [Test]
    public void EmbeddingModuleWithMaxNorm()
    {
        var m = new Embedding(5, 3, maxNorm: 0.5, generator: new Generator(9));
        m.To(dtype: DType.Float64);
        var before = m.Weight.ToArray<double>();
        var y = m.Call(Tensor.FromArray(new[] { 1, 1, 3 }));
        var after = m.Weight.ToArray<double>();
        for (int r = 0; r < 5; r++)
        {
            var row = after.Skip(r * 3).Take(3).ToArray();
            if (r is 1 or 3) Assert.That(Math.Sqrt(row.Sum(v => v * v)), Is.LessThanOrEqualTo(0.5), $"row {r}");
            else Assert.That(row, Is.EqualTo(before.Skip(r * 3).Take(3).ToArray()), $"row {r} is not referenced");
        }
        y.Sum().Backward();
        Assert.That(m.Weight.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0 }));
    }

    /// <summary>An empty batch gives an empty output and leaves the running statistics alone (as libtorch).</summary>
    [Test]
    public void EmptyBatchGivesAnEmptyOutput()
    {
        var rm = Tensor.Zeros([3], DType.Float64);
        var rv = Tensor.Ones([3], DType.Float64);
        var x = Tensor.Zeros([0, 3, 4], DType.Float64);
        x.RequiresGrad = true;
        var w = Tensor.Ones([3], DType.Float64);
        w.RequiresGrad = true;
        var y = F.InstanceNorm(x, rm, rv, w, Tensor.Zeros([3], DType.Float64));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 0, 3, 4 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 0, 3, 4 }));
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0 }));
        Assert.That(F.InstanceNorm(Tensor.Zeros([2, 3, 0], DType.Float64)).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 0 }));
        Assert.That(rm.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0 }));
        Assert.That(rv.ToArray<double>(), Is.EqualTo(new[] { 1.0, 1, 1 }));
    }
}
