using System.Diagnostics;

namespace Pade.Engine.Autograd;

/// <summary>Records ops and runs reverse-mode differentiation.</summary>
public static class Graph
{
    /// <summary>
    /// Profilers set this to receive each node and the time its backward took (then the gradient accumulation of
    /// its inputs, reported with a null node); null, the default, times nothing.
    /// </summary>
    public static Action<Node?, TimeSpan>? BackwardTimer { get; set; }

    /// <summary>
    /// Attaches a backward closure to an op's output if any input requires grad and grad mode is on. The closure
    /// receives dL/dy and returns dL/dx_i for each input (null where an input gets none); gradients of
    /// broadcast inputs are summed back to the input's shape here, once, rather than in every op.
    /// The gradients belong to the backward pass: it frees dL/dy once the closure has returned and no pending
    /// gradient shares its storage, so a closure returns fresh tensors or views of dL/dy, and one that keeps dL/dy
    /// beyond its return keeps a copy (Clone).
    /// </summary>
    public static Tensor Record(Tensor output, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, params Tensor[] saved)
    {
        if (!GradMode.IsEnabled) return output;
        bool any = false;
        foreach (var x in inputs) any |= x.RequiresGrad;
        if (!any) return output;
        output.GradFn = new Node(name, inputs, backward, saved);
        output.RequiresGrad = true;
        return output;
    }

    public static void Backward(Tensor root, Tensor? gradient, bool retainGraph)
    {
        bool userGradient = gradient != null;
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                $"Backward() called on a tensor of shape {Shapes.Format(root.Shape)} that does not require grad: " +
                "no input of the computation had RequiresGrad = true (or it ran under NoGrad)");
        if (gradient == null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException(
                    $"Backward() without a gradient needs a scalar output; this one has shape {Shapes.Format(root.Shape)}: pass the gradient explicitly");
            gradient = root.OnesLike();
        }
        else if (!Shapes.SameShape(gradient.Shape, root.Shape))
            throw new ArgumentException($"Backward(): gradient shape {Shapes.Format(gradient.Shape)} does not match output shape {Shapes.Format(root.Shape)}");
        // Checked here: a mismatch used to surface deep inside some op's backward, naming that op instead.
        else if (gradient.DType != root.DType || gradient.Device != root.Device)
            throw new ArgumentException(
                $"Backward(): gradient is {gradient.DType.TorchName()} on {gradient.Device}, the output {root.DType.TorchName()} on {root.Device}: convert it with .To(...)");

        using var _ = GradMode.Disable();
        if (root.GradFn == null) { Accumulate(root, gradient); return; }

        var order = TopologicalOrder(root.GradFn);
        var grads = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance) { [root.GradFn] = gradient };
        // The caller's gradient stays theirs; every other gradient is freed as soon as no pending one shares its
        // storage, so a step's gradient buffers go straight back to the pool (a ResNet's would otherwise wait for
        // the collector, and the pool would touch fresh pages in the meantime).
        var callers = userGradient ? gradient.Storage : null;
        var spent = new List<Tensor>();
        // Reverse topological order: a node runs after every consumer of its output has added its share.
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var node = order[k];
            if (!grads.Remove(node, out var g)) continue;
            var timer = BackwardTimer;
            long start = timer == null ? 0 : Stopwatch.GetTimestamp();
            var inputGrads = node.Apply(g);
            if (!retainGraph) node.Release();
            if (timer != null)
            {
                timer(node, Stopwatch.GetElapsedTime(start));
                start = Stopwatch.GetTimestamp();
            }
            spent.Add(g);
            for (int i = 0; i < node.Inputs.Length; i++)
            {
                var x = node.Inputs[i];
                var gx = i < inputGrads.Length ? inputGrads[i] : null;
                if (gx == null) continue;
                spent.Add(gx);
                if (!x.RequiresGrad) continue;
                gx = gx.SumTo(x.Shape);
                if (x.GradFn == null)
                {
                    // A leaf's first gradient is kept as it is when nothing else can reach its storage, saving
                    // the copy (a whole model's worth of weights per step); otherwise the leaf gets a copy.
                    var leaf = x.Leaf!;
                    if (leaf.Grad == null && gx.DType == leaf.DType && Owns(gx, i, inputGrads, grads, g, callers)) leaf.Grad = gx;
                    else { Accumulate(leaf, gx); spent.Add(gx); }
                }
                else if (grads.TryGetValue(x.GradFn, out var acc))
                {
                    grads[x.GradFn] = acc + gx;
                    spent.Add(acc);
                    spent.Add(gx);
                }
                else grads[x.GradFn] = gx;
            }
            foreach (var t in spent)
                if (!ReferenceEquals(t.Storage, callers) && !IsPending(grads, t.Storage) && !IsLeafGrad(node, t.Storage)) t.Dispose();
            spent.Clear();
            if (timer != null) timer(null, Stopwatch.GetElapsedTime(start));
        }
    }

    /// <summary>Whether a gradient still to be used shares this storage (a view of it, or the same tensor handed to
    /// several inputs, as add's backward does). The frontier of pending gradients is short: a linear scan.</summary>
    private static bool IsPending(Dictionary<Node, Tensor> grads, Storage storage)
    {
        foreach (var t in grads.Values)
            if (ReferenceEquals(t.Storage, storage)) return true;
        return false;
    }

    /// <summary>Whether <paramref name="gx"/>, the gradient of input <paramref name="index"/>, can become that leaf's
    /// Grad without a copy: a whole contiguous tensor whose storage no other gradient of the node, no pending
    /// gradient, the node's own gradient and the caller's gradient share.</summary>
    private static bool Owns(Tensor gx, int index, Tensor?[] inputGrads, Dictionary<Node, Tensor> grads, Tensor g, Storage? callers)
    {
        var storage = gx.Storage;
        if (!gx.IsContiguous || gx.Offset != 0 || storage.Length != gx.Numel) return false;
        if (ReferenceEquals(storage, callers) || ReferenceEquals(storage, g.Storage) || IsPending(grads, storage)) return false;
        for (int j = 0; j < inputGrads.Length; j++)
            if (j != index && inputGrads[j] is { } other && ReferenceEquals(other.Storage, storage)) return false;
        return true;
    }

    /// <summary>Whether a leaf input of the node took this storage as its Grad (see <see cref="Owns"/>).</summary>
    private static bool IsLeafGrad(Node node, Storage storage)
    {
        foreach (var x in node.Inputs)
            if (x.Leaf?.Grad is { } grad && ReferenceEquals(grad.Storage, storage)) return true;
        return false;
    }

    /// <summary>Leaves keep their own copy of the gradient, summed over backward passes until ZeroGrad.</summary>
    private static void Accumulate(Tensor leaf, Tensor g)
    {
        if (g.DType != leaf.DType) g = g.To(leaf.DType);
        if (leaf.Grad == null) leaf.Grad = g.Clone();
        else leaf.Grad.Add_(g);
    }

    /// <summary>Depth-first post-order with an explicit stack: a 100-layer ResNet must not overflow the call stack.</summary>
    private static List<Node> TopologicalOrder(Node root)
    {
        var order = new List<Node>();
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = node.Inputs[next].GradFn;
                if (child != null && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(node);
        }
        return order;
    }
}
