using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Loop;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>
/// The PyTorch-style schedulers against float64 re-implementations of torch.optim.lr_scheduler's closed forms (the
/// schedulers compute the chainable forms, so this also checks that the recursion stays on the closed form), on
/// random hyper-parameters, step counts and 1–3 param groups of different rates.
/// </summary>
public class LRSchedulerTests
{
    private static Sgd Opt(Random r, out double[] lrs, double momentum = 0)
    {
        int groups = r.Next(1, 4);
        lrs = Enumerable.Range(0, groups).Select(_ => Math.Round(r.NextDouble() * 0.9 + 0.01, 4)).ToArray();
        return new Sgd(lrs.Select((lr, i) => new ParamGroup([Tensor.Zeros(2)], lr, name: $"g{i}")), momentum: momentum);
    }

    private static Sgd Opt(params double[] lrs) => new(lrs.Select((lr, i) => new ParamGroup([Tensor.Zeros(2)], lr, name: $"g{i}")));

    /// <summary>The rates after the constructor and each of <paramref name="steps"/> steps, per step and group.</summary>
    private static List<double[]> Run(LRScheduler s, int steps)
    {
        var seq = new List<double[]> { s.GetLastLr().ToArray() };
        for (int t = 0; t < steps; t++)
        {
            s.Step();
            seq.Add(s.GetLastLr().ToArray());
            Assert.That(s.Optimizer.Groups.Select(g => g.Lr).ToArray(), Is.EqualTo(seq[^1]), "get_last_lr is the groups' rates");
        }
        return seq;
    }

    private static void Expect(List<double[]> actual, Func<int, int, double> closed, string what, double rel = 1e-12)
    {
        for (int t = 0; t < actual.Count; t++)
            for (int g = 0; g < actual[t].Length; g++)
            {
                double e = closed(t, g), a = actual[t][g];
                Assert.That(Math.Abs(a - e), Is.LessThanOrEqualTo(rel * Math.Abs(e) + 1e-300), $"{what}: step {t} group {g}: {a:R} vs {e:R}");
            }
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void StepAndMultiStepFollowTheirClosedForms(int seed)
    {
        var r = new Random(seed);
        var opt = Opt(r, out var lrs);
        int size = r.Next(1, 6), steps = r.Next(0, 30);
        double gamma = r.NextDouble();
        Expect(Run(new StepLR(opt, size, gamma), steps), (t, g) => lrs[g] * Math.Pow(gamma, t / size), $"StepLR({size}, {gamma})");

        opt = Opt(r, out lrs);
        var milestones = Enumerable.Range(0, r.Next(0, 5)).Select(_ => r.Next(0, 20)).ToArray(); // repeats count twice
        Expect(Run(new MultiStepLR(opt, milestones, gamma), steps),
            (t, g) => lrs[g] * Math.Pow(gamma, milestones.Count(m => m <= t)), $"MultiStepLR([{string.Join(",", milestones)}], {gamma})");
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void ExponentialLinearConstantPolynomialFollowTheirClosedForms(int seed)
    {
        var r = new Random(seed);
        int steps = r.Next(0, 30), total = r.Next(0, 12);
        double gamma = 0.5 + r.NextDouble() / 2;
        var opt = Opt(r, out var lrs);
        Expect(Run(new ExponentialLR(opt, gamma), steps), (t, g) => lrs[g] * Math.Pow(gamma, t), $"ExponentialLR({gamma})");

        double start = 0.05 + 0.95 * r.NextDouble(), end = r.NextDouble();
        int linTotal = Math.Max(total, 1);
        opt = Opt(r, out lrs);
        Expect(Run(new LinearLR(opt, start, end, linTotal), steps),
            (t, g) => lrs[g] * (start + (end - start) * Math.Min(linTotal, t) / linTotal), $"LinearLR({start}, {end}, {linTotal})", 1e-12 * 4);

        double factor = 0.05 + 0.95 * r.NextDouble();
        opt = Opt(r, out lrs);
        Expect(Run(new ConstantLR(opt, factor, linTotal), steps),
            (t, g) => lrs[g] * (t >= linTotal ? 1 : factor), $"ConstantLR({factor}, {linTotal})");

        double power = r.Next(0, 2) == 0 ? 1.0 : 0.5 + 2 * r.NextDouble();
        opt = Opt(r, out lrs);
        var poly = Run(new PolynomialLR(opt, linTotal, power), steps);
        // At t = total the chainable form multiplies by 0^power = 0 exactly, as the closed form.
        Expect(poly, (t, g) => lrs[g] * Math.Pow(1.0 - (double)Math.Min(linTotal, t) / linTotal, power), $"PolynomialLR({linTotal}, {power})", 1e-11);
    }

    /// <summary>The recursion of CosineAnnealingLR, past T_max too (PyTorch's period is 2·T_max, the rate climbs back).</summary>
    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void CosineAnnealingFollowsTheClosedForm(int seed)
    {
        var r = new Random(seed);
        int tMax = r.Next(1, 40), steps = r.Next(0, 3 * tMax + 2);
        double etaMin = r.Next(0, 2) == 0 ? 0 : 1e-3 * r.NextDouble();
        var opt = Opt(r, out var lrs);
        var seq = Run(new CosineAnnealingLR(opt, tMax, etaMin), steps);
        for (int t = 0; t < seq.Count; t++)
            for (int g = 0; g < lrs.Length; g++)
            {
                double e = etaMin + (lrs[g] - etaMin) * (1 + Math.Cos(Math.PI * t / tMax)) / 2;
                // Relative to the distance from eta_min the recursion loses a few ulps a step; near eta_min the
                // closed form's own 1 + cos cancels, so the bound is on the rate's scale there.
                Assert.That(seq[t][g], Is.EqualTo(e).Within(1e-12 * Math.Max(Math.Abs(e - etaMin), 1e-4 * lrs[g]) + 1e-12 * etaMin), $"T_max {tMax} eta_min {etaMin} step {t} group {g}");
            }
    }

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void WarmRestartsFollowTheClosedForm(int seed)
    {
        var r = new Random(seed);
        int t0 = r.Next(1, 8), tMult = r.Next(1, 4), steps = r.Next(0, 60);
        double etaMin = r.Next(0, 2) == 0 ? 0 : 1e-3 * r.NextDouble();
        var opt = Opt(r, out var lrs);
        var seq = Run(new CosineAnnealingWarmRestarts(opt, t0, tMult, etaMin), steps);
        int tCur = 0, tI = t0;
        for (int t = 0; t < seq.Count; t++)
        {
            if (t > 0 && ++tCur >= tI) { tCur -= tI; tI *= tMult; }
            for (int g = 0; g < lrs.Length; g++)
                Assert.That(seq[t][g], Is.EqualTo(etaMin + (lrs[g] - etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2).Within(1e-15), $"step {t}");
        }
    }

    /// <summary>Fractional epochs (epoch + batch/batches): T_cur and T_i from the epoch alone.</summary>
    [Test]
    public void WarmRestartsTakeAFractionalEpoch()
    {
        var opt = Opt(1.0);
        var s = new CosineAnnealingWarmRestarts(opt, 2, 2);
        s.Step(4.5); // cycles of 2 then 4: epoch 4.5 is 2.5 into the cycle of 4
        Assert.That(s.TI, Is.EqualTo(4));
        Assert.That(s.TCur, Is.EqualTo(2.5));
        Assert.That(opt.Groups[0].Lr, Is.EqualTo((1 + Math.Cos(Math.PI * 2.5 / 4)) / 2).Within(1e-15));
        Assert.That(s.LastEpoch, Is.EqualTo(4));
        Assert.Throws<ArgumentException>(() => s.Step(-1.0));
    }

    /// <summary>OneCycleLR against the 1cycle policy written out: phases, cosine/linear, momentum inversely.</summary>
    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void OneCycleFollowsThePolicy(int seed)
    {
        var r = new Random(seed);
        int total = r.Next(10, 60);
        double pct = 0.1 + 0.5 * r.NextDouble(), div = 5 + 40 * r.NextDouble(), finalDiv = 10 + 1e4 * r.NextDouble();
        bool cos = r.Next(0, 2) == 0, three = r.Next(0, 2) == 0;
        var opt = Opt(r, out var lrs, momentum: 0.9);
        var maxLrs = lrs.Select(l => 10 * l).ToArray();
        var s = new OneCycleLR(opt, maxLrs, totalSteps: total, pctStart: pct, annealStrategy: cos ? "cos" : "linear", divFactor: div,
            finalDivFactor: finalDiv, threePhase: three);
        double Anneal(double a, double b, double p) => cos ? b + (a - b) / 2 * (Math.Cos(Math.PI * p) + 1) : a + (b - a) * p;
        for (int t = 0; t <= total; t++)
        {
            if (t > 0) s.Step();
            double up = pct * total - 1, down = three ? 2 * pct * total - 2 : total - 1;
            for (int g = 0; g < lrs.Length; g++)
            {
                double init = maxLrs[g] / div, min = init / finalDiv;
                double e = t <= up ? Anneal(init, maxLrs[g], t / up)
                    : three && t <= down ? Anneal(maxLrs[g], init, (t - up) / (down - up))
                    : three ? Anneal(init, min, (t - down) / (total - 1 - down))
                    : Anneal(maxLrs[g], min, (t - up) / (total - 1 - up));
                Assert.That(opt.Groups[g].Lr, Is.EqualTo(e).Within(1e-12 * Math.Abs(e)), $"step {t} group {g}");
            }
            double m = t <= up ? Anneal(0.95, 0.85, t / up) : three && t <= down ? Anneal(0.85, 0.95, (t - up) / (down - up)) : three ? 0.95 : Anneal(0.85, 0.95, (t - up) / (total - 1 - up));
            Assert.That(opt.Momentum, Is.EqualTo(m).Within(1e-12), $"momentum at step {t}");
            // Step total - 1 ends the last phase at min_lr (up to the rounding of linear's (end − start)·1 + start, on
            // max_lr's scale) unless three phases' second one reaches past it; PyTorch still takes step total (pct past 1).
            if (t == total - 1 && !(three && down >= total - 1))
                Assert.That(opt.Groups[0].Lr, Is.EqualTo(maxLrs[0] / div / finalDiv).Within(1e-15 * maxLrs[0]), "ends at min_lr");
        }
        var ex = Assert.Throws<InvalidOperationException>(s.Step)!;
        Assert.That(ex.Message, Does.Contain($"Tried to step {total + 1} times. The specified number of total steps is {total}"));
    }

    /// <summary>CyclicLR against the triangle wave: triangular, triangular2 (halved amplitude each cycle), exp_range.</summary>
    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void CyclicFollowsTheTriangleWave(int seed)
    {
        var r = new Random(seed);
        int up = r.Next(1, 6), down = r.Next(1, 6), steps = r.Next(0, 40);
        string mode = new[] { "triangular", "triangular2", "exp_range" }[r.Next(0, 3)];
        double gamma = 0.9 + 0.1 * r.NextDouble();
        var opt = Opt(r, out var lrs, momentum: 0.5);
        var baseLrs = lrs.Select(l => l / 10).ToArray();
        var seq = Run(new CyclicLR(opt, baseLrs, lrs, up, down, mode, gamma), steps);
        for (int t = 0; t < seq.Count; t++)
        {
            int cycle = t / (up + down), within = t % (up + down);
            double height = within <= up ? (double)within / up : 1 - (double)(within - up) / down;
            double scale = mode switch { "triangular" => 1, "triangular2" => Math.Pow(0.5, cycle), _ => Math.Pow(gamma, t) };
            for (int g = 0; g < lrs.Length; g++)
                Assert.That(seq[t][g], Is.EqualTo(baseLrs[g] + (lrs[g] - baseLrs[g]) * height * scale).Within(1e-12 * lrs[g]), $"{mode} up {up} down {down} step {t}");
        }
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void LambdaAndMultiplicativeUseTheFunction(int seed)
    {
        var r = new Random(seed);
        double a = r.NextDouble();
        int steps = r.Next(0, 20);
        var opt = Opt(r, out var lrs);
        Expect(Run(new LambdaLR(opt, e => 1.0 / (1 + a * e)), steps), (t, g) => lrs[g] / (1 + a * t), "LambdaLR");
        opt = Opt(r, out lrs);
        Expect(Run(new MultiplicativeLR(opt, e => 1 - a / (e + 1)), steps),
            (t, g) => lrs[g] * Enumerable.Range(1, t).Aggregate(1.0, (p, e) => p * (1 - a / (e + 1))), "MultiplicativeLR", 1e-13 * (steps + 1));
    }

    /// <summary>SequentialLR: the first scheduler's closed form before the milestone, the second's from it, restarted
    /// at its epoch 0; ChainedScheduler: the product of the factors.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void SequentialSwitchesAtTheMilestoneAndChainedMultiplies(int seed)
    {
        var r = new Random(seed);
        int warm = r.Next(1, 6), milestone = r.Next(1, 10), steps = r.Next(0, 25), size = r.Next(1, 4);
        double start = 0.05 + 0.9 * r.NextDouble(), gamma = 0.5 + 0.5 * r.NextDouble();
        var opt = Opt(r, out var lrs);
        var seq = new SequentialLR(opt, [new LinearLR(opt, start, 1.0, warm), new StepLR(opt, size, gamma)], [milestone]);
        Expect(Run(seq, steps), (t, g) => t < milestone
            ? lrs[g] * (start + (1 - start) * Math.Min(warm, t) / warm)
            : lrs[g] * Math.Pow(gamma, (t - milestone) / size), $"SequentialLR(LinearLR({start}, 1, {warm}), StepLR({size}, {gamma}), [{milestone}])", 4e-12);

        opt = Opt(r, out lrs);
        var chained = new ChainedScheduler([new ConstantLR(opt, start, warm), new ExponentialLR(opt, gamma)]);
        Expect(Run(chained, steps), (t, g) => lrs[g] * (t < warm ? start : 1) * Math.Pow(gamma, t), "ChainedScheduler", 1e-12 * (steps + 2));
    }

    /// <summary>PyTorch's docstring example of SequentialLR: ConstantLR(0.1, 20) then ExponentialLR(0.9) from 20.</summary>
    [Test]
    public void SequentialDocstringExample()
    {
        var opt = Opt(0.05);
        var s = new SequentialLR(opt, [new ConstantLR(opt, 0.1, 20), new ExponentialLR(opt, 0.9)], [20]);
        var seq = Run(s, 22).Select(x => x[0]).ToArray();
        Assert.That(seq[0], Is.EqualTo(0.005).Within(1e-15));
        Assert.That(seq[19], Is.EqualTo(0.005).Within(1e-15));
        Assert.That(seq[20], Is.EqualTo(0.05).Within(1e-15));
        Assert.That(seq[21], Is.EqualTo(0.045).Within(1e-15));
        Assert.That(seq[22], Is.EqualTo(0.0405).Within(1e-15));
    }

    /// <summary>A scheduler saved after k steps and loaded into a fresh optimizer and scheduler continues exactly as the
    /// uninterrupted one (rates, momentum, plateau counters, composites' inner schedulers).</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void StateDictRoundTripResumesIdentically(int seed)
    {
        var r = new Random(seed);
        int kind = r.Next(0, 12), k = r.Next(0, 15), m = r.Next(1, 15);
        var lrs = Enumerable.Range(0, r.Next(1, 4)).Select(_ => 0.01 + r.NextDouble()).ToArray();
        double[] metrics = Enumerable.Range(0, k + m).Select(_ => r.NextDouble()).ToArray();
        LRScheduler Make(Sgd o) => kind switch
        {
            0 => new StepLR(o, 3, 0.5),
            1 => new MultiStepLR(o, [2, 5, 5, 9], 0.3),
            2 => new CosineAnnealingLR(o, 7, 1e-4),
            3 => new LinearLR(o, 0.2, 0.9, 6),
            4 => new PolynomialLR(o, 10, 2),
            5 => new OneCycleLR(o, 1.0, totalSteps: 40, threePhase: true),
            6 => new CyclicLR(o, 0.01, 0.5, 3, 4, "triangular2"),
            7 => new CosineAnnealingWarmRestarts(o, 3, 2, 1e-3),
            8 => new SequentialLR(o, [new ConstantLR(o, 0.3, 4), new CosineAnnealingLR(o, 5)], [4]),
            9 => new ChainedScheduler([new StepLR(o, 2, 0.7), new ExponentialLR(o, 0.95)]),
            10 => new ReduceLROnPlateau(o, patience: 1, cooldown: 1),
            _ => new ExponentialLR(o, 0.9),
        };
        void Step(LRScheduler s, int t)
        {
            if (s is ReduceLROnPlateau p) p.Step(metrics[t]); else s.Step();
        }
        var o1 = new Sgd(lrs.Select(l => new ParamGroup([Tensor.Zeros(1)], l)), momentum: 0.9);
        var s1 = Make(o1);
        for (int t = 0; t < k; t++) Step(s1, t);
        var state = s1.StateDict();
        var o2 = new Sgd(lrs.Select(l => new ParamGroup([Tensor.Zeros(1)], l)), momentum: 0.9);
        var s2 = Make(o2);
        s2.LoadStateDict(state);
        Assert.That(s2.LastEpoch, Is.EqualTo(s1.LastEpoch));
        for (int t = k; t < k + m; t++)
        {
            Step(s1, t);
            Step(s2, t);
            Assert.That(s2.GetLastLr(), Is.EqualTo(s1.GetLastLr()), $"kind {kind}: step {t}");
            Assert.That(o2.Groups.Select(g => g.Lr), Is.EqualTo(o1.Groups.Select(g => g.Lr)));
            Assert.That(o2.Momentum, Is.EqualTo(o1.Momentum));
        }
    }

    [Test]
    public void LoadStateDictRefusesAnotherGroupCount()
    {
        var state = new StepLR(Opt(0.1, 0.2), 2).StateDict();
        var ex = Assert.Throws<ArgumentException>(() => new StepLR(Opt(0.1), 2).LoadStateDict(state))!;
        Assert.That(ex.Message, Does.Contain("2 learning rates, the optimizer has 1 param groups"));
    }

    /// <summary>ReduceLROnPlateau written out: patience, cooldown, the four threshold modes, min_lr, eps.</summary>
    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void PlateauFollowsItsRule(int seed)
    {
        var r = new Random(seed);
        string mode = r.Next(0, 2) == 0 ? "min" : "max", tmode = r.Next(0, 2) == 0 ? "rel" : "abs";
        int patience = r.Next(0, 4), cooldown = r.Next(0, 3), steps = r.Next(1, 40);
        double factor = 0.1 + 0.8 * r.NextDouble(), threshold = r.Next(0, 2) == 0 ? 1e-4 : 0.1 * r.NextDouble(), minLr = r.Next(0, 2) == 0 ? 0 : 0.01;
        var opt = Opt(r, out var lrs);
        var s = new ReduceLROnPlateau(opt, mode, factor, patience, threshold, tmode, cooldown, minLr);
        double best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        int bad = 0, cool = 0;
        var expected = lrs.ToArray();
        double level = 1;
        for (int t = 0; t < steps; t++)
        {
            level += r.Next(0, 3) == 0 ? -0.05 : 0.01 * r.NextDouble(); // mostly flat: plateaus happen
            double x = mode == "min" ? level : -level;
            bool better = (mode, tmode) switch
            {
                ("min", "rel") => x < best * (1 - threshold),
                ("min", _) => x < best - threshold,
                (_, "rel") => x > best * (1 + threshold),
                _ => x > best + threshold,
            };
            if (better) { best = x; bad = 0; } else bad++;
            if (cool > 0) { cool--; bad = 0; }
            if (bad > patience)
            {
                for (int g = 0; g < expected.Length; g++)
                {
                    double n = Math.Max(expected[g] * factor, minLr);
                    if (expected[g] - n > 1e-8) expected[g] = n;
                }
                cool = cooldown;
                bad = 0;
            }
            s.Step(x);
            Assert.That(s.GetLastLr(), Is.EqualTo(expected), $"{mode}/{tmode} patience {patience} cooldown {cooldown} step {t}");
            Assert.That(s.NumBadEpochs, Is.EqualTo(bad));
            Assert.That(s.CooldownCounter, Is.EqualTo(cool));
            Assert.That(s.LastEpoch, Is.EqualTo(t + 1));
        }
    }

    [Test]
    public void PlateauWaitsPatienceThenCoolsDown()
    {
        var opt = Opt(1.0);
        var s = new ReduceLROnPlateau(opt, patience: 2, cooldown: 2, factor: 0.5);
        double[] loss = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        var lr = loss.Select(l => { s.Step(l); return opt.Groups[0].Lr; }).ToArray();
        // epoch 1 improves on +inf; 2, 3 bad; 4 is the third bad one: halved; 5, 6 cooldown; 7, 8, 9 bad: halved at 9.
        Assert.That(lr, Is.EqualTo(new[] { 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25 }));
        Assert.Throws<InvalidOperationException>(s.Step);
        s.Step(Tensor.FromArray(new[] { 0.5 }, 1).Reshape());
        Assert.That(s.Best, Is.EqualTo(0.5), "a 0-d tensor metric is its value");
    }

    /// <summary>PyTorch's messages for bad arguments.</summary>
    [Test]
    public void BadArgumentsGivePyTorchsMessages()
    {
        var opt = Opt(0.1, 0.2);
        void Check(TestDelegate d, string message) => Assert.That(Assert.Throws<ArgumentException>(d)!.Message, Does.Contain(message));
        Check(() => new ConstantLR(opt, 1.5), "Constant multiplicative factor expected to be between 0 and 1.");
        Check(() => new LinearLR(opt, 0), "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        Check(() => new LinearLR(opt, 0.5, 1.5), "Ending multiplicative factor expected to be between 0 and 1.");
        Check(() => new StepLR(opt, 0), "step_size must be a positive integer, got 0");
        Check(() => new CosineAnnealingLR(opt, 0), "T_max must be a positive integer, got 0");
        Check(() => new LambdaLR(opt, [e => 1, e => 1, e => 1]), "Expected 2 lr_lambdas, but got 3");
        Check(() => new MultiplicativeLR(opt, [e => 1]), "Expected 2 lr_lambdas, but got 1");
        Check(() => new OneCycleLR(opt, 1.0), "You must define either total_steps OR (epochs AND steps_per_epoch)");
        Check(() => new OneCycleLR(opt, 1.0, totalSteps: 0), "Expected positive integer total_steps, but got 0");
        Check(() => new OneCycleLR(opt, 1.0, epochs: 0, stepsPerEpoch: 3), "Expected positive integer epochs, but got 0");
        Check(() => new OneCycleLR(opt, 1.0, epochs: 2, stepsPerEpoch: -1), "Expected positive integer steps_per_epoch, but got -1");
        Check(() => new OneCycleLR(opt, 1.0, totalSteps: 10, pctStart: 1.5), "Expected float between 0 and 1 pct_start, but got 1.5");
        Check(() => new OneCycleLR(opt, 1.0, totalSteps: 10, annealStrategy: "exp"), "anneal_strategy must be one of 'cos' or 'linear', instead got exp");
        Check(() => new OneCycleLR(opt, [1.0, 2.0, 3.0], totalSteps: 10), "max_lr must have the same length as optimizer.param_groups. max_lr has 3 values, param_groups has 2.");
        var adagrad = new Adagrad([new ParamGroup([Tensor.Zeros(1)], 0.1)]);
        Check(() => new OneCycleLR(adagrad, 1.0, totalSteps: 10), "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
        Check(() => new CyclicLR(adagrad, 0.1, 1.0), "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
        Check(() => new CyclicLR(opt, 0.1, 1.0, mode: "square"), "mode is invalid and scale_fn is None");
        Check(() => new CosineAnnealingWarmRestarts(opt, 0), "Expected positive integer T_0, but got 0");
        Check(() => new CosineAnnealingWarmRestarts(opt, 2, 0), "Expected integer T_mult >= 1, but got 0");
        Check(() => new ReduceLROnPlateau(opt, factor: 1.0), "Factor should be < 1.0.");
        Check(() => new ReduceLROnPlateau(opt, mode: "avg"), "mode avg is unknown!");
        Check(() => new ReduceLROnPlateau(opt, thresholdMode: "pct"), "threshold mode pct is unknown!");
        Check(() => new ReduceLROnPlateau(opt, [0.1, 0.2, 0.3]), "expected 2 min_lrs, got 3");
        Check(() => new SequentialLR(opt, [], []), "SequentialLR expects at least one scheduler, but got no scheduler.");
        Check(() => new SequentialLR(opt, [new StepLR(opt, 2)], [3]),
            "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 1 and the number of milestones to be equal to 1");
        Check(() => new SequentialLR(opt, [new StepLR(opt, 2), new ReduceLROnPlateau(opt)], [3]),
            "SequentialLR does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index 1");
        Check(() => new ChainedScheduler([new StepLR(opt, 2), new StepLR(Opt(0.1, 0.2), 2)]), "ChainedScheduler expects all schedulers to belong to the same optimizer");
        Check(() => new ChainedScheduler([]), "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.");
    }

    /// <summary>cycle_momentum drives Adam's β₁ (PyTorch's betas[0]) and SGD's momentum.</summary>
    [Test]
    public void CycleMomentumDrivesAdamBeta1()
    {
        var adam = new Adam([new ParamGroup([Tensor.Zeros(1)], 0.1)]);
        var s = new OneCycleLR(adam, 1.0, totalSteps: 10, pctStart: 0.5, annealStrategy: "linear");
        Assert.That(adam.Beta1, Is.EqualTo(0.95));
        for (int i = 0; i < 4; i++) s.Step();
        Assert.That(adam.Beta1, Is.EqualTo(0.85).Within(1e-15), "at the peak, base_momentum");
        Assert.That(adam.Groups[0].Lr, Is.EqualTo(1.0).Within(1e-15));
    }

    /// <summary>`pade train --schedule`: the new specs are the schedulers' numbers on a rate of 1, per epoch, and
    /// onecycle per batch over epochs × batches with --lr as the peak.</summary>
    [Test]
    public void CliSchedulesAreTheSchedulersFactors()
    {
        var multi = LrSchedule.Parse("multistep:2,4:0.5", 10);
        Assert.That(Enumerable.Range(0, 6).Select(multi.Factor), Is.EqualTo(new[] { 1, 1, 0.5, 0.5, 0.25, 0.25 }));
        var warm = LrSchedule.Parse("linear:0.25:3", 10);
        Assert.That(Enumerable.Range(0, 5).Select(warm.Factor).ToArray(), Is.EqualTo(new[] { 0.25, 0.5, 0.75, 1, 1 }).Within(1e-15));
        var poly = LrSchedule.Parse("poly:2", 4);
        Assert.That(poly.Factor(2), Is.EqualTo(0.25).Within(1e-15));
        var restarts = LrSchedule.Parse("warmrestarts:2", 10);
        Assert.That(restarts.Factor(2), Is.EqualTo(1.0));
        var one = LrSchedule.Parse("onecycle:0.5", 2);
        Assert.That(one.PerBatch, Is.True);
        Assert.That(one.Factor(0, 0, 5), Is.EqualTo(1.0 / 25).Within(1e-15));
        Assert.That(one.Factor(0, 4, 5), Is.EqualTo(1.0).Within(1e-15), "step 4 = 0.5 · 10 − 1 is the peak");
        Assert.That(one.Factor(1, 4, 5), Is.EqualTo(1.0 / 25 / 1e4).Within(1e-18));
        var opt = Opt(0.2, 0.1);
        one.ApplyBatch(opt, 0, 4, 5, g => g.Name == "g1");
        Assert.That(opt.Groups.Select(g => g.Lr), Is.EqualTo(new[] { 0.2, 0.1 }).Within(1e-16), "the exempt group keeps its rate");
        Assert.That(() => LrSchedule.Parse("multistep:a,b", 5), Throws.ArgumentException.With.Message.Contains("milestones"));
        Assert.That(() => LrSchedule.Parse("linear:0", 5), Throws.ArgumentException.With.Message.Contains("Starting multiplicative factor"));
        Assert.That(() => LrSchedule.Parse("onecycle:2", 5), Throws.ArgumentException.With.Message.Contains("pct_start"));
    }

    /// <summary>The trainer sets a per-batch schedule before every batch: each batch's update uses OneCycleLR's rate.</summary>
    [Test]
    public void TrainerStepsOneCyclePerBatch()
    {
        var model = new Linear(3, 4, generator: new Generator(11));
        var x = Tensor.Rand([5, 3], -2, 2, DType.Float32, generator: new Generator(12));
        var y = Tensor.FromArray(new[] { 0, 3, 1, 2, 3 }, 5);
        var opt = new Sgd(model.Parameters(), lr: 0.5);
        var schedule = LrSchedule.Parse("onecycle:0.5", 2);
        var seen = new List<double>();
        var trainer = new Trainer(model, opt, schedule) { OnBatch = (_, _, _, _) => seen.Add(opt.Groups[0].Lr) };
        for (int epoch = 0; epoch < 2; epoch++) trainer.TrainEpoch(epoch, Enumerable.Repeat((x, y), 4), 4);
        var reference = new OneCycleLR(new Sgd([new ParamGroup([Tensor.Zeros(1)], 0.5)]), 0.5, totalSteps: 8, pctStart: 0.5, cycleMomentum: false);
        var expected = new List<double> { reference.GetLastLr()[0] };
        for (int t = 1; t < 8; t++) { reference.Step(); expected.Add(reference.GetLastLr()[0]); }
        Assert.That(seen, Is.EqualTo(expected).Within(1e-16));
    }
}
