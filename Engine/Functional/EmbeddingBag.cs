namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.embedding_bag: sums, means or maxima of bags of embedding rows, without materialising the
    /// per-index embeddings as the caller's tensor. <paramref name="input"/> holds int32 indices into the 2-D
    /// <paramref name="weight"/> [N, dim], either 1-D with <paramref name="offsets"/> (bag b spans positions
    /// offsets[b] to offsets[b + 1], the last one to the end; with <paramref name="includeLastOffset"/> offsets has
    /// B + 1 entries and the last one closes bag B − 1) or 2-D [B, L] (B bags of L, no offsets). The output is
    /// [B, dim]; an empty bag gives zeros. <paramref name="mode"/> is "sum", "mean" (the default) or "max";
    /// <paramref name="perSampleWeights"/> (shape of input, "sum" only) scale each row before the sum. Positions
    /// holding <paramref name="paddingIdx"/> (negative counts from the end) are left out of their bag, also from a
    /// mean's count. With <paramref name="maxNorm"/> the referenced rows are first renormalised in place as
    /// <see cref="Embedding"/> does.
    /// The bags are laid out on the host as a padded [B, Lmax] table of rows with a validity mask; the result is
    /// the differentiable composition embedding → (weighted, masked) sum over the bag, divided by the count for a
    /// mean, or a masked max (−∞ at the padding) for max. So dweight[n] receives g_b (times the sample's weight, or
    /// over the bag's count) from each position of bag b holding n, and for max only from the position of the
    /// maximum of each column (identical rows in one bag share it, which sums to the same as PyTorch's one index).
    /// </summary>
    public static Tensor EmbeddingBag(Tensor input, Tensor weight, Tensor? offsets = null, double? maxNorm = null, double normType = 2,
        string mode = "mean", Tensor? perSampleWeights = null, bool includeLastOffset = false, int? paddingIdx = null)
    {
        const string op = "embedding_bag";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(mode);
        if (input.DType.IsFloating() && weight.DType == DType.Int32)
            throw new ArgumentException($"{op}: the indices come first, as in torch.nn.functional.embedding_bag(input, weight): got a {input.DType.TorchName()} " +
                                        $"tensor of shape {Shapes.Format(input.Shape)} and an int32 weight of shape {Shapes.Format(weight.Shape)}");
        if (perSampleWeights != null && !Shapes.SameShape(perSampleWeights.Shape, input.Shape))
            throw new ArgumentException($"{op}: If per_sample_weights ({Shapes.Format(perSampleWeights.Shape)}) is not None, then it must have the same shape as the input ({Shapes.Format(input.Shape)})");
        if (weight.Rank != 2) throw new ArgumentException($"{op}: weight has to be a 2D Tensor, but got Tensor of dimension {weight.Rank}");
        Ops.CheckFloating(op, weight);
        if (input.DType != DType.Int32)
            throw new ArgumentException($"{op}: expected int32 indices, got {input.DType.TorchName()}");
        if (input.Rank == 2 && offsets != null)
            throw new ArgumentException($"{op}: if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of shape {Shapes.Format(offsets.Shape)}");
        if (input.Rank == 1 && offsets == null) throw new ArgumentException($"{op}: offsets has to be a 1D Tensor but got None");
        if (input.Rank == 1 && offsets!.Rank != 1) throw new ArgumentException($"{op}: offsets has to be a 1D Tensor, got shape {Shapes.Format(offsets.Shape)}");
        if (input.Rank is not (1 or 2)) throw new ArgumentException($"{op}: input has to be 1D or 2D Tensor, but got Tensor of dimension {input.Rank}");
        if (mode is not ("sum" or "mean" or "max")) throw new ArgumentException($"{op}: mode has to be one of sum, mean or max, got '{mode}'");
        if (perSampleWeights != null && mode != "sum")
            throw new NotSupportedException($"{op}: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='{mode}')");
        if (perSampleWeights != null) Ops.CheckPair(op, weight, perSampleWeights);
        if (offsets != null && offsets.DType != DType.Int32) throw new ArgumentException($"{op}: expected int32 offsets, got {offsets.DType.TorchName()}");
        int n = weight.Size(0), dim = weight.Size(1);
        int? pad = NormalizePaddingIdx(op, paddingIdx, n);
        Tensor.CheckIndexBounds(op, input, n, 0, weight);

        var idx = input.Contiguous().ToArray<int>();
        int t = idx.Length;
        int[] starts, ends;
        if (input.Rank == 2)
        {
            int bags = input.Size(0), len = input.Size(1);
            starts = [.. Enumerable.Range(0, bags).Select(b => b * len)];
            ends = [.. starts.Select(s => s + len)];
        }
        else
        {
            var off = offsets!.Contiguous().ToArray<int>();
            if (includeLastOffset && off.Length == 0) throw new ArgumentException($"{op}: include_last_offset: numBags should be at least 1");
            if (off.Length > 0 && off[0] != 0)
                throw new ArgumentException($"{op}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got {off[0]}");
            for (int i = 1; i < off.Length; i++)
                if (off[i] < off[i - 1]) throw new ArgumentException($"{op}: offsets must be non-decreasing, but offsets[{i}] = {off[i]} < offsets[{i - 1}] = {off[i - 1]}");
            if (off.Length > 0 && off[^1] > t)
                throw new ArgumentException($"{op}: offsets[-1] can not be greater than input's length {t}, but got offsets[-1] of {off[^1]}");
            int bags = includeLastOffset ? off.Length - 1 : off.Length;
            starts = off[..bags];
            ends = [.. Enumerable.Range(0, bags).Select(b => b + 1 < off.Length ? off[b + 1] : t)];
        }

        int nb = starts.Length;
        var members = new List<int>[nb];
        int width = 1;
        for (int b = 0; b < nb; b++)
        {
            members[b] = [];
            for (int i = starts[b]; i < ends[b]; i++)
                if (idx[i] != pad) members[b].Add(i);
            width = Math.Max(width, members[b].Count);
        }
        if (maxNorm is double mx && t > 0) EmbeddingRenorm(weight, input.Reshape(t), mx, normType);
        if (nb == 0 || n == 0 || dim == 0) return Tensor.Zeros([nb, dim], weight.DType, weight.Device);

        // The padded table: rows [B, Lmax] (row 0 where the bag is shorter), their positions in input, a 0/1 mask.
        var rows = new int[nb * width];
        var positions = new int[nb * width];
        var valid = new double[nb * width];
        var count = new double[nb];
        for (int b = 0; b < nb; b++)
        {
            count[b] = members[b].Count;
            for (int j = 0; j < members[b].Count; j++)
            {
                positions[b * width + j] = members[b][j];
                rows[b * width + j] = idx[members[b][j]];
                valid[b * width + j] = 1;
            }
        }
        var dev = weight.Device;
        var mask = Tensor.FromArray(valid, nb, width, 1).To(weight.DType).To(dev);
        var e = Embedding(Tensor.FromArray(rows, nb, width).To(dev), weight);
        if (mode == "max")
        {
            var m = e.MaskedFill(mask.Eq(mask.FullLikeScalar(0)), double.NegativeInfinity).Max(1);
            var nonEmpty = Tensor.FromArray(count, nb, 1).To(weight.DType).To(dev).Gt(0);
            return Tensor.Where(nonEmpty, m, m.FullLikeScalar(0));
        }
        if (perSampleWeights != null && t > 0)
            mask = mask * perSampleWeights.Reshape(t).IndexSelect(0, Tensor.FromArray(positions, nb * width).To(dev)).Reshape(nb, width, 1);
        var sum = (e * mask).Sum(1);
        if (mode == "sum") return sum;
        var divisor = Tensor.FromArray([.. count.Select(c => Math.Max(c, 1))], nb, 1).To(weight.DType).To(dev);
        return sum / divisor;
    }
}
