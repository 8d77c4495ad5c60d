using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>
/// RMSprop, Adagrad and Adamax against torch.optim's algorithms written as plain float64 loops (the pseudo-code of PyTorch's
/// documentation: lerp as start + w·(end − start), no fused kernels), on two parameters of random sizes (empty, one
/// element, vector widths with and without a tail, more than one parallel range), random hyper-parameters and step
/// counts. The second parameter has no gradient on some steps (all of them, at times): PyTorch skips it, its state
/// is not created or advanced, and Adagrad's decayed rate uses its own step count. Each case also resumes a copy
/// from the state dict at a random step, which must end bit for bit where the straight run ends.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(AdaptiveOptimizerArbitraries)], MaxTest = 120)]
public class AdaptiveOptimizerProperties
{
    [FsCheck.NUnit.Property]
    public void RmspropMatchesTorchAlgorithm(RmspropCase c)
    {
        var data = OptimData.Draw(c.Common);
        RMSprop Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.Alpha, c.Eps, c.Momentum, c.Centered, c.Common.Maximize);

        // The reference: torch.optim.RMSprop's _single_tensor_rmsprop, element by element in float64.
        var refs = data.Initial.Select(v => new RmspropRef((double[])v.Clone())).ToArray();
        for (int s = 0; s < c.Common.Steps; s++)
            for (int j = 0; j < 2; j++)
            {
                var grad = data.Grad(j, s);
                if (grad == null) continue;
                var r = refs[j];
                r.Step++;
                for (int i = 0; i < r.P.Length; i++)
                {
                    double g = c.Common.Maximize ? -grad[i] : grad[i];
                    if (c.WeightDecay != 0) g += c.WeightDecay * r.P[i];
                    r.SquareAvg[i] = r.SquareAvg[i] * c.Alpha + (1 - c.Alpha) * g * g;
                    double avg;
                    if (c.Centered)
                    {
                        r.GradAvg[i] += (1 - c.Alpha) * (g - r.GradAvg[i]);
                        avg = Math.Sqrt(r.SquareAvg[i] - r.GradAvg[i] * r.GradAvg[i]) + c.Eps;
                    }
                    else avg = Math.Sqrt(r.SquareAvg[i]) + c.Eps;
                    if (c.Momentum > 0)
                    {
                        r.Buf[i] = r.Buf[i] * c.Momentum + g / avg;
                        r.P[i] -= c.Lr * r.Buf[i];
                    }
                    else r.P[i] -= c.Lr * g / avg;
                }
            }

        var (ps, opt) = OptimData.Run(data, c.Common, Make);
        for (int j = 0; j < 2; j++)
        {
            var r = refs[j];
            string at = $"parameter {j} [{r.P.Length}], {r.Step} update(s)";
            Close(ps[j].ToArray<double>(), r.P, $"{at}: p");
            var state = opt.StateDict();
            Assert.That(state.ContainsKey($"{j}.square_avg"), Is.EqualTo(r.Step > 0), $"{at}: state only once it has been updated");
            if (r.Step == 0) continue;
            Close(state[$"{j}.square_avg"].ToArray<double>(), r.SquareAvg, $"{at}: square_avg");
            Assert.That(state.ContainsKey($"{j}.grad_avg"), Is.EqualTo(c.Centered), $"{at}: grad_avg only when centered");
            if (c.Centered) Close(state[$"{j}.grad_avg"].ToArray<double>(), r.GradAvg, $"{at}: grad_avg");
            Assert.That(state.ContainsKey($"{j}.momentum_buffer"), Is.EqualTo(c.Momentum > 0), $"{at}: momentum_buffer only with momentum");
            if (c.Momentum > 0) Close(state[$"{j}.momentum_buffer"].ToArray<double>(), r.Buf, $"{at}: momentum_buffer");
            Assert.That(state[$"{j}.step"].Item(), Is.EqualTo(r.Step), $"{at}: step");
        }
        OptimData.CheckResume(data, c.Common, Make, ps);
    }

    [FsCheck.NUnit.Property]
    public void AdagradMatchesTorchAlgorithm(AdagradCase c)
    {
        var data = OptimData.Draw(c.Common);
        Adagrad Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.LrDecay, c.InitialAccumulatorValue, c.Eps, c.Common.Maximize);

        // The reference: torch.optim.Adagrad's _single_tensor_adagrad, element by element in float64.
        var p = data.Initial.Select(v => (double[])v.Clone()).ToArray();
        var sum = p.Select(v => Enumerable.Repeat(c.InitialAccumulatorValue, v.Length).ToArray()).ToArray();
        var steps = new int[2];
        for (int s = 0; s < c.Common.Steps; s++)
            for (int j = 0; j < 2; j++)
            {
                var grad = data.Grad(j, s);
                if (grad == null) continue;
                steps[j]++;
                double clr = c.Lr / (1 + (steps[j] - 1) * c.LrDecay);
                for (int i = 0; i < p[j].Length; i++)
                {
                    double g = c.Common.Maximize ? -grad[i] : grad[i];
                    if (c.WeightDecay != 0) g += c.WeightDecay * p[j][i];
                    sum[j][i] += g * g;
                    p[j][i] -= clr * g / (Math.Sqrt(sum[j][i]) + c.Eps);
                }
            }

        var (ps, opt) = OptimData.Run(data, c.Common, Make);
        var state = opt.StateDict();
        for (int j = 0; j < 2; j++)
        {
            string at = $"parameter {j} [{p[j].Length}], {steps[j]} update(s)";
            Close(ps[j].ToArray<double>(), p[j], $"{at}: p");
            Assert.That(state.ContainsKey($"{j}.sum"), Is.EqualTo(steps[j] > 0), $"{at}: state only once it has been updated");
            if (steps[j] == 0) continue;
            Close(state[$"{j}.sum"].ToArray<double>(), sum[j], $"{at}: sum");
            Assert.That(state[$"{j}.step"].Item(), Is.EqualTo(steps[j]), $"{at}: step");
        }
        OptimData.CheckResume(data, c.Common, Make, ps);
    }

    [FsCheck.NUnit.Property]
    public void AdamaxMatchesTorchAlgorithm(AdamaxCase c)
    {
        var data = OptimData.Draw(c.Common);
        Adamax Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.Beta1, c.Beta2, c.Eps, c.Common.Maximize);

        // The reference: torch.optim.Adamax's _single_tensor_adamax, element by element in float64.
        var p = data.Initial.Select(v => (double[])v.Clone()).ToArray();
        var m = p.Select(v => new double[v.Length]).ToArray();
        var u = p.Select(v => new double[v.Length]).ToArray();
        var steps = new int[2];
        for (int s = 0; s < c.Common.Steps; s++)
            for (int j = 0; j < 2; j++)
            {
                var grad = data.Grad(j, s);
                if (grad == null) continue;
                steps[j]++;
                double clr = c.Lr / (1 - Math.Pow(c.Beta1, steps[j]));
                for (int i = 0; i < p[j].Length; i++)
                {
                    double g = c.Common.Maximize ? -grad[i] : grad[i];
                    if (c.WeightDecay != 0) g += c.WeightDecay * p[j][i];
                    m[j][i] += (1 - c.Beta1) * (g - m[j][i]);
                    u[j][i] = Math.Max(u[j][i] * c.Beta2, Math.Abs(g) + c.Eps);
                    p[j][i] -= clr * m[j][i] / u[j][i];
                }
            }

        var (ps, opt) = OptimData.Run(data, c.Common, Make);
        var state = opt.StateDict();
        for (int j = 0; j < 2; j++)
        {
            string at = $"parameter {j} [{p[j].Length}], {steps[j]} update(s)";
            Close(ps[j].ToArray<double>(), p[j], $"{at}: p");
            Assert.That(state.ContainsKey($"{j}.exp_avg"), Is.EqualTo(steps[j] > 0), $"{at}: state only once it has been updated");
            if (steps[j] == 0) continue;
            Close(state[$"{j}.exp_avg"].ToArray<double>(), m[j], $"{at}: exp_avg");
            Close(state[$"{j}.exp_inf"].ToArray<double>(), u[j], $"{at}: exp_inf");
            Assert.That(state[$"{j}.step"].Item(), Is.EqualTo(steps[j]), $"{at}: step");
        }
        OptimData.CheckResume(data, c.Common, Make, ps);
    }

    /// <summary>The same ops in the same order as the float64 reference, but not the same grouping everywhere (torch's
    /// addcdiv is value·(a/b), the reference's lr·a/b) and torch.lerp's other form for w ≥ 0.5: a few ulps, which the
    /// steps may amplify a little. A wrong formula is off by far more.</summary>
    private static void Close(double[] actual, double[] expected, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= 1e-10 * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: {actual[i]:R}, the float64 loop gives {expected[i]:R}");
    }

    private sealed class RmspropRef(double[] p)
    {
        public double[] P { get; } = p;
        public double[] SquareAvg { get; } = new double[p.Length];
        public double[] GradAvg { get; } = new double[p.Length];
        public double[] Buf { get; } = new double[p.Length];
        public int Step { get; set; }
    }
}

/// <summary>What both optimizers' cases share: the two parameters' sizes, the steps, which steps give the second
/// parameter a gradient, maximize, the step at which a copy is resumed from the state dict, the values' seed.</summary>
public sealed record OptimCommon(int N1, int N2, int Steps, bool[] SecondHasGrad, bool Maximize, int ResumeAt, int Seed)
{
    public override string ToString() =>
        $"params [{N1}] [{N2}], {Steps} steps, p2 gradient on [{string.Join(",", SecondHasGrad.Select(b => b ? 1 : 0))}], maximize {Maximize}, resume at {ResumeAt}, seed {Seed}";
}

public sealed record RmspropCase(OptimCommon Common, double Lr, double Alpha, double Eps, double WeightDecay, double Momentum, bool Centered)
{
    public override string ToString() => $"RMSprop lr {Lr} alpha {Alpha} eps {Eps} weight_decay {WeightDecay} momentum {Momentum} centered {Centered}; {Common}";
}

public sealed record AdagradCase(OptimCommon Common, double Lr, double LrDecay, double WeightDecay, double InitialAccumulatorValue, double Eps)
{
    public override string ToString() =>
        $"Adagrad lr {Lr} lr_decay {LrDecay} weight_decay {WeightDecay} initial_accumulator_value {InitialAccumulatorValue} eps {Eps}; {Common}";
}

public sealed record AdamaxCase(OptimCommon Common, double Lr, double Beta1, double Beta2, double Eps, double WeightDecay)
{
    public override string ToString() => $"Adamax lr {Lr} betas ({Beta1}, {Beta2}) eps {Eps} weight_decay {WeightDecay}; {Common}";
}

public static class AdaptiveOptimizerArbitraries
{
    /// <summary>Sizes: small ones (0, 1, around the 8 and 16 lanes of a Vector512), now and then one over the
    /// 2¹⁵-element range that the CPU splits across threads.</summary>
    private static readonly Gen<int> Size = Gen.Frequency(
        (1, Gen.Constant(0)), (2, Gen.Constant(1)), (10, Gen.Choose(2, 40)), (1, Gen.Choose((1 << 15) + 1, (1 << 15) + 40)));

    private static readonly Gen<OptimCommon> Common = CommonGen(6);

    /// <summary>The common part of every optimizer case, up to <paramref name="maxSteps"/> steps (also of <see cref="ComposedOptimizerArbitraries"/>).</summary>
    internal static Gen<OptimCommon> CommonGen(int maxSteps) =>
        from n1 in Size
        from n2 in Size
        from steps in Gen.Choose(1, maxSteps)
        from mask in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false))), steps)
        from maximize in Gen.Elements(false, true)
        from resumeAt in Gen.Choose(0, steps)
        from seed in Gen.Choose(0, int.MaxValue)
        select new OptimCommon(n1, n2, steps, mask, maximize, resumeAt, seed);

    public static Arbitrary<RmspropCase> Rmsprop() =>
        (from common in Common
         from lr in Gen.Elements(0.01, 0.1, 1e-3, 0.0)
         // α below 0.5 puts lerp's weight 1 − α above 0.5: torch.lerp's other form.
         from alpha in Gen.Elements(0.99, 0.9, 0.6, 0.3)
         from eps in Gen.Elements(1e-8, 1e-6, 0.1)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         from momentum in Gen.Elements(0.0, 0.0, 0.5, 0.9)
         from centered in Gen.Elements(false, true)
         select new RmspropCase(common, lr, alpha, eps, wd, momentum, centered)).ToArbitrary();

    public static Arbitrary<AdagradCase> Adagrad() =>
        (from common in Common
         from lr in Gen.Elements(0.01, 0.1, 1.0)
         from lrDecay in Gen.Elements(0.0, 0.0, 0.1, 2.0)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         from init in Gen.Elements(0.0, 0.0, 0.1, 1.0)
         from eps in Gen.Elements(1e-10, 1e-6, 0.1)
         select new AdagradCase(common, lr, lrDecay, wd, init, eps)).ToArbitrary();

    public static Arbitrary<AdamaxCase> Adamax() =>
        (from common in Common
         from lr in Gen.Elements(2e-3, 0.01, 0.1)
         // β1 = 0.3 puts lerp's weight above 0.5 (torch.lerp's other form); β2 = 0: exp_inf is |g| + eps.
         from beta1 in Gen.Elements(0.9, 0.8, 0.3, 0.0)
         from beta2 in Gen.Elements(0.999, 0.99, 0.0)
         from eps in Gen.Elements(1e-8, 1e-6, 0.1)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         select new AdamaxCase(common, lr, beta1, beta2, eps, wd)).ToArbitrary();
}

/// <summary>A case's initial values and gradients, and the optimizer runs through Pade.</summary>
internal sealed class OptimData
{
    public required double[][] Initial { get; init; }
    /// <summary>[parameter][step]: the gradient, or null where the parameter gets none.</summary>
    public required double[]?[][] Grads { get; init; }

    public double[]? Grad(int param, int step) => Grads[param][step];

    public static OptimData Draw(OptimCommon c)
    {
        var rng = new Random(c.Seed);
        double[] Values(int n, double scale) => Enumerable.Range(0, n).Select(_ => scale * (2 * rng.NextDouble() - 1)).ToArray();
        int[] sizes = [c.N1, c.N2];
        // Each step's gradients have a scale of their own (0.01 to 10), so the running averages rise and fall.
        return new OptimData
        {
            Initial = sizes.Select(n => Values(n, 2)).ToArray(),
            Grads = sizes.Select((n, j) => Enumerable.Range(0, c.Steps)
                .Select(s => j == 1 && !c.SecondHasGrad[s] ? null : Values(n, Math.Pow(10, rng.Next(-2, 2)))).ToArray()).ToArray(),
        };
    }

    private static Tensor[] Parameters(OptimData d) => d.Initial.Select(v =>
    {
        var t = Tensor.FromArray((double[])v.Clone(), v.Length);
        t.RequiresGrad = true;
        return t;
    }).ToArray();

    private void StepOnce(Optimizer opt, Tensor[] ps, int s)
    {
        opt.ZeroGrad();
        for (int j = 0; j < ps.Length; j++)
            if (Grad(j, s) is { } g) ps[j].Grad = Tensor.FromArray((double[])g.Clone(), g.Length);
        opt.Step();
    }

    public static (Tensor[] Params, Optimizer Opt) Run(OptimData d, OptimCommon c, Func<Tensor[], Optimizer> make)
    {
        var ps = Parameters(d);
        var opt = make(ps);
        for (int s = 0; s < c.Steps; s++) d.StepOnce(opt, ps, s);
        Assert.That(opt.StepCount, Is.EqualTo(c.Steps));
        return (ps, opt);
    }

    /// <summary>Runs to <see cref="OptimCommon.ResumeAt"/>, builds a fresh optimizer from the state dict (as a resumed
    /// run does), finishes the steps, and requires the straight run's parameters bit for bit.</summary>
    public static void CheckResume(OptimData d, OptimCommon c, Func<Tensor[], Optimizer> make, Tensor[] straight)
    {
        var ps = Parameters(d);
        var first = make(ps);
        for (int s = 0; s < c.ResumeAt; s++) d.StepOnce(first, ps, s);
        var resumed = make(ps);
        resumed.LoadStateDict(first.StateDict(), first.StepCount);
        for (int s = c.ResumeAt; s < c.Steps; s++) d.StepOnce(resumed, ps, s);
        for (int j = 0; j < ps.Length; j++)
            Assert.That(ps[j].ToArray<double>(), Is.EqualTo(straight[j].ToArray<double>()), $"parameter {j} resumed at step {c.ResumeAt}: bit for bit");
    }
}
