using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

public class OptimizerTests
{
    private static Tensor Param(params double[] v)
    {
        var p = Tensor.FromArray(v, v.Length);
        p.RequiresGrad = true;
        return p;
    }

    private static void SetGrad(Tensor p, params double[] g) => p.Grad = Tensor.FromArray(g, g.Length);

    /// <summary>torch.optim.SGD's rule; maximize negates the gradient before weight decay and momentum.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public void SgdMomentumNesterovWeightDecayMatchesHandComputation(bool maximize)
    {
        var p = Param(1.0, -2.0);
        var opt = new Sgd([new ParamGroup([p], lr: 0.1, weightDecay: 0.01)], momentum: 0.9, nesterov: true, maximize: maximize);
        double[] x = [1.0, -2.0], buf = [0, 0];
        double[][] grads = [[0.5, -1.0], [0.2, 0.3], [-0.4, 0.1]];
        for (int step = 0; step < 3; step++)
        {
            SetGrad(p, grads[step]);
            opt.Step();
            for (int i = 0; i < 2; i++)
            {
                double g = (maximize ? -grads[step][i] : grads[step][i]) + 0.01 * x[i];
                buf[i] = step == 0 ? g : 0.9 * buf[i] + g;
                x[i] -= 0.1 * (g + 0.9 * buf[i]);
            }
            Assert.That(p.ToArray<double>(), Is.EqualTo(x).Within(1e-14), $"step {step}");
        }
    }

    [Test]
    public void PlainSgdIsGradientDescent()
    {
        var p = Param(3.0);
        var opt = new Sgd([p], lr: 0.5);
        SetGrad(p, 2.0);
        opt.Step();
        Assert.That(p.Item(), Is.EqualTo(2.0).Within(1e-15));
    }

    /// <summary>
    /// torch.optim.Adam's rule, step by step. The gradients shrink a thousandfold after the first step, so v falls
    /// below its earlier maximum and AMSGrad's denominator (the running maximum) differs from Adam's.
    /// </summary>
    [TestCase(false, false, false)]
    [TestCase(true, false, false)]
    [TestCase(false, true, false)]
    [TestCase(true, true, false)]
    [TestCase(false, false, true)]
    [TestCase(true, true, true)]
    public void AdamMatchesHandComputation(bool decoupled, bool amsgrad, bool maximize)
    {
        var p = Param(0.5, -1.5, 2.0);
        var opt = new Adam([new ParamGroup([p], lr: 0.01, weightDecay: 0.1)], 0.9, 0.999, 1e-8, decoupled, amsgrad, maximize);
        double[] x = [0.5, -1.5, 2.0], m = new double[3], v = new double[3], vMax = new double[3];
        bool maxDiffered = false;
        var rng = new Random(3);
        for (int t = 1; t <= 4; t++)
        {
            double scale = t == 1 ? 10 : 0.01;
            var g0 = Enumerable.Range(0, 3).Select(_ => scale * (rng.NextDouble() - 0.5)).ToArray();
            SetGrad(p, g0);
            opt.Step();
            for (int i = 0; i < 3; i++)
            {
                double g = maximize ? -g0[i] : g0[i];
                if (decoupled) x[i] *= 1 - 0.01 * 0.1; else g += 0.1 * x[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                vMax[i] = Math.Max(vMax[i], v[i]);
                maxDiffered |= vMax[i] != v[i];
                double mh = m[i] / (1 - Math.Pow(0.9, t)), vh = (amsgrad ? vMax[i] : v[i]) / (1 - Math.Pow(0.999, t));
                x[i] -= 0.01 * mh / (Math.Sqrt(vh) + 1e-8);
            }
            Assert.That(p.ToArray<double>(), Is.EqualTo(x).Within(1e-12), $"step {t}");
        }
        Assert.That(maxDiffered, Is.True, "the case exercises AMSGrad: v fell below its maximum");
        Assert.That(opt.StateDict().ContainsKey("0.max_exp_avg_sq"), Is.EqualTo(amsgrad), "max_exp_avg_sq is state only with amsgrad");
        if (amsgrad) Assert.That(opt.StateDict()["0.max_exp_avg_sq"].ToArray<double>(), Is.EqualTo(vMax).Within(1e-15));
    }

    /// <summary>AMSGrad's running maximum is state: a restored optimizer continues from it; one saved without
    /// amsgrad cannot be continued with it.</summary>
    [Test]
    public void AmsGradStateRoundTripsThroughStateDict()
    {
        var (p1, p2) = (Param(1.0, 2.0), Param(1.0, 2.0));
        var a = new Adam([p1], 0.1, amsgrad: true);
        var b = new Adam([p2], 0.1, amsgrad: true);
        SetGrad(p1, 0.3, -0.2); a.Step();
        SetGrad(p2, 0.3, -0.2); b.Step();
        var restored = new Adam([p2], 0.1, amsgrad: true);
        restored.LoadStateDict(b.StateDict(), b.StepCount);
        SetGrad(p1, 0.001, 0.002); a.Step();
        SetGrad(p2, 0.001, 0.002); restored.Step();
        Assert.That(p2.ToArray<double>(), Is.EqualTo(p1.ToArray<double>()));

        var plain = new Adam([p1], 0.1);
        SetGrad(p1, 0.3, -0.2); plain.Step();
        Assert.That(() => new Adam([p1], 0.1, amsgrad: true).LoadStateDict(plain.StateDict(), plain.StepCount),
            Throws.ArgumentException.With.Message.Contains("max_exp_avg_sq").And.Message.Contains("without amsgrad"));
    }

    [Test]
    public void OptimizerStateOfAnotherShapeIsRefusedWithBothShapes()
    {
        var small = Param(1.0, 2.0);
        var opt = new Adam([small], 0.1);
        SetGrad(small, 0.1, 0.1); opt.Step();
        Assert.That(() => new Adam([Param(1.0, 2.0, 3.0)], 0.1).LoadStateDict(opt.StateDict(), 1),
            Throws.ArgumentException.With.Message.Contains("0.exp_avg").And.Message.Contains("[2]").And.Message.Contains("[3]"));
    }

    /// <summary>PyTorch keeps Adam's step count per parameter: one without a gradient on step 1 gets its first
    /// update at step 2 with the bias corrections of t = 1 (m̂ = g, v̂ = g², so it moves by lr·g/(|g| + eps)).</summary>
    [TestCase(false)]
    [TestCase(true)]
    public void AdamCountsStepsPerParameter(bool decoupled)
    {
        var a = Param(1.0); var b = Param(1.0);
        var opt = new Adam([new ParamGroup([a, b], lr: 0.1)], decoupled: decoupled);
        SetGrad(a, 0.5);
        opt.Step();
        SetGrad(a, 0.5); SetGrad(b, 0.5);
        opt.Step();
        Assert.That(b.Item(), Is.EqualTo(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)).Within(1e-12), "b's first update uses t = 1");
        Assert.That(opt.StepCount, Is.EqualTo(2), "the optimizer still counts its Step calls");
        var state = opt.StateDict();
        Assert.That(state["0.step"].Item(), Is.EqualTo(2));
        Assert.That(state["1.step"].Item(), Is.EqualTo(1));
    }

    /// <summary>The per-parameter counts survive a state dict: a restored optimizer continues b at t = 2.</summary>
    [Test]
    public void AdamPerParameterStepsRoundTripThroughStateDict()
    {
        var (a1, b1, a2, b2) = (Param(1.0), Param(1.0), Param(1.0), Param(1.0));
        var straight = new Adam([new ParamGroup([a1, b1], lr: 0.1)]);
        var first = new Adam([new ParamGroup([a2, b2], lr: 0.1)]);
        SetGrad(a1, 0.5); straight.Step();
        SetGrad(a2, 0.5); first.Step();
        SetGrad(a1, 0.5); SetGrad(b1, -0.3); straight.Step();
        SetGrad(a2, 0.5); SetGrad(b2, -0.3); first.Step();
        var restored = new Adam([new ParamGroup([a2, b2], lr: 0.1)]);
        restored.LoadStateDict(first.StateDict(), first.StepCount);
        SetGrad(a1, 0.2); SetGrad(b1, 0.4); straight.Step();
        SetGrad(a2, 0.2); SetGrad(b2, 0.4); restored.Step();
        Assert.That(b2.Item(), Is.EqualTo(b1.Item()), "b at its own step 2");
        Assert.That(a2.Item(), Is.EqualTo(a1.Item()), "a at its own step 3");
    }

    [Test]
    public void GroupsHaveTheirOwnLearningRateAndSchedulesCanExemptThem()
    {
        var w = Param(1.0); var c = Param(1.0);
        var opt = new Sgd([new ParamGroup([w], 0.1, name: "weights"), new ParamGroup([c], 0.01, name: "pau")]);
        new ExponentialLr(0.5).Apply(opt, epoch: 2, exempt: g => g.Name == "pau");
        Assert.That(opt.Groups[0].Lr, Is.EqualTo(0.025).Within(1e-15));
        Assert.That(opt.Groups[1].Lr, Is.EqualTo(0.01));
        SetGrad(w, 1); SetGrad(c, 1);
        opt.Step();
        Assert.That(w.Item(), Is.EqualTo(0.975).Within(1e-15));
        Assert.That(c.Item(), Is.EqualTo(0.99).Within(1e-15));
    }

    [Test]
    public void SchedulesFollowTheirFormulas()
    {
        Assert.That(new StepLr(10, 0.1).Factor(25), Is.EqualTo(0.01).Within(1e-15));
        Assert.That(new CosineLr(10).Factor(5), Is.EqualTo(0.5).Within(1e-15));
        Assert.That(new CosineLr(10).Factor(10), Is.EqualTo(0).Within(1e-15));
        Assert.That(LrSchedule.Parse("exp:0.9", 5).Factor(2), Is.EqualTo(0.81).Within(1e-15));
        Assert.That(() => LrSchedule.Parse("bogus", 5), Throws.ArgumentException.With.Message.Contains("bogus"));
    }

    [Test]
    public void AParameterInTwoGroupsIsRejected()
    {
        var p = Param(1.0);
        Assert.That(() => new Sgd([new ParamGroup([p], 0.1), new ParamGroup([p], 0.1)]), Throws.ArgumentException.With.Message.Contains("more than one"));
    }

    [Test]
    public void AdamStateRoundTripsThroughStateDict()
    {
        var p1 = Param(1.0, 2.0); var p2 = Param(1.0, 2.0);
        var a = new Adam([p1], 0.1); var b = new Adam([p2], 0.1);
        SetGrad(p1, 0.3, -0.2); a.Step();
        SetGrad(p2, 0.3, -0.2); b.Step();
        var restored = new Adam([p2], 0.1);
        restored.LoadStateDict(b.StateDict(), b.StepCount);
        SetGrad(p1, 0.1, 0.1); a.Step();
        SetGrad(p2, 0.1, 0.1); restored.Step();
        Assert.That(p2.ToArray<double>(), Is.EqualTo(p1.ToArray<double>()));
    }
}
