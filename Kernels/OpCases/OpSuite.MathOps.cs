using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>torch's tan .. logit (UnaryOp codes from Tan on) and binary math functions (BinaryOp codes from NotEqual
/// on) with their composed gradients, and lerp, on every device.</summary>
public static partial class OpSuite
{
    private static void AddMathOpCases(List<OpCase> cases)
    {
        Tolerance exact = Tolerance.Exact;
        string[] unaryAndBinary = [UnaryK, BinaryK];
        // Domains kept inside each function's (acosh above 1, atanh and erfinv inside (−1, 1)); digamma and lgamma
        // also left of 0 between two poles; sinc away from 0, where its gradient's formula (PyTorch's) cancels.
        // Float32 against float64: the C library's float functions are within a few ulps; erfinv's two Newton steps
        // in float carry erf's rounding divided by its slope (up to 1/0.09 at |y| = 0.95); digamma's recurrence sums
        // terms up to 10 around its zero at 1.46, hence absolute slack of the terms' size.
        UnaryPlan[] plans =
        [
            new("Tan", x => x.Tan(), -1.4, 1.4, Transcendental(8), false, unaryAndBinary),
            new("Asin", x => x.Asin(), -0.95, 0.95, Transcendental(1), false, unaryAndBinary),
            new("Acos", x => x.Acos(), -0.95, 0.95, Transcendental(1), false, unaryAndBinary),
            new("Atan", x => x.Atan(), -10, 10, Transcendental(1), false, unaryAndBinary),
            new("Sinh", x => x.Sinh(), -5, 5, Transcendental(5), false, unaryAndBinary),
            new("Cosh", x => x.Cosh(), -5, 5, Transcendental(5), false, unaryAndBinary),
            new("Asinh", x => x.Asinh(), -10, 10, Transcendental(1), false, unaryAndBinary),
            new("Acosh", x => x.Acosh(), 1.05, 10, Transcendental(4), false, unaryAndBinary),
            new("Atanh", x => x.Atanh(), -0.95, 0.95, Transcendental(4), false, unaryAndBinary),
            new("Log2", x => x.Log2(), 0.01, 10, Transcendental(1), false, unaryAndBinary),
            new("Log10", x => x.Log10(), 0.01, 10, Transcendental(1), false, unaryAndBinary),
            new("Exp2", x => x.Exp2(), -10, 10, Transcendental(10), false, unaryAndBinary),
            new("Erfc", x => x.Erfc(), -3, 4, Tolerance.Ulps(16), false, unaryAndBinary),
            new("Erfinv", x => x.Erfinv(), -0.95, 0.95, Transcendental(16), false, unaryAndBinary),
            new("Lgamma", x => x.Lgamma(), 0.1, 8, Transcendental(8), false, unaryAndBinary),
            new("Lgamma negative", x => x.Lgamma(), -2.95, -2.05, Transcendental(8), false, unaryAndBinary),
            new("Digamma", x => x.Digamma(), 0.1, 10, Transcendental(16), false, unaryAndBinary),
            new("Digamma negative", x => x.Digamma(), -2.95, -2.05, Transcendental(16), false, unaryAndBinary),
            // Trigamma has no public op: digamma's backward launches it.
            new("Trigamma (digamma's gradient)", x => x.Digamma(), 0.5, 6, Transcendental(16), false, unaryAndBinary),
            new("Frac", x => x.Frac(), -5, 5, exact, false, [UnaryK]),
            new("Sinc", x => x.Sinc(), 0.3, 4, Transcendental(8), false, [UnaryK, BinaryK, WhereK]),
            new("Logit", x => x.Logit(), 0.01, 0.99, Transcendental(4), false, [UnaryK, BinaryK, WhereK]),
            // On the coarse grid of [0, 1): inputs clamped to [0.2, 0.8] (gradient 0 there) and exactly at 0.25.
            new("Logit eps 0.2", x => x.Logit(0.2), 0, 1, Transcendental(4), true, [UnaryK, BinaryK, WhereK]),
        ];
        for (int i = 0; i < plans.Length; i++)
        {
            var p = plans[i];
            var (detail, shape, view) = (i % 3) switch
            {
                0 => ("[37, 29]", new[] { 37, 29 }, (Func<Tensor, Tensor>?)null),
                1 => ("[4, 64]", new[] { 4, 64 }, null),
                _ => ("[1025][1:] unaligned", new[] { 1025 }, t => t.Narrow(0, 1, 1024)),
            };
            var input = new OpInput("x", shape, p.Coarse ? InputKind.Coarse : InputKind.Uniform, p.Lo, p.Hi) { View = view };
            cases.Add(new("unary " + p.Name, detail, [input], (_, x) => One(p.Op(x[0]))) { Tol = p.Tol, Kernels = p.Kernels });
        }

        // Binary: (op, a, b, function, value tolerance). The layouts of AddBinaryCases in turn: a broadcast against b,
        // a transposed view, a 0-d operand. Divisors and the origin of atan2 kept away from 0.
        (string Label, int[] A, int[] B, Func<Tensor, Tensor>? ViewA, int Broadcast)[] layouts =
        [
            ("[7, 1, 5] x [1, 9, 5]", [7, 1, 5], [1, 9, 5], null, 9),
            ("[11, 13]^T x [11]", [11, 13], [11], t => t.T, 13),
            ("[4, 64] x []", [4, 64], [], null, 256),
        ];
        (string Op, (double Lo, double Hi, bool Coarse) A, (double Lo, double Hi, bool Coarse) B, Func<Tensor, Tensor, Tensor> F, Tolerance Tol, bool Backward)[] ops =
        [
            ("NotEqual", (-2, 2, true), (-2, 2, true), (x, y) => x.Ne(y), exact, false),
            ("Pow", (0.25, 4, false), (-2, 2, false), (x, y) => x.Pow(y), Transcendental(16), true),
            ("Atan2", (-2, 2, false), (0.5, 2, false), (x, y) => x.Atan2(y), Transcendental(4), true),
            ("Atan2 left half-plane", (-2, 2, false), (-2, -0.5, false), (x, y) => x.Atan2(y), Transcendental(4), true),
            ("Hypot", (-2, 2, false), (0.5, 2, false), (x, y) => x.Hypot(y), Tolerance.Ulps(4), true),
            // fmod is exact; remainder adds b once (an ulp of |b| ≤ 2); the quotients of the gradients are integers.
            ("Remainder", (-5, 5, false), (0.5, 2, false), (x, y) => x.Remainder(y), new(1, 4), true),
            ("Remainder negative divisor", (-5, 5, false), (-2, -0.5, false), (x, y) => x.Remainder(y), new(1, 4), true),
            ("Fmod", (-5, 5, false), (-2, 2, true), (x, y) => x.Fmod(y), exact, true),
            ("FloorDivide", (-5, 5, false), (-2, 2, true), (x, y) => x.FloorDivide(y), exact, true),
            // Zeros of a on the coarse grid: xlogy(0, b) = 0, and its gradient's mask.
            ("Xlogy", (-2, 2, true), (0.25, 4, false), (x, y) => x.Xlogy(y), Transcendental(4), true),
            ("Copysign", (-2, 2, false), (-2, 2, true), (x, y) => x.Copysign(y), exact, true),
            ("LogAddExp", (-5, 5, false), (-5, 5, false), (x, y) => x.LogAddExp(y), Transcendental(5), true),
        ];
        for (int i = 0; i < ops.Length; i++)
        {
            var (op, ra, rb, f, tol, backward) = ops[i];
            var (label, sa, sb, viewA, broadcast) = layouts[i % layouts.Length];
            var a = (ra.Coarse ? Coarse("a", sa, ra.Lo, ra.Hi) : In("a", sa, ra.Lo, ra.Hi)) with { View = viewA };
            var b = rb.Coarse ? Coarse("b", sb, rb.Lo, rb.Hi) : In("b", sb, rb.Lo, rb.Hi);
            // fmod and floor_divide by a coarse b: its zeros give NaN and ±∞, on every device alike.
            cases.Add(new("binary " + op, label, [a, b], (_, x) => One(f(x[0], x[1])))
            {
                Backward = backward, Tol = tol, GradTol = Tolerance.Sum(broadcast, 16), Kernels = [BinaryK],
            });
        }

        // lerp with a tensor weight (both of PyTorch's forms: |w| below and above ½) and with a scalar one.
        cases.Add(new("lerp", "[7, 1, 5] end [1, 9, 5] weight [9, 1]", [In("a", [7, 1, 5]), In("end", [1, 9, 5]), In("w", [9, 1], -1, 2)],
            (_, x) => One(x[0].Lerp(x[1], x[2])))
        {
            Tol = Tolerance.Ulps(4), GradTol = Tolerance.Sum(9, 4), Kernels = [BinaryK, WhereK],
        });
        cases.Add(new("lerp", "[37, 29] end [29] weight 0.75", [In("a", [37, 29]), In("end", [29])], (_, x) => One(x[0].Lerp(x[1], 0.75)))
        {
            Tol = Tolerance.Ulps(4), GradTol = Tolerance.Sum(37, 1), Kernels = [BinaryK, WhereK],
        });
    }
}
