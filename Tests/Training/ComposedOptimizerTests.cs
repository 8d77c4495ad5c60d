using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>The new optimizers' PyTorch defaults and errors, state from another optimizer, the schedulers' momentum
/// cycling (NAdam and RAdam cycle β₁; Adadelta, ASGD, Rprop and LBFGS are refused, as in PyTorch), step(closure).</summary>
public class ComposedOptimizerTests
{
    private static Tensor[] Params()
    {
        var p = Tensor.FromArray([1.0, -2.0, 3.0], 3);
        p.RequiresGrad = true;
        return [p];
    }

    [Test]
    public void DefaultsArePyTorchs()
    {
        Assert.That(new Adadelta(Params()).Groups[0].Lr, Is.EqualTo(1.0));
        var adadelta = new Adadelta(Params());
        Assert.That((adadelta.Rho, adadelta.Eps), Is.EqualTo((0.9, 1e-6)));
        var nadam = new NAdam(Params());
        Assert.That((nadam.Groups[0].Lr, nadam.Beta1, nadam.Beta2, nadam.Eps, nadam.MomentumDecay), Is.EqualTo((2e-3, 0.9, 0.999, 1e-8, 4e-3)));
        var radam = new RAdam(Params());
        Assert.That((radam.Groups[0].Lr, radam.Beta1, radam.Beta2, radam.Eps), Is.EqualTo((1e-3, 0.9, 0.999, 1e-8)));
        var asgd = new ASGD(Params());
        Assert.That((asgd.Groups[0].Lr, asgd.Lambd, asgd.Alpha, asgd.T0), Is.EqualTo((0.01, 1e-4, 0.75, 1e6)));
        var rprop = new Rprop(Params());
        Assert.That((rprop.Groups[0].Lr, rprop.Etas, rprop.StepSizes), Is.EqualTo((0.01, (0.5, 1.2), (1e-6, 50.0))));
    }

    [Test]
    public void PyTorchsErrors()
    {
        Assert.That(() => new Adadelta(Params(), rho: 1.5), Throws.ArgumentException.With.Message.Contains("rho"));
        Assert.That(() => new Adadelta(Params(), lr: -1), Throws.ArgumentException.With.Message.Contains("learning rate"));
        Assert.That(() => new Adadelta(Params(), eps: -1), Throws.ArgumentException.With.Message.Contains("epsilon"));
        Assert.That(() => new NAdam(Params(), beta1: 1.0), Throws.ArgumentException.With.Message.Contains("beta parameter at index 0"));
        Assert.That(() => new NAdam(Params(), beta2: -0.1), Throws.ArgumentException.With.Message.Contains("beta parameter at index 1"));
        Assert.That(() => new NAdam(Params(), momentumDecay: -1), Throws.ArgumentException.With.Message.Contains("momentum_decay"));
        Assert.That(() => new RAdam(Params(), weightDecay: -1), Throws.ArgumentException.With.Message.Contains("weight_decay"));
        Assert.That(() => new ASGD(Params(), lr: -0.1), Throws.ArgumentException.With.Message.Contains("learning rate"));
        Assert.That(() => new Rprop(Params(), etas: (1.2, 0.5)), Throws.ArgumentException.With.Message.Contains("eta values"));
        Assert.That(() => new Rprop([new ParamGroup(Params(), 0.01, 0.1)]), Throws.ArgumentException.With.Message.Contains("weight_decay"));
    }

    [Test]
    public void StateOfAnotherOptimizerIsRefused()
    {
        var ps = Params();
        var nadam = new NAdam(ps);
        ps[0].Grad = Tensor.FromArray([0.1, 0.2, 0.3], 3);
        nadam.Step();
        var radam = new RAdam(ps);
        radam.LoadStateDict(nadam.StateDict(), 1);
        Assert.That(() => new NAdam(ps).LoadStateDict(radam.StateDict(), 1), Throws.ArgumentException.With.Message.Contains("mu_product"));
        Assert.That(() => new Adadelta(ps).LoadStateDict(new Dictionary<string, Tensor> { ["0.square_avg"] = Tensor.Zeros([3], DType.Float64) }, 1),
            Throws.ArgumentException.With.Message.Contains("acc_delta"));
    }

    [Test]
    public void SchedulersCycleBeta1WherePyTorchAllows()
    {
        foreach (var opt in new Optimizer[] { new NAdam(Params()), new RAdam(Params()) })
        {
            var s = new OneCycleLR(opt, 0.1, totalSteps: 10);
            double start = opt is NAdam n ? n.Beta1 : ((RAdam)opt).Beta1;
            Assert.That(start, Is.EqualTo(0.95), $"{opt.GetType().Name}: β₁ starts at max_momentum");
            for (int i = 0; i < 3; i++) { opt.Step(); s.Step(); }
            double later = opt is NAdam n2 ? n2.Beta1 : ((RAdam)opt).Beta1;
            Assert.That(later, Is.LessThan(0.95), $"{opt.GetType().Name}: β₁ is cycled down as the rate rises");
        }
        foreach (var opt in new Optimizer[] { new Adadelta(Params()), new ASGD(Params()), new Rprop(Params()), new LBFGS(Params()) })
        {
            Assert.That(() => new OneCycleLR(opt, 0.1, totalSteps: 10), Throws.ArgumentException.With.Message.Contains("cycle_momentum"), opt.GetType().Name);
            Assert.That(() => new OneCycleLR(opt, 0.1, totalSteps: 10, cycleMomentum: false), Throws.Nothing, opt.GetType().Name);
            Assert.That(() => new StepLR(opt, 2), Throws.Nothing, opt.GetType().Name);
        }
    }

    [Test]
    public void StepWithClosureEvaluatesWithGradients()
    {
        var ps = Params();
        var opt = new Adadelta(ps);
        Tensor loss;
        using (Tensor.NoGrad())
            loss = opt.Step(() =>
            {
                opt.ZeroGrad();
                var l = (ps[0] * ps[0]).Sum();
                l.Backward();
                return l;
            });
        Assert.That(loss.Item(), Is.EqualTo(14.0));
        Assert.That(ps[0].ToArray<double>(), Is.Not.EqualTo(new[] { 1.0, -2.0, 3.0 }), "the step was taken");
    }
}
