using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Activations;
using Pade.Layers.Models;

namespace Pade.Tests.Layers;

public class ReadmeLayersExample
{
    /// <summary>The code of the README section on layers: a small CNN from layers, trained a few steps on one random batch.</summary>
    [Test]
    public void BuildAndTrainFewSteps()
    {
        var gen = new Generator(42);
        var model = new Sequential(
            new Conv2d(1, 8, 3, padding: 1, generator: gen), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, padding: 1, generator: gen), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dropout(0.1, gen), new Linear(16 * 8 * 8, 10, generator: gen));
        TestContext.Out.WriteLine(model.Summary(1, 32, 32));

        var x = Tensor.Randn([32, 1, 32, 32], generator: gen);                         // a random batch
        var y = Tensor.FromArray(Enumerable.Range(0, 32).Select(i => i % 10).ToArray(), 32);
        double first = 0, last = 0;
        for (int step = 0; step < 10; step++)
        {
            model.ZeroGrad();
            var loss = Tensor.CrossEntropy(model.Call(x), y);
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (var p in model.Parameters()) p.Add_(p.Grad!, -0.01);            // plain SGD, lr 0.01
            last = loss.Item();
            if (step == 0) first = last;
            TestContext.Out.WriteLine($"step {step}: loss {last:F4}");
        }
        Assert.That(last, Is.LessThan(first));
    }
}
