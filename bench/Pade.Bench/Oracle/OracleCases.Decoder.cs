using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// TransformerDecoderLayer (family transformer_decoder_layer, relu and gelu, post-norm as libtorch's C++ module) and
/// Transformer (family transformer: encoder and decoder stacks with their final norms) against libtorch's with
/// Pade's weights loaded by name, dropout 0: output and the gradients of tgt and memory (src). libtorch's C++
/// attention adds a 2-D float attn_mask and takes a boolean key_padding_mask only, so the causal target mask
/// reaches it as float −∞/0 (Pade gets it as a boolean int32 mask) and the key padding masks as torch.bool; the
/// memory mask is a finite float one.
/// </summary>
public static partial class OracleCases
{
    private static void AddDecoder(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7933 + 67);
        for (int i = 0; i < perFamily * 2; i++)
        {
            int h = g.Int(1, 3), e = h * g.Int(1, 2);
            cases.Add(DecoderLayerCase(g, e, h, g.Int(1, 6), g.Int(1, 4), g.Int(1, 4), g.Int(1, 2), g.Pick("relu", "gelu"),
                g.Coin(), g.Coin(), g.Coin(), g.Coin()));
        }
        cases.Add(DecoderLayerCase(g, 2, 1, 3, 1, 1, 1, "relu", true, true, true, true));   // T = S = 1, one head
        for (int i = 0; i < perFamily; i++)
        {
            int h = g.Int(1, 2), e = h * g.Int(1, 2);
            cases.Add(TransformerCase(g, e, h, g.Int(1, 2), g.Int(1, 2), g.Int(1, 4), g.Int(1, 4), g.Int(1, 4), g.Int(1, 2),
                g.Pick("relu", "gelu"), g.Coin(), g.Coin()));
        }
    }

    private static OracleInput CausalMask(int t)
    {
        var v = new double[t * t];
        for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) v[i * t + j] = j > i ? 1 : 0;
        return new OracleInput("tgt_mask", [t, t], v, Grad: false, Indices: true);
    }

    private static List<OracleInput> Weights(OracleGen g, Pade.Layers.Module m) =>
        m.NamedParameters().Select(p => p.Item1.Split('.')[^2].StartsWith("norm", StringComparison.Ordinal) && p.Item1.EndsWith("weight", StringComparison.Ordinal)
            ? g.Input(p.Item1, p.Item2.ShapeCopy(), 0.5, 1.5, grad: false) : g.Input(p.Item1, p.Item2.ShapeCopy(), -1, 1, grad: false)).ToList();

    private static TorchSharp.torch.Tensor? TorchCausal(TorchSharp.torch.Tensor? m, int t) =>
        m is null ? null : zeros(t, t, m.dtype == ScalarType.Float32 ? float32 : float64).masked_fill(m.to(ScalarType.Bool), double.NegativeInfinity);

    private static OracleCase DecoderLayerCase(OracleGen g, int e, int h, int ff, int t, int s, int n, string activation,
        bool causal, bool memMask, bool tgtKpm, bool memKpm)
    {
        var inputs = new List<OracleInput> { g.Input("tgt", [t, n, e]), g.Input("memory", [s, n, e]) };
        var weights = Weights(g, new Pade.Layers.TransformerDecoderLayer(e, h, ff, 0, activation));
        inputs.AddRange(weights);
        int causalAt = -1, memMaskAt = -1, tgtKpmAt = -1, memKpmAt = -1;
        if (causal) { causalAt = inputs.Count; inputs.Add(CausalMask(t)); }
        if (memMask) { memMaskAt = inputs.Count; inputs.Add(g.Input("memory_mask", [t, s], grad: false)); }
        if (tgtKpm) { tgtKpmAt = inputs.Count; inputs.Add(Sparse(g.Classes("tgt_key_padding_mask", [n, t], 2))); }
        if (memKpm) { memKpmAt = inputs.Count; inputs.Add(Sparse(g.Classes("memory_key_padding_mask", [n, s], 2))); }
        int nw = weights.Count;
        PTensor? At(PTensor[] x, int i) => i < 0 ? null : x[i];
        string config = $"d_model {e} nhead {h} dim_feedforward {ff} T {t} S {s} N {n} {activation}" + (causal ? " causal tgt_mask" : "") +
                        (memMask ? " memory_mask" : "") + (tgtKpm ? " tgt_key_padding_mask" : "") + (memKpm ? " memory_key_padding_mask" : "");
        return new("transformer_decoder_layer", config, [.. inputs],
            x =>
            {
                var m = new Pade.Layers.TransformerDecoderLayer(e, h, ff, 0, activation);
                m.To(dtype: x[0].DType);
                m.LoadStateDict(Enumerable.Range(0, nw).ToDictionary(i => weights[i].Name, i => x[2 + i]));
                return m.Forward(x[0], x[1], At(x, causalAt), At(x, memMaskAt), At(x, tgtKpmAt), At(x, memKpmAt));
            },
            x =>
            {
                var m = nn.TransformerDecoderLayer(e, h, ff, 0, activation == "gelu" ? nn.Activations.GELU : nn.Activations.ReLU);
                m.to(float64);
                using (no_grad())
                    foreach (var (name, p) in m.named_parameters())
                        p.copy_(x[2 + weights.FindIndex(w => w.Name == name)]);
                return m.forward(x[0], x[1], TorchCausal(causalAt < 0 ? null : x[causalAt], t), memMaskAt < 0 ? null : x[memMaskAt],
                    tgtKpmAt < 0 ? null : TorchMask(x[tgtKpmAt], true), memKpmAt < 0 ? null : TorchMask(x[memKpmAt], true));
            }, Tolerance: 1e-9, Tolerance32: 5e-4);
    }

    private static OracleCase TransformerCase(OracleGen g, int e, int h, int encLayers, int decLayers, int ff, int s, int t, int n, string activation,
        bool causal, bool srcKpm)
    {
        var inputs = new List<OracleInput> { g.Input("src", [s, n, e]), g.Input("tgt", [t, n, e]) };
        var weights = Weights(g, new Pade.Layers.Transformer(e, h, encLayers, decLayers, ff, 0, activation));
        inputs.AddRange(weights);
        int causalAt = -1, kpmAt = -1;
        if (causal) { causalAt = inputs.Count; inputs.Add(CausalMask(t)); }
        if (srcKpm) { kpmAt = inputs.Count; inputs.Add(Sparse(g.Classes("src_key_padding_mask", [n, s], 2))); }
        int nw = weights.Count;
        string config = $"d_model {e} nhead {h} layers {encLayers}+{decLayers} dim_feedforward {ff} S {s} T {t} N {n} {activation}" +
                        (causal ? " causal tgt_mask" : "") + (srcKpm ? " src_key_padding_mask (and memory's)" : "");
        return new("transformer", config, [.. inputs],
            x =>
            {
                var m = new Pade.Layers.Transformer(e, h, encLayers, decLayers, ff, 0, activation);
                m.To(dtype: x[0].DType);
                m.LoadStateDict(Enumerable.Range(0, nw).ToDictionary(i => weights[i].Name, i => x[2 + i]));
                var kpm = kpmAt < 0 ? null : x[kpmAt];
                return m.Forward(x[0], x[1], tgtMask: causalAt < 0 ? null : x[causalAt], srcKeyPaddingMask: kpm, memoryKeyPaddingMask: kpm);
            },
            x =>
            {
                var m = nn.Transformer(e, h, encLayers, decLayers, ff, 0, activation == "gelu" ? nn.Activations.GELU : nn.Activations.ReLU);
                m.to(float64);
                using (no_grad())
                    foreach (var (name, p) in m.named_parameters())
                        p.copy_(x[2 + weights.FindIndex(w => w.Name == name)]);
                var kpm = kpmAt < 0 ? null : TorchMask(x[kpmAt], true);
                return m.call(x[0], x[1], null!, TorchCausal(causalAt < 0 ? null : x[causalAt], t), null, kpm, null, kpm);
            }, Tolerance: 1e-9, Tolerance32: 1e-3);
    }
}
