namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Multi-head attention as torch.nn.functional.multi_head_attention_forward (what nn.MultiheadAttention runs),
    /// sequence first: query [L, N, E] (or unbatched [L, E]), key [S, N, kdim], value [S, N, vdim]. Q, K, V are
    /// projected by the three row blocks of <paramref name="inProjWeight"/> [3E, E] (or by q/k/v_proj_weight when
    /// <paramref name="useSeparateProjWeight"/>) and <paramref name="inProjBias"/> [3E]; bias_k/bias_v [1, 1, E] are
    /// appended to the keys and values, then a zero key and value when <paramref name="addZeroAttn"/>; each of the
    /// numHeads heads attends with scale 1/√(E/numHeads); the heads are concatenated and projected by out_proj.
    /// Masks as PyTorch's, whose boolean ones Pade writes as int32 (nonzero = True): <paramref name="keyPaddingMask"/>
    /// [N, S] ([S] unbatched), True (or nonzero) = that key is ignored, or a float added; <paramref name="attnMask"/>
    /// [L, S] or [N·numHeads, L, S], True = not allowed, or a float added. <paramref name="isCausal"/> is a hint
    /// that attnMask is the causal mask (which must be given, as in PyTorch). Returns the output [L, N, E] (or
    /// [L, E]) and, with <paramref name="needWeights"/>, the attention weights [N, numHeads, L, S] (averaged over the
    /// heads to [N, L, S] with <paramref name="averageAttnWeights"/>; no batch dim unbatched). As PyTorch's, the path
    /// that returns weights uses a plain softmax (NaN for a fully masked row) and the other one scaled dot-product
    /// attention (zeros for it). Dropout applies to the weights only while <paramref name="training"/>.
    /// </summary>
    public static (Tensor Output, Tensor? Weights) MultiHeadAttentionForward(Tensor query, Tensor key, Tensor value, int embedDimToCheck, int numHeads,
        Tensor? inProjWeight, Tensor? inProjBias, Tensor? biasK, Tensor? biasV, bool addZeroAttn, double dropoutP, Tensor outProjWeight,
        Tensor? outProjBias, bool training = true, Tensor? keyPaddingMask = null, bool needWeights = true, Tensor? attnMask = null,
        bool useSeparateProjWeight = false, Tensor? qProjWeight = null, Tensor? kProjWeight = null, Tensor? vProjWeight = null,
        bool averageAttnWeights = true, bool isCausal = false, Generator? generator = null)
    {
        const string op = "multi_head_attention_forward";
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool batched = CheckMhaShapes(op, query, key, value, keyPaddingMask, attnMask, numHeads);
        if (!batched)
        {
            query = query.Unsqueeze(1);
            key = key.Unsqueeze(1);
            value = value.Unsqueeze(1);
            keyPaddingMask = keyPaddingMask?.Unsqueeze(0);
        }
        int tgtLen = query.Size(0), bsz = query.Size(1), embedDim = query.Size(2), srcLen = key.Size(0);
        if (embedDim != embedDimToCheck)
            throw new ArgumentException($"{op}: was expecting embedding dimension of {embedDimToCheck}, but got {embedDim}");
        if (numHeads < 1 || embedDim % numHeads != 0)
            throw new ArgumentException($"{op}: embed_dim {embedDim} not divisible by num_heads {numHeads}");
        int headDim = embedDim / numHeads;
        if (useSeparateProjWeight)
        {
            if (key.Size(0) != value.Size(0) || key.Size(1) != value.Size(1))
                throw new ArgumentException($"{op}: key's sequence and batch dims [{key.Size(0)}, {key.Size(1)}] do not match value's [{value.Size(0)}, {value.Size(1)}]");
        }
        else if (!Shapes.SameShape(key.Shape, value.Shape))
            throw new ArgumentException($"{op}: key shape {Shapes.Format(key.Shape)} does not match value shape {Shapes.Format(value.Shape)}");
        if (isCausal && attnMask == null)
            throw new ArgumentException($"{op}: need attn_mask if specifying the is_causal hint (e.g. Transformer.GenerateSquareSubsequentMask)");

        keyPaddingMask = CanonicalMask(op, "key_padding_mask", keyPaddingMask, query);
        attnMask = CanonicalMask(op, "attn_mask", attnMask, query);

        // In-projection: the three row blocks of the packed weight (or the separate weights) and of the bias.
        Tensor? bq = null, bk = null, bv = null;
        if (inProjBias != null)
        {
            if (inProjBias.Rank != 1 || inProjBias.Size(0) != 3 * embedDim)
                throw new ArgumentException($"{op}: in_proj_bias must be [{3 * embedDim}], got {Shapes.Format(inProjBias.Shape)}");
            (bq, bk, bv) = (inProjBias.Narrow(0, 0, embedDim), inProjBias.Narrow(0, embedDim, embedDim), inProjBias.Narrow(0, 2 * embedDim, embedDim));
        }
        Tensor q, k, v;
        if (useSeparateProjWeight)
        {
            if (qProjWeight == null || kProjWeight == null || vProjWeight == null)
                throw new ArgumentException($"{op}: use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None");
            q = Linear(query, qProjWeight, bq, op);
            k = Linear(key, kProjWeight, bk, op);
            v = Linear(value, vProjWeight, bv, op);
        }
        else
        {
            if (inProjWeight == null) throw new ArgumentException($"{op}: use_separate_proj_weight is False but in_proj_weight is None");
            if (inProjWeight.Rank != 2 || inProjWeight.Size(0) != 3 * embedDim)
                throw new ArgumentException($"{op}: in_proj_weight must be [{3 * embedDim}, {embedDim}], got {Shapes.Format(inProjWeight.Shape)}");
            q = Linear(query, inProjWeight.Narrow(0, 0, embedDim), bq, op);
            k = Linear(key, inProjWeight.Narrow(0, embedDim, embedDim), bk, op);
            v = Linear(value, inProjWeight.Narrow(0, 2 * embedDim, embedDim), bv, op);
        }

        if (attnMask != null)
        {
            if (attnMask.Rank == 2)
            {
                if (attnMask.Size(0) != tgtLen || attnMask.Size(1) != srcLen)
                    throw new ArgumentException($"{op}: the shape of the 2D attn_mask is {Shapes.Format(attnMask.Shape)}, but should be [{tgtLen}, {srcLen}] (query length L, key length S)");
                attnMask = attnMask.Unsqueeze(0);
            }
            else if (attnMask.Size(0) != bsz * numHeads || attnMask.Size(1) != tgtLen || attnMask.Size(2) != srcLen)
                throw new ArgumentException($"{op}: the shape of the 3D attn_mask is {Shapes.Format(attnMask.Shape)}, but should be [{bsz * numHeads}, {tgtLen}, {srcLen}] (batch·num_heads, L, S)");
        }

        if (biasK != null || biasV != null)
        {
            if (biasK == null || biasV == null) throw new ArgumentException($"{op}: bias_k and bias_v must be given together");
            k = Tensor.Concat([k, biasK.Reshape(1, 1, embedDim).Expand(1, bsz, embedDim)], 0);
            v = Tensor.Concat([v, biasV.Reshape(1, 1, embedDim).Expand(1, bsz, embedDim)], 0);
            attnMask = attnMask?.Pad([0, 1]);
            keyPaddingMask = keyPaddingMask?.Pad([0, 1]);
        }

        // [L, N, E] -> [N·H, L, head_dim]: head h of batch n is row n·H + h, as PyTorch's view/transpose.
        q = q.Reshape(tgtLen, bsz * numHeads, headDim).Transpose(0, 1);
        k = k.Reshape(k.Size(0), bsz * numHeads, headDim).Transpose(0, 1);
        v = v.Reshape(v.Size(0), bsz * numHeads, headDim).Transpose(0, 1);

        if (addZeroAttn)
        {
            var zeros = Tensor.Zeros([bsz * numHeads, 1, headDim], k.DType, k.Device);
            k = Tensor.Concat([k, zeros], 1);
            v = Tensor.Concat([v, zeros], 1);
            attnMask = attnMask?.Pad([0, 1]);
            keyPaddingMask = keyPaddingMask?.Pad([0, 1]);
        }
        srcLen = k.Size(1);

        if (keyPaddingMask != null)
        {
            if (keyPaddingMask.Size(0) != bsz || keyPaddingMask.Size(1) != srcLen)
                throw new ArgumentException($"{op}: expecting key_padding_mask shape of [{bsz}, {srcLen}], but got {Shapes.Format(keyPaddingMask.Shape)}");
            var kpm = keyPaddingMask.Reshape(bsz, 1, 1, srcLen).Expand(bsz, numHeads, 1, srcLen).Reshape(bsz * numHeads, 1, srcLen);
            attnMask = attnMask == null ? kpm : attnMask + kpm;
        }
        double p = training ? dropoutP : 0;
        double scale = 1.0 / Math.Sqrt(headDim);
        Tensor output;
        Tensor? weights = null;
        if (needWeights)
        {
            var (o, w) = Attend(op, q, k, v, attnMask, p, false, scale, false, generator, safeSoftmax: false);
            output = o.Transpose(0, 1).Reshape(tgtLen * bsz, embedDim);
            weights = w.Reshape(bsz, numHeads, tgtLen, srcLen);
            if (averageAttnWeights) weights = weights.Mean(1);
            if (!batched) weights = weights.Squeeze(0);
        }
        else
        {
            // The scaled dot-product path: heads as a dim of their own, [N, H, L, head_dim].
            if (attnMask != null)
                attnMask = attnMask.Size(0) == 1 ? attnMask.Unsqueeze(0) : attnMask.Reshape(bsz, numHeads, -1, srcLen);
            var o = Attend(op, q.Reshape(bsz, numHeads, tgtLen, headDim), k.Reshape(bsz, numHeads, srcLen, headDim),
                v.Reshape(bsz, numHeads, srcLen, headDim), attnMask, p, false, scale, false, generator, safeSoftmax: true).Output;
            output = o.Permute(2, 0, 1, 3).Reshape(bsz * tgtLen, embedDim);
        }
        output = Linear(output, outProjWeight, outProjBias, op).Reshape(tgtLen, bsz, outProjWeight.Size(0));
        if (!batched) output = output.Squeeze(1);
        return (output, weights);
    }

    /// <summary>PyTorch's _mha_shape_check: whether the input is batched, or which dims are wrong.</summary>
    private static bool CheckMhaShapes(string op, Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask, Tensor? attnMask, int numHeads)
    {
        if (query.Rank == 3)
        {
            if (key.Rank != 3 || value.Rank != 3)
                throw new ArgumentException($"{op}: for batched (3-D) query, expected key and value to be 3-D but found {key.Rank}-D and {value.Rank}-D tensors respectively");
            if (keyPaddingMask != null && keyPaddingMask.Rank != 2)
                throw new ArgumentException($"{op}: for batched (3-D) query, expected key_padding_mask to be None or 2-D but found {keyPaddingMask.Rank}-D tensor instead");
            if (attnMask != null && attnMask.Rank != 2 && attnMask.Rank != 3)
                throw new ArgumentException($"{op}: for batched (3-D) query, expected attn_mask to be None, 2-D or 3-D but found {attnMask.Rank}-D tensor instead");
            return true;
        }
        if (query.Rank == 2)
        {
            if (key.Rank != 2 || value.Rank != 2)
                throw new ArgumentException($"{op}: for unbatched (2-D) query, expected key and value to be 2-D but found {key.Rank}-D and {value.Rank}-D tensors respectively");
            if (keyPaddingMask != null && keyPaddingMask.Rank != 1)
                throw new ArgumentException($"{op}: for unbatched (2-D) query, expected key_padding_mask to be None or 1-D but found {keyPaddingMask.Rank}-D tensor instead");
            if (attnMask != null)
            {
                if (attnMask.Rank != 2 && attnMask.Rank != 3)
                    throw new ArgumentException($"{op}: for unbatched (2-D) query, expected attn_mask to be None, 2-D or 3-D but found {attnMask.Rank}-D tensor instead");
                if (attnMask.Rank == 3 && (attnMask.Size(0) != numHeads || attnMask.Size(1) != query.Size(0) || attnMask.Size(2) != key.Size(0)))
                    throw new ArgumentException($"{op}: expected attn_mask shape to be [{numHeads}, {query.Size(0)}, {key.Size(0)}] but got {Shapes.Format(attnMask.Shape)}");
            }
            return false;
        }
        throw new ArgumentException($"{op}: query should be unbatched 2D or batched 3D tensor but received {query.Rank}-D query tensor of shape {Shapes.Format(query.Shape)}");
    }

    /// <summary>PyTorch's _canonical_mask: a boolean (int32) mask becomes −∞ where True (nonzero) and 0 elsewhere;
    /// a float one must have the query's dtype and is used as it is.</summary>
    private static Tensor? CanonicalMask(string op, string name, Tensor? mask, Tensor query)
    {
        if (mask == null) return null;
        Ops.CheckSameDevice(op, mask, query);
        if (mask.DType == DType.Int32)
            return Tensor.Where(mask, Tensor.Scalar(double.NegativeInfinity, query.DType, query.Device), Tensor.Zeros([], query.DType, query.Device))
                .BroadcastTo(mask.ShapeCopy()).Contiguous();
        if (mask.DType != query.DType)
            throw new ArgumentException($"{op}: only bool (int32) and floating types of {name} are supported; a float one must have query's dtype {query.DType.TorchName()}, got {mask.DType.TorchName()}");
        return mask;
    }
}
