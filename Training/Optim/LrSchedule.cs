namespace Pade.Training.Optim;

/// <summary>Learning-rate schedules, applied per epoch as factors of each group's initial rate. A group can be
/// exempt (the paper keeps the PAU coefficients' rate constant while the rest decays).</summary>
public abstract class LrSchedule
{
    /// <summary>The factor on the initial learning rate at the start of an epoch (0-based).</summary>
    public abstract double Factor(int epoch);

    public void Apply(Optimizer opt, int epoch, Func<ParamGroup, bool>? exempt = null) => Set(opt, Factor(epoch), exempt);

    /// <summary>True when the rate changes every batch (onecycle): the trainer then calls <see cref="ApplyBatch"/>
    /// before each batch.</summary>
    public virtual bool PerBatch => false;

    /// <summary>The factor before batch <paramref name="batch"/> of <paramref name="batchesPerEpoch"/> in an epoch.</summary>
    public virtual double Factor(int epoch, int batch, int batchesPerEpoch) => Factor(epoch);

    public void ApplyBatch(Optimizer opt, int epoch, int batch, int batchesPerEpoch, Func<ParamGroup, bool>? exempt = null) =>
        Set(opt, Factor(epoch, batch, batchesPerEpoch), exempt);

    private static void Set(Optimizer opt, double factor, Func<ParamGroup, bool>? exempt)
    {
        foreach (var g in opt.Groups)
            g.Lr = exempt?.Invoke(g) == true ? g.InitialLr : g.InitialLr * factor;
    }

    private const string Expected = "constant, step:SIZE:GAMMA, multistep:M1,M2,...[:GAMMA], exp:GAMMA, cosine[:EPOCHS], linear[:START[:EPOCHS]], " +
        "poly[:POWER[:EPOCHS]], warmrestarts:T0[:TMULT] or onecycle[:PCT[:DIV[:FINALDIV]]]";

    /// <summary>Parses constant | step:SIZE:GAMMA | multistep:M1,M2,...[:GAMMA] | exp:GAMMA | cosine[:EPOCHS] |
    /// linear[:START[:EPOCHS]] (warm-up from START·lr to lr) | poly[:POWER[:EPOCHS]] | warmrestarts:T0[:TMULT] |
    /// onecycle[:PCT[:DIV[:FINALDIV]]] (per batch, --lr is max_lr). The new ones are PyTorch's schedulers
    /// (<see cref="LRScheduler"/>) run on a rate of 1, so their factors are PyTorch's numbers.</summary>
    public static LrSchedule Parse(string spec, int epochs)
    {
        var parts = spec.Split(':');
        double Arg(int i, double dflt) => parts.Length > i ? double.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture) : dflt;
        return parts[0].ToLowerInvariant() switch
        {
            "constant" or "none" => new ConstantLr(),
            "step" => new StepLr((int)Arg(1, 30), Arg(2, 0.1)),
            "exp" or "exponential" => new ExponentialLr(Arg(1, 0.985)),
            "cosine" => new CosineLr((int)Arg(1, epochs)),
            "multistep" when parts.Length > 1 => Simulated(o => new MultiStepLR(o, Milestones(parts[1], spec), Arg(2, 0.1))),
            "linear" or "warmup" => Simulated(o => new LinearLR(o, Arg(1, 1.0 / 3), 1.0, (int)Arg(2, 5))),
            "poly" or "polynomial" => Simulated(o => new PolynomialLR(o, (int)Arg(2, epochs), Arg(1, 1.0))),
            "warmrestarts" when parts.Length > 1 => Simulated(o => new CosineAnnealingWarmRestarts(o, (int)Arg(1, 1), (int)Arg(2, 1))),
            "onecycle" => new OneCycleSchedule(epochs, Arg(1, 0.3), Arg(2, 25), Arg(3, 1e4)),
            _ => throw new ArgumentException($"unknown learning-rate schedule '{spec}': expected {Expected}"),
        };
    }

    private static int[] Milestones(string list, string spec)
    {
        try { return list.Split(',').Select(m => int.Parse(m, System.Globalization.CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"learning-rate schedule '{spec}': milestones must be epochs separated by commas, e.g. multistep:30,80:0.1"); }
    }

    private static SchedulerLr Simulated(Func<Optimizer, LRScheduler> make)
    {
        var s = new SchedulerLr(make);
        s.Factor(0); // builds the scheduler now, so that bad arguments fail when the command line is read
        return s;
    }
}

public sealed class ConstantLr : LrSchedule
{
    public override double Factor(int epoch) => 1;
}

/// <summary>lr · γ^⌊epoch / size⌋.</summary>
public sealed class StepLr(int size, double gamma) : LrSchedule
{
    public override double Factor(int epoch) => Math.Pow(gamma, epoch / Math.Max(size, 1));
}

/// <summary>lr · γ^epoch: the paper's per-epoch decay.</summary>
public sealed class ExponentialLr(double gamma) : LrSchedule
{
    public override double Factor(int epoch) => Math.Pow(gamma, epoch);
}

/// <summary>lr · ½(1 + cos(π · epoch / total)).</summary>
public sealed class CosineLr(int total) : LrSchedule
{
    public override double Factor(int epoch) => 0.5 * (1 + Math.Cos(Math.PI * Math.Min(epoch, total) / Math.Max(total, 1)));
}

/// <summary>
/// A PyTorch scheduler stepped once per epoch on a one-group optimizer of rate 1: the factor of epoch e is the rate
/// after e steps (cached), so a per-epoch <see cref="LrSchedule"/> follows the scheduler's numbers exactly and stays
/// a pure function of the epoch (a resumed run needs no scheduler state).
/// </summary>
public sealed class SchedulerLr(Func<Optimizer, LRScheduler> make) : LrSchedule
{
    private readonly List<double> _factors = [];
    private LRScheduler? _scheduler;

    public override double Factor(int epoch)
    {
        if (_scheduler is null)
        {
            _scheduler = make(new Sgd([new ParamGroup([Pade.Engine.Tensor.Zeros(1)], 1.0)]));
            _factors.Add(_scheduler.GetLastLr()[0]);
        }
        while (_factors.Count <= epoch)
        {
            _scheduler.Step();
            _factors.Add(_scheduler.GetLastLr()[0]);
        }
        return _factors[Math.Max(epoch, 0)];
    }
}

/// <summary>
/// PyTorch's <see cref="OneCycleLR"/> over the whole run (epochs × batches steps), stepped per batch, with max_lr the
/// group's rate (so --lr is the peak): the factor of a batch is OneCycleLR's rate at that step for max_lr 1.
/// </summary>
public sealed class OneCycleSchedule : LrSchedule
{
    private readonly int _epochs;
    private readonly double _pct, _div, _finalDiv;
    private double[] _factors = [];

    public OneCycleSchedule(int epochs, double pctStart, double divFactor, double finalDivFactor)
    {
        _epochs = epochs; _pct = pctStart; _div = divFactor; _finalDiv = finalDivFactor;
        if (pctStart < 0 || pctStart > 1 || double.IsNaN(pctStart)) throw new ArgumentException($"Expected float between 0 and 1 pct_start, but got {pctStart}");
        if (!(divFactor > 0) || !(finalDivFactor > 0)) throw new ArgumentException($"onecycle: div_factor {divFactor} and final_div_factor {finalDivFactor} must be positive");
    }

    public override bool PerBatch => true;

    private int _batches = 1;

    /// <summary>The rate at the start of an epoch (its first batch) for the batches per epoch last asked for (1 before
    /// any), for whoever asks per epoch; the trainer asks per batch.</summary>
    public override double Factor(int epoch) => Factor(epoch, 0, _batches);

    public override double Factor(int epoch, int batch, int batchesPerEpoch)
    {
        _batches = batchesPerEpoch;
        int total = Math.Max(_epochs, 1) * batchesPerEpoch;
        if (_factors.Length != total)
        {
            var opt = new Sgd([new ParamGroup([Pade.Engine.Tensor.Zeros(1)], 1.0)], momentum: 0.9);
            var s = new OneCycleLR(opt, 1.0, totalSteps: total, pctStart: _pct, divFactor: _div, finalDivFactor: _finalDiv, cycleMomentum: false);
            _factors = new double[total];
            for (int t = 0; t < total; t++)
            {
                if (t > 0) s.Step();
                _factors[t] = s.GetLastLr()[0];
            }
        }
        return _factors[Math.Clamp(epoch * batchesPerEpoch + batch, 0, total - 1)];
    }
}
