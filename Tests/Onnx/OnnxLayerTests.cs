using Google.Protobuf;
using NUnit.Framework;
using Onnx;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Models;
using Pade.Layers.Onnx;
using Acts = Pade.Layers.Activations.Activations;

namespace Pade.Tests.Onnx;

/// <summary>Layer geometries (convolution groups, dilation, strides; pooling with padding, ceil mode, divisors;
/// batch norm on [N, C]), the model file itself, and the errors for modules without an ONNX form.</summary>
public class OnnxLayerTests
{
    public static IEnumerable<TestCaseData> Layers()
    {
        TestCaseData Case(string name, Func<Module> layer, params int[] input) =>
            new TestCaseData(layer, input).SetName($"Layer_{name}");
        yield return Case("Conv_groups2_dilation2_stride2_pad3", () => new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (3, 1), dilation: (2, 3), groups: 2), 2, 4, 11, 9);
        yield return Case("Conv_depthwise_nobias", () => new Conv2d(5, 5, 3, stride: 2, padding: 1, groups: 5, bias: false), 2, 5, 8, 7);
        yield return Case("Conv_1x1_stride2", () => new Conv2d(3, 8, 1, stride: 2), 1, 3, 9, 9);
        yield return Case("Conv_same_even_kernel", () => new Conv2d(3, 4, (2, 3), padding: "same", dilation: (3, 1)), 2, 3, 7, 6);
        yield return Case("MaxPool_pad1_dilation2", () => new MaxPool2d(3, stride: 2, padding: 1, dilation: 2), 2, 3, 10, 9);
        yield return Case("MaxPool_ceil", () => new MaxPool2d(2, ceilMode: true), 2, 3, 7, 9);
        yield return Case("AvgPool_pad_excludePad", () => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false), 2, 3, 9, 8);
        yield return Case("AvgPool_pad_includePad", () => new AvgPool2d(3, stride: 2, padding: 1), 2, 3, 9, 8);
        yield return Case("AvgPool_ceil", () => new AvgPool2d(2, ceilMode: true), 2, 3, 7, 9);
        yield return Case("AvgPool_divisorOverride", () => new AvgPool2d(3, stride: 1, padding: 1, divisorOverride: 4), 2, 3, 6, 5);
        yield return Case("AdaptiveAvgPool_1x1", () => new AdaptiveAvgPool2d(1), 2, 3, 5, 7);
        yield return Case("AdaptiveAvgPool_2x3", () => new AdaptiveAvgPool2d((2, 3)), 2, 3, 6, 9);
        yield return Case("AdaptiveMaxPool_1x1", () => new AdaptiveMaxPool2d(1), 2, 3, 5, 7);
        yield return Case("AdaptiveMaxPool_2xNone", () => new AdaptiveMaxPool2d((2, null)), 2, 3, 6, 9);
        yield return Case("Upsample_nearest_x2", () => new Upsample(scaleFactor: [2.0]), 2, 3, 5, 7);
        yield return Case("Upsample_nearest_x1.5x0.5", () => new Upsample(scaleFactor: [1.5, 0.5]), 2, 3, 5, 8);
        yield return Case("Upsample_nearest_size", () => new Upsample([7, 3]), 2, 3, 5, 8);
        yield return Case("Upsample_nearestExact_size", () => new Upsample([9, 5], mode: "nearest-exact"), 2, 3, 4, 7);
        yield return Case("Upsample_nearestExact_x2.5", () => new Upsample(scaleFactor: [2.5], mode: "nearest-exact"), 2, 3, 4, 3);
        yield return Case("Upsample_bilinear_x2", () => new Upsample(scaleFactor: [2.0], mode: "bilinear"), 2, 3, 5, 7);
        yield return Case("Upsample_bilinear_size_down", () => new Upsample([3, 10], mode: "bilinear"), 2, 3, 5, 7);
        yield return Case("Upsample_bilinear_alignCorners", () => new Upsample([8, 9], mode: "bilinear", alignCorners: true), 2, 3, 5, 7);
        yield return Case("Upsample_linear_x1.5", () => new Upsample(scaleFactor: [1.5], mode: "linear"), 2, 3, 6);
        yield return Case("Upsample_bicubic_x2", () => new Upsample(scaleFactor: [2.0], mode: "bicubic"), 2, 3, 5, 7);
        yield return Case("Upsample_bicubic_x1.5x0.6", () => new Upsample(scaleFactor: [1.5, 0.6], mode: "bicubic"), 2, 3, 5, 8);
        yield return Case("Upsample_bicubic_size_down", () => new Upsample([3, 10], mode: "bicubic"), 2, 3, 7, 6);
        yield return Case("Upsample_bicubic_alignCorners", () => new Upsample([8, 4], mode: "bicubic", alignCorners: true), 2, 3, 5, 7);
        yield return Case("Upsample_bicubic_from1", () => new Upsample([4, 3], mode: "bicubic"), 2, 3, 1, 1);
        yield return Case("Conv_Upsample_AdaptiveMaxPool", () => new Sequential(new Conv2d(3, 4, 3), new Upsample(scaleFactor: [2.0], mode: "bilinear"), new AdaptiveMaxPool2d(1)), 2, 3, 6, 6);
        yield return Case("BatchNorm2d_notAffine", () => new BatchNorm2d(3, eps: 1e-3, affine: false), 2, 3, 4, 4);
        yield return Case("Linear_BatchNorm1d_Dropout", () => new Sequential(new Flatten(), new Linear(48, 7), new BatchNorm1d(7), new Dropout(0.5)), 3, 3, 4, 4);
        yield return Case("Linear_rank3", () => new Linear(4, 5), 2, 3, 4);
        yield return Case("Flatten_2_3", () => new Flatten(2, 3), 2, 3, 4, 5);
        yield return Case("Identity", () => new Identity(), 2, 3);
        yield return Case("LayerNorm_last2", () => new LayerNorm([4, 5]), 2, 3, 4, 5);
        yield return Case("LayerNorm_noBias_eps1e-3", () => new LayerNorm(6, eps: 1e-3, bias: false), 2, 3, 6);
        yield return Case("LayerNorm_notAffine", () => new LayerNorm(7, elementwiseAffine: false), 3, 7);
        yield return Case("GroupNorm_3groups", () => new GroupNorm(3, 6), 2, 6, 4, 5);
        yield return Case("GroupNorm_notAffine_rank3", () => new GroupNorm(2, 4, eps: 1e-3, affine: false), 2, 4, 7);
        yield return Case("GroupNorm_1group_rank2", () => new GroupNorm(1, 5), 3, 5);
        yield return Case("ConvTranspose_stride2_pad1_outpad1", () => new ConvTranspose2d(3, 4, 3, stride: 2, padding: 1, outputPadding: 1), 2, 3, 5, 4);
        yield return Case("ConvTranspose_groups2_dilation2_asym", () => new ConvTranspose2d(4, 6, (3, 2), stride: (3, 1), padding: (2, 0), outputPadding: (1, 0), groups: 2, dilation: (2, 3)), 2, 4, 4, 5);
        yield return Case("ConvTranspose_outpadBeyondStride_nobias", () => new ConvTranspose2d(2, 2, 2, stride: 1, outputPadding: 1, bias: false, dilation: 2), 1, 2, 3, 3);
        yield return Case("ConvTranspose_outpadBeyondStride_pad2_groups2", () => new ConvTranspose2d(2, 4, 3, stride: (1, 2), padding: (2, 0), outputPadding: (2, 1), groups: 2, dilation: (3, 2)), 2, 2, 4, 3);
        yield return Case("Conv_ConvTranspose", () => new Sequential(new Conv2d(3, 4, 3, stride: 2), new ConvTranspose2d(4, 3, 3, stride: 2, outputPadding: 1)), 2, 3, 8, 7);
        yield return Case("InstanceNorm2d", () => new InstanceNorm2d(3), 2, 3, 4, 5);
        yield return Case("InstanceNorm2d_affine_eps1e-3", () => new InstanceNorm2d(3, eps: 1e-3, affine: true), 2, 3, 4, 5);
        yield return Case("InstanceNorm1d_otherChannels", () => new InstanceNorm1d(5), 2, 3, 6);
        yield return Case("InstanceNorm1d_runningStats", () => new InstanceNorm1d(4, affine: true, trackRunningStats: true), 2, 4, 6);
        yield return Case("LocalResponseNorm_size3", () => new LocalResponseNorm(3, alpha: 0.1, beta: 0.6, k: 2), 2, 5, 4, 3);
        yield return Case("LocalResponseNorm_size2_rank3", () => new LocalResponseNorm(2, alpha: 0.5), 2, 4, 6);
        yield return Case("LocalResponseNorm_size4_wider", () => new LocalResponseNorm(4, alpha: 1, beta: 0.75, k: 1), 2, 3, 2, 3);
        yield return Case("Conv_GroupNorm_LayerNorm", () => new Sequential(new Conv2d(3, 4, 3), new GroupNorm(2, 4), new LayerNorm([4, 4])), 2, 3, 6, 6);
        yield return Case("Conv1d_groups2_dilation2_stride2_pad3", () => new Conv1d(4, 6, 3, stride: 2, padding: 3, dilation: 2, groups: 2), 2, 4, 11);
        yield return Case("Conv1d_depthwise_nobias", () => new Conv1d(5, 5, 3, padding: 1, groups: 5, bias: false), 2, 5, 8);
        yield return Case("Conv1d_same_even_kernel", () => new Conv1d(3, 4, 4, padding: "same", dilation: 1), 2, 3, 7);
        yield return Case("ConvTranspose1d_stride2_pad1_outpad1", () => new ConvTranspose1d(3, 4, 3, stride: 2, padding: 1, outputPadding: 1), 2, 3, 5);
        yield return Case("ConvTranspose1d_outpadBeyondStride_groups2", () => new ConvTranspose1d(2, 4, 3, stride: 1, padding: 0, outputPadding: 2, groups: 2, dilation: 3), 2, 2, 4);
        yield return Case("ConvTranspose1d_outpadBeyondStride_pad2", () => new ConvTranspose1d(2, 3, 2, stride: 1, padding: 2, outputPadding: 1, dilation: 3), 1, 2, 6);
        yield return Case("MaxPool1d_pad1_dilation2_ceil", () => new MaxPool1d(3, stride: 2, padding: 1, dilation: 2, ceilMode: true), 2, 3, 10);
        yield return Case("AvgPool1d_pad_excludePad", () => new AvgPool1d(3, stride: 2, padding: 1, countIncludePad: false), 2, 3, 9);
        yield return Case("AvgPool1d_pad_includePad_ceil", () => new AvgPool1d(3, stride: 2, padding: 1, ceilMode: true), 2, 3, 8);
        yield return Case("AdaptiveAvgPool1d_1", () => new AdaptiveAvgPool1d(1), 2, 3, 7);
        yield return Case("AdaptiveAvgPool1d_3", () => new AdaptiveAvgPool1d(3), 2, 3, 9);
        yield return Case("AdaptiveMaxPool1d_1", () => new AdaptiveMaxPool1d(1), 2, 3, 7);
        yield return Case("AdaptiveMaxPool1d_2", () => new AdaptiveMaxPool1d(2), 2, 3, 8);
        yield return Case("Conv3d_groups2_dilation_stride_pad", () => new Conv3d(4, 6, (3, 2, 2), stride: (2, 1, 2), padding: (1, 0, 1), dilation: (1, 2, 1), groups: 2), 2, 4, 6, 5, 7);
        yield return Case("Conv3d_same_even_kernel_replicate", () => new Conv3d(3, 4, (2, 3, 2), padding: "same", paddingMode: "replicate"), 2, 3, 4, 5, 3);
        yield return Case("ConvTranspose3d_stride2_pad1_outpad1", () => new ConvTranspose3d(3, 4, 3, stride: 2, padding: 1, outputPadding: 1), 2, 3, 3, 4, 2);
        yield return Case("ConvTranspose3d_outpadBeyondStride", () => new ConvTranspose3d(2, 2, 2, stride: 1, outputPadding: (1, 0, 1), dilation: 2), 1, 2, 3, 2, 3);
        yield return Case("MaxPool3d_pad1_dilation2_ceil", () => new MaxPool3d(3, stride: 2, padding: 1, dilation: (2, 1, 1), ceilMode: true), 2, 3, 7, 6, 5);
        yield return Case("AvgPool3d_pad_excludePad", () => new AvgPool3d(3, stride: 2, padding: 1, countIncludePad: false), 2, 3, 5, 6, 4);
        yield return Case("AvgPool3d_divisorOverride", () => new AvgPool3d((2, 3, 3), stride: 1, padding: (0, 1, 1), divisorOverride: 5), 1, 2, 4, 4, 5);
        yield return Case("AdaptiveAvgPool3d_1", () => new AdaptiveAvgPool3d(1), 2, 3, 4, 5, 3);
        yield return Case("AdaptiveMaxPool3d_2xNonex2", () => new AdaptiveMaxPool3d((2, null, 2)), 2, 3, 4, 5, 6);
        yield return Case("BatchNorm3d", () => new BatchNorm3d(3), 2, 3, 2, 4, 3);
        yield return Case("InstanceNorm3d_affine", () => new InstanceNorm3d(3, affine: true), 2, 3, 2, 4, 3);
        yield return Case("Upsample_trilinear_x2", () => new Upsample(scaleFactor: [2.0], mode: "trilinear"), 2, 3, 3, 4, 2);
        yield return Case("Upsample_trilinear_alignCorners_size", () => new Upsample([5, 3, 6], mode: "trilinear", alignCorners: true), 1, 2, 3, 4, 2);
        yield return Case("Upsample_nearest3d_x1.5", () => new Upsample(scaleFactor: [1.5, 2.0, 0.5], mode: "nearest"), 1, 2, 4, 3, 4);
        yield return Case("Conv1d_MaxPool1d_ConvTranspose1d", () => new Sequential(new Conv1d(3, 4, 3, padding: 1), new MaxPool1d(2), new ConvTranspose1d(4, 3, 2, stride: 2)), 2, 3, 10);
    }

    [TestCaseSource(nameof(Layers))]
    public void LayerMatchesPade(Func<Module> layer, int[] input)
    {
        Tensor.ManualSeed(2);
        var m = layer();
        OnnxCheck.Randomize(m, 3);
        OnnxCheck.AssertMatches(m, OnnxCheck.Input(6, input), m.GetType().Name);
    }

    /// <summary>A module that computes something but has no ONNX form.</summary>
    private sealed class Doubler : Module
    {
        public override Tensor Forward(Tensor input) => input * 2;
    }

    [Test]
    public void AModuleWithoutAnOnnxFormIsNamedWithItsPath()
    {
        int built = 0;
        var net = new Vgg8Cifar(c => built++ == 2 ? new Doubler() : Acts.Create("pau", c));
        var e = Assert.Throws<OnnxExportException>(() => net.ToOnnx(3, 32, 32))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Contain("Doubler 'features.10'").And.Contain("has no ONNX form").And.Contain(nameof(IOnnxExportable)));
    }

    [Test]
    public void ARootModuleWithoutAnOnnxFormIsNamedAsTheRoot()
    {
        var e = Assert.Throws<OnnxExportException>(() => new Doubler().ToOnnx(4))!;
        Assert.That(e.Message, Does.Contain("the root module (Doubler)"));
    }

    /// <summary>An Embedding (alone, or first in a Sequential) exports as Gather on int64 indices [N, 5]; its
    /// padding row is an ordinary row in evaluation. ONNX Runtime is fed the int32 indices Pade took, as int64.</summary>
    [TestCase(false, null, 2.0)]
    [TestCase(true, null, 2.0)]
    [TestCase(false, 1.0, 2.0)]
    [TestCase(true, 0.8, 1.0)]
    [TestCase(false, 0.5, 3.0)]
    [TestCase(false, 0.5, double.PositiveInfinity)]
    public void EmbeddingExportsAsGatherOnInt64Indices(bool inSequential, double? maxNorm, double normType)
    {
        Tensor.ManualSeed(2);
        var embedding = new Embedding(11, 4, paddingIdx: 0, maxNorm: maxNorm, normType: normType);
        Module m = inSequential ? new Sequential(embedding, new Flatten(), new Linear(20, 3)) : embedding;
        OnnxCheck.Randomize(m, 3);
        int[] ids = [0, 3, 10, 3, 7, 1, 0, 9, 2, 5];
        var x = Tensor.FromArray(ids, 2, 5);
        var model = m.ToOnnx(5);
        Assert.That(model.Graph.Input[0].Type.TensorType.ElemType, Is.EqualTo((int)TensorProto.Types.DataType.Int64));
        Assert.That(model.Graph.Node.Select(n => n.OpType), Does.Contain("Gather"));
        m.Eval();
        float[] expected;
        using (Tensor.NoGrad()) expected = m.Forward(x).ToArray<float>();
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model.ToByteArray(), options);
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(ids.Select(i => (long)i).ToArray(), [2L, 5L]);
        using var run = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var outputs = session.Run(run, ["input"], [input], ["output"]);
        Assert.That(outputs[0].GetTensorTypeAndShape().Shape, Is.EqualTo(inSequential ? new long[] { 2, 3 } : new long[] { 2, 5, 4 }));
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.That(OnnxCheck.RelativeError(actual, expected), Is.LessThanOrEqualTo(OnnxCheck.Tolerance));
    }

    [Test]
    public void AnEmbeddingAfterAnotherModuleIsRefused()
    {
        var e = Assert.Throws<OnnxExportException>(() => new Sequential(new Linear(3, 3), new Embedding(3, 2)).ToOnnx(3))!;
        Assert.That(e.Message, Does.Contain("Embedding '1'").And.Contain("put the Embedding first"));
    }

    [Test]
    public void ShapeProblemsNameTheLayer()
    {
        var net = new Sequential(new Conv2d(3, 4, 3), new Flatten(), new Linear(10, 2));
        var e = Assert.Throws<OnnxExportException>(() => net.ToOnnx(3, 8, 8))!;
        Assert.That(e.Message, Does.Contain("Linear '2'").And.Contain("[..., 10]"));
        var pau = new Sequential(new Conv2d(3, 4, 3), Acts.Create("pau:channel", 5));
        Assert.That(Assert.Throws<OnnxExportException>(() => pau.ToOnnx(3, 8, 8))!.Message,
            Does.Contain("Pau '1'").And.Contain("5 per-channel parameters"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new AdaptiveAvgPool2d(3).ToOnnx(2, 5, 5))!.Message,
            Does.Contain("uneven"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new AdaptiveMaxPool1d(3).ToOnnx(2, 7))!.Message,
            Does.Contain("AdaptiveMaxPool1d").And.Contain("uneven"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new Conv1d(3, 4, 3).ToOnnx(3, 4, 4))!.Message,
            Does.Contain("Conv1d").And.Contain("[N, 3, L]"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new AdaptiveMaxPool2d(3).ToOnnx(2, 5, 5))!.Message,
            Does.Contain("AdaptiveMaxPool2d").And.Contain("uneven"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new Upsample([4], mode: "bilinear").ToOnnx(2, 5))!.Message,
            Does.Contain("Upsample").And.Contain("bilinear"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new BatchNorm2d(2, trackRunningStats: false).ToOnnx(2, 5, 5))!.Message,
            Does.Contain("running statistics"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new Sequential(new LayerNorm([3, 4])).ToOnnx(2, 4))!.Message,
            Does.Contain("LayerNorm '0'").And.Contain("[*, 3, 4]"));
        Assert.That(Assert.Throws<OnnxExportException>(() => new GroupNorm(2, 4).ToOnnx(3, 5))!.Message,
            Does.Contain("GroupNorm").And.Contain("[N, 4, *]"));
        Assert.Throws<ArgumentException>(() => new Identity().ToOnnx());
    }

    [Test]
    public void TheFileIsAnOpset17ModelWithParametersNamedByStateDictKeys()
    {
        Tensor.ManualSeed(1);
        var net = new LeNet(c => Acts.Create("pau", c));
        string dir = Path.Combine(Path.GetTempPath(), $"pade-onnx-{Guid.NewGuid():N}");
        string path = Path.Combine(dir, "lenet.onnx");
        try
        {
            net.ExportOnnx(path, 1, 32, 32);
            Assert.That(File.Exists(path + ".tmp"), Is.False, "the temporary file is renamed");
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.That(model.OpsetImport.Single().Version, Is.EqualTo(17));
            Assert.That(model.Graph.Input.Single().Name, Is.EqualTo("input"));
            Assert.That(model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam, Is.EqualTo("N"));
            Assert.That(model.Graph.Output.Single().Name, Is.EqualTo("output"));
            var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
            Assert.That(net.StateDict().Keys.Where(k => !initializers.Contains(k)), Is.Empty, "every parameter is an initializer under its own name");
            var ops = model.Graph.Node.Select(n => n.OpType).ToHashSet();
            Assert.That(ops, Is.SupersetOf(new[] { "Conv", "MaxPool", "Gemm", "Div", "Abs" }));
            Assert.That(model.Graph.Node.Where(n => n.OpType == "Div").Select(n => n.Name), Does.Contain("act1/Div"));
            OnnxCheck.Run(File.ReadAllBytes(path), OnnxCheck.Input(1, 1, 1, 32, 32), out var shape);
            Assert.That(shape, Is.EqualTo(new long[] { 1, 10 }));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void ExportingTwiceGivesTheSameBytes()
    {
        Tensor.ManualSeed(1);
        var net = new LeNet(c => Acts.Create("pau:C:channel", c));
        Assert.That(net.ToOnnx(1, 32, 32).ToByteArray(), Is.EqualTo(net.ToOnnx(1, 32, 32).ToByteArray()));
    }
}
