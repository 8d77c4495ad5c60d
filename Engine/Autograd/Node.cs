namespace Pade.Engine.Autograd;

/// <summary>
/// One recorded op: where the gradients of its inputs go and the closure that maps the gradient of its output to
/// them (closed form, written next to the forward in the op). The tensors the closure needs are listed as saved,
/// with their storage versions, so an in-place write after the forward is caught instead of giving wrong
/// gradients. After a backward pass without retainGraph the closure and the saved list are dropped, freeing what
/// they held.
/// </summary>
public sealed class Node
{
    private Func<Tensor, Tensor?[]>? _backward;
    private (Tensor Tensor, int Version)[] _saved;

    internal Node(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Tensor[] saved)
    {
        Name = name;
        Inputs = inputs.Select(NodeInput.Of).ToArray();
        _backward = backward;
        _saved = saved.Select(t => (t, t.Storage.Version)).ToArray();
    }

    public string Name { get; }
    public NodeInput[] Inputs { get; }
    public bool IsReleased => _backward == null;

    internal Tensor?[] Apply(Tensor gradOutput)
    {
        var f = _backward ?? throw new InvalidOperationException(
            $"backward through '{Name}' a second time: its saved tensors were freed after the first Backward(); " +
            "call Backward(retainGraph: true) the first time if you need to go through the graph twice");
        for (int i = 0; i < _saved.Length; i++)
        {
            var (t, v) = _saved[i];
            if (t.Storage.Version != v)
                throw new InvalidOperationException(
                    $"one of the tensors needed to compute the gradient of '{Name}' (saved tensor {i}, shape {Shapes.Format(t.Shape)}) " +
                    $"was modified by an in-place operation: it is at version {t.Storage.Version}, expected version {v}");
        }
        return f(gradOutput);
    }

    internal void Release()
    {
        _backward = null;
        _saved = [];
    }

    public override string ToString() => $"<{Name}Backward>";
}

/// <summary>
/// What the backward pass needs of one input of a node: the node that produced it (its gradient goes there), or,
/// for a leaf that requires grad, the leaf itself (its gradient is stored in it), and its shape (a broadcast
/// input's gradient is summed back to it). An intermediate result is not held, as in PyTorch's graph: once no op
/// saved it for its backward and the caller dropped it, its buffer can go back to the pool while the graph lives.
/// </summary>
public readonly record struct NodeInput(Node? GradFn, Tensor? Leaf, int[] Shape, DType DType)
{
    internal static NodeInput Of(Tensor x) =>
        new(x.GradFn, x.GradFn == null && x.RequiresGrad ? x : null, x.ShapeArray, x.DType);

    /// <summary>Whether a gradient flows into this input: it was made by a recorded op, or it is a leaf that still
    /// requires grad.</summary>
    public bool RequiresGrad => GradFn != null || Leaf?.RequiresGrad == true;
}
