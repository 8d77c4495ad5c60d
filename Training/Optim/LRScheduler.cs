namespace Pade.Training.Optim;

/// <summary>
/// Base of the learning-rate schedulers a user steps, as PyTorch's <c>torch.optim.lr_scheduler.LRScheduler</c>: the
/// constructor performs the initial step (epoch 0), each <see cref="Step"/> advances <see cref="LastEpoch"/> and sets
/// every group's <see cref="ParamGroup.Lr"/>. The numbers are PyTorch's chainable (recursive) forms computed in
/// double in the same order of operations, so a schedule reproduces PyTorch's to the last bit, not only its closed
/// form; schedulers can be stacked on one optimizer (<see cref="ChainedScheduler"/>, <see cref="SequentialLR"/>).
/// </summary>
/// <remarks>
/// The base rates are the groups' <see cref="ParamGroup.InitialLr"/> (PyTorch's <c>initial_lr</c>). Resuming is by
/// <see cref="StateDict"/> / <see cref="LoadStateDict"/> on a scheduler built with the same arguments; since Pade's
/// optimizer state holds no group rates, loading also puts the saved last rates back into the groups (PyTorch's
/// optimizer.load_state_dict does that there), so the chainable forms continue from where they stopped.
/// </remarks>
public abstract class LRScheduler
{
    private double[] _lastLr;

    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLrs = optimizer.Groups.Select(g => g.InitialLr).ToArray();
        _lastLr = optimizer.Groups.Select(g => g.Lr).ToArray();
    }

    public Optimizer Optimizer { get; }

    /// <summary>The index of the last step (epoch or batch); 0 after construction.</summary>
    public int LastEpoch { get; protected internal set; } = -1;

    /// <summary>The base learning rate of each group (PyTorch's base_lrs).</summary>
    public IReadOnlyList<double> BaseLrs { get; protected set; }

    /// <summary>PyTorch's _step_count: the number of <see cref="Step"/> calls, the initial one included.</summary>
    protected int StepCount { get; set; }

    /// <summary>True during the constructor's step (PyTorch's _is_initial).</summary>
    protected bool IsInitial { get; private set; }

    protected IReadOnlyList<ParamGroup> Groups => Optimizer.Groups;

    /// <summary>The rates the last step set, one per group (PyTorch's get_last_lr()).</summary>
    public IReadOnlyList<double> GetLastLr() => _lastLr.ToArray();

    /// <summary>The initial step; each concrete constructor calls it last, once its own fields are set.</summary>
    protected internal void InitialStep()
    {
        StepCount = 0;
        IsInitial = true;
        try { Step(); }
        finally { IsInitial = false; }
    }

    /// <summary>Advances the schedule by one step and sets the groups' rates.</summary>
    public virtual void Step()
    {
        StepCount++;
        UpdateLr(null);
    }

    /// <summary>PyTorch's _update_lr: with an epoch, jumps there and uses the closed form where there is one
    /// (<see cref="SequentialLR"/> restarts a scheduler at a milestone this way).</summary>
    internal void UpdateLr(int? epoch)
    {
        double[] values;
        if (epoch is null)
        {
            LastEpoch++;
            values = GetLr();
        }
        else
        {
            LastEpoch = epoch.Value;
            values = ClosedFormLr() ?? GetLr();
        }
        for (int i = 0; i < Groups.Count; i++) Groups[i].Lr = values[i];
        RecordLastLr();
    }

    protected void RecordLastLr() => _lastLr = Groups.Select(g => g.Lr).ToArray();

    protected void SetLastLr(IReadOnlyList<double> lrs) => _lastLr = lrs.ToArray();

    /// <summary>The chainable form: the new rate of each group from its current one.</summary>
    protected abstract double[] GetLr();

    /// <summary>The closed form, where PyTorch has one (_get_closed_form_lr); null otherwise.</summary>
    protected virtual double[]? ClosedFormLr() => null;

    /// <summary>Each group's rate times its factor.</summary>
    protected double[] Scaled(Func<int, double> factor) => Groups.Select((g, i) => g.Lr * factor(i)).ToArray();

    protected double[] Current() => Groups.Select(g => g.Lr).ToArray();

    /// <summary>The mutable state by PyTorch's names (last_epoch, _step_count, base_lrs, _last_lr and the scheduler's
    /// own), each a list of numbers; the hyper-parameters come from the constructor.</summary>
    public virtual Dictionary<string, double[]> StateDict() => new()
    {
        ["last_epoch"] = [LastEpoch],
        ["_step_count"] = [StepCount],
        ["base_lrs"] = BaseLrs.ToArray(),
        ["_last_lr"] = _lastLr.ToArray(),
    };

    /// <summary>Restores <see cref="StateDict"/>'s state and the groups' rates; a state of another number of groups
    /// is refused with both counts.</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        double[] lastLr = Get(state, "_last_lr"), baseLrs = Get(state, "base_lrs");
        if (lastLr.Length != Groups.Count || baseLrs.Length != Groups.Count)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: the state has {lastLr.Length} learning rates, the optimizer has {Groups.Count} param groups");
        LastEpoch = (int)Get(state, "last_epoch")[0];
        StepCount = (int)Get(state, "_step_count")[0];
        BaseLrs = baseLrs.ToArray();
        _lastLr = lastLr.ToArray();
        for (int i = 0; i < Groups.Count; i++) Groups[i].Lr = lastLr[i];
    }

    protected double[] Get(IReadOnlyDictionary<string, double[]> state, string key) =>
        state.TryGetValue(key, out var v) ? v : throw new ArgumentException($"{GetType().Name}.LoadStateDict: the state has no '{key}'");

    /// <summary>One value per group from a scalar or a list (PyTorch's _format_param and its message).</summary>
    internal static double[] PerGroup(string name, Optimizer optimizer, IReadOnlyList<double> values)
    {
        if (values.Count == 1) return Enumerable.Repeat(values[0], optimizer.Groups.Count).ToArray();
        if (values.Count != optimizer.Groups.Count)
            throw new ArgumentException($"{name} must have the same length as optimizer.param_groups. {name} has {values.Count} values, param_groups has {optimizer.Groups.Count}.");
        return values.ToArray();
    }
}

/// <summary>lr · γ every <c>stepSize</c> steps (PyTorch's StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        // PyTorch takes 0 and fails with a modulo by zero at the first step.
        if (stepSize < 1) throw new ArgumentException($"StepLR: step_size must be a positive integer, got {stepSize}");
        StepSize = stepSize; Gamma = gamma;
        InitialStep();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    protected override double[] GetLr() =>
        LastEpoch == 0 || LastEpoch % StepSize != 0 ? Current() : Scaled(_ => Gamma);

    protected override double[] ClosedFormLr() => BaseLrs.Select(b => b * Math.Pow(Gamma, LastEpoch / StepSize)).ToArray();
}

/// <summary>lr · γ at each milestone, γ^k at a milestone listed k times (PyTorch's MultiStepLR, a Counter).</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly int[] _sorted;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        _sorted = milestones.Order().ToArray();
        Gamma = gamma;
        InitialStep();
    }

    public IReadOnlyList<int> Milestones => _sorted;
    public double Gamma { get; }

    protected override double[] GetLr()
    {
        int count = _sorted.Count(m => m == LastEpoch);
        return count == 0 ? Current() : Scaled(_ => Math.Pow(Gamma, count));
    }

    protected override double[] ClosedFormLr() => BaseLrs.Select(b => b * Math.Pow(Gamma, BisectRight(_sorted, LastEpoch))).ToArray();

    /// <summary>Python's bisect.bisect_right: the number of entries ≤ x of a list taken as sorted.</summary>
    internal static int BisectRight(IReadOnlyList<int> sorted, int x)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (x < sorted[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }
}

/// <summary>lr · factor for the first <c>totalIters</c> steps, then lr (PyTorch's ConstantLR).</summary>
public sealed class ConstantLR : LRScheduler
{
    public ConstantLR(Optimizer optimizer, double factor = 1.0 / 3, int totalIters = 5) : base(optimizer)
    {
        if (factor > 1.0 || factor < 0) throw new ArgumentException("Constant multiplicative factor expected to be between 0 and 1.");
        Factor = factor; TotalIters = totalIters;
        InitialStep();
    }

    public double Factor { get; }
    public int TotalIters { get; }

    protected override double[] GetLr()
    {
        if (LastEpoch == 0) return Scaled(_ => Factor);
        if (LastEpoch != TotalIters) return Current();
        return Scaled(_ => 1.0 / Factor);
    }

    protected override double[] ClosedFormLr() =>
        BaseLrs.Select(b => b * (Factor + (LastEpoch >= TotalIters ? 1 : 0) * (1 - Factor))).ToArray();
}

/// <summary>lr · a factor going linearly from <c>startFactor</c> to <c>endFactor</c> over <c>totalIters</c> steps
/// (PyTorch's LinearLR, the usual warm-up).</summary>
public sealed class LinearLR : LRScheduler
{
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (startFactor > 1.0 || startFactor <= 0)
            throw new ArgumentException("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        if (endFactor > 1.0 || endFactor < 0) throw new ArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
        StartFactor = startFactor; EndFactor = endFactor; TotalIters = totalIters;
        InitialStep();
    }

    public double StartFactor { get; }
    public double EndFactor { get; }
    public int TotalIters { get; }

    protected override double[] GetLr()
    {
        if (LastEpoch == 0) return Scaled(_ => StartFactor);
        if (IsInitial || LastEpoch > TotalIters) return Current();
        double f = 1.0 + (EndFactor - StartFactor) / (TotalIters * StartFactor + (LastEpoch - 1) * (EndFactor - StartFactor));
        return Scaled(_ => f);
    }

    protected override double[] ClosedFormLr() =>
        BaseLrs.Select(b => b * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIters, LastEpoch) / TotalIters)).ToArray();
}

/// <summary>lr · γ every step (PyTorch's ExponentialLR).</summary>
public sealed class ExponentialLR : LRScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        InitialStep();
    }

    public double Gamma { get; }

    protected override double[] GetLr() => IsInitial ? Current() : Scaled(_ => Gamma);

    protected override double[] ClosedFormLr() => BaseLrs.Select(b => b * Math.Pow(Gamma, LastEpoch)).ToArray();
}

/// <summary>lr · (1 − t/totalIters)^power, as the ratio of consecutive factors (PyTorch's PolynomialLR).</summary>
public sealed class PolynomialLR : LRScheduler
{
    public PolynomialLR(Optimizer optimizer, int totalIters = 5, double power = 1.0) : base(optimizer)
    {
        TotalIters = totalIters; Power = power;
        InitialStep();
    }

    public int TotalIters { get; }
    public double Power { get; }

    protected override double[] GetLr()
    {
        if (IsInitial || LastEpoch > TotalIters) return Current();
        double decay = Math.Pow((1.0 - (double)LastEpoch / TotalIters) / (1.0 - (double)(LastEpoch - 1) / TotalIters), Power);
        return Scaled(_ => decay);
    }

    protected override double[] ClosedFormLr() =>
        BaseLrs.Select(b => b * Math.Pow(1.0 - (double)Math.Min(TotalIters, LastEpoch) / TotalIters, Power)).ToArray();
}

/// <summary>
/// Cosine annealing from the base rate to <c>etaMin</c> over <c>tMax</c> steps, without restarts (past tMax it
/// climbs back: PyTorch's period is 2·tMax). PyTorch's CosineAnnealingLR computes it recursively, as the ratio of
/// consecutive (1 + cos) factors, which differs from the closed form in the last bits; this does the same.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0.0) : base(optimizer)
    {
        // PyTorch takes 0 and fails with a modulo by zero at the first step.
        if (tMax < 1) throw new ArgumentException($"CosineAnnealingLR: T_max must be a positive integer, got {tMax}");
        TMax = tMax; EtaMin = etaMin;
        InitialStep();
    }

    public int TMax { get; }
    public double EtaMin { get; }

    protected override double[] GetLr()
    {
        if (IsInitial) return Current();
        if (StepCount == 1 && LastEpoch > 0)
            return BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(LastEpoch * Math.PI / TMax)) / 2).ToArray();
        if ((LastEpoch - 1 - TMax) % (2 * TMax) == 0)
            return Groups.Select((g, i) => g.Lr + (BaseLrs[i] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2).ToArray();
        return Groups.Select(g => (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / (1 + Math.Cos(Math.PI * (LastEpoch - 1) / TMax)) * (g.Lr - EtaMin) + EtaMin).ToArray();
    }

    protected override double[] ClosedFormLr() =>
        BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / 2).ToArray();
}

/// <summary>base lr · λ(epoch), one function for all groups or one per group (PyTorch's LambdaLR).</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    public LambdaLR(Optimizer optimizer, Func<int, double> lrLambda) : this(optimizer, Repeat(optimizer, lrLambda)) { }

    public LambdaLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lrLambdas) : base(optimizer)
    {
        _lambdas = Lambdas(optimizer, lrLambdas);
        InitialStep();
    }

    /// <summary>One function for every group (PyTorch's lr_lambda given as a function, not a list).</summary>
    internal static Func<int, double>[] Repeat(Optimizer optimizer, Func<int, double> lrLambda) =>
        Enumerable.Repeat(lrLambda ?? throw new ArgumentNullException(nameof(lrLambda)), optimizer?.Groups.Count ?? 0).ToArray();

    /// <summary>A list must have one function per group, as in PyTorch.</summary>
    internal static Func<int, double>[] Lambdas(Optimizer optimizer, IReadOnlyList<Func<int, double>> lrLambdas)
    {
        if (lrLambdas.Count != optimizer.Groups.Count)
            throw new ArgumentException($"Expected {optimizer.Groups.Count} lr_lambdas, but got {lrLambdas.Count}");
        return lrLambdas.ToArray();
    }

    protected override double[] GetLr() => BaseLrs.Select((b, i) => b * _lambdas[i](LastEpoch)).ToArray();
}

/// <summary>lr · λ(epoch) at every step after the first (PyTorch's MultiplicativeLR).</summary>
public sealed class MultiplicativeLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    public MultiplicativeLR(Optimizer optimizer, Func<int, double> lrLambda) : this(optimizer, LambdaLR.Repeat(optimizer, lrLambda)) { }

    public MultiplicativeLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lrLambdas) : base(optimizer)
    {
        _lambdas = LambdaLR.Lambdas(optimizer, lrLambdas);
        InitialStep();
    }

    protected override double[] GetLr() => IsInitial ? Current() : Scaled(i => _lambdas[i](LastEpoch));
}
