using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// L1, smooth L1, Huber and the two binary cross-entropies with PyTorch's arguments: values against the formulas of
/// PyTorch's documentation written as plain float64 loops, gradients of every differentiable operand (input, target,
/// weight, pos_weight) against central differences. Shapes include 0-d, size-1 dims, empty tensors and operands that
/// broadcast.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(RegressionLossArbitraries)], MaxTest = 150)]
public class RegressionLossProperties
{
    [FsCheck.NUnit.Property]
    public void L1Loss(DifferenceLossCase c)
    {
        CheckDifference("l1_loss", c, d => Math.Abs(d), (x, y) => Tensor.L1Loss(x, y, c.Reduction));
    }

    [FsCheck.NUnit.Property]
    public void SmoothL1Loss(DifferenceLossCase c)
    {
        double beta = c.Beta;
        // PyTorch's documentation: 0.5 d²/β if |d| < β, else |d| − 0.5 β; for β = 0 the L1 loss.
        double Smooth(double d) => beta == 0 ? Math.Abs(d) : Math.Abs(d) < beta ? 0.5 * d * d / beta : Math.Abs(d) - 0.5 * beta;
        CheckDifference($"smooth_l1_loss β={beta}", c, Smooth, (x, y) => Tensor.SmoothL1Loss(x, y, c.Reduction, beta));
    }

    [FsCheck.NUnit.Property]
    public void HuberLoss(DifferenceLossCase c)
    {
        double delta = c.Delta;
        double Huber(double d) => Math.Abs(d) < delta ? 0.5 * d * d : delta * (Math.Abs(d) - 0.5 * delta);
        CheckDifference($"huber_loss δ={delta}", c, Huber, (x, y) => Tensor.HuberLoss(x, y, c.Reduction, delta));
    }

    /// <summary>Huber with δ is δ times smooth L1 with β = δ (PyTorch's documentation says so).</summary>
    [FsCheck.NUnit.Property]
    public void HuberIsDeltaTimesSmoothL1(DifferenceLossCase c)
    {
        var huber = Tensor.HuberLoss(c.Input.Tensor(), c.Target.Tensor(), c.Reduction, c.Delta);
        var smooth = Tensor.SmoothL1Loss(c.Input.Tensor(), c.Target.Tensor(), c.Reduction, c.Delta) * c.Delta;
        Close(huber, Nd.Of(smooth), 1e-12, "huber vs δ·smooth_l1");
    }

    [FsCheck.NUnit.Property]
    public void BinaryCrossEntropy(BceCase c)
    {
        var p = Nd.Of(c.Input);
        var y = Nd.Of(c.Target);
        var w = c.Weight == null ? null : Nd.Of(c.Weight).BroadcastTo(p.Shape);
        var perElement = Nd.Build(p.Shape, i => Bce(p[i], y[i]) * (w?[i] ?? 1));
        Tensor Loss(Tensor[] xs) => Tensor.BinaryCrossEntropy(xs[0], xs[1], c.Weight == null ? null : xs[2], c.Reduction);
        Tensor[] Operands() => c.Weight == null ? [c.Input.Tensor(), c.Target.Tensor()] : [c.Input.Tensor(), c.Target.Tensor(), c.Weight.Tensor()];
        Close(Loss(Operands()), Reduced(perElement, c.Reduction), 1e-12, "binary_cross_entropy");
        Grad($"binary_cross_entropy {c.Reduction}", Loss, c.Seed, c.Reduction, Operands());
    }

    /// <summary>
    /// p = 0 and p = 1 exactly: the logs are clamped at −100 (PyTorch gives 100 for p = 0, y = 1), and the gradient
    /// stays finite: dL/dp = (p − y)/max(p(1 − p), ε) with PyTorch's ε, a float 1e-12, dL/dy = max(log(1 − p), −100) − max(log p, −100).
    /// </summary>
    [Test]
    public void BinaryCrossEntropyAtZeroAndOne()
    {
        double[] ps = [0, 0, 1, 1, 0, 1, 0.5], ys = [1, 0, 0, 1, 0.25, 0.75, 1];
        var p = Tensor.FromArray(ps);
        var y = Tensor.FromArray(ys);
        p.RequiresGrad = y.RequiresGrad = true;
        var l = Tensor.BinaryCrossEntropy(p, y, reduction: Reduction.None);
        Close(l, new Nd([ps.Length], ps.Select((v, i) => Bce(v, ys[i])).ToArray()), 1e-12, "bce at the ends");
        Assert.That(l.ToArray<double>()[..4], Is.EqualTo(new double[] { 100, 0, 100, 0 }));
        l.Sum().Backward();
        double Log(double v) => Math.Max(Math.Log(v), -100);
        Close(p.Grad!, new Nd([ps.Length], ps.Select((v, i) => (v - ys[i]) / Math.Max(v * (1 - v), (double)1e-12f)).ToArray()), 1e-12, "dL/dp");
        Close(y.Grad!, new Nd([ps.Length], ps.Select(v => Log(1 - v) - Log(v)).ToArray()), 1e-12, "dL/dy");
        Assert.That(p.Grad!.ToArray<double>().Concat(y.Grad!.ToArray<double>()), Is.All.Matches<double>(double.IsFinite));
    }

    [FsCheck.NUnit.Property]
    public void BinaryCrossEntropyWithLogits(BceLogitsCase c)
    {
        var x = Nd.Of(c.Input);
        var y = Nd.Of(c.Target);
        var w = c.Weight == null ? null : Nd.Of(c.Weight).BroadcastTo(x.Shape);
        var pw = c.PosWeight == null ? null : Nd.Of(c.PosWeight).BroadcastTo(x.Shape);
        // The textbook form, not the stable one the op uses: -w [pw·y·log σ(x) + (1 − y)·log(1 − σ(x))].
        var perElement = Nd.Build(x.Shape, i =>
        {
            double s = 1 / (1 + Math.Exp(-x[i]));
            return -(w?[i] ?? 1) * ((pw?[i] ?? 1) * y[i] * Math.Log(s) + (1 - y[i]) * Math.Log(1 - s));
        });
        var operands = new List<Spec> { c.Input, c.Target };
        if (c.Weight != null) operands.Add(c.Weight);
        if (c.PosWeight != null) operands.Add(c.PosWeight);
        int wi = 2, pwi = c.Weight == null ? 2 : 3;
        Tensor Loss(Tensor[] xs) => Tensor.BinaryCrossEntropyWithLogits(xs[0], xs[1],
            c.Weight == null ? null : xs[wi], c.PosWeight == null ? null : xs[pwi], c.Reduction);
        Close(Loss(operands.Select(s => s.Tensor()).ToArray()), Reduced(perElement, c.Reduction), 1e-11, "binary_cross_entropy_with_logits");
        Grad($"binary_cross_entropy_with_logits {c.Reduction}", Loss, c.Seed, c.Reduction, operands.Select(s => s.Tensor()).ToArray());
    }

    /// <summary>Logits far out: the stable form gives max(x, 0) − x·y + log(1 + e^(−|x|)) without overflow, and
    /// dL/dx = σ(x) − y stays finite.</summary>
    [Test]
    public void BinaryCrossEntropyWithLogitsIsStableForLargeLogits()
    {
        double[] xs = [-500, -50, 0, 50, 500, 800], ys = [1, 0, 0.5, 1, 0, 0.5];
        var x = Tensor.FromArray(xs);
        x.RequiresGrad = true;
        var l = Tensor.BinaryCrossEntropyWithLogits(x, Tensor.FromArray(ys), reduction: Reduction.None);
        var expected = xs.Select((v, i) => Math.Max(v, 0) - v * ys[i] + Math.Log(1 + Math.Exp(-Math.Abs(v)))).ToArray();
        Close(l, new Nd([xs.Length], expected), 1e-12, "bce with logits, large logits");
        l.Sum().Backward();
        var sigmoid = xs.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
        Close(x.Grad!, new Nd([xs.Length], sigmoid.Select((s, i) => s - ys[i]).ToArray()), 1e-12, "dL/dx");
    }

    /// <summary>−(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100)), PyTorch's BCELoss element.</summary>
    private static double Bce(double p, double y) => -(y * Math.Max(Math.Log(p), -100) + (1 - y) * Math.Max(Math.Log(1 - p), -100));

    /// <summary>The value against the reference loop on the broadcast pair, then the gradient of both operands.</summary>
    private static void CheckDifference(string op, DifferenceLossCase c, Func<double, double> f, Func<Tensor, Tensor, Tensor> loss)
    {
        var shape = Nd.BroadcastShape(c.Input.Shape, c.Target.Shape);
        var a = Nd.Of(c.Input).BroadcastTo(shape);
        var b = Nd.Of(c.Target).BroadcastTo(shape);
        var perElement = Nd.Build(shape, i => f(a[i] - b[i]));
        Close(loss(c.Input.Tensor(), c.Target.Tensor()), Reduced(perElement, c.Reduction), 1e-12, op);
        Grad($"{op} {c.Reduction}", xs => loss(xs[0], xs[1]), c.Seed, c.Reduction, c.Input.Tensor(), c.Target.Tensor());
    }

    /// <summary>
    /// The gradient against central differences; the mean of an empty loss is NaN for every value of the operands,
    /// so there the gradient is checked to be zero, a sum over nothing (PyTorch's too), even for a non-empty operand
    /// that broadcasts into the empty shape.
    /// </summary>
    private static void Grad(string op, Func<Tensor[], Tensor> f, ulong seed, Reduction reduction, params Tensor[] operands)
    {
        foreach (var x in operands) x.RequiresGrad = true;
        var y = f(operands);
        if (reduction != Reduction.Mean || !double.IsNaN(y.Item()))
        {
            Expect.Grad(op, f, seed, operands);
            return;
        }
        y.Backward();
        foreach (var x in operands)
            Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(0), $"{op}: the mean of nothing, no gradient");
    }

    /// <summary><see cref="Expect.Close"/>, and NaN exactly where expected (the mean of an empty loss), which a
    /// comparison with a tolerance alone would let through.</summary>
    private static void Close(Tensor actual, Nd expected, double tol, string what)
    {
        var v = actual.ToArray<double>();
        for (int i = 0; i < Math.Min(v.Length, expected.Data.Length); i++)
            Assert.That(double.IsNaN(v[i]), Is.EqualTo(double.IsNaN(expected.Data[i])), $"{what} element {i}: got {v[i]}, expected {expected.Data[i]}");
        Expect.Close(actual, expected, tol, tol, what);
    }

    /// <summary>PyTorch's reductions; the mean of no elements is 0/0 = NaN.</summary>
    private static Nd Reduced(Nd perElement, Reduction reduction) => reduction switch
    {
        Reduction.None => perElement,
        Reduction.Sum => new Nd([], [perElement.Data.Sum()]),
        _ => new Nd([], [perElement.Data.Sum() / perElement.Data.Length]),
    };
}
