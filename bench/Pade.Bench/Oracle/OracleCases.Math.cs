using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// sin, cos, rsqrt, erf, floor, ceil, round, trunc, cumsum and prod against libtorch's: random shapes, arguments up to
/// 1e4 for sin and cos, round's ties (halves), cumsum along any dim (negative, 0-d), prod over a dim or all, with
/// zeros (one, and several in a slice: the gradient's product of the others, without division). Every value is a
/// float32 number, so that `--dtype float32` gives both libraries the same arguments (sin(1e4) moves by 6e-4 when
/// its argument is rounded to float32). Empty tensors are not compared here (TorchSharp 0.107 cannot build an empty
/// tensor from values); the unit tests cover them.
/// </summary>
public static partial class OracleCases
{
    private static readonly (string Name, Func<PTensor, PTensor> Pade, Func<TTensor, TTensor> Torch, double Lo, double Hi)[] MathUnary =
    [
        ("sin", x => x.Sin(), x => x.sin(), -4, 4),
        ("sin large", x => x.Sin(), x => x.sin(), -1e4, 1e4),
        ("cos", x => x.Cos(), x => x.cos(), -4, 4),
        ("cos large", x => x.Cos(), x => x.cos(), -1e4, 1e4),
        ("rsqrt", x => x.Rsqrt(), x => x.rsqrt(), 0.05, 5),
        ("erf", x => x.Erf(), x => x.erf(), -3, 3),
        ("floor", x => x.Floor(), x => x.floor(), -5, 5),
        ("ceil", x => x.Ceil(), x => x.ceil(), -5, 5),
        ("round", x => x.Round(), x => x.round(), -5, 5),
        ("trunc", x => x.Trunc(), x => x.trunc(), -5, 5),
    ];

    private static OracleInput Float32Exact(OracleInput x) => x with { Values = x.Values.Select(v => (double)(float)v).ToArray() };

    private static void AddMath(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 37);
        foreach (var (name, pade, torchOp, lo, hi) in MathUnary)
            for (int i = 0; i < perFamily; i++)
            {
                var shape = g.Shape();
                cases.Add(new("math", $"{name} {Fmt(shape)}", [Float32Exact(g.Input("x", shape, lo, hi, avoid: 0.01))], x => pade(x[0]), x => torchOp(x[0])));
            }
        // Halves and integers: round's ties go to even in both; the roundings' gradients are 0 there too.
        var ties = Enumerable.Range(-10, 21).Select(k => k / 2.0).ToArray();
        foreach (var (name, pade, torchOp, _, _) in MathUnary.Where(u => u.Name is "floor" or "ceil" or "round" or "trunc"))
            cases.Add(new("math", $"{name} [21] (halves and integers)", [new("x", [21], ties)], x => pade(x[0]), x => torchOp(x[0])));

        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 4, 6);
            int dim = g.Int(0, shape.Length - 1);
            if (g.Coin()) dim -= shape.Length;
            cases.Add(new("cumsum", $"{Fmt(shape)} dim {dim}", [Float32Exact(g.Input("x", shape))], x => x[0].Cumsum(dim), x => x[0].cumsum(dim)));
        }
        cases.Add(new("cumsum", "[] dim -1 (0-d)", [new("x", [], [0.7])], x => x[0].Cumsum(-1), x => x[0].cumsum(-1)));

        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 4, 6);
            bool all = g.Coin(0.25), keep = !all && g.Coin();
            int dim = g.Int(0, shape.Length - 1);
            if (g.Coin()) dim -= shape.Length;
            // Factors of magnitude 0.5 to 1.5; a third of the cases with zeros (each element one time in four).
            var x = Float32Exact(g.Input("x", shape, -1.5, 1.5, avoid: 0.5));
            bool zeros = g.Coin(1.0 / 3);
            if (zeros) x = x with { Values = x.Values.Select(v => g.Coin(0.25) ? 0 : v).ToArray() };
            var label = $"{Fmt(shape)} {(all ? "all" : $"dim {dim}{(keep ? " keepdim" : "")}")}{(zeros ? " with zeros" : "")}";
            cases.Add(all
                ? new("prod", label, [x], p => p[0].Prod(), t => t[0].prod())
                : new("prod", label, [x], p => p[0].Prod(dim, keep), t => t[0].prod(dim, keep)));
        }
        // One zero in a slice (its gradient is the product of the others), two and three zeros (all 0), a 0-d tensor.
        cases.Add(new("prod", "[2,4] dim 1 (one zero in row 0, two in row 1)", [new("x", [2, 4], [1.5, 0, -0.75, 1.25, 0, 0.5, 0, 2])],
            p => p[0].Prod(1), t => t[0].prod(1)));
        cases.Add(new("prod", "[3,3] dim 0 keepdim (no, one and three zeros in a column)", [new("x", [3, 3], [0.5, 0, 0, 1.5, 2, 0, -1.25, 0.75, 0])],
            p => p[0].Prod(0, true), t => t[0].prod(0, true)));
        cases.Add(new("prod", "[5] all (one zero)", [new("x", [5], [1.5, -0.5, 0, 2, 0.75])], p => p[0].Prod(), t => t[0].prod()));
        // prod(0L, false): a literal 0 converts to TorchSharp's ScalarType, and prod(0) would be prod(dtype: Byte).
        cases.Add(new("prod", "[] dim 0 (0-d)", [new("x", [], [-0.7])], p => p[0].Prod(0), t => t[0].prod(0L, false)));
    }
}
