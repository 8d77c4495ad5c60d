using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Embedding lookup as torch.nn.functional.embedding(input, weight, padding_idx): out[..., :] = weight[input[...], :]
    /// for int32 indices <paramref name="input"/> of any shape and a 2-D <paramref name="weight"/> [N, dim]; out has
    /// shape input.shape + [dim]. dL/dweight[n] = Σ of dL/dout over the positions holding n (a repeated index
    /// accumulates, in position order), except that the row <paramref name="paddingIdx"/> gets no gradient; a
    /// negative paddingIdx counts from the end (−1 is N − 1), as PyTorch's. The forward reads the padding row as it
    /// is (nn.Embedding zeroes it at initialisation). One gather and, in the backward, one scatter-add.
    /// With <paramref name="maxNorm"/>, first (in place, without gradient, as PyTorch's embedding_renorm_) every row
    /// of weight that the input references and whose <paramref name="normType"/>-norm exceeds maxNorm is scaled by
    /// maxNorm/(norm + 1e−7), each such row once however often it is referenced.
    /// </summary>
    public static Tensor Embedding(Tensor input, Tensor weight, int? paddingIdx = null, double? maxNorm = null, double normType = 2)
    {
        const string op = "embedding";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.DType.IsFloating() == true && weight.DType == DType.Int32)
            throw new ArgumentException($"{op}: the indices come first, as in torch.nn.functional.embedding(input, weight): got a {input.DType.TorchName()} " +
                                        $"tensor of shape {Shapes.Format(input.Shape)} and an int32 weight of shape {Shapes.Format(weight.Shape)}");
        Tensor.CheckIndexTensor(op, weight, input);
        Ops.CheckFloating(op, weight);
        if (weight.Rank != 2)
            throw new ArgumentException($"{op}: 'weight' must be 2-D [num_embeddings, embedding_dim], got shape {Shapes.Format(weight.Shape)}");
        int n = weight.Size(0), dim = weight.Size(1);
        int? pad = NormalizePaddingIdx(op, paddingIdx, n);
        Tensor.CheckIndexBounds(op, input, n, 0, weight);
        int t = (int)input.Numel;
        if (maxNorm is double mx && t > 0) EmbeddingRenorm(weight, input, mx, normType);
        var outShape = input.ShapeCopy().Append(dim).ToArray();
        var y = Tensor.Empty(outShape, weight.DType, weight.Device);
        if (y.Numel > 0)
            using (Tensor.NoGrad())
                weight.Backend.Gather(weight.Contiguous().Reshape(1, n, dim), Tensor.Broadcast3(input, 1, t, dim), y.Reshape(1, t, dim));
        var indices = input;
        return Graph.Record(y, op, [weight], g =>
        {
            var dw = Tensor.Zeros([n, dim], g.DType, g.Device);
            if (g.Numel == 0) return [dw];
            var rows = g.Contiguous().Reshape(1, t, dim);
            // The padding row's positions contribute nothing: their gradient rows are multiplied by 0 first.
            if (pad is int p) rows = rows * (1 - indices.Eq(indices.FullLikeScalar(p)).To(g.DType)).Reshape(1, t, 1);
            g.Backend.ScatterAdd(rows.Contiguous(), Tensor.Broadcast3(indices, 1, t, dim), dw.Reshape(1, n, dim));
            return [dw];
        }, input);
    }

    /// <summary>
    /// torch.embedding_renorm_: rows of <paramref name="weight"/> referenced by <paramref name="indices"/> with a
    /// norm above <paramref name="maxNorm"/> are scaled by maxNorm/(norm + 1e−7) in place, each once. On the device,
    /// without reading the indices back: a scatter-add counts the references per row, and the rows' scale factors
    /// (1 for the rows left alone, so they keep their values exactly) multiply the table. This touches the whole
    /// table, where PyTorch's CPU loop visits only the referenced rows; the values are the same.
    /// </summary>
    public static void EmbeddingRenorm(Tensor weight, Tensor indices, double maxNorm, double normType = 2)
    {
        int n = weight.Size(0), t = (int)indices.Numel;
        using (Tensor.NoGrad())
        {
            var w = weight.Detach();
            var counts = Tensor.Zeros([n], w.DType, w.Device);
            w.Backend.ScatterAdd(Tensor.Ones([1, t, 1], w.DType, w.Device), indices.Contiguous().Reshape(1, t, 1), counts.Reshape(1, n, 1));
            var norms = VectorNorm(w, normType, 1, keepDim: true);
            var scale = Tensor.Where(counts.Reshape(n, 1).Gt(0) * norms.Gt(maxNorm),
                Tensor.Full([n, 1], maxNorm, w.DType, w.Device) / norms.AddScalar(1e-7), norms.OnesLike());
            weight.CopyFrom(w * scale);
        }
    }

    /// <summary>PyTorch's padding_idx: in [−N, N), a negative one counting from the end; null for none.</summary>
    public static int? NormalizePaddingIdx(string op, int? paddingIdx, int n)
    {
        if (paddingIdx is not int p) return null;
        if (p >= n || p < -n)
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"{op}: padding_idx {p} must be within num_embeddings {n} (in [{-n}, {n}))");
        return p < 0 ? p + n : p;
    }
}
