using Pade.Engine;
using Pade.Engine.Autograd;
using Pade.Layers;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;
using TNN = TorchSharp.torch.nn;

namespace Pade.Bench.Oracle;

/// <summary>
/// nn.RNN (tanh, relu), nn.LSTM, nn.GRU and the three cells against libtorch's modules with the same weights: the
/// oracle's inputs are x, h_0 (c_0) and every weight in PyTorch's order and names; both sides copy the weights into a
/// fresh module, run it, and route the module's gradients back to those inputs (a graph node on Pade's side, an
/// autograd function on libtorch's), so the output (output, h_n and c_n flattened into one vector) and the
/// gradients of the input, the states and every weight are compared. Random sizes, 1–3 layers, bidirectional,
/// batch_first, without bias, sequence length and batch 1, unbatched input. LSTM's proj_size is not compared:
/// TorchSharp 0.107's LSTM has no proj_size argument (the unit tests check it against the equations). libtorch's C++
/// modules take only batched sequences: unbatched cases give libtorch the batch of one that Python's forward adds.
/// </summary>
public static partial class OracleCases
{
    private static void AddRecurrent(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7927 + 61);
        foreach (var mode in new[] { "RNN_TANH", "RNN_RELU", "LSTM", "GRU" })
            for (int i = 0; i < perFamily; i++)
            {
                int layers = g.Pick(1, 1, 2, 3), len = g.Pick(1, 2, 3, 5), n = g.Pick(-1, 1, 2, 3);
                cases.Add(RecurrentLayer(g, mode, g.Int(1, 4), g.Int(1, 4), layers, g.Coin(0.8), g.Coin(), g.Coin(), len, n, g.Coin()));
            }
        foreach (var mode in new[] { "RNN_TANH", "RNN_RELU", "LSTM", "GRU" })
            for (int i = 0; i < perFamily / 2; i++)
                cases.Add(RecurrentCell(g, mode, g.Int(1, 4), g.Int(1, 4), g.Coin(0.8), g.Pick(-1, 1, 2, 3), g.Coin()));
        // Hidden size 1, one long sequence, a wide batch.
        cases.Add(RecurrentLayer(g, "LSTM", 3, 1, 2, true, true, true, 4, 2, true));
        cases.Add(RecurrentLayer(g, "GRU", 2, 3, 1, true, false, false, 12, 1, true));
        cases.Add(RecurrentLayer(g, "RNN_TANH", 2, 2, 2, false, false, true, 3, 7, false));
    }

    private static string Family(string mode) => mode switch { "LSTM" => "lstm", "GRU" => "gru", _ => "rnn" };

    /// <summary>(name, shape) of every weight of a layer stack in PyTorch's order.</summary>
    private static List<(string Name, int[] Shape)> RecurrentWeights(string mode, int inSize, int hidden, int layers, bool bias, bool bidirectional, bool cell)
    {
        int gates = (mode == "LSTM" ? 4 : mode == "GRU" ? 3 : 1) * hidden, dirs = bidirectional ? 2 : 1;
        var w = new List<(string, int[])>();
        for (int layer = 0; layer < layers; layer++)
            for (int d = 0; d < dirs; d++)
            {
                string s = cell ? "" : $"_l{layer}" + (d == 1 ? "_reverse" : "");
                w.Add(("weight_ih" + s, [gates, layer == 0 ? inSize : hidden * dirs]));
                w.Add(("weight_hh" + s, [gates, hidden]));
                if (bias) { w.Add(("bias_ih" + s, [gates])); w.Add(("bias_hh" + s, [gates])); }
            }
        return w;
    }

    private static OracleCase RecurrentLayer(OracleGen g, string mode, int inSize, int hidden, int layers, bool bias, bool batchFirst,
        bool bidirectional, int len, int n, bool withHx)
    {
        bool unbatched = n < 0, lstm = mode == "LSTM";
        int dirs = bidirectional ? 2 : 1, k = layers * dirs;
        int[] xs = unbatched ? [len, inSize] : batchFirst ? [n, len, inSize] : [len, n, inSize];
        int[] hs = unbatched ? [k, hidden] : [k, n, hidden];
        var weights = RecurrentWeights(mode, inSize, hidden, layers, bias, bidirectional, false);
        var inputs = new List<OracleInput> { g.Input("input", xs, -1, 1) };
        if (withHx) inputs.Add(g.Input("h_0", hs, -1, 1));
        if (withHx && lstm) inputs.Add(g.Input("c_0", hs, -1, 1));
        double bound = 1 / Math.Sqrt(hidden);
        foreach (var (name, shape) in weights) inputs.Add(g.Input(name, shape, -bound, bound));
        int states = inputs.Count - weights.Count;
        var config = $"{mode} x {Fmt(xs)} hidden {hidden} layers {layers} bias {bias} batch_first {batchFirst} bidirectional {bidirectional} hx {withHx}";
        return new(Family(mode), config, [.. inputs],
            x => PadeModuleCall(x, states, weights, leaves =>
            {
                RNNBase m = mode switch
                {
                    "LSTM" => new LSTM(inSize, hidden, layers, bias, batchFirst, 0, bidirectional),
                    "GRU" => new GRU(inSize, hidden, layers, bias, batchFirst, 0, bidirectional),
                    _ => new RNN(inSize, hidden, layers, mode == "RNN_RELU" ? "relu" : "tanh", bias, batchFirst, 0, bidirectional),
                };
                return (m, () =>
                {
                    PTensor? h0 = withHx ? leaves[1] : null;
                    switch (m)
                    {
                        case LSTM l:
                            var (o, (h, c)) = l.Forward(leaves[0], withHx ? (leaves[1], leaves[2]) : null);
                            return PTensor.Concat([o.Flatten(), h.Flatten(), c.Flatten()]);
                        case GRU gru:
                            var (og, hg) = gru.Forward(leaves[0], h0);
                            return PTensor.Concat([og.Flatten(), hg.Flatten()]);
                        default:
                            var (or, hr) = ((RNN)m).Forward(leaves[0], h0);
                            return PTensor.Concat([or.Flatten(), hr.Flatten()]);
                    }
                });
            }),
            x => TorchModuleGrad.Call(x, states, weights, leaves =>
            {
                TNN.Module module;
                Func<TTensor> run;
                // libtorch's C++ modules take only batched input: an unbatched sequence gets the batch of one that
                // Python's nn.RNNBase.forward adds (at dim 0 with batch_first, else 1), and loses it again after.
                int bd = batchFirst ? 0 : 1;
                var xin = unbatched ? leaves[0].unsqueeze(bd) : leaves[0];
                TTensor? State(int i) => !withHx ? null : unbatched ? leaves[i].unsqueeze(1) : leaves[i];
                TTensor Out(TTensor o) => (unbatched ? o.squeeze(bd) : o).flatten();
                TTensor Hn(TTensor h) => (unbatched ? h.squeeze(1) : h).flatten();
                var h0 = State(1);
                switch (mode)
                {
                    case "LSTM":
                        var l = TNN.LSTM(inSize, hidden, layers, bias, batchFirst, 0, bidirectional, dtype: ScalarType.Float64);
                        module = l;
                        run = () =>
                        {
                            var (o, h, c) = l.call(xin, withHx ? (State(1)!, State(2)!) : null);
                            return cat([Out(o), Hn(h), Hn(c)]);
                        };
                        break;
                    case "GRU":
                        var gru = TNN.GRU(inSize, hidden, layers, bias, batchFirst, 0, bidirectional, dtype: ScalarType.Float64);
                        module = gru;
                        run = () => { var (o, h) = gru.call(xin, h0); return cat([Out(o), Hn(h)]); };
                        break;
                    default:
                        var rnn = TNN.RNN(inSize, hidden, layers, mode == "RNN_RELU" ? TNN.NonLinearities.ReLU : TNN.NonLinearities.Tanh, bias, batchFirst, 0,
                            bidirectional, dtype: ScalarType.Float64);
                        module = rnn;
                        run = () => { var (o, h) = rnn.call(xin, h0); return cat([Out(o), Hn(h)]); };
                        break;
                }
                return (module, run);
            }),
            Tolerance32: 2e-4);
    }

    private static OracleCase RecurrentCell(OracleGen g, string mode, int inSize, int hidden, bool bias, int n, bool withHx)
    {
        bool unbatched = n < 0, lstm = mode == "LSTM";
        int[] xs = unbatched ? [inSize] : [n, inSize];
        int[] hs = unbatched ? [hidden] : [n, hidden];
        var weights = RecurrentWeights(mode, inSize, hidden, 1, bias, false, true);
        var inputs = new List<OracleInput> { g.Input("input", xs, -1, 1) };
        if (withHx) inputs.Add(g.Input("hx", hs, -1, 1));
        if (withHx && lstm) inputs.Add(g.Input("cx", hs, -1, 1));
        double bound = 1 / Math.Sqrt(hidden);
        foreach (var (name, shape) in weights) inputs.Add(g.Input(name, shape, -bound, bound));
        int states = inputs.Count - weights.Count;
        return new(Family(mode) + "_cell", $"{mode} x {Fmt(xs)} hidden {hidden} bias {bias} hx {withHx}", [.. inputs],
            x => PadeModuleCall(x, states, weights, leaves =>
            {
                PTensor? hx = withHx ? leaves[1] : null;
                RNNCellBase m = mode switch
                {
                    "LSTM" => new LSTMCell(inSize, hidden, bias),
                    "GRU" => new GRUCell(inSize, hidden, bias),
                    _ => new RNNCell(inSize, hidden, bias, mode == "RNN_RELU" ? "relu" : "tanh"),
                };
                return (m, () => m switch
                {
                    LSTMCell l => l.Forward(leaves[0], withHx ? (leaves[1], leaves[2]) : null) is var (h, c) ? PTensor.Concat([h.Flatten(), c.Flatten()]) : null!,
                    GRUCell gc => gc.Forward(leaves[0], hx),
                    _ => ((RNNCell)m).Forward(leaves[0], hx),
                });
            }),
            x => TorchModuleGrad.Call(x, states, weights, leaves =>
            {
                var hx = withHx ? leaves[1] : null;
                switch (mode)
                {
                    case "LSTM":
                        var l = TNN.LSTMCell(inSize, hidden, bias, dtype: ScalarType.Float64);
                        // TorchSharp 0.107's LSTMCell without (h, c) passes empty states that libtorch refuses
                        // ("doesn't match hidden0 batch size 0"): zeros are PyTorch's default.
                        return (l, () =>
                        {
                            var (h, c) = l.call(leaves[0], withHx ? (leaves[1], leaves[2]) : (zeros(hs.Select(d => (long)d).ToArray(), float64), zeros(hs.Select(d => (long)d).ToArray(), float64)));
                            return cat([h.flatten(), c.flatten()]);
                        });
                    case "GRU":
                        var gc = TNN.GRUCell(inSize, hidden, bias, dtype: ScalarType.Float64);
                        return (gc, () => gc.call(leaves[0], hx!));
                    default:
                        var rc = TNN.RNNCell(inSize, hidden, mode == "RNN_RELU" ? TNN.NonLinearities.ReLU : TNN.NonLinearities.Tanh, bias, dtype: ScalarType.Float64);
                        return (rc, () => rc.call(leaves[0], hx!));
                }
            }),
            Tolerance32: 2e-4);
    }

    /// <summary>
    /// Runs a Pade module whose weights are the oracle's inputs: the first <paramref name="states"/> inputs (x and the
    /// states) are passed as they are, the rest are copied into the module's parameters of those names; one graph
    /// node over all the inputs runs the module's own backward and hands each input its gradient (a parameter's .Grad).
    /// </summary>
    private static PTensor PadeModuleCall(PTensor[] x, int states, List<(string Name, int[] Shape)> weights,
        Func<PTensor[], (Module Module, Func<PTensor> Run)> build)
    {
        var leaves = x.Select(t => { var c = t.Detach(); c.RequiresGrad = true; return c; }).ToArray();
        var (m, run) = build(leaves);
        m.To(dtype: x[0].DType);
        m.LoadStateDict(weights.Select((w, i) => (w.Name, x[states + i])).ToDictionary(p => p.Name, p => p.Item2));
        var y = run();
        var parameters = m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        return Graph.Record(y.Detach(), "module", x, dy =>
        {
            y.Backward(dy.Clone());
            var grads = new PTensor?[x.Length];
            for (int i = 0; i < states; i++) grads[i] = leaves[i].Grad?.Clone();
            for (int i = 0; i < weights.Count; i++) grads[states + i] = parameters[weights[i].Name].Grad?.Clone();
            return grads;
        });
    }

    /// <summary>The same on libtorch's side: an autograd function whose forward runs the module (with grad enabled, on
    /// detached copies of x and the states and the weights copied into its parameters) and whose backward runs the
    /// module's backward and returns those leaves' gradients.</summary>
    private sealed class TorchModuleGrad : autograd.SingleTensorFunction<TorchModuleGrad>
    {
        public override string Name => nameof(TorchModuleGrad);

        public static TTensor Call(TTensor[] x, int states, List<(string Name, int[] Shape)> weights,
            Func<TTensor[], (TNN.Module Module, Func<TTensor> Run)> build) =>
            apply([(object)new Setup(states, weights, build), .. x]);

        private sealed record Setup(int States, List<(string Name, int[] Shape)> Weights, Func<TTensor[], (TNN.Module Module, Func<TTensor> Run)> Build);

        public override TTensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var setup = (Setup)vars[0];
            var x = vars.Skip(1).Cast<TTensor>().ToArray();
            using var _ = enable_grad();
            var leaves = x.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
            var (module, run) = setup.Build(leaves);
            var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            using (no_grad())
                for (int i = 0; i < setup.Weights.Count; i++) parameters[setup.Weights[i].Name].copy_(x[setup.States + i]);
            var y = run();
            var gradOf = leaves.Take(setup.States).Concat(setup.Weights.Select(w => (TTensor)parameters[w.Name])).ToArray();
            ctx.save_data("y", y);
            ctx.save_data("leaves", gradOf);
            ctx.save_data("module", module);
            return y.detach().clone();
        }

        public override List<TTensor> backward(autograd.AutogradContext ctx, TTensor gradOutput)
        {
            var y = (TTensor)ctx.get_data("y");
            var leaves = (TTensor[])ctx.get_data("leaves");
            using (enable_grad()) y.backward([gradOutput]);
            return [null!, .. leaves.Select(l => l.grad is { } g ? g.clone() : zeros_like(l))];
        }
    }
}
