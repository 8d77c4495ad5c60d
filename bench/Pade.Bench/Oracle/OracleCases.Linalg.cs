using Pade.Engine.Functional;
using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// Products, einsum, distances and cumulative ops against libtorch's: outer, dot, vdot, mv, mm, bmm, addmm, addmv,
/// addbmm, baddbmm (β = 0 among them), linalg.cross with broadcasting, kron, tensordot (an int and pairs), einsum on
/// random equations (diagonals, ellipsis broadcasting, several operands, implicit output), cdist for p = 0, 1, 2, ∞ and
/// others (ties and zero distances on coarse inputs, whose gradient is ATen's closed form), pdist (through libtorch's
/// cdist: TorchSharp 0.107 binds no pdist), cumprod with zeros, cummax/cummin values and indices with ties and NaN,
/// logcumsumexp over a wide range and with −∞. cdist keeps at most 25 rows per side, where libtorch computes p = 2
/// directly rather than through its matrix-product path.
/// </summary>
public static partial class OracleCases
{
    private static void AddLinalg(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 151);
        for (int i = 0; i < perFamily; i++)
        {
            int n = g.Int(1, 5), m = g.Int(1, 5), p = g.Int(1, 5), b = g.Int(1, 3);
            float beta = g.Pick(1f, 0f, 0.5f, -0.75f), alpha = g.Pick(1f, 2.5f, -1f);
            string ba = $"beta {beta} alpha {alpha}";
            cases.Add(new("outer", $"[{n}] [{m}]", [g.Input("a", [n]), g.Input("b", [m])], x => PTensor.Outer(x[0], x[1]), t => torch.outer(t[0], t[1])));
            cases.Add(new("dot", $"[{n}]", [g.Input("a", [n]), g.Input("b", [n])], x => x[0].Dot(x[1]), t => t[0].dot(t[1])));
            cases.Add(new("vdot", $"[{n}]", [g.Input("a", [n]), g.Input("b", [n])], x => PTensor.Vdot(x[0], x[1]), t => t[0].vdot(t[1])));
            cases.Add(new("mv", $"[{n},{m}] [{m}]", [g.Input("a", [n, m]), g.Input("v", [m])], x => x[0].Mv(x[1]), t => t[0].mv(t[1])));
            cases.Add(new("mm", $"[{n},{m}] [{m},{p}]", [g.Input("a", [n, m]), g.Input("b", [m, p])], x => PTensor.Mm(x[0], x[1]), t => t[0].mm(t[1])));
            cases.Add(new("bmm", $"[{b},{n},{m}] [{b},{m},{p}]", [g.Input("a", [b, n, m]), g.Input("b", [b, m, p])], x => x[0].Bmm(x[1]), t => t[0].bmm(t[1])));
            int[] inShape = g.Pick<int[]>([n, p], [p], [1, p], [n, 1], []);
            cases.Add(new("addmm", $"input {Fmt(inShape)} [{n},{m}] [{m},{p}] {ba}", [g.Input("input", inShape), g.Input("a", [n, m]), g.Input("b", [m, p])],
                x => PTensor.Addmm(x[0], x[1], x[2], beta, alpha), t => t[0].addmm(t[1], t[2], beta, alpha)));
            cases.Add(new("addmv", $"input [{n}] [{n},{m}] [{m}] {ba}", [g.Input("input", [n]), g.Input("a", [n, m]), g.Input("v", [m])],
                x => x[0].Addmv(x[1], x[2], beta, alpha), t => t[0].addmv(t[1], t[2], beta, alpha)));
            cases.Add(new("addbmm", $"input [{n},{p}] [{b},{n},{m}] [{b},{m},{p}] {ba}", [g.Input("input", [n, p]), g.Input("a", [b, n, m]), g.Input("b", [b, m, p])],
                x => PTensor.Addbmm(x[0], x[1], x[2], beta, alpha), t => t[0].addbmm(t[1], t[2], beta, alpha)));
            cases.Add(new("baddbmm", $"input [{b},1,{p}] [{b},{n},{m}] [{b},{m},{p}] {ba}", [g.Input("input", [b, 1, p]), g.Input("a", [b, n, m]), g.Input("b", [b, m, p])],
                x => PTensor.Baddbmm(x[0], x[1], x[2], beta, alpha), 
                // TorchSharp 0.107's baddbmm binding mixes up its arguments (wrong shapes and values for a correct call):
                // libtorch's definition, β·input + α·bmm, written out with its bmm; β = 0 ignores the input there too.
                t => beta == 0 ? alpha * t[1].bmm(t[2]) + 0 * t[0].nan_to_num() : beta * t[0] + alpha * t[1].bmm(t[2])));

            // cross: the 3-dim at a random place, the other dims broadcast.
            int rank = g.Int(1, 3), at = g.Int(0, rank - 1);
            var sa = Enumerable.Range(0, rank).Select(d => d == at ? 3 : g.Int(1, 3)).ToArray();
            var sb = sa.Select((s, d) => d != at && g.Coin(0.3) ? 1 : s).ToArray();
            int cdim = g.Coin() ? at - rank : at;
            cases.Add(new("linalg.cross", $"{Fmt(sa)} {Fmt(sb)} dim {cdim}", [g.Input("a", sa), g.Input("b", sb)],
                x => x[0].Cross(x[1], cdim), t => torch.linalg.cross(t[0], t[1], cdim)));

            var ka = g.Shape(0, 3, 3);
            var kb = g.Shape(0, 3, 3);
            cases.Add(new("kron", $"{Fmt(ka)} {Fmt(kb)}", [g.Input("a", ka), g.Input("b", kb)], x => PTensor.Kron(x[0], x[1]), t => torch.kron(t[0], t[1])));

            // tensordot: the last k dims of a with the first k of b, and two pairs in another order.
            int q = g.Int(1, 4), r = g.Int(1, 4), s = g.Int(1, 3);
            cases.Add(new("tensordot", $"[{n},{q},{r}] [{q},{r},{s}] dims 2", [g.Input("a", [n, q, r]), g.Input("b", [q, r, s])],
                x => PTensor.Tensordot(x[0], x[1], 2), t => torch.tensordot(t[0], t[1], [1, 2], [0, 1])));   // TorchSharp 0.107's int overload throws
            cases.Add(new("tensordot", $"[{n},{q},{r}] [{r},{s},{q}] dims ([1,2],[2,0])", [g.Input("a", [n, q, r]), g.Input("b", [r, s, q])],
                x => PTensor.Tensordot(x[0], x[1], [1, 2], [2, 0]), t => torch.tensordot(t[0], t[1], [1, 2], [2, 0])));
        }

        for (int i = 0; i < perFamily * 2; i++) cases.Add(EinsumCase(g));
        foreach (var (eq, shapes) in new (string, int[][])[]
                 {
                     ("ii", [[4, 4]]), ("ii->i", [[3, 3]]), ("bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]), ("...ij,...jk", [[2, 1, 3, 4], [5, 4, 2]]),
                     ("i,j,k->ijk", [[2], [3], [4]]), ("Ab,bA", [[3, 4], [4, 3]]), ("iij->j", [[3, 3, 2]]), ("i j , j k -> k i", [[2, 3], [3, 4]]),
                 })
            cases.Add(new("einsum", $"\"{eq}\" {string.Join(" ", shapes.Select(Fmt))}", [.. shapes.Select((s, k) => g.Input($"x{k}", s))],
                x => PTensor.Einsum(eq, x), t => torch.einsum(eq, t)));

        foreach (double pv in new[] { 0.0, 1.0, 2.0, double.PositiveInfinity, 0.5, 1.5, 3.0 })
            for (int i = 0; i < Math.Max(1, perFamily / 3); i++)
            {
                bool coarse = g.Coin(0.4);
                int[] batch = g.Pick<int[]>([], [2], [2, 1]);
                int[] s1 = [.. batch, g.Int(1, 6), g.Int(1, 4)];
                int[] s2 = [.. batch.Select(d => g.Coin(0.3) ? 1 : d), g.Int(1, 6), s1[^1]];
                var x1 = coarse ? CoarseInput(g, "x1", s1) : g.Input("x1", s1);
                var x2 = coarse ? CoarseInput(g, "x2", s2) : g.Input("x2", s2);
                cases.Add(new("cdist", $"{Fmt(s1)} {Fmt(s2)} p {pv}{(coarse ? " ties" : "")}", [x1, x2],
                    x => F.Cdist(x[0], x[1], pv), t => torch.cdist(t[0], t[1], pv)));
                int rows = g.Int(1, 6), cols = g.Int(1, 4);
                var xp = coarse ? CoarseInput(g, "x", [rows, cols]) : g.Input("x", [rows, cols]);
                var pairs = Enumerable.Range(0, rows).SelectMany(a => Enumerable.Range(a + 1, rows - a - 1).Select(c => (long)(a * rows + c))).ToArray();
                cases.Add(new("pdist", $"[{rows},{cols}] p {pv}{(coarse ? " ties" : "")}", [xp],
                    x => F.Pdist(x[0], pv), t => torch.cdist(t[0], t[0], pv).flatten().index_select(0, torch.tensor(pairs))));
            }

        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 3, 6);
            int rank = shape.Length, axis = g.Int(0, rank - 1), dim = g.Coin() ? axis - rank : axis;
            int count = shape.Aggregate(1, (a, b) => a * b);
            string label = $"{Fmt(shape)} dim {dim}";
            // cumprod: factors ±[0.5, 1.5] with zeros now and then (one or several in a slice).
            var factors = Enumerable.Range(0, count).Select(_ => g.Coin(0.2) ? 0.0 : (g.Coin() ? -1 : 1) * (0.5 + g.Values(1, 0, 1)[0])).ToArray();
            cases.Add(new("cumprod", label + " zeros", [new OracleInput("x", shape, factors)], x => x[0].Cumprod(dim), t => t[0].cumprod(dim)));
            // cummax / cummin: distinct values (gradient compared), or ties with NaN and ±∞ (values and indices).
            bool tied = g.Coin();
            var xs = SortInput(g, shape, tied);
            string tl = label + (tied ? " ties/nan/inf" : "");
            cases.Add(CumCase("cummax", tl, xs, !tied, p => p.Cummax(dim).Values, t => t.cummax(dim).values));
            cases.Add(CumCase("cummax", tl + " indices", xs, false, p => p.Cummax(dim).Indices, t => t.cummax(dim).indexes));
            cases.Add(CumCase("cummin", tl, xs, !tied, p => p.Cummin(dim).Values, t => t.cummin(dim).values));
            cases.Add(CumCase("cummin", tl + " indices", xs, false, p => p.Cummin(dim).Indices, t => t.cummin(dim).indexes));
            // logcumsumexp: [−3, 3], or [−300, 300] (exp overflows without the running shift), or −∞ now and then
            // (forward only: the backward of −∞ is NaN in both libraries' formula, compared below on its own).
            int kind = g.Int(0, 2);
            var lv = Enumerable.Range(0, count).Select(_ => kind == 2 && g.Coin(0.3) ? double.NegativeInfinity : g.Values(1, kind == 1 ? -300 : -3, kind == 1 ? 300 : 3)[0]).ToArray();
            cases.Add(new("logcumsumexp", label + (kind == 1 ? " wide" : kind == 2 ? " -inf" : ""), [new OracleInput("x", shape, lv)],
                x => x[0].LogCumSumExp(dim), t => t[0].logcumsumexp(dim), Differentiable: kind != 2));
        }
        cases.Add(new("logcumsumexp", "[5] -inf first", [new OracleInput("x", [5], [double.NegativeInfinity, double.NegativeInfinity, 1, -2, double.NegativeInfinity])],
            x => x[0].LogCumSumExp(0), t => t[0].logcumsumexp(0)));
        cases.Add(new("cumprod", "[2,4] one and two zeros", [new OracleInput("x", [2, 4], [2, 0, 3, 0.5, 0, 1.5, 0, 2])],
            x => x[0].Cumprod(1), t => t[0].cumprod(1)));
    }

    /// <summary>A random einsum: 1 to 3 operands over letters of fixed sizes, repeats (diagonals) and an ellipsis now and
    /// then, the output implicit or a random subset of the letters in random order.</summary>
    private static OracleCase EinsumCase(OracleGen g)
    {
        const string letters = "abcdB";
        var size = letters.ToDictionary(ch => ch, _ => g.Int(1, 4));
        int[] ell = g.Coin(0.3) ? [g.Int(1, 3), g.Int(1, 2)] : [];
        int nops = g.Int(1, 3);
        var terms = new List<string>();
        var shapes = new List<int[]>();
        for (int t = 0; t < nops; t++)
        {
            var term = string.Concat(Enumerable.Range(0, g.Int(0, 3)).Select(_ => letters[g.Int(0, letters.Length - 1)]));
            var shape = term.Select(ch => size[ch]).ToList();
            if (ell.Length > 0 && g.Coin(0.6))
            {
                int keep = g.Int(0, ell.Length), pos = g.Int(0, term.Length);
                var e = ell[(ell.Length - keep)..].Select(d => g.Coin(0.2) ? 1 : d).ToArray();
                term = term[..pos] + "..." + term[pos..];
                shape.InsertRange(pos, e);
            }
            terms.Add(term);
            shapes.Add([.. shape]);
        }
        string eq = string.Join(",", terms);
        if (g.Coin(0.6))
        {
            var used = string.Concat(terms).Where(char.IsLetter).Distinct().Where(_ => g.Coin(0.6)).OrderBy(_ => g.Int(0, 99)).ToArray();
            eq += "->" + (terms.Any(t => t.Contains("...")) && g.Coin() ? "..." : "") + new string(used);
        }
        return new("einsum", $"\"{eq}\" {string.Join(" ", shapes.Select(Fmt))}", [.. shapes.Select((s, k) => g.Input($"x{k}", s))],
            x => PTensor.Einsum(eq, x), t => torch.einsum(eq, t));
    }

    /// <summary>Multiples of 1/2 in [−1.5, 1.5]: equal coordinates (zero differences, zero distances) and tied |d|.</summary>
    private static OracleInput CoarseInput(OracleGen g, string name, int[] shape) =>
        new(name, shape, [.. Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => g.Int(-3, 3) / 2.0)]);

    private static OracleCase CumCase(string family, string config, OracleInput x, bool differentiable, Func<PTensor, PTensor> pade, Func<TTensor, TTensor> torchOp) =>
        new(family, config, [x], p => pade(p[0]).To(Pade.Engine.DType.Float64), t => torchOp(t[0]).to_type(torch.ScalarType.Float64),
            Tolerance: 1e-14, Differentiable: differentiable, Tolerance32: 1e-6);
}
