using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>The recurrence a layer or cell runs (PyTorch's mode strings RNN_TANH, RNN_RELU, LSTM, GRU).</summary>
internal enum RecurrentMode { RnnTanh, RnnRelu, Lstm, Gru }

/// <summary>
/// One time step of each recurrence, written as PyTorch's documentation writes it and composed of differentiable ops
/// (Linear, Sigmoid, Tanh, Relu, Narrow), so autograd and every backend come for free. The input's share of the
/// gates, x W_ihᵀ + b_ih, is computed by the caller (for a whole sequence at once in <see cref="RNNBase"/>).
/// </summary>
internal static class RecurrentMath
{
    /// <summary>How many hidden-size blocks the stacked weights hold: 1, LSTM's i f g o, GRU's r z n.</summary>
    public static int Gates(RecurrentMode mode) => mode switch { RecurrentMode.Lstm => 4, RecurrentMode.Gru => 3, _ => 1 };

    public static string Nonlinearity(RecurrentMode mode) => mode == RecurrentMode.RnnRelu ? "relu" : "tanh";

    public static RecurrentMode RnnMode(string nonlinearity, string layer) => nonlinearity switch
    {
        "tanh" => RecurrentMode.RnnTanh,
        "relu" => RecurrentMode.RnnRelu,
        _ => throw new ArgumentException($"{layer}: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."),
    };

    /// <summary>
    /// The steps of a sequence [L, ...] as L views [...], taken by halving: a step's view of the whole sequence would
    /// get, in the backward, a zero-padded gradient of the whole sequence's size, L of them (O(L²) work); halves of
    /// halves pad each level to its parent's size only, O(L log L) in all.
    /// </summary>
    public static Tensor[] Steps(Tensor sequence)
    {
        var steps = new Tensor[sequence.Size(0)];
        void Split(Tensor part, int first)
        {
            int len = part.Size(0), half = len / 2;
            if (len == 1) { steps[first] = part.Squeeze(0); return; }
            Split(part.Narrow(0, 0, half), first);
            Split(part.Narrow(0, half, len - half), first + half);
        }
        Split(sequence, 0);
        return steps;
    }

    /// <summary>
    /// One step from the input's gate pre-activations <paramref name="gi"/> = x W_ihᵀ + b_ih [B, G·H] and the state:
    /// RNN h' = act(gi + h W_hhᵀ + b_hh); LSTM (i, f, g, o) = (σ, σ, tanh, σ)(gi + h W_hhᵀ + b_hh),
    /// c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c') (then h' W_hrᵀ with a projection); GRU r = σ(gi_r + gh_r),
    /// z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n), h' = (1 − z) ⊙ n + z ⊙ h, where gh = h W_hhᵀ + b_hh.
    /// Returns (h', c'), c' null but for LSTM.
    /// </summary>
    public static (Tensor H, Tensor? C) Step(RecurrentMode mode, Tensor gi, Tensor h, Tensor? c, Tensor wHh, Tensor? bHh, Tensor? wHr = null)
    {
        var gh = F.Linear(h, wHh, bHh);
        switch (mode)
        {
            case RecurrentMode.RnnTanh: return ((gi + gh).Tanh(), null);
            case RecurrentMode.RnnRelu: return ((gi + gh).Relu(), null);
            case RecurrentMode.Lstm:
            {
                var gates = gi + gh;
                int hs = gates.Size(-1) / 4;
                var i = gates.Narrow(-1, 0, hs).Sigmoid();
                var f = gates.Narrow(-1, hs, hs).Sigmoid();
                var g = gates.Narrow(-1, 2 * hs, hs).Tanh();
                var o = gates.Narrow(-1, 3 * hs, hs).Sigmoid();
                var c1 = f * c! + i * g;
                var h1 = o * c1.Tanh();
                return (wHr == null ? h1 : F.Linear(h1, wHr), c1);
            }
            default:
            {
                int hs = gi.Size(-1) / 3;
                var r = (gi.Narrow(-1, 0, hs) + gh.Narrow(-1, 0, hs)).Sigmoid();
                var z = (gi.Narrow(-1, hs, hs) + gh.Narrow(-1, hs, hs)).Sigmoid();
                var n = (gi.Narrow(-1, 2 * hs, hs) + r * gh.Narrow(-1, 2 * hs, hs)).Tanh();
                return ((1.0 - z) * n + z * h, null);
            }
        }
    }
}

/// <summary>
/// What the three cells share, as torch.nn.RNNCellBase: weight_ih [G·hidden, input], weight_hh [G·hidden, hidden],
/// bias_ih and bias_hh [G·hidden] (G = 1, 4 for LSTM's i f g o, 3 for GRU's r z n), all uniform in ±1/√hidden.
/// Input [N, input_size] or unbatched [input_size]; the state [N, hidden_size] or [hidden_size], zeros if not given.
/// </summary>
public abstract class RNNCellBase : Module
{
    private readonly RecurrentMode _mode;

    private protected RNNCellBase(RecurrentMode mode, int inputSize, int hiddenSize, bool bias, Generator? generator)
    {
        if (inputSize < 0) throw new ArgumentException($"{GetType().Name}: input_size must be non-negative, got {inputSize}");
        if (hiddenSize <= 0) throw new ArgumentException($"{GetType().Name}: hidden_size must be greater than zero, got {hiddenSize}");
        _mode = mode;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        int g = RecurrentMath.Gates(mode) * hiddenSize;
        RegisterParameter("weight_ih", Init.DefaultUniform([g, inputSize], hiddenSize, generator));
        RegisterParameter("weight_hh", Init.DefaultUniform([g, hiddenSize], hiddenSize, generator));
        RegisterParameter("bias_ih", bias ? Init.DefaultUniform([g], hiddenSize, generator) : null);
        RegisterParameter("bias_hh", bias ? Init.DefaultUniform([g], hiddenSize, generator) : null);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public Tensor WeightIh => Get("weight_ih");
    public Tensor WeightHh => Get("weight_hh");
    public Tensor? BiasIh => GetOptional("bias_ih");
    public Tensor? BiasHh => GetOptional("bias_hh");

    /// <summary>One step: (h', c'), c' null but for LSTM. Checks as PyTorch's cells do, naming the sizes.</summary>
    private protected (Tensor H, Tensor? C) Run(Tensor input, Tensor? hx, Tensor? cx)
    {
        string name = GetType().Name;
        if (input.Rank is not (1 or 2))
            throw new ArgumentException($"{name}: Expected input to be 1D or 2D, got {input.Rank}D instead");
        if (input.Size(-1) != InputSize)
            throw new ArgumentException($"{name}: input has inconsistent input_size: got {input.Size(-1)}, expected {InputSize}");
        bool unbatched = input.Rank == 1;
        foreach (var (state, what) in new[] { (hx, "hx"), (cx, "cx") })
        {
            if (state == null) continue;
            if (state.Rank != input.Rank)
                throw new ArgumentException($"{name}: {what} must be {input.Rank}-D like the input {Shapes.Format(input.Shape)}, got {Shapes.Format(state.Shape)}");
            if (!unbatched && state.Size(0) != input.Size(0))
                throw new ArgumentException($"{name}: Input batch size {input.Size(0)} doesn't match {what} batch size {state.Size(0)}");
            if (state.Size(-1) != HiddenSize)
                throw new ArgumentException($"{name}: {what} has inconsistent hidden_size: got {state.Size(-1)}, expected {HiddenSize}");
        }
        var x = unbatched ? input.Unsqueeze(0) : input;
        Tensor Zeros() => Tensor.Zeros([x.Size(0), HiddenSize], x.DType, x.Device);
        var h = hx == null ? Zeros() : unbatched ? hx.Unsqueeze(0) : hx;
        Tensor? c = _mode != RecurrentMode.Lstm ? null : cx == null ? Zeros() : unbatched ? cx.Unsqueeze(0) : cx;
        var gi = F.Linear(x, WeightIh, BiasIh, name);
        var (h1, c1) = RecurrentMath.Step(_mode, gi, h, c, WeightHh, BiasHh);
        return unbatched ? (h1.Squeeze(0), c1?.Squeeze(0)) : (h1, c1);
    }

    /// <summary>"10, 20, bias=False", as PyTorch prints a cell.</summary>
    public override string ExtraRepr() =>
        $"{InputSize}, {HiddenSize}" + (BiasIh == null ? ", bias=False" : "") + (_mode == RecurrentMode.RnnRelu ? ", nonlinearity=relu" : "");
}

/// <summary>An Elman cell as torch.nn.RNNCell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act tanh or relu.</summary>
public sealed class RNNCell : RNNCellBase
{
    public RNNCell(int inputSize, int hiddenSize, bool bias = true, string nonlinearity = "tanh", Generator? generator = null)
        : base(RecurrentMath.RnnMode(nonlinearity, "RNNCell"), inputSize, hiddenSize, bias, generator) => Nonlinearity = nonlinearity;

    /// <summary>"tanh" or "relu".</summary>
    public string Nonlinearity { get; }

    /// <summary>h' from the input and hx (zeros when null).</summary>
    public Tensor Forward(Tensor input, Tensor? hx) => Run(input, hx, null).H;

    public override Tensor Forward(Tensor input) => Forward(input, null);
}

/// <summary>
/// A long short-term memory cell as torch.nn.LSTMCell: (i, f, g, o) = (σ, σ, tanh, σ)(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
/// in that order along the stacked weights, c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
/// </summary>
public sealed class LSTMCell : RNNCellBase
{
    public LSTMCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null)
        : base(RecurrentMode.Lstm, inputSize, hiddenSize, bias, generator) { }

    /// <summary>(h', c') from the input and (h, c) (both zeros when null).</summary>
    public (Tensor H, Tensor C) Forward(Tensor input, (Tensor H, Tensor C)? hx)
    {
        var (h, c) = Run(input, hx?.H, hx?.C);
        return (h, c!);
    }

    /// <summary>h' alone from zero states (see <see cref="Forward(Tensor, ValueTuple{Tensor, Tensor}?)"/> for c').</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).H;
}

/// <summary>
/// A gated recurrent unit cell as torch.nn.GRUCell: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz +
/// W_hz h + b_hz), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
public sealed class GRUCell : RNNCellBase
{
    public GRUCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null)
        : base(RecurrentMode.Gru, inputSize, hiddenSize, bias, generator) { }

    /// <summary>h' from the input and hx (zeros when null).</summary>
    public Tensor Forward(Tensor input, Tensor? hx) => Run(input, hx, null).H;

    public override Tensor Forward(Tensor input) => Forward(input, null);
}
