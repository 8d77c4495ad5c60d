namespace Pade.Training.Optim;

/// <summary>
/// Lowers the rates by <c>factor</c> when a metric has stopped improving for <c>patience</c> steps (PyTorch's
/// ReduceLROnPlateau): stepped with the metric, <see cref="Step(double)"/>; improvement is relative or absolute
/// (thresholdMode) beyond <c>threshold</c>; after a reduction <c>cooldown</c> steps ignore bad epochs; a rate never
/// goes below its minLr, and a change smaller than eps is skipped.
/// </summary>
public sealed class ReduceLROnPlateau : LRScheduler
{
    private readonly double[] _minLrs;

    public ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
        string thresholdMode = "rel", int cooldown = 0, double minLr = 0, double eps = 1e-8)
        : this(optimizer, [minLr], mode, factor, patience, threshold, thresholdMode, cooldown, eps) { }

    /// <summary>With one minimum rate per param group.</summary>
    public ReduceLROnPlateau(Optimizer optimizer, IReadOnlyList<double> minLr, string mode = "min", double factor = 0.1, int patience = 10,
        double threshold = 1e-4, string thresholdMode = "rel", int cooldown = 0, double eps = 1e-8) : base(optimizer)
    {
        if (factor >= 1.0) throw new ArgumentException("Factor should be < 1.0.");
        if (minLr.Count != 1 && minLr.Count != optimizer.Groups.Count)
            throw new ArgumentException($"expected {optimizer.Groups.Count} min_lrs, got {minLr.Count}");
        if (mode is not ("min" or "max")) throw new ArgumentException("mode " + mode + " is unknown!");
        if (thresholdMode is not ("rel" or "abs")) throw new ArgumentException("threshold mode " + thresholdMode + " is unknown!");
        _minLrs = PerGroup("min_lr", optimizer, minLr);
        Factor = factor; Patience = patience; Threshold = threshold; ThresholdMode = thresholdMode; Cooldown = cooldown; Eps = eps; Mode = mode;
        LastEpoch = 0;
        Best = ModeWorse;
    }

    public string Mode { get; }
    public double Factor { get; }
    public int Patience { get; }
    public double Threshold { get; }
    public string ThresholdMode { get; }
    public int Cooldown { get; }
    public double Eps { get; }
    public IReadOnlyList<double> MinLrs => _minLrs;

    /// <summary>The best metric so far (+∞ in min mode before the first step, −∞ in max mode).</summary>
    public double Best { get; private set; }
    public int NumBadEpochs { get; private set; }
    public int CooldownCounter { get; private set; }
    public bool InCooldown => CooldownCounter > 0;

    private double ModeWorse => Mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>Not stepped without the metric: PyTorch's step takes it as its required argument.</summary>
    public override void Step() =>
        throw new InvalidOperationException("ReduceLROnPlateau.Step needs the metric: call Step(metrics) after validating");

    /// <summary>One epoch's metric as a one-element tensor (PyTorch's float(metrics) of a 0-d tensor).</summary>
    public void Step(Pade.Engine.Tensor metrics) => Step(metrics.Item());

    /// <summary>One epoch's metric (the validation loss, say).</summary>
    public void Step(double metrics)
    {
        double current = metrics;
        int epoch = LastEpoch + 1;
        LastEpoch = epoch;
        if (IsBetter(current, Best))
        {
            Best = current;
            NumBadEpochs = 0;
        }
        else NumBadEpochs++;

        if (InCooldown)
        {
            CooldownCounter--;
            NumBadEpochs = 0; // bad epochs in cooldown do not count
        }
        if (NumBadEpochs > Patience)
        {
            ReduceLr();
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        RecordLastLr();
    }

    private void ReduceLr()
    {
        for (int i = 0; i < Groups.Count; i++)
        {
            double oldLr = Groups[i].Lr;
            double newLr = Math.Max(oldLr * Factor, _minLrs[i]);
            if (oldLr - newLr > Eps) Groups[i].Lr = newLr;
        }
    }

    private bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        ("min", "rel") => a < best * (1.0 - Threshold),
        ("min", _) => a < best - Threshold,
        (_, "rel") => a > best * (Threshold + 1.0),
        _ => a > best + Threshold,
    };

    protected override double[] GetLr() => Current();

    public override Dictionary<string, double[]> StateDict()
    {
        var s = base.StateDict();
        s["best"] = [Best];
        s["num_bad_epochs"] = [NumBadEpochs];
        s["cooldown_counter"] = [CooldownCounter];
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        base.LoadStateDict(state);
        Best = Get(state, "best")[0];
        NumBadEpochs = (int)Get(state, "num_bad_epochs")[0];
        CooldownCounter = (int)Get(state, "cooldown_counter")[0];
    }
}

/// <summary>Shared checks and state of the schedulers made of schedulers.</summary>
public abstract class CompositeScheduler : LRScheduler
{
    private protected CompositeScheduler(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, string emptyMessage) : base(optimizer)
    {
        if (schedulers.Count < 1) throw new ArgumentException($"{GetType().Name} {emptyMessage}");
        for (int i = 0; i < schedulers.Count; i++)
        {
            var s = schedulers[i];
            if (s is ReduceLROnPlateau)
                throw new ArgumentException($"{GetType().Name} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index {i} in the given schedulers sequence.");
            if (!ReferenceEquals(s.Optimizer, optimizer))
                throw new ArgumentException($"{GetType().Name} expects all schedulers to belong to the same optimizer, but got scheduler {s.GetType().Name} at index {i} has another optimizer, which is different from {optimizer.GetType().Name}.");
        }
        Schedulers = schedulers.ToArray();
    }

    public IReadOnlyList<LRScheduler> Schedulers { get; }

    protected override double[] GetLr() => throw new NotSupportedException($"{GetType().Name} steps its schedulers");

    /// <summary>Its own state and each scheduler's under "_schedulers.i.".</summary>
    public override Dictionary<string, double[]> StateDict()
    {
        var s = base.StateDict();
        for (int i = 0; i < Schedulers.Count; i++)
            foreach (var (k, v) in Schedulers[i].StateDict()) s[$"_schedulers.{i}.{k}"] = v;
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        for (int i = 0; i < Schedulers.Count; i++)
        {
            string prefix = $"_schedulers.{i}.";
            Schedulers[i].LoadStateDict(state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
        }
        base.LoadStateDict(state); // the groups' rates last: the composite's own last rates
    }
}

/// <summary>
/// Schedulers one after the other (PyTorch's SequentialLR): scheduler i runs from milestone i−1 on, restarted at
/// its milestone from its closed form at epoch 0. The constructor undoes the initial steps the schedulers took,
/// resets the rates to the initial ones and performs the first scheduler's initial step, as PyTorch does.
/// </summary>
public sealed class SequentialLR : CompositeScheduler
{
    private readonly int[] _milestones;

    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones)
        : base(optimizer, schedulers, "expects at least one scheduler, but got no scheduler.")
    {
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException("Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, " +
                $"but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones.Count}");
        _milestones = milestones.ToArray();
        LastEpoch = 0;
        foreach (var g in Groups) g.Lr = g.InitialLr;
        Undo(this);
        Schedulers[0].InitialStep();
        SetLastLr(Schedulers[0].GetLastLr());
    }

    public IReadOnlyList<int> Milestones => _milestones;

    // PyTorch's recursive_undo: every leaf scheduler goes back one epoch.
    private static void Undo(LRScheduler s)
    {
        if (s is CompositeScheduler c) foreach (var inner in c.Schedulers) Undo(inner);
        else s.LastEpoch--;
    }

    public override void Step()
    {
        LastEpoch++;
        int idx = MultiStepLR.BisectRight(_milestones, LastEpoch);
        var scheduler = Schedulers[idx];
        if (idx > 0 && _milestones[idx - 1] == LastEpoch) scheduler.UpdateLr(0);
        else scheduler.Step();
        SetLastLr(scheduler.GetLastLr());
    }
}

/// <summary>Schedulers stepped together, each on the rates the previous one set (PyTorch's ChainedScheduler).</summary>
public sealed class ChainedScheduler : CompositeScheduler
{
    public ChainedScheduler(IReadOnlyList<LRScheduler> schedulers, Optimizer? optimizer = null)
        : base(optimizer ?? (schedulers.Count > 0 ? schedulers[0].Optimizer : throw new ArgumentException("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")),
            schedulers, "expects at least one scheduler to be chained, but got no scheduler.")
    {
        // PyTorch's ChainedScheduler has no epoch of its own; this one counts its steps (0 after construction).
        LastEpoch = 0;
        RecordLastLr();
    }

    public override void Step()
    {
        foreach (var s in Schedulers) s.Step();
        LastEpoch++;
        RecordLastLr();
    }
}
