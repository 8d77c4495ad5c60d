using Pade.Engine.Cpu;
using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

public class BatchNormTests
{
    private static Tensor Randn(int[] shape, ulong seed, double mean = 0, double std = 1) =>
        Tensor.Randn(shape, mean, std, DType.Float64, generator: new Generator(seed));

    [FsCheck.NUnit.Property(MaxTest = 20)]
    public void TrainingGradientCheck(int a, bool affine)
    {
        var r = new Naive.Picker(a);
        int rank = r.Next(2, 4), n = r.Next(2, 3), c = r.Next(1, 3), s = r.Next(1, 3);
        int[] shape = rank switch { 2 => [n, c], 3 => [n, c, s], _ => [n, c, s, 2] };
        var x = Randn(shape, (ulong)(uint)a, 0.5, 2);
        var w = Randn([c], 2, 1, 0.5);
        var b = Randn([c], 3);
        GradCheck.Assert("batch_norm train", t => F.BatchNorm(t[0], null, null, affine ? t[1] : null, affine ? t[2] : null, training: true),
            affine ? [x, w, b] : [x], new GradCheckOptions(Atol: 1e-6));
    }

    [Test]
    public void EvaluationGradientCheck()
    {
        var rm = Randn([3], 4); var rv = Randn([3], 5).Abs() + 0.5;
        GradCheck.Assert("batch_norm eval", t => F.BatchNorm(t[0], rm, rv, t[1], t[2], training: false),
            [Randn([2, 3, 2, 2], 6), Randn([3], 7), Randn([3], 8)]);
    }

    /// <summary>
    /// The CPU's fused training kernel (statistics, invStd and normalisation per channel in one pass) gives the same
    /// bits as the backend's default composition of BatchNormStats, the ops AddScalar, Sqrt, Reciprocal and
    /// BatchNormForward; on shapes with one sample, one channel, one element per plane, and planes with vector tails.
    /// </summary>
    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void FusedTrainingKernelMatchesTheComposedPasses(DType dtype)
    {
        var cpu = CpuBackend.Instance;
        int seed = 20;
        foreach (var (n, c, s, affine) in new[] { (1, 3, 37, true), (2, 1, 1, false), (3, 5, 16, true), (4, 2, 100, false), (8, 7, 64, true) })
        {
            var x = Tensor.Randn([n, c, s], 2, 3, dtype, generator: new Generator((ulong)seed++));
            Tensor? w = affine ? Tensor.Randn([c], 1, 0.5, dtype, generator: new Generator((ulong)seed++)) : null;
            Tensor? b = affine ? Tensor.Randn([c], 0, 1, dtype, generator: new Generator((ulong)seed++)) : null;
            Tensor mean = Tensor.Empty([c], dtype), var = Tensor.Empty([c], dtype), inv = Tensor.Empty([c], dtype), y = Tensor.Empty([n, c, s], dtype);
            cpu.BatchNormTraining(x, 1e-5, mean, var, inv, w, b, y);

            Tensor mean2 = Tensor.Empty([c], dtype), var2 = Tensor.Empty([c], dtype), y2 = Tensor.Empty([n, c, s], dtype);
            cpu.BatchNormStats(x, mean2, var2);
            var inv2 = (var2 + 1e-5).Sqrt().Reciprocal();
            cpu.BatchNormForward(x, mean2, inv2, w, b, y2);
            string at = $"{dtype} [{n}, {c}, {s}] affine {affine}";
            Assert.That(mean.ToArray<double>(), Is.EqualTo(mean2.ToArray<double>()), $"mean, {at}");
            Assert.That(var.ToArray<double>(), Is.EqualTo(var2.ToArray<double>()), $"var, {at}");
            Assert.That(inv.ToArray<double>(), Is.EqualTo(inv2.ToArray<double>()), $"invStd, {at}");
            Assert.That(y.ToArray<double>(), Is.EqualTo(y2.ToArray<double>()), $"y, {at}");
        }
    }

    [Test]
    public void TrainingNormalisesAndUpdatesRunningStatistics()
    {
        var bn = new BatchNorm2d(2);
        bn.To(dtype: DType.Float64);
        var x = Randn([4, 2, 3, 3], 9, 3, 2);
        var y = bn.Call(x);
        var xv = x.ToArray<double>();
        var yv = y.ToArray<double>();
        for (int c = 0; c < 2; c++)
        {
            var vals = new List<double>(); var outs = new List<double>();
            for (int n = 0; n < 4; n++) for (int i = 0; i < 9; i++) { vals.Add(xv[(n * 2 + c) * 9 + i]); outs.Add(yv[(n * 2 + c) * 9 + i]); }
            double mean = vals.Average(), biased = vals.Sum(v => (v - mean) * (v - mean)) / 36, unbiased = biased * 36 / 35;
            Assert.That(outs.Average(), Is.EqualTo(0).Within(1e-12));
            Assert.That(outs.Sum(v => v * v) / 36, Is.EqualTo(biased / (biased + 1e-5)).Within(1e-10));
            Assert.That(bn.RunningMean!.ToArray<double>()[c], Is.EqualTo(0.1 * mean).Within(1e-12));
            Assert.That(bn.RunningVar!.ToArray<double>()[c], Is.EqualTo(0.9 + 0.1 * unbiased).Within(1e-12));
        }
        Assert.That(bn.NumBatchesTracked!.ToArray<int>()[0], Is.EqualTo(1));
    }

    [Test]
    public void EvaluationUsesRunningStatistics()
    {
        var bn = new BatchNorm1d(3);
        bn.To(dtype: DType.Float64);
        using (Tensor.NoGrad())
        {
            bn.RunningMean!.CopyFrom(Tensor.FromArray(new double[] { 1, 2, 3 }));
            bn.RunningVar!.CopyFrom(Tensor.FromArray(new double[] { 4, 9, 16 }));
            bn.Weight!.CopyFrom(Tensor.FromArray(new double[] { 2, 2, 2 }));
            bn.Bias!.CopyFrom(Tensor.FromArray(new double[] { 1, 1, 1 }));
        }
        bn.Eval();
        var x = Randn([5, 3], 10);
        var y = bn.Call(x).ToArray<double>();
        var xv = x.ToArray<double>();
        double[] m = [1, 2, 3], v = [4, 9, 16];
        for (int i = 0; i < 15; i++)
            Assert.That(y[i], Is.EqualTo((xv[i] - m[i % 3]) / Math.Sqrt(v[i % 3] + 1e-5) * 2 + 1).Within(1e-12));
        Assert.That(bn.RunningMean!.ToArray<double>(), Is.EqualTo(m), "evaluation leaves the statistics alone");
        Assert.That(bn.NumBatchesTracked!.ToArray<int>()[0], Is.EqualTo(0));
        // A single sample is fine in evaluation, but not in training.
        Assert.That(bn.Call(Randn([1, 3], 11)).ShapeCopy(), Is.EqualTo(new[] { 1, 3 }));
        bn.Train();
        Assert.Throws<ArgumentException>(() => bn.Call(Randn([1, 3], 11)));
    }

    [Test]
    public void CumulativeAverageWithoutMomentum()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        bn.To(dtype: DType.Float64);
        bn.Call(Tensor.FromArray(new double[] { 0, 2 }, 2, 1));   // mean 1
        bn.Call(Tensor.FromArray(new double[] { 4, 6 }, 2, 1));   // mean 5
        Assert.That(bn.RunningMean!.ToArray<double>()[0], Is.EqualTo(3).Within(1e-12));
    }

    [Test]
    public void Float32StatisticsOfLargeOffsetInput()
    {
        var bn = new BatchNorm2d(1);
        var x = Tensor.Randn([8, 1, 16, 16], 1000, 1, generator: new Generator(12));
        var y = bn.Call(x).ToArray<float>();
        Assert.That(y.Average(), Is.EqualTo(0).Within(1e-3));
        Assert.That(y.Select(v => (double)v * v).Average(), Is.EqualTo(1).Within(1e-2));
    }

    [Test]
    public void WrongChannelsNamesLayer()
    {
        var m = new Sequential(new BatchNorm2d(4));
        var e = Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(2, 3, 4, 4)));
        Assert.That(e!.Message, Does.Contain("BatchNorm2d '0'").And.Contain("4 channels").And.Contain("[2, 3, 4, 4]"));
    }
}
