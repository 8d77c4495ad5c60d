namespace Pade.Engine.Autograd;

/// <summary>Records ops and runs reverse-mode differentiation.</summary>
public static class Graph
{
    /// <summary>
    /// Attaches a backward closure to an op's output if any input requires grad and grad mode is on. The closure
    /// receives dL/dy and returns dL/dx_i for each input (null where an input gets none); gradients of
    /// broadcast inputs are summed back to the input's shape here, once, rather than in every op.
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
        // Reverse topological order: a node runs after every consumer of its output has added its share.
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var node = order[k];
            if (!grads.Remove(node, out var g)) continue;
            var inputGrads = node.Apply(g);
            if (!retainGraph) node.Release();
            for (int i = 0; i < node.Inputs.Length; i++)
            {
                var x = node.Inputs[i];
                var gx = i < inputGrads.Length ? inputGrads[i] : null;
                if (gx == null || !x.RequiresGrad) continue;
                gx = gx.SumTo(x.ShapeArray);
                if (x.GradFn == null) Accumulate(x, gx);
                else if (grads.TryGetValue(x.GradFn, out var acc)) grads[x.GradFn] = acc + gx;
                else grads[x.GradFn] = gx;
            }
        }
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
