using Pade.Training.Optim;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// Adadelta, NAdam, RAdam, ASGD and Rprop against TorchSharp's torch.optim, as the adaptive optimizers' cases: two
/// parameters, random options and steps, the second parameter without a gradient on some steps; and LBFGS (no line
/// search, which is all TorchSharp exposes) minimising a fixed random quadratic and the Rosenbrock function.
/// </summary>
/// <remarks>
/// As in OracleCases.AdaptiveOptim, each parameter has an optimizer of its own on the torch side (TorchSharp's
/// zero_grad zeroes instead of dropping a gradient). TorchSharp 0.107 lacks some of torch.optim's options, so the
/// torch side gets their effect by hand: NAdam and RAdam have no <c>maximize</c> (the gradient is negated, which is
/// all maximize does) and no <c>decoupled_weight_decay</c> (the parameter is multiplied by 1 − lr·weight_decay
/// before the step with weight_decay 0 there, which is what PyTorch's decoupled branch does first). TorchSharp's
/// RAdam multiplies the rectified step by lr twice (t6 = m̂·lr, then t6·lr·…; PyTorch multiplies once): its cases
/// use lr = 1, where both agree, or β₂ ≤ 2/3, where ρ∞ ≤ 5 and the rectified branch never runs.
/// </remarks>
public static partial class OracleCases
{
    private sealed record Optim2Config(string Kind, double Lr, double WeightDecay, bool Maximize, double Rho = 0.9, double Eps = 1e-6,
        double Beta1 = 0.9, double Beta2 = 0.999, double MomentumDecay = 4e-3, bool Decoupled = false, double Lambd = 1e-4, double Alpha = 0.75,
        double T0 = 1e6, double EtaMinus = 0.5, double EtaPlus = 1.2, double StepMin = 1e-6, double StepMax = 50)
    {
        public override string ToString() => Kind switch
        {
            "adadelta" => $"adadelta lr {Lr} rho {Rho} eps {Eps} weight_decay {WeightDecay}{(Maximize ? " maximize" : "")}",
            "nadam" => $"nadam lr {Lr} betas ({Beta1}, {Beta2}) eps {Eps} weight_decay {WeightDecay} momentum_decay {MomentumDecay}{(Decoupled ? " decoupled" : "")}{(Maximize ? " maximize" : "")}",
            "radam" => $"radam lr {Lr} betas ({Beta1}, {Beta2}) eps {Eps} weight_decay {WeightDecay}{(Decoupled ? " decoupled" : "")}{(Maximize ? " maximize" : "")}",
            "asgd" => $"asgd lr {Lr} lambd {Lambd} alpha {Alpha} t0 {T0} weight_decay {WeightDecay}{(Maximize ? " maximize" : "")}",
            _ => $"rprop lr {Lr} etas ({EtaMinus}, {EtaPlus}) step_sizes ({StepMin}, {StepMax}){(Maximize ? " maximize" : "")}",
        };
    }

    private static void AddOptimizers2(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of its own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7933 + 61);
        foreach (var kind in (string[])["adadelta", "nadam", "radam", "asgd", "rprop"])
            for (int i = 0; i < perFamily * 2; i++)
            {
                double wd = g.Pick(0, 0, 0.01, 0.1);
                bool maximize = g.Coin(0.3);
                int maxSteps = 6;
                var c = kind switch
                {
                    "adadelta" => new Optim2Config(kind, g.Pick(1.0, 0.1, 0.01), wd, maximize, Rho: g.Pick(0.9, 0.5, 0.99), Eps: g.Pick(1e-6, 1e-3)),
                    "nadam" => new Optim2Config(kind, g.Pick(2e-3, 0.01, 0.1), wd, maximize, Eps: g.Pick(1e-8, 1e-3), Beta1: g.Pick(0.9, 0.5),
                        Beta2: g.Pick(0.999, 0.9), MomentumDecay: g.Pick(4e-3, 0.1), Decoupled: g.Coin()),
                    "radam" => RAdamConfig(g, wd, maximize),
                    "asgd" => new Optim2Config(kind, g.Pick(0.01, 0.1), wd, maximize, Lambd: g.Pick(1e-4, 0.1), Alpha: g.Pick(0.75, 0.5),
                        T0: g.Pick(1e6, 0.0, 2.0)),
                    _ => new Optim2Config(kind, g.Pick(0.01, 0.1), 0, maximize, EtaMinus: g.Pick(0.5, 0.3), EtaPlus: g.Pick(1.2, 1.5),
                        StepMin: g.Pick(1e-6, 5e-3), StepMax: g.Pick(50.0, 0.05)),
                };
                if (kind == "radam") maxSteps = 10;
                int n1 = g.Int(1, 6), n2 = g.Int(1, 4), steps = g.Int(1, maxSteps);
                var second = Enumerable.Range(0, steps).Select(_ => g.Coin(0.7)).ToArray();
                cases.Add(Optim2Case(g, c, n1, n2, steps, second));
            }
        for (int i = 0; i < perFamily; i++)
        {
            cases.Add(LbfgsQuadraticCase(g, g.Int(2, 6), g.Pick(1.0, 0.5), g.Pick(5, 20), g.Pick(3, 100), g.Int(1, 3)));
            cases.Add(LbfgsRosenbrockCase(g, g.Pick(0.01, 0.05), g.Pick(5, 20), g.Pick(3, 100), g.Int(1, 3)));
        }
    }

    /// <summary>lr = 1 with a β₂ whose ρ∞ passes 5, or any lr with β₂ ≤ 2/3 (see the remarks).</summary>
    private static Optim2Config RAdamConfig(OracleGen g, double wd, bool maximize)
    {
        bool rectified = g.Coin();
        return new Optim2Config("radam", rectified ? 1.0 : g.Pick(1e-3, 0.01, 0.1), wd, maximize, Eps: g.Pick(1e-8, 1e-3), Beta1: g.Pick(0.9, 0.5),
            Beta2: rectified ? g.Pick(0.999, 0.9, 0.95) : g.Pick(0.5, 0.6), Decoupled: g.Coin());
    }

    private static OracleCase Optim2Case(OracleGen g, Optim2Config c, int n1, int n2, int steps, bool[] second)
    {
        OracleInput[] inputs =
        [
            g.Input("p1", [n1], grad: false), g.Input("p2", [n2], grad: false),
            g.Input("g1", [steps, n1], grad: false), g.Input("g2", [steps, n2], grad: false),
        ];
        var mask = string.Concat(second.Select(b => b ? '1' : '0'));
        return new($"optim {c.Kind}", $"{c} params [{n1}] [{n2}] steps {steps} p2 gradient on {mask}", inputs,
            x => Optim2Pade(c, x, steps, second), x => Optim2Torch(c, x, steps, second), Differentiable: false, Tolerance32: 1e-3);
    }

    private static PTensor Optim2Pade(Optim2Config c, PTensor[] x, int steps, bool[] second)
    {
        var ps = new[] { x[0].Clone().Detach(), x[1].Clone().Detach() };
        foreach (var p in ps) p.RequiresGrad = true;
        var group = new ParamGroup(ps, c.Lr, c.WeightDecay);
        Optimizer opt = c.Kind switch
        {
            "adadelta" => new Adadelta([group], c.Rho, c.Eps, c.Maximize),
            "nadam" => new NAdam([group], c.Beta1, c.Beta2, c.Eps, c.MomentumDecay, c.Decoupled, c.Maximize),
            "radam" => new RAdam([group], c.Beta1, c.Beta2, c.Eps, c.Decoupled, c.Maximize),
            "asgd" => new ASGD([group], c.Lambd, c.Alpha, c.T0, c.Maximize),
            _ => new Rprop([group], (c.EtaMinus, c.EtaPlus), (c.StepMin, c.StepMax), c.Maximize),
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

    private static TTensor Optim2Torch(Optim2Config c, TTensor[] x, int steps, bool[] second)
    {
        var ps = new[] { new TorchSharp.Modules.Parameter(x[0].clone().detach(), true), new TorchSharp.Modules.Parameter(x[1].clone().detach(), true) };
        // NAdam's and RAdam's maximize through the negated gradient, decoupled weight decay by hand (see the remarks).
        bool byHand = c.Kind is "nadam" or "radam";
        double sign = byHand && c.Maximize ? -1 : 1;
        double wd = byHand && c.Decoupled ? 0 : c.WeightDecay;
        var opts = ps.Select(p => c.Kind switch
        {
            "adadelta" => (optim.Optimizer)optim.Adadelta([p], c.Lr, c.Rho, c.Eps, c.WeightDecay, c.Maximize),
            "nadam" => optim.NAdam([p], c.Lr, c.Beta1, c.Beta2, c.Eps, wd, c.MomentumDecay),
            "radam" => optim.RAdam([p], c.Lr, c.Beta1, c.Beta2, c.Eps, wd),
            "asgd" => optim.ASGD([p], c.Lr, c.Lambd, c.Alpha, c.T0, c.WeightDecay, c.Maximize),
            _ => optim.Rprop([p], c.Lr, c.EtaMinus, c.EtaPlus, c.StepMin, c.StepMax, c.Maximize),
        }).ToArray();
        for (int s = 0; s < steps; s++)
            for (int j = 0; j < 2; j++)
            {
                if (j == 1 && !second[s]) continue;
                opts[j].zero_grad();
                (ps[j] * x[2 + j][s] * sign).sum().backward();
                if (byHand && c.Decoupled && c.WeightDecay != 0)
                    using (no_grad()) ps[j].mul_(1 - c.Lr * c.WeightDecay);
                opts[j].step();
            }
        return cat([ps[0].detach(), ps[1].detach()]);
    }

    /// <summary>LBFGS on ½xᵀAx − bᵀx with A = MᵀM + I, a few steps of up to max_iter iterations each.</summary>
    private static OracleCase LbfgsQuadraticCase(OracleGen g, int n, double lr, int maxIter, int history, int steps)
    {
        OracleInput[] inputs = [g.Input("x0", [n], grad: false), g.Input("m", [n, n], grad: false), g.Input("b", [n], grad: false)];
        string config = $"lbfgs quadratic n {n} lr {lr} max_iter {maxIter} history_size {history} steps {steps}";
        return new("optim lbfgs", config, inputs,
            x =>
            {
                var a = PTensor.MatMul(x[1].Transpose(0, 1), x[1]) + PTensor.FromArray(Enumerable.Range(0, n * n).Select(k => k % (n + 1) == 0 ? 1.0 : 0.0).ToArray(), n, n).To(x[1].DType);
                return LbfgsPade(x[0], lr, maxIter, history, steps, p => (p * (PTensor.MatMul(a, p.Reshape(n, 1)).Reshape(n)) * 0.5 - x[2] * p).Sum());
            },
            x =>
            {
                var a = matmul(x[1].t(), x[1]) + eye(n, dtype: x[1].dtype);
                return LbfgsTorch(x[0], lr, maxIter, history, steps, p => (p * matmul(a, p.reshape(n, 1)).reshape(n) * 0.5 - x[2] * p).sum());
            }, Differentiable: false, Tolerance: 1e-8, Tolerance32: 2e-3);
    }

    /// <summary>LBFGS on Rosenbrock's (1 − x)² + 100(y − x²)² from a random start, small steps (no line search).</summary>
    private static OracleCase LbfgsRosenbrockCase(OracleGen g, double lr, int maxIter, int history, int steps)
    {
        OracleInput[] inputs = [g.Input("x0", [2], lo: -1.5, hi: 1.5, grad: false)];
        string config = $"lbfgs rosenbrock lr {lr} max_iter {maxIter} history_size {history} steps {steps}";
        return new("optim lbfgs", config, inputs,
            x => LbfgsPade(x[0], lr, maxIter, history, steps, p =>
            {
                var u = p.Narrow(0, 0, 1); var v = p.Narrow(0, 1, 1);
                return ((1.0 - u) * (1.0 - u) + (v - u * u) * (v - u * u) * 100.0).Sum();
            }),
            x => LbfgsTorch(x[0], lr, maxIter, history, steps, p =>
            {
                var u = p[0]; var v = p[1];
                return (1.0 - u) * (1.0 - u) + (v - u * u) * (v - u * u) * 100.0;
            }), Differentiable: false, Tolerance: 1e-8, Tolerance32: 2e-3);
    }

    private static PTensor LbfgsPade(PTensor x0, double lr, int maxIter, int history, int steps, Func<PTensor, PTensor> f)
    {
        var p = x0.Clone().Detach();
        p.RequiresGrad = true;
        var opt = new LBFGS([p], lr, maxIter, historySize: history, toleranceGrad: 1e-7, toleranceChange: 1e-9);
        for (int s = 0; s < steps; s++)
            opt.Step(() =>
            {
                opt.ZeroGrad();
                var loss = f(p);
                loss.Backward();
                return loss;
            });
        return p.Detach();
    }

    private static TTensor LbfgsTorch(TTensor x0, double lr, int maxIter, int history, int steps, Func<TTensor, TTensor> f)
    {
        var p = new TorchSharp.Modules.Parameter(x0.clone().detach(), true);
        var opt = optim.LBFGS([p], lr, maxIter, null, 1e-7, 1e-9, history);
        for (int s = 0; s < steps; s++)
            opt.step(() =>
            {
                opt.zero_grad();
                var loss = f(p);
                loss.backward();
                return loss;
            });
        return p.detach();
    }
}
