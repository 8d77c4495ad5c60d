using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>
/// The new losses' fixed points: bad inputs refused with PyTorch's conditions and messages naming the shapes or
/// values, PyTorch's choices at kinks and clamps (gradient 0 at a multi-margin hinge's kink, var's clamp passed
/// straight through), values worked by hand, and 'batchmean' refused by every loss but kl_div.
/// </summary>
public class MoreLossTests
{
    private static Tensor T(double[] v, params int[] shape) => Tensor.FromArray(v, shape.Length == 0 ? [v.Length] : shape);
    private static Tensor I(int[] v, params int[] shape) => Tensor.FromArray(v, shape.Length == 0 ? [v.Length] : shape);

    private static void Throws<TException>(TestDelegate f, params string[] fragments) where TException : Exception
    {
        var e = Assert.Throws<TException>(f)!;
        foreach (var s in fragments) Assert.That(e.Message, Does.Contain(s));
    }

    [Test]
    public void BatchMeanIsOnlyForKlDiv()
    {
        var a = T([1, 2, 3]);
        var b = T([0.5, 1, 1]);
        Throws<ArgumentException>(() => Tensor.MseLoss(a, b, Reduction.BatchMean), "batchmean");
        Throws<ArgumentException>(() => Tensor.L1Loss(a, b, Reduction.BatchMean), "batchmean");
        Throws<ArgumentException>(() => Tensor.SoftMarginLoss(a, b, Reduction.BatchMean), "batchmean");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(T([1, 2, 3, 4, 5, 6], 2, 3), I([0, 2]), reduction: Reduction.BatchMean), "batchmean");
        Throws<ArgumentException>(() => Tensor.NllLoss(T([1, 2, 3, 4, 5, 6], 2, 3), I([0, 2]), reduction: Reduction.BatchMean), "batchmean");
        // kl_div: the sum over the first dimension's length.
        var x = T([-1, -2, -0.5, -0.1], 2, 2);
        var p = T([0.2, 0.8, 0.5, 0.5], 2, 2);
        Assert.That(Tensor.KlDiv(x, p, Reduction.BatchMean).Item(), Is.EqualTo(Tensor.KlDiv(x, p, Reduction.Sum).Item() / 2).Within(1e-15));
    }

    [Test]
    public void KlDivAtZeroTarget()
    {
        // xlogy(0, 0) = 0: a zero target contributes nothing; dL/dx = −p is 0 there too.
        var x = T([-1.0, -0.5, -2]);
        x.RequiresGrad = true;
        var l = Tensor.KlDiv(x, T([0.0, 0.4, 0.6]), Reduction.None);
        var expected = new[] { 0, 0.4 * (Math.Log(0.4) + 0.5), 0.6 * (Math.Log(0.6) + 2) };
        Assert.That(l.ToArray<double>(), Is.EqualTo(expected).Within(1e-15));
        l.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0, -0.4, -0.6 }).Within(1e-15));
    }

    [Test]
    public void MultiMarginGradientIsZeroAtTheKink()
    {
        // z = margin − x[y] + x[i] = 1 − 2 + 1 = 0 for i = 1: ATen's backward counts only z > 0.
        var x = T([2.0, 1.0, 1.5], 1, 3);
        x.RequiresGrad = true;
        var l = Tensor.MultiMarginLoss(x, I([0]), reduction: Reduction.Sum);
        Assert.That(l.Item(), Is.EqualTo(0.5 / 3).Within(1e-15));
        l.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { -1.0 / 3, 0, 1.0 / 3 }).Within(1e-15));
    }

    [Test]
    public void MultiLabelMarginMatchesPyTorchsExample()
    {
        // PyTorch's documented example: 0.85.
        var x = T([0.1, 0.2, 0.4, 0.8], 1, 4);
        Assert.That(Tensor.MultiLabelMarginLoss(x, I([3, 0, -1, 1], 1, 4)).Item(), Is.EqualTo(0.85).Within(1e-12));
        Assert.That(Tensor.MultiLabelMarginLoss(x.Reshape(4), I([3, 0, -1, 1]), Reduction.None).ShapeCopy(), Is.Empty);
    }

    [Test]
    public void GaussianNllClampsVarWithoutAutograd()
    {
        // var = 1e-9 < eps: the value uses eps, the gradient is that at eps passed straight to var (PyTorch's no_grad clamp).
        var x = T([0.5]);
        var v = T([1e-9]);
        v.RequiresGrad = true;
        const double eps = 1e-3;
        var l = Tensor.GaussianNllLoss(x, T([0.0]), v, eps: eps, reduction: Reduction.Sum);
        Assert.That(l.Item(), Is.EqualTo(0.5 * (Math.Log(eps) + 0.25 / eps)).Within(1e-12));
        l.Backward();
        Assert.That(v.Grad!.Item(), Is.EqualTo(0.5 * (1 / eps - 0.25 / (eps * eps))).Within(1e-6));
    }

    [Test]
    public void PoissonFullAddsStirlingOnlyAboveOne()
    {
        var y = T([0.0, 1, 3]);
        y.RequiresGrad = true;
        var l = Tensor.PoissonNllLoss(T([0.1, 0.2, 0.3]), y, full: true, reduction: Reduction.None);
        double Stirling(double t) => t * Math.Log(t) - t + 0.5 * Math.Log(2 * Math.PI * t);
        Assert.That(l.ToArray<double>(), Is.EqualTo(new[] { Math.Exp(0.1), Math.Exp(0.2) - 0.2, Math.Exp(0.3) - 0.9 + Stirling(3) }).Within(1e-14));
        l.Sum().Backward();
        Assert.That(y.Grad!.ToArray<double>(), Is.All.Matches<double>(double.IsFinite));
    }

    [Test]
    public void PairwiseDistanceOfEqualVectorsIsEpsAndItsGradientFinite()
    {
        var a = T([1.0, 2, 3], 1, 3);
        a.RequiresGrad = true;
        var d = Tensor.PairwiseDistance(a, T([1.0, 2, 3], 1, 3), eps: 0);
        Assert.That(d.ToArray<double>(), Is.EqualTo(new[] { 0.0 }));
        d.Sum().Backward();
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0 }));
        Assert.That(Tensor.PairwiseDistance(T([1.0, 2]), T([1.0, 2])).Item(), Is.EqualTo(Math.Sqrt(2) * 1e-6).Within(1e-18));
        Assert.That(Tensor.PairwiseDistance(T([3.0, 4], 1, 2), T([0.0, 0], 1, 2), keepDim: true).ShapeCopy(), Is.EqualTo(new[] { 1, 1 }));
    }

    [Test]
    public void EmptyBatchMeanIsNaN()
    {
        var x = Tensor.Zeros([0, 3], DType.Float64);
        Assert.That(double.IsNaN(Tensor.MultiMarginLoss(x, Tensor.Zeros([0], DType.Int32)).Item()));
        Assert.That(double.IsNaN(Tensor.MultiLabelMarginLoss(x, Tensor.Zeros([0, 3], DType.Int32)).Item()));
        Assert.That(double.IsNaN(Tensor.TripletMarginLoss(x, x, x).Item()));
        Assert.That(double.IsNaN(Tensor.KlDiv(x, x, Reduction.BatchMean).Item()));
        Assert.That(Tensor.MultiMarginLoss(x, Tensor.Zeros([0], DType.Int32), reduction: Reduction.Sum).Item(), Is.EqualTo(0));
    }

    [Test]
    public void BadInputsAreRefused()
    {
        var x = T([1, 2, 3, 4, 5, 6], 2, 3);
        Throws<ArgumentException>(() => Tensor.MultiMarginLoss(x, I([0, 1, 2])), "multi_margin_loss", "[3]", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => Tensor.MultiMarginLoss(x, I([0, 3])), "target 3", "[0, 3)");
        Throws<ArgumentOutOfRangeException>(() => Tensor.MultiMarginLoss(x, I([0, 1]), p: 3), "p = 1 and p = 2");
        Throws<ArgumentException>(() => Tensor.MultiMarginLoss(x, I([0, 1]), weight: T([1.0, 2])), "weight", "[2]");
        Throws<ArgumentException>(() => Tensor.MultiMarginLoss(Tensor.Zeros([2, 0], DType.Float64), I([0, 1])), "non-empty");
        Throws<ArgumentException>(() => Tensor.MultiMarginLoss(T([1.0, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2), I([0, 1])), "[2, 2, 2]");
        Throws<ArgumentOutOfRangeException>(() => Tensor.MultiLabelMarginLoss(x, I([0, -2, 1, 2, -1, 0], 2, 3)), "target -2", "[-1, 3)");
        Throws<ArgumentException>(() => Tensor.MultiLabelMarginLoss(x, I([0, 1], 1, 2)), "[1, 2]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.MarginRankingLoss(T([1.0, 2]), T([1.0, 2]), T([1.0, -1], 1, 2)), "same number of dimensions", "[1, 2]");
        Throws<ArgumentException>(() => Tensor.CosineEmbeddingLoss(x, x, T([1.0], 1, 1)), "0-d or 1-d target");
        Throws<ArgumentException>(() => Tensor.CosineEmbeddingLoss(T([1.0, 2]), T([1.0, 2]), T([1.0])), "1-d target", "[2]");
        Throws<ArgumentException>(() => Tensor.TripletMarginLoss(x, x, T([1.0, 2, 3])), "same number of dimensions", "[3]");
        Throws<ArgumentException>(() => Tensor.GaussianNllLoss(x, x, T([1.0, 2, 3])), "var of shape [3]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.GaussianNllLoss(x, x, T([1.0, -1], 2)), "negative");
        Throws<ArgumentException>(() => Tensor.SoftMarginLoss(T([1.0, 2, 3]), x), "target of shape [2, 3]", "[3]");
        Throws<ArgumentException>(() => Tensor.KlDiv(x, T([1.0, 2])), "kl_div");
        var target = T([1.0, -1, 1]);
        target.RequiresGrad = true;
        Throws<ArgumentException>(() => Tensor.SoftMarginLoss(T([1.0, 2, 3]), target), "soft_margin_loss", "target");
        Throws<ArgumentException>(() => Tensor.MultiLabelSoftMarginLoss(T([1.0]).Reshape(), T([1.0]).Reshape()), "scalar");
    }

    [Test]
    public void GaussianVarShapes()
    {
        // var [N] for input [N, D] is unsqueezed to [N, 1]: one variance per row; [N, 1] is the same.
        var x = T([1, 2, 3, 4, 5, 6], 2, 3);
        var y = T([0, 0, 0, 0, 0, 0], 2, 3);
        var a = Tensor.GaussianNllLoss(x, y, T([0.5, 2.0]), reduction: Reduction.None);
        var b = Tensor.GaussianNllLoss(x, y, T([0.5, 2.0], 2, 1), reduction: Reduction.None);
        Assert.That(a.ToArray<double>(), Is.EqualTo(b.ToArray<double>()));
        Assert.That(a.ShapeCopy(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(a.ToArray<double>()[4], Is.EqualTo(0.5 * (Math.Log(2) + 25 / 2.0)).Within(1e-14));
    }

    [Test]
    public void GaussianNllWithOneVariance()
    {
        var x = T([1, 2, 3, 4, 5, 6], 2, 3);
        var y = T([0, 1, 0, 1, 0, 1], 2, 3);
        var scalar = Tensor.GaussianNllLoss(x, y, 0.7, full: true);
        var tensor = Tensor.GaussianNllLoss(x, y, T([0.7, 0.7, 0.7, 0.7, 0.7, 0.7], 2, 3), full: true);
        Assert.That(scalar.Item(), Is.EqualTo(tensor.Item()));
        Throws<ArgumentException>(() => Tensor.GaussianNllLoss(x, y, -0.1), "negative");
    }

    [Test]
    public void UnbatchedShapes()
    {
        // multi_margin_loss: a [C] input with a [1] target keeps [1] under 'none', a 0-d target gives [];
        // multilabel_margin_loss and cosine_embedding_loss give [] for their unbatched forms.
        var x = T([0.3, -0.2, 0.9]);
        Assert.That(Tensor.MultiMarginLoss(x, I([1]), reduction: Reduction.None).ShapeCopy(), Is.EqualTo(new[] { 1 }));
        Assert.That(Tensor.MultiMarginLoss(x, I([1]).Reshape(), reduction: Reduction.None).ShapeCopy(), Is.Empty);
        Assert.That(Tensor.MultiMarginLoss(x, I([1]).Reshape(), reduction: Reduction.None).Item(),
            Is.EqualTo((Math.Max(0, 1 + 0.2 + 0.3) + Math.Max(0, 1 + 0.2 + 0.9)) / 3).Within(1e-15));
        Assert.That(Tensor.CosineEmbeddingLoss(x, x, T([1.0]).Reshape(), reduction: Reduction.None).ShapeCopy(), Is.Empty);
        Assert.That(Tensor.TripletMarginLoss(x, x, x, reduction: Reduction.None).ShapeCopy(), Is.Empty);
    }
}
