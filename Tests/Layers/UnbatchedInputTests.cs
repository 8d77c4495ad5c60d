using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>One image without a batch axis, [C, H, W], as PyTorch's conv2d and 2-D pooling take it: the same
/// values as the batch of one, without the batch axis, and gradients against central differences.</summary>
public class UnbatchedInputTests
{
    private static readonly (string Name, Func<Tensor[], Tensor> Op)[] Ops =
    [
        ("conv2d", x => F.Conv2d(x[0], x[1], x[2], new Size2(2, 1), new Size2(1, 2), new Size2(1, 2))),
        ("conv2d depthwise", x => F.Conv2d(x[0], x[3], null, 1, 1, 1, groups: 3)),
        ("max_pool2d", x => F.MaxPool2d(x[0], (3, 2), (2, 1), (1, 1), 1, ceilMode: true)),
        ("avg_pool2d", x => F.AvgPool2d(x[0], (2, 3), (1, 2), (1, 0), ceilMode: true, countIncludePad: false)),
        ("adaptive_avg_pool2d", x => F.AdaptiveAvgPool2d(x[0], new Size2(3, 2))),
    ];

    private static IEnumerable<string> Names => Ops.Select(o => o.Name);

    [TestCaseSource(nameof(Names))]
    public void AnImageIsABatchOfOneWithoutTheBatchAxis(string name)
    {
        var op = Ops.Single(o => o.Name == name).Op;
        var g = new Generator(11);
        Tensor[] args =
        [
            Tensor.Rand([3, 7, 6], -1, 1, DType.Float64, generator: g), Tensor.Rand([4, 3, 3, 2], -1, 1, DType.Float64, generator: g),
            Tensor.Rand([4], -1, 1, DType.Float64, generator: g), Tensor.Rand([3, 1, 3, 3], -1, 1, DType.Float64, generator: g),
        ];
        var image = op(args);
        var batch = op([args[0].Unsqueeze(0), .. args[1..]]);
        Assert.That(image.ShapeCopy(), Is.EqualTo(batch.ShapeCopy()[1..]), name);
        Expect.Exact(image, Nd.Of(batch.Squeeze(0)), name);
        Expect.Grad(name, op, 5, args);
    }

    [Test]
    public void LayersTakeAnImageToo()
    {
        var x = Tensor.Rand([3, 9, 8], -1, 1, DType.Float32, generator: new Generator(3));
        Assert.That(new Pade.Layers.Conv2d(3, 5, 3, padding: 1).Call(x).ShapeCopy(), Is.EqualTo(new[] { 5, 9, 8 }));
        Assert.That(new Pade.Layers.MaxPool2d(2).Call(x).ShapeCopy(), Is.EqualTo(new[] { 3, 4, 4 }));
        Assert.That(new Pade.Layers.AdaptiveAvgPool2d(1).Call(x).ShapeCopy(), Is.EqualTo(new[] { 3, 1, 1 }));
    }

    [Test]
    public void OtherRanksNameBothAcceptedLayouts()
    {
        var x = Tensor.Zeros(3, 4);
        Assert.That(() => F.Conv2d(x, Tensor.Zeros(2, 3, 1, 1)), Throws.ArgumentException.With.Message.Contains("[N, 3, H, W] or [3, H, W]"));
        Assert.That(() => F.MaxPool2d(x, (2, 2)), Throws.ArgumentException.With.Message.Contains("[N, C, H, W] or [C, H, W]"));
        Assert.That(() => F.AdaptiveAvgPool2d(x, new Size2(1, 1)), Throws.ArgumentException.With.Message.Contains("[N, C, H, W] or [C, H, W]"));
    }
}
