namespace Pade.Engine.Autograd;

/// <summary>
/// One recorded op: its inputs and the closure that maps the gradient of its output to the gradients of its
/// inputs (closed form, written next to the forward in the op). The tensors the closure needs are listed as
/// saved, with their storage versions, so an in-place write after the forward is caught instead of giving wrong
/// gradients. After a backward pass without retainGraph the closure is dropped, freeing what it captured.
/// </summary>
public sealed class Node
{
    private Func<Tensor, Tensor?[]>? _backward;
    private readonly (Tensor Tensor, int Version)[] _saved;

    internal Node(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Tensor[] saved)
    {
        Name = name;
        Inputs = inputs;
        _backward = backward;
        _saved = saved.Select(t => (t, t.Storage.Version)).ToArray();
    }

    public string Name { get; }
    public Tensor[] Inputs { get; }
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

    internal void Release() => _backward = null;

    public override string ToString() => $"<{Name}Backward>";
}
