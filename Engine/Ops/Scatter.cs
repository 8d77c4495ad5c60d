using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// torch.scatter (a src tensor or a value) and torch.scatter_reduce, out of place. The index reaches a block of the
/// input: its own extent in every dim but the axis, the whole axis. The op runs on that block (the narrowed input and
/// src, both of the index's extent) and puts it back into the input with a pad and a where, so the kernels always see
/// [O, D, I] and [O, K, I] as gather and scatter_add do. Sum and mean are scatter-adds; prod, amax, amin and the
/// plain scatter run on <see cref="Backend.ScatterReduce"/>, which walks the index in order (a repeated index in a
/// plain scatter: the last write wins, where PyTorch leaves it undefined). The gradients are PyTorch's
/// (scatter_reduce_backward): the input's gradient is masked where it was overwritten, src's is gathered; mean
/// divides both by the count; amax and amin share it evenly among the elements equal to the result, the input
/// included; prod divides the result by each factor, with the zeros handled by recomputing the product without them.
/// </summary>
public sealed partial class Tensor
{
    private enum ScatterMode { Assign, Sum, Prod, Mean, Amax, Amin }

    /// <summary>torch.scatter (out of place): this tensor with out[..., index[..., k, ...], ...] = src[..., k, ...] along
    /// <paramref name="dim"/> for every element of index. Shapes as <see cref="ScatterAdd(Tensor, int, Tensor, Tensor)"/>:
    /// index.size(d) ≤ src.size(d) for all d and ≤ size(d) for d ≠ dim. PyTorch leaves a repeated index undefined;
    /// here the last one in index order wins. The gradient is 0 where an element was overwritten, the incoming one
    /// elsewhere; src's is gather(grad, dim, index) where the index reaches, 0 beyond.</summary>
    public Tensor Scatter(int dim, Tensor index, Tensor src)
    {
        ArgumentNullException.ThrowIfNull(src);
        return ScatterOp("scatter", dim, index, src, 0, ScatterMode.Assign, true);
    }

    /// <summary>torch.scatter with a scalar: <paramref name="value"/> at every position the index names (repeats do
    /// not matter). The index's sizes are bounded by this tensor's apart from <paramref name="dim"/>.</summary>
    public Tensor Scatter(int dim, Tensor index, double value) => ScatterOp("scatter", dim, index, null, value, ScatterMode.Assign, true);

    /// <summary>torch.scatter_reduce (out of place): every src element reduced into the position the index names along
    /// <paramref name="dim"/>, with <paramref name="reduce"/> one of "sum", "prod", "mean", "amax", "amin";
    /// <paramref name="includeSelf"/> false leaves this tensor's value out of the positions the index reaches (those
    /// the index does not reach keep it either way). Mean divides by the count, this tensor's element included when
    /// includeSelf; an int32 mean rounds down, as PyTorch's floor division. Shapes as <see cref="Scatter(int, Tensor,
    /// Tensor)"/>; repeated indices are the point. Gradients as PyTorch's (see the class remarks).</summary>
    public Tensor ScatterReduce(int dim, Tensor index, Tensor src, string reduce, bool includeSelf = true)
    {
        ArgumentNullException.ThrowIfNull(src);
        var mode = reduce switch
        {
            "sum" => ScatterMode.Sum,
            "prod" => ScatterMode.Prod,
            "mean" => ScatterMode.Mean,
            "amax" => ScatterMode.Amax,
            "amin" => ScatterMode.Amin,
            _ => throw new ArgumentException($"scatter_reduce: reduce argument must be either sum, prod, mean, amax or amin, got {reduce}", nameof(reduce)),
        };
        return ScatterOp("scatter_reduce", dim, index, src, 0, mode, includeSelf);
    }

    private Tensor ScatterOp(string op, int dim, Tensor index, Tensor? src, double value, ScatterMode mode, bool includeSelf)
    {
        CheckIndexTensor(op, this, index);
        if (src != null)
        {
            Ops.CheckSameDevice(op, this, src);
            if (DType != src.DType)
                throw new ArgumentException($"{op}: expected self and src to have the same dtype, got {DType.TorchName()} and {src.DType.TorchName()}");
        }
        if (DType == DType.Int32)
        {
            var r = To(DType.Float64).ScatterOp(op, dim, index, src?.To(DType.Float64), value, mode, includeSelf);
            return (mode == ScatterMode.Mean ? r.Floor() : r).To(DType.Int32);
        }
        int rank = Math.Max(Rank, 1);
        int a = Shapes.NormalizeAxis(op, dim, rank);
        int[] inShape = NonEmptyShape(this), idxShape = NonEmptyShape(index);
        if (index.Numel == 0)
        {
            // PyTorch returns the input unchanged (a copy) for an empty index, whatever the shapes.
            var same = Clone();
            if (src == null) return Graph.Record(same, op, [this], g => [g]);
            var srcShape0 = src.ShapeCopy();
            return Graph.Record(same, op, [this, src], g => [g, Zeros(srcShape0, g.DType, g.Device)]);
        }
        int[] srcShape = src == null ? idxShape : NonEmptyShape(src);
        if (Math.Max(index.Rank, 1) != rank || (src != null && Math.Max(src.Rank, 1) != rank))
            throw new ArgumentException($"{op}: index tensor must have the same number of dimensions as self{(src != null ? " and src tensors" : " tensor")}, got index of shape " +
                                        $"{Shapes.Format(index._shape)}, self of shape {Shapes.Format(_shape)}{(src != null ? $" and src of shape {Shapes.Format(src._shape)}" : "")}");
        for (int d = 0; d < rank; d++)
            if ((d != a && idxShape[d] > inShape[d]) || idxShape[d] > srcShape[d])
                throw new ArgumentException($"{op}: expected index {Shapes.Format(index._shape)} to be smaller than self {Shapes.Format(_shape)} apart from dimension {a}" +
                                            (src != null ? $" and to be smaller than src {Shapes.Format(src._shape)}" : ""));
        CheckIndexBounds(op, index, inShape[a], a, this);

        // The block the index reaches, and src cut to the index's extent (its other elements get a zero gradient).
        var target = (int[])idxShape.Clone();
        target[a] = inShape[a];
        var x = Reshape(inShape);
        var xb = x;
        for (int d = 0; d < rank; d++)
            if (d != a && idxShape[d] < inShape[d]) xb = xb.Narrow(d, 0, idxShape[d]);
        Tensor sb;
        if (src == null) sb = Full(idxShape, value, DType, Device);
        else
        {
            sb = src.Reshape(srcShape);
            for (int d = 0; d < rank; d++)
                if (idxShape[d] < srcShape[d]) sb = sb.Narrow(d, 0, idxShape[d]);
        }
        var yb = ScatterBlock(op, mode, includeSelf, xb, a, index, sb);
        if (!Shapes.SameShape(target, inShape))
        {
            var pads = new int[2 * rank];
            for (int d = 0; d < rank; d++) pads[2 * (rank - 1 - d) + 1] = inShape[d] - target[d];
            Tensor inside;
            using (NoGrad()) inside = Ones(target, DType, Device).Pad(pads);
            yb = Where(inside, yb.Pad(pads), x);
        }
        return yb.Reshape(_shape);
    }

    /// <summary>The scatter on the block x (index's extent apart from axis a) with s of the index's shape, recorded with
    /// PyTorch's gradients.</summary>
    private static Tensor ScatterBlock(string op, ScatterMode mode, bool includeSelf, Tensor xIn, int a, Tensor index, Tensor sIn)
    {
        var shape = xIn.ShapeCopy();
        Tensor hit, y, x, s, divisor = null!;
        using (NoGrad())
        {
            // Contiguous copies for the kernels; the graph records the inputs themselves.
            x = xIn.Contiguous().Detach();
            s = sIn.Contiguous().Detach();
            hit = ScatterAddInto(null, shape, a, index, s.OnesLike()).Gt(0);
            switch (mode)
            {
                case ScatterMode.Sum:
                case ScatterMode.Mean:
                    y = ScatterAddInto(includeSelf ? x : Where(hit, x.FullLikeScalar(0), x), shape, a, index, s);
                    if (mode == ScatterMode.Mean)
                    {
                        // The count of values in each mean (this tensor's one included), 1 where the index does not
                        // reach, so those keep x: PyTorch's N.masked_fill_(N == 0, 1).
                        var n = ScatterAddInto(includeSelf ? x.OnesLike() : null, shape, a, index, s.OnesLike());
                        divisor = Where(hit, n, x.FullLikeScalar(1));
                        y /= divisor;
                    }
                    break;
                default:
                    y = ReduceInto(mode, includeSelf, x, a, index, s, hit);
                    break;
            }
        }
        Tensor Masked(Tensor g) => Where(hit, g.FullLikeScalar(0), g);
        Tensor Gathered(Tensor g) => GatherBlock(g, a, index);
        var result = y;
        return Graph.Record(y, op, [xIn, sIn], g =>
        {
            switch (mode)
            {
                case ScatterMode.Assign:
                    return [Masked(g), Gathered(g)];
                case ScatterMode.Sum:
                    return [includeSelf ? g : Masked(g), Gathered(g)];
                case ScatterMode.Mean:
                {
                    var share = g / divisor;
                    return [includeSelf ? share : Masked(share), Gathered(share)];
                }
                case ScatterMode.Amax:
                case ScatterMode.Amin:
                {
                    // Evenly among the elements equal to the result: x's counts even when not included (PyTorch's
                    // rule; its gradient is then masked away, but it still takes a share).
                    var value = Gathered(result);
                    var selfIs = Compare(BinaryOp.Equal, x, result);
                    var srcIs = Compare(BinaryOp.Equal, s, value);
                    var share = g / ScatterAddInto(selfIs, shape, a, index, srcIs);
                    var gx = selfIs * share;
                    return [includeSelf ? gx : Masked(gx), srcIs * Gathered(share)];
                }
                default:
                {
                    // prod: result / factor, except where that factor is 0. x's gradient is the product with x's own
                    // zeros read as 1 (a zero x then gets the product of the others); a src zero that is the only one
                    // of its product gets the product recomputed with it read as 1; two or more give 0 either way.
                    var one = x.FullLikeScalar(1);
                    var maskedX = Where(Compare(BinaryOp.Equal, x, x.FullLikeScalar(0)), one, x);
                    var gx = g * ReduceInto(mode, includeSelf, maskedX, a, index, s, hit) / maskedX;
                    var srcZero = Compare(BinaryOp.Equal, s, s.FullLikeScalar(0));
                    var zeros = GatherBlock(ScatterAddInto(null, shape, a, index, srcZero), a, index);
                    var single = srcZero * Compare(BinaryOp.Equal, zeros, zeros.FullLikeScalar(1));
                    var withoutIt = ReduceInto(mode, includeSelf, x, a, index, Where(single, one, s), hit);
                    var gs = Where(single, Gathered(g * withoutIt), Gathered(g * result) / Where(srcZero, one, s));
                    return [includeSelf ? gx : Masked(gx), gs];
                }
            }
        }, index);
    }

    /// <summary>x (contiguous, the block's shape) with s reduced in by the kernel, without recording: x's own values
    /// start the reduction where includeSelf, the reduction's identity (or, for assign, anything) where not.</summary>
    private static Tensor ReduceInto(ScatterMode mode, bool includeSelf, Tensor x, int a, Tensor index, Tensor s, Tensor hit)
    {
        using var _ = NoGrad();
        var (op, identity) = mode switch
        {
            ScatterMode.Prod => (ScatterReduceOp.Prod, 1.0),
            ScatterMode.Amax => (ScatterReduceOp.Amax, double.NegativeInfinity),
            ScatterMode.Amin => (ScatterReduceOp.Amin, double.PositiveInfinity),
            _ => (ScatterReduceOp.Assign, 0.0),
        };
        var y = includeSelf || op == ScatterReduceOp.Assign ? x.Contiguous().Clone() : Where(hit, x.FullLikeScalar(identity), x);
        var shape = x.ShapeCopy();
        var idxShape = NonEmptyShape(index);
        var (o, k, i) = AroundAxis(idxShape, a);
        x.Backend.ScatterReduce(s.Contiguous().Reshape(o, k, i), index.Contiguous().Reshape(o, k, i), y.Reshape(o, shape[a], i), op);
        return y;
    }

    /// <summary>gather(t, a, index) for t of the block's shape (the index's extent apart from a), without checks or
    /// recording: the op has checked the index.</summary>
    private static Tensor GatherBlock(Tensor t, int a, Tensor index)
    {
        using var _ = NoGrad();
        var idxShape = NonEmptyShape(index);
        var y = Empty(idxShape, t.DType, t.Device);
        var (o, k, i) = AroundAxis(idxShape, a);
        if (y.Numel > 0) t.Backend.Gather(t.Contiguous().Reshape(o, t._shape[a], i), index.Contiguous().Reshape(o, k, i), y.Reshape(o, k, i));
        return y;
    }

    public static Tensor Scatter(Tensor input, int dim, Tensor index, Tensor src) => input.Scatter(dim, index, src);

    public static Tensor ScatterReduce(Tensor input, int dim, Tensor index, Tensor src, string reduce, bool includeSelf = true) =>
        input.ScatterReduce(dim, index, src, reduce, includeSelf);
}
