using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// movedim, swapaxes, hstack/vstack/dstack/column_stack (and so atleast_1d/2d/3d), rot90, fliplr, flipud,
/// tensor_split, unbind, meshgrid, cartesian_prod, combinations and broadcast_tensors against plain float64 loops of
/// their definitions (exactly: they move values, never round them) and their gradients against central differences,
/// on random shapes with size-0 and size-1 dims, negative dims, k beyond 4 and negative, indices beyond the size.
/// Ops with several outputs join them, each weighted by its number, so one gradient check covers every piece.
/// </summary>
[FsCheck.NUnit.Properties(MaxTest = 60)]
public class ShapeOpsProperties
{
    private static int Ax(int dim, int rank) => rank == 0 ? 0 : dim < 0 ? dim + rank : dim;

    /// <summary>The pieces joined along <paramref name="axis"/>, piece k times k + 1 (empty pieces join too).</summary>
    private static Tensor Weighted(Tensor[] pieces, int axis) => Tensor.Concat(pieces.Select((p, k) => p * (k + 1.0)).ToArray(), axis);

    /// <summary>Reference concat: out[idx] comes from the part whose range along the axis holds idx[axis].</summary>
    private static Nd ConcatNd(Nd[] parts, int axis)
    {
        var shape = (int[])parts[0].Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        return Nd.Build(shape, idx =>
        {
            int i = idx[axis];
            foreach (var p in parts)
            {
                if (i < p.Shape[axis]) { var j = (int[])idx.Clone(); j[axis] = i; return p[j]; }
                i -= p.Shape[axis];
            }
            throw new InvalidOperationException("index beyond the parts");
        });
    }

    /// <summary>Reference x[..., from:to, ...] along an axis (0 ≤ from ≤ to ≤ size).</summary>
    private static Nd SliceNd(Nd x, int axis, int from, int to)
    {
        var shape = (int[])x.Shape.Clone();
        shape[axis] = to - from;
        return Nd.Build(shape, idx => { var j = (int[])idx.Clone(); j[axis] += from; return x[j]; });
    }

    [FsCheck.NUnit.Property]
    public Property MovedimAndSwapaxes() => Prop.ForAll(ShapeOpsGen.Movedim.ToArbitrary(), c =>
    {
        int rank = c.X.Rank;
        var x = Nd.Of(c.X);
        Nd expected;
        if (rank == 0) expected = x;
        else
        {
            // NumPy's moveaxis: the other dims in order, then each source inserted at its destination, by destination.
            var src = c.Args.Select(d => Ax(d, rank)).ToArray();
            var dst = c.More.Select(d => Ax(d, rank)).ToArray();
            var order = Enumerable.Range(0, rank).Where(d => !src.Contains(d)).ToList();
            if (c.Mode == 2) { order = Enumerable.Range(0, rank).ToList(); (order[src[0]], order[dst[0]]) = (order[dst[0]], order[src[0]]); }
            else foreach (var (d, s) in dst.Zip(src).OrderBy(p => p.First)) order.Insert(d, s);
            expected = Nd.Build(order.Select(d => c.X.Shape[d]).ToArray(), idx =>
            {
                var j = new int[rank];
                for (int i = 0; i < rank; i++) j[order[i]] = idx[i];
                return x[j];
            });
        }
        Func<Tensor, Tensor> f = c.Mode switch
        {
            0 => t => t.Movedim(c.Args, c.More),
            1 => t => t.Movedim(c.Args[0], c.More[0]),
            _ => t => t.Swapaxes(c.Args[0], c.More[0]),
        };
        Expect.Exact(f(c.X.Tensor()), expected, "movedim");
        Expect.Grad("movedim", xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    /// <summary>atleast_1d/2d/3d by their shape rules (reference).</summary>
    private static int[] AtLeast(int[] s, int n) => (n, s.Length) switch
    {
        (_, 0) => Enumerable.Repeat(1, n).ToArray(),
        (2, 1) => [1, s[0]],
        (3, 1) => [1, s[0], 1],
        (3, 2) => [s[0], s[1], 1],
        _ => s,
    };

    [FsCheck.NUnit.Property]
    public Property Stacks() => Prop.ForAll(ShapeOpsGen.Stacks.ToArbitrary(), c =>
    {
        int rank = c.X.Rank;
        Nd Shaped(Spec s, int n) => new(n == 0 ? (s.Rank <= 1 ? [s.Numel, 1] : s.Shape) : AtLeast(s.Shape, n), s.Values);
        var (parts, axis) = c.Mode switch
        {
            0 => (c.Xs.Select(s => Shaped(s, 1)).ToArray(), rank <= 1 ? 0 : 1),
            1 => (c.Xs.Select(s => Shaped(s, 2)).ToArray(), 0),
            2 => (c.Xs.Select(s => Shaped(s, 3)).ToArray(), 2),
            _ => (c.Xs.Select(s => Shaped(s, 0)).ToArray(), 1),
        };
        Func<Tensor[], Tensor> f = c.Mode switch
        {
            0 => Tensor.Hstack,
            1 => Tensor.Vstack,
            2 => Tensor.Dstack,
            _ => Tensor.ColumnStack,
        };
        Expect.Exact(f(c.Xs.Select(s => s.Tensor()).ToArray()), ConcatNd(parts, axis), "stack");
        Expect.Grad("stack", f, c.Seed, c.Xs.Select(s => s.Tensor()).ToArray());
    });

    [FsCheck.NUnit.Property]
    public Property Rot90AndFlips() => Prop.ForAll(ShapeOpsGen.Rot90.ToArbitrary(), c =>
    {
        var expected = Nd.Of(c.X);
        int rank = c.X.Rank;
        if (c.Mode == 0)
        {
            int d0 = Ax(c.Args[1], rank), d1 = Ax(c.Args[2], rank);
            // One quarter turn: out[.., i (d0), .., j (d1), ..] = in[.., j, .., n1 − 1 − i, ..], the two sizes swapped.
            for (int turn = 0; turn < ((c.Args[0] % 4) + 4) % 4; turn++)
            {
                var cur = expected;
                var shape = (int[])cur.Shape.Clone();
                (shape[d0], shape[d1]) = (shape[d1], shape[d0]);
                expected = Nd.Build(shape, idx =>
                {
                    var j = (int[])idx.Clone();
                    j[d0] = idx[d1];
                    j[d1] = cur.Shape[d1] - 1 - idx[d0];
                    return cur[j];
                });
            }
        }
        else
        {
            int a = c.Mode == 1 ? 1 : 0;
            var cur = expected;
            expected = Nd.Build(cur.Shape, idx => { var j = (int[])idx.Clone(); j[a] = cur.Shape[a] - 1 - idx[a]; return cur[j]; });
        }
        if (c.Mode == 0 && Ax(c.Args[1], rank) == Ax(c.Args[2], rank)) return;   // rank 1 only draws one dim: flipud's case
        Func<Tensor, Tensor> f = c.Mode switch
        {
            0 => t => t.Rot90(c.Args[0], [c.Args[1], c.Args[2]]),
            1 => t => t.Fliplr(),
            _ => t => t.Flipud(),
        };
        Expect.Exact(f(c.X.Tensor()), expected, "rot90");
        Expect.Grad("rot90", xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property TensorSplitAndUnbind() => Prop.ForAll(ShapeOpsGen.Split.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int a = Ax(c.Args[0], c.X.Rank), n = c.X.Shape[a];
        Nd[] expected;
        if (c.Mode == 2)
            expected = Enumerable.Range(0, n).Select(i =>
            {
                var piece = SliceNd(x, a, i, i + 1);
                return new Nd(piece.Shape.Where((_, d) => d != a).ToArray(), piece.Data);
            }).ToArray();
        else
        {
            // Boundaries: sections of n / s elements, the first n mod s one longer; or Python slices between indices.
            List<int> cuts;
            if (c.Mode == 0)
            {
                int s = c.Args[1];
                cuts = [0];
                for (int k = 0; k < s; k++) cuts.Add(cuts[^1] + n / s + (k < n % s ? 1 : 0));
            }
            else cuts = c.More.Prepend(0).Append(n).ToList();
            int Clip(int i) => Math.Clamp(i < 0 ? i + n : i, 0, n);
            expected = cuts.Skip(1).Select((end, k) => (Clip(cuts[k]), Clip(end)))
                .Select(p => SliceNd(x, a, p.Item1, Math.Max(p.Item1, p.Item2))).ToArray();
        }
        Func<Tensor, Tensor[]> f = c.Mode switch
        {
            0 => t => t.TensorSplit(c.Args[1], c.Args[0]),
            1 => t => t.TensorSplit(c.More, c.Args[0]),
            _ => t => t.Unbind(c.Args[0]),
        };
        var pieces = f(c.X.Tensor());
        Assert.That(pieces, Has.Length.EqualTo(expected.Length), "pieces");
        for (int k = 0; k < pieces.Length; k++) Expect.Exact(pieces[k], expected[k], $"piece {k}");
        if (pieces.Length == 0) return;
        Func<Tensor[], Tensor> joined = c.Mode == 2
            ? xs => Tensor.Stack(f(xs[0]).Select((p, k) => p * (k + 1.0)).ToArray(), a)
            : xs => Weighted(f(xs[0]), a);
        Expect.Grad("tensor_split", joined, c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property MeshgridAndCartesianProd() => Prop.ForAll(ShapeOpsGen.Grid.ToArbitrary(), c =>
    {
        int n = c.Xs.Length;
        var sizes = c.Xs.Select(s => s.Numel).ToArray();
        if (c.Mode == 2)
        {
            // Rows: every index tuple in row-major order (the last input runs fastest).
            int count = sizes.Aggregate(1, (p, d) => p * d);
            var expectedProd = n == 1 ? Nd.Of(c.X)
                : Nd.Build([count, n], idx => c.Xs[idx[1]].Values[Nd.Unravel(idx[0], sizes)[idx[1]]]);
            Expect.Exact(Tensor.CartesianProd(c.Xs.Select(s => s.Tensor()).ToArray()), expectedProd, "cartesian_prod");
            Expect.Grad("cartesian_prod", Tensor.CartesianProd, c.Seed, c.Xs.Select(s => s.Tensor()).ToArray());
            return;
        }
        string indexing = c.Mode == 0 ? "ij" : "xy";
        int Pos(int i) => indexing == "xy" && n >= 2 && i < 2 ? 1 - i : i;
        var shape = new int[n];
        for (int i = 0; i < n; i++) shape[Pos(i)] = sizes[i];
        var grids = Tensor.Meshgrid(c.Xs.Select(s => s.Tensor()).ToArray(), indexing);
        Assert.That(grids, Has.Length.EqualTo(n));
        for (int i = 0; i < n; i++)
        {
            int k = i;
            Expect.Exact(grids[i], Nd.Build(shape, idx => c.Xs[k].Values[idx[Pos(k)]]), $"meshgrid output {i}");
        }
        Expect.Grad("meshgrid", xs => Weighted(Tensor.Meshgrid(xs, indexing).Select(t => t.Reshape(-1)).ToArray(), 0), c.Seed,
            c.Xs.Select(s => s.Tensor()).ToArray());
    });

    [FsCheck.NUnit.Property]
    public Property Combinations() => Prop.ForAll(ShapeOpsGen.Combinations.ToArbitrary(), c =>
    {
        int n = c.X.Numel, r = c.Args[0];
        bool replace = c.Mode == 1;
        var y = c.X.Tensor().Combinations(r, replace);
        if (r == 0) { Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 0 })); return; }
        // Every r-tuple of positions in row-major order, kept where strictly (or weakly) increasing.
        var tuples = Enumerable.Range(0, (int)Math.Pow(n, r)).Select(i => Nd.Unravel(i, Enumerable.Repeat(n, r).ToArray()))
            .Where(t => t.Zip(t.Skip(1)).All(p => replace ? p.First <= p.Second : p.First < p.Second)).ToArray();
        if (n == 0) tuples = [];
        Expect.Exact(y, Nd.Build([tuples.Length, r], idx => c.X.Values[tuples[idx[0]][idx[1]]]), "combinations");
        Expect.Grad("combinations", xs => xs[0].Combinations(r, replace), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property BroadcastTensors() => Prop.ForAll(ShapeOpsGen.Broadcast.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Xs.Select(s => s.Shape).ToArray());
        Assert.That(Tensor.BroadcastShapes(c.Xs.Select(s => s.Shape).ToArray()), Is.EqualTo(shape), "broadcast_shapes");
        var ys = Tensor.BroadcastTensors(c.Xs.Select(s => s.Tensor()).ToArray());
        for (int i = 0; i < ys.Length; i++)
        {
            var x = Nd.Of(c.Xs[i]);
            int lead = shape.Length - x.Rank;
            Expect.Exact(ys[i], Nd.Build(shape, idx => x[idx.Skip(lead).Select((v, d) => x.Shape[d] == 1 ? 0 : v).ToArray()]), $"output {i}");
        }
        Expect.Grad("broadcast_tensors", xs => Weighted(Tensor.BroadcastTensors(xs).Select(t => t.Reshape(-1)).ToArray(), 0), c.Seed,
            c.Xs.Select(s => s.Tensor()).ToArray());
    });

    [FsCheck.NUnit.Property]
    public Property TriangleIndices() => Prop.ForAll(Gen.Choose(0, 6).ToArbitrary(), Gen.Choose(0, 6).ToArbitrary(), Gen.Choose(-8, 8).ToArbitrary(),
        (row, col, offset) =>
        {
            foreach (bool upper in new[] { false, true })
            {
                var pairs = new List<(int, int)>();
                for (int i = 0; i < row; i++)
                    for (int j = 0; j < col; j++)
                        if (upper ? j - i >= offset : j - i <= offset) pairs.Add((i, j));
                var t = upper ? Tensor.TriuIndices(row, col, offset) : Tensor.TrilIndices(row, col, offset);
                Assert.That(t.DType, Is.EqualTo(DType.Int32));
                Assert.That(t.ShapeCopy(), Is.EqualTo(new[] { 2, pairs.Count }));
                Assert.That(t.ToArray<int>(), Is.EqualTo(pairs.Select(p => p.Item1).Concat(pairs.Select(p => p.Item2)).ToArray()));
            }
        });
}
