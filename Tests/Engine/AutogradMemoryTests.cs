using System.Runtime.CompilerServices;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;

namespace Pade.Tests.Engine;

/// <summary>
/// What the graph keeps alive and what the backward pass frees: a node holds its inputs' edges, not the tensors;
/// ReLU, sigmoid and tanh save only their output; a gradient is disposed once its node has used it and nothing
/// pending shares its storage; a leaf's first gradient is kept without a copy unless something else can reach it.
/// These are what bring a ResNet-101 step's peak memory down (bench/results, layers).
/// </summary>
public class AutogradMemoryTests
{
    private static Tensor Leaf(params double[] v)
    {
        var t = Tensor.FromArray(v, v.Length);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Runs <paramref name="op"/> on an intermediate h = 2x and returns the op's output and a weak
    /// reference to h; in a method of its own so that no local of the caller keeps h alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Tensor Y, WeakReference H) Through(Tensor x, Func<Tensor, Tensor> op)
    {
        var h = x * 2.0;
        return (op(h), new WeakReference(h));
    }

    private static bool Collected(WeakReference w)
    {
        for (int i = 0; i < 3 && w.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return !w.IsAlive;
    }

    [TestCase("relu")]
    [TestCase("sigmoid")]
    [TestCase("tanh")]
    [TestCase("mul_scalar")]
    public void AnInputThatTheBackwardDoesNotNeedIsNotKeptAlive(string name)
    {
        Func<Tensor, Tensor> op = name switch
        {
            "relu" => t => t.Relu(),
            "sigmoid" => t => t.Sigmoid(),
            "tanh" => t => t.Tanh(),
            _ => t => t * 3.0,
        };
        double[] values = [-1.5, -0.25, 0.5, 2];
        var x = Leaf(values);
        var (y, h) = Through(x, op);
        Assert.That(Collected(h), Is.True, $"{name}'s graph still holds its input");
        y.Sum().Backward();
        // The gradient is the same as the closed form of the composition with h = 2x.
        double[] expected = values.Select(v =>
        {
            double u = 2 * v;
            return 2 * name switch
            {
                "relu" => u > 0 ? 1.0 : 0.0,
                "sigmoid" => Math.Exp(-u) / Math.Pow(1 + Math.Exp(-u), 2),
                "tanh" => 1 - Math.Tanh(u) * Math.Tanh(u),
                _ => 3.0,
            };
        }).ToArray();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void ReluBackwardFromItsOutputMatchesTheInputsSign()
    {
        // y > 0 exactly where x > 0, the kink (x = 0) and negative zero included: the gradient there is 0, as PyTorch's.
        var x = Leaf(-2, -0.0, 0, 1e-300, 3);
        x.Relu().Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0, 1, 1 }));
    }

    /// <summary>An op that stashes the gradient it receives, which the backward pass then frees: how the test sees
    /// what was freed. (A real closure that keeps its gradient must keep a copy.)</summary>
    private static Tensor Stashing(Tensor x, List<Tensor> seen) =>
        Graph.Record(x * 1.0, "stash", [x], g =>
        {
            seen.Add(g);
            return [g * 1.0];
        });

    [Test]
    public void AGradientIsFreedOnceItsNodeHasUsedIt()
    {
        var x = Leaf(1, 2, 3);
        var seen = new List<Tensor>();
        var y = Stashing(Stashing(x, seen) * 2.0, seen);
        y.Sum().Backward();
        Assert.That(seen, Has.Count.EqualTo(2));
        Assert.That(seen.Select(g => g.Storage.IsDisposed), Is.All.True);
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 2, 2 }));
    }

    [Test]
    public void TheCallersGradientIsNotFreed()
    {
        var x = Leaf(1, 2);
        var seen = new List<Tensor>();
        var y = Stashing(x, seen);
        var dy = Tensor.FromArray([5.0, 7], 2);
        y.Backward(dy);
        Assert.That(dy.Storage.IsDisposed, Is.False);
        Assert.That(dy.ToArray<double>(), Is.EqualTo(new[] { 5.0, 7 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 5.0, 7 }));
    }

    [Test]
    public void AGradientSharedByTwoPathsLivesUntilBothUsedIt()
    {
        // add's backward hands the same tensor to both of its inputs: the first path must not free the second's.
        var x = Leaf(1, -2);
        var a = x * 3.0;
        var b = x.Square();
        (a + b).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3 + 2.0, 3 - 4.0 }));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TwoLeavesGivenTheSameGradientGetTheirOwnCopies(bool fresh)
    {
        // add hands both inputs its own gradient; the custom op hands both the same fresh tensor.
        var a = Leaf(1, 2);
        var b = Leaf(3, 4);
        var y = fresh
            ? Graph.Record(a + b, "same_fresh", [a, b], g => { var t = g * 1.0; return [t, t]; })
            : a + b;
        y.Sum().Backward();
        Assert.That(a.Grad!.Storage, Is.Not.SameAs(b.Grad!.Storage));
        a.Grad.Add_(Tensor.FromArray([10.0, 10], 2));
        Assert.That(b.Grad.ToArray<double>(), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void ALeafAndAPendingPathGivenTheSameGradientDoNotShareIt()
    {
        // x feeds the add directly (a leaf) and through 2x (a pending node): x.Grad must not be the add's gradient,
        // which the other path still reads and the pass then frees.
        var x = Leaf(1, 2);
        (x + x * 2.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3.0, 3 }));
        Assert.That(x.Grad.Storage.IsDisposed, Is.False);
    }

    [Test]
    public void ALeafsFirstGradientIsKeptWithoutACopy()
    {
        var w = Leaf(1, 2, 3);
        Tensor? returned = null;
        var y = Graph.Record(w * 1.0, "fresh", [w], g =>
        {
            returned = g * 4.0;
            return [returned];
        });
        y.Sum().Backward();
        Assert.That(w.Grad, Is.SameAs(returned));
        Assert.That(w.Grad!.Storage.IsDisposed, Is.False);
        // A second pass accumulates into it, as before.
        var y2 = Graph.Record(w * 1.0, "fresh", [w], g => [g * 4.0]);
        y2.Sum().Backward();
        Assert.That(w.Grad.ToArray<double>(), Is.EqualTo(new[] { 8.0, 8, 8 }));
    }

    [Test]
    public void RetainedGraphsRunTwiceWithTheGradientsFreedBetween()
    {
        var x = Leaf(0.5, -1);
        var y = (x * x).Relu() + x.Tanh();
        var dy = Tensor.FromArray([1.0, 2], 2);
        y.Backward(dy, retainGraph: true);
        double[] once = x.Grad!.ToArray<double>();
        y.Backward(dy);
        Assert.That(x.Grad.ToArray<double>(), Is.EqualTo(once.Select(v => 2 * v).ToArray()).Within(1e-12));
    }
}
