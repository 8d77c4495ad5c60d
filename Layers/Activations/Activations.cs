using System.Globalization;
using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

/// <summary>
/// Builds activation modules from short specs, as model definitions and the command line name them:
/// <c>name</c> or <c>name:arg[:arg...]</c>. The table in README.md (section Activations) lists every spec; <see cref="Names"/>
/// holds the names. <c>channels</c> is the number of channels (axis 1) the activation sees, used by the per-channel
/// ones (prelu, apl, srelu, pau:channel) and checked by maxout; pass 1 when unknown.
/// </summary>
public static class Activations
{
    /// <summary>Every spec name with the arguments it takes.</summary>
    public static readonly IReadOnlyList<(string Name, string Arguments)> Names =
    [
        ("identity", ""), ("sigmoid", ""), ("tanh", ""), ("relu", ""), ("relu6", ""), ("hardtanh", "[:min/max=-1/1]"),
        ("lrelu", "[:slope=0.01]"), ("rrelu", "[:lower/upper=0.125/0.3333]"), ("elu", "[:alpha=1]"), ("celu", "[:alpha=1]"),
        ("softplus", "[:beta=1]"), ("swish", "[:beta=1]"), ("silu", ""), ("gelu", ""), ("gelu-tanh", ""), ("mish", ""),
        ("selu", ""), ("hardsigmoid", ""), ("hardswish", ""), ("softsign", ""), ("logsigmoid", ""), ("tanhshrink", ""),
        ("softshrink", "[:lambd=0.5]"), ("hardshrink", "[:lambd=0.5]"),
        ("prelu", "[:shared]"), ("maxout", "[:k=2]"), ("mixture", "[:f1+f2+... of argument-free names, default identity+relu]"), ("apl", "[:hinges=2]"),
        ("srelu", ""), ("slaf", "[:degree=3]"),
        ("pau", "[:A|B|C|D][:m/n=5/4][:channel]"), ("rpau", "[:alpha=0.1][:A|B|C|D][:m/n=5/4][:channel]"),
    ];

    /// <summary>The activation module a spec names, e.g. "relu", "lrelu:0.2", "maxout:2", "pau:B:5/4", "rpau".</summary>
    public static Module Create(string spec, int channels = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (channels < 1) throw new ArgumentException($"activation '{spec}': channels must be ≥ 1, got {channels}");
        var parts = spec.Trim().ToLowerInvariant().Split(':');
        string name = parts[0];
        var args = parts[1..];
        var s = new SpecReader(spec, name, args);
        Module m = name switch
        {
            "identity" or "id" => s.None(new Identity()),
            "sigmoid" => s.None(new Sigmoid()),
            "tanh" => s.None(new Tanh()),
            "relu" => s.None(new ReLU()),
            "relu6" => s.None(new ReLU6()),
            "hardtanh" => HardtanhSpec(s),
            "lrelu" or "leakyrelu" or "leaky_relu" => new LeakyReLU(s.Number(0, 0.01)),
            "rrelu" => RRelu(s),
            "elu" => new ELU(s.Number(0, 1.0)),
            "celu" => new CELU(s.Number(0, 1.0)),
            "softplus" => new Softplus(s.Number(0, 1.0)),
            "swish" => new Swish(s.Number(0, 1.0)),
            "silu" => s.None(new SiLU()),
            "gelu" => s.None(new GELU()),
            "gelu-tanh" or "gelu_tanh" => s.None(new GELU(GeluApproximation.Tanh)),
            "mish" => s.None(new Mish()),
            "selu" => s.None(new SELU()),
            "hardsigmoid" => s.None(new Hardsigmoid()),
            "hardswish" => s.None(new Hardswish()),
            "softsign" => s.None(new Softsign()),
            "logsigmoid" or "log_sigmoid" => s.None(new LogSigmoid()),
            "tanhshrink" => s.None(new Tanhshrink()),
            "softshrink" => new Softshrink(s.Number(0, 0.5)),
            "hardshrink" => new Hardshrink(s.Number(0, 0.5)),
            "prelu" => new PReLU(s.Flag(0, "shared") ? 1 : channels),
            "maxout" => Maxout(s, channels),
            "mixture" => Mixture(s),
            "apl" => new APL(s.Integer(0, 2, min: 1), channels),
            "srelu" => s.None(new SReLU(channels)),
            "slaf" => new SLAF(s.Integer(0, 3, min: 0)),
            "pau" => Pau(s, channels, randomized: false),
            "rpau" => Pau(s, channels, randomized: true),
            _ => throw new ArgumentException(
                $"unknown activation '{spec}': valid names are {string.Join(", ", Names.Select(n => n.Name + n.Arguments))}"),
        };
        return m;
    }

    private static Module HardtanhSpec(SpecReader s)
    {
        if (s.Args.Length == 0) return new Hardtanh();
        if (s.Args.Length > 1) throw s.Error("takes one argument, min/max");
        var (lo, hi) = s.Pair(0);
        return new Hardtanh(lo, hi);
    }

    private static Module RRelu(SpecReader s)
    {
        if (s.Args.Length == 0) return new RReLU();
        if (s.Args.Length > 1) throw s.Error("takes one argument, lower/upper");
        var (lo, hi) = s.Pair(0);
        return new RReLU(lo, hi);
    }

    private static Module Maxout(SpecReader s, int channels)
    {
        int k = s.Integer(0, 2, min: 1);
        if (channels > 1 && channels % k != 0)
            throw new ArgumentException($"activation '{s.Spec}': maxout with {k} pieces needs a channel count divisible by {k}, got {channels}");
        return new Maxout(k);
    }

    private static Module Mixture(SpecReader s)
    {
        if (s.Args.Length > 1) throw s.Error("takes one argument, the '+'-separated list of activations");
        if (s.Args.Length == 0) return new Mixture();
        var members = s.Args[0].Split('+').Select(n =>
        {
            if (n is "mixture" or "pau" or "rpau" || n.StartsWith("mixture", StringComparison.Ordinal))
                throw s.Error($"cannot mix '{n}': list fixed activations (e.g. identity+relu+tanh)");
            return Create(n);
        }).ToArray();
        return new Mixture(members);
    }

    private static Module Pau(SpecReader s, int channels, bool randomized)
    {
        PauVersion version = PauVersion.A;
        int m = 5, n = 4;
        bool perChannel = false;
        double? alpha = randomized ? PauNoise.DefaultAlpha : null;
        foreach (var arg in s.Args)
        {
            if (arg.Length == 1 && arg[0] is >= 'a' and <= 'd') version = (PauVersion)(arg[0] - 'a');
            else if (arg.Contains('/'))
            {
                var (pm, pn) = s.Pair(Array.IndexOf(s.Args, arg));
                if (pm != Math.Floor(pm) || pn != Math.Floor(pn)) throw s.Error($"degrees '{arg}' must be integers m/n");
                if (pm < 0 || pn < 0) throw s.Error($"degrees must be ≥ 0, got m = {pm}, n = {pn}");
                (m, n) = ((int)pm, (int)pn);
            }
            else if (arg is "channel" or "channels") perChannel = true;
            else if (randomized && double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)) alpha = a;
            else throw s.Error($"unknown argument '{arg}': expected a version A|B|C|D, degrees m/n, 'channel'{(randomized ? " or the noise alpha" : "")}");
        }
        return new Pau(m, n, version, channels: perChannel ? channels : 1, noise: alpha);
    }

    /// <summary>Reads the arguments of one spec, with error messages that quote the whole spec.</summary>
    private sealed class SpecReader(string spec, string name, string[] args)
    {
        public string Spec => spec;
        public string[] Args => args;

        public ArgumentException Error(string problem) => new($"activation '{spec}': {name} {problem}");

        public Module None(Module m) => args.Length == 0 ? m : throw Error("takes no arguments");

        public double Number(int i, double fallback)
        {
            if (args.Length > i + 1) throw Error($"takes at most {i + 1} argument(s), got {args.Length}");
            if (args.Length <= i) return fallback;
            return double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v : throw Error($"argument '{args[i]}' is not a number");
        }

        public int Integer(int i, int fallback, int min)
        {
            if (args.Length > i + 1) throw Error($"takes at most {i + 1} argument(s), got {args.Length}");
            if (args.Length <= i) return fallback;
            if (!int.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                throw Error($"argument '{args[i]}' is not an integer");
            return v >= min ? v : throw Error($"argument must be ≥ {min}, got {v}");
        }

        public bool Flag(int i, string flag)
        {
            if (args.Length > i + 1) throw Error($"takes at most {i + 1} argument(s), got {args.Length}");
            if (args.Length <= i) return false;
            return args[i] == flag ? true : throw Error($"unknown argument '{args[i]}' (expected '{flag}')");
        }

        public (double, double) Pair(int i)
        {
            var p = args[i].Split('/');
            if (p.Length != 2 ||
                !double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) ||
                !double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
                throw Error($"argument '{args[i]}' is not a pair x/y");
            return (a, b);
        }
    }
}
