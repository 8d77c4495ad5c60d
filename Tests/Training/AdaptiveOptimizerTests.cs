using System.Numerics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>RMSprop, Adagrad and Adamax: the vector lanes against the scalar tail bit for bit, PyTorch's argument checks, and
/// state dicts that do not fit the optimizer.</summary>
public class AdaptiveOptimizerTests
{
    /// <summary>
    /// One parameter of 53 elements (vectors of 16 or 8 lanes and a tail) against 53 one-element parameters (the
    /// scalar loop only), float32 and float64, three steps: the same IEEE operations in the same order, so the same
    /// bits. The gradients shrink after the first step, so the running averages fall.
    /// </summary>
    [TestCase("rmsprop", 0.0, false, 0.0, false)]
    [TestCase("rmsprop", 0.9, true, 0.01, true)]
    [TestCase("rmsprop", 0.5, false, 0.1, false)]
    [TestCase("rmsprop", 0.0, true, 0.0, true, 0.3)]
    [TestCase("adagrad", 0.0, false, 0.0, false)]
    [TestCase("adagrad", 0.0, false, 0.05, true)]
    [TestCase("adamax", 0.0, false, 0.0, false)]
    [TestCase("adamax", 0.0, false, 0.05, true, 0.3)]
    public void VectorLanesMatchTheScalarTailBitForBit(string kind, double momentum, bool centered, double wd, bool maximize, double alpha = 0.99)
    {
        Lanes<float>(kind, momentum, centered, wd, maximize, alpha);
        Lanes<double>(kind, momentum, centered, wd, maximize, alpha);
    }

    private static void Lanes<T>(string kind, double momentum, bool centered, double wd, bool maximize, double alpha) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int n = 53;
        var rng = new Random(5);
        T[] Values(double scale) => Enumerable.Range(0, n).Select(_ => T.CreateTruncating(scale * (2 * rng.NextDouble() - 1))).ToArray();
        Tensor Make(T[] v) => typeof(T) == typeof(float) ? Tensor.FromArray((float[])(object)v, v.Length) : Tensor.FromArray((double[])(object)v, v.Length);
        var x = Values(2);
        var whole = Make(x);
        var single = x.Select(v => Make([v])).ToArray();
        foreach (var t in single.Append(whole)) t.RequiresGrad = true;
        // Adamax takes alpha as β1 (0.3: torch.lerp's other form).
        Optimizer Build(IEnumerable<Tensor> ps) => kind switch
        {
            "rmsprop" => new RMSprop([new ParamGroup(ps, 0.01, wd)], alpha, 1e-8, momentum, centered, maximize),
            "adamax" => new Adamax([new ParamGroup(ps, 0.01, wd)], alpha == 0.99 ? 0.9 : alpha, 0.999, 1e-8, maximize),
            _ => new Adagrad([new ParamGroup(ps, 0.1, wd)], lrDecay: 0.2, initialAccumulatorValue: 0.1, maximize: maximize),
        };
        var a = Build([whole]);
        var b = Build(single);
        for (int step = 0; step < 3; step++)
        {
            var g = Values(step == 0 ? 10 : 0.01);
            whole.Grad = Make(g);
            for (int i = 0; i < n; i++) single[i].Grad = Make([g[i]]);
            a.Step();
            b.Step();
            Assert.That(whole.ToArray<T>(), Is.EqualTo(single.Select(t => t.ToArray<T>()[0]).ToArray()), $"{typeof(T).Name} step {step}");
        }
    }

    [Test]
    public void InvalidHyperParametersAreRefusedAsPyTorchDoes()
    {
        var p = Tensor.Zeros([2], DType.Float64);
        Assert.That(() => new RMSprop([p], lr: -1), Throws.ArgumentException.With.Message.Contains("learning rate -1"));
        Assert.That(() => new RMSprop([p], alpha: -0.5), Throws.ArgumentException.With.Message.Contains("alpha -0.5"));
        Assert.That(() => new RMSprop([p], eps: -1e-8), Throws.ArgumentException.With.Message.Contains("epsilon"));
        Assert.That(() => new RMSprop([p], momentum: -0.1), Throws.ArgumentException.With.Message.Contains("momentum -0.1"));
        Assert.That(() => new RMSprop([p], weightDecay: -1), Throws.ArgumentException.With.Message.Contains("weight_decay -1"));
        Assert.That(() => new Adagrad([p], lr: -0.1), Throws.ArgumentException.With.Message.Contains("learning rate -0.1"));
        Assert.That(() => new Adagrad([p], lrDecay: -1), Throws.ArgumentException.With.Message.Contains("lr_decay -1"));
        Assert.That(() => new Adagrad([p], initialAccumulatorValue: -1), Throws.ArgumentException.With.Message.Contains("initial_accumulator_value -1"));
        Assert.That(() => new Adagrad([p], eps: -1), Throws.ArgumentException.With.Message.Contains("epsilon"));
        Assert.That(() => new Adagrad([p], weightDecay: double.NaN), Throws.ArgumentException.With.Message.Contains("weight_decay NaN"));
        Assert.That(() => new Adamax([p], beta1: 1.0), Throws.ArgumentException.With.Message.Contains("betas (1, 0.999)"));
        Assert.That(() => new Adamax([p], eps: -1), Throws.ArgumentException.With.Message.Contains("epsilon"));
        Assert.That(() => new Adamax([p], lr: -1), Throws.ArgumentException.With.Message.Contains("learning rate -1"));
    }

    [Test]
    public void StateOfAnotherOptimizerOrShapeIsRefusedNamingWhatIsMissing()
    {
        var p = Tensor.FromArray([1.0, 2.0], 2);
        p.RequiresGrad = true;
        var plain = new RMSprop([p]);
        p.Grad = Tensor.FromArray([0.1, 0.2], 2);
        plain.Step();
        Assert.That(() => new RMSprop([p], momentum: 0.9).LoadStateDict(plain.StateDict(), 1),
            Throws.ArgumentException.With.Message.Contains("momentum_buffer").And.Message.Contains("without momentum"));
        Assert.That(() => new RMSprop([p], centered: true).LoadStateDict(plain.StateDict(), 1),
            Throws.ArgumentException.With.Message.Contains("grad_avg").And.Message.Contains("not centered"));

        var ada = new Adagrad([p]);
        ada.Step();
        var bigger = Tensor.FromArray([1.0, 2.0, 3.0], 3);
        Assert.That(() => new Adagrad([bigger]).LoadStateDict(ada.StateDict(), 1),
            Throws.ArgumentException.With.Message.Contains("0.sum").And.Message.Contains("[2]").And.Message.Contains("[3]"));
    }

    /// <summary>A float32 parameter keeps float32 state, and the state dict names are PyTorch's.</summary>
    [Test]
    public void StateHasThePyTorchNamesAndTheParameterDType()
    {
        var p = Tensor.FromArray([1f, -1f, 0.5f], 3);
        p.RequiresGrad = true;
        var rms = new RMSprop([p], momentum: 0.9, centered: true);
        var ada = new Adagrad([p], initialAccumulatorValue: 0.25);
        p.Grad = Tensor.FromArray([0.1f, 0.2f, 0.3f], 3);
        rms.Step();
        ada.Step();
        Assert.That(rms.StateDict().Keys, Is.EquivalentTo(new[] { "0.square_avg", "0.grad_avg", "0.momentum_buffer", "0.step" }));
        Assert.That(ada.StateDict().Keys, Is.EquivalentTo(new[] { "0.sum", "0.step" }));
        Assert.That(rms.StateDict()["0.square_avg"].DType, Is.EqualTo(DType.Float32));
        Assert.That(ada.StateDict()["0.sum"].ToArray<float>(), Is.EqualTo(new[] { 0.25 + 0.1 * 0.1, 0.25 + 0.2 * 0.2, 0.25 + 0.3 * 0.3 }).Within(1e-7));
    }
}
