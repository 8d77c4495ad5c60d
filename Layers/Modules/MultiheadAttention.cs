using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// Multi-head attention as torch.nn.MultiheadAttention, with PyTorch's parameters: in_proj_weight [3E, E] when
/// kdim = vdim = E, else q_proj_weight [E, E], k_proj_weight [E, kdim], v_proj_weight [E, vdim]; in_proj_bias [3E];
/// bias_k, bias_v [1, 1, E] with addBiasKv; out_proj (weight [E, E], bias [E]). Initialised as PyTorch's:
/// xavier_uniform on the in-projection weights, zero biases, xavier_normal on bias_k and bias_v, out_proj's weight
/// as Linear's. Inputs are sequence first ([L, N, E]) unless batchFirst ([N, L, E]), or unbatched [L, E]; the
/// masks are PyTorch's, with Pade's int32 for torch.bool (see <see cref="F.MultiHeadAttentionForward"/>).
/// </summary>
public sealed partial class MultiheadAttention : Module
{
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, bool addBiasKv = false, bool addZeroAttn = false,
        int? kdim = null, int? vdim = null, bool batchFirst = false, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim and num_heads must be greater than 0, got embed_dim={embedDim} and num_heads={numHeads} instead");
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim={embedDim} and num_heads={numHeads}");
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentException($"MultiheadAttention: dropout must be in [0, 1], got {dropout}");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        Kdim = kdim ?? embedDim;
        Vdim = vdim ?? embedDim;
        Dropout = dropout;
        BatchFirst = batchFirst;
        AddZeroAttn = addZeroAttn;
        HeadDim = embedDim / numHeads;
        _generator = generator;
        if (QkvSameEmbedDim)
            RegisterParameter("in_proj_weight", XavierUniform([3 * embedDim, embedDim], embedDim, 3 * embedDim, generator));
        else
        {
            RegisterParameter("q_proj_weight", XavierUniform([embedDim, embedDim], embedDim, embedDim, generator));
            RegisterParameter("k_proj_weight", XavierUniform([embedDim, Kdim], Kdim, embedDim, generator));
            RegisterParameter("v_proj_weight", XavierUniform([embedDim, Vdim], Vdim, embedDim, generator));
        }
        RegisterParameter("in_proj_bias", bias ? Tensor.Zeros(3 * embedDim) : null);
        if (addBiasKv)
        {
            // xavier_normal_ on [1, 1, E]: fan_in = fan_out = E, std = √(2 / 2E).
            double std = Math.Sqrt(1.0 / embedDim);
            RegisterParameter("bias_k", Tensor.Randn([1, 1, embedDim], 0, std, DType.Float32, null, generator));
            RegisterParameter("bias_v", Tensor.Randn([1, 1, embedDim], 0, std, DType.Float32, null, generator));
        }
        var outProj = RegisterModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, bias, generator));
        outProj.Bias?.Detach().Zero_();
    }

    private readonly Generator? _generator;

    public int EmbedDim { get; }
    public int NumHeads { get; }
    public int HeadDim { get; }
    public int Kdim { get; }
    public int Vdim { get; }
    public double Dropout { get; }
    public bool BatchFirst { get; }
    public bool AddZeroAttn { get; }

    /// <summary>Whether the in-projection is the packed in_proj_weight (kdim = vdim = embed_dim).</summary>
    public bool QkvSameEmbedDim => Kdim == EmbedDim && Vdim == EmbedDim;

    public Tensor? InProjWeight => GetOptional("in_proj_weight");
    public Tensor? QProjWeight => GetOptional("q_proj_weight");
    public Tensor? KProjWeight => GetOptional("k_proj_weight");
    public Tensor? VProjWeight => GetOptional("v_proj_weight");
    public Tensor? InProjBias => GetOptional("in_proj_bias");
    public Tensor? BiasK => GetOptional("bias_k");
    public Tensor? BiasV => GetOptional("bias_v");
    public Linear OutProj => (Linear)NamedChildren().First(c => c.Name == "out_proj").Module;

    /// <summary>Self-attention: Forward(x, x, x) without masks, the output only.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, input, input, needWeights: false).Output;

    /// <summary>
    /// Attention of <paramref name="query"/> [L, N, E] over <paramref name="key"/> [S, N, kdim] and
    /// <paramref name="value"/> [S, N, vdim] ([N, ·, ·] with batchFirst; [L, E], [S, kdim], [S, vdim] unbatched).
    /// Returns the output, shaped as the query, and with <paramref name="needWeights"/> the attention weights
    /// [N, L, S] (averaged over the heads) or [N, numHeads, L, S] without <paramref name="averageAttnWeights"/>;
    /// [L, S] or [numHeads, L, S] unbatched.
    /// </summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true,
        Tensor? attnMask = null, bool averageAttnWeights = true, bool isCausal = false)
    {
        bool batched = query.Rank == 3;
        if (BatchFirst && batched)
        {
            query = query.Transpose(0, 1);
            key = key.Transpose(0, 1);
            value = value.Transpose(0, 1);
        }
        var (output, weights) = F.MultiHeadAttentionForward(query, key, value, EmbedDim, NumHeads, InProjWeight, InProjBias, BiasK, BiasV,
            AddZeroAttn, Dropout, OutProj.Weight, OutProj.Bias, Training, keyPaddingMask, needWeights, attnMask,
            useSeparateProjWeight: !QkvSameEmbedDim, QProjWeight, KProjWeight, VProjWeight, averageAttnWeights, isCausal, _generator);
        return (BatchFirst && batched ? output.Transpose(0, 1) : output, weights);
    }

    /// <summary>xavier_uniform_: U(−b, b) with b = √(6 / (fan_in + fan_out)).</summary>
    private static Tensor XavierUniform(int[] shape, int fanIn, int fanOut, Generator? generator)
    {
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        return Tensor.Rand(shape, -bound, bound, DType.Float32, null, generator);
    }
}

/// <summary>torch.nn.modules.linear.NonDynamicallyQuantizableLinear: a Linear under the name PyTorch prints for
/// MultiheadAttention's out_proj.</summary>
public sealed class NonDynamicallyQuantizableLinear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    : Linear(inFeatures, outFeatures, bias, generator);
