using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>concat, stack, pad, softmax, log-softmax and cross-entropy / NLL with their defaults: forward against
/// plain loops, backward against central differences (the losses' other arguments: <see cref="LossProperties"/>).</summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class StructureLossProperties
{
    [FsCheck.NUnit.Property]
    public void Concat(JoinCase c)
    {
        Expect.Exact(Tensor.Concat(c.Parts.Select(p => p.Tensor()).ToArray(), c.Axis), Nd.Concat(c.Parts.Select(Nd.Of).ToArray(), c.Axis), "concat");
        Expect.Grad("concat", xs => Tensor.Concat(xs, c.Axis), c.Seed, c.Parts.Select(p => p.Tensor()).ToArray());
    }

    /// <summary>torch.cat's legacy rule: a 1-D empty tensor joins parts of any rank (skipped), here among random parts
    /// at random places; it still promotes the result's dtype, as torch.cat does.</summary>
    [FsCheck.NUnit.Property]
    public void ConcatSkipsOneDimensionalEmptyTensors(JoinCase c, int where, bool wide)
    {
        if (c.Parts[0].Rank == 1) return;   // among 1-D parts [0] is an ordinary part
        var parts = c.Parts.Select(p => p.Tensor()).ToList();
        parts.Insert((int)((uint)where % (parts.Count + 1)), Tensor.Zeros(0).To(wide ? DType.Float64 : DType.Float32));
        var y = Tensor.Concat(parts.ToArray(), c.Axis);
        Expect.Exact(y, Nd.Concat(c.Parts.Select(Nd.Of).ToArray(), c.Axis), "concat with [0]");
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        Expect.Grad("concat with [0]", xs => Tensor.Concat([Tensor.Zeros(0).To(DType.Float64), .. xs], c.Axis), c.Seed, c.Parts.Select(p => p.Tensor()).ToArray());
    }

    [FsCheck.NUnit.Property]
    public void Stack(StackCase c)
    {
        var shape = c.Parts[0].Shape.ToList();
        shape.Insert(c.Axis, c.Parts.Length);
        var expected = Nd.Build(shape.ToArray(), i =>
        {
            var rest = i.ToList();
            int which = rest[c.Axis];
            rest.RemoveAt(c.Axis);
            return Nd.Of(c.Parts[which])[rest.ToArray()];
        });
        Expect.Exact(Tensor.Stack(c.Parts.Select(p => p.Tensor()).ToArray(), c.Axis), expected, "stack");
        Expect.Grad("stack", xs => Tensor.Stack(xs, c.Axis), c.Seed, c.Parts.Select(p => p.Tensor()).ToArray());
    }

    [FsCheck.NUnit.Property]
    public void Pad(PadCase c)
    {
        Expect.Exact(c.X.Tensor().Pad(c.Pads, c.Value), Nd.Of(c.X).Pad(c.Pads, c.Value), "pad");
        Expect.Grad("pad", xs => xs[0].Pad(c.Pads, c.Value), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void Softmax(AxisCase c)
    {
        Expect.Close(c.X.Tensor().Softmax(c.Axis), Nd.Of(c.X).Softmax(c.Axis, log: false), 1e-15, 1e-13, "softmax");
        Expect.Grad("softmax", xs => xs[0].Softmax(c.Axis), c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void LogSoftmax(AxisCase c)
    {
        Expect.Close(c.X.Tensor().LogSoftmax(c.Axis), Nd.Of(c.X).Softmax(c.Axis, log: true), 1e-13, 1e-13, "log_softmax");
        Expect.Grad("log_softmax", xs => xs[0].LogSoftmax(c.Axis), c.Seed, c.X.Tensor());
    }

    /// <summary>With and without label smoothing (the generator draws ε = 0 half the time).</summary>
    [FsCheck.NUnit.Property]
    public void CrossEntropy(ClassificationCase c)
    {
        var targets = Tensor.FromArray(c.Targets, c.Targets.Length);
        var loss = Tensor.CrossEntropy(c.Logits.Tensor(), targets, labelSmoothing: c.Smoothing);
        Assert.That(loss.Rank, Is.EqualTo(0));
        Assert.That(loss.Item(), Is.EqualTo(Nd.CrossEntropy(Nd.Of(c.Logits), c.Targets, c.Smoothing)).Within(1e-12));
        Expect.Grad($"cross_entropy ε={c.Smoothing}", xs => Tensor.CrossEntropy(xs[0], targets, labelSmoothing: c.Smoothing), c.Seed, c.Logits.Tensor());
        // The fused loss equals the composition it replaces.
        Expect.Grad("log_softmax + nll", xs => Tensor.NllLoss(xs[0].LogSoftmax(1), targets), c.Seed, c.Logits.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void NllLoss(ClassificationCase c)
    {
        var targets = Tensor.FromArray(c.Targets, c.Targets.Length);
        double expected = -c.Targets.Select((t, r) => Nd.Of(c.Logits)[[r, t]]).Average();
        Assert.That(Tensor.NllLoss(c.Logits.Tensor(), targets).Item(), Is.EqualTo(expected).Within(1e-12));
        Expect.Grad("nll_loss", xs => Tensor.NllLoss(xs[0], targets), c.Seed, c.Logits.Tensor());
    }

    /// <summary>Large logits: the max-subtraction keeps softmax and cross-entropy finite.</summary>
    [Test]
    public void SoftmaxAndCrossEntropyAreStableForLargeLogits()
    {
        var x = Tensor.FromArray([1000.0, 0.0, -1000.0, 999.0], 1, 4);
        var s = x.Softmax().ToArray<double>();
        Assert.That(s.All(double.IsFinite), Is.True);
        Assert.That(s[0], Is.EqualTo(1 / (1 + Math.Exp(-1))).Within(1e-12));
        var loss = Tensor.CrossEntropy(x, Tensor.FromArray([2], 1)).Item();
        Assert.That(loss, Is.EqualTo(2000 + Math.Log(1 + Math.Exp(-1))).Within(1e-9));
    }
}
