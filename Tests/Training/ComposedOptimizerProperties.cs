using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>
/// Adadelta, NAdam, RAdam, ASGD and Rprop against torch.optim's single-tensor algorithms written as plain float64
/// loops, element by element, with the cases of <see cref="AdaptiveOptimizerProperties"/>: two parameters of random
/// sizes, the second without a gradient on some steps (its state neither created nor advanced), random options
/// (maximize, weight decay L2 and decoupled, every hyper-parameter), and a copy resumed from the state dict at a
/// random step that must end bit for bit where the straight run ends.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(ComposedOptimizerArbitraries)], MaxTest = 100)]
public class ComposedOptimizerProperties
{
    /// <summary>Runs the float64 reference <paramref name="update"/> (parameter, gradient, its step count, its state)
    /// over the case's steps; returns the parameters, their states and step counts.</summary>
    private static (double[][] P, Dictionary<string, double[]>[] State, int[] Steps) Reference(OptimData data, OptimCommon c,
        Action<double[], double[], int, Dictionary<string, double[]>> update)
    {
        var p = data.Initial.Select(v => (double[])v.Clone()).ToArray();
        var state = new[] { new Dictionary<string, double[]>(), new Dictionary<string, double[]>() };
        var steps = new int[2];
        for (int s = 0; s < c.Steps; s++)
            for (int j = 0; j < 2; j++)
            {
                var grad = data.Grad(j, s);
                if (grad == null) continue;
                steps[j]++;
                update(p[j], c.Maximize ? grad.Select(x => -x).ToArray() : grad, steps[j], state[j]);
            }
        return (p, state, steps);
    }

    private static double[] Buf(Dictionary<string, double[]> st, string name, int n, double init = 0) =>
        st.TryGetValue(name, out var b) ? b : st[name] = Enumerable.Repeat(init, n).ToArray();

    /// <summary>Compares parameters, the state tensors named, and the step counts, then the resumed run.</summary>
    private static void Check(OptimData data, OptimCommon c, Func<Tensor[], Optimizer> make,
        (double[][] P, Dictionary<string, double[]>[] State, int[] Steps) r, params string[] names)
    {
        var (ps, opt) = OptimData.Run(data, c, make);
        var state = opt.StateDict();
        for (int j = 0; j < 2; j++)
        {
            string at = $"parameter {j} [{r.P[j].Length}], {r.Steps[j]} update(s)";
            Close(ps[j].ToArray<double>(), r.P[j], $"{at}: p");
            Assert.That(state.ContainsKey($"{j}.{names[0]}"), Is.EqualTo(r.Steps[j] > 0), $"{at}: state only once it has been updated");
            if (r.Steps[j] == 0) continue;
            foreach (var name in names)
                if (r.State[j].TryGetValue(name, out var expected)) Close(state[$"{j}.{name}"].ToArray<double>(), expected, $"{at}: {name}");
            Assert.That(state[$"{j}.step"].Item(), Is.EqualTo(r.Steps[j]), $"{at}: step");
        }
        OptimData.CheckResume(data, c, make, ps);
    }

    [FsCheck.NUnit.Property]
    public void AdadeltaMatchesTorchAlgorithm(AdadeltaCase c)
    {
        var data = OptimData.Draw(c.Common);
        Adadelta Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.Rho, c.Eps, c.Common.Maximize);
        // torch.optim.Adadelta's _single_tensor_adadelta.
        var r = Reference(data, c.Common, (p, grad, step, st) =>
        {
            double[] sq = Buf(st, "square_avg", p.Length), acc = Buf(st, "acc_delta", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + c.WeightDecay * p[i];
                sq[i] = sq[i] * c.Rho + (1 - c.Rho) * g * g;
                double delta = Math.Sqrt(acc[i] + c.Eps) / Math.Sqrt(sq[i] + c.Eps) * g;
                acc[i] = acc[i] * c.Rho + (1 - c.Rho) * delta * delta;
                p[i] -= c.Lr * delta;
            }
        });
        Check(data, c.Common, Make, r, "square_avg", "acc_delta");
    }

    [FsCheck.NUnit.Property]
    public void NAdamMatchesTorchAlgorithm(NAdamCase c)
    {
        var data = OptimData.Draw(c.Common);
        NAdam Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.Beta1, c.Beta2, c.Eps, c.MomentumDecay, c.Decoupled, c.Common.Maximize);
        // torch.optim.NAdam's _single_tensor_nadam.
        var r = Reference(data, c.Common, (p, grad, step, st) =>
        {
            double[] m = Buf(st, "exp_avg", p.Length), v = Buf(st, "exp_avg_sq", p.Length), muProduct = Buf(st, "mu_product", 1, 1);
            double bc2 = 1 - Math.Pow(c.Beta2, step);
            double mu = c.Beta1 * (1 - 0.5 * Math.Pow(0.96, step * c.MomentumDecay));
            double muNext = c.Beta1 * (1 - 0.5 * Math.Pow(0.96, (step + 1) * c.MomentumDecay));
            muProduct[0] *= mu;
            double muProductNext = muProduct[0] * muNext;
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i];
                if (c.Decoupled) p[i] *= 1 - c.Lr * c.WeightDecay;
                else g += c.WeightDecay * p[i];
                m[i] += (1 - c.Beta1) * (g - m[i]);
                v[i] = v[i] * c.Beta2 + (1 - c.Beta2) * g * g;
                double denom = Math.Sqrt(v[i] / bc2) + c.Eps;
                p[i] += -c.Lr * (1 - mu) / (1 - muProduct[0]) * (g / denom);
                p[i] += -c.Lr * muNext / (1 - muProductNext) * (m[i] / denom);
            }
        });
        Check(data, c.Common, Make, r, "exp_avg", "exp_avg_sq", "mu_product");
    }

    [FsCheck.NUnit.Property]
    public void RAdamMatchesTorchAlgorithm(RAdamCase c)
    {
        var data = OptimData.Draw(c.Common);
        RAdam Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.Beta1, c.Beta2, c.Eps, c.Decoupled, c.Common.Maximize);
        // torch.optim.RAdam's _single_tensor_radam.
        var r = Reference(data, c.Common, (p, grad, step, st) =>
        {
            double[] m = Buf(st, "exp_avg", p.Length), v = Buf(st, "exp_avg_sq", p.Length);
            double bc1 = 1 - Math.Pow(c.Beta1, step), bc2 = 1 - Math.Pow(c.Beta2, step);
            double rhoInf = 2 / (1 - c.Beta2) - 1;
            double rhoT = rhoInf - 2 * step * Math.Pow(c.Beta2, step) / bc2;
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i];
                if (c.Decoupled) p[i] *= 1 - c.Lr * c.WeightDecay;
                else g += c.WeightDecay * p[i];
                m[i] += (1 - c.Beta1) * (g - m[i]);
                v[i] = v[i] * c.Beta2 + (1 - c.Beta2) * g * g;
                double corrected = m[i] / bc1;
                if (rhoT > 5)
                {
                    double rect = Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                    p[i] -= corrected * c.Lr * (Math.Sqrt(bc2) / (Math.Sqrt(v[i]) + c.Eps)) * rect;
                }
                else p[i] -= corrected * c.Lr;
            }
        });
        Check(data, c.Common, Make, r, "exp_avg", "exp_avg_sq");
    }

    [FsCheck.NUnit.Property]
    public void AsgdMatchesTorchAlgorithm(AsgdCase c)
    {
        var data = OptimData.Draw(c.Common);
        ASGD Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr, c.WeightDecay)], c.Lambd, c.Alpha, c.T0, c.Common.Maximize);
        // torch.optim.ASGD's _single_tensor_asgd: eta and mu start at lr and 1 and are updated after the step.
        var r = Reference(data, c.Common, (p, grad, step, st) =>
        {
            double[] ax = Buf(st, "ax", p.Length), eta = Buf(st, "eta", 1, c.Lr), mu = Buf(st, "mu", 1, 1);
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + c.WeightDecay * p[i];
                p[i] *= 1 - c.Lambd * eta[0];
                p[i] -= eta[0] * g;
                ax[i] = mu[0] != 1 ? ax[i] + (p[i] - ax[i]) * mu[0] : p[i];
            }
            eta[0] = c.Lr / Math.Pow(1 + c.Lambd * c.Lr * step, c.Alpha);
            mu[0] = 1 / Math.Max(1, step - c.T0);
        });
        Check(data, c.Common, Make, r, "ax", "eta", "mu");
    }

    [FsCheck.NUnit.Property]
    public void RpropMatchesTorchAlgorithm(RpropCase c)
    {
        var data = OptimData.Draw(c.Common);
        Rprop Make(Tensor[] ps) => new([new ParamGroup(ps, c.Lr)], (c.EtaMinus, c.EtaPlus), (c.StepMin, c.StepMax), c.Common.Maximize);
        // torch.optim.Rprop's _single_tensor_rprop.
        var r = Reference(data, c.Common, (p, grad, step, st) =>
        {
            double[] prev = Buf(st, "prev", p.Length), size = Buf(st, "step_size", p.Length, c.Lr);
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i], s = Math.Sign(g * prev[i]);
                double factor = s > 0 ? c.EtaPlus : s < 0 ? c.EtaMinus : 1;
                size[i] = Math.Clamp(size[i] * factor, c.StepMin, c.StepMax);
                if (s < 0) g = 0;
                p[i] -= Math.Sign(g) * size[i];
                prev[i] = g;
            }
        });
        Check(data, c.Common, Make, r, "prev", "step_size");
    }

    /// <summary>The reference groups a few products differently from the tensor ops (lerp, a/c as a·(1/c)): a few
    /// ulps, which the steps may amplify a little. A wrong formula is off by far more.</summary>
    private static void Close(double[] actual, double[] expected, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= 1e-10 * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: {actual[i]:R}, the float64 loop gives {expected[i]:R}");
    }
}

public sealed record AdadeltaCase(OptimCommon Common, double Lr, double Rho, double Eps, double WeightDecay)
{
    public override string ToString() => $"Adadelta lr {Lr} rho {Rho} eps {Eps} weight_decay {WeightDecay}; {Common}";
}

public sealed record NAdamCase(OptimCommon Common, double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, double MomentumDecay, bool Decoupled)
{
    public override string ToString() =>
        $"NAdam lr {Lr} betas ({Beta1}, {Beta2}) eps {Eps} weight_decay {WeightDecay} momentum_decay {MomentumDecay} decoupled {Decoupled}; {Common}";
}

public sealed record RAdamCase(OptimCommon Common, double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool Decoupled)
{
    public override string ToString() => $"RAdam lr {Lr} betas ({Beta1}, {Beta2}) eps {Eps} weight_decay {WeightDecay} decoupled {Decoupled}; {Common}";
}

public sealed record AsgdCase(OptimCommon Common, double Lr, double Lambd, double Alpha, double T0, double WeightDecay)
{
    public override string ToString() => $"ASGD lr {Lr} lambd {Lambd} alpha {Alpha} t0 {T0} weight_decay {WeightDecay}; {Common}";
}

public sealed record RpropCase(OptimCommon Common, double Lr, double EtaMinus, double EtaPlus, double StepMin, double StepMax)
{
    public override string ToString() => $"Rprop lr {Lr} etas ({EtaMinus}, {EtaPlus}) step_sizes ({StepMin}, {StepMax}); {Common}";
}

public static class ComposedOptimizerArbitraries
{
    private static Gen<OptimCommon> Common => AdaptiveOptimizerArbitraries.CommonGen(6);

    public static Arbitrary<AdadeltaCase> Adadelta() =>
        (from common in Common
         from lr in Gen.Elements(1.0, 0.1, 0.01)
         from rho in Gen.Elements(0.9, 0.5, 0.0, 1.0)
         from eps in Gen.Elements(1e-6, 1e-3, 0.1)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         select new AdadeltaCase(common, lr, rho, eps, wd)).ToArbitrary();

    public static Arbitrary<NAdamCase> NAdam() =>
        (from common in Common
         from lr in Gen.Elements(2e-3, 0.01, 0.1)
         from beta1 in Gen.Elements(0.9, 0.5, 0.0)
         from beta2 in Gen.Elements(0.999, 0.9, 0.0)
         from eps in Gen.Elements(1e-8, 1e-3)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         from md in Gen.Elements(4e-3, 0.0, 0.5)
         from decoupled in Gen.Elements(false, true)
         select new NAdamCase(common, lr, beta1, beta2, eps, wd, md, decoupled)).ToArbitrary();

    public static Arbitrary<RAdamCase> RAdam() =>
        // Up to 12 steps: ρₜ passes the threshold 5 only from the sixth step (β₂ ≥ 0.95) or never (β₂ = 0.5, ρ∞ < 5).
        (from common in AdaptiveOptimizerArbitraries.CommonGen(12)
         from lr in Gen.Elements(1e-3, 0.01, 0.1)
         from beta1 in Gen.Elements(0.9, 0.5, 0.0)
         from beta2 in Gen.Elements(0.999, 0.95, 0.9, 0.5)
         from eps in Gen.Elements(1e-8, 1e-3)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         from decoupled in Gen.Elements(false, true)
         select new RAdamCase(common, lr, beta1, beta2, eps, wd, decoupled)).ToArbitrary();

    public static Arbitrary<AsgdCase> Asgd() =>
        (from common in Common
         from lr in Gen.Elements(0.01, 0.1, 0.5)
         from lambd in Gen.Elements(1e-4, 0.1, 0.0)
         from alpha in Gen.Elements(0.75, 0.5, 2.0)
         // t0 within the steps: the average starts (mu < 1) during the case.
         from t0 in Gen.Elements(1e6, 0.0, 1.0, 2.0, 3.5)
         from wd in Gen.Elements(0.0, 0.0, 0.01, 0.5)
         select new AsgdCase(common, lr, lambd, alpha, t0, wd)).ToArbitrary();

    public static Arbitrary<RpropCase> Rprop() =>
        (from common in Common
         from lr in Gen.Elements(0.01, 0.1, 1e-3)
         from etaMinus in Gen.Elements(0.5, 0.1, 0.9)
         from etaPlus in Gen.Elements(1.2, 2.0, 1.01)
         from stepMin in Gen.Elements(1e-6, 5e-3, 0.0)
         from stepMax in Gen.Elements(50.0, 0.02, 1.0)
         select new RpropCase(common, lr, etaMinus, etaPlus, stepMin, stepMax)).ToArbitrary();
}
