using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// Cross-entropy, NLL and MSE with PyTorch's arguments (weight, ignore_index, reduction, label smoothing,
/// probability targets, [N, C, d1, ...] inputs): values against the formulas of PyTorch's documentation, written
/// as plain loops, and gradients against central differences.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries), typeof(LossArbitraries)], MaxTest = 150)]
public class LossProperties
{
    [FsCheck.NUnit.Property]
    public void CrossEntropy(ClassLossCase c)
    {
        var logp = Nd.Of(c.Logits).Softmax(c.ClassAxis, log: true);
        Tensor Loss(Tensor x) => Tensor.CrossEntropy(x, c.TargetTensor(), c.WeightTensor(), c.IgnoreIndex, c.Reduction, c.Smoothing);
        Check("cross_entropy", c, Loss, ClassReference(c, logp, c.Smoothing));
    }

    [FsCheck.NUnit.Property]
    public void NllLoss(ClassLossCase c)
    {
        // The input is taken as log-probabilities as it is: any values will do.
        Tensor Loss(Tensor x) => Tensor.NllLoss(x, c.TargetTensor(), c.WeightTensor(), c.IgnoreIndex, c.Reduction);
        Check("nll_loss", c, Loss, ClassReference(c, Nd.Of(c.Logits), smoothing: 0));
    }

    /// <summary>The composition PyTorch documents: cross_entropy = nll_loss(log_softmax(x, 1)) without smoothing.</summary>
    [FsCheck.NUnit.Property]
    public void CrossEntropyIsNllOfLogSoftmax(ClassLossCase c)
    {
        if (c.AllIgnored && c.Reduction == Reduction.Mean) return;
        var t = c.TargetTensor();
        var fused = Tensor.CrossEntropy(c.Logits.Tensor(), t, c.WeightTensor(), c.IgnoreIndex, c.Reduction);
        var composed = Tensor.NllLoss(c.Logits.Tensor().LogSoftmax(c.ClassAxis), t, c.WeightTensor(), c.IgnoreIndex, c.Reduction);
        Expect.Close(fused, Nd.Of(composed), 1e-12, 1e-12, "cross_entropy vs nll_loss(log_softmax)");
    }

    [FsCheck.NUnit.Property]
    public void CrossEntropyWithProbabilityTargets(ProbabilityLossCase c)
    {
        int axis = c.ClassAxis, classes = c.Logits.Shape[axis];
        var logp = Nd.Of(c.Logits).Softmax(axis, log: true);
        var q = Nd.Of(c.Probabilities);
        var outShape = c.Logits.Shape.Where((_, i) => i != axis).ToArray();
        var perElement = Nd.Build(outShape, pos =>
        {
            double l = 0;
            for (int k = 0; k < classes; k++)
            {
                var at = WithClass(pos, axis, k);
                l -= (c.Weight?[k] ?? 1) * ((1 - c.Smoothing) * q[at] + c.Smoothing / classes) * logp[at];
            }
            return l;
        });
        var expected = Reduced(perElement, c.Reduction, perElement.Data.Length);
        Tensor Loss(Tensor[] xs) => Tensor.CrossEntropy(xs[0], xs[1], c.WeightTensor(), reduction: c.Reduction, labelSmoothing: c.Smoothing);
        Expect.Close(Loss([c.Logits.Tensor(), c.Probabilities.Tensor()]), expected, 1e-12, 1e-12, "cross_entropy (probabilities)");
        Expect.Grad("cross_entropy (probabilities)", Loss, c.Seed, c.Logits.Tensor(), c.Probabilities.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void MseLoss(MseCase c)
    {
        var shape = Nd.BroadcastShape(c.Input.Shape, c.Target.Shape);
        var a = Nd.Of(c.Input).BroadcastTo(shape);
        var b = Nd.Of(c.Target).BroadcastTo(shape);
        var perElement = Nd.Build(shape, i => (a[i] - b[i]) * (a[i] - b[i]));
        Expect.Close(Tensor.MseLoss(c.Input.Tensor(), c.Target.Tensor(), c.Reduction), Reduced(perElement, c.Reduction, perElement.Data.Length), 1e-12, 1e-12, "mse_loss");
        Expect.Grad($"mse_loss {c.Reduction}", xs => Tensor.MseLoss(xs[0], xs[1], c.Reduction), c.Seed, c.Input.Tensor(), c.Target.Tensor());
    }

    /// <summary>Compares the value with <paramref name="expected"/>, then the gradient with central differences; a
    /// mean over only ignored targets is NaN with a zero gradient, as in PyTorch.</summary>
    private static void Check(string op, ClassLossCase c, Func<Tensor, Tensor> loss, Nd expected)
    {
        var x = c.Logits.Tensor();
        x.RequiresGrad = true;
        var y = loss(x);
        if (c.AllIgnored && c.Reduction == Reduction.Mean)
        {
            Assert.That(y.Item(), Is.NaN, $"{op}: the mean over no target");
            y.Backward();
            Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(0), $"{op}: no target, no gradient");
            return;
        }
        Expect.Close(y, expected, 1e-12, 1e-12, op);
        Expect.Grad($"{op} {c.Reduction} ε={c.Smoothing}", xs => loss(xs[0]), c.Seed, c.Logits.Tensor());
    }

    /// <summary>
    /// PyTorch's class-index loss from log-probabilities, element by element:
    /// lₙ = -(1-ε) w[tₙ] logp[tₙ] - (ε/C) Σ_k w[k] logp[k], 0 for an ignored target; the mean divides by Σ w[tₙ].
    /// </summary>
    private static Nd ClassReference(ClassLossCase c, Nd logp, double smoothing)
    {
        int axis = c.ClassAxis, classes = c.Classes;
        var shape = c.TargetShape;
        double totalWeight = 0;
        var perElement = new double[c.Targets.Length];
        for (int i = 0; i < perElement.Length; i++)
        {
            int t = c.Targets[i];
            if (t == c.IgnoreIndex) continue;
            var pos = Nd.Unravel(i, shape);
            double w(int k) => c.Weight?[k] ?? 1;
            double smooth = 0;
            for (int k = 0; k < classes; k++) smooth += w(k) * logp[WithClass(pos, axis, k)];
            perElement[i] = -(1 - smoothing) * w(t) * logp[WithClass(pos, axis, t)] - smoothing / classes * smooth;
            totalWeight += w(t);
        }
        return Reduced(new Nd(shape, perElement), c.Reduction, totalWeight);
    }

    private static Nd Reduced(Nd perElement, Reduction reduction, double count) => reduction switch
    {
        Reduction.None => perElement,
        Reduction.Sum => new Nd([], [perElement.Data.Sum()]),
        _ => new Nd([], [perElement.Data.Sum() / count]),
    };

    /// <summary>The logits' index of class k at a target position (the class axis inserted).</summary>
    private static int[] WithClass(int[] pos, int axis, int k)
    {
        var at = pos.ToList();
        at.Insert(axis, k);
        return at.ToArray();
    }
}
