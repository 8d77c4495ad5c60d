using Pade.Engine.Functional;
using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TF = TorchSharp.torch.nn.functional;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// scaled_dot_product_attention (family scaled_dot_product_attention) against libtorch's: batch dims that
/// broadcast, L ≠ S, Ev ≠ E, boolean masks (Pade's int32, torch.bool there) and float masks (differentiated) that
/// broadcast, causal with L ≠ S, a given scale, grouped-query attention (libtorch's keys and values repeated with
/// repeat_interleave), fully masked rows. nn.MultiheadAttention (family multihead_attention) with Pade's weights
/// loaded into libtorch's module: output and attention weights (averaged over the heads), query/key/value gradients,
/// kdim/vdim, bias_k/bias_v, add_zero_attn, masks, unbatched inputs (TorchSharp's forward has no
/// average_attn_weights: the per-head weights are the unit tests'). The module's weights are copied into libtorch's
/// parameters, so their gradients are compared in family multihead_attention_weights: libtorch's
/// F.linear/bmm/softmax composition of PyTorch's multi_head_attention_forward against Pade's, every weight an input.
/// TransformerEncoderLayer (family transformer_encoder_layer, relu and gelu) against libtorch's with Pade's weights.
/// </summary>
public static partial class OracleCases
{
    private static void AddAttention(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 53);
        for (int i = 0; i < perFamily * 4; i++)
        {
            int l = g.Int(1, 5), s = g.Int(1, 5), e = g.Int(1, 4), ev = g.Int(1, 4);
            int[] batch = g.Pick(0, 1, 2, 2) switch { 0 => [], 1 => [g.Int(1, 3)], _ => [g.Int(1, 2), g.Int(1, 3)] };
            int[] kb = batch.Select(d => g.Coin(0.25) ? 1 : d).ToArray();
            string mask = g.Pick("none", "bool", "float", "causal");
            int[]? ms = null;
            if (mask is "bool" or "float")
            {
                int[] full = [.. batch, l, s];
                int rank = g.Int(2, full.Length);
                ms = full[^rank..].Select(d => g.Coin(0.3) ? 1 : d).ToArray();
            }
            cases.Add(Sdpa(g, [.. batch, l, e], [.. kb, s, e], [.. kb, s, ev], mask, ms, g.Coin(0.3) ? g.Pick(0.3, 0.7, 1.5) : null, 1));
        }
        cases.Add(Sdpa(g, [2, 1, 3], [2, 4, 3], [2, 4, 2], "causal", null, null, 1));          // L = 1: one key taken
        cases.Add(Sdpa(g, [1, 2, 5, 2], [1, 2, 3, 2], [1, 2, 3, 4], "causal", null, null, 1));  // L > S: top-left aligned
        cases.Add(Sdpa(g, [2, 4, 3, 2], [2, 2, 5, 2], [2, 2, 5, 3], "none", null, null, 2));   // GQA, 2 query heads per key head
        cases.Add(Sdpa(g, [1, 6, 2, 3], [1, 2, 4, 3], [1, 2, 4, 1], "bool", [2, 4], 0.5, 3));  // GQA with a mask
        cases.Add(Sdpa(g, [3, 1], [4, 1], [4, 1], "float", [3, 4], null, 1));                  // head dim 1
        cases.Add(Sdpa(g, [2, 3, 4], [2, 5, 4], [2, 5, 2], "bool_full_row", [3, 5], null, 1)); // a fully masked row

        // libtorch's C++ nn::MultiheadAttention (what TorchSharp binds) is the PyTorch 1.5 algorithm: batched inputs
        // only, key and value of one shape, a 2-D attn_mask that it adds (a boolean one as 0/1, so Pade's boolean
        // masks reach it as float −∞/0, PyTorch's meaning), a boolean key_padding_mask only.
        for (int i = 0; i < perFamily * 3; i++)
        {
            int h = g.Int(1, 3), hd = g.Int(1, 2), e = h * hd, l = g.Int(1, 4), s = g.Int(1, 4), n = g.Int(1, 2);
            int kdim = g.Coin(0.3) ? g.Int(1, 4) : e;
            cases.Add(Mha(g, e, h, l, s, n, kdim, kdim, g.Coin(0.8), g.Coin(0.3), g.Coin(0.3), g.Pick("none", "bool", "float"),
                false, g.Pick("none", "bool"), g.Pick("output", "output", "weights")));
        }
        cases.Add(Mha(g, 4, 2, 3, 3, 2, 4, 4, true, false, false, "causal", false, "none", "weights"));
        cases.Add(Mha(g, 2, 1, 1, 1, 1, 2, 2, true, false, false, "none", false, "none", "output"));   // L = S = 1, one head

        for (int i = 0; i < perFamily * 2; i++)
        {
            int h = g.Int(1, 3), hd = g.Int(1, 2), e = h * hd, l = g.Int(1, 4), s = g.Int(1, 4), n = g.Int(1, 2);
            int kdim = g.Coin(0.3) ? g.Int(1, 4) : e, vdim = g.Coin(0.3) ? g.Int(1, 4) : e;
            cases.Add(MhaWeights(g, e, h, l, s, n, kdim, vdim, g.Coin(0.8), g.Coin(0.3), g.Pick("none", "bool", "float"), g.Coin()));
        }

        for (int i = 0; i < perFamily; i++)
        {
            int h = g.Int(1, 3), e = h * g.Int(1, 2);
            cases.Add(EncoderLayer(g, e, h, g.Int(1, 6), g.Int(1, 4), g.Int(1, 2), g.Pick("relu", "gelu")));
        }
    }

    private static TTensor TorchMask(TTensor m, bool boolean) => boolean ? m.to(ScalarType.Bool) : m;

    private static OracleCase Sdpa(OracleGen g, int[] qs, int[] ks, int[] vs, string mask, int[]? ms, double? scale, int gqa)
    {
        var inputs = new List<OracleInput> { g.Input("query", qs), g.Input("key", ks), g.Input("value", vs) };
        bool boolean = mask.StartsWith("bool", StringComparison.Ordinal);
        if (mask == "bool_full_row")
        {
            // Row 1 of every batch masked out entirely, the rest at random.
            var v = g.Classes("mask", ms!, 2).Values;
            for (int j = 0; j < ms![^1]; j++) v[ms[^1] + j] = 0;
            inputs.Add(new OracleInput("mask", ms, v, Grad: false, Indices: true));
        }
        else if (boolean) inputs.Add(g.Classes("mask", ms!, 2));
        else if (mask == "float") inputs.Add(g.Input("mask", ms!));
        bool causal = mask == "causal";
        string config = $"q {Fmt(qs)} k {Fmt(ks)} v {Fmt(vs)} mask {mask}{(ms == null ? "" : " " + Fmt(ms))}" +
                        (scale is double sc ? $" scale {sc}" : "") + (gqa > 1 ? " enable_gqa" : "");
        return new("scaled_dot_product_attention", config, [.. inputs],
            x => F.ScaledDotProductAttention(x[0], x[1], x[2], x.Length > 3 ? x[3] : null, 0, causal, scale, gqa > 1),
            x =>
            {
                var k = gqa > 1 ? x[1].repeat_interleave(gqa, -3) : x[1];
                var v = gqa > 1 ? x[2].repeat_interleave(gqa, -3) : x[2];
                // TorchSharp's binding has no scale: the query is multiplied by scale·√E, which libtorch's 1/√E undoes.
                var q = scale is double c ? x[0] * (c * Math.Sqrt(qs[^1])) : x[0];
                return TF.scaled_dot_product_attention(q, k, v, x.Length > 3 ? TorchMask(x[3], boolean) : null, 0, causal);
            }, Tolerance: 1e-9, Tolerance32: 2e-4);
    }

    /// <summary>The module's weights as inputs, in the order of its state dict.</summary>
    private static List<OracleInput> MhaWeightInputs(OracleGen g, int e, int kdim, int vdim, bool bias, bool biasKv, bool grad)
    {
        var w = new List<OracleInput>();
        if (kdim == e && vdim == e) w.Add(g.Input("in_proj_weight", [3 * e, e], -1, 1, grad));
        else
        {
            w.Add(g.Input("q_proj_weight", [e, e], -1, 1, grad));
            w.Add(g.Input("k_proj_weight", [e, kdim], -1, 1, grad));
            w.Add(g.Input("v_proj_weight", [e, vdim], -1, 1, grad));
        }
        if (bias) w.Add(g.Input("in_proj_bias", [3 * e], -1, 1, grad));
        if (biasKv)
        {
            w.Add(g.Input("bias_k", [1, 1, e], -1, 1, grad));
            w.Add(g.Input("bias_v", [1, 1, e], -1, 1, grad));
        }
        w.Add(g.Input("out_proj.weight", [e, e], -1, 1, grad));
        if (bias) w.Add(g.Input("out_proj.bias", [e], -1, 1, grad));
        return w;
    }

    private static OracleCase Mha(OracleGen g, int e, int h, int l, int s, int n, int kdim, int vdim, bool bias, bool biasKv, bool zeroAttn,
        string attnKind, bool attn3d, string kpmKind, string what)
    {
        int[] Seq(int len, int dim) => n == 0 ? [len, dim] : [len, n, dim];
        var inputs = new List<OracleInput> { g.Input("query", Seq(l, e)), g.Input("key", Seq(s, kdim)), g.Input("value", Seq(s, vdim)) };
        var weights = MhaWeightInputs(g, e, kdim, vdim, bias, biasKv, grad: false);
        inputs.AddRange(weights);
        int[] attnShape = attn3d ? [Math.Max(n, 1) * h, l, s] : [l, s];
        int attnAt = -1, kpmAt = -1;
        if (attnKind == "causal")
        {
            // A causal boolean mask (True above the diagonal) with the is_causal hint.
            var v = new double[l * s];
            for (int i = 0; i < l; i++) for (int j = 0; j < s; j++) v[i * s + j] = j > i ? 1 : 0;
            attnAt = inputs.Count;
            inputs.Add(new OracleInput("attn_mask", [l, s], v, Grad: false, Indices: true));
        }
        else if (attnKind != "none")
        {
            attnAt = inputs.Count;
            inputs.Add(attnKind == "bool" ? Sparse(g.Classes("attn_mask", attnShape, 2)) : g.Input("attn_mask", attnShape, grad: false));
        }
        if (kpmKind != "none")
        {
            kpmAt = inputs.Count;
            int[] ks = n == 0 ? [s] : [n, s];
            inputs.Add(kpmKind == "bool" ? Sparse(g.Classes("key_padding_mask", ks, 2)) : g.Input("key_padding_mask", ks, grad: false));
        }
        bool needWeights = what != "output", average = what != "head_weights", causal = attnKind == "causal";
        string config = $"E {e} heads {h} L {l} S {s} " + (n == 0 ? "unbatched" : $"N {n}") + (kdim != e || vdim != e ? $" kdim {kdim} vdim {vdim}" : "") +
                        (bias ? "" : " no bias") + (biasKv ? " add_bias_kv" : "") + (zeroAttn ? " add_zero_attn" : "") +
                        (attnKind == "none" ? "" : $" attn_mask {attnKind} {(causal ? Fmt([l, s]) : Fmt(attnShape))}") +
                        (kpmKind == "none" ? "" : $" key_padding_mask {kpmKind}") + $" -> {what}";
        int nw = weights.Count;
        return new("multihead_attention", config, [.. inputs],
            x =>
            {
                var m = new Pade.Layers.MultiheadAttention(e, h, 0, bias, biasKv, zeroAttn, kdim, vdim);
                m.To(dtype: x[0].DType);
                m.LoadStateDict(Enumerable.Range(0, nw).ToDictionary(i => weights[i].Name, i => x[3 + i]));
                var (o, w) = m.Forward(x[0], x[1], x[2], kpmAt >= 0 ? x[kpmAt] : null, needWeights, attnAt >= 0 ? x[attnAt] : null, average, causal);
                return needWeights ? w! : o;
            },
            x =>
            {
                var m = nn.MultiheadAttention(e, h, 0, bias, biasKv, zeroAttn, kdim, vdim);
                m.to(float64);
                using (no_grad())
                    foreach (var (name, p) in m.named_parameters())
                        p.copy_(x[3 + weights.FindIndex(w => w.Name == name)]);
                // libtorch's module takes the boolean masks as torch.bool (True = masked out).
                var attn = attnAt < 0 ? null : attnKind is "bool" or "causal"
                    ? zeros(l, s, float64).masked_fill(x[attnAt].to(ScalarType.Bool), double.NegativeInfinity) : x[attnAt];
                var (o, w) = m.forward(x[0], x[1], x[2], kpmAt >= 0 ? TorchMask(x[kpmAt], true) : null, needWeights, attn);
                return needWeights ? w : o;
            }, Tolerance: 1e-9, Tolerance32: 2e-4);
    }

    /// <summary>TransformerEncoderLayer (post-norm, dropout 0) against libtorch's with the same weights: output and the
    /// source's gradient (TorchSharp's forward takes no masks; the weights' gradients are the unit tests').</summary>
    private static OracleCase EncoderLayer(OracleGen g, int e, int h, int ff, int s, int n, string activation)
    {
        var inputs = new List<OracleInput> { g.Input("src", [s, n, e]) };
        var layer = new Pade.Layers.TransformerEncoderLayer(e, h, ff, 0, activation);
        foreach (var (name, p) in layer.NamedParameters())
            inputs.Add(name.StartsWith("norm", StringComparison.Ordinal) && name.EndsWith("weight", StringComparison.Ordinal)
                ? g.Input(name, p.ShapeCopy(), 0.5, 1.5, grad: false) : g.Input(name, p.ShapeCopy(), -1, 1, grad: false));
        var names = inputs.Select(i => i.Name).ToList();
        return new("transformer_encoder_layer", $"d_model {e} nhead {h} dim_feedforward {ff} S {s} N {n} {activation}", [.. inputs],
            x =>
            {
                var m = new Pade.Layers.TransformerEncoderLayer(e, h, ff, 0, activation);
                m.To(dtype: x[0].DType);
                m.LoadStateDict(Enumerable.Range(1, names.Count - 1).ToDictionary(i => names[i], i => x[i]));
                return m.Call(x[0]);
            },
            x =>
            {
                var m = nn.TransformerEncoderLayer(e, h, ff, 0, activation == "gelu" ? nn.Activations.GELU : nn.Activations.ReLU);
                m.to(float64);
                using (no_grad())
                    foreach (var (name, p) in m.named_parameters())
                        p.copy_(x[names.IndexOf(name)]);
                return m.forward(x[0]);
            }, Tolerance: 1e-9, Tolerance32: 5e-4);
    }

    /// <summary>A boolean mask that never masks key 0, so that no row is fully masked (PyTorch's weights path gives NaN
    /// there; the SDPA family has a fully masked row).</summary>
    private static OracleInput Sparse(OracleInput m) =>
        m with { Values = m.Values.Select((v, i) => v == 1 && i % m.Shape[^1] != 0 ? 1.0 : 0.0).ToArray() };

    private static OracleCase MhaWeights(OracleGen g, int e, int h, int l, int s, int n, int kdim, int vdim, bool bias, bool biasKv, string kpmKind,
        bool needWeights)
    {
        var inputs = new List<OracleInput> { g.Input("query", [l, n, e]), g.Input("key", [s, n, kdim]), g.Input("value", [s, n, vdim]) };
        var weights = MhaWeightInputs(g, e, kdim, vdim, bias, biasKv, grad: true);
        inputs.AddRange(weights);
        int kpmAt = -1;
        if (kpmKind != "none")
        {
            kpmAt = inputs.Count;
            inputs.Add(kpmKind == "bool" ? Sparse(g.Classes("key_padding_mask", [n, s], 2)) : g.Input("key_padding_mask", [n, s], grad: false));
        }
        bool separate = kdim != e || vdim != e;
        PTensor? P(PTensor[] x, string name) => weights.FindIndex(w => w.Name == name) is int i and >= 0 ? x[3 + i] : null;
        TTensor? T(TTensor[] x, string name) => weights.FindIndex(w => w.Name == name) is int i and >= 0 ? x[3 + i] : null;
        string config = $"E {e} heads {h} L {l} S {s} N {n}" + (separate ? $" kdim {kdim} vdim {vdim}" : "") + (bias ? "" : " no bias") +
                        (biasKv ? " add_bias_kv" : "") + (kpmKind == "none" ? "" : $" key_padding_mask {kpmKind}") + (needWeights ? "" : " need_weights=False");
        return new("multihead_attention_weights", config, [.. inputs],
            x => F.MultiHeadAttentionForward(x[0], x[1], x[2], e, h, P(x, "in_proj_weight"), P(x, "in_proj_bias"), P(x, "bias_k"), P(x, "bias_v"),
                false, 0, P(x, "out_proj.weight")!, P(x, "out_proj.bias"), true, kpmAt >= 0 ? x[kpmAt] : null, needWeights, null, separate,
                P(x, "q_proj_weight"), P(x, "k_proj_weight"), P(x, "v_proj_weight")).Output,
            x =>
            {
                // PyTorch's multi_head_attention_forward, sequence first, written with libtorch's ops.
                int hd = e / h;
                var inW = T(x, "in_proj_weight");
                var inB = T(x, "in_proj_bias");
                TTensor Proj(TTensor input, int p, string sep) => TF.linear(input, inW is null ? T(x, sep)! : inW.narrow(0, p * e, e), inB?.narrow(0, p * e, e));
                var q = Proj(x[0], 0, "q_proj_weight");
                var k = Proj(x[1], 1, "k_proj_weight");
                var v = Proj(x[2], 2, "v_proj_weight");
                TTensor? mask = kpmAt < 0 ? null : kpmKind == "bool" ? zeros(n, s, float64).masked_fill(x[kpmAt].to(ScalarType.Bool), double.NegativeInfinity) : x[kpmAt];
                int src = s;
                if (biasKv)
                {
                    k = cat([k, T(x, "bias_k")!.expand(1, n, e)], 0);
                    v = cat([v, T(x, "bias_v")!.expand(1, n, e)], 0);
                    mask = mask is null ? null : TF.pad(mask, [0, 1]);
                    src++;
                }
                q = q.reshape(l, n * h, hd).transpose(0, 1) * Math.Sqrt(1.0 / hd);
                k = k.reshape(src, n * h, hd).transpose(0, 1);
                v = v.reshape(src, n * h, hd).transpose(0, 1);
                var scores = bmm(q, k.transpose(-2, -1));
                if (mask is not null) scores = scores + mask.view(n, 1, 1, src).expand(n, h, 1, src).reshape(n * h, 1, src);
                var o = bmm(TF.softmax(scores, -1), v).transpose(0, 1).reshape(l * n, e);
                return TF.linear(o, T(x, "out_proj.weight")!, T(x, "out_proj.bias")).view(l, n, e);
            }, Tolerance: 1e-9, Tolerance32: 2e-4);
    }
}
