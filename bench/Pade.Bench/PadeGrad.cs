using Pade.Engine;
using Pade.Engine.Autograd;

namespace Pade.Bench;

/// <summary>
/// Pade's counterpart of <c>torch.autograd.grad</c> for the benchmarks. Pade has only <see cref="Tensor.Backward"/>,
/// which stores a leaf's gradient in <see cref="Tensor.Grad"/> (a copy of it the first time, an add after), a cost
/// <c>torch.autograd.grad</c> does not pay. So a measured input is a fresh non-leaf view of the data, recorded as the
/// output of a "bench_input" op whose backward receives the input's gradient (computed by the op under test, exactly
/// as it would be inside a network) and hands it on instead of storing it.
/// </summary>
public static class PadeGrad
{
    /// <summary>A one-element leaf that requires grad: the recorded input of every bench_input node, so the graph
    /// records the node. It never receives a gradient (the nodes return none).</summary>
    static readonly Tensor Anchor = MakeAnchor();

    static Tensor MakeAnchor()
    {
        var t = Tensor.Zeros(1);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>A view of <paramref name="data"/> whose gradient is freed as soon as it is computed, as a torch
    /// dispose scope frees what <c>autograd.grad</c> returned. Call it once per graph (a node runs once per backward
    /// unless the graph is retained). Only for inputs whose gradient is a fresh tensor of the op under test, as with
    /// every op measured here (activations, conv2d): an input fed straight into an add would get the very tensor
    /// its sibling input gets (add's backward returns g twice), and freeing it would break the sibling.</summary>
    public static Tensor Discarding(Tensor data) =>
        Graph.Record(data.Detach(), "bench_input", [Anchor], g =>
        {
            g.Dispose();
            return [null];
        });

    /// <summary>A view of <paramref name="data"/> whose gradient is passed to <paramref name="receive"/> (the
    /// per-layer profile chains layers through it). A copy: the backward pass frees the gradients it hands to the
    /// nodes once they return.</summary>
    public static Tensor Capturing(Tensor data, Action<Tensor> receive) =>
        Graph.Record(data.Detach(), "bench_input", [Anchor], g =>
        {
            receive(g.Clone());
            return [null];
        });
}
