using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// movedim, swapaxes, hstack, vstack, dstack, column_stack, rot90, fliplr, flipud, tensor_split (sections and
/// indices), hsplit/vsplit/dsplit, unbind, meshgrid ("ij" and "xy"), cartesian_prod, combinations (with and without
/// replacement), broadcast_tensors, tril_indices and triu_indices against libtorch: random shapes (size-1 dims),
/// negative dims, k beyond 4 and negative, split indices beyond the size and negative. Ops with several outputs join
/// them flattened, each weighted by its number, so one output carries every piece; the index ops append their
/// result's shape (Pade's int32 and libtorch's int64 read as float64). Inputs are never empty (TorchSharp 0.107
/// cannot build an empty tensor from values); the unit properties cover size-0 dims.
/// </summary>
public static partial class OracleCases
{
    private static void AddShapes(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7949 + 89);
        static PTensor JoinP(PTensor[] parts) => PTensor.Concat(parts.Select((p, k) => p.Reshape(-1) * (k + 1.0)).ToArray());
        static Tensor JoinT(Tensor[] parts) => cat(parts.Select((p, k) => p.reshape(-1) * (k + 1.0)).ToArray());
        static long[] L(int[] v) => v.Select(d => (long)d).ToArray();
        static string Ints(int[] v) => "[" + string.Join(",", v) + "]";

        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 5);
            int r = s.Length;
            if (g.Coin(0.3))
            {
                int a = g.Int(-r, r - 1), b = g.Int(-r, r - 1);
                cases.Add(new("movedim", $"{Fmt(s)} swapaxes {a},{b}", [g.Input("x", s)], x => x[0].Swapaxes(a, b), x => x[0].swapaxes(a, b)));
                continue;
            }
            var src = Enumerable.Range(0, r).OrderBy(_ => g.Int(0, 1000)).Take(g.Int(1, r)).Select(d => g.Coin() ? d - r : d).ToArray();
            var dst = Enumerable.Range(0, r).OrderBy(_ => g.Int(0, 1000)).Take(src.Length).Select(d => g.Coin() ? d - r : d).ToArray();
            cases.Add(new("movedim", $"{Fmt(s)} source {Ints(src)} destination {Ints(dst)}", [g.Input("x", s)],
                x => x[0].Movedim(src, dst), x => x[0].movedim(L(src), L(dst))));
        }
        for (int i = 0; i < perFamily; i++)
        {
            int mode = g.Int(0, 3), rank = g.Int(0, 3), n = g.Int(1, 3);
            var s = Enumerable.Range(0, rank).Select(_ => g.Int(1, 4)).ToArray();
            int? join = mode switch
            {
                0 => rank == 0 ? null : rank == 1 ? 0 : 1,
                1 => rank >= 2 ? 0 : null,
                2 => rank >= 3 ? 2 : null,
                _ => rank >= 2 ? 1 : null,
            };
            var inputs = Enumerable.Range(0, n).Select(k =>
            {
                var sk = (int[])s.Clone();
                if (join is int d) sk[d] = g.Int(1, 3);
                return g.Input($"x{k}", sk);
            }).ToArray();
            string name = new[] { "hstack", "vstack", "dstack", "column_stack" }[mode];
            string cfg = string.Join(" ", inputs.Select(x => Fmt(x.Shape)));
            cases.Add(mode switch
            {
                0 => new(name, cfg, inputs, x => PTensor.Hstack(x), x => hstack(x)),
                1 => new(name, cfg, inputs, x => PTensor.Vstack(x), x => vstack(x)),
                2 => new(name, cfg, inputs, x => PTensor.Dstack(x), x => dstack(x)),
                _ => new(name, cfg, inputs, x => PTensor.ColumnStack(x), x => column_stack(x)),
            });
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(2, 4, 5);
            int r = s.Length, k = g.Int(-9, 9), d0 = g.Int(0, r - 1), d1 = (d0 + g.Int(1, r - 1)) % r;
            if (g.Coin()) d0 -= r;
            if (g.Coin()) d1 -= r;
            int mode = g.Int(0, 3);
            cases.Add(mode switch
            {
                0 => new("rot90", $"{Fmt(s)} fliplr", [g.Input("x", s)], x => x[0].Fliplr(), x => x[0].fliplr()),
                1 => new("rot90", $"{Fmt(s)} flipud", [g.Input("x", s)], x => x[0].Flipud(), x => x[0].flipud()),
                _ => new("rot90", $"{Fmt(s)} k {k} dims {d0},{d1}", [g.Input("x", s)], x => x[0].Rot90(k, [d0, d1]), x => x[0].rot90(k, (d0, d1))),
            });
        }
        for (int i = 0; i < perFamily; i++)
        {
            var s = g.Shape(1, 4, 7);
            int r = s.Length, dim = g.Int(-r, r - 1);
            int mode = g.Int(0, 2);
            if (mode == 0)
            {
                int sections = g.Int(1, 8);
                cases.Add(new("tensor_split", $"{Fmt(s)} sections {sections} dim {dim}", [g.Input("x", s)],
                    x => JoinP(x[0].TensorSplit(sections, dim)), x => JoinT(x[0].tensor_split(sections, dim))));
            }
            else if (mode == 1)
            {
                var idx = Enumerable.Range(0, g.Int(1, 3)).Select(_ => g.Int(-8, 8)).ToArray();
                cases.Add(new("tensor_split", $"{Fmt(s)} indices {Ints(idx)} dim {dim}", [g.Input("x", s)],
                    x => JoinP(x[0].TensorSplit(idx, dim)), x => JoinT(x[0].tensor_split(L(idx), dim))));
            }
            else
                cases.Add(new("tensor_split", $"{Fmt(s)} unbind dim {dim}", [g.Input("x", s)],
                    x => JoinP(x[0].Unbind(dim)), x => JoinT(x[0].unbind(dim))));
        }
        for (int i = 0; i < perFamily; i++)
        {
            int which = g.Int(0, 2);
            var s = g.Shape(which + 1, 4, 6);
            int d = which == 0 ? (s.Length == 1 ? 0 : 1) : which == 1 ? 0 : 2;
            string name = new[] { "hsplit", "vsplit", "dsplit" }[which];
            if (g.Coin())
            {
                // Equal sections: a divisor of the size.
                var divisors = Enumerable.Range(1, s[d]).Where(v => s[d] % v == 0).ToArray();
                int sections = divisors[g.Int(0, divisors.Length - 1)];
                cases.Add(new("hsplit", $"{name} {Fmt(s)} sections {sections}", [g.Input("x", s)],
                    which switch { 0 => x => JoinP(x[0].Hsplit(sections)), 1 => x => JoinP(x[0].Vsplit(sections)), _ => x => JoinP(x[0].Dsplit(sections)) },
                    which switch { 0 => x => JoinT(x[0].hsplit(sections)), 1 => x => JoinT(x[0].vsplit(sections)), _ => x => JoinT(x[0].dsplit(sections)) }));
            }
            else
            {
                var idx = Enumerable.Range(0, g.Int(1, 3)).Select(_ => g.Int(-7, 7)).ToArray();
                cases.Add(new("hsplit", $"{name} {Fmt(s)} indices {Ints(idx)}", [g.Input("x", s)],
                    which switch { 0 => x => JoinP(x[0].Hsplit(idx)), 1 => x => JoinP(x[0].Vsplit(idx)), _ => x => JoinP(x[0].Dsplit(idx)) },
                    which switch { 0 => x => JoinT(x[0].hsplit(L(idx))), 1 => x => JoinT(x[0].vsplit(L(idx))), _ => x => JoinT(x[0].dsplit(L(idx))) }));
            }
        }
        for (int i = 0; i < perFamily; i++)
        {
            int n = g.Int(1, 3);
            bool prod = g.Coin(0.3);
            string indexing = g.Pick("ij", "xy");
            var inputs = Enumerable.Range(0, n).Select(k => g.Input($"x{k}", !prod && g.Coin(0.2) ? [] : [g.Int(1, 4)])).ToArray();
            string cfg = string.Join(" ", inputs.Select(x => Fmt(x.Shape)));
            cases.Add(prod
                ? new("meshgrid", $"cartesian_prod {cfg}", inputs, x => PTensor.CartesianProd(x), x => cartesian_prod(x))
                : new("meshgrid", $"{cfg} indexing {indexing}", inputs, x => JoinP(PTensor.Meshgrid(x, indexing)), x => JoinT(meshgrid(x, indexing))));
        }
        for (int i = 0; i < perFamily; i++)
        {
            int n = g.Int(1, 6), r = g.Int(1, 4);
            bool replace = g.Coin();
            // Without replacement r ≤ n: more would give an empty [0, r], which TorchSharp cannot read back as values.
            if (!replace) r = Math.Min(r, n);
            cases.Add(new("combinations", $"[{n}] r {r} with_replacement {replace}", [g.Input("x", [n])],
                x => x[0].Combinations(r, replace), x => combinations(x[0], r, replace)));
        }
        for (int i = 0; i < perFamily; i++)
        {
            var full = g.Shape(1, 4, 4);
            int n = g.Int(1, 3);
            var inputs = Enumerable.Range(0, n).Select(k => g.Input($"x{k}", full.Skip(g.Int(0, full.Length - 1)).Select(d => g.Coin(0.3) ? 1 : d).ToArray())).ToArray();
            cases.Add(new("broadcast_tensors", string.Join(" ", inputs.Select(x => Fmt(x.Shape))), inputs,
                x => JoinP(PTensor.BroadcastTensors(x)), x => JoinT(broadcast_tensors(x).ToArray())));
        }
        for (int i = 0; i < perFamily; i++)
        {
            int rows = g.Int(1, 6), cols = g.Int(1, 6), offset = g.Int(-6, 6);
            bool upper = g.Coin();
            // The index ops read no input; the case runner wants one.
            var unused = new OracleInput("unused", [1], [0.0], Grad: false);
            cases.Add(new(upper ? "triu_indices" : "tril_indices", $"{rows}x{cols} offset {offset}", [unused],
                _ => WithShape(upper ? PTensor.TriuIndices(rows, cols, offset) : PTensor.TrilIndices(rows, cols, offset)),
                _ => WithShape(upper ? triu_indices(rows, cols, offset) : tril_indices(rows, cols, offset)), Differentiable: false, Tolerance32: 0));
        }
    }
}
