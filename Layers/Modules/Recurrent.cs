using System.Globalization;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// What RNN, LSTM and GRU share, as torch.nn.RNNBase: a stack of num_layers recurrent layers, each one or two
/// directions, with PyTorch's parameters per layer k and direction (suffix "_reverse" for the backward one):
/// weight_ih_lk [G·hidden, in] (in = input_size for layer 0, else hidden·directions, or proj·directions),
/// weight_hh_lk [G·hidden, hidden or proj], bias_ih_lk and bias_hh_lk [G·hidden], LSTM's weight_hr_lk
/// [proj, hidden] with a projection; all uniform in ±1/√hidden. Input [L, N, input_size] ([N, L, input_size] with
/// batch_first) or unbatched [L, input_size]; output [L, N, directions·H_out], h_n [layers·directions, N, H_out]
/// (unbatched: without N). Each layer's input projection x W_ihᵀ + b_ih is one GEMM over the whole sequence; the
/// steps then add h W_hhᵀ + b_hh. In training, dropout (probability <see cref="Dropout"/>) is applied to the output
/// of every layer but the last.
/// </summary>
public abstract class RNNBase : Module
{
    private readonly RecurrentMode _mode;
    private readonly Generator? _generator;

    private protected RNNBase(RecurrentMode mode, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional, int projSize, Generator? generator)
    {
        string name = GetType().Name;
        if (inputSize < 0) throw new ArgumentException($"{name}: input_size must be non-negative, got {inputSize}");
        if (hiddenSize <= 0) throw new ArgumentException($"{name}: hidden_size must be greater than zero, got {hiddenSize}");
        if (numLayers <= 0) throw new ArgumentException($"{name}: num_layers must be greater than zero, got {numLayers}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentException($"{name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got {dropout}");
        if (projSize < 0) throw new ArgumentException($"{name}: proj_size should be a positive integer or zero to disable projections, got {projSize}");
        if (projSize >= hiddenSize && projSize > 0) throw new ArgumentException($"{name}: proj_size has to be smaller than hidden_size, got proj_size {projSize} and hidden_size {hiddenSize}");
        _mode = mode;
        _generator = generator;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
        ProjSize = projSize;
        int gates = RecurrentMath.Gates(mode) * hiddenSize, hOut = OutputHiddenSize, dirs = Directions;
        // PyTorch's order (its _flat_weights_names): per layer, per direction, w_ih, w_hh, b_ih, b_hh, w_hr.
        for (int layer = 0; layer < numLayers; layer++)
            for (int d = 0; d < dirs; d++)
            {
                string s = Suffix(layer, d);
                int inSize = layer == 0 ? inputSize : hOut * dirs;
                RegisterParameter("weight_ih" + s, Init.DefaultUniform([gates, inSize], hiddenSize, generator));
                RegisterParameter("weight_hh" + s, Init.DefaultUniform([gates, hOut], hiddenSize, generator));
                if (bias)
                {
                    RegisterParameter("bias_ih" + s, Init.DefaultUniform([gates], hiddenSize, generator));
                    RegisterParameter("bias_hh" + s, Init.DefaultUniform([gates], hiddenSize, generator));
                }
                if (projSize > 0) RegisterParameter("weight_hr" + s, Init.DefaultUniform([projSize, hiddenSize], hiddenSize, generator));
            }
        Bias = bias;
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public bool Bias { get; }
    public bool BatchFirst { get; }

    /// <summary>The probability of zeroing an element of each layer's output but the last's, in training.</summary>
    public double Dropout { get; }
    public bool Bidirectional { get; }

    /// <summary>LSTM's projection size (0: none); h is then [.., proj_size] and c stays [.., hidden_size].</summary>
    public int ProjSize { get; }

    private int Directions => Bidirectional ? 2 : 1;

    /// <summary>The size of h and of each direction's output: proj_size when set, else hidden_size.</summary>
    private int OutputHiddenSize => ProjSize > 0 ? ProjSize : HiddenSize;

    private static string Suffix(int layer, int direction) => $"_l{layer}" + (direction == 1 ? "_reverse" : "");

    /// <summary>
    /// Runs the stack: (output, h_n, c_n), c_n null but for LSTM. <paramref name="h0"/> and <paramref name="c0"/>
    /// are [layers·directions, N, H_out] and [layers·directions, N, hidden] (without N when unbatched), zeros if null.
    /// </summary>
    private protected (Tensor Output, Tensor HN, Tensor? CN) Run(Tensor input, Tensor? h0, Tensor? c0)
    {
        string name = GetType().Name;
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"{name}: Expected input to be 2D or 3D, got {input.Rank}D tensor instead");
        if (input.Size(-1) != InputSize)
            throw new ArgumentException($"{name}: input.size(-1) must be equal to input_size. Expected {InputSize}, got {input.Size(-1)}");
        bool unbatched = input.Rank == 2;
        // [L, N, in] from here on: unbatched input gets N = 1, batch_first input is transposed (a view).
        var x = unbatched ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input;
        int len = x.Size(0), n = x.Size(1), dirs = Directions, hOut = OutputHiddenSize;
        if (len == 0) throw new ArgumentException($"{name}: Expected sequence length to be larger than 0 in RNN, got input {Shapes.Format(input.Shape)}");
        bool lstm = _mode == RecurrentMode.Lstm;
        var h = State(h0, unbatched, n, hOut, "hx", lstm ? "hidden[0]" : "hidden", input) ?? Tensor.Zeros([NumLayers * dirs, n, hOut], x.DType, x.Device);
        Tensor? c = null;
        if (lstm)
            c = State(c0, unbatched, n, HiddenSize, "cx", "hidden[1]", input) ?? Tensor.Zeros([NumLayers * dirs, n, HiddenSize], x.DType, x.Device);

        var hN = new Tensor[NumLayers * dirs];
        var cN = new Tensor[NumLayers * dirs];
        for (int layer = 0; layer < NumLayers; layer++)
        {
            var outs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++)
            {
                int k = layer * dirs + d;
                string s = Suffix(layer, d);
                // One GEMM for every time step's share of the gates: [L, N, G·hidden].
                var gi = RecurrentMath.Steps(F.Linear(x, Get("weight_ih" + s), GetOptional("bias_ih" + s), name));
                var wHh = Get("weight_hh" + s);
                var bHh = GetOptional("bias_hh" + s);
                var wHr = GetOptional("weight_hr" + s);
                var ht = h.Select(0, k);
                var ct = c?.Select(0, k);
                var steps = new Tensor[len];
                for (int i = 0; i < len; i++)
                {
                    int t = d == 0 ? i : len - 1 - i;
                    (ht, ct) = RecurrentMath.Step(_mode, gi[t], ht, ct, wHh, bHh, wHr);
                    steps[t] = ht;
                }
                outs[d] = Tensor.Stack(steps, 0);
                hN[k] = ht;
                if (ct != null) cN[k] = ct;
            }
            x = dirs == 1 ? outs[0] : Tensor.Concat(outs, -1);
            if (layer < NumLayers - 1 && Training && Dropout > 0) x = F.Dropout(x, Dropout, true, _generator);
        }

        var output = unbatched ? x.Squeeze(1) : BatchFirst ? x.Transpose(0, 1) : x;
        var hn = Tensor.Stack(hN, 0);
        var cn = c == null ? null : Tensor.Stack(cN, 0);
        return unbatched ? (output, hn.Squeeze(1), cn?.Squeeze(1)) : (output, hn, cn);
    }

    /// <summary>The initial state as [layers·directions, N, size], checked as PyTorch checks hx (rank, then shape;
    /// PyTorch names the shapes "hidden", or LSTM's "hidden[0]" and "hidden[1]").</summary>
    private Tensor? State(Tensor? s, bool unbatched, int n, int size, string what, string label, Tensor input)
    {
        if (s == null) return null;
        string name = GetType().Name;
        if (unbatched && s.Rank != 2)
            throw new ArgumentException($"{name}: For unbatched 2-D input, {what} should also be 2-D but got {s.Rank}-D tensor");
        if (!unbatched && s.Rank != 3)
            throw new ArgumentException($"{name}: For batched 3-D input, {what} should also be 3-D but got {s.Rank}-D tensor");
        var s3 = unbatched ? s.Unsqueeze(1) : s;
        int[] expected = [NumLayers * Directions, n, size];
        if (!Shapes.SameShape(s3.Shape, expected))
        {
            var shown = unbatched ? [expected[0], expected[2]] : expected;
            throw new ArgumentException($"{name}: Expected {label} size {Shapes.Format(shown)}, got {Shapes.Format(s.Shape)} (input {Shapes.Format(input.Shape)})");
        }
        return s3;
    }

    /// <summary>"10, 20, num_layers=2, batch_first=True", as PyTorch prints the layer.</summary>
    public override string ExtraRepr()
    {
        var s = $"{InputSize}, {HiddenSize}";
        if (ProjSize != 0) s += $", proj_size={ProjSize}";
        if (NumLayers != 1) s += $", num_layers={NumLayers}";
        if (!Bias) s += ", bias=False";
        if (BatchFirst) s += ", batch_first=True";
        if (Dropout != 0) s += $", dropout={Dropout.ToString(CultureInfo.InvariantCulture)}";
        if (Bidirectional) s += ", bidirectional=True";
        if (_mode == RecurrentMode.RnnRelu) s += ", nonlinearity=relu";
        return s;
    }
}

/// <summary>
/// A multi-layer Elman RNN as torch.nn.RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), act tanh or relu.
/// <see cref="Forward(Tensor, Tensor?)"/> returns (output, h_n) as PyTorch does.
/// </summary>
public sealed class RNN : RNNBase
{
    public RNN(int inputSize, int hiddenSize, int numLayers = 1, string nonlinearity = "tanh", bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, Generator? generator = null)
        : base(RecurrentMath.RnnMode(nonlinearity, "RNN"), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, 0, generator)
        => Nonlinearity = nonlinearity;

    /// <summary>"tanh" or "relu".</summary>
    public string Nonlinearity { get; }

    /// <summary>(output, h_n) from the input and h_0 (zeros when null).</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? hx)
    {
        var (o, h, _) = Run(input, hx, null);
        return (o, h);
    }

    /// <summary>The output sequence alone (so the layer composes in a Sequential); h_n: <see cref="Forward(Tensor, Tensor?)"/>.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}

/// <summary>
/// A multi-layer LSTM as torch.nn.LSTM: per step (i, f, g, o) = (σ, σ, tanh, σ)(x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh),
/// c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t), with proj_size > 0 then h_t = (o ⊙ tanh(c_t)) W_hrᵀ.
/// <see cref="Forward(Tensor, ValueTuple{Tensor, Tensor}?)"/> returns (output, (h_n, c_n)) as PyTorch does.
/// </summary>
public sealed class LSTM : RNNBase
{
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, int projSize = 0, Generator? generator = null)
        : base(RecurrentMode.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize, generator) { }

    /// <summary>(output, (h_n, c_n)) from the input and (h_0, c_0) (zeros when null).</summary>
    public (Tensor Output, (Tensor HN, Tensor CN) State) Forward(Tensor input, (Tensor H0, Tensor C0)? hx)
    {
        if (hx is var (h0, c0) && input.Rank is 2 or 3 && (h0.Rank != input.Rank || c0.Rank != input.Rank))
            throw new ArgumentException(input.Rank == 3
                ? $"LSTM: For batched 3-D input, hx and cx should also be 3-D but got ({h0.Rank}-D, {c0.Rank}-D) tensors"
                : $"LSTM: For unbatched 2-D input, hx and cx should also be 2-D but got ({h0.Rank}-D, {c0.Rank}-D) tensors");
        var (o, h, c) = Run(input, hx?.H0, hx?.C0);
        return (o, (h, c!));
    }

    /// <summary>The output sequence alone (so the layer composes in a Sequential); the states: the other overload.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}

/// <summary>
/// A multi-layer GRU as torch.nn.GRU: per step r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h +
/// b_hz), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
/// <see cref="Forward(Tensor, Tensor?)"/> returns (output, h_n) as PyTorch does.
/// </summary>
public sealed class GRU : RNNBase
{
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, Generator? generator = null)
        : base(RecurrentMode.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, 0, generator) { }

    /// <summary>(output, h_n) from the input and h_0 (zeros when null).</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? hx)
    {
        var (o, h, _) = Run(input, hx, null);
        return (o, h);
    }

    /// <summary>The output sequence alone (so the layer composes in a Sequential); h_n: <see cref="Forward(Tensor, Tensor?)"/>.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}
