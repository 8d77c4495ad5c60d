using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// torch's tan .. logit and the binary math functions against libtorch's, values and gradients: random shapes, each
/// function inside its domain (acosh above 1, atanh and erfinv inside (−1, 1), lgamma and digamma also left of 0
/// between poles), binary pairs broadcast against each other (dims set to 1 or dropped), remainder, fmod and
/// floor_divide by divisors of either sign, xlogy with zeros in x, lerp with a tensor weight (both of PyTorch's forms)
/// and a scalar one; then PyTorch's special points (0⁰, atan2 of signed zeros, division by zero, digamma at 0 and
/// the negative integers, logit's clamp). Every value is a float32 number (see OracleCases.Math.cs).
/// </summary>
public static partial class OracleCases
{
    private static readonly (string Name, Func<PTensor, PTensor> Pade, Func<TTensor, TTensor> Torch, double Lo, double Hi)[] MoreMathUnary =
    [
        ("tan", x => x.Tan(), x => x.tan(), -1.4, 1.4),
        ("asin", x => x.Asin(), x => x.asin(), -0.95, 0.95),
        ("acos", x => x.Acos(), x => x.acos(), -0.95, 0.95),
        ("atan", x => x.Atan(), x => x.atan(), -5, 5),
        ("sinh", x => x.Sinh(), x => x.sinh(), -4, 4),
        ("cosh", x => x.Cosh(), x => x.cosh(), -4, 4),
        ("asinh", x => x.Asinh(), x => x.asinh(), -5, 5),
        ("acosh", x => x.Acosh(), x => x.acosh(), 1.05, 6),
        ("atanh", x => x.Atanh(), x => x.atanh(), -0.95, 0.95),
        ("log2", x => x.Log2(), x => x.log2(), 0.05, 20),
        ("log10", x => x.Log10(), x => x.log10(), 0.05, 20),
        ("exp2", x => x.Exp2(), x => x.exp2(), -6, 6),
        ("erfc", x => x.Erfc(), x => x.erfc(), -3, 5),
        ("erfinv", x => x.Erfinv(), x => x.erfinv(), -0.98, 0.98),
        ("lgamma", x => x.Lgamma(), x => x.lgamma(), 0.05, 12),
        ("lgamma negative", x => x.Lgamma(), x => x.lgamma(), -3.95, -3.05),
        ("digamma", x => x.Digamma(), x => x.digamma(), 0.05, 12),
        ("digamma negative", x => x.Digamma(), x => x.digamma(), -2.95, -2.05),
        ("frac", x => x.Frac(), x => x.frac(), -6, 6),
        ("sinc", x => x.Sinc(), x => x.sinc(), -3, 3),
        ("logit", x => x.Logit(), x => x.logit(), 0.02, 0.98),
        ("logit eps 0.1", x => x.Logit(0.1), x => x.logit(0.1), 0, 1),
        ("deg2rad", x => x.Deg2rad(), x => x.deg2rad(), -360, 360),
        ("rad2deg", x => x.Rad2deg(), x => x.rad2deg(), -7, 7),
    ];

    private static readonly (string Name, Func<PTensor, PTensor, PTensor> Pade, Func<TTensor, TTensor, TTensor> Torch,
        (double Lo, double Hi) A, (double Lo, double Hi) B, bool Differentiable)[] MoreMathBinary =
    [
        ("pow", (a, b) => a.Pow(b), (a, b) => a.pow(b), (0.2, 3), (-2.5, 2.5), true),
        ("atan2", (a, b) => a.Atan2(b), (a, b) => a.atan2(b), (-2, 2), (-2, 2), true),
        ("hypot", (a, b) => a.Hypot(b), (a, b) => a.hypot(b), (-2, 2), (-2, 2), true),
        ("remainder", (a, b) => a.Remainder(b), (a, b) => a.remainder(b), (-6, 6), (-2, 2), true),
        ("fmod", (a, b) => a.Fmod(b), (a, b) => a.fmod(b), (-6, 6), (-2, 2), true),
        ("floor_divide", (a, b) => a.FloorDivide(b), (a, b) => a.floor_divide(b), (-6, 6), (-2, 2), false),
        ("xlogy", (a, b) => a.Xlogy(b), (a, b) => a.xlogy(b), (-2, 2), (0.1, 4), true),
        ("copysign", (a, b) => a.Copysign(b), (a, b) => a.copysign(b), (-2, 2), (-2, 2), true),
        ("logaddexp", (a, b) => a.LogAddExp(b), (a, b) => a.logaddexp(b), (-8, 8), (-8, 8), true),
        ("ne", (a, b) => a.Ne(b), (a, b) => a.ne(b).to_type(a.dtype), (-2, 2), (-2, 2), false),
    ];

    /// <summary>A shape that broadcasts against <paramref name="full"/>: some dims 1, sometimes leading dims dropped.</summary>
    private static int[] BroadcastOf(OracleGen g, int[] full)
    {
        var s = full.Select(d => g.Coin(0.3) ? 1 : d).ToArray();
        return g.Coin(0.3) ? s.Skip(g.Int(0, s.Length)).ToArray() : s;
    }

    private static void AddMathOps(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7937 + 71);
        foreach (var (name, pade, torchOp, lo, hi) in MoreMathUnary)
            for (int i = 0; i < perFamily; i++)
            {
                var shape = g.Shape();
                cases.Add(new("mathops", $"{name} {Fmt(shape)}", [Float32Exact(g.Input("x", shape, lo, hi, avoid: 0.01))], x => pade(x[0]), x => torchOp(x[0])));
            }
        foreach (var (name, pade, torchOp, ra, rb, differentiable) in MoreMathBinary)
            for (int i = 0; i < perFamily; i++)
            {
                var full = g.Shape();
                var sb = BroadcastOf(g, full);
                var a = Float32Exact(g.Input("a", full, ra.Lo, ra.Hi, avoid: 0.05));
                // Coarse values (multiples of ½) for ne's ties and xlogy's zeros.
                if (name is "ne" or "xlogy") a = a with { Values = a.Values.Select(v => Math.Round(2 * v) / 2).ToArray() };
                var b = Float32Exact(g.Input("b", sb, rb.Lo, rb.Hi, avoid: 0.05));
                if (name == "ne") b = b with { Values = b.Values.Select(v => Math.Round(2 * v) / 2).ToArray() };
                cases.Add(new("mathops", $"{name} {Fmt(full)} with {Fmt(sb)}", [a, b], x => pade(x[0], x[1]), x => torchOp(x[0], x[1]),
                    Differentiable: differentiable));
            }
        for (int i = 0; i < perFamily; i++)
        {
            var full = g.Shape();
            var se = BroadcastOf(g, full);
            var sw = BroadcastOf(g, full);
            cases.Add(new("mathops", $"lerp {Fmt(full)} end {Fmt(se)} weight {Fmt(sw)}",
                [Float32Exact(g.Input("x", full)), Float32Exact(g.Input("end", se)), Float32Exact(g.Input("weight", sw, -1, 2))],
                x => x[0].Lerp(x[1], x[2]), x => x[0].lerp(x[1], x[2])));
            double w = g.Pick(0.25, 0.75, 1.0, -0.5);
            cases.Add(new("mathops", $"lerp {Fmt(full)} end {Fmt(se)} weight {w}", [Float32Exact(g.Input("x", full)), Float32Exact(g.Input("end", se))],
                x => x[0].Lerp(x[1], w), x => x[0].lerp(x[1], w)));
        }

        // Special points, values only (some gradients are infinite or NaN there).
        double inf = double.PositiveInfinity;
        (string Name, Func<PTensor, PTensor, PTensor> Pade, Func<TTensor, TTensor, TTensor> Torch, double[] A, double[] B)[] points =
        [
            ("atan2 signed zeros", (a, b) => a.Atan2(b), (a, b) => a.atan2(b), [0.0, -0.0, 0.0, -0.0, 1, -1], [0.0, 0.0, -0.0, -0.0, 0, 0]),
            ("pow 0^0, negative bases", (a, b) => a.Pow(b), (a, b) => a.pow(b), [0, 0, -2, -8, 1, 2], [0, -1, 3, 1.0 / 3, 5, 0.5]),
            ("remainder by 0 and signs", (a, b) => a.Remainder(b), (a, b) => a.remainder(b), [-3, 3, 3, -3, 5.5, -5.5], [2, -2, 0, 0, 2, -2]),
            ("fmod by 0 and signs", (a, b) => a.Fmod(b), (a, b) => a.fmod(b), [-3, 3, 3, 5.5, -5.5, 0], [2, -2, 0, 2, -2, 3]),
            ("floor_divide by 0 and signs", (a, b) => a.FloorDivide(b), (a, b) => a.floor_divide(b), [-7, 7, 1, -1, 0, 0.5], [2, -2, 0, 0, 0, -4]),
            ("xlogy at x = 0", (a, b) => a.Xlogy(b), (a, b) => a.xlogy(b), [0, 0, 2, 0, 1], [0, -1, 0, inf, 1]),
            ("logaddexp infinities", (a, b) => a.LogAddExp(b), (a, b) => a.logaddexp(b), [-inf, inf, 0, -inf], [-inf, inf, 0, 1]),
        ];
        foreach (var (name, pade, torchOp, av, bv) in points)
            cases.Add(new("mathops", $"{name} [{av.Length}]", [new("a", [av.Length], av), new("b", [bv.Length], bv)],
                x => pade(x[0], x[1]), x => torchOp(x[0], x[1]), Differentiable: false));
        (string Name, Func<PTensor, PTensor> Pade, Func<TTensor, TTensor> Torch, double[] X)[] unaryPoints =
        [
            ("digamma at 0 and negative integers", x => x.Digamma(), x => x.digamma(), [0.0, -0.0, -1, -2, 1, 2]),
            ("lgamma at poles", x => x.Lgamma(), x => x.lgamma(), [0.0, -1, -2, 1, 2, 0.5]),
            ("erfinv at ±1 and outside", x => x.Erfinv(), x => x.erfinv(), [1, -1, 1.5, 0]),
            ("logit at 0, 1 and outside", x => x.Logit(), x => x.logit(), [0, 1, -0.5, 0.5]),
            ("logit eps 0.25 clamp", x => x.Logit(0.25), x => x.logit(0.25), [0, 1, 0.1, 0.5]),
            ("sinc at 0 and integers", x => x.Sinc(), x => x.sinc(), [0, 1, -2, 0.5]),
        ];
        foreach (var (name, pade, torchOp, xv) in unaryPoints)
            cases.Add(new("mathops", $"{name} [{xv.Length}]", [new("x", [xv.Length], xv)], x => pade(x[0]), x => torchOp(x[0]), Differentiable: false));
    }
}
