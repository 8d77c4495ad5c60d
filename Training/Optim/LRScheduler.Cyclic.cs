namespace Pade.Training.Optim;

/// <summary>
/// The momentum a cyclic scheduler cycles inversely to the rate: SGD's and RMSprop's momentum (PyTorch's group
/// "momentum"), Adam's, AdamW's, Adamax's, NAdam's and RAdam's β₁ (PyTorch's betas[0]); Adagrad, Adadelta, ASGD,
/// Rprop and LBFGS have neither, as in PyTorch. Pade keeps
/// momentum per optimizer, not per group, so the cycled momentum is one number (scalar base/max momentum).
/// </summary>
internal static class CycledMomentum
{
    public static void Check(Optimizer optimizer)
    {
        if (optimizer is not (Sgd or RMSprop or Adam or Adamax or NAdam or RAdam))
            throw new ArgumentException("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
    }

    public static void Set(Optimizer optimizer, double momentum)
    {
        switch (optimizer)
        {
            case Sgd s: s.Momentum = momentum; break;
            case RMSprop r: r.Momentum = momentum; break;
            case Adam a: a.Beta1 = momentum; break;
            case Adamax x: x.Beta1 = momentum; break;
            case NAdam n: n.Beta1 = momentum; break;
            case RAdam r: r.Beta1 = momentum; break;
        }
    }

    public static double Get(Optimizer optimizer) => optimizer switch
    {
        Sgd s => s.Momentum,
        RMSprop r => r.Momentum,
        Adam a => a.Beta1,
        Adamax x => x.Beta1,
        NAdam n => n.Beta1,
        RAdam r => r.Beta1,
        _ => double.NaN,
    };
}

/// <summary>
/// A scheduler that may cycle the momentum inversely to the rate (OneCycleLR, CyclicLR): the momentum starts at
/// max_momentum and, being the optimizer's and not a group's, is saved in the scheduler's state.
/// </summary>
public abstract class MomentumCyclingLR(Optimizer optimizer) : LRScheduler(optimizer)
{
    public bool CycleMomentum { get; private set; }

    /// <summary>Checks that the optimizer has a momentum (or β₁) to cycle and sets it to <paramref name="maxMomentum"/>.</summary>
    protected void StartMomentum(bool cycleMomentum, double maxMomentum)
    {
        CycleMomentum = cycleMomentum;
        if (!cycleMomentum) return;
        CycledMomentum.Check(Optimizer);
        CycledMomentum.Set(Optimizer, maxMomentum);
    }

    public override Dictionary<string, double[]> StateDict()
    {
        var s = base.StateDict();
        if (CycleMomentum) s["momentum"] = [CycledMomentum.Get(Optimizer)];
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        base.LoadStateDict(state);
        if (CycleMomentum) CycledMomentum.Set(Optimizer, Get(state, "momentum")[0]);
    }
}

/// <summary>
/// The 1cycle policy (PyTorch's OneCycleLR): from max_lr/divFactor up to max_lr over pctStart of the steps, then
/// down to initial/finalDivFactor (threePhase: back to the initial rate symmetrically, then down), cosine or
/// linear; momentum (β₁ for Adam) cycled inversely between maxMomentum and baseMomentum. Stepped once per batch;
/// stepping past totalSteps fails as in PyTorch. Not chainable: it sets each group's
/// <see cref="ParamGroup.InitialLr"/> to max_lr/divFactor, as PyTorch sets initial_lr.
/// </summary>
public sealed class OneCycleLR : MomentumCyclingLR
{
    private sealed record Phase(double EndStep, int StartLr, int EndLr, int StartMomentum, int EndMomentum);

    // Phase ends name these rates and momentums (PyTorch keeps them in the group under these names).
    private const int Initial = 0, Max = 1, Min = 2, MaxMomentumIndex = 0, BaseMomentumIndex = 1;
    private readonly Phase[] _phases;
    private readonly double[][] _lrs; // per group: initial_lr, max_lr, min_lr
    private readonly double[] _momentums; // max_momentum, base_momentum

    public OneCycleLR(Optimizer optimizer, double maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true, double baseMomentum = 0.85,
        double maxMomentum = 0.95, double divFactor = 25.0, double finalDivFactor = 1e4, bool threePhase = false)
        : this(optimizer, [maxLr], totalSteps, epochs, stepsPerEpoch, pctStart, annealStrategy, cycleMomentum, baseMomentum,
            maxMomentum, divFactor, finalDivFactor, threePhase) { }

    /// <summary>With one max_lr per param group.</summary>
    public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true, double baseMomentum = 0.85,
        double maxMomentum = 0.95, double divFactor = 25.0, double finalDivFactor = 1e4, bool threePhase = false) : base(optimizer)
    {
        if (totalSteps is int total)
        {
            if (total <= 0) throw new ArgumentException($"Expected positive integer total_steps, but got {total}");
            TotalSteps = total;
        }
        else if (epochs is int e && stepsPerEpoch is int spe)
        {
            if (e <= 0) throw new ArgumentException($"Expected positive integer epochs, but got {e}");
            if (spe <= 0) throw new ArgumentException($"Expected positive integer steps_per_epoch, but got {spe}");
            TotalSteps = e * spe;
        }
        else throw new ArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch)");

        _phases = threePhase
            ?
            [
                new((double)(pctStart * TotalSteps) - 1, Initial, Max, MaxMomentumIndex, BaseMomentumIndex),
                new((double)(2 * pctStart * TotalSteps) - 2, Max, Initial, BaseMomentumIndex, MaxMomentumIndex),
                new(TotalSteps - 1, Initial, Min, MaxMomentumIndex, MaxMomentumIndex),
            ]
            :
            [
                new((double)(pctStart * TotalSteps) - 1, Initial, Max, MaxMomentumIndex, BaseMomentumIndex),
                new(TotalSteps - 1, Max, Min, BaseMomentumIndex, MaxMomentumIndex),
            ];
        if (pctStart < 0 || pctStart > 1 || double.IsNaN(pctStart)) throw new ArgumentException($"Expected float between 0 and 1 pct_start, but got {pctStart}");
        if (annealStrategy is not ("cos" or "linear"))
            throw new ArgumentException($"anneal_strategy must be one of 'cos' or 'linear', instead got {annealStrategy}");
        AnnealStrategy = annealStrategy;

        var maxLrs = PerGroup("max_lr", optimizer, maxLr);
        _lrs = new double[Groups.Count][];
        for (int i = 0; i < Groups.Count; i++)
        {
            double initial = maxLrs[i] / divFactor;
            _lrs[i] = [initial, maxLrs[i], initial / finalDivFactor];
            Groups[i].InitialLr = initial;
        }
        BaseLrs = _lrs.Select(l => l[Initial]).ToArray();

        _momentums = [maxMomentum, baseMomentum];
        StartMomentum(cycleMomentum, maxMomentum);
        InitialStep();
    }

    public int TotalSteps { get; }
    public string AnnealStrategy { get; }

    private double Anneal(double start, double end, double pct) =>
        AnnealStrategy == "cos" ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1) : (end - start) * pct + start;

    protected override double[] GetLr()
    {
        int stepNum = LastEpoch;
        if (stepNum > TotalSteps) throw new InvalidOperationException($"Tried to step {stepNum} times. The specified number of total steps is {TotalSteps}");
        var lrs = new double[Groups.Count];
        double momentum = double.NaN;
        for (int g = 0; g < Groups.Count; g++)
        {
            double startStep = 0.0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (stepNum <= phase.EndStep || i == _phases.Length - 1)
                {
                    if (phase.EndStep - startStep == 0)
                        throw new InvalidOperationException($"OneCycleLR: phase {i + 1} has no steps (it ends at step {phase.EndStep} where it starts; " +
                            $"total_steps {TotalSteps} is too small for this pct_start): PyTorch fails here with a ZeroDivisionError");
                    double pct = (stepNum - startStep) / (phase.EndStep - startStep);
                    lrs[g] = Anneal(_lrs[g][phase.StartLr], _lrs[g][phase.EndLr], pct);
                    momentum = Anneal(_momentums[phase.StartMomentum], _momentums[phase.EndMomentum], pct);
                    break;
                }
                startStep = phase.EndStep;
            }
        }
        if (CycleMomentum) CycledMomentum.Set(Optimizer, momentum);
        return lrs;
    }
}

/// <summary>
/// Cyclical learning rates (PyTorch's CyclicLR, Smith 2017): between baseLr and maxLr in cycles of stepSizeUp +
/// stepSizeDown steps; the amplitude scaled per cycle ("triangular": 1, "triangular2": halved each cycle) or per
/// step ("exp_range": γ^step), or by a custom scaleFn of the cycle or the step (scaleMode). Momentum is cycled
/// inversely between maxMomentum and baseMomentum. Stepped once per batch; the constructor sets the groups' rates to baseLr.
/// </summary>
public sealed class CyclicLR : MomentumCyclingLR
{
    private readonly double[] _maxLrs;
    private readonly Func<double, double> _scaleFn;

    public CyclicLR(Optimizer optimizer, double baseLr, double maxLr, int stepSizeUp = 2000, int? stepSizeDown = null,
        string mode = "triangular", double gamma = 1.0, Func<double, double>? scaleFn = null, string scaleMode = "cycle",
        bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9)
        : this(optimizer, [baseLr], [maxLr], stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum) { }

    /// <summary>With one base_lr and max_lr per param group.</summary>
    public CyclicLR(Optimizer optimizer, IReadOnlyList<double> baseLr, IReadOnlyList<double> maxLr, int stepSizeUp = 2000, int? stepSizeDown = null,
        string mode = "triangular", double gamma = 1.0, Func<double, double>? scaleFn = null, string scaleMode = "cycle",
        bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9) : base(optimizer)
    {
        var baseLrs = PerGroup("base_lr", optimizer, baseLr);
        for (int i = 0; i < Groups.Count; i++) Groups[i].Lr = baseLrs[i];
        _maxLrs = PerGroup("max_lr", optimizer, maxLr);
        double up = stepSizeUp, down = stepSizeDown ?? up;
        TotalSize = up + down;
        StepRatio = up / TotalSize;
        if (mode is not ("triangular" or "triangular2" or "exp_range") && scaleFn is null) throw new ArgumentException("mode is invalid and scale_fn is None");
        Mode = mode; Gamma = gamma;
        if (scaleFn is not null)
        {
            if (scaleMode is not ("cycle" or "iterations")) throw new ArgumentException($"scale_mode must be 'cycle' or 'iterations', got '{scaleMode}'");
            _scaleFn = scaleFn; ScaleMode = scaleMode;
        }
        else
            (_scaleFn, ScaleMode) = mode switch
            {
                "triangular" => ((Func<double, double>)(_ => 1.0), "cycle"),
                "triangular2" => (x => 1 / Math.Pow(2.0, x - 1), "cycle"),
                _ => (x => Math.Pow(gamma, x), "iterations"),
            };
        BaseMomentum = baseMomentum; MaxMomentum = maxMomentum;
        StartMomentum(cycleMomentum, maxMomentum);
        BaseLrs = baseLrs;
        InitialStep();
    }

    public double TotalSize { get; }
    public double StepRatio { get; }
    public string Mode { get; }
    public double Gamma { get; }
    public string ScaleMode { get; }
    public double BaseMomentum { get; }
    public double MaxMomentum { get; }

    protected override double[] GetLr()
    {
        double cycle = Math.Floor(1 + LastEpoch / TotalSize);
        double x = 1.0 + LastEpoch / TotalSize - cycle;
        double scaleFactor = x <= StepRatio ? x / StepRatio : (x - 1) / (StepRatio - 1);
        double scale = _scaleFn(ScaleMode == "cycle" ? cycle : LastEpoch);
        var lrs = BaseLrs.Select((b, i) => b + (_maxLrs[i] - b) * scaleFactor * scale).ToArray();
        if (CycleMomentum) CycledMomentum.Set(Optimizer, MaxMomentum - (MaxMomentum - BaseMomentum) * scaleFactor * scale);
        return lrs;
    }
}

/// <summary>
/// Cosine annealing with warm restarts (PyTorch's CosineAnnealingWarmRestarts, SGDR): η_min + (base − η_min)(1 +
/// cos(π T_cur/T_i))/2, T_cur back to 0 after T_i steps and T_i multiplied by tMult. <see cref="Step(double)"/> takes a
/// fractional epoch (epoch + batch/batches), as PyTorch's step(epoch).
/// </summary>
public sealed class CosineAnnealingWarmRestarts : LRScheduler
{
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, double etaMin = 0.0) : base(optimizer)
    {
        if (t0 <= 0) throw new ArgumentException($"Expected positive integer T_0, but got {t0}");
        if (tMult < 1) throw new ArgumentException($"Expected integer T_mult >= 1, but got {tMult}");
        T0 = t0; TI = t0; TMult = tMult; EtaMin = etaMin; TCur = -1;
        InitialStep();
    }

    public int T0 { get; }
    public int TMult { get; }
    public double EtaMin { get; }

    /// <summary>The length of the current cycle (PyTorch's T_i).</summary>
    public int TI { get; private set; }

    /// <summary>The steps since the last restart (PyTorch's T_cur), fractional after <see cref="Step(double)"/>.</summary>
    public double TCur { get; private set; }

    protected override double[] GetLr() =>
        BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * TCur / TI)) / 2).ToArray();

    public override void Step()
    {
        if (LastEpoch < 0) { Step(0.0); return; }
        StepCount++;
        TCur += 1;
        if (TCur >= TI)
        {
            TCur %= TI;
            TI *= TMult;
        }
        LastEpoch++;
        Apply();
    }

    /// <summary>Jumps to a (fractional) epoch: T_cur and T_i follow from it.</summary>
    public void Step(double epoch)
    {
        StepCount++;
        if (epoch < 0) throw new ArgumentException($"Expected non-negative epoch, but got {epoch}");
        if (epoch >= T0)
        {
            if (TMult == 1) TCur = epoch % T0;
            else
            {
                int n = (int)(Math.Log(epoch / T0 * (TMult - 1) + 1) / Math.Log(TMult));
                TCur = epoch - T0 * (Math.Pow(TMult, n) - 1) / (TMult - 1);
                TI = T0 * (int)Math.Pow(TMult, n);
            }
        }
        else
        {
            TI = T0;
            TCur = epoch;
        }
        LastEpoch = (int)Math.Floor(epoch);
        Apply();
    }

    private void Apply()
    {
        var lrs = GetLr();
        for (int i = 0; i < Groups.Count; i++) Groups[i].Lr = lrs[i];
        RecordLastLr();
    }

    public override Dictionary<string, double[]> StateDict()
    {
        var s = base.StateDict();
        s["T_i"] = [TI];
        s["T_cur"] = [TCur];
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        base.LoadStateDict(state);
        TI = (int)Get(state, "T_i")[0];
        TCur = Get(state, "T_cur")[0];
    }
}
