using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>Reductions over any set of axes, with or without keeping them as size-1 dims.</summary>
public sealed partial class Tensor
{
    private Tensor ReduceForward(ReduceOp op, int[] axes)
    {
        var x = Contiguous();
        var keptShape = ShapeCopy();
        foreach (var a in axes) keptShape[a] = 1;
        var y = Empty(keptShape, DType, Device);
        if (Numel == 0) { Backend.Fill(y, op == ReduceOp.Prod ? 1 : 0); return y; }   // the empty sum is 0, the empty product 1
        Backend.Reduce(op, x, axes, y);
        return y;
    }

    private int[] DropAxes(int[] axes) => _shape.Where((_, i) => !axes.Contains(i)).ToArray();

    /// <summary>y = Σ x over axes (all by default). dy/dx = 1: the gradient is broadcast back.</summary>
    public Tensor Sum(int[]? axes = null, bool keepDim = false)
    {
        // int32 sums go through float64 (exact below 2⁵³) and stay int32 (PyTorch's are int64; Pade has no int64).
        if (DType == DType.Int32) return To(DType.Float64).Sum(axes, keepDim).To(DType.Int32);
        Ops.CheckFloating("sum", this);
        var ax = Shapes.NormalizeAxes("sum", axes, Rank);
        var kept = ReduceForward(ReduceOp.Sum, ax);
        var y = keepDim ? kept : kept.Detach().Reshape(DropAxes(ax));
        var inShape = _shape;
        var keptShape = kept.ShapeCopy();
        return Graph.Record(y, "sum", [this], g => [g.Reshape(keptShape).Expand(inShape)]);
    }

    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>y = mean of x over axes. dy/dx = 1/count. The mean of no elements is NaN, as in PyTorch.</summary>
    public Tensor Mean(int[]? axes = null, bool keepDim = false)
    {
        // As PyTorch's mean(): an integer tensor has no mean dtype to infer (count with Sum, or convert first).
        if (DType == DType.Int32)
            throw new ArgumentException("mean: could not infer the output dtype of int32; convert first, e.g. x.To(DType.Float32).Mean()");
        var ax = Shapes.NormalizeAxes("mean", axes, Rank);
        long count = ax.Aggregate(1L, (c, a) => c * _shape[a]);
        return Sum(ax, keepDim).MulScalar(count == 0 ? double.NaN : 1.0 / count);
    }

    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>y = max of x over axes. The gradient goes to the maximal elements (shared equally between ties).</summary>
    public Tensor Max(int[]? axes = null, bool keepDim = false) => Extreme(ReduceOp.Max, "max", axes, keepDim);

    public Tensor Max(int axis, bool keepDim = false) => Max([axis], keepDim);

    /// <summary>y = min of x over axes, gradient as for max.</summary>
    public Tensor Min(int[]? axes = null, bool keepDim = false) => Extreme(ReduceOp.Min, "min", axes, keepDim);

    public Tensor Min(int axis, bool keepDim = false) => Min([axis], keepDim);

    private Tensor Extreme(ReduceOp op, string name, int[]? axes, bool keepDim)
    {
        if (DType == DType.Int32) return To(DType.Float64).Extreme(op, name, axes, keepDim).To(DType.Int32);
        Ops.CheckFloating(name, this);
        var ax = Shapes.NormalizeAxes(name, axes, Rank);
        // An empty tensor reduces to an empty result over axes that have elements (as in PyTorch); over an axis of
        // size 0 the extreme of no elements is undefined.
        if (ax.FirstOrDefault(a => _shape[a] == 0, -1) is var empty and >= 0)
            throw new InvalidOperationException($"{name}: reduction over axis {empty} of size 0 of a tensor of shape {Shapes.Format(_shape)}: the {name} of no elements is undefined");
        var kept = ReduceForward(op, ax);
        var y = keepDim ? kept : kept.Detach().Reshape(DropAxes(ax));
        var keptShape = kept.ShapeCopy();
        return Graph.Record(y, name, [this], g =>
        {
            var mask = Compare(BinaryOp.Equal, this, kept);
            var count = mask.Sum(ax, keepDim: true);
            return [mask * (g.Reshape(keptShape) / count)];
        }, this, kept);
    }

    /// <summary>Index of the (first) maximum along an axis, as an Int32 tensor. Not differentiable.</summary>
    public Tensor ArgMax(int axis = -1, bool keepDim = false)
    {
        if (DType == DType.Int32) return To(DType.Float64).ArgMax(axis, keepDim);
        if (Shapes.IsScalarAxis(axis, Rank)) return Zeros([], DType.Int32, Device);
        int a = Shapes.NormalizeAxis("argmax", axis, Rank);
        if (_shape[a] == 0)
            throw new InvalidOperationException($"argmax: axis {a} of a tensor of shape {Shapes.Format(_shape)} has size 0: the argmax of no elements is undefined");
        var shape = ShapeCopy();
        shape[a] = 1;
        var y = Empty(shape, DType.Int32, Device);
        if (y.Numel > 0) Backend.ArgMax(Contiguous(), a, y);
        return keepDim ? y : y.Reshape(DropAxes([a]));
    }
}
