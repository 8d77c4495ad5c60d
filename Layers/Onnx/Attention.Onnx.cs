using Pade.Engine;

using Pade.Layers.Onnx;

namespace Pade.Layers;

public sealed partial class MultiheadAttention : IOnnxExportable
{
    /// <summary>
    /// Self-attention (what <see cref="Forward(Tensor)"/> computes) on [N, L, E] (batch first) or [L, N, E]:
    /// MatMul with in_proj_weightᵀ (+ in_proj_bias), Slice into Q, K, V, Reshape/Transpose to [N, H, L, head_dim],
    /// MatMul, Mul by 1/√head_dim, Softmax, MatMul, back to [N, L, E], then out_proj. Separate q/k/v weights
    /// (kdim or vdim ≠ embed_dim), bias_k/bias_v and add_zero_attn have no self-attention export here.
    /// </summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        if (!QkvSameEmbedDim)
            throw OnnxEmitter.Error(this, $"kdim {Kdim} / vdim {Vdim} differ from embed_dim {EmbedDim}: only self-attention with in_proj_weight exports");
        if (BiasK != null || AddZeroAttn)
            throw OnnxEmitter.Error(this, "add_bias_kv and add_zero_attn are not exported");
        if (x.Rank != 3 || x.Shape[^1] != EmbedDim)
            throw OnnxEmitter.Error(this, $"expected input [{(BatchFirst ? "N, L" : "L, N")}, {EmbedDim}], got {x}");
        int e = EmbedDim, h = NumHeads, hd = HeadDim;
        var xb = BatchFirst ? x : onnx.Op("Transpose", [x], [x.Shape[1], x.Shape[0], e], OnnxAttribute.Ints("perm", 1, 0, 2));
        int n = xb.Shape[0], l = xb.Shape[1];
        var qkv = onnx.Op("MatMul", [xb, onnx.Op("Transpose", [onnx.Parameter(this, "in_proj_weight", InProjWeight!)], [e, 3 * e])], [n, l, 3 * e]);
        if (InProjBias is Tensor b) qkv = onnx.Add(qkv, onnx.Parameter(this, "in_proj_bias", b));
        OnnxValue Head(int part, params long[] perm)
        {
            var slice = onnx.Op("Slice", [qkv, onnx.Int64s([part * e]), onnx.Int64s([(part + 1) * e]), onnx.Int64s([2])], [n, l, e]);
            var split = onnx.Op("Reshape", [slice, onnx.Int64s([0, 0, h, hd])], [n, l, h, hd]);
            int[] shape = perm.Select(p => new[] { n, l, h, hd }[p]).ToArray();
            return onnx.Op("Transpose", [split], shape, OnnxAttribute.Ints("perm", perm));
        }
        var q = Head(0, 0, 2, 1, 3);
        var kT = Head(1, 0, 2, 3, 1);
        var v = Head(2, 0, 2, 1, 3);
        var scores = onnx.Mul(onnx.Op("MatMul", [q, kT], [n, h, l, l]), onnx.Scalar(1 / Math.Sqrt(hd)));
        var weights = onnx.Op("Softmax", [scores], [n, h, l, l], OnnxAttribute.Int("axis", -1));
        var heads = onnx.Op("Transpose", [onnx.Op("MatMul", [weights, v], [n, h, l, hd])], [n, l, h, hd], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
        var y = onnx.Emit(OutProj, onnx.Op("Reshape", [heads, onnx.Int64s([0, 0, e])], [n, l, e]));
        return BatchFirst ? y : onnx.Op("Transpose", [y], x.Shape, OnnxAttribute.Ints("perm", 1, 0, 2));
    }
}

public sealed partial class TransformerEncoderLayer : IOnnxExportable
{
    /// <summary>The evaluation-mode layer (dropout off) through its children's forms, the residual Adds and the
    /// activation (GELU as x·½(1 + erf(x/√2)), opset 17 having no Gelu).</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        OnnxValue FeedForward(OnnxValue t)
        {
            var a = onnx.Emit(Linear1, t);
            a = Activation == "gelu"
                ? onnx.Mul(onnx.Mul(a, onnx.Scalar(0.5)), onnx.Add(onnx.Unary("Erf", onnx.Mul(a, onnx.Scalar(1 / Math.Sqrt(2)))), onnx.Scalar(1)))
                : onnx.Unary("Relu", a);
            return onnx.Emit(Linear2, a);
        }
        if (NormFirst)
        {
            x = onnx.Add(x, onnx.Emit(SelfAttn, onnx.Emit(Norm1, x)));
            return onnx.Add(x, FeedForward(onnx.Emit(Norm2, x)));
        }
        x = onnx.Emit(Norm1, onnx.Add(x, onnx.Emit(SelfAttn, x)));
        return onnx.Emit(Norm2, onnx.Add(x, FeedForward(x)));
    }
}

public sealed partial class TransformerEncoder : IOnnxExportable
{
    /// <summary>The layers in turn, then the norm.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        foreach (var layer in Layers) x = onnx.Emit(layer, x);
        return Norm is LayerNorm norm ? onnx.Emit(norm, x) : x;
    }
}
