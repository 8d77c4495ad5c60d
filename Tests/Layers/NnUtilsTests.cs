using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>torch.nn.utils: clip_grad_norm_ against a float64 loop of PyTorch's definition (random shapes, norm types
/// 1, 2, 3, ∞, gradients above and below the bound, parameters without a gradient), clip_grad_value_, and the
/// parameters ⇄ vector round trip.</summary>
public class NnUtilsTests
{
    [FsCheck.NUnit.Property(MaxTest = 200)]
    public void ClipGradNormMatchesTorchDefinition(PositiveInt seed, bool withoutGrad)
    {
        var rng = new Random(seed.Get);
        int count = rng.Next(1, 4);
        double[] normTypes = [1, 2, 3, double.PositiveInfinity];
        double normType = normTypes[rng.Next(normTypes.Length)];
        double maxNorm = new[] { 0.1, 1.0, 5.0, 100.0 }[rng.Next(4)];
        var ps = new List<Tensor>();
        var grads = new List<double[]?>();
        for (int k = 0; k < count; k++)
        {
            // torch.linalg.vector_norm refuses the ∞-norm of an empty gradient (no identity), as Pade does.
            int n = rng.Next(double.IsInfinity(normType) ? 1 : 0, 12);
            var p = Tensor.Zeros([n], DType.Float64); p.RequiresGrad = true;
            if (withoutGrad && k == 0) { grads.Add(null); ps.Add(p); continue; }
            var g = Enumerable.Range(0, n).Select(_ => (2 * rng.NextDouble() - 1) * 3).ToArray();
            p.Grad = Tensor.FromArray((double[])g.Clone(), n);
            ps.Add(p); grads.Add(g);
        }
        // PyTorch: the norm of the per-parameter norms; coef = max_norm / (total + 1e-6), clamped to 1.
        var all = grads.Where(g => g != null).SelectMany(g => g!).Select(v => Math.Abs(v)).ToArray();
        double total = grads.All(g => g == null) ? 0
            : double.IsInfinity(normType) ? (all.Length == 0 ? 0 : all.Max()) : Math.Pow(all.Sum(a => Math.Pow(a, normType)), 1 / normType);
        double coef = Math.Min(maxNorm / (total + 1e-6), 1);

        var result = Utils.ClipGradNorm(ps, maxNorm, normType);
        Assert.That(result.Item(), Is.EqualTo(total).Within(1e-12 * (1 + total)), $"total norm of order {normType}");
        for (int k = 0; k < count; k++)
        {
            if (grads[k] is not { } g) { Assert.That(ps[k].Grad, Is.Null); continue; }
            var actual = ps[k].Grad!.ToArray<double>();
            for (int i = 0; i < g.Length; i++) Assert.That(actual[i], Is.EqualTo(g[i] * coef).Within(1e-12), $"grad {k}[{i}]");
        }
    }

    [Test]
    public void ClipGradNormNonfinite()
    {
        var p = Tensor.Zeros([2], DType.Float64); p.RequiresGrad = true;
        p.Grad = Tensor.FromArray([double.PositiveInfinity, 1.0], 2);
        Assert.That(() => Utils.ClipGradNorm([p], 1, errorIfNonfinite: true),
            Throws.InvalidOperationException.With.Message.Contains("non-finite"));
        Assert.That(Utils.ClipGradNorm([p], 1).Item(), Is.EqualTo(double.PositiveInfinity));
        // PyTorch scales by max_norm / (inf + 1e-6) = 0: the finite element becomes 0, the infinite one NaN.
        var g = p.Grad!.ToArray<double>();
        Assert.That(double.IsNaN(g[0]) && g[1] == 0, $"{g[0]}, {g[1]}");
        Assert.That(Utils.ClipGradNorm([Tensor.Zeros([1])], 1).Item(), Is.EqualTo(0), "no gradient: norm 0");
    }

    [Test]
    public void ClipGradValueClamps()
    {
        var p = Tensor.Zeros([4], DType.Float64); p.RequiresGrad = true;
        p.Grad = Tensor.FromArray([-3.0, -0.5, 0.25, 7.0], 4);
        var q = Tensor.Zeros([1]); q.RequiresGrad = true;
        Utils.ClipGradValue([p, q], 1.0);
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new[] { -1.0, -0.5, 0.25, 1.0 }));
        Assert.That(q.Grad, Is.Null);
    }

    [Test]
    public void ParametersToVectorRoundTrip()
    {
        var a = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([7.0], 1);
        var c = Tensor.Zeros([0], DType.Float64);
        var v = Utils.ParametersToVector([a, c, b]);
        Assert.That(v.Shape.ToArray(), Is.EqualTo(new[] { 7 }));
        Assert.That(v.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3, 4, 5, 6, 7 }));
        Utils.VectorToParameters(v * 2.0, [a, c, b]);
        Assert.That(a.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6, 8, 10, 12 }));
        Assert.That(b.ToArray<double>(), Is.EqualTo(new[] { 14.0 }));
        Assert.That(() => Utils.VectorToParameters(Tensor.Zeros([5], DType.Float64), [a, b]), Throws.ArgumentException.With.Message.Contains("5 elements"));
        Assert.That(() => Utils.VectorToParameters(Tensor.Zeros([7, 1], DType.Float64), [a, b]), Throws.ArgumentException.With.Message.Contains("1-D"));
    }
}
