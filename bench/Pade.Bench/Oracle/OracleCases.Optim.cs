using Pade.Training.Optim;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// Optimizers: the same parameters, gradients and steps on both sides (the gradient of step s comes from the loss
/// Σ p·g_s, so it is exactly g_s), compared after the last step. Two parameters, the second of which gets no
/// gradient on the first step when the case says so: PyTorch then skips it, and counts its steps from its own
/// first update.
/// </summary>
public static partial class OracleCases
{
    private sealed record OptimConfig(string Kind, double Lr, double WeightDecay, double Momentum = 0, double Dampening = 0,
        bool Nesterov = false, bool Amsgrad = false, bool Maximize = false, double Beta1 = 0.9, double Beta2 = 0.999)
    {
        public override string ToString() =>
            $"{Kind} lr {Lr} weight_decay {WeightDecay}" + (Kind == "sgd" ? $" momentum {Momentum} dampening {Dampening} nesterov {Nesterov}" : $" betas ({Beta1}, {Beta2})") +
            (Amsgrad ? " amsgrad" : "") + (Maximize ? " maximize" : "");
    }

    private static void AddOptimizers(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        for (int i = 0; i < perFamily * 2; i++)
        {
            string kind = g.Pick("sgd", "adam", "adamw");
            var config = new OptimConfig(kind, g.Pick(0.1, 0.01, 1e-3), g.Pick(0, 0, 0.01, 0.1),
                Momentum: kind == "sgd" ? g.Pick(0, 0.9, 0.5) : 0, Dampening: kind == "sgd" ? g.Pick(0, 0, 0.3) : 0,
                Amsgrad: kind != "sgd" && OptimizerSupports.Amsgrad && g.Coin(0.3), Maximize: OptimizerSupports.Maximize && g.Coin(0.3),
                Beta1: g.Pick(0.9, 0.8), Beta2: g.Pick(0.999, 0.99));
            if (config.Momentum > 0 && config.Dampening == 0 && g.Coin(0.3)) config = config with { Nesterov = true };
            int n1 = g.Int(1, 6), n2 = g.Int(1, 4), steps = g.Int(1, 5);
            bool lateSecond = g.Coin(0.4); // the second parameter gets no gradient on step 1
            AddOptimizerCase(cases, g, config, n1, n2, steps, lateSecond);
        }
    }

    private static void AddOptimizerCase(List<OracleCase> cases, OracleGen g, OptimConfig c, int n1, int n2, int steps, bool lateSecond)
    {
        OracleInput[] inputs =
        [
            g.Input("p1", [n1], grad: false), g.Input("p2", [n2], grad: false),
            g.Input("g1", [steps, n1], grad: false), g.Input("g2", [steps, n2], grad: false),
        ];
        cases.Add(new($"optim {c.Kind}", $"{c} params [{n1}] [{n2}] steps {steps}{(lateSecond ? " (p2 from step 2)" : "")}", inputs,
            x => PadeSteps(c, x, steps, lateSecond), x => TorchSteps(c, x, steps, lateSecond), Differentiable: false,
            OracleWrong: c is { Kind: "sgd", Maximize: true } && c.WeightDecay != 0
                ? "TorchSharp's SGD negates the update after weight decay (PyTorch ≤ 1.12); torch.optim.SGD now negates the gradient before it"
                : null));
    }

    private static PTensor PadeSteps(OptimConfig c, PTensor[] x, int steps, bool lateSecond)
    {
        var p1 = x[0].Clone().Detach();
        var p2 = x[1].Clone().Detach();
        p1.RequiresGrad = p2.RequiresGrad = true;
        var group = new ParamGroup([p1, p2], c.Lr, c.WeightDecay);
        Optimizer opt = OptimizerSupports.Make(c.Kind, group, c.Momentum, c.Dampening, c.Nesterov, c.Beta1, c.Beta2, c.Amsgrad, c.Maximize);
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            var loss = (p1 * x[2].Select(0, s)).Sum();
            if (!(lateSecond && s == 0)) loss = loss + (p2 * x[3].Select(0, s)).Sum();
            loss.Backward();
            opt.Step();
        }
        return PTensor.Concat([p1.Detach(), p2.Detach()]);
    }

    private static TTensor TorchSteps(OptimConfig c, TTensor[] x, int steps, bool lateSecond)
    {
        var p1 = new TorchSharp.Modules.Parameter(x[0].clone().detach(), true);
        var p2 = new TorchSharp.Modules.Parameter(x[1].clone().detach(), true);
        var ps = new[] { p1, p2 };
        optim.Optimizer opt = c.Kind switch
        {
            "sgd" => optim.SGD(ps, c.Lr, c.Momentum, c.Dampening, c.WeightDecay, c.Nesterov, c.Maximize),
            "adam" => optim.Adam(ps, c.Lr, c.Beta1, c.Beta2, 1e-8, c.WeightDecay, c.Amsgrad, c.Maximize),
            _ => optim.AdamW(ps, c.Lr, c.Beta1, c.Beta2, 1e-8, c.WeightDecay, c.Amsgrad, c.Maximize),
        };
        for (int s = 0; s < steps; s++)
        {
            opt.zero_grad();
            var loss = (p1 * x[2][s]).sum();
            if (!(lateSecond && s == 0)) loss = loss + (p2 * x[3][s]).sum();
            loss.backward();
            opt.step();
        }
        return cat([p1.detach(), p2.detach()]);
    }
}

/// <summary>What Pade's optimizers take (the arguments added for PyTorch users are switched on here when they exist).</summary>
internal static class OptimizerSupports
{
    public const bool Amsgrad = true;
    public const bool Maximize = true;

    public static Optimizer Make(string kind, ParamGroup group, double momentum, double dampening, bool nesterov,
        double beta1, double beta2, bool amsgrad, bool maximize) => kind switch
    {
        "sgd" => new Sgd([group], momentum, dampening, nesterov, maximize),
        "adam" => new Adam([group], beta1, beta2, 1e-8, amsgrad: amsgrad, maximize: maximize),
        _ => new Adam([group], beta1, beta2, 1e-8, decoupled: true, amsgrad: amsgrad, maximize: maximize),
    };
}
