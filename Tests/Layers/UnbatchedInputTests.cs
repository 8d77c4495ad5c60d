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

    /// <summary>Random geometries (those of the batched properties, batch 1): an image's result and gradients against
    /// the naive loops of <see cref="Naive"/> and <see cref="NaivePool"/>, so the unbatched path is held to an
    /// independent reference, not only to the batched op it calls.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void AnImageMatchesTheNaiveReference(int a, int b, int c, int d, int e, int f, bool bias)
    {
        var (xs, ws, s, p, dil, groups) = ConvTests.Config(a, b, c, d, e, f, 12);
        int[] image = xs[1..];
        var x = Tensor.Rand(image, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)a)); x.RequiresGrad = true;
        var w = Tensor.Rand(ws, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)b)); w.RequiresGrad = true;
        var bt = bias ? Tensor.Rand([ws[0]], -1, 1, DType.Float64, generator: new Generator(3)) : null;
        if (bt != null) bt.RequiresGrad = true;
        string what = $"conv2d x={Shapes.Format(image)} w={Shapes.Format(ws)} s={s} p={p} d={dil} g={groups} bias={bias}";
        var y = F.Conv2d(x, w, bt, s, p, dil, groups);
        var ey = Naive.Conv2d(x.ToArray<double>(), [1, .. image], w.ToArray<double>(), ws, bt?.ToArray<double>(), s, p, dil, groups, out var ys);
        Assert.That(y.ShapeCopy(), Is.EqualTo(ys[1..]), what);
        Naive.AssertClose(y.ToArray<double>(), ey, 1e-12, what);
        var up = Tensor.Rand(y.ShapeCopy(), -1, 1, DType.Float64, generator: new Generator(4));
        (y * up).Sum().Backward();
        var (dx, dw, db) = Naive.Conv2dBackward(x.ToArray<double>(), [1, .. image], w.ToArray<double>(), ws, up.ToArray<double>(), s, p, dil, groups);
        Naive.AssertClose(x.Grad!.ToArray<double>(), dx, 1e-12, what + " dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), dw, 1e-12, what + " dw");
        if (bt != null) Naive.AssertClose(bt.Grad!.ToArray<double>(), db, 1e-12, what + " db");

        // Pooling on the same kind of image: max (dilated), average (count_include_pad off), adaptive.
        var (ps, k, st, pad, dl, ceil) = PoolTests.Config(a, b, dilated: true);
        int[] pimage = ps[1..];
        var px = Tensor.Rand(pimage, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)c)); px.RequiresGrad = true;
        var my = F.MaxPool2d(px, k, st, pad, dl, ceil);
        var pup = Tensor.Rand(my.ShapeCopy(), -1, 1, DType.Float64, generator: new Generator(5));
        var (emy, emdx) = NaivePool.Max(px.ToArray<double>(), [1, .. pimage], pup.ToArray<double>(), k, st, pad, dl, ceil, out var mys);
        string pwhat = $"x={Shapes.Format(pimage)} k={k} s={st} p={pad} d={dl} ceil={ceil}";
        Assert.That(my.ShapeCopy(), Is.EqualTo(mys[1..]), "max_pool2d " + pwhat);
        Assert.That(my.ToArray<double>(), Is.EqualTo(emy), "max_pool2d " + pwhat);
        (my * pup).Sum().Backward();
        Assert.That(px.Grad!.ToArray<double>(), Is.EqualTo(emdx), "max_pool2d dx " + pwhat);

        var (axs, ak, ast, apad, _, aceil) = PoolTests.Config(a, b, dilated: false);
        int[] aimage = axs[1..];
        var ax = Tensor.Rand(aimage, -1, 1, DType.Float64, generator: new Generator((ulong)(uint)d)); ax.RequiresGrad = true;
        var ay = F.AvgPool2d(ax, ak, ast, apad, aceil, countIncludePad: false);
        var aup = Tensor.Rand(ay.ShapeCopy(), -1, 1, DType.Float64, generator: new Generator(6));
        var (eay, eadx) = NaivePool.Avg(ax.ToArray<double>(), [1, .. aimage], aup.ToArray<double>(), ak, ast, apad, aceil, false, null, out var ays);
        string awhat = $"avg_pool2d x={Shapes.Format(aimage)} k={ak} s={ast} p={apad} ceil={aceil}";
        Assert.That(ay.ShapeCopy(), Is.EqualTo(ays[1..]), awhat);
        Naive.AssertClose(ay.ToArray<double>(), eay, 1e-12, awhat);
        (ay * aup).Sum().Backward();
        Naive.AssertClose(ax.Grad!.ToArray<double>(), eadx, 1e-12, awhat + " dx");
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
