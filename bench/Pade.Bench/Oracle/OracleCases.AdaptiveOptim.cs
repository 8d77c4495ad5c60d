using Pade.Training.Optim;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// RMSprop, Adagrad and Adamax against TorchSharp's torch.optim: two parameters, random hyper-parameters and steps, the
/// second parameter without a gradient on some steps (not only the first), compared after the last step.
/// </summary>
/// <remarks>
/// TorchSharp's zero_grad zeroes a gradient instead of setting it to None (PyTorch's default since 2.0), so a
/// parameter it once saw would be updated with a zero gradient where PyTorch skips it. Each parameter therefore has
/// an optimizer of its own on the torch side, stepped only when that parameter has a gradient: the same as
/// PyTorch's skip, since these optimizers' state and hyper-parameters are per parameter. TorchSharp 0.107's Adagrad
/// and Adamax have no <c>maximize</c>; PyTorch's maximize negates the gradient before anything else, so the torch side gets the
/// negated gradient instead. TorchSharp's centered RMSprop updates grad_avg with mul_/add_ (PyTorch ≤ 1.12) where
/// torch.optim now uses lerp_ (Adamax's exp_avg likewise): the same number up to rounding.
/// </remarks>
public static partial class OracleCases
{
    private sealed record AdaptiveConfig(string Kind, double Lr, double WeightDecay, double Eps, bool Maximize, double Alpha = 0.99,
        double Momentum = 0, bool Centered = false, double LrDecay = 0, double InitialAccumulatorValue = 0, double Beta1 = 0.9, double Beta2 = 0.999)
    {
        public override string ToString() => Kind switch
        {
            "rmsprop" => $"rmsprop lr {Lr} alpha {Alpha} eps {Eps} weight_decay {WeightDecay} momentum {Momentum}{(Centered ? " centered" : "")}{(Maximize ? " maximize" : "")}",
            "adamax" => $"adamax lr {Lr} betas ({Beta1}, {Beta2}) eps {Eps} weight_decay {WeightDecay}{(Maximize ? " maximize" : "")}",
            _ => $"adagrad lr {Lr} lr_decay {LrDecay} weight_decay {WeightDecay} initial_accumulator_value {InitialAccumulatorValue} eps {Eps}{(Maximize ? " maximize" : "")}",
        };
    }

    private static void AddAdaptiveOptimizers(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 43);
        foreach (var kind in (string[])["rmsprop", "adagrad"])
            for (int i = 0; i < perFamily * 2; i++)
            {
                var c = kind == "rmsprop"
                    ? new AdaptiveConfig(kind, g.Pick(0.01, 0.1, 1e-3), g.Pick(0, 0, 0.01, 0.1), g.Pick(1e-8, 1e-6, 0.1), g.Coin(0.3),
                        Alpha: g.Pick(0.99, 0.9, 0.6, 0.3), Momentum: g.Pick(0, 0, 0.5, 0.9), Centered: g.Coin())
                    : new AdaptiveConfig(kind, g.Pick(0.01, 0.1, 1.0), g.Pick(0, 0, 0.01, 0.1), g.Pick(1e-10, 1e-6, 0.1), g.Coin(0.3),
                        LrDecay: g.Pick(0, 0, 0.1, 1.0), InitialAccumulatorValue: g.Pick(0, 0, 0.1, 1.0));
                int n1 = g.Int(1, 6), n2 = g.Int(1, 4), steps = g.Int(1, 6);
                var second = Enumerable.Range(0, steps).Select(_ => g.Coin(0.7)).ToArray();
                cases.Add(AdaptiveCase(g, c, n1, n2, steps, second));
            }
        // Adamax after them, from the same generator: the cases above keep their configurations.
        for (int i = 0; i < perFamily * 2; i++)
        {
            var c = new AdaptiveConfig("adamax", g.Pick(2e-3, 0.01, 0.1), g.Pick(0, 0, 0.01, 0.1), g.Pick(1e-8, 1e-6, 0.1), g.Coin(0.3),
                Beta1: g.Pick(0.9, 0.8, 0.3), Beta2: g.Pick(0.999, 0.99, 0.5));
            int n1 = g.Int(1, 6), n2 = g.Int(1, 4), steps = g.Int(1, 6);
            var second = Enumerable.Range(0, steps).Select(_ => g.Coin(0.7)).ToArray();
            cases.Add(AdaptiveCase(g, c, n1, n2, steps, second));
        }
    }

    private static OracleCase AdaptiveCase(OracleGen g, AdaptiveConfig c, int n1, int n2, int steps, bool[] second)
    {
        OracleInput[] inputs =
        [
            g.Input("p1", [n1], grad: false), g.Input("p2", [n2], grad: false),
            g.Input("g1", [steps, n1], grad: false), g.Input("g2", [steps, n2], grad: false),
        ];
        var mask = string.Concat(second.Select(b => b ? '1' : '0'));
        return new($"optim {c.Kind}", $"{c} params [{n1}] [{n2}] steps {steps} p2 gradient on {mask}", inputs,
            x => AdaptivePade(c, x, steps, second), x => AdaptiveTorch(c, x, steps, second), Differentiable: false);
    }

    private static PTensor AdaptivePade(AdaptiveConfig c, PTensor[] x, int steps, bool[] second)
    {
        var ps = new[] { x[0].Clone().Detach(), x[1].Clone().Detach() };
        foreach (var p in ps) p.RequiresGrad = true;
        var group = new ParamGroup(ps, c.Lr, c.WeightDecay);
        Optimizer opt = c.Kind switch
        {
            "rmsprop" => new RMSprop([group], c.Alpha, c.Eps, c.Momentum, c.Centered, c.Maximize),
            "adamax" => new Adamax([group], c.Beta1, c.Beta2, c.Eps, c.Maximize),
            _ => new Adagrad([group], c.LrDecay, c.InitialAccumulatorValue, c.Eps, c.Maximize),
        };
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            ps[0].Grad = x[2].Select(0, s).Contiguous().Clone();
            if (second[s]) ps[1].Grad = x[3].Select(0, s).Contiguous().Clone();
            opt.Step();
        }
        return PTensor.Concat([ps[0].Detach(), ps[1].Detach()]);
    }

    private static TTensor AdaptiveTorch(AdaptiveConfig c, TTensor[] x, int steps, bool[] second)
    {
        var ps = new[] { new TorchSharp.Modules.Parameter(x[0].clone().detach(), true), new TorchSharp.Modules.Parameter(x[1].clone().detach(), true) };
        // Adagrad's and Adamax's maximize through the negated gradient (see the remarks).
        double sign = c.Kind != "rmsprop" && c.Maximize ? -1 : 1;
        var opts = ps.Select(p => c.Kind switch
        {
            "rmsprop" => (optim.Optimizer)optim.RMSProp([p], c.Lr, c.Alpha, c.Eps, c.WeightDecay, c.Momentum, c.Centered, c.Maximize),
            "adamax" => optim.Adamax([p], c.Lr, c.Beta1, c.Beta2, c.Eps, c.WeightDecay),
            _ => optim.Adagrad([p], c.Lr, c.LrDecay, c.WeightDecay, c.InitialAccumulatorValue, c.Eps),
        }).ToArray();
        for (int s = 0; s < steps; s++)
            for (int j = 0; j < 2; j++)
            {
                if (j == 1 && !second[s]) continue;
                opts[j].zero_grad();
                (ps[j] * x[2 + j][s] * sign).sum().backward();
                opts[j].step();
            }
        return cat([ps[0].detach(), ps[1].detach()]);
    }
}
