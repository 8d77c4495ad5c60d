using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>
/// One scaled_dot_product_attention call: query [B..., L, E], key [Bk..., S, E], value [Bk..., S, Ev] where Bk
/// broadcasts to B (or, with GQA, has fewer heads on dim −3), and a mask: none, boolean (int32, nonzero = takes
/// part), float (added, finite or with −∞), or causal.
/// </summary>
public sealed record SdpaCase(Spec Q, Spec K, Spec V, string MaskKind, Spec? Mask, double? Scale, bool Gqa, ulong Seed)
{
    public Tensor? MaskTensor(DType dtype) => Mask == null ? null
        : MaskKind == "bool" ? Tensor.FromArray(Mask.Values.Select(v => (int)v).ToArray(), Mask.Shape) : Mask.Tensor(dtype);

    public Tensor Call(Tensor q, Tensor k, Tensor v, Tensor? mask) =>
        F.ScaledDotProductAttention(q, k, v, mask, 0, MaskKind == "causal", Scale, Gqa);

    public override string ToString() =>
        $"Q {Fmt(Q.Shape)}, K {Fmt(K.Shape)}, V {Fmt(V.Shape)}, mask {MaskKind} {(Mask == null ? "" : Fmt(Mask.Shape))}, scale {Scale}, gqa {Gqa}, seed {Seed}";

    internal static string Fmt(int[] s) => "[" + string.Join(", ", s) + "]";
}

public static class AttentionGen
{
    private static Spec Values(Random r, int[] shape, double lo = -2, double hi = 2) =>
        new(shape, Enumerable.Range(0, Nd.Count(shape)).Select(_ => lo + (hi - lo) * r.NextDouble()).ToArray());

    /// <summary>Sizes 1..4 (1 often: a single query, key, head or feature), 0 to 2 batch dims, key/value batch dims
    /// of 1 (broadcast) now and then, masks broadcast from [L, S] or with size-1 dims.</summary>
    public static SdpaCase BuildSdpa(ulong seed)
    {
        var r = new Random((int)(seed % int.MaxValue));
        int Size() => r.Next(4) == 0 ? 1 : r.Next(1, 5);
        bool gqa = r.Next(6) == 0;
        int l = Size(), s = Size(), e = Size(), ev = Size();
        int[] batch = gqa ? [r.Next(1, 3), r.Next(1, 4)] : Enumerable.Range(0, r.Next(3)).Select(_ => r.Next(1, 4)).ToArray();
        int[] kb = batch.Select(d => r.Next(4) == 0 ? 1 : d).ToArray();
        if (gqa)
        {
            int hk = r.Next(1, 3), rep = r.Next(1, 3);
            batch[^1] = hk * rep;
            kb = [batch[0], hk];
        }
        string kind = new[] { "none", "bool", "bool", "float", "float_inf", "causal" }[r.Next(6)];
        Spec? mask = null;
        if (kind is "bool" or "float" or "float_inf")
        {
            int[] full = [.. batch, l, s];
            int rank = r.Next(2, full.Length + 1);
            int[] ms = full[^rank..].Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
            mask = kind == "bool"
                ? new Spec(ms, Enumerable.Range(0, Nd.Count(ms)).Select(_ => r.Next(4) == 0 ? 0.0 : 1.0).ToArray())
                : Values(r, ms);
            if (kind == "float_inf")
                for (int i = 0; i < mask.Values.Length; i++) if (r.Next(3) == 0) mask.Values[i] = double.NegativeInfinity;
        }
        double? scale = r.Next(3) == 0 ? 0.25 + r.NextDouble() : null;
        return new SdpaCase(Values(r, [.. batch, l, e]), Values(r, [.. kb, s, e]), Values(r, [.. kb, s, ev]), kind, mask, scale, gqa, seed);
    }

    public static readonly Gen<SdpaCase> Sdpa = EngineGen.Seed.Select(BuildSdpa);
}

public static class AttentionArbitraries
{
    public static Arbitrary<SdpaCase> Sdpa() => AttentionGen.Sdpa.ToArbitrary();
    public static Arbitrary<MhaCase> Mha() => MhaGen.Mha.ToArbitrary();
}

/// <summary>
/// scaled_dot_product_attention against a float64 loop of its documented definition (PyTorch's math reference,
/// with zeros for a row whose every position is masked) and central differences; multi_head_attention_forward
/// against a loop of PyTorch's algorithm (per batch element and head) and central differences for the inputs and
/// every weight.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(AttentionArbitraries)], MaxTest = 150)]
public class AttentionProperties
{
    /// <summary>The element of s at the full index (right-aligned, size-1 dims broadcast).</summary>
    internal static double At(Spec s, int[] full)
    {
        int off = 0, stride = 1;
        for (int i = 1; i <= s.Shape.Length; i++)
        {
            int d = s.Shape[^i];
            off += (d == 1 ? 0 : full[^i]) * stride;
            stride *= d;
        }
        return s.Values[off];
    }

    internal static Nd SdpaReference(SdpaCase c)
    {
        int l = c.Q.Shape[^2], e = c.Q.Shape[^1], s = c.K.Shape[^2], ev = c.V.Shape[^1];
        int[] batch = c.Q.Shape[..^2];
        double scale = c.Scale ?? 1 / Math.Sqrt(e);
        int rep = c.Gqa ? batch[^1] / c.K.Shape[^3] : 1;
        return Nd.Build([.. batch, l, ev], idx =>
        {
            int[] b = idx[..^2];
            int i = idx[^2], f = idx[^1];
            int[] kbIdx = (int[])b.Clone();
            if (c.Gqa) kbIdx[^1] = b[^1] / rep;   // repeat_interleave: query head h reads key head h / rep
            var scores = new double[s];
            var allowed = new bool[s];
            for (int j = 0; j < s; j++)
            {
                double dot = 0;
                for (int d = 0; d < e; d++) dot += At(c.Q, [.. b, i, d]) * At(c.K, [.. kbIdx, j, d]);
                scores[j] = dot * scale;
                allowed[j] = true;
                switch (c.MaskKind)
                {
                    case "causal": allowed[j] = j <= i; break;
                    case "bool": allowed[j] = At(c.Mask!, [.. b, i, j]) != 0; break;
                    case "float" or "float_inf": scores[j] += At(c.Mask!, [.. b, i, j]); break;
                }
                if (!allowed[j]) scores[j] = double.NegativeInfinity;
            }
            double m = scores.Max();
            if (double.IsNegativeInfinity(m)) return 0;   // a fully masked row: zeros
            double z = scores.Sum(x => Math.Exp(x - m)), acc = 0;
            for (int j = 0; j < s; j++) acc += Math.Exp(scores[j] - m) / z * At(c.V, [.. kbIdx, j, f]);
            return acc;
        });
    }

    [FsCheck.NUnit.Property]
    public void SdpaMatchesTheDefinition(SdpaCase c)
    {
        var expected = SdpaReference(c);
        Expect.Close(c.Call(c.Q.Tensor(), c.K.Tensor(), c.V.Tensor(), c.MaskTensor(DType.Float64)), expected, 1e-12, 1e-10, c.ToString());
        var y32 = c.Call(c.Q.Tensor(DType.Float32), c.K.Tensor(DType.Float32), c.V.Tensor(DType.Float32), c.MaskTensor(DType.Float32));
        Assert.That(y32.DType, Is.EqualTo(DType.Float32));
        Expect.Close(y32.To(DType.Float64), expected, 1e-4, 1e-4, c + " float32");
    }

    /// <summary>Central differences for query, key, value and a finite float mask (which PyTorch differentiates
    /// too); fully masked rows are constant zeros, so their gradients are zeros.</summary>
    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void SdpaGradients(SdpaCase c)
    {
        if (c.MaskKind == "float")
            Expect.Grad("sdpa " + c, t => c.Call(t[0], t[1], t[2], t[3]), c.Seed, c.Q.Tensor(), c.K.Tensor(), c.V.Tensor(), c.Mask!.Tensor());
        else
        {
            var mask = c.MaskTensor(DType.Float64);
            Expect.Grad("sdpa " + c, t => c.Call(t[0], t[1], t[2], mask), c.Seed, c.Q.Tensor(), c.K.Tensor(), c.V.Tensor());
        }
    }

    [FsCheck.NUnit.Property]
    public void MhaMatchesTheDefinition(MhaCase c)
    {
        var (expected, expectedWeights) = MhaGen.Reference(c);
        var (y, w) = c.Call(c.Inputs.Select(s => s.Tensor()).ToArray());
        Expect.Close(y, expected, 1e-12, 1e-10, c.ToString());
        if (c.NeedWeights) Expect.Close(w!, expectedWeights!, 1e-12, 1e-10, c + " weights");
        else Assert.That(w, Is.Null);
        var (y32, _) = c.Call(c.Inputs.Select(s => s.Tensor(DType.Float32)).ToArray());
        Expect.Close(y32.To(DType.Float64), expected, 1e-4, 1e-4, c + " float32");
    }

    /// <summary>Every input and weight against central differences (cases whose reference has a NaN, a fully
    /// masked row on the weights' plain-softmax path as in PyTorch, are left to the values' property).</summary>
    [FsCheck.NUnit.Property(MaxTest = 80)]
    public void MhaGradients(MhaCase c)
    {
        var (expected, weights) = MhaGen.Reference(c);
        if (expected.Data.Any(double.IsNaN)) return;
        Expect.Grad("mha " + c, t => c.Call(t).Output, c.Seed, c.Inputs.Select(s => s.Tensor()).ToArray());
        if (c.NeedWeights && !weights!.Data.Any(double.IsNaN))
            Expect.Grad("mha weights " + c, t => c.Call(t).Weights!, c.Seed + 1, c.Inputs.Select(s => s.Tensor()).ToArray());
    }
}

/// <summary>
/// One multi_head_attention_forward call. Inputs (all differentiated): query [L, N, E] ([L, E] unbatched, N = 0),
/// key [S, N, kdim], value [S, N, vdim], then in_proj_weight [3E, E] (or q/k/v_proj_weight when kdim or vdim ≠ E),
/// in_proj_bias [3E], bias_k and bias_v [1, 1, E], out_proj weight [E, E] and bias [E], the optional ones as the
/// flags say. Masks (fixed): attn_mask [L, S] or [N·H, L, S], key_padding_mask [N, S]; boolean (int32, nonzero =
/// masked out) or float (added).
/// </summary>
public sealed record MhaCase(int E, int H, int L, int S, int N, int Kdim, int Vdim, bool Bias, bool BiasKv, bool ZeroAttn, bool NeedWeights,
    bool Average, string AttnKind, Spec? AttnMask, string KpmKind, Spec? Kpm, Spec[] Inputs, ulong Seed)
{
    public bool Separate => Kdim != E || Vdim != E;

    private static Tensor? Mask(string kind, Spec? s, DType dtype) => s == null ? null
        : kind == "bool" ? Tensor.FromArray(s.Values.Select(v => (int)v).ToArray(), s.Shape) : s.Tensor(dtype);

    public (Tensor Output, Tensor? Weights) Call(Tensor[] t)
    {
        int i = 3;
        Tensor? inW = null, qW = null, kW = null, vW = null, inB = null, bk = null, bv = null, outB = null;
        if (Separate) { qW = t[i++]; kW = t[i++]; vW = t[i++]; } else inW = t[i++];
        if (Bias) inB = t[i++];
        if (BiasKv) { bk = t[i++]; bv = t[i++]; }
        var outW = t[i++];
        if (Bias) outB = t[i++];
        var dtype = t[0].DType;
        return F.MultiHeadAttentionForward(t[0], t[1], t[2], E, H, inW, inB, bk, bv, ZeroAttn, 0, outW, outB, true,
            Mask(KpmKind, Kpm, dtype), NeedWeights, Mask(AttnKind, AttnMask, dtype), Separate, qW, kW, vW, Average);
    }

    public override string ToString() =>
        $"E {E}, H {H}, L {L}, S {S}, N {N}, kdim {Kdim}, vdim {Vdim}, bias {Bias}, bias_kv {BiasKv}, zero_attn {ZeroAttn}, need_weights {NeedWeights}, " +
        $"average {Average}, attn_mask {AttnKind} {(AttnMask == null ? "" : SdpaCase.Fmt(AttnMask.Shape))}, kpm {KpmKind}, seed {Seed}";
}

public static class MhaGen
{
    public static MhaCase Build(ulong seed)
    {
        var r = new Random((int)(seed % int.MaxValue));
        Spec Values(int[] shape) => new(shape, Enumerable.Range(0, Nd.Count(shape)).Select(_ => -1.5 + 3 * r.NextDouble()).ToArray());
        Spec Bools(int[] shape) => new(shape, Enumerable.Range(0, Nd.Count(shape)).Select(_ => r.Next(4) == 0 ? 1.0 : 0.0).ToArray());
        int h = r.Next(1, 4), hd = r.Next(1, 3), e = h * hd;
        int l = r.Next(1, 4), s = r.Next(1, 4), n = r.Next(3);   // n = 0: unbatched
        int kdim = r.Next(3) == 0 ? r.Next(1, 4) : e, vdim = r.Next(3) == 0 ? r.Next(1, 4) : e;
        bool bias = r.Next(4) != 0, biasKv = r.Next(3) == 0, zeroAttn = r.Next(3) == 0, need = r.Next(3) != 0, avg = r.Next(2) == 0;
        int[] Seq(int len, int dim) => n == 0 ? [len, dim] : [len, n, dim];
        var inputs = new List<Spec> { Values(Seq(l, e)), Values(Seq(s, kdim)), Values(Seq(s, vdim)) };
        if (kdim != e || vdim != e) { inputs.Add(Values([e, e])); inputs.Add(Values([e, kdim])); inputs.Add(Values([e, vdim])); }
        else inputs.Add(Values([3 * e, e]));
        if (bias) inputs.Add(Values([3 * e]));
        if (biasKv) { inputs.Add(Values([1, 1, e])); inputs.Add(Values([1, 1, e])); }
        inputs.Add(Values([e, e]));
        if (bias) inputs.Add(Values([e]));
        string attnKind = new[] { "none", "bool", "float" }[r.Next(3)], kpmKind = new[] { "none", "bool", "float" }[r.Next(3)];
        int[] attnShape = r.Next(2) == 0 ? [l, s] : [Math.Max(n, 1) * h, l, s];
        Spec? attn = attnKind == "none" ? null : attnKind == "bool" ? Bools(attnShape) : Values(attnShape);
        int[] kpmShape = n == 0 ? [s] : [n, s];
        Spec? kpm = kpmKind == "none" ? null : kpmKind == "bool" ? Bools(kpmShape) : Values(kpmShape);
        return new MhaCase(e, h, l, s, n, kdim, vdim, bias, biasKv, zeroAttn, need, avg, attnKind, attn, kpmKind, kpm, [.. inputs], seed);
    }

    public static readonly Gen<MhaCase> Mha = EngineGen.Seed.Select(Build);

    /// <summary>PyTorch's algorithm per batch element and head, in float64: the projections, bias_k/bias_v and the
    /// zero key appended, masks added (−∞ for a boolean True; the appended keys unmasked), a plain softmax on the
    /// weights' path (NaN for a fully masked row) and zeros for that row on the other path, out_proj.</summary>
    public static (Nd Output, Nd? Weights) Reference(MhaCase c)
    {
        int e = c.E, h = c.H, hd = e / h, nb = Math.Max(c.N, 1);
        var t = c.Inputs;
        int ix = 3;
        Spec? inW = null, qW = null, kW = null, vW = null, inB = null, bk = null, bv = null, outB = null;
        if (c.Separate) { qW = t[ix++]; kW = t[ix++]; vW = t[ix++]; } else inW = t[ix++];
        if (c.Bias) inB = t[ix++];
        if (c.BiasKv) { bk = t[ix++]; bv = t[ix++]; }
        var outW = t[ix++];
        if (c.Bias) outB = t[ix++];
        double In(Spec x, int pos, int b, int f) => c.N == 0 ? x.Values[pos * x.Shape[^1] + f] : x.Values[(pos * nb + b) * x.Shape[^1] + f];
        // Projection p (0 = q, 1 = k, 2 = v) of row `pos` of x, output feature o.
        double Proj(int p, Spec x, int pos, int b, int o)
        {
            int dim = x.Shape[^1];
            double acc = inB?.Values[p * e + o] ?? 0;
            for (int f = 0; f < dim; f++)
                acc += In(x, pos, b, f) * (inW != null ? inW.Values[(p * e + o) * dim + f] : (p == 0 ? qW! : p == 1 ? kW! : vW!).Values[o * dim + f]);
            return acc;
        }
        int sTot = c.S + (c.BiasKv ? 1 : 0) + (c.ZeroAttn ? 1 : 0);
        double MaskValue(string kind, double v) => kind == "bool" ? (v != 0 ? double.NegativeInfinity : 0) : v;
        var heads = new double[nb, c.L, e];
        var weights = new double[nb, h, c.L, sTot];
        for (int b = 0; b < nb; b++)
            for (int hh = 0; hh < h; hh++)
            {
                var k = new double[sTot, hd];
                var v = new double[sTot, hd];
                for (int j = 0; j < sTot; j++)
                    for (int d = 0; d < hd; d++)
                    {
                        int o = hh * hd + d;
                        if (j < c.S) { k[j, d] = Proj(1, t[1], j, b, o); v[j, d] = Proj(2, t[2], j, b, o); }
                        else if (c.BiasKv && j == c.S) { k[j, d] = bk!.Values[o]; v[j, d] = bv!.Values[o]; }
                        // else the zero key/value of add_zero_attn
                    }
                for (int i = 0; i < c.L; i++)
                {
                    var q = Enumerable.Range(0, hd).Select(d => Proj(0, t[0], i, b, hh * hd + d)).ToArray();
                    var sc = new double[sTot];
                    for (int j = 0; j < sTot; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) dot += q[d] * k[j, d];
                        sc[j] = dot / Math.Sqrt(hd);
                        if (j < c.S && c.AttnMask is Spec am)
                            sc[j] += MaskValue(c.AttnKind, am.Shape.Length == 2 ? am.Values[i * c.S + j] : am.Values[((b * h + hh) * c.L + i) * c.S + j]);
                        if (j < c.S && c.Kpm is Spec kp) sc[j] += MaskValue(c.KpmKind, kp.Values[b * c.S + j]);
                    }
                    double m = sc.Max();
                    bool full = double.IsNegativeInfinity(m);
                    double z = sc.Sum(x => Math.Exp(x - m));
                    for (int j = 0; j < sTot; j++)
                        weights[b, hh, i, j] = full && !c.NeedWeights ? 0 : Math.Exp(sc[j] - m) / z;
                    for (int d = 0; d < hd; d++)
                    {
                        double acc = 0;
                        for (int j = 0; j < sTot; j++) acc += weights[b, hh, i, j] * v[j, d];
                        heads[b, i, hh * hd + d] = acc;
                    }
                }
            }
        int[] outShape = c.N == 0 ? [c.L, e] : [c.L, nb, e];
        var output = Nd.Build(outShape, idx =>
        {
            int i = idx[0], b = c.N == 0 ? 0 : idx[1], o = idx[^1];
            double acc = outB?.Values[o] ?? 0;
            for (int f = 0; f < e; f++) acc += heads[b, i, f] * outW.Values[o * e + f];
            return acc;
        });
        if (!c.NeedWeights) return (output, null);
        int[] wShape = c.Average ? [nb, c.L, sTot] : [nb, h, c.L, sTot];
        if (c.N == 0) wShape = wShape[1..];
        var w = Nd.Build(wShape, idx =>
        {
            int off = c.N == 0 ? 0 : 1;
            int b = c.N == 0 ? 0 : idx[0];
            if (c.Average)
                return Enumerable.Range(0, h).Sum(hh => weights[b, hh, idx[off], idx[off + 1]]) / h;
            return weights[b, idx[off], idx[off + 1], idx[off + 2]];
        });
        return (output, w);
    }
}
