using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer: PyTorch's children and state-dict
/// names, the stacks as their layers called by hand, masks, batch_first, unbatched and empty batches, the
/// initialisation, generate_square_subsequent_mask and PyTorch's errors (the layer's values and gradients are
/// TransformerDecoderProperties').</summary>
public class TransformerDecoderTests
{
    private static Tensor Rand(int seed, params int[] shape) => Tensor.Rand(shape, -1, 1, DType.Float64, null, new Generator((ulong)seed));

    [Test]
    public void Decoder_layer_names_and_children_are_PyTorchs()
    {
        var layer = new TransformerDecoderLayer(8, 2, dimFeedforward: 16, generator: new Generator(4));
        string[] attn = ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"];
        Assert.That(layer.StateDict().Keys, Is.EquivalentTo(attn.Select(a => "self_attn." + a).Concat(attn.Select(a => "multihead_attn." + a)).Concat(new[]
        {
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
            "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias",
        })));
        Assert.That(layer.NamedChildren().Select(c => c.Name), Is.EqualTo(new[]
            { "self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "norm3", "dropout1", "dropout2", "dropout3" }));
        Assert.That(layer.StateDict()["linear1.weight"].ShapeCopy(), Is.EqualTo(new[] { 16, 8 }));
        Assert.That(layer.StateDict()["multihead_attn.in_proj_weight"].ShapeCopy(), Is.EqualTo(new[] { 24, 8 }));
        Assert.That(layer.DropoutP, Is.EqualTo(0.1));
        var noBias = new TransformerDecoderLayer(4, 2, 8, bias: false);
        Assert.That(noBias.StateDict().Keys.Any(k => k.EndsWith("bias", StringComparison.Ordinal)), Is.False);

        var dec = new TransformerDecoder(layer, 2, new LayerNorm(8));
        Assert.That(dec.StateDict().Keys, Does.Contain("layers.1.multihead_attn.in_proj_weight").And.Contain("layers.0.norm3.bias").And.Contain("norm.weight"));
        Assert.That(dec.StateDict().Keys.Any(k => k.StartsWith("layers.2", StringComparison.Ordinal)), Is.False);
        var first = (TransformerDecoderLayer)dec.Layers[0];
        Assert.That(ReferenceEquals(first.Linear1.Weight, layer.Linear1.Weight), Is.False);   // deep copies
        Assert.That(first.Linear1.Weight.ToArray<float>(), Is.EqualTo(layer.Linear1.Weight.ToArray<float>()));
    }

    [Test]
    public void Transformer_names_and_initialisation()
    {
        var model = new Transformer(8, 2, numEncoderLayers: 2, numDecoderLayers: 3, dimFeedforward: 16, generator: new Generator(5));
        var keys = model.StateDict().Keys.ToList();
        Assert.That(keys, Does.Contain("encoder.layers.1.self_attn.in_proj_weight").And.Contain("encoder.norm.weight").And.Contain("encoder.norm.bias")
            .And.Contain("decoder.layers.2.multihead_attn.out_proj.weight").And.Contain("decoder.layers.0.norm3.weight").And.Contain("decoder.norm.bias"));
        Assert.That(keys.Any(k => k.StartsWith("encoder.layers.2", StringComparison.Ordinal)), Is.False);
        Assert.That(keys.Count, Is.EqualTo(2 * 12 + 2 + 3 * 18 + 2));
        // _reset_parameters: xavier_uniform_ on every matrix (linear1 too, not Linear's kaiming bound), norms untouched.
        var w = model.StateDict()["decoder.layers.1.linear1.weight"];
        double bound = Math.Sqrt(6.0 / (16 + 8));
        var values = w.ToArray<float>();
        Assert.That(values.All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(values.Max(v => Math.Abs(v)), Is.GreaterThan(1 / Math.Sqrt(8)));   // beyond Linear's own bound 1/√fan_in
        Assert.That(model.StateDict()["encoder.norm.weight"].ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(model.StateDict()["decoder.layers.0.linear1.bias"].ToArray<float>().Any(v => v != 0), Is.True);   // 1-D: Linear's init kept
        var defaults = new Transformer();
        Assert.That(defaults.Encoder.NumLayers, Is.EqualTo(6));
        Assert.That(defaults.Decoder.NumLayers, Is.EqualTo(6));
        Assert.That(((TransformerDecoderLayer)defaults.Decoder.Layers[0]).Linear1.Weight.ShapeCopy(), Is.EqualTo(new[] { 2048, 512 }));
    }

    [Test]
    public void Stacks_are_their_layers_in_turn()
    {
        var layer = new TransformerDecoderLayer(4, 2, 8, 0, generator: new Generator(6)).To(dtype: DType.Float64);
        var dec = new TransformerDecoder((TransformerDecoderLayer)layer, 2, new LayerNorm(4).To(dtype: DType.Float64) as LayerNorm);
        using (Tensor.NoGrad()) foreach (var p in dec.Parameters()) p.CopyFrom(Tensor.Rand(p.ShapeCopy(), 0.2, 1.2, DType.Float64, null, new Generator(7)));
        var tgt = Rand(1, 3, 2, 4);
        var mem = Rand(2, 5, 2, 4);
        var mask = Transformer.GenerateSquareSubsequentMask(3, DType.Float64);
        var kpm = Tensor.FromArray(new[] { 0, 0, 1, 1, 0, 0, 0, 0, 0, 0 }, 2, 5);
        var x = tgt;
        foreach (var l in dec.Layers) x = ((TransformerDecoderLayer)l).Forward(x, mem, mask, null, null, kpm, tgtIsCausal: true);
        var expected = dec.Norm!.Call(x);
        Assert.That(dec.Forward(tgt, mem, mask, memoryKeyPaddingMask: kpm, tgtIsCausal: true).ToArray<double>(), Is.EqualTo(expected.ToArray<double>()).Within(1e-12));

        var model = new Transformer(4, 2, 2, 2, 8, 0, generator: new Generator(8));
        model.To(dtype: DType.Float64);
        var src = Rand(3, 5, 2, 4);
        var srcKpm = Tensor.FromArray(new[] { 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 }, 2, 5);
        var memory = model.Encoder.Forward(src, null, srcKpm);
        var want = model.Decoder.Forward(tgt, memory, mask, null, null, srcKpm, tgtIsCausal: true);
        var got = model.Forward(src, tgt, tgtMask: mask, srcKeyPaddingMask: srcKpm, memoryKeyPaddingMask: srcKpm, tgtIsCausal: true);
        Assert.That(got.ToArray<double>(), Is.EqualTo(want.ToArray<double>()).Within(1e-12));
        // A causal target: changing the last target position leaves the earlier outputs as they were.
        var tgt2 = tgt.Clone();
        using (Tensor.NoGrad()) tgt2.Select(0, 2).CopyFrom(Rand(9, 2, 4));
        var got2 = model.Forward(src, tgt2, tgtMask: mask, srcKeyPaddingMask: srcKpm, memoryKeyPaddingMask: srcKpm, tgtIsCausal: true);
        Assert.That(got2.Narrow(0, 0, 2).ToArray<double>(), Is.EqualTo(got.Narrow(0, 0, 2).ToArray<double>()).Within(1e-12));
        Assert.That(got2.Select(0, 2).ToArray<double>(), Is.Not.EqualTo(got.Select(0, 2).ToArray<double>()));
    }

    [Test]
    public void Batch_first_unbatched_empty_batch_and_gradients()
    {
        var seqFirst = new Transformer(4, 2, 1, 1, 8, 0, generator: new Generator(10)).To(dtype: DType.Float64);
        var batchFirst = new Transformer(4, 2, 1, 1, 8, 0, batchFirst: true).To(dtype: DType.Float64);
        batchFirst.LoadStateDict(seqFirst.StateDict());
        var src = Rand(11, 5, 3, 4);
        var tgt = Rand(12, 2, 3, 4);
        var y = ((Transformer)seqFirst).Forward(src, tgt);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4 }));
        var yb = ((Transformer)batchFirst).Forward(src.Transpose(0, 1), tgt.Transpose(0, 1));
        Assert.That(yb.ShapeCopy(), Is.EqualTo(new[] { 3, 2, 4 }));
        Assert.That(yb.Transpose(0, 1).ToArray<double>(), Is.EqualTo(y.ToArray<double>()).Within(1e-12));
        // Unbatched: the batch element on its own.
        var y1 = ((Transformer)seqFirst).Forward(src.Select(1, 1), tgt.Select(1, 1));
        Assert.That(y1.ShapeCopy(), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(y1.ToArray<double>(), Is.EqualTo(y.Select(1, 1).ToArray<double>()).Within(1e-12));
        Assert.That(((Transformer)seqFirst).Forward(Rand(13, 5, 0, 4), Rand(14, 2, 0, 4)).ShapeCopy(), Is.EqualTo(new[] { 2, 0, 4 }));

        var m = (Transformer)seqFirst;
        m.Forward(src, tgt, tgtMask: Transformer.GenerateSquareSubsequentMask(2, DType.Float64)).Sum().Backward();
        foreach (var (name, p) in m.NamedParameters())
            Assert.That(p.Grad, Is.Not.Null, name);
        Assert.That(m.StateDict().Count, Is.EqualTo(12 + 2 + 18 + 2));
    }

    /// <summary>docs/attention.md's decoder example, as written there.</summary>
    [Test]
    public void The_docs_example_runs()
    {
        var model = new Transformer(dModel: 16, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 32, batchFirst: true);
        var src = Tensor.Rand([8, 10, 16]);   // [N, S, E]
        var tgt = Tensor.Rand([8, 7, 16]);    // [N, T, E]
        var y = model.Forward(src, tgt, tgtMask: Transformer.GenerateSquareSubsequentMask(7), tgtIsCausal: true);   // [8, 7, 16]
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 8, 7, 16 }));
        Assert.That(y.ToArray<float>().All(float.IsFinite), Is.True);
    }

    [Test]
    public void Square_subsequent_mask()
    {
        var m = Transformer.GenerateSquareSubsequentMask(3);
        Assert.That(m.DType, Is.EqualTo(DType.Float32));
        float inf = float.NegativeInfinity;
        Assert.That(m.ToArray<float>(), Is.EqualTo(new[] { 0, inf, inf, 0, 0, inf, 0, 0, 0 }));
        Assert.That(Transformer.GenerateSquareSubsequentMask(1, DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 0.0 }));
        Assert.That(Transformer.GenerateSquareSubsequentMask(0).ShapeCopy(), Is.EqualTo(new[] { 0, 0 }));
    }

    /// <summary>The decoder layer on the CUDA backend (the emulated device in CI) against the CPU, float32, with every
    /// mask kind: it is a composition, so this checks that each piece it uses runs there.</summary>
    [Test]
    public void Cuda_matches_the_cpu()
    {
        Pade.Kernels.CudaBackend.Use(Pade.Tests.CudaTestEnvironment.RequireDevice());
        var cpu = new TransformerDecoderLayer(6, 2, 8, 0, "gelu", normFirst: true, generator: new Generator(20));
        var gpu = new TransformerDecoderLayer(6, 2, 8, 0, "gelu", normFirst: true).To(Device.Cuda);
        gpu.LoadStateDict(cpu.StateDict().ToDictionary(p => p.Key, p => p.Value.To(Device.Cuda)));
        var tgtKpm = Tensor.FromArray([0, 0, 1, 0, 0, 0], 2, 3);
        var memMask = Tensor.Randn([3, 4], generator: new Generator(21));
        (float[] Y, float[] Gt, float[] Gm) Run(Module layer, Device device)
        {
            var tgt = Tensor.Randn([3, 2, 6], generator: new Generator(22)).To(device).Detach();
            var mem = Tensor.Randn([4, 2, 6], generator: new Generator(23)).To(device).Detach();
            tgt.RequiresGrad = true;
            mem.RequiresGrad = true;
            var y = ((TransformerDecoderLayer)layer).Forward(tgt, mem, Transformer.GenerateSquareSubsequentMask(3, device: device), memMask.To(device),
                tgtKpm.To(device), null, tgtIsCausal: true);
            (y * y).Sum().Backward();
            return (y.Cpu().ToArray<float>(), tgt.Grad!.Cpu().ToArray<float>(), mem.Grad!.Cpu().ToArray<float>());
        }
        var (yc, gtc, gmc) = Run(cpu, Device.Cpu);
        var (yg, gtg, gmg) = Run(gpu, Device.Cuda);
        Assert.That(yg, Is.EqualTo(yc).Within(1e-4));
        Assert.That(gtg, Is.EqualTo(gtc).Within(1e-4));
        Assert.That(gmg, Is.EqualTo(gmc).Within(1e-4));
    }

    [Test]
    public void Bad_input_is_named_as_PyTorch_does()
    {
        var model = new Transformer(4, 2, 1, 1, 8);
        Assert.That(() => model.Forward(Tensor.Zeros(5, 2, 4), Tensor.Zeros(3, 3, 4)), Throws.ArgumentException.With.Message.Contains("the batch number of src and tgt must be equal"));
        Assert.That(() => model.Forward(Tensor.Zeros(5, 2, 4), Tensor.Zeros(3, 2, 6)), Throws.ArgumentException.With.Message.Contains("must be equal to d_model"));
        Assert.That(() => model.Forward(Tensor.Zeros(5, 2, 4)), Throws.ArgumentException.With.Message.Contains("'tgt'"));
        Assert.That(() => new TransformerDecoderLayer(4, 2, 8).Forward(Tensor.Zeros(3, 2, 4)), Throws.ArgumentException.With.Message.Contains("'memory'"));
        Assert.That(() => new TransformerDecoderLayer(4, 2, activation: "tanh"), Throws.ArgumentException.With.Message.Contains("relu/gelu"));
        Assert.That(() => new TransformerDecoder(new TransformerDecoderLayer(4, 2, 8), 0), Throws.ArgumentException.With.Message.Contains("num_layers"));
        Assert.That(() => Transformer.GenerateSquareSubsequentMask(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        // The memory's embedding must be d_model (the cross attention's key).
        Assert.That(() => new TransformerDecoderLayer(4, 2, 8).Forward(Tensor.Zeros(3, 2, 4), Tensor.Zeros(5, 2, 3)), Throws.Exception);
    }
}
