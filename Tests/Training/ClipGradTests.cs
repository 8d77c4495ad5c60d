using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Loop;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary><see cref="Trainer.ClipGradNorm"/>: PyTorch's clip_grad_norm_ (the official PAU MNIST script clips at 5).</summary>
public class ClipGradTests
{
    /// <summary>One SGD step (lr 1, no momentum) on one batch: the update is minus the gradient the optimizer saw.</summary>
    static (float[] Weight, float[] Bias) Step(double? clip)
    {
        var model = new Linear(3, 4, generator: new Generator(11));
        var x = Tensor.Rand([5, 3], -2, 2, DType.Float32, generator: new Generator(12));
        var y = Tensor.FromArray(new[] { 0, 3, 1, 2, 3 }, 5);
        var trainer = new Trainer(model, new Sgd(model.Parameters(), lr: 1)) { ClipGradNorm = clip };
        trainer.TrainEpoch(0, [(x, y)], 1);
        var p = model.Parameters().ToList();
        return (p[0].ToArray<float>(), p[1].ToArray<float>());
    }

    [TestCase(0.05)]
    [TestCase(1e6)]
    public void TheStepIsTheGradientScaledToTheMaximumNormOnlyAboveIt(double max)
    {
        var initial = new Linear(3, 4, generator: new Generator(11)).Parameters().Select(t => t.ToArray<float>()).ToList();
        var (w0, b0) = Step(null);
        var (w1, b1) = Step(max);
        // The unclipped gradient, from the unclipped step.
        double[] g = [.. initial[0].Zip(w0, (a, b) => (double)a - b), .. initial[1].Zip(b0, (a, b) => (double)a - b)];
        double[] clipped = [.. initial[0].Zip(w1, (a, b) => (double)a - b), .. initial[1].Zip(b1, (a, b) => (double)a - b)];
        double norm = Math.Sqrt(g.Sum(v => v * v));
        Assume.That(norm, Is.GreaterThan(0.1), "the batch must have a gradient larger than the small maximum");
        double scale = Math.Min(1, max / (norm + 1e-6));
        for (int i = 0; i < g.Length; i++) Assert.That(clipped[i], Is.EqualTo(g[i] * scale).Within(1e-6), $"element {i}");
        if (max < norm) Assert.That(Math.Sqrt(clipped.Sum(v => v * v)), Is.EqualTo(max).Within(1e-5));
    }
}
