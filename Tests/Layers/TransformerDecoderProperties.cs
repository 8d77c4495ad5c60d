using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Activations;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>
/// One TransformerDecoderLayer call: tgt [T, N, E] and memory [S, N, E] (N = 0: unbatched [T, E], [S, E]), given
/// seq-first and transposed for batchFirst; every parameter (norms included) random; a tgt mask (none, causal:
/// generate_square_subsequent_mask with tgtIsCausal, boolean as int32, float) of shape [T, T] or [N·H, T, T], a
/// memory mask [T, S] or [N·H, T, S], key padding masks [N, T] and [N, S].
/// </summary>
public sealed record DecoderCase(int E, int H, int Ff, int T, int S, int N, string Activation, bool NormFirst, bool BatchFirst, bool Bias,
    string TgtKind, Spec? TgtMask, string MemKind, Spec? MemMask, string TgtKpmKind, Spec? TgtKpm, string MemKpmKind, Spec? MemKpm,
    Spec Tgt, Spec Memory, Dictionary<string, Spec> Params, ulong Seed)
{
    public TransformerDecoderLayer Layer()
    {
        var layer = new TransformerDecoderLayer(E, H, Ff, 0, Activation, batchFirst: BatchFirst, normFirst: NormFirst, bias: Bias);
        layer.To(dtype: DType.Float64);
        layer.LoadStateDict(Params.ToDictionary(p => p.Key, p => p.Value.Tensor()));
        return layer;
    }

    private static Tensor? Mask(string kind, Spec? s, DType dtype) => s == null ? null
        : kind == "bool" ? Tensor.FromArray(s.Values.Select(v => (int)v).ToArray(), s.Shape) : s.Tensor(dtype);

    /// <summary>The layer on seq-first tgt and memory (transposed in and out with batchFirst).</summary>
    public Tensor Call(TransformerDecoderLayer layer, Tensor tgt, Tensor memory)
    {
        bool swap = BatchFirst && N > 0;
        if (swap) { tgt = tgt.Transpose(0, 1); memory = memory.Transpose(0, 1); }
        var dtype = tgt.DType;
        var y = layer.Forward(tgt, memory, TgtKind == "causal" ? Transformer.GenerateSquareSubsequentMask(T, dtype) : Mask(TgtKind, TgtMask, dtype),
            Mask(MemKind, MemMask, dtype), Mask(TgtKpmKind, TgtKpm, dtype), Mask(MemKpmKind, MemKpm, dtype), tgtIsCausal: TgtKind == "causal");
        return swap ? y.Transpose(0, 1) : y;
    }

    public override string ToString() =>
        $"E {E}, H {H}, ff {Ff}, T {T}, S {S}, N {N}, {Activation}, norm_first {NormFirst}, batch_first {BatchFirst}, bias {Bias}, " +
        $"tgt_mask {TgtKind}, memory_mask {MemKind}, tgt_kpm {TgtKpmKind}, memory_kpm {MemKpmKind}, seed {Seed}";
}

public static class DecoderGen
{
    public static DecoderCase Build(ulong seed)
    {
        var r = new Random((int)(seed % int.MaxValue));
        Spec Values(int[] shape, double lo = -1.5, double hi = 1.5) =>
            new(shape, Enumerable.Range(0, Nd.Count(shape)).Select(_ => lo + (hi - lo) * r.NextDouble()).ToArray());
        Spec Bools(int[] shape) => new(shape, Enumerable.Range(0, Nd.Count(shape)).Select(_ => r.Next(4) == 0 ? 1.0 : 0.0).ToArray());
        int h = r.Next(1, 3), e = h * r.Next(1, 3), ff = r.Next(1, 5), t = r.Next(1, 4), s = r.Next(1, 4), n = r.Next(3);
        bool bias = r.Next(4) != 0;
        int nb = Math.Max(n, 1);
        int[] Seq(int len) => n == 0 ? [len, e] : [len, n, e];
        string tgtKind = new[] { "none", "causal", "bool", "float" }[r.Next(4)], memKind = new[] { "none", "bool", "float" }[r.Next(3)];
        string tgtKpmKind = new[] { "none", "bool" }[r.Next(2)], memKpmKind = new[] { "none", "bool", "float" }[r.Next(3)];
        Spec? MaskOf(string kind, int[] shape) => kind switch { "bool" => Bools(shape), "float" => Values(shape), _ => null };
        var tgtMask = MaskOf(tgtKind, r.Next(2) == 0 ? [t, t] : [nb * h, t, t]);
        if (tgtKind == "causal")
            tgtMask = new Spec([t, t], Enumerable.Range(0, t * t).Select(k => k % t > k / t ? double.NegativeInfinity : 0).ToArray());
        var memMask = MaskOf(memKind, r.Next(2) == 0 ? [t, s] : [nb * h, t, s]);
        var tgtKpm = MaskOf(tgtKpmKind, n == 0 ? [t] : [n, t]);
        var memKpm = MaskOf(memKpmKind, n == 0 ? [s] : [n, s]);
        string activation = r.Next(2) == 0 ? "relu" : "gelu";
        bool normFirst = r.Next(2) == 0, batchFirst = r.Next(2) == 0;
        var template = new TransformerDecoderLayer(e, h, ff, 0, activation, bias: bias);
        var ps = template.StateDict().ToDictionary(p => p.Key, p => p.Key.StartsWith("norm", StringComparison.Ordinal) && p.Key.EndsWith("weight", StringComparison.Ordinal)
            ? Values(p.Value.ShapeCopy(), 0.5, 1.5) : Values(p.Value.ShapeCopy()));
        return new DecoderCase(e, h, ff, t, s, n, activation, normFirst, batchFirst, bias, tgtKind, tgtMask, memKind, memMask,
            tgtKpmKind, tgtKpm, memKpmKind, memKpm, Values(Seq(t)), Values(Seq(s)), ps, seed);
    }

    public static readonly Gen<DecoderCase> Decoder = EngineGen.Seed.Select(Build);

    /// <summary>PyTorch's TransformerDecoderLayer.forward in float64 loops, rows laid out [len, N, E]: the two
    /// attentions are MhaGen.Reference (PyTorch's multi_head_attention_forward, already checked against its own
    /// definition), layer_norm, linear, relu and exact gelu are written out here.</summary>
    public static Nd Reference(DecoderCase c)
    {
        int e = c.E;
        double[] P(string name) => c.Params[name].Values;
        double[]? PB(string name) => c.Params.TryGetValue(name, out var s) ? s.Values : null;
        double[] Norm(double[] x, string name)
        {
            var y = new double[x.Length];
            for (int row = 0; row < x.Length / e; row++)
            {
                double mean = 0, var = 0;
                for (int f = 0; f < e; f++) mean += x[row * e + f] / e;
                for (int f = 0; f < e; f++) var += (x[row * e + f] - mean) * (x[row * e + f] - mean) / e;
                for (int f = 0; f < e; f++)
                    y[row * e + f] = (x[row * e + f] - mean) / Math.Sqrt(var + 1e-5) * P(name + ".weight")[f] + (PB(name + ".bias")?[f] ?? 0);
            }
            return y;
        }
        double[] Linear(double[] x, int inF, int outF, string name)
        {
            int rows = x.Length / inF;
            var y = new double[rows * outF];
            for (int row = 0; row < rows; row++)
                for (int o = 0; o < outF; o++)
                {
                    double acc = PB(name + ".bias")?[o] ?? 0;
                    for (int f = 0; f < inF; f++) acc += x[row * inF + f] * P(name + ".weight")[o * inF + f];
                    y[row * outF + o] = acc;
                }
            return y;
        }
        double[] Attention(double[] q, int l, double[] kv, int s, string name, string kind, Spec? mask, string kpmKind, Spec? kpm)
        {
            int[] Shape(int len) => c.N == 0 ? [len, e] : [len, c.N, e];
            var inputs = new List<Spec> { new(Shape(l), q), new(Shape(s), kv), new(Shape(s), kv), c.Params[name + ".in_proj_weight"] };
            if (c.Bias) inputs.Add(c.Params[name + ".in_proj_bias"]);
            inputs.Add(c.Params[name + ".out_proj.weight"]);
            if (c.Bias) inputs.Add(c.Params[name + ".out_proj.bias"]);
            var mc = new MhaCase(e, c.H, l, s, c.N, e, e, c.Bias, false, false, false, true, kind == "causal" ? "float" : kind, mask, kpmKind, kpm, [.. inputs], 0);
            return MhaGen.Reference(mc).Output.Data;
        }
        double[] Add(double[] a, double[] b) => a.Zip(b, (x, y) => x + y).ToArray();
        double[] Sa(double[] x) => Attention(x, c.T, x, c.T, "self_attn", c.TgtKind, c.TgtMask, c.TgtKpmKind, c.TgtKpm);
        double[] Mha(double[] x) => Attention(x, c.T, c.Memory.Values, c.S, "multihead_attn", c.MemKind, c.MemMask, c.MemKpmKind, c.MemKpm);
        double[] Ff(double[] x)
        {
            var hdn = Linear(x, e, c.Ff, "linear1").Select(v => c.Activation == "relu" ? Math.Max(v, 0) : 0.5 * v * (1 + ErfReference.Erf(v / Math.Sqrt(2)))).ToArray();
            return Linear(hdn, c.Ff, e, "linear2");
        }
        var x = c.Tgt.Values;
        if (c.NormFirst)
        {
            x = Add(x, Sa(Norm(x, "norm1")));
            x = Add(x, Mha(Norm(x, "norm2")));
            x = Add(x, Ff(Norm(x, "norm3")));
        }
        else
        {
            x = Norm(Add(x, Sa(x)), "norm1");
            x = Norm(Add(x, Mha(x)), "norm2");
            x = Norm(Add(x, Ff(x)), "norm3");
        }
        return new Nd(c.Tgt.Shape, x);
    }
}

public static class DecoderArbitraries
{
    public static Arbitrary<DecoderCase> Decoder() => DecoderGen.Decoder.ToArbitrary();
}

/// <summary>TransformerDecoderLayer against a float64 loop of PyTorch's forward and central differences.</summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(DecoderArbitraries)], MaxTest = 100)]
public class TransformerDecoderProperties
{
    [FsCheck.NUnit.Property(MaxTest = 100)]
    public void DecoderLayerMatchesTheDefinition(DecoderCase c)
    {
        var y = c.Call(c.Layer(), c.Tgt.Tensor(), c.Memory.Tensor());
        Expect.Close(y, DecoderGen.Reference(c), 1e-10, 1e-10, c.ToString());
    }

    /// <summary>Central differences for tgt and memory (gelu cases only: relu's kink would meet a difference step now
    /// and then); the weights are the pieces' own properties.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void DecoderLayerGradients(DecoderCase c)
    {
        if (c.Activation != "gelu") return;
        var layer = c.Layer();
        Expect.Grad("decoder layer " + c, t => c.Call(layer, t[0], t[1]), c.Seed, c.Tgt.Tensor(), c.Memory.Tensor());
    }
}
