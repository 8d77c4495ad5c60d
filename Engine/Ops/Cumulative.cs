using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>torch.cumsum and torch.prod: the backend's scan (<see cref="Backend.Scan"/>) and product reduction, each
/// one recorded op with its closed-form backward.</summary>
public sealed partial class Tensor
{
    /// <summary>y[.., k, ..] = Σ_{j ≤ k} x[.., j, ..] along <paramref name="dim"/> (torch.cumsum; negative dims count
    /// from the end, a 0-d tensor takes 0 or −1). dL/dx[k] = Σ_{j ≥ k} g[j]: the gradient's cumsum from the end. int32
    /// goes through float64 and stays int32 (PyTorch's is int64; Pade has no int64).</summary>
    public Tensor Cumsum(int dim)
    {
        if (DType == DType.Int32) return To(DType.Float64).Cumsum(dim).To(DType.Int32);
        Ops.CheckFloating("cumsum", this);
        if (Shapes.IsScalarAxis(dim, Rank)) return Reshape(1).Cumsum(0).Reshape([]);
        return CumsumAlong(DimOf("cumsum", dim), reverse: false);
    }

    /// <summary>The cumulative sum from the start or from the end; each is the other's backward (so a second
    /// derivative goes through the same op).</summary>
    private Tensor CumsumAlong(int axis, bool reverse) =>
        Graph.Record(ScanForward(ReduceOp.Sum, axis, reverse, exclusive: false), "cumsum", [this], g => [g.CumsumAlong(axis, !reverse)]);

    /// <summary>dim in [−rank, rank): as an axis, or PyTorch's out-of-range error, with the shape.</summary>
    private int DimOf(string op, int dim) => dim >= -Rank && dim < Rank ? (dim < 0 ? dim + Rank : dim)
        : throw new ArgumentOutOfRangeException(nameof(dim),
            $"{op}: dim {dim} is out of range for a tensor of shape {Shapes.Format(_shape)} (expected to be in [{-Math.Max(1, Rank)}, {Math.Max(1, Rank) - 1}])");

    private Tensor ScanForward(ReduceOp op, int axis, bool reverse, bool exclusive)
    {
        var x = Contiguous();
        var y = x.EmptyLike();
        Backend.Scan(op, x, axis, y, reverse, exclusive);
        return y;
    }

    /// <summary>
    /// y = Π x along <paramref name="dim"/> (torch.prod; keepDim as its keepdim). The product of no elements is 1.
    /// dL/dx[k] = g · Π_{j ≠ k} x[j], formed as the exclusive cumulative product from the start times the one from the
    /// end: no division by x, so a slice with one zero gives its zero the product of the others and a slice with
    /// several zeros gives 0 everywhere, as PyTorch's prod_backward. int32 goes through float64 and stays int32.
    /// </summary>
    public Tensor Prod(int dim, bool keepDim = false)
    {
        if (DType == DType.Int32) return To(DType.Float64).Prod(dim, keepDim).To(DType.Int32);
        Ops.CheckFloating("prod", this);
        if (Shapes.IsScalarAxis(dim, Rank)) return Reshape(1).Prod(0).Reshape([]);
        int axis = DimOf("prod", dim);
        var kept = ReduceForward(ReduceOp.Prod, [axis]);
        var y = keepDim ? kept : kept.Detach().Reshape(DropAxes([axis]));
        var keptShape = kept.ShapeCopy();
        return Graph.Record(y, "prod", [this], g =>
        {
            var others = ScanForward(ReduceOp.Prod, axis, reverse: false, exclusive: true) * ScanForward(ReduceOp.Prod, axis, reverse: true, exclusive: true);
            return [g.Reshape(keptShape) * others];
        }, this);
    }

    /// <summary>The product of all elements as a 0-d tensor (torch.prod(x)); 1 for an empty tensor.</summary>
    public Tensor Prod() => Reshape(checked((int)Numel)).Prod(0);
}
