namespace Pade.Training.Optim;

/// <summary>Learning-rate schedules, applied per epoch as factors of each group's initial rate. A group can be
/// exempt (the paper keeps the PAU coefficients' rate constant while the rest decays).</summary>
public abstract class LrSchedule
{
    /// <summary>The factor on the initial learning rate at the start of an epoch (0-based).</summary>
    public abstract double Factor(int epoch);

    public void Apply(Optimizer opt, int epoch, Func<ParamGroup, bool>? exempt = null)
    {
        foreach (var g in opt.Groups)
            g.Lr = exempt?.Invoke(g) == true ? g.InitialLr : g.InitialLr * Factor(epoch);
    }

    /// <summary>Parses constant | step:SIZE:GAMMA | exp:GAMMA | cosine:EPOCHS.</summary>
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
            _ => throw new ArgumentException($"unknown learning-rate schedule '{spec}': expected constant, step:SIZE:GAMMA, exp:GAMMA or cosine[:EPOCHS]"),
        };
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
