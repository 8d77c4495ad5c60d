using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Pruning;

namespace Pade.Tests.Training;

public class FilterPrunerTests
{
    sealed class Conv : Module
    {
        public Conv(float[] filterScale)
        {
            int n = filterScale.Length;
            var w = new float[n * 2];
            for (int f = 0; f < n; f++) { w[2 * f] = filterScale[f]; w[2 * f + 1] = -filterScale[f]; }
            RegisterParameter("weight", Tensor.FromArray(w, n, 2, 1, 1));
            RegisterParameter("bias", Tensor.Ones([n], DType.Float32));
            RegisterParameter("scale", Tensor.Ones([3], DType.Float32));   // not 4-D: never pruned
        }
        public override Tensor Forward(Tensor input) => input;
        public Tensor Weight => Get("weight");
        public Tensor Bias => Get("bias");
    }

    [Test]
    public void PrunesTheLowestL1FiltersAndKeepsThemZero()
    {
        var m = new Conv([3, 1, 2, 4]);
        var pruner = new FilterPruner();
        pruner.PruneStep(m, 0.25);
        Assert.That(pruner.Masks["weight"], Is.EqualTo(new[] { true, false, true, true }), "filter 1 has the smallest Σ|w|");
        Assert.That(pruner.Masks.Keys, Is.EquivalentTo(new[] { "weight" }));

        var apply = pruner.Bind(m);
        apply(m);
        Assert.That(m.Weight.ToArray<float>(), Is.EqualTo(new float[] { 3, -3, 0, 0, 2, -2, 4, -4 }));
        Assert.That(m.Bias.ToArray<float>(), Is.EqualTo(new float[] { 1, 0, 1, 1 }));

        // A step moves the pruned filter; re-applying the mask zeroes it again.
        using (Tensor.NoGrad()) m.Weight.Add_(Tensor.Ones([4, 2, 1, 1], DType.Float32));
        apply(m);
        Assert.That(m.Weight.ToArray<float>()[2..4], Is.EqualTo(new float[] { 0, 0 }));

        pruner.PruneStep(m, 0.25);
        Assert.That(pruner.Masks["weight"], Is.EqualTo(new[] { true, false, false, true }), "then the next lowest alive");
        Assert.That(pruner.PrunedFraction, Is.EqualTo(0.5));

        for (int i = 0; i < 5; i++) pruner.PruneStep(m, 0.25);
        Assert.That(pruner.Masks["weight"].Count(a => a), Is.EqualTo(1), "the last filter is never removed");
    }
}
