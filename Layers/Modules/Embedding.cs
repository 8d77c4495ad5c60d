using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// A lookup table as torch.nn.Embedding: weight [numEmbeddings, embeddingDim] drawn from N(0, 1); with a padding
/// index (negative counts from the end, stored as PyTorch stores it, in [0, N)) that row starts at zero and gets no
/// gradient. Forward takes int32 indices of any shape and returns shape indices.shape + [embeddingDim]
/// (see <see cref="F.Embedding"/>). With <c>maxNorm</c>, each forward first rescales in place (no gradient) the
/// referenced rows whose <c>normType</c>-norm exceeds it, as PyTorch's max_norm.
/// </summary>
public sealed partial class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, double? maxNorm = null, double normType = 2,
        Generator? generator = null)
    {
        if (numEmbeddings < 0 || embeddingDim < 0)
            throw new ArgumentException($"Embedding: num_embeddings and embedding_dim must be non-negative, got {numEmbeddings} and {embeddingDim}");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = F.NormalizePaddingIdx("Embedding", paddingIdx, numEmbeddings);
        MaxNorm = maxNorm;
        NormType = normType;
        var weight = Tensor.Randn([numEmbeddings, embeddingDim], 0, 1, DType.Float32, null, generator);
        if (PaddingIdx is int p) weight.Select(0, p).Zero_();
        RegisterParameter("weight", weight);
    }

    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }

    /// <summary>The padding row in [0, NumEmbeddings), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>The largest norm a referenced row keeps (null: no renormalisation).</summary>
    public double? MaxNorm { get; }

    /// <summary>The p of the norm compared with <see cref="MaxNorm"/> (2 by default).</summary>
    public double NormType { get; }

    public Tensor Weight => Get("weight");

    public override Tensor Forward(Tensor input) => F.Embedding(input, Weight, PaddingIdx, MaxNorm, NormType);

    /// <summary>"10, 3, padding_idx=0, max_norm=1.0", as PyTorch prints it (norm_type only when it is not 2).</summary>
    public override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is int p ? $", padding_idx={p}" : "")
        + (MaxNorm is double m ? $", max_norm={PyRepr.Float(m)}" : "") + (NormType != 2 ? $", norm_type={PyRepr.Float(NormType)}" : "");
}
