using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// torch.nn.TransformerDecoderLayer: self-attention over the target, attention from the target to the memory
/// (multihead_attn), then the feed-forward block (linear1, activation, dropout, linear2), each with dropout and a
/// residual connection, layer-normalised after each (post-norm, PyTorch's default) or before (normFirst). Children
/// and state-dict names are PyTorch's: self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3,
/// dropout1, dropout2, dropout3. Activation "relu" or "gelu" (exact erf form).
/// </summary>
public sealed class TransformerDecoderLayer : Module
{
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, Generator? generator = null)
    {
        if (activation != "relu" && activation != "gelu")
            throw new ArgumentException($"TransformerDecoderLayer: activation should be relu/gelu, not {activation}");
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
        MultiheadAttn = RegisterModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst: batchFirst, generator: generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, bias, generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, bias, generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm3 = RegisterModule("norm3", new LayerNorm(dModel, layerNormEps, bias: bias));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
        Dropout3 = RegisterModule("dropout3", new Dropout(dropout, generator));
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
    public MultiheadAttention MultiheadAttn { get; }
    public Linear Linear1 { get; }
    public Dropout Dropout { get; }
    public Linear Linear2 { get; }
    public LayerNorm Norm1 { get; }
    public LayerNorm Norm2 { get; }
    public LayerNorm Norm3 { get; }
    public Dropout Dropout1 { get; }
    public Dropout Dropout2 { get; }
    public Dropout Dropout3 { get; }

    /// <summary>A decoder layer needs a memory: Forward(tgt, memory).</summary>
    public override Tensor Forward(Tensor input) =>
        throw new ArgumentException("TransformerDecoderLayer.forward() missing 1 required positional argument: 'memory'");

    /// <summary>tgt [T, N, E] and memory [S, N, E] ([N, T, E] and [N, S, E] with batchFirst, or unbatched [T, E] and
    /// [S, E]); tgtMask [T, T] or [N·nhead, T, T], memoryMask [T, S] or [N·nhead, T, S], tgtKeyPaddingMask [N, T] and
    /// memoryKeyPaddingMask [N, S] as MultiheadAttention's (int32 for torch.bool: nonzero = masked; float: added).</summary>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false, bool memoryIsCausal = false)
    {
        var x = tgt;
        if (NormFirst)
        {
            x = x + SelfAttentionBlock(Norm1.Call(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal);
            x = x + CrossAttentionBlock(Norm2.Call(x), memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal);
            return x + FeedForwardBlock(Norm3.Call(x));
        }
        x = Norm1.Call(x + SelfAttentionBlock(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal));
        x = Norm2.Call(x + CrossAttentionBlock(x, memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal));
        return Norm3.Call(x + FeedForwardBlock(x));
    }

    private Tensor SelfAttentionBlock(Tensor x, Tensor? mask, Tensor? keyPaddingMask, bool isCausal) =>
        Dropout1.Call(SelfAttn.Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor CrossAttentionBlock(Tensor x, Tensor memory, Tensor? mask, Tensor? keyPaddingMask, bool isCausal) =>
        Dropout2.Call(MultiheadAttn.Forward(x, memory, memory, keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor FeedForwardBlock(Tensor x)
    {
        var h = Linear1.Call(x);
        h = Activation == "gelu" ? h.Gelu() : h.Relu();
        return Dropout3.Call(Linear2.Call(Dropout.Call(h)));
    }

    /// <summary>A deep copy: the same configuration and a copy of every parameter (as copy.deepcopy).</summary>
    public TransformerDecoderLayer DeepCopy()
    {
        var copy = new TransformerDecoderLayer(DModel, Nhead, DimFeedforward, DropoutP, Activation, LayerNormEps, BatchFirst, NormFirst, UseBias);
        var first = Parameters().First();
        copy.To(first.Device, first.DType);
        copy.LoadStateDict(StateDict());
        copy.Train(Training);
        return copy;
    }
}

/// <summary>
/// torch.nn.TransformerDecoder: numLayers deep copies of <paramref name="decoderLayer"/> (layers.0, layers.1, ...)
/// applied in turn to the target with the same memory and masks, then the optional final norm.
/// </summary>
public sealed class TransformerDecoder : Module
{
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(decoderLayer);
        if (numLayers < 1) throw new ArgumentException($"TransformerDecoder: num_layers must be positive, got {numLayers}");
        Layers = RegisterModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) Layers.Add(decoderLayer.DeepCopy());
        NumLayers = numLayers;
        if (norm != null) Norm = RegisterModule("norm", norm);
    }

    public ModuleList Layers { get; }
    public int NumLayers { get; }
    public LayerNorm? Norm { get; }

    /// <summary>A decoder needs a memory: Forward(tgt, memory).</summary>
    public override Tensor Forward(Tensor input) =>
        throw new ArgumentException("TransformerDecoder.forward() missing 1 required positional argument: 'memory'");

    /// <summary>Each layer with the same memory and masks, then the norm.</summary>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false, bool memoryIsCausal = false)
    {
        var x = tgt;
        foreach (var layer in Layers)
            x = ((TransformerDecoderLayer)layer).Forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal);
        return Norm?.Call(x) ?? x;
    }
}

/// <summary>
/// torch.nn.Transformer: a TransformerEncoder (numEncoderLayers layers and a final LayerNorm, encoder.*) whose
/// output is the memory of a TransformerDecoder (numDecoderLayers layers and a final LayerNorm, decoder.*). As
/// PyTorch's _reset_parameters, every parameter of more than one dimension is then drawn again by xavier_uniform_.
/// </summary>
public sealed class Transformer : Module
{
    public Transformer(int dModel = 512, int nhead = 8, int numEncoderLayers = 6, int numDecoderLayers = 6, int dimFeedforward = 2048,
        double dropout = 0.1, string activation = "relu", TransformerEncoder? customEncoder = null, TransformerDecoder? customDecoder = null,
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, Generator? generator = null)
    {
        DModel = dModel;
        Nhead = nhead;
        BatchFirst = batchFirst;
        Encoder = RegisterModule("encoder", customEncoder ?? new TransformerEncoder(
            new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, generator),
            numEncoderLayers, new LayerNorm(dModel, layerNormEps, bias: bias)));
        Decoder = RegisterModule("decoder", customDecoder ?? new TransformerDecoder(
            new TransformerDecoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, generator),
            numDecoderLayers, new LayerNorm(dModel, layerNormEps, bias: bias)));
        using (Tensor.NoGrad())
            foreach (var p in Parameters().Where(p => p.Rank > 1))
            {
                // fan_in = size(1)·receptive field, fan_out = size(0)·receptive field (all weights here are 2-D).
                var shape = p.ShapeCopy();
                int receptive = shape.Skip(2).Aggregate(1, (a, b) => a * b);
                double bound = Math.Sqrt(6.0 / ((shape[0] + shape[1]) * (double)receptive));
                p.CopyFrom(Tensor.Rand(shape, -bound, bound, p.DType, p.Device, generator));
            }
    }

    public int DModel { get; }
    public int Nhead { get; }
    public bool BatchFirst { get; }
    public TransformerEncoder Encoder { get; }
    public TransformerDecoder Decoder { get; }

    /// <summary>A transformer needs a source and a target: Forward(src, tgt).</summary>
    public override Tensor Forward(Tensor input) =>
        throw new ArgumentException("Transformer.forward() missing 1 required positional argument: 'tgt'");

    /// <summary>src [S, N, E] and tgt [T, N, E] ([N, S, E] and [N, T, E] with batchFirst, or unbatched [S, E] and
    /// [T, E]); the encoder takes srcMask and srcKeyPaddingMask, the decoder tgtMask, memoryMask, tgtKeyPaddingMask and
    /// memoryKeyPaddingMask (shapes as TransformerDecoderLayer's).</summary>
    public Tensor Forward(Tensor src, Tensor tgt, Tensor? srcMask = null, Tensor? tgtMask = null, Tensor? memoryMask = null,
        Tensor? srcKeyPaddingMask = null, Tensor? tgtKeyPaddingMask = null, Tensor? memoryKeyPaddingMask = null,
        bool srcIsCausal = false, bool tgtIsCausal = false, bool memoryIsCausal = false)
    {
        bool batched = src.Rank == 3;
        if (batched && src.Shape[BatchFirst ? 0 : 1] != tgt.Shape[BatchFirst ? 0 : 1])
            throw new ArgumentException($"Transformer: the batch number of src and tgt must be equal (src {Fmt(src)}, tgt {Fmt(tgt)}, batch_first={BatchFirst})");
        if (src.Shape[^1] != DModel || tgt.Shape[^1] != DModel)
            throw new ArgumentException($"Transformer: the feature number of src and tgt must be equal to d_model {DModel} (src {Fmt(src)}, tgt {Fmt(tgt)})");
        var memory = Encoder.Forward(src, srcMask, srcKeyPaddingMask, srcIsCausal);
        return Decoder.Forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal);
    }

    /// <summary>nn.Transformer.generate_square_subsequent_mask: an [sz, sz] float mask, −∞ above the diagonal (a
    /// position may not attend to later ones) and 0 elsewhere.</summary>
    public static Tensor GenerateSquareSubsequentMask(int sz, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sz);
        // PyTorch's own form: torch.triu(torch.full((sz, sz), -inf), diagonal=1).
        return Tensor.Full([sz, sz], double.NegativeInfinity, dtype, device).Triu(1);
    }

    private static string Fmt(Tensor t) => "[" + string.Join(", ", t.ShapeCopy()) + "]";
}
