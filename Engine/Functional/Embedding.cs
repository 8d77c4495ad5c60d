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
    /// </summary>
    public static Tensor Embedding(Tensor input, Tensor weight, int? paddingIdx = null)
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

    /// <summary>PyTorch's padding_idx: in [−N, N), a negative one counting from the end; null for none.</summary>
    public static int? NormalizePaddingIdx(string op, int? paddingIdx, int n)
    {
        if (paddingIdx is not int p) return null;
        if (p >= n || p < -n)
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"{op}: padding_idx {p} must be within num_embeddings {n} (in [{-n}, {n}))");
        return p < 0 ? p + n : p;
    }
}
