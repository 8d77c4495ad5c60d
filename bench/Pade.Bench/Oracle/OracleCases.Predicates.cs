using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// isnan .. isfinite, logical_and/or/xor/not, isclose, allclose, equal, nan_to_num, clamp with tensor bounds (and
/// clip), nansum, nanmean, var_mean, std_mean, aminmax, count_nonzero, cov and corrcoef against libtorch's: random
/// shapes with NaN, ±∞ and 0 sprinkled in, broadcast operands, clamp's bounds on a grid of halves (ties with x and
/// min = max, where PyTorch's gradient rules matter). Every value is a float32 number, so the float32 run sees the same
/// inputs. Predicates give 1 and 0 (libtorch's bools converted); allclose and equal a 0-d 1 or 0; tuples (var_mean,
/// aminmax, ...) their parts flattened and concatenated.
/// </summary>
/// <remarks>nan_to_num's default replacement of ±∞ is the dtype's largest finite value, which differs between
/// Pade's float32 and libtorch's float64: those defaults are compared on inputs without infinities here (the float32
/// values are checked by the unit tests). TorchSharp 0.107 binds nansum without dims (compared over a dim with libtorch's
/// where(isnan, 0, x).sum(dim), PyTorch's definition) and clip with scalar bounds only (clip with tensors is compared
/// with libtorch's clamp, which it aliases); its nanmean kills the process (SIGSEGV in every form tried), so nanmean is
/// compared with PyTorch's definition in libtorch's ops, nansum / (~isnan).sum(); its equal is the elementwise eq, so
/// torch.equal is libtorch's eq(b).all() after a shape check. libtorch has no derivative for aminmax ("derivative for
/// aten::aminmax is not implemented"): its values are compared here, Pade's gradient (amin's and amax's) by the unit
/// tests and the amin/amax cases.</remarks>
public static partial class OracleCases
{
    private static void AddPredicates(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7949 + 83);
        double[] Special(int[] shape, double nan = 0.1, double inf = 0.1, double zero = 0.1) =>
            g.Values(shape.Aggregate(1L, (a, b) => a * b)).Select(v =>
            {
                double p = g.Int(0, 999) / 1000.0;
                return p < nan ? double.NaN : p < nan + inf ? (g.Coin() ? double.PositiveInfinity : double.NegativeInfinity)
                    : p < nan + inf + zero ? 0.0 : (double)(float)v;
            }).ToArray();
        OracleInput In(string name, int[] shape, double[] v, bool grad = false) => new(name, shape, v, grad);

        var unary = new (string Name, Func<PTensor, PTensor> Pade, Func<TTensor, TTensor> Torch)[]
        {
            ("isnan", x => x.IsNan(), x => x.isnan()),
            ("isinf", x => x.IsInf(), x => x.isinf()),
            ("isposinf", x => x.IsPosInf(), x => x.isposinf()),
            ("isneginf", x => x.IsNegInf(), x => x.isneginf()),
            ("isfinite", x => x.IsFinite(), x => x.isfinite()),
            ("logical_not", x => x.LogicalNot(), x => x.logical_not()),
        };
        foreach (var (name, pade, torch) in unary)
            for (int i = 0; i < perFamily; i++)
            {
                var shape = g.Shape(0, 3, 5);
                cases.Add(new(name, Fmt(shape), [In("x", shape, Special(shape))], p => pade(p[0]),
                    t => torch(t[0]).to_type(ScalarType.Float64), Differentiable: false));
            }

        var binary = new (string Name, Func<PTensor, PTensor, PTensor> Pade, Func<TTensor, TTensor, TTensor> Torch)[]
        {
            ("logical_and", (a, b) => a.LogicalAnd(b), (a, b) => a.logical_and(b)),
            ("logical_or", (a, b) => a.LogicalOr(b), (a, b) => a.logical_or(b)),
            ("logical_xor", (a, b) => a.LogicalXor(b), (a, b) => a.logical_xor(b)),
        };
        foreach (var (name, pade, torch) in binary)
            for (int i = 0; i < perFamily; i++)
            {
                var sa = g.Shape(1, 3, 5);
                var sb = BroadcastOf(g, sa);
                if (g.Coin()) (sa, sb) = (sb, sa);
                cases.Add(new(name, $"{Fmt(sa)} {Fmt(sb)}", [In("a", sa, Special(sa, zero: 0.3)), In("b", sb, Special(sb, zero: 0.3))],
                    p => pade(p[0], p[1]), t => torch(t[0], t[1]).to_type(ScalarType.Float64), Differentiable: false));
            }

        // isclose with b near a (relative differences 2e-6: close for rtol 1e-5; 1e-4: not), NaN and ±∞ among them.
        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 3, 5);
            var a = Special(shape);
            var b = a.Select(v => g.Int(0, 4) switch
            {
                0 => v,
                1 => (double)(float)(v * (1 + 2e-6)),
                2 => (double)(float)(v * (1 + 1e-4)),
                3 => (double)(float)(v + 5e-9),
                _ => g.Coin() ? double.NaN : double.PositiveInfinity,
            }).ToArray();
            var sb = shape;
            if (g.Coin(0.25)) { sb = BroadcastOf(g, shape); b = Special(sb); }
            double rtol = g.Pick(1e-5, 1e-5, 0.0, 1e-3), atol = g.Pick(1e-8, 0.0, 1e-6);
            bool equalNan = g.Coin();
            var label = $"{Fmt(shape)} {Fmt(sb)} rtol {rtol} atol {atol} equal_nan {equalNan}";
            cases.Add(new("isclose", label, [In("a", shape, a), In("b", sb, b)],
                p => p[0].IsClose(p[1], rtol, atol, equalNan), t => t[0].isclose(t[1], rtol, atol, equalNan).to_type(ScalarType.Float64),
                Differentiable: false));
            if (Enumerable.SequenceEqual(shape, sb))
            {
                cases.Add(new("allclose", label, [In("a", shape, a), In("b", sb, b)],
                    p => PTensor.Scalar(p[0].AllClose(p[1], rtol, atol, equalNan) ? 1 : 0, Pade.Engine.DType.Float64),
                    t => tensor(t[0].allclose(t[1], rtol, atol, equalNan) ? 1.0 : 0.0), Differentiable: false));
                // equal: the same values (no NaN, else never equal), or one element changed, or another shape.
                var c = a.Select(v => double.IsNaN(v) ? 1.5 : v).ToArray();
                var d = (double[])c.Clone();
                if (g.Coin()) d[g.Int(0, d.Length - 1)] += 0.25;
                cases.Add(new("equal", Fmt(shape), [In("a", shape, c), In("b", shape, d)],
                    p => PTensor.Scalar(p[0].Equal(p[1]) ? 1 : 0, Pade.Engine.DType.Float64),
                    t => tensor(TorchEqual(t[0], t[1]) ? 1.0 : 0.0), Differentiable: false));
            }
        }
        cases.Add(new("equal", "[2,3] [3,2] (other shape)", [In("a", [2, 3], [1, 2, 3, 4, 5, 6]), In("b", [3, 2], [1, 2, 3, 4, 5, 6])],
            p => PTensor.Scalar(p[0].Equal(p[1]) ? 1 : 0, Pade.Engine.DType.Float64), t => tensor(TorchEqual(t[0], t[1]) ? 1.0 : 0.0), Differentiable: false));

        // nan_to_num: explicit replacements with infinities in the input; the defaults on NaN-only inputs.
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(0, 3, 5);
            bool defaults = g.Coin(0.3);
            var x = defaults ? Special(shape, nan: 0.25, inf: 0) : Special(shape, nan: 0.2, inf: 0.3);
            double nan = g.Pick(0.0, 1.5, -3.0);
            double? pos = defaults ? null : g.Pick(100.0, 7.5), neg = defaults ? null : g.Pick(-100.0, -0.5);
            cases.Add(new("nan_to_num", $"{Fmt(shape)} nan {nan} posinf {pos?.ToString() ?? "None"} neginf {neg?.ToString() ?? "None"}",
                [In("x", shape, x, grad: true)], p => p[0].NanToNum(nan, pos, neg), t => t[0].nan_to_num(nan, pos, neg)));
        }

        // clamp / clip with tensor bounds on a grid of halves: ties x = min, x = max, min = max, min > max; one bound
        // only; NaN in some cases.
        for (int i = 0; i < perFamily * 3; i++)
        {
            var sx = g.Shape(0, 3, 4);
            var (sl, sh) = (BroadcastOf(g, sx), BroadcastOf(g, sx));
            if (g.Coin(0.3)) (sx, sl) = (sl, sx);
            int which = g.Int(0, 2); // 0: both, 1: min only, 2: max only
            bool nan = g.Coin(0.2), clip = g.Coin(0.3);
            double[] Grid(int[] s) => Enumerable.Range(0, s.Aggregate(1, (a, b) => a * b))
                .Select(_ => nan && g.Coin(0.1) ? double.NaN : g.Int(-2, 2) * 0.5).ToArray();
            var inputs = new List<OracleInput> { In("x", sx, Grid(sx), grad: true) };
            if (which != 2) inputs.Add(In("min", sl, Grid(sl), grad: true));
            if (which != 1) inputs.Add(In("max", sh, Grid(sh), grad: true));
            var label = $"x {Fmt(sx)} min {(which == 2 ? "None" : Fmt(sl))} max {(which == 1 ? "None" : Fmt(sh))}{(nan ? " NaN" : "")}";
            cases.Add(new(clip ? "clip" : "clamp", label, [.. inputs],
                p =>
                {
                    PTensor? lo = which == 2 ? null : p[1], hi = which == 1 ? null : p[^1];
                    return clip ? p[0].Clip(lo, hi) : p[0].Clamp(lo, hi);
                },
                t => which switch
                {
                    0 => t[0].clamp(t[1], t[2]),
                    1 => t[0].clamp(t[1], null),
                    _ => t[0].clamp(null, t[1]),
                }));
        }

        // nansum and nanmean over random dims (None, some, negative), keepdim; NaN sprinkled in, one row all NaN.
        foreach (var op in (string[])["nansum", "nanmean"])
            for (int i = 0; i < perFamily * 2; i++)
            {
                var shape = g.Shape(1, 3, 5);
                var x = Special(shape, nan: 0.3, inf: 0, zero: 0.05);
                if (g.Coin(0.3)) for (int k = 0; k < shape[^1]; k++) x[k] = double.NaN;
                int? dim = g.Coin(0.25) ? null : g.Int(-shape.Length, shape.Length - 1);
                bool keep = dim != null && g.Coin();
                var label = $"{Fmt(shape)} dim {dim?.ToString() ?? "None"} keepdim {keep}";
                bool sum = op == "nansum";
                cases.Add(new(op, label, [In("x", shape, x, grad: true)],
                    p => dim is int d ? (sum ? p[0].Nansum(d, keep) : p[0].Nanmean(d, keep)) : sum ? p[0].Nansum() : p[0].Nanmean(),
                    t =>
                    {
                        if (dim is not int d) return sum ? t[0].nansum() : t[0].nansum() / t[0].isnan().logical_not().sum();
                        var s = where(t[0].isnan(), 0.0, t[0]).sum([d], keep);
                        return sum ? s : s / t[0].isnan().logical_not().sum([d], keep);
                    }));
            }

        // var_mean and std_mean (corrections 0 and 1, the ones TorchSharp binds), concatenated.
        foreach (var op in (string[])["var_mean", "std_mean"])
            for (int i = 0; i < perFamily; i++)
            {
                var shape = g.Shape(1, 3, 5);
                var axes = Enumerable.Range(0, shape.Length).Where(_ => g.Coin()).Select(a => g.Coin() ? a - shape.Length : a).ToArray();
                if (axes.Length == 0) axes = [g.Int(0, shape.Length - 1)];
                bool keep = g.Coin(), unbiased = g.Coin();
                long n = axes.Aggregate(1L, (c, a) => c * shape[a < 0 ? a + shape.Length : a]);
                if (n == 1) unbiased = false;
                bool std = op == "std_mean";
                cases.Add(new(op, $"{Fmt(shape)} dims {Fmt(axes)} correction {(unbiased ? 1 : 0)} keepdim {keep}", [g.Input("x", shape)],
                    p =>
                    {
                        var (s, m) = std ? p[0].StdMean(axes, unbiased ? 1 : 0, keep) : p[0].VarMean(axes, unbiased ? 1 : 0, keep);
                        return PTensor.Concat([s.Reshape(-1), m.Reshape(-1)]);
                    },
                    t =>
                    {
                        var dims = axes.Select(a => (long)a).ToArray();
                        var (s, m) = std ? std_mean(t[0], dims, unbiased, keep) : var_mean(t[0], dims, unbiased, keep);
                        return cat([s.reshape(-1), m.reshape(-1)]);
                    }));
            }

        // aminmax over a dim or every element, distinct values (no ties to route differently).
        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(0, 3, 5);
            int? dim = shape.Length == 0 ? (g.Coin() ? null : g.Pick(0, -1)) : g.Coin(0.3) ? null : g.Int(-shape.Length, shape.Length - 1);
            bool keep = g.Coin();
            var x = new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)));
            cases.Add(new("aminmax", $"{Fmt(shape)} dim {dim?.ToString() ?? "None"} keepdim {keep}", [x],
                p => { var (lo, hi) = p[0].Aminmax(dim, keep); return PTensor.Concat([lo.Reshape(-1), hi.Reshape(-1)]); },
                t =>
                {
                    var (lo, hi) = dim is int d ? t[0].aminmax(d, keep) : t[0].aminmax(keepdim: keep);
                    return cat([lo.reshape(-1), hi.reshape(-1)]);
                }, Differentiable: false)); // libtorch 2.10: "derivative for aten::aminmax is not implemented"
        }

        // count_nonzero over dims (None, one, several), NaN counted.
        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 3, 5);
            var axes = g.Coin(0.25) ? null : Enumerable.Range(0, shape.Length).Where(_ => g.Coin()).Select(a => g.Coin() ? a - shape.Length : a).ToArray();
            if (axes is []) axes = null;
            cases.Add(new("count_nonzero", $"{Fmt(shape)} dims {(axes == null ? "None" : Fmt(axes))}", [In("x", shape, Special(shape, zero: 0.4))],
                p => p[0].CountNonzero(axes).To(Pade.Engine.DType.Float64),
                t => (axes == null ? t[0].count_nonzero() : t[0].count_nonzero(axes.Select(a => (long)a).ToArray())).to_type(ScalarType.Float64),
                Differentiable: false));
        }

        // cov: 1-D and 2-D inputs, corrections 0, 1, 2, with frequency and observation weights.
        for (int i = 0; i < perFamily * 2; i++)
        {
            int vars = g.Int(1, 4), n = g.Int(2, 6);
            int[] shape = g.Coin(0.25) ? [n] : [vars, n];
            int correction = g.Pick(0, 1, 1, 2);
            bool fw = g.Coin(), aw = g.Coin();
            var inputs = new List<OracleInput> { g.Input("x", shape) };
            if (fw) inputs.Add(new("fweights", [n], Enumerable.Range(0, n).Select(_ => (double)g.Int(1, 3)).ToArray(), Grad: false, Indices: true));
            if (aw) inputs.Add(new("aweights", [n], Enumerable.Range(0, n).Select(_ => (double)(float)(0.1 + g.Int(0, 1000) / 1000.0)).ToArray(), Grad: false));
            cases.Add(new("cov", $"{Fmt(shape)} correction {correction} fweights {fw} aweights {aw}", [.. inputs],
                p => p[0].Cov(correction, fw ? p[1] : null, aw ? p[^1] : null),
                t => t[0].cov(correction, fw ? t[1] : null, aw ? t[^1] : null)));
        }
        cases.Add(new("cov", "[2,2] correction 2 (no degrees of freedom: ±inf)", [new("x", [2, 2], [1, 2, 4, 3])],
            p => p[0].Cov(2), t => t[0].cov(2), Differentiable: false));

        // corrcoef: several variables (R clipped to [−1, 1]) or one (C/C = 1).
        for (int i = 0; i < perFamily; i++)
        {
            int vars = g.Int(1, 4), n = g.Int(4, 7);
            int[] shape = g.Coin(0.2) ? [n] : [vars, n];
            cases.Add(new("corrcoef", Fmt(shape), [g.Input("x", shape)], p => p[0].Corrcoef(), t => t[0].corrcoef()));
        }
    }

    /// <summary>torch.equal (TorchSharp 0.107's Tensor.equal is the elementwise eq): the same shape and every element
    /// equal.</summary>
    private static bool TorchEqual(TTensor a, TTensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
