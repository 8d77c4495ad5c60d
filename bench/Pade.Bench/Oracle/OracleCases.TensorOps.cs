using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// flip, roll, repeat, tile, repeat_interleave, chunk, split, tril, triu, masked_fill, amax, amin, argmin, all, any,
/// diagonal, diag and trace against libtorch: random shapes (size-1 dims), negative dims, shifts beyond the size and
/// negative, repeats with extra leading dims, chunk counts that do not divide (fewer pieces), diagonals beyond the
/// matrix, broadcast masks, ties in amax/amin (the gradient split evenly on both sides), NaNs and ties in argmin and
/// all/any. Chunk and split join their pieces, each weighted by its number, so one output carries every piece. The
/// non-differentiable ops append their result's shape to the values (Pade's int32 and libtorch's int64 and bool read
/// as float64), so keepdim's shapes are compared too. Empty tensors are not compared here (TorchSharp 0.107 cannot
/// build an empty tensor from values); the unit properties cover them.
/// </summary>
public static partial class OracleCases
{
    private static void AddTensorOps(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 211);
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 5);
            var dims = Enumerable.Range(0, s.Length).Where(_ => g.Coin()).Select(d => g.Coin() ? d - s.Length : d).ToArray();
            cases.Add(new("flip", $"{Fmt(s)} dims [{string.Join(",", dims)}]", [g.Input("x", s)],
                x => x[0].Flip(dims), x => x[0].flip(dims.Select(d => (long)d).ToArray())));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 5);
            if (g.Coin(0.3))
            {
                int shift = g.Int(-25, 25);
                cases.Add(new("roll", $"{Fmt(s)} shifts {shift} flattened", [g.Input("x", s)], x => x[0].Roll(shift), x => x[0].roll(shift)));
                continue;
            }
            int k = g.Int(1, 3);
            var dims = Enumerable.Range(0, k).Select(_ => g.Int(-s.Length, s.Length - 1)).ToArray();
            var shifts = Enumerable.Range(0, k).Select(_ => g.Int(-12, 12)).ToArray();
            cases.Add(new("roll", $"{Fmt(s)} shifts [{string.Join(",", shifts)}] dims [{string.Join(",", dims)}]", [g.Input("x", s)],
                x => x[0].Roll(shifts, dims), x => x[0].roll(shifts.Select(v => (long)v).ToArray(), dims.Select(v => (long)v).ToArray())));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 3, 4);
            bool tile = g.Coin();
            int n = tile ? g.Int(1, s.Length + 1) : g.Int(s.Length, s.Length + 2);
            var sizes = Enumerable.Range(0, n).Select(_ => g.Int(1, 3)).ToArray();
            var ls = sizes.Select(v => (long)v).ToArray();
            cases.Add(tile
                ? new("tile", $"{Fmt(s)} dims [{string.Join(",", sizes)}]", [g.Input("x", s)], x => x[0].Tile(sizes), x => x[0].tile(ls))
                : new("repeat", $"{Fmt(s)} sizes [{string.Join(",", sizes)}]", [g.Input("x", s)], x => x[0].Repeat(sizes), x => x[0].repeat(ls)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 3, 5);
            int? dim = g.Coin(0.25) ? null : g.Int(-s.Length, s.Length - 1);
            int n = dim is int d ? s[d < 0 ? d + s.Length : d] : s.Aggregate(1, (a, b) => a * b);
            if (g.Coin())
            {
                int r = g.Int(0, 3);
                cases.Add(new("repeat_interleave", $"{Fmt(s)} repeats {r} dim {dim?.ToString() ?? "None"}", [g.Input("x", s)],
                    x => x[0].RepeatInterleave(r, dim), x => x[0].repeat_interleave(r, dim)));
            }
            else
            {
                var counts = Enumerable.Range(0, n).Select(_ => g.Int(0, 3)).ToArray();
                if (counts.Sum() == 0) counts[0] = 1;
                cases.Add(new("repeat_interleave", $"{Fmt(s)} repeats [{string.Join(",", counts)}] dim {dim?.ToString() ?? "None"}", [g.Input("x", s)],
                    x => x[0].RepeatInterleave(PTensor.FromArray(counts), dim),
                    x => x[0].repeat_interleave(tensor(counts.Select(v => (long)v).ToArray()), dim)));
            }
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 3, 7);
            int dim = g.Int(-s.Length, s.Length - 1), a = dim < 0 ? dim + s.Length : dim, n = s[a];
            int mode = g.Int(0, 2);
            if (mode == 0)
            {
                int chunks = g.Int(1, n + 2);
                cases.Add(new("chunk", $"{Fmt(s)} chunks {chunks} dim {dim}", [g.Input("x", s)],
                    x => PTensor.Concat(x[0].Chunk(chunks, dim).Select((p, k) => p * (k + 1.0)).ToArray(), a),
                    x => cat(x[0].chunk(chunks, dim).Select((p, k) => p * (k + 1.0)).ToArray(), a)));
            }
            else if (mode == 1)
            {
                int size = g.Int(1, n + 1);
                cases.Add(new("split", $"{Fmt(s)} split_size {size} dim {dim}", [g.Input("x", s)],
                    x => PTensor.Concat(x[0].Split(size, dim).Select((p, k) => p * (k + 1.0)).ToArray(), a),
                    x => cat(x[0].split(size, dim).Select((p, k) => p * (k + 1.0)).ToArray(), a)));
            }
            else
            {
                var cuts = Enumerable.Range(0, g.Int(0, 3)).Select(_ => g.Int(0, n)).Order().Prepend(0).Append(n).ToArray();
                var sizes = cuts.Skip(1).Select((c, k) => c - cuts[k]).ToArray();
                cases.Add(new("split", $"{Fmt(s)} split_sizes [{string.Join(",", sizes)}] dim {dim}", [g.Input("x", s)],
                    x => PTensor.Concat(x[0].Split(sizes, dim).Select((p, k) => p * (k + 1.0)).ToArray(), a),
                    x => cat(x[0].split(sizes.Select(v => (long)v).ToArray(), dim).Select((p, k) => p * (k + 1.0)).ToArray(), a)));
            }
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(2, 4, 6);
            int k = g.Int(-7, 7);
            bool upper = g.Coin();
            cases.Add(upper
                ? new("triu", $"{Fmt(s)} diagonal {k}", [g.Input("x", s)], x => x[0].Triu(k), x => x[0].triu(k))
                : new("tril", $"{Fmt(s)} diagonal {k}", [g.Input("x", s)], x => x[0].Tril(k), x => x[0].tril(k)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 5);
            // The mask broadcasts against x: some leading dims dropped, some set to 1.
            var ms = s.Skip(g.Int(0, s.Length - 1)).Select(d => g.Coin(0.3) ? 1 : d).ToArray();
            var mask = new OracleInput("mask", ms, Enumerable.Range(0, ms.Aggregate(1, (p, d) => p * d)).Select(_ => g.Coin() ? 1.0 : 0.0).ToArray(), Grad: false);
            double value = g.Pick(0.0, -1.5, 2.25);
            cases.Add(new("masked_fill", $"{Fmt(s)} mask {Fmt(ms)} value {value}", [g.Input("x", s), mask],
                x => x[0].MaskedFill(x[1], value), x => x[0].masked_fill(x[1].ne(0), value)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 5);
            var dims = Enumerable.Range(0, s.Length).Where(_ => g.Coin()).Select(d => g.Coin() ? d - s.Length : d).ToArray();
            bool keep = g.Coin(), min = g.Coin(), ties = g.Coin();
            long n = s.Aggregate(1L, (p, d) => p * d);
            // Ties: values on a grid of 5, so several elements share the extreme and its gradient.
            var x0 = new OracleInput("x", s, ties ? Enumerable.Range(0, (int)n).Select(_ => (double)g.Int(-2, 2)).ToArray() : g.Distinct(n));
            var ld = dims.Select(d => (long)d).ToArray();
            cases.Add(min
                ? new("amin", $"{Fmt(s)} dims [{string.Join(",", dims)}] keepdim {keep}{(ties ? " ties" : "")}", [x0], x => x[0].Amin(dims, keep), x => x[0].amin(ld, keep))
                : new("amax", $"{Fmt(s)} dims [{string.Join(",", dims)}] keepdim {keep}{(ties ? " ties" : "")}", [x0], x => x[0].Amax(dims, keep), x => x[0].amax(ld, keep)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 5);
            int? dim = g.Coin(0.25) ? null : g.Int(-s.Length, s.Length - 1);
            bool keep = g.Coin();
            // TorchSharp 0.107 has argmin(), all() and any() with no dim but no keepdim for them (libtorch's
            // resize_reduction keeps every dim as 1, as Pade does; the unit properties check that shape).
            if (dim is null) keep = false;
            long n = s.Aggregate(1L, (p, d) => p * d);
            var values = Enumerable.Range(0, (int)n).Select(_ => g.Coin(0.1) ? double.NaN : g.Int(-2, 2)).ToArray();
            var x0 = new OracleInput("x", s, values, Grad: false);
            string cfg = $"{Fmt(s)} dim {dim?.ToString() ?? "None"} keepdim {keep}";
            cases.Add(new("argmin", cfg, [x0], x => WithShape(x[0].ArgMin(dim, keep)),
                x => WithShape(dim is int d ? x[0].argmin(d, keep) : x[0].argmin()), Differentiable: false, Tolerance32: 0));
            // all/any: the zeros of the grid and NaN (true) decide.
            cases.Add(new("all_any", cfg, [x0],
                x => WithShape(PTensor.Concat([x[0].All(dim, keep).Reshape(-1), x[0].Any(dim, keep).Reshape(-1)])),
                x => WithShape(cat([(dim is int d ? x[0].all(d, keep) : x[0].all()).reshape(-1), (dim is int e ? x[0].any(e, keep) : x[0].any()).reshape(-1)])),
                Differentiable: false, Tolerance32: 0));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(2, 4, 5);
            int d1 = g.Int(0, s.Length - 1), d2 = (d1 + g.Int(1, s.Length - 1)) % s.Length, k = g.Int(-4, 4);
            if (g.Coin()) d1 -= s.Length;
            if (g.Coin()) d2 -= s.Length;
            cases.Add(new("diagonal", $"{Fmt(s)} offset {k} dims {d1},{d2}", [g.Input("x", s)],
                x => x[0].Diagonal(k, d1, d2), x => x[0].diagonal(k, d1, d2)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Coin() ? [g.Int(1, 6)] : new[] { g.Int(1, 6), g.Int(1, 6) };
            int k = g.Int(-4, 4);
            cases.Add(new("diag", $"{Fmt(s)} diagonal {k}", [g.Input("x", s)], x => x[0].Diag(k), x => x[0].diag(k)));
            // libtorch's trace_backward fills every (cols + 1)-th element of the flattened matrix, which leaves the
            // diagonal when rows > cols + 1 (a [5, 2] matrix gets a gradient at (3, 0)); its forward is right.
            string? wrong = s.Length == 2 && s[0] > s[1] + 1
                ? "libtorch's trace_backward puts gradient off the diagonal of a matrix with rows > cols + 1 (arange(0, numel, cols + 1))" : null;
            if (s.Length == 2) cases.Add(new("trace", Fmt(s), [g.Input("x", s)], x => x[0].Trace(), x => x[0].trace(), OracleWrong: wrong));
        }
    }

    /// <summary>The values (as float64) followed by the rank and the shape (never empty: TorchSharp cannot build an empty
    /// tensor from values), so the comparison of values checks the shape too.</summary>
    private static PTensor WithShape(PTensor y) =>
        PTensor.Concat([y.To(Pade.Engine.DType.Float64).Reshape(-1), PTensor.FromArray(y.Shape.ToArray().Select(v => (double)v).Prepend(y.Rank).ToArray())]);

    private static Tensor WithShape(Tensor y) =>
        cat([y.to_type(ScalarType.Float64).reshape(-1), tensor(y.shape.Select(v => (double)v).Prepend(y.dim()).ToArray())]);
}
