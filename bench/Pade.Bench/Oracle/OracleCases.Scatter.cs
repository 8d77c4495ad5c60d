using Pade.Engine;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// scatter (src and value), scatter_reduce, index_add, index_copy, index_fill, take, take_along_dim, put,
/// masked_select, masked_scatter, nonzero and argwhere against libtorch: random shapes (size-1 dims), negative dims,
/// index extents smaller than the input's in the other dims, repeated indices where the op defines them (unique ones
/// for scatter, index_copy and put without accumulate), negative indices for take and put, broadcast masks.
/// TorchSharp 0.107 has neither scatter_reduce nor put: scatter_reduce's reference is libtorch's own reductions over
/// a one-hot expansion of the index ([.., K, D, ..]: src where index = d, the identity elsewhere, reduced over K,
/// then combined with the input where the index reaches, in a block put back into a clone), with libtorch's autograd
/// through it; amax and amin take distinct values there (the composed reference would split a tie between the input
/// and src as maximum does, not as scatter_reduce does; the unit properties check the tie rule). put's reference is
/// index_put_ on the flattened input, with accumulate; scatter with a value scatters a src filled with it
/// (TorchSharp's scalar overload passes a 0-d src that libtorch refuses). Pade's int32 indices go to libtorch as int64; nonzero's and
/// argwhere's int32 results read as float64 against libtorch's int64.
/// </summary>
public static partial class OracleCases
{
    private static void AddScatter(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 223);
        for (int i = 0; i < perFamily * 2; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            var index = ScatterIndexShape(g, shape, axis, unique: true);
            bool larger = g.Coin(0.25);
            var src = index.Select(d => larger ? d + g.Int(0, 2) : d).ToArray();
            // A src larger than the index only without gradients: libtorch's backward gives the index's shape.
            cases.Add(new("scatter", $"{Fmt(shape)} dim {dim} index {Fmt(index)} src {Fmt(src)}",
                [g.Input("x", shape), UniqueIndex(g, "index", index, axis, shape[axis]), g.Input("src", src)],
                x => x[0].Scatter(dim, x[1], x[2]), x => x[0].scatter(dim, x[1], x[2]), Differentiable: !larger));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            var index = ScatterIndexShape(g, shape, axis, unique: false);
            double value = g.Int(-4, 4) * 0.5;
            cases.Add(new("scatter value", $"{Fmt(shape)} dim {dim} index {Fmt(index)} value {value}", [g.Input("x", shape), g.Classes("index", index, shape[axis])],
                // TorchSharp 0.107's scatter(dim, index, Scalar) sends the value as a 0-d src, which libtorch refuses
                // for an index of rank > 0: the reference scatters a src of the index's shape filled with it.
                x => x[0].Scatter(dim, x[1], value), x => x[0].scatter(dim, x[1], full(x[1].shape, value, float64))));
        }
        for (int i = 0; i < perFamily * 5; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            var index = ScatterIndexShape(g, shape, axis, unique: false);
            string reduce = g.Pick("sum", "prod", "mean", "amax", "amin");
            bool includeSelf = g.Coin();
            var xs = g.Input("x", shape);
            var ss = g.Input("src", index);
            if (reduce is "amax" or "amin")
            {
                // Distinct values over x and src together: no ties (see the summary).
                var v = g.Distinct(xs.Numel + ss.Numel);
                xs = xs with { Values = v[..(int)xs.Numel] };
                ss = ss with { Values = v[(int)xs.Numel..] };
            }
            else if (reduce == "prod" && g.Coin(0.5))
                // Zeros among the factors: the gradient recomputes the product without the single zero.
                ss = ss with { Values = ss.Values.Select(e => g.Coin(0.2) ? 0 : e).ToArray() };
            cases.Add(new("scatter_reduce", $"{Fmt(shape)} dim {dim} index {Fmt(index)} reduce {reduce} include_self {includeSelf}",
                [xs, g.Classes("index", index, shape[axis]), ss],
                x => x[0].ScatterReduce(dim, x[1], x[2], reduce, includeSelf), x => TorchScatterReduce(x[0], axis, x[1], x[2], reduce, includeSelf),
                Tolerance32: reduce == "prod" ? 1e-3 : 1e-4));
        }
        for (int i = 0; i < perFamily * 3; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            int k = g.Int(1, 6);
            string op = g.Pick("index_add", "index_copy", "index_fill");
            var source = shape.Select((d, j) => j == axis ? k : d).ToArray();
            if (op == "index_copy") k = source[axis] = Math.Min(k, shape[axis]);
            var idx = op == "index_copy" ? UniqueIndex(g, "index", [k], 0, shape[axis]) : g.Classes("index", [k], shape[axis]);
            double alpha = g.Pick(1.0, -0.5, 2.0);
            cases.Add(op switch
            {
                "index_add" => new(op, $"{Fmt(shape)} dim {dim} index [{k}] alpha {alpha}", [g.Input("x", shape), idx, g.Input("source", source)],
                    x => x[0].IndexAdd(dim, x[1], x[2], alpha), x => x[0].index_add(dim, x[1], x[2], alpha)),
                "index_copy" => new(op, $"{Fmt(shape)} dim {dim} index [{k}]", [g.Input("x", shape), idx, g.Input("source", source)],
                    x => x[0].IndexCopy(dim, x[1], x[2]), x => x[0].index_copy(dim, x[1], x[2])),
                _ => new(op, $"{Fmt(shape)} dim {dim} index [{k}] value {alpha}", [g.Input("x", shape), idx],
                    x => x[0].IndexFill(dim, x[1], alpha), x => x[0].index_fill(dim, x[1], alpha)),
            });
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 3, 5);
            int n = shape.Aggregate(1, (p, d) => p * d);
            var idxShape = g.Shape(1, 3, 4);
            // Negative indices half the time: [−n, n).
            var take = new OracleInput("index", idxShape, Enumerable.Range(0, idxShape.Aggregate(1, (p, d) => p * d)).Select(_ => (double)g.Int(-n, n - 1)).ToArray(), Grad: false, Indices: true);
            cases.Add(new("take", $"{Fmt(shape)} index {Fmt(idxShape)}", [g.Input("x", shape), take], x => x[0].Take(x[1]), x => x[0].take(x[1])));
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 3, 5);
            int n = shape.Aggregate(1, (p, d) => p * d);
            bool accumulate = g.Coin();
            int count = accumulate ? g.Int(1, 2 * n) : g.Int(1, n);
            // Without accumulate distinct positions (a repeat is undefined), each written as p or p − n.
            var positions = accumulate ? Enumerable.Range(0, count).Select(_ => g.Int(0, n - 1)).ToArray() : UniqueIndex(g, "p", [count], 0, n).Values.Select(v => (int)v).ToArray();
            var put = new OracleInput("index", [count], positions.Select(p => (double)(g.Coin() ? p - n : p)).ToArray(), Grad: false, Indices: true);
            cases.Add(new("put", $"{Fmt(shape)} index [{count}] accumulate {accumulate}", [g.Input("x", shape), put, g.Input("source", [count])],
                x => x[0].Put(x[1], x[2], accumulate),
                x => x[0].clone().flatten().index_put_(x[2], [TensorIndex.Tensor(x[1])], accumulate).reshape(x[0].shape)));
        }
        for (int i = 0; i < perFamily * 2; i++)
        {
            var (shape, axis, dim) = IndexedShape(g);
            if (g.Coin(0.25))
            {
                var idxShape = g.Shape(1, 3, 4);
                cases.Add(new("take_along_dim", $"{Fmt(shape)} indices {Fmt(idxShape)} dim None",
                    [g.Input("x", shape), g.Classes("indices", idxShape, shape.Aggregate(1, (p, d) => p * d))], x => x[0].TakeAlongDim(x[1]), x => x[0].take_along_dim(x[1])));
                continue;
            }
            // Other dims: equal, 1 in the indices, or 1 in x (each broadcasts over the other).
            var xs = (int[])shape.Clone();
            var idx = shape.Select((d, j) => j == axis ? g.Int(1, 5) : d).ToArray();
            for (int j = 0; j < shape.Length; j++)
                if (j != axis && g.Coin(0.3)) { if (g.Coin()) idx[j] = 1; else xs[j] = 1; }
            cases.Add(new("take_along_dim", $"{Fmt(xs)} indices {Fmt(idx)} dim {dim}", [g.Input("x", xs), g.Classes("indices", idx, xs[axis])],
                x => x[0].TakeAlongDim(x[1], dim), x => x[0].take_along_dim(x[1], dim)));
        }
        for (int i = 0; i < perFamily * 3; i++)
        {
            var shape = g.Shape(1, 4, 5);
            // The mask: the sign of a fixed input, of shape (broadcast to) x's, or x broadcast to the mask's.
            var mask = shape.Select(d => g.Coin(0.2) ? 1 : d).ToArray();
            var xs = g.Coin(0.3) ? shape.Select(d => g.Coin(0.3) ? 1 : d).ToArray() : shape;
            if (g.Coin(0.3)) mask = mask[g.Int(0, mask.Length - 1)..];
            var full = Shapes.Broadcast("oracle", xs, mask);
            string op = g.Pick("masked_select", "masked_scatter", "nonzero");
            var m = g.Input("mask", mask, grad: false);
            if (op == "nonzero")
            {
                cases.Add(g.Coin()
                    ? new("nonzero", $"{Fmt(mask)}", [m], x => x[0].Gt(0).Nonzero(), x => x[0].gt(0).nonzero(), Differentiable: false)
                    : new("argwhere", $"{Fmt(mask)}", [m], x => x[0].Gt(0).ArgWhere(), x => x[0].gt(0).argwhere(), Differentiable: false));
                continue;
            }
            cases.Add(op == "masked_select"
                ? new(op, $"{Fmt(xs)} mask {Fmt(mask)}", [g.Input("x", xs), m], x => x[0].MaskedSelect(x[1].Gt(0)), x => x[0].masked_select(x[1].gt(0)))
                : new(op, $"{Fmt(xs)} mask {Fmt(mask)}", [g.Input("x", xs), m, g.Input("source", [full.Aggregate(1, (p, d) => p * d) + g.Int(0, 3)])],
                    x => x[0].MaskedScatter(x[1].Gt(0), x[2]), x => x[0].masked_scatter(x[1].gt(0), x[2])));
        }
    }

    /// <summary>An index shape for scatter along axis: up to twice the axis's size (unique: at most its size), the
    /// other dims up to the input's.</summary>
    private static int[] ScatterIndexShape(OracleGen g, int[] shape, int axis, bool unique) =>
        shape.Select((d, j) => j == axis ? g.Int(1, unique ? d : 2 * d) : g.Coin(0.7) ? d : g.Int(1, d)).ToArray();

    /// <summary>An index whose columns along axis hold distinct values in [0, size).</summary>
    private static OracleInput UniqueIndex(OracleGen g, string name, int[] shape, int axis, int size)
    {
        int n = shape.Aggregate(1, (p, d) => p * d), k = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
        var v = new double[n];
        for (int c = 0; c < n / k; c++)
        {
            var perm = Enumerable.Range(0, size).ToArray();
            for (int j = size - 1; j > 0; j--)
            {
                int r = g.Int(0, j);
                (perm[j], perm[r]) = (perm[r], perm[j]);
            }
            for (int j = 0; j < k; j++) v[(c / inner * k + j) * inner + c % inner] = perm[j];
        }
        return new OracleInput(name, shape, v, Grad: false, Indices: true);
    }

    /// <summary>scatter_reduce from libtorch's reductions: src spread over a new axis of x.size(axis) (the one-hot of the
    /// index, the reduction's identity off it), reduced over the index's axis, combined with x's block where the index
    /// reaches, the block written into a clone of x.</summary>
    private static TTensor TorchScatterReduce(TTensor x, int axis, TTensor index, TTensor src, string reduce, bool includeSelf)
    {
        long d = x.shape[axis];
        var blockShape = index.shape.ToArray();
        blockShape[axis] = d;
        var slices = blockShape.Select(e => TensorIndex.Slice(0, e)).ToArray();
        var xb = x[slices];
        var viewShape = Enumerable.Repeat(1L, (int)index.dim() + 1).ToArray();
        viewShape[axis + 1] = d;
        var onehot = index.unsqueeze(axis + 1).eq(arange(d, dtype: int64).reshape(viewShape));
        var spread = src.unsqueeze(axis + 1).expand(onehot.shape);
        double identity = reduce switch { "prod" => 1, "amax" => double.NegativeInfinity, "amin" => double.PositiveInfinity, _ => 0 };
        var v = where(onehot, spread, full_like(spread, identity));
        var count = onehot.to_type(ScalarType.Float64).sum(axis);
        var hit = count.gt(0);
        var r = reduce switch
        {
            "sum" => v.sum(axis) + (includeSelf ? xb : zeros_like(xb)),
            "mean" => (v.sum(axis) + (includeSelf ? xb : zeros_like(xb))) / (count + (includeSelf ? 1 : 0)).clamp_min(1),
            "prod" => v.prod(axis) * (includeSelf ? xb : ones_like(xb)),
            "amax" => includeSelf ? maximum(v.amax([axis]), xb) : v.amax([axis]),
            _ => includeSelf ? minimum(v.amin([axis]), xb) : v.amin([axis]),
        };
        var y = x.clone();
        y[slices] = where(hit, r, xb);
        return y;
    }
}
