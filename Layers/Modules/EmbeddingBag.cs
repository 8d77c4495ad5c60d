using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// torch.nn.EmbeddingBag: sums, means (the default) or maxima of bags of rows of weight [numEmbeddings,
/// embeddingDim], drawn from N(0, 1) with the padding row (if any) zeroed, as PyTorch. Forward takes 2-D int32
/// indices [B, L] (B bags of L), or 1-D indices with offsets (see <see cref="F.EmbeddingBag"/>), and returns
/// [B, embeddingDim]. Positions holding the padding index are left out of their bag.
/// </summary>
public sealed partial class EmbeddingBag : Module
{
    public EmbeddingBag(int numEmbeddings, int embeddingDim, double? maxNorm = null, double normType = 2, string mode = "mean",
        bool includeLastOffset = false, int? paddingIdx = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(mode);
        if (numEmbeddings < 0 || embeddingDim < 0)
            throw new ArgumentException($"EmbeddingBag: num_embeddings and embedding_dim must be non-negative, got {numEmbeddings} and {embeddingDim}");
        if (mode is not ("sum" or "mean" or "max")) throw new ArgumentException($"EmbeddingBag: mode has to be one of sum, mean or max, got '{mode}'");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        MaxNorm = maxNorm;
        NormType = normType;
        Mode = mode;
        IncludeLastOffset = includeLastOffset;
        PaddingIdx = F.NormalizePaddingIdx("EmbeddingBag", paddingIdx, numEmbeddings);
        var weight = Tensor.Randn([numEmbeddings, embeddingDim], 0, 1, DType.Float32, null, generator);
        if (PaddingIdx is int p) weight.Select(0, p).Zero_();
        RegisterParameter("weight", weight);
    }

    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }
    public double? MaxNorm { get; }
    public double NormType { get; }

    /// <summary>"sum", "mean" or "max".</summary>
    public string Mode { get; }

    public bool IncludeLastOffset { get; }

    /// <summary>The padding row in [0, NumEmbeddings), or null.</summary>
    public int? PaddingIdx { get; }

    public Tensor Weight => Get("weight");

    /// <summary>Bags of indices: 2-D [B, L] without offsets, or 1-D with offsets; per-sample weights for "sum".</summary>
    public Tensor Forward(Tensor input, Tensor? offsets, Tensor? perSampleWeights = null) =>
        F.EmbeddingBag(input, Weight, offsets, MaxNorm, NormType, Mode, perSampleWeights, IncludeLastOffset, PaddingIdx);

    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>"10, 3, mode=mean, padding_idx=0", as PyTorch prints it.</summary>
    public override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (MaxNorm is double m ? $", max_norm={PyRepr.Float(m)}" : "")
        + (NormType != 2 ? $", norm_type={PyRepr.Float(NormType)}" : "") + $", mode={Mode}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");
}
