using Pade.Training.Optim;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;
using TS = TorchSharp.torch.optim.lr_scheduler;

namespace Pade.Bench.Oracle;

/// <summary>
/// Learning-rate schedulers against TorchSharp's torch.optim.lr_scheduler: the same SGD param groups (1–3, different
/// rates) on both sides, the scheduler stepped N times, the rates after the constructor and after each step compared
/// as a [N + 1, groups] float64 tensor (the schedules only read the rates, so the parameters are dummies).
/// </summary>
/// <remarks>
/// TorchSharp 0.107 has no CosineAnnealingWarmRestarts (tested against its closed form in LRSchedulerTests only); its
/// OneCycleLR picks the last phase by the group's index instead of the phase's (<c>i == phases - 1</c>), so a second
/// group follows the wrong phase: OneCycleLR cases have one group. ChainedLR keeps no last rates, so the rates are
/// read from the optimizer's groups on both sides.
/// </remarks>
public static partial class OracleCases
{
    private sealed record SchedulerConfig(string Kind, double[] Lrs, int Steps, double A = 0, double B = 0, int I = 0, int J = 0,
        int[]? Milestones = null, string Mode = "", bool Flag = false, double[]? Metrics = null)
    {
        public override string ToString() =>
            $"{Kind} lrs [{string.Join(", ", Lrs)}] steps {Steps} a {A} b {B} i {I} j {J}" +
            (Milestones is null ? "" : $" milestones [{string.Join(",", Milestones)}]") + (Mode == "" ? "" : $" mode {Mode}") + (Flag ? " flag" : "");
    }

    private static void AddLrSchedulers(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 6007 + 71);
        string[] kinds = ["step", "multistep", "exponential", "cosine", "linear", "constant", "polynomial", "lambda", "multiplicative",
            "onecycle", "cyclic", "plateau", "sequential", "chained"];
        foreach (var kind in kinds)
            for (int i = 0; i < Math.Max(2, perFamily / 2); i++)
            {
                int groups = kind == "onecycle" ? 1 : g.Int(1, 3);
                var lrs = Enumerable.Range(0, groups).Select(_ => g.Pick(0.1, 0.05, 1.0, 0.3, 0.007)).ToArray();
                int steps = g.Int(1, 40);
                var c = kind switch
                {
                    "step" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.1, 0.5, 0.9), I: g.Int(1, 6)),
                    "multistep" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.1, 0.5, 0.9),
                        Milestones: Enumerable.Range(0, g.Int(1, 4)).Select(_ => g.Int(1, 30)).Distinct().Order().ToArray()),
                    "exponential" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.9, 0.99, 0.5)),
                    "cosine" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.0, 0.0, 1e-4, 0.001), I: g.Int(1, 20)),
                    "linear" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(1.0 / 3, 0.1, 0.5, 1.0), B: g.Pick(1.0, 0.5, 0.0), I: g.Int(1, 12)),
                    "constant" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(1.0 / 3, 0.1, 0.5), I: g.Int(1, 12)),
                    "polynomial" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(1.0, 2.0, 0.5, 0.9), I: g.Int(1, 20)),
                    "lambda" or "multiplicative" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.1, 0.05, 0.3)),
                    "onecycle" => new SchedulerConfig(kind, lrs, Math.Min(steps, 40 - 1), A: g.Pick(0.3, 0.25, 0.5), B: g.Pick(25.0, 10.0), I: 40,
                        Mode: g.Pick("cos", "linear"), Flag: g.Coin(0.4)),
                    "cyclic" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(1.0, 0.9, 0.99), I: g.Int(1, 6), J: g.Int(1, 6),
                        Mode: g.Pick("triangular", "triangular2", "exp_range")),
                    "plateau" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.1, 0.5), B: g.Pick(1e-4, 0.01, 0.1), I: g.Int(0, 3), J: g.Int(0, 2),
                        Mode: g.Pick("min", "max") + "/" + g.Pick("rel", "abs"),
                        Metrics: Enumerable.Range(0, steps).Select(t => Math.Round(1 + 0.3 * Math.Sin(t) - 0.01 * t + 0.05 * g.Int(0, 3), 3)).ToArray()),
                    "sequential" => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.1, 1.0 / 3, 0.5), B: g.Pick(0.9, 0.95), I: g.Int(1, 8), J: g.Int(1, 15)),
                    _ => new SchedulerConfig(kind, lrs, steps, A: g.Pick(0.1, 0.5), B: g.Pick(0.9, 0.95), I: g.Int(1, 8)),
                };
                cases.Add(new($"lr_scheduler {kind}", c.ToString(), [g.Input("dummy", [1], grad: false)],
                    _ => PadeSchedule(c), _ => TorchSchedule(c), Tolerance: 1e-13, Differentiable: false, Tolerance32: 1e-13));
            }
    }

    private static PTensor PadeSchedule(SchedulerConfig c)
    {
        var opt = new Sgd(c.Lrs.Select(lr => new ParamGroup([PTensor.Zeros(1)], lr)), momentum: 0.9);
        (string mode, string tmode) = c.Mode.Contains('/') ? (c.Mode.Split('/')[0], c.Mode.Split('/')[1]) : ("", "");
        LRScheduler s = c.Kind switch
        {
            "step" => new StepLR(opt, c.I, c.A),
            "multistep" => new MultiStepLR(opt, c.Milestones!, c.A),
            "exponential" => new ExponentialLR(opt, c.A),
            "cosine" => new CosineAnnealingLR(opt, c.I, c.A),
            "linear" => new LinearLR(opt, c.A, c.B, c.I),
            "constant" => new ConstantLR(opt, c.A, c.I),
            "polynomial" => new PolynomialLR(opt, c.I, c.A),
            "lambda" => new LambdaLR(opt, e => 1.0 / (1 + c.A * e)),
            "multiplicative" => new MultiplicativeLR(opt, e => 1 - c.A / (e + 1)),
            "onecycle" => new OneCycleLR(opt, c.Lrs[0], totalSteps: c.I, pctStart: c.A, annealStrategy: c.Mode, divFactor: c.B, threePhase: c.Flag),
            "cyclic" => new CyclicLR(opt, c.Lrs.Select(l => l / 10).ToArray(), c.Lrs, c.I, c.J, c.Mode, c.A),
            "plateau" => new ReduceLROnPlateau(opt, mode, c.A, c.I, c.B, tmode, c.J),
            "sequential" => new SequentialLR(opt, [new LinearLR(opt, c.A, 1.0, c.I), new ExponentialLR(opt, c.B)], [c.J]),
            _ => new ChainedScheduler([new ConstantLR(opt, c.A, c.I), new ExponentialLR(opt, c.B)]),
        };
        var rows = new List<double>(opt.Groups.Select(gr => gr.Lr));
        for (int t = 0; t < c.Steps; t++)
        {
            if (s is ReduceLROnPlateau p) p.Step(c.Metrics![t]); else s.Step();
            rows.AddRange(opt.Groups.Select(gr => gr.Lr));
        }
        return PTensor.FromArray(rows.ToArray(), c.Steps + 1, c.Lrs.Length);
    }

    private static TTensor TorchSchedule(SchedulerConfig c)
    {
        var groups = c.Lrs.Select(lr => new TorchSharp.Modules.SGD.ParamGroup(
            [new TorchSharp.Modules.Parameter(zeros(1, dtype: float64), true)], lr: lr, momentum: 0.9)).ToArray();
        var opt = optim.SGD(groups, c.Lrs[0], momentum: 0.9);
        (string mode, string tmode) = c.Mode.Contains('/') ? (c.Mode.Split('/')[0], c.Mode.Split('/')[1]) : ("", "");
        TS.LRScheduler s = c.Kind switch
        {
            "step" => TS.StepLR(opt, c.I, c.A),
            "multistep" => TS.MultiStepLR(opt, c.Milestones!, c.A),
            "exponential" => TS.ExponentialLR(opt, c.A),
            "cosine" => TS.CosineAnnealingLR(opt, c.I, c.A),
            "linear" => TS.LinearLR(opt, c.A, c.B, c.I),
            "constant" => TS.ConstantLR(opt, c.A, c.I),
            "polynomial" => TS.PolynomialLR(opt, c.I, c.A),
            "lambda" => TS.LambdaLR(opt, e => 1.0 / (1 + c.A * e)),
            "multiplicative" => TS.MultiplicativeLR(opt, e => 1 - c.A / (e + 1)),
            "onecycle" => TS.OneCycleLR(opt, c.Lrs[0], total_steps: c.I, pct_start: c.A,
                anneal_strategy: c.Mode == "cos" ? TS.impl.OneCycleLR.AnnealStrategy.Cos : TS.impl.OneCycleLR.AnnealStrategy.Linear,
                div_factor: c.B, three_phase: c.Flag),
            "cyclic" => TS.CyclicLR(opt, c.Lrs.Select(l => l / 10).ToArray(), c.Lrs, c.I, c.J, c.Mode switch
            {
                "triangular" => TS.impl.CyclicLR.Mode.Triangular,
                "triangular2" => TS.impl.CyclicLR.Mode.Triangular2,
                _ => TS.impl.CyclicLR.Mode.ExpRange,
            }, c.A),
            "plateau" => TS.ReduceLROnPlateau(opt, mode, c.A, c.I, c.B, tmode, c.J),
            "sequential" => TS.SequentialLR(opt, [TS.LinearLR(opt, c.A, 1.0, c.I), TS.ExponentialLR(opt, c.B)], [c.J]),
            _ => TS.ChainedLR([TS.ConstantLR(opt, c.A, c.I), TS.ExponentialLR(opt, c.B)]),
        };
        var rows = new List<double>(opt.ParamGroups.Select(gr => gr.LearningRate));
        for (int t = 0; t < c.Steps; t++)
        {
            if (c.Kind == "plateau") s.step(c.Metrics![t]); else s.step();
            rows.AddRange(opt.ParamGroups.Select(gr => gr.LearningRate));
        }
        return tensor(rows.ToArray(), [c.Steps + 1, c.Lrs.Length], float64);
    }
}
