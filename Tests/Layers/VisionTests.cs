using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Layers.Onnx;
using Pade.Tests.Onnx;

namespace Pade.Tests.Layers;

/// <summary>The vision layers' fixed cases: PyTorch's error conditions and messages, module forms and reprs, the
/// max_pool/max_unpool round trip, and the ONNX forms against OnnxRuntime.</summary>
public class VisionTests
{
    private static void Throws(TestDelegate f, string text) =>
        Assert.That(Assert.Throws<ArgumentException>(f)!.Message, Does.Contain(text));

    private static Tensor Arange(params int[] shape) => Tensor.Arange(0, shape.Aggregate(1, (a, b) => a * b), 1, DType.Float64).Reshape(shape);

    [Test]
    public void BadInputsGivePyTorchsMessages()
    {
        Throws(() => F.PixelShuffle(Arange(4, 2), 2), "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 dimension(s)");
        Throws(() => F.PixelShuffle(Arange(1, 6, 2, 2), 2), "input.size(-3)=6 is not divisible by 4");
        Throws(() => F.PixelShuffle(Arange(1, 4, 2, 2), 0), "expects a positive upscale_factor, but got 0");
        Throws(() => F.PixelUnshuffle(Arange(1, 1, 3, 4), 2), "input.size(-2)=3 is not divisible by 2");
        Throws(() => F.PixelUnshuffle(Arange(1, 1, 4, 3), 2), "input.size(-1)=3 is not divisible by 2");
        Throws(() => F.ChannelShuffle(Arange(2, 6, 2), 4), "Number of channels must be divisible by groups. Got 6 channels and 4 groups.");
        Throws(() => F.ChannelShuffle(Arange(2, 6, 2), 0), "must be positive. Value of groups:0");
        Throws(() => Arange(3, 4).Unfold(1, 5, 1), "maximum size for tensor at dimension 1 is 4 but size is 5");
        Throws(() => Arange(3, 4).Unfold(1, 2, 0), "step is 0 but must be > 0");
        Throws(() => F.Unfold(Arange(1, 1, 2, 2), 4), "calculated shape of the array of sliding blocks as (-1, -1), but its components must be at least one");
        Throws(() => F.Unfold(Arange(2, 2), 1), "Expected 3D or 4D (batch mode) tensor input");
        Throws(() => F.Unfold(Arange(1, 1, 4, 4), 2, padding: -1), "padding should be non-negative, but got pad_height: -1 pad_width: -1");
        Throws(() => F.Unfold(Arange(1, 1, 4, 4), 2, stride: 0), "stride should be greater than zero");
        Throws(() => F.Fold(Arange(1, 5, 4), 3, 2), "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=5 and kernel_size=(2, 2)");
        Throws(() => F.Fold(Arange(1, 4, 5), 3, 2), "expected size of input's dimension 2 to match the calculated number of sliding blocks 2 * 2 = 4, but got input.size(2)=5");
        Throws(() => F.Fold(Arange(1, 4, 4), 0, 2), "output_size should be greater than zero");
        Throws(() => F.AffineGrid(Arange(1, 2, 3), [1, 1, 4]), "affine_grid only supports 4D and 5D sizes");
        Throws(() => F.AffineGrid(Arange(1, 2, 2), [1, 1, 4, 4]), "Expected a batch of 2D affine matrices of shape Nx2x3 for size [1, 1, 4, 4]. Got [1, 2, 2].");
        Throws(() => F.AffineGrid(Arange(1, 2, 3), [1, 1, 0, 4]), "Expected non-zero, positive output size");
        var x = Arange(1, 1, 3, 3);
        Throws(() => F.GridSample(x, Arange(1, 2, 2, 2), mode: "area"), "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'area'");
        Throws(() => F.GridSample(x, Arange(1, 2, 2, 2), paddingMode: "wrap"), "expected padding_mode to be 'zeros', 'border', or 'reflection', but got: 'wrap'");
        Throws(() => F.GridSample(x, Arange(2, 2, 2, 2)), "expected grid and input to have same batch size");
        Throws(() => F.GridSample(x, Arange(1, 2, 2, 3)), "expected grid to have size 2 in last dimension");
        Throws(() => F.GridSample(x, Arange(1, 2, 2)), "expected 4D or 5D input and grid with same number of dimensions");
        Throws(() => F.GridSample(Arange(1, 1, 0, 3), Arange(1, 2, 2, 2)), "expected input to have non-empty spatial dimensions");
        Throws(() => F.GridSample(Arange(1, 1, 2, 2, 2), Arange(1, 2, 2, 2, 3), mode: "bicubic"), "bicubic interpolation only supports 4D input");
        var idx = Tensor.FromArray(new[] { 0, 1, 2, 16 }, 1, 1, 2, 2);
        Throws(() => F.MaxUnpool2d(Arange(1, 1, 2, 2), idx, 2), "Found an invalid max index: 16 (output volumes are of size 4x4");
        Throws(() => F.MaxUnpool2d(Arange(1, 1, 2, 2), idx.To(DType.Float64), 2), "elements in indices should be type int32");
        Throws(() => F.MaxUnpool2d(Arange(1, 1, 2, 2), Tensor.FromArray(new[] { 0, 1 }, 1, 1, 1, 2), 2), "Expected shape of indices to be same as that of the input tensor");
        Throws(() => F.MaxUnpool2d(Arange(1, 1, 2, 2), Tensor.FromArray(new[] { 0, 1, 2, 3 }, 1, 1, 2, 2), 2, outputSize: [6, 4]),
            "invalid output_size \"[6, 4]\" (dim 0 must be between 2 and 6)");
        Throws(() => F.MaxUnpool2d(Arange(1, 1, 2, 2), Tensor.FromArray(new[] { 0, 1, 2, 3 }, 1, 1, 2, 2), 2, outputSize: [4]),
            "output_size should be a sequence containing 2 or 4 elements, but it has a length of '1'");
    }

    [Test]
    public void MaxUnpoolInvertsMaxPoolWithIndices()
    {
        var x = Tensor.FromArray(new double[] { 1, 5, 2, 0, 7, 3, 4, 8, 6 }, 1, 1, 3, 3);
        var (y, indices) = F.MaxPool2dWithIndices(x, 2, stride: 1);
        Assert.That(indices.ToArray<int>(), Is.EqualTo(new[] { 4, 4, 7, 7 }));
        // Output size 3x3 (the default would be (2 − 1)·1 + 2 = 3).
        var up = new MaxUnpool2d(2, stride: 1).Forward(y, indices, [1, 1, 3, 3]);
        Assert.That(up.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 0, 7, 0, 0, 8, 0 }), "a repeated index holds its value once, as libtorch");
        var (y1, i1) = F.MaxPool1dWithIndices(Tensor.FromArray(new double[] { 3, 1, 4, 1, 5, 9 }, 1, 6), 2);
        Assert.That(new MaxUnpool1d(2).Forward(y1, i1).ToArray<double>(), Is.EqualTo(new double[] { 3, 0, 4, 0, 0, 9 }));
        Assert.Throws<InvalidOperationException>(() => new MaxUnpool2d(2).Forward(y));
    }

    [Test]
    public void ModulesCallTheFunctionalsAndPrintAsPyTorch()
    {
        var x = Tensor.Randn([2, 8, 3, 4], dtype: DType.Float64, generator: new Generator(3));
        Assert.That(new PixelShuffle(2).Call(x).ToArray<double>(), Is.EqualTo(F.PixelShuffle(x, 2).ToArray<double>()));
        Assert.That(new PixelUnshuffle(1).Call(x).ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(new ChannelShuffle(4).Call(x).ToArray<double>(), Is.EqualTo(F.ChannelShuffle(x, 4).ToArray<double>()));
        var cols = new Unfold(2, padding: 1).Call(x);
        Assert.That(cols.ShapeCopy(), Is.EqualTo(new[] { 2, 32, 20 }));
        Assert.That(new Fold((3, 4), 2, padding: 1).Call(cols).ShapeCopy(), Is.EqualTo(new[] { 2, 8, 3, 4 }));
        Assert.That(new LPPool2d(2, 2).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 8, 1, 2 }));
        Assert.That(new LPPool1d(2, 3, 1).Call(x.Select(2, 0)).ShapeCopy(), Is.EqualTo(new[] { 2, 8, 2 }));
        Assert.That(new UpsamplingNearest2d(scaleFactor: [2.0]).Call(x).ToArray<double>(), Is.EqualTo(F.Interpolate(x, null, [2.0]).ToArray<double>()));
        Assert.That(new UpsamplingBilinear2d([5, 5]).Call(x).ToArray<double>(), Is.EqualTo(F.Interpolate(x, [5, 5], mode: "bilinear", alignCorners: true).ToArray<double>()));
        Assert.That(new PixelShuffle(3).ToString(), Is.EqualTo("PixelShuffle(upscale_factor=3)"));
        Assert.That(new PixelUnshuffle(3).ToString(), Is.EqualTo("PixelUnshuffle(downscale_factor=3)"));
        Assert.That(new ChannelShuffle(2).ToString(), Is.EqualTo("ChannelShuffle(groups=2)"));
        Assert.That(new LPPool2d(2, 3).ToString(), Is.EqualTo("LPPool2d(norm_type=2.0, kernel_size=(3, 3), stride=None, ceil_mode=False)"));
        Assert.That(new MaxUnpool2d(2).ToString(), Is.EqualTo("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"));
        Assert.That(new UpsamplingBilinear2d(scaleFactor: [2.0]).ToString(), Is.EqualTo("UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"));
    }

    /// <summary>Size-1 and unbatched forms, and an empty batch, as PyTorch takes them.</summary>
    [Test]
    public void EdgeShapes()
    {
        Assert.That(F.PixelShuffle(Tensor.Zeros(0, 4, 2, 3), 2).ShapeCopy(), Is.EqualTo(new[] { 0, 1, 4, 6 }));
        Assert.That(F.PixelShuffle(Tensor.Zeros(2, 3, 9, 1, 1), 3).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 1, 3, 3 }));
        Assert.That(F.Unfold(Tensor.Zeros(0, 2, 3, 3), 2).ShapeCopy(), Is.EqualTo(new[] { 0, 8, 4 }));
        Assert.That(F.Fold(Tensor.Zeros(8, 4), 3, 2).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 3 }));
        // ATen's block count rounds toward −∞: a 3x3 window with stride 2 over a 2x2 image leaves no block (libtorch 2.10 says the same).
        Throws(() => F.Unfold(Arange(1, 1, 2, 2), 3, stride: 2), "calculated shape of the array of sliding blocks as (0, 0)");
        Throws(() => F.Fold(Arange(1, 6, 1), (2, 3), (3, 2), (1, 2), 0, 2), "calculated shape of the array of sliding blocks as (0, 1), which is too small (non-positive)");
        Assert.That(Tensor.Scalar(2.5).Unfold(0, 1, 1).ToArray<float>(), Is.EqualTo(new[] { 2.5f }));
        Assert.That(F.AffineGrid(Tensor.Zeros(1, 2, 3), [1, 1, 1, 1]).ShapeCopy(), Is.EqualTo(new[] { 1, 1, 1, 2 }));
        Assert.That(F.GridSample(Tensor.Zeros(0, 2, 3, 3), Tensor.Zeros(0, 4, 5, 2)).ShapeCopy(), Is.EqualTo(new[] { 0, 2, 4, 5 }));
        Assert.That(F.MaxUnpool2d(Tensor.Zeros(0, 2, 2, 2), Tensor.Zeros([0, 2, 2, 2], DType.Int32), 2).ShapeCopy(), Is.EqualTo(new[] { 0, 2, 4, 4 }));
        // A grid that requires grad gets nearest's zero gradient (PyTorch's), not none.
        var grid = Tensor.Rand([1, 2, 2, 2], -1, 1, DType.Float64, generator: new Generator(4));
        grid.RequiresGrad = true;
        F.GridSample(Tensor.Ones([1, 1, 3, 3], DType.Float64), grid, "nearest").Sum().Backward();
        Assert.That(grid.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        // The identity transform samples the image back (align_corners either way).
        var x = Tensor.Randn([2, 3, 4, 5], dtype: DType.Float64, generator: new Generator(9));
        var theta = Tensor.FromArray(new double[] { 1, 0, 0, 0, 1, 0 }, 1, 2, 3).Expand(2, 2, 3);
        foreach (var align in new[] { false, true })
            foreach (var mode in new[] { "bilinear", "nearest", "bicubic" })
            {
                var y = F.GridSample(x, F.AffineGrid(theta, [2, 3, 4, 5], align), mode, "zeros", align);
                Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()).Within(1e-12), $"{mode} align {align}");
            }
    }

    public static IEnumerable<TestCaseData> OnnxLayers()
    {
        TestCaseData Case(string name, Func<Module> layer, params int[] input) => new TestCaseData(layer, input).SetName($"Onnx_{name}");
        yield return Case("PixelShuffle_3", () => new PixelShuffle(3), 2, 18, 3, 4);
        yield return Case("PixelUnshuffle_2", () => new PixelUnshuffle(2), 2, 3, 4, 6);
        yield return Case("ChannelShuffle_3", () => new ChannelShuffle(3), 2, 6, 3, 2);
        yield return Case("LPPool2d_p2", () => new LPPool2d(2, 2), 2, 3, 5, 6);
        yield return Case("LPPool2d_p4_stride1_ceil", () => new LPPool2d(4, (2, 3), (1, 2), ceilMode: true), 2, 3, 5, 6);
        yield return Case("UpsamplingBilinear2d", () => new UpsamplingBilinear2d(scaleFactor: [2.0]), 2, 3, 4, 5);
        yield return Case("UpsamplingNearest2d", () => new UpsamplingNearest2d([7, 9]), 2, 3, 4, 5);
    }

    [TestCaseSource(nameof(OnnxLayers))]
    public void OnnxMatchesPade(Func<Module> layer, int[] input)
    {
        var m = layer();
        OnnxCheck.AssertMatches(m, OnnxCheck.Input(6, input), m.GetType().Name);
    }

    [Test]
    public void LayersWithoutAnOnnxFormSayWhich()
    {
        var e = Assert.Throws<OnnxExportException>(() => new Fold(3, 2).ToOnnx(8, 4))!;
        Assert.That(e.Message, Does.Contain("Fold").And.Contain("has no ONNX form"));
    }
}
