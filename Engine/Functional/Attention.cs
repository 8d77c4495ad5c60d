namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Attention as torch.nn.functional.scaled_dot_product_attention (its documented math reference):
    /// softmax(Q Kᵀ·scale + bias) V for query [..., L, E], key [..., S, E], value [..., S, Ev] with leading batch dims
    /// that broadcast; the result is [..., L, Ev]. scale defaults to 1/√E. <paramref name="attnMask"/> broadcasts to
    /// [..., L, S] and is either boolean (an int32 tensor, Pade's stand-in for torch.bool: nonzero = the position
    /// takes part, zero = −∞) or floating (added to the scores). <paramref name="isCausal"/> keeps the top-left
    /// aligned lower triangle (j ≤ i, also when L ≠ S) and excludes an explicit mask, as PyTorch's.
    /// <paramref name="enableGqa"/> repeats key's and value's heads (dim −3) to query's (grouped-query attention).
    /// A row with every position masked gives zeros (and zero gradients), as libtorch's (PyTorch ≥ 2.5) math and
    /// CPU kernels do, not the NaN of a plain softmax. Dropout, when <paramref name="dropoutP"/> &gt; 0, applies to
    /// the attention weights (always: this function has no training flag, as PyTorch's). A composition of matmul,
    /// where, softmax and dropout, so every backend and the autograd come from those ops.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, double dropoutP = 0,
        bool isCausal = false, double? scale = null, bool enableGqa = false, Generator? generator = null) =>
        Attend("scaled_dot_product_attention", query, key, value, attnMask, dropoutP, isCausal, scale, enableGqa, generator, safeSoftmax: true).Output;

    /// <summary>The attention output and its weights softmax(Q Kᵀ·scale + bias) (after dropout); a plain softmax
    /// (NaN for a fully masked row) unless <paramref name="safeSoftmax"/>.</summary>
    internal static (Tensor Output, Tensor Weights) Attend(string op, Tensor query, Tensor key, Tensor value, Tensor? attnMask, double dropoutP,
        bool isCausal, double? scale, bool enableGqa, Generator? generator, bool safeSoftmax)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Ops.CheckFloating(op, query);
        Ops.CheckPair(op, query, key);
        Ops.CheckPair(op, query, value);
        if (query.Rank < 2 || key.Rank < 2 || value.Rank < 2)
            throw new ArgumentException($"{op}: query, key and value need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), " +
                                        $"got query {Shapes.Format(query.Shape)}, key {Shapes.Format(key.Shape)}, value {Shapes.Format(value.Shape)}");
        if (query.Size(-1) != key.Size(-1))
            throw new ArgumentException($"{op}: query's and key's last dims (the embedding E) differ: query {Shapes.Format(query.Shape)}, key {Shapes.Format(key.Shape)}");
        if (key.Size(-2) != value.Size(-2))
            throw new ArgumentException($"{op}: key and value must have the same sequence length S (dim -2): key {Shapes.Format(key.Shape)}, value {Shapes.Format(value.Shape)}");
        if (!(dropoutP >= 0 && dropoutP <= 1))
            throw new ArgumentOutOfRangeException(nameof(dropoutP), $"{op}: dropout_p must be in [0, 1], got {dropoutP}");
        if (isCausal && attnMask != null)
            throw new ArgumentException($"{op}: explicit attn_mask should not be set when is_causal=True");
        if (enableGqa)
        {
            if (query.Rank < 3 || key.Rank < 3 || value.Rank < 3)
                throw new ArgumentException($"{op}: enable_gqa needs a heads dim (-3) in query, key and value, got query {Shapes.Format(query.Shape)}, key {Shapes.Format(key.Shape)}, value {Shapes.Format(value.Shape)}");
            int hq = query.Size(-3), hk = key.Size(-3), hv = value.Size(-3);
            if (hk == 0 || hv == 0 || hq % hk != 0 || hq % hv != 0)
                throw new ArgumentException($"{op}: with enable_gqa the number of heads in key ({hk}) and value ({hv}) must divide the number of heads in query ({hq})");
            key = RepeatInterleaveHeads(key, hq / hk);
            value = RepeatInterleaveHeads(value, hq / hv);
        }
        int l = query.Size(-2), s = key.Size(-2);
        double sc = scale ?? 1.0 / Math.Sqrt(query.Size(-1));
        var scores = Tensor.MatMul(query, key.Transpose(-2, -1)) * sc;
        var negInf = Tensor.Scalar(double.NegativeInfinity, scores.DType, scores.Device);
        if (isCausal)
        {
            // ones(L, S).tril(): position j takes part in row i when j ≤ i (top-left aligned when L ≠ S).
            var rows = Tensor.Arange(0, l, 1, scores.DType, scores.Device).Reshape(l, 1);
            var cols = Tensor.Arange(0, s, 1, scores.DType, scores.Device).Reshape(1, s);
            scores = Tensor.Where(cols.Le(rows), scores, negInf);
        }
        if (attnMask != null)
        {
            Ops.CheckSameDevice(op, attnMask, query);
            var target = scores.ShapeCopy();
            if (!BroadcastsTo(attnMask.ShapeCopy(), target))
                throw new ArgumentException($"{op}: attn_mask of shape {Shapes.Format(attnMask.Shape)} does not broadcast to the attention weights' shape " +
                                            $"{Shapes.Format(target)} (query {Shapes.Format(query.Shape)}, key {Shapes.Format(key.Shape)})");
            if (attnMask.DType == DType.Int32) scores = Tensor.Where(attnMask, scores, negInf);
            else
            {
                if (attnMask.DType != scores.DType)
                    throw new ArgumentException($"{op}: a float attn_mask must have query's dtype {scores.DType.TorchName()}, got {attnMask.DType.TorchName()}");
                scores = scores + attnMask;
            }
        }
        Tensor weights;
        if (safeSoftmax)
        {
            // PyTorch's _safe_softmax: a row whose every score is −∞ gives zeros. Its scores are replaced by 0 before
            // the softmax (a finite uniform row, so the backward stays finite) and its weights by 0 after.
            Tensor full;
            using (Tensor.NoGrad()) full = s == 0 ? scores : scores.Max(-1, keepDim: true).Eq(negInf);
            if (s > 0)
            {
                var zero = Tensor.Scalar(0, scores.DType, scores.Device);
                weights = Tensor.Where(full, zero, Tensor.Where(full, zero, scores).Softmax(-1));
            }
            else weights = scores;
        }
        else weights = s == 0 ? scores : scores.Softmax(-1);
        if (dropoutP > 0) weights = Dropout(weights, dropoutP, training: true, generator);
        return (Tensor.MatMul(weights, value), weights);
    }

    /// <summary>torch.repeat_interleave(x, repeats, dim=-3): each head repeated in place.</summary>
    private static Tensor RepeatInterleaveHeads(Tensor x, int repeats)
    {
        if (repeats == 1) return x;
        var shape = x.ShapeCopy();
        int[] expanded = [.. shape[..^2], repeats, shape[^2], shape[^1]];
        return x.Unsqueeze(-3).Expand(expanded).Reshape([.. shape[..^3], shape[^3] * repeats, shape[^2], shape[^1]]);
    }

    private static bool BroadcastsTo(int[] shape, int[] target)
    {
        if (shape.Length > target.Length) return false;
        for (int i = 1; i <= shape.Length; i++)
            if (shape[^i] != 1 && shape[^i] != target[^i]) return false;
        return true;
    }
}
