using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// torch.nn.TransformerEncoderLayer: self-attention then a feed-forward block (linear1, activation, dropout,
/// linear2), each with dropout and a residual connection, layer-normalised after each (post-norm, PyTorch's
/// default) or before (normFirst). Children and state-dict names are PyTorch's: self_attn, linear1, dropout,
/// linear2, norm1, norm2, dropout1, dropout2. Activation "relu" or "gelu" (exact erf form).
/// </summary>
public sealed partial class TransformerEncoderLayer : Module
{
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, Generator? generator = null)
    {
        if (activation != "relu" && activation != "gelu")
            throw new ArgumentException($"TransformerEncoderLayer: activation should be relu/gelu, not {activation}");
        DModel = dModel;
        Nhead = nhead;
        DimFeedforward = dimFeedforward;
        DropoutP = dropout;
        Activation = activation;
        LayerNormEps = layerNormEps;
        BatchFirst = batchFirst;
        NormFirst = normFirst;
        UseBias = bias;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst: batchFirst, generator: generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, bias, generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, bias, generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, bias: bias));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    public int DModel { get; }
    public int Nhead { get; }
    public int DimFeedforward { get; }
    public double DropoutP { get; }
    public string Activation { get; }
    public double LayerNormEps { get; }
    public bool BatchFirst { get; }
    public bool NormFirst { get; }
    public bool UseBias { get; }
    public MultiheadAttention SelfAttn { get; }
    public Linear Linear1 { get; }
    public Dropout Dropout { get; }
    public Linear Linear2 { get; }
    public LayerNorm Norm1 { get; }
    public LayerNorm Norm2 { get; }
    public Dropout Dropout1 { get; }
    public Dropout Dropout2 { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null, null);

    /// <summary>src [S, N, E] ([N, S, E] with batchFirst, or [S, E]); srcMask [S, S] or [N·nhead, S, S] and
    /// srcKeyPaddingMask [N, S] as MultiheadAttention's (int32 for torch.bool: nonzero = masked).</summary>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask, bool isCausal = false)
    {
        var x = src;
        if (NormFirst)
        {
            x = x + SelfAttentionBlock(Norm1.Call(x), srcMask, srcKeyPaddingMask, isCausal);
            return x + FeedForwardBlock(Norm2.Call(x));
        }
        x = Norm1.Call(x + SelfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal));
        return Norm2.Call(x + FeedForwardBlock(x));
    }

    private Tensor SelfAttentionBlock(Tensor x, Tensor? mask, Tensor? keyPaddingMask, bool isCausal) =>
        Dropout1.Call(SelfAttn.Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor FeedForwardBlock(Tensor x)
    {
        var h = Linear1.Call(x);
        h = Activation == "gelu" ? h.Gelu() : h.Relu();
        return Dropout2.Call(Linear2.Call(Dropout.Call(h)));
    }

    /// <summary>A deep copy: the same configuration and a copy of every parameter (as copy.deepcopy).</summary>
    public TransformerEncoderLayer DeepCopy()
    {
        var copy = new TransformerEncoderLayer(DModel, Nhead, DimFeedforward, DropoutP, Activation, LayerNormEps, BatchFirst, NormFirst, UseBias);
        var first = Parameters().First();
        copy.To(first.Device, first.DType);
        copy.LoadStateDict(StateDict());
        copy.Train(Training);
        return copy;
    }
}

/// <summary>
/// torch.nn.TransformerEncoder: numLayers deep copies of <paramref name="encoderLayer"/> (layers.0, layers.1, ...)
/// applied in turn, then the optional final norm.
/// </summary>
public sealed partial class TransformerEncoder : Module
{
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(encoderLayer);
        if (numLayers < 1) throw new ArgumentException($"TransformerEncoder: num_layers must be positive, got {numLayers}");
        Layers = RegisterModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) Layers.Add(encoderLayer.DeepCopy());
        NumLayers = numLayers;
        if (norm != null) Norm = RegisterModule("norm", norm);
    }

    public ModuleList Layers { get; }
    public int NumLayers { get; }
    public LayerNorm? Norm { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null, null);

    /// <summary>Each layer with the same masks, then the norm.</summary>
    public Tensor Forward(Tensor src, Tensor? mask, Tensor? srcKeyPaddingMask, bool isCausal = false)
    {
        var x = src;
        foreach (var layer in Layers) x = ((TransformerEncoderLayer)layer).Forward(x, mask, srcKeyPaddingMask, isCausal);
        return Norm?.Call(x) ?? x;
    }
}
