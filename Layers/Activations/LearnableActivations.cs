using System.Globalization;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers.Activations;

// The learnable baselines of the PAU paper (appendix A.2). Parameters are per channel (axis 1, C entries) or shared
// (channels = 1); formulas and gradients are documented on the ops in Pade.Engine.Functional.F.

file static class Check
{
    public static int Channels(string layer, int channels) =>
        channels >= 1 ? channels : throw new ArgumentException($"{layer}: the number of channels must be at least 1 (1 = shared), got {channels}");

    public static Tensor Filled(int[] shape, double value) => Tensor.Full(shape, value, DType.Float32);
}

/// <summary>nn.PReLU: x for x &gt; 0, w·x otherwise, with one learnable slope (numParameters = 1) or one per channel.</summary>
public sealed partial class PReLU : Module
{
    public PReLU(int numParameters = 1, double init = 0.25)
    {
        Check.Channels("PReLU", numParameters);
        RegisterParameter("weight", Check.Filled([numParameters], init));
    }

    public Tensor Weight => Get("weight");
    public override Tensor Forward(Tensor input) => F.PRelu(input, Weight);
    public override string ExtraRepr() => $"num_parameters={Weight.Numel}";
}

/// <summary>
/// Maxout over groups of <see cref="Pieces"/> consecutive channels: [N, k·G, ...] → [N, G, ...]. It has no parameters
/// of its own: the layer before it learns the k pieces, so it must produce k times the channels.
/// </summary>
public sealed partial class Maxout : Module
{
    public Maxout(int pieces)
    {
        if (pieces < 1) throw new ArgumentException($"Maxout: the number of pieces must be at least 1, got {pieces}");
        Pieces = pieces;
    }

    public int Pieces { get; }
    public override Tensor Forward(Tensor input) => F.Maxout(input, Pieces);
    public override string ExtraRepr() => $"pieces={Pieces}";
}

/// <summary>
/// Mixture of activations (Manessi and Rozza 2018): y = Σ_i w_i f_i(x) with learnable weights, one per activation
/// (shared, [n]) or per activation and channel ([n, C]); by default {identity, ReLU}, weights initialised to 1/n.
/// The activations are child modules ("activations.0", ...), so learnable ones train too.
/// </summary>
public sealed partial class Mixture : Module
{
    private readonly ModuleList _activations;

    public Mixture(Module[]? activations = null, int channels = 1)
    {
        var acts = activations ?? [new Identity(), new ReLU()];
        if (acts.Length == 0) throw new ArgumentException("Mixture: needs at least one activation");
        Check.Channels("Mixture", channels);
        _activations = RegisterModule("activations", new ModuleList(acts));
        int[] shape = channels == 1 ? [acts.Length] : [acts.Length, channels];
        RegisterParameter("weight", Check.Filled(shape, 1.0 / acts.Length));
    }

    public Tensor Weight => Get("weight");
    public IReadOnlyList<Module> Activations => _activations.ToList();

    public override Tensor Forward(Tensor input) =>
        F.Mixture(input, Weight, _activations.Select(m => (Func<Tensor, Tensor>)m.Forward).ToList());
}

/// <summary>
/// APL (Agostinelli et al. 2015): max(0, x) + Σ_{s=1..S} a_s max(0, b_s − x), S hinges per channel. Initialised
/// as ReLU: a = 0, hinge positions b spread evenly over [−1, 1] (0 for one hinge).
/// </summary>
public sealed partial class APL : Module
{
    public APL(int hinges = 1, int channels = 1)
    {
        if (hinges < 1) throw new ArgumentException($"APL: the number of hinges must be at least 1, got {hinges}");
        Check.Channels("APL", channels);
        var b = new float[hinges * channels];
        for (int s = 0; s < hinges; s++)
            for (int c = 0; c < channels; c++)
                b[s * channels + c] = hinges == 1 ? 0f : (float)(-1.0 + 2.0 * s / (hinges - 1));
        RegisterParameter("a", Tensor.Zeros(hinges, channels));
        RegisterParameter("b", Tensor.FromArray(b, hinges, channels));
    }

    public Tensor A => Get("a");
    public Tensor B => Get("b");
    public override Tensor Forward(Tensor input) => F.Apl(input, A, B);
    public override string ExtraRepr() => $"hinges={A.Size(0)}, channels={A.Size(1)}";
}

/// <summary>
/// SReLU (Jin et al. 2016): per channel t_l, a_l, t_r, a_r; y = t_r + a_r(x − t_r) for x ≥ t_r, x between,
/// t_l + a_l(x − t_l) for x ≤ t_l. The default initialisation t_l = 0, a_l = 0.01, t_r = 1, a_r = 1 makes it the
/// leaky ReLU(0.01) the paper initialises PAUs with.
/// </summary>
public sealed partial class SReLU : Module
{
    public SReLU(int channels = 1, double tLeft = 0, double aLeft = 0.01, double tRight = 1, double aRight = 1)
    {
        Check.Channels("SReLU", channels);
        if (!(tLeft <= tRight)) throw new ArgumentException($"SReLU: t_left {tLeft} must not exceed t_right {tRight}");
        RegisterParameter("t_left", Check.Filled([channels], tLeft));
        RegisterParameter("a_left", Check.Filled([channels], aLeft));
        RegisterParameter("t_right", Check.Filled([channels], tRight));
        RegisterParameter("a_right", Check.Filled([channels], aRight));
    }

    public Tensor TLeft => Get("t_left");
    public Tensor ALeft => Get("a_left");
    public Tensor TRight => Get("t_right");
    public Tensor ARight => Get("a_right");
    public override Tensor Forward(Tensor input) => F.SRelu(input, TLeft, ALeft, TRight, ARight);
    public override string ExtraRepr() => $"channels={TLeft.Numel}";
}

/// <summary>
/// SLAF (Goyal et al. 2019): the polynomial Σ_{k=0..K} a_k x^k with learnable coefficients ("weight", [K + 1] shared
/// or [C, K + 1] per channel). By default initialised to the least-squares fit of ReLU on [−3, 3].
/// <para>
/// A polynomial is unbounded: with large inputs or a drifting a_K the outputs overflow, and the PAU paper reports
/// SLAF training diverging. So that this fails loudly rather than as a NaN loss many layers later, Forward checks
/// its output when <see cref="CheckFinite"/> is set (the default) and throws <see cref="NonFiniteActivationException"/>
/// naming the layer (<see cref="LayerName"/>; <see cref="NameLayers"/> fills it from a model's module names), the first
/// non-finite element, its input value and the coefficients. The check copies the output to the host: switch it off
/// when speed matters more.
/// </para>
/// </summary>
public sealed partial class SLAF : Module
{
    public SLAF(int degree = 3, int channels = 1, double[]? coefficients = null)
    {
        if (degree < 0) throw new ArgumentException($"SLAF: the polynomial degree must be ≥ 0, got {degree}");
        Check.Channels("SLAF", channels);
        var init = coefficients ?? PolynomialFit.ReLU(degree);
        if (init.Length != degree + 1)
            throw new ArgumentException($"SLAF: a polynomial of degree {degree} has {degree + 1} coefficients a_0..a_{degree}, got {init.Length}");
        var values = new double[channels * (degree + 1)];
        for (int c = 0; c < channels; c++) init.CopyTo(values, c * (degree + 1));
        var w = Tensor.FromArray(values, channels == 1 ? [degree + 1] : [channels, degree + 1]).To(DType.Float32);
        RegisterParameter("weight", w);
    }

    public Tensor Weight => Get("weight");
    public int Degree => Weight.Size(-1) - 1;

    /// <summary>Whether Forward throws on a non-finite output (default true).</summary>
    public bool CheckFinite { get; set; } = true;

    /// <summary>The name used in error messages (e.g. "features.3"); null reports the layer as unnamed.</summary>
    public string? LayerName { get; set; }

    public override Tensor Forward(Tensor input)
    {
        var y = F.Slaf(input, Weight);
        if (CheckFinite) NonFiniteActivationException.ThrowIfAny(this, LayerName, input, y, Weight);
        return y;
    }

    /// <summary>Sets <see cref="LayerName"/> of every SLAF below <paramref name="model"/> to its dotted module name.</summary>
    public static void NameLayers(Module model)
    {
        foreach (var (name, m) in model.NamedModules())
            if (m is SLAF s) s.LayerName = name.Length == 0 ? "(root)" : name;
    }

    public override string ExtraRepr() => string.Create(CultureInfo.InvariantCulture, $"degree={Degree}, channels={(Weight.Rank == 2 ? Weight.Size(0) : 1)}");
}

/// <summary>An activation produced ∞ or NaN. The message names the layer, the first bad element and its input.</summary>
public sealed class NonFiniteActivationException(string message, string? layerName, long index) : Exception(message)
{
    public string? LayerName { get; } = layerName;

    /// <summary>Flat (row-major) index of the first non-finite output element.</summary>
    public long Index { get; } = index;

    /// <summary>Throws if y has a non-finite element (the first one in row-major order is reported).</summary>
    public static void ThrowIfAny(Module layer, string? layerName, Tensor input, Tensor y, Tensor parameters)
    {
        var values = y.ToArray<double>();
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        if (bad < 0) return;
        var shape = y.ShapeCopy();
        var index = new int[shape.Length];
        long rest = bad;
        for (int d = shape.Length - 1; d >= 0; d--) { index[d] = (int)(rest % shape[d]); rest /= shape[d]; }
        var inputValue = input.Contiguous().ToArray<double>()[bad];
        var coefficients = string.Join(", ", parameters.ToArray<double>().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
        var name = layerName == null ? $"an unnamed {layer.GetType().Name} layer" : $"{layer.GetType().Name} layer '{layerName}'";
        var where = FormattableString.Invariant(
            $"{name} produced a non-finite output {values[bad]} at element [{string.Join(", ", index)}] (flat index {bad}) of shape {Shapes.Format(shape)}, from input value {inputValue}");
        throw new NonFiniteActivationException(
            $"{where}; coefficients [{coefficients}]. A polynomial activation grows without bound: lower the learning rate, " +
            "normalise its input, or use a PAU, whose denominator keeps it bounded", layerName, bad);
    }
}
