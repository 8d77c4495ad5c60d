using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Layers.Onnx;

namespace Pade.Tests.Layers;

/// <summary>nn.MultiheadAttention's and the Transformer encoder's parameters, state-dict names, initialisation,
/// repr, shapes (batched, unbatched, batch_first), PyTorch's errors; scaled_dot_product_attention's fixed cases
/// (the values and gradients are AttentionProperties').</summary>
public class AttentionModuleTests
{
    private static Tensor Rand(params int[] shape) => Tensor.Rand(shape, -1, 1, DType.Float64, null, new Generator(3));

    [Test]
    public void Parameters_and_state_dict_names_are_PyTorchs()
    {
        var m = new MultiheadAttention(8, 2, generator: new Generator(1));
        Assert.That(m.NamedParameters().Select(p => (p.Name, Shape: Shapes.Format(p.Parameter.Shape))), Is.EqualTo(new[]
        {
            ("in_proj_weight", "[24, 8]"), ("in_proj_bias", "[24]"), ("out_proj.weight", "[8, 8]"), ("out_proj.bias", "[8]"),
        }));
        var sep = new MultiheadAttention(6, 3, bias: false, addBiasKv: true, kdim: 4, vdim: 5);
        Assert.That(sep.NamedParameters().Select(p => (p.Name, Shape: Shapes.Format(p.Parameter.Shape))), Is.EqualTo(new[]
        {
            ("q_proj_weight", "[6, 6]"), ("k_proj_weight", "[6, 4]"), ("v_proj_weight", "[6, 5]"), ("bias_k", "[1, 1, 6]"), ("bias_v", "[1, 1, 6]"),
            ("out_proj.weight", "[6, 6]"),
        }));
        Assert.That(sep.InProjWeight, Is.Null);
        Assert.That(m.ToString(), Is.EqualTo("MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)"));
    }

    [Test]
    public void Initialisation_is_xavier_with_zero_biases()
    {
        var m = new MultiheadAttention(64, 4, addBiasKv: true, generator: new Generator(5));
        var w = m.InProjWeight!.ToArray<double>();
        double bound = Math.Sqrt(6.0 / (64 + 192));
        Assert.That(w.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.9 * bound));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-0.9 * bound));
        Assert.That(m.InProjBias!.ToArray<double>(), Is.All.EqualTo(0));
        Assert.That(m.OutProj.Bias!.ToArray<double>(), Is.All.EqualTo(0));
        var o = m.OutProj.Weight.ToArray<double>();
        Assert.That(o.Max(), Is.LessThanOrEqualTo(1 / 8.0).And.GreaterThan(0.9 / 8));   // Linear's U(±1/√64)
        var bk = m.BiasK!.ToArray<double>();
        double sd = Math.Sqrt(bk.Sum(v => v * v) / bk.Length);
        Assert.That(sd, Is.EqualTo(Math.Sqrt(1.0 / 64)).Within(0.06));                     // xavier_normal: √(2 / (64 + 64))
        Assert.That(m.Parameters().All(p => p.RequiresGrad), Is.True);
    }

    [Test]
    public void Shapes_batched_unbatched_and_batch_first()
    {
        var m = new MultiheadAttention(4, 2, kdim: 3, vdim: 5, generator: new Generator(2)).To(dtype: DType.Float64);
        var mha = (MultiheadAttention)m;
        Tensor q = Rand(3, 2, 4), k = Rand(5, 2, 3), v = Rand(5, 2, 5);
        var (o, w) = mha.Forward(q, k, v);
        Assert.That(o.ShapeCopy(), Is.EqualTo(new[] { 3, 2, 4 }));
        Assert.That(w!.ShapeCopy(), Is.EqualTo(new[] { 2, 3, 5 }));
        var (_, perHead) = mha.Forward(q, k, v, averageAttnWeights: false);
        Assert.That(perHead!.ShapeCopy(), Is.EqualTo(new[] { 2, 2, 3, 5 }));
        Assert.That(mha.Forward(q, k, v, needWeights: false).Weights, Is.Null);
        // Unbatched: the batch element alone.
        var (o1, w1) = mha.Forward(q.Select(1, 1), k.Select(1, 1), v.Select(1, 1));
        Assert.That(o1.ShapeCopy(), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(w1!.ShapeCopy(), Is.EqualTo(new[] { 3, 5 }));
        Assert.That(o1.ToArray<double>(), Is.EqualTo(o.Select(1, 1).ToArray<double>()).Within(1e-12));
        // batch_first: the same weights on [N, L, E] give the transposed output; the weights are unchanged.
        var bf = new MultiheadAttention(4, 2, kdim: 3, vdim: 5, batchFirst: true);
        bf.To(dtype: DType.Float64);
        bf.LoadStateDict(mha.StateDict());
        var (ob, wb) = bf.Forward(q.Transpose(0, 1), k.Transpose(0, 1), v.Transpose(0, 1));
        Assert.That(ob.ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(ob.Transpose(0, 1).Contiguous().ToArray<double>(), Is.EqualTo(o.ToArray<double>()).Within(1e-12));
        Assert.That(wb!.ToArray<double>(), Is.EqualTo(w.ToArray<double>()).Within(1e-12));
        // Forward(x): self-attention.
        var self = new MultiheadAttention(4, 1);
        Assert.That(self.Forward(Tensor.Zeros(2, 3, 4)).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4 }));
    }

    [Test]
    public void Bad_input_is_named_as_PyTorch_does()
    {
        Assert.That(() => new MultiheadAttention(10, 3), Throws.ArgumentException.With.Message.Contains("embed_dim must be divisible by num_heads").And.Message.Contains("10").And.Message.Contains("3"));
        Assert.That(() => new MultiheadAttention(0, 1), Throws.ArgumentException.With.Message.Contains("greater than 0"));
        var m = new MultiheadAttention(4, 2);
        var x = Tensor.Zeros(3, 2, 4);
        Assert.That(() => m.Forward(x, x, x, attnMask: Tensor.Zeros(3, 4)),
            Throws.ArgumentException.With.Message.Contains("2D attn_mask is [3, 4]").And.Message.Contains("should be [3, 3]"));
        Assert.That(() => m.Forward(x, x, x, attnMask: Tensor.Zeros(2, 3, 3)),
            Throws.ArgumentException.With.Message.Contains("3D attn_mask is [2, 3, 3]").And.Message.Contains("should be [4, 3, 3]"));
        Assert.That(() => m.Forward(x, x, x, keyPaddingMask: Tensor.Zeros([2, 4], DType.Int32)),
            Throws.ArgumentException.With.Message.Contains("key_padding_mask shape of [2, 3], but got [2, 4]"));
        Assert.That(() => m.Forward(x, x, x, isCausal: true), Throws.ArgumentException.With.Message.Contains("need attn_mask"));
        Assert.That(() => m.Forward(Tensor.Zeros(3, 2, 6), x, x), Throws.ArgumentException.With.Message.Contains("embedding dimension of 4, but got 6"));
        Assert.That(() => m.Forward(Tensor.Zeros(2, 3, 2, 4), x, x), Throws.ArgumentException.With.Message.Contains("unbatched 2D or batched 3D"));
        Assert.That(() => m.Forward(x, Tensor.Zeros(3, 4), x), Throws.ArgumentException.With.Message.Contains("expected key and value to be 3-D"));

        Tensor q = Tensor.Zeros(2, 3, 4), k = Tensor.Zeros(2, 5, 4), v = Tensor.Zeros(2, 5, 6);
        Assert.That(() => F.ScaledDotProductAttention(q, k, v, Tensor.Zeros(3, 4)),
            Throws.ArgumentException.With.Message.Contains("attn_mask of shape [3, 4]").And.Message.Contains("[2, 3, 5]"));
        Assert.That(() => F.ScaledDotProductAttention(q, Tensor.Zeros(2, 5, 3), v), Throws.ArgumentException.With.Message.Contains("last dims"));
        Assert.That(() => F.ScaledDotProductAttention(q, k, Tensor.Zeros(2, 4, 6)), Throws.ArgumentException.With.Message.Contains("same sequence length"));
        Assert.That(() => F.ScaledDotProductAttention(q, k, v, Tensor.Zeros(3, 5), isCausal: true), Throws.ArgumentException.With.Message.Contains("is_causal"));
        Assert.That(() => F.ScaledDotProductAttention(Tensor.Zeros(1, 3, 2, 4), Tensor.Zeros(1, 2, 5, 4), Tensor.Zeros(1, 2, 5, 4), enableGqa: true),
            Throws.ArgumentException.With.Message.Contains("must divide the number of heads in query (3)"));
    }

    /// <summary>Empty sizes PyTorch accepts: an empty batch gives an empty result; no keys (S = 0) give zeros.</summary>
    [Test]
    public void Empty_batch_and_no_keys()
    {
        Assert.That(F.ScaledDotProductAttention(Tensor.Zeros(0, 2, 3, 4), Tensor.Zeros(0, 2, 5, 4), Tensor.Zeros(0, 2, 5, 6)).ShapeCopy(),
            Is.EqualTo(new[] { 0, 2, 3, 6 }));
        var y = F.ScaledDotProductAttention(Rand(2, 3, 4), Rand(2, 0, 4), Rand(2, 0, 6));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 3, 6 }));
        Assert.That(y.ToArray<double>(), Is.All.EqualTo(0));
    }

    /// <summary>A fully masked row: zeros from scaled_dot_product_attention (libtorch 2.10's CPU result, the oracle
    /// checks it) with zero gradients; NaN on MultiheadAttention's weights path (its plain softmax, as PyTorch's).</summary>
    [Test]
    public void A_fully_masked_row()
    {
        var q = Rand(2, 3);
        q.RequiresGrad = true;
        var mask = Tensor.FromArray([1, 1, 0, 0], 2, 2);
        var y = F.ScaledDotProductAttention(q, Rand(2, 3), Rand(2, 3), mask);
        Assert.That(y.Select(0, 1).ToArray<double>(), Is.All.EqualTo(0));
        y.Sum().Backward();
        Assert.That(q.Grad!.ToArray<double>().All(double.IsFinite), Is.True);
        Assert.That(q.Grad!.Select(0, 1).ToArray<double>(), Is.All.EqualTo(0));

        var m = new MultiheadAttention(2, 1).To(dtype: DType.Float64);
        var x = Rand(2, 2);
        var kpm = Tensor.FromArray([1, 1], 2);
        var (o, w) = ((MultiheadAttention)m).Forward(x, x, x, kpm);
        Assert.That(w!.ToArray<double>(), Is.All.NaN);
        var (o2, _) = ((MultiheadAttention)m).Forward(x, x, x, kpm, needWeights: false);
        Assert.That(o2.ToArray<double>().All(double.IsFinite), Is.True);
    }

    [Test]
    public void Encoder_layer_names_and_forward()
    {
        var layer = new TransformerEncoderLayer(8, 2, dimFeedforward: 16, dropout: 0, generator: new Generator(4));
        Assert.That(layer.StateDict().Keys, Is.EquivalentTo(new[]
        {
            "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
        }));
        Assert.That(layer.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2" }));
        layer.To(dtype: DType.Float64);
        var x = Rand(5, 3, 8);
        // Post-norm: norm2(h + ff(h)), h = norm1(x + sa(x)).
        var sa = layer.SelfAttn.Forward(x, x, x, needWeights: false).Output;
        var h = layer.Norm1.Call(x + sa);
        var expected = layer.Norm2.Call(h + layer.Linear2.Call(layer.Linear1.Call(h).Relu()));
        Assert.That(layer.Forward(x).ToArray<double>(), Is.EqualTo(expected.ToArray<double>()).Within(1e-12));

        var enc = new TransformerEncoder(layer, 3, new LayerNorm(8));
        Assert.That(((TransformerEncoderLayer)enc.Layers[1]).Linear1.Weight.DType, Is.EqualTo(DType.Float64));   // copies keep the dtype
        Assert.That(enc.StateDict().Keys, Does.Contain("layers.2.self_attn.in_proj_weight").And.Contain("layers.0.linear1.weight").And.Contain("norm.weight"));
        // Deep copies: equal values, separate tensors.
        var first = (TransformerEncoderLayer)enc.Layers[0];
        Assert.That(first.Linear1.Weight.ToArray<double>(), Is.EqualTo(layer.Linear1.Weight.ToArray<double>()));
        Assert.That(ReferenceEquals(first.Linear1.Weight, layer.Linear1.Weight), Is.False);
        first.Linear1.Weight.Detach().Zero_();
        Assert.That(layer.Linear1.Weight.ToArray<double>().Any(v => v != 0), Is.True);
        enc.To(dtype: DType.Float64);
        Assert.That(enc.Forward(x).ShapeCopy(), Is.EqualTo(new[] { 5, 3, 8 }));
        Assert.That(() => new TransformerEncoderLayer(8, 2, activation: "tanh"), Throws.ArgumentException.With.Message.Contains("relu/gelu"));
        var pre = new TransformerEncoderLayer(8, 2, 16, 0, "gelu", batchFirst: true, normFirst: true).To(dtype: DType.Float64);
        Assert.That(((TransformerEncoderLayer)pre).Forward(Rand(3, 5, 8)).ShapeCopy(), Is.EqualTo(new[] { 3, 5, 8 }));
    }

    /// <summary>docs/attention.md's example, as written there.</summary>
    [Test]
    public void The_docs_example_runs()
    {
        var q = Tensor.Randn([2, 4, 5, 8]);
        var k = Tensor.Randn([2, 2, 7, 8]);
        var v = Tensor.Randn([2, 2, 7, 3]);
        var y = F.ScaledDotProductAttention(q, k, v, isCausal: true, enableGqa: true);   // [2, 4, 5, 3]

        var mha = new MultiheadAttention(embedDim: 16, numHeads: 4, batchFirst: true);
        var x = Tensor.Randn([2, 7, 16]);
        var padding = Tensor.FromArray([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], 2, 7);   // int32: 1 = padded key
        var (output, weights) = mha.Forward(x, x, x, keyPaddingMask: padding);             // [2, 7, 16], [2, 7, 7]

        var encoder = new TransformerEncoder(new TransformerEncoderLayer(16, 4, dimFeedforward: 32, batchFirst: true), 2);
        var h = encoder.Forward(x, null, padding);                                           // [2, 7, 16]

        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 4, 5, 3 }));
        Assert.That(output.ShapeCopy(), Is.EqualTo(new[] { 2, 7, 16 }));
        Assert.That(weights!.ShapeCopy(), Is.EqualTo(new[] { 2, 7, 7 }));
        Assert.That(weights.Select(0, 1).Narrow(1, 5, 2).ToArray<float>(), Is.All.EqualTo(0));
        Assert.That(h.ShapeCopy(), Is.EqualTo(new[] { 2, 7, 16 }));
    }

    /// <summary>The composition runs on the CUDA backend (a GPU or the emulated driver): values and gradients as
    /// the CPU's, float32, for SDPA with each mask kind and for MultiheadAttention with masks.</summary>
    [Test]
    public void Cuda_matches_the_cpu()
    {
        Pade.Kernels.CudaBackend.Use(Pade.Tests.CudaTestEnvironment.RequireDevice());
        Tensor R(ulong seed, params int[] shape) => Tensor.Randn(shape, generator: new Generator(seed));
        (float[] Y, float[][] Grads) Run(Device device, Func<Tensor[], Tensor> f, Tensor[] inputs)
        {
            var xs = inputs.Select(t => { var c = t.To(device).Detach(); c.RequiresGrad = true; return c; }).ToArray();
            var y = f(xs);
            (y * y).Sum().Backward();
            return (y.Cpu().ToArray<float>(), xs.Select(x => x.Grad!.Cpu().ToArray<float>()).ToArray());
        }
        void Same(string what, Func<Tensor[], Tensor> f, params Tensor[] inputs)
        {
            var (yc, gc) = Run(Device.Cpu, f, inputs);
            var (yg, gg) = Run(Device.Cuda, f, inputs);
            Assert.That(yg, Is.EqualTo(yc).Within(1e-4), what);
            for (int i = 0; i < gc.Length; i++) Assert.That(gg[i], Is.EqualTo(gc[i]).Within(1e-4), $"{what} gradient {i}");
        }
        Tensor q = R(1, 2, 3, 4, 5), k = R(2, 2, 3, 6, 5), v = R(3, 2, 3, 6, 2);
        var boolMask = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => i % 5 == 0 ? 0 : 1).ToArray(), 4, 6);
        Same("sdpa", t => F.ScaledDotProductAttention(t[0], t[1], t[2]), q, k, v);
        Same("sdpa causal", t => F.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true), q, k, v);
        Same("sdpa bool mask", t => F.ScaledDotProductAttention(t[0], t[1], t[2], boolMask.To(t[0].Device)), q, k, v);
        Same("sdpa float mask", t => F.ScaledDotProductAttention(t[0], t[1], t[2], t[3]), q, k, v, R(4, 3, 1, 6));
        var m = new MultiheadAttention(6, 2, kdim: 4, vdim: 3, addBiasKv: true, addZeroAttn: true, generator: new Generator(5));
        Tensor[] weights = [m.QProjWeight!, m.KProjWeight!, m.VProjWeight!, m.InProjBias!, m.BiasK!, m.BiasV!, m.OutProj.Weight, R(9, 6)];
        var kpm = Tensor.FromArray([0, 0, 1, 0, 0, 1, 0, 0], 2, 4);
        Same("multihead attention", t =>
        {
            var (o, w) = F.MultiHeadAttentionForward(t[0], t[1], t[2], 6, 2, null, t[6], t[7], t[8], true, 0, t[9], t[10],
                keyPaddingMask: kpm.To(t[0].Device), useSeparateProjWeight: true, qProjWeight: t[3], kProjWeight: t[4], vProjWeight: t[5]);
            return Tensor.Concat([o.Reshape(-1), w!.Reshape(-1)], 0);
        }, [R(6, 3, 2, 6), R(7, 4, 2, 4), R(8, 4, 2, 3), .. weights]);
    }

    [Test]
    public void Onnx_export_names_what_it_cannot_export()
    {
        var model = new Sequential(new MultiheadAttention(4, 2, addBiasKv: true));
        Assert.That(() => model.ToOnnx(3, 4), Throws.InstanceOf<OnnxExportException>().With.Message.Contains("MultiheadAttention '0'").And.Message.Contains("add_bias_kv"));
        var separate = new Sequential(new MultiheadAttention(4, 2, kdim: 3));
        Assert.That(() => separate.ToOnnx(3, 4), Throws.InstanceOf<OnnxExportException>().With.Message.Contains("kdim 3"));
    }

    public static IEnumerable<TestCaseData> OnnxModels()
    {
        TestCaseData Case(string name, Func<Module> m, params int[] input) => new TestCaseData(m, input).SetName($"Onnx_{name}");
        yield return Case("MultiheadAttention_batch_first", () => new MultiheadAttention(8, 2, batchFirst: true), 2, 5, 8);
        yield return Case("MultiheadAttention_seq_first_no_bias", () => new MultiheadAttention(6, 3, bias: false), 4, 3, 6);
        yield return Case("MultiheadAttention_one_head_L1", () => new MultiheadAttention(3, 1, batchFirst: true), 2, 1, 3);
        yield return Case("TransformerEncoderLayer_relu", () => new TransformerEncoderLayer(8, 2, 16, batchFirst: true), 2, 5, 8);
        yield return Case("TransformerEncoderLayer_gelu_norm_first", () => new TransformerEncoderLayer(8, 4, 12, activation: "gelu", normFirst: true), 5, 2, 8);
        yield return Case("TransformerEncoder_norm", () => new TransformerEncoder(new TransformerEncoderLayer(4, 2, 8, batchFirst: true), 2, new LayerNorm(4)), 3, 4, 4);
    }

    /// <summary>The evaluation-mode forward in OnnxRuntime against Pade's.</summary>
    [TestCaseSource(nameof(OnnxModels))]
    public void Onnx_matches_Pade(Func<Module> model, int[] input)
    {
        Tensor.ManualSeed(2);
        var m = model();
        Pade.Tests.Onnx.OnnxCheck.Randomize(m, 3);
        m.Eval();
        Pade.Tests.Onnx.OnnxCheck.AssertMatches(m, Pade.Tests.Onnx.OnnxCheck.Input(6, input), m.GetType().Name);
    }
}
