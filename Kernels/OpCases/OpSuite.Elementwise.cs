using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>Every unary op code (cuda/elementwise.cu, cuda/activations.cu) with its backward, every binary op with
/// broadcasting, and where.</summary>
public static partial class OpSuite
{
    private const string ActK = "activations.cu:activation_unary_{t}", ActBackwardK = "activations.cu:activation_unary_backward_{t}";

    /// <summary>A transcendental function of inputs up to <paramref name="magnitude"/>: 8 ulps of the value (libdevice
    /// and .NET differ by a few, the formulas chain two or three), and 8 ulps of the input's magnitude absolute,
    /// where the value cancels (eˣ − 1, x·σ(x) near 0) or underflows (softplus far left).</summary>
    private static Tolerance Transcendental(double magnitude) => new(8, 8 * Math.Max(1, magnitude));

    /// <summary>One unary op: its public call, input range, tolerance and kernels.</summary>
    private sealed record UnaryPlan(string Name, Func<Tensor, Tensor> Op, double Lo, double Hi, Tolerance Tol, bool Coarse, string[] Kernels);

    private static void AddUnaryCases(List<OpCase> cases)
    {
        var exact = Tolerance.Exact;
        UnaryPlan[] plans =
        [
            new("Neg", x => x.Neg(), -5, 5, exact, false, [UnaryK]),
            new("Exp", x => x.Exp(), -10, 10, Transcendental(10), false, [UnaryK, BinaryK]),
            new("Log", x => x.Log(), 0.01, 10, Transcendental(1), false, [UnaryK, BinaryK]),
            new("Sqrt", x => x.Sqrt(), 0.01, 10, Tolerance.Ulps(2), false, [UnaryK, BinaryK]),
            new("Abs", x => x.Abs(), -3, 3, exact, true, [UnaryK, BinaryK]),
            new("Sign", x => x.Sign(), -3, 3, exact, true, [UnaryK]),
            new("Pow 2.5", x => x.Pow(2.5), 0.01, 4, Transcendental(4), false, [UnaryK, BinaryK]),
            new("Clamp [-0.5, 0.75]", x => x.Clamp(-0.5, 0.75), -2, 2, exact, true, [UnaryK, BinaryK]),
            new("Square", x => x.Square(), -3, 3, Tolerance.Ulps(2), false, [UnaryK, BinaryK]),
            new("Reciprocal", x => x.Reciprocal(), 0.25, 4, Tolerance.Ulps(4), false, [UnaryK, BinaryK]),
            new("AddScalar 1.75", x => x + 1.75, -5, 5, Tolerance.Ulps(1), false, [UnaryK]),
            new("MulScalar -3.25", x => x * -3.25, -5, 5, Tolerance.Ulps(1), false, [UnaryK]),
            new("Sigmoid", x => x.Sigmoid(), -8, 8, Transcendental(1), false, [UnaryK, UnaryBackwardK]),
            new("Tanh", x => x.Tanh(), -5, 5, Transcendental(1), false, [UnaryK, UnaryBackwardK]),
            new("Relu", x => x.Relu(), -3, 3, exact, true, [UnaryK, UnaryBackwardK]),
            new("Relu6", x => x.Relu6(), -8, 8, exact, true, [ActK, ActBackwardK]),
            new("LeakyRelu 0.01", x => x.LeakyRelu(0.01), -8, 8, Tolerance.Ulps(1), true, [ActK, ActBackwardK]),
            new("Elu 1", x => x.Elu(1.0), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("Celu 0.7", x => x.Celu(0.7), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("Softplus 1.5 20", x => x.Softplus(1.5, 20), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("Silu", x => x.Silu(), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("Swish 1.5", x => x.Swish(1.5), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("Gelu", x => x.Gelu(), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("GeluTanh", x => x.Gelu(GeluApproximation.Tanh), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            new("Mish", x => x.Mish(), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            // On the coarse grid some inputs sit on both kinks: 0 there, as PyTorch, on every device.
            new("Hardtanh -0.5 2", x => x.Hardtanh(-0.5, 2), -4, 4, exact, true, [ActK, ActBackwardK]),
            // A negative β, as PyTorch allows: the same formula, the threshold's switch on the other side.
            new("Softplus -1.5 3", x => x.Softplus(-1.5, 3), -8, 8, Transcendental(8), false, [ActK, ActBackwardK]),
            // log1p and expm1 on a wide range and near 0, where they beat log(1 + x) and eˣ − 1.
            new("Log1p", x => x.Log1p(), -0.9, 5, Transcendental(4), false, [UnaryK, BinaryK]),
            new("Log1p near 0", x => x.Log1p(), -1e-5, 1e-5, Transcendental(4), false, [UnaryK, BinaryK]),
            new("Expm1", x => x.Expm1(), -6, 6, Transcendental(8), false, [UnaryK, BinaryK]),
            new("Expm1 near 0", x => x.Expm1(), -1e-5, 1e-5, Transcendental(4), false, [UnaryK, BinaryK]),
            // The activations composed from the ops above (Engine/Functional/Activations.More.cs), with one recorded
            // backward each; the piecewise ones on the coarse grid, which hits their kinks (±3, ±0.5) exactly.
            new("Selu", x => x.Selu(), -8, 8, Transcendental(8), false, [ActK, UnaryK, BinaryK, WhereK]),
            new("Hardsigmoid", x => x.Hardsigmoid(), -5, 5, Tolerance.Ulps(2), true, [UnaryK, ActK, BinaryK]),
            new("Hardswish", x => x.Hardswish(), -5, 5, Tolerance.Ulps(4), true, [UnaryK, ActK, BinaryK, WhereK]),
            new("Softsign", x => x.Softsign(), -8, 8, Tolerance.Ulps(4), false, [UnaryK, BinaryK]),
            new("LogSigmoid", x => x.LogSigmoid(), -8, 8, Transcendental(8), false, [UnaryK, BinaryK]),
            new("Tanhshrink", x => x.Tanhshrink(), -5, 5, Transcendental(5), false, [UnaryK, BinaryK]),
            new("Softshrink 0.5", x => x.Softshrink(0.5), -3, 3, Tolerance.Ulps(1), true, [UnaryK, BinaryK, WhereK]),
            new("Hardshrink 0.5", x => x.Hardshrink(0.5), -3, 3, exact, true, [BinaryK, WhereK]),
            // sin and cos near 0 and at |x| up to 1e4 (the argument reduction of libdevice and of the C library);
            // erf's gradient e^(−x²) carries the rounding of x², up to 16 ulps at |x| = 4; rsqrt's is −½y³.
            new("Sin", x => x.Sin(), -10, 10, Transcendental(1), false, [UnaryK, BinaryK]),
            new("Sin large", x => x.Sin(), -1e4, 1e4, Transcendental(1), false, [UnaryK, BinaryK]),
            new("Cos", x => x.Cos(), -10, 10, Transcendental(1), false, [UnaryK, BinaryK]),
            new("Cos large", x => x.Cos(), -1e4, 1e4, Transcendental(1), false, [UnaryK, BinaryK]),
            new("Rsqrt", x => x.Rsqrt(), 0.01, 10, Tolerance.Ulps(8), false, [UnaryK, BinaryK]),
            new("Erf", x => x.Erf(), -4, 4, Tolerance.Ulps(16), false, [UnaryK, BinaryK]),
            // The roundings on the 1/4 grid: integers and halves (round's ties to even) exactly; gradient 0.
            new("Floor", x => x.Floor(), -3, 3, exact, true, [UnaryK]),
            new("Ceil", x => x.Ceil(), -3, 3, exact, true, [UnaryK]),
            new("Round", x => x.Round(), -3, 3, exact, true, [UnaryK]),
            new("Trunc", x => x.Trunc(), -3, 3, exact, true, [UnaryK]),
        ];
        // Three geometries in turn: an odd count (scalar tail, no 16-byte pack fits the end), a multiple of 4 at an
        // aligned address (the packed path), a view at element offset 1 (an unaligned pointer: scalar only).
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
        cases.Add(new("unary Sigmoid", "[1, 1]", [In("x", [1, 1], -3, 3)], (_, x) => One(x[0].Sigmoid()))
            { Tol = Transcendental(1), Kernels = [UnaryK, UnaryBackwardK] });
    }

    private static void AddBinaryCases(List<OpCase> cases)
    {
        // (label, a, b, view of a, the longest broadcast: gradients sum dy over it).
        (string Label, int[] A, int[] B, Func<Tensor, Tensor>? ViewA, int Broadcast)[] layouts =
        [
            ("[7, 1, 5] x [1, 9, 5]", [7, 1, 5], [1, 9, 5], null, 9),
            ("[11, 13]^T x [11]", [11, 13], [11], t => t.T, 13),
            ("[4, 64] x []", [4, 64], [], null, 256),
        ];
        // The arithmetic and the first four comparisons; the ops appended after them have their cases in OpSuite.MathOps.cs.
        var ops = Enum.GetValues<BinaryOp>().Where(o => o <= BinaryOp.Less).ToArray();
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            var (label, sa, sb, viewA, broadcast) = layouts[i % layouts.Length];
            bool compare = op >= BinaryOp.Greater, extreme = op is BinaryOp.Maximum or BinaryOp.Minimum;
            // Ties for max/min and the comparisons; the divisor kept away from 0.
            var a = (compare || extreme ? Coarse("a", sa) : In("a", sa)) with { View = viewA };
            var b = op == BinaryOp.Div ? In("b", sb, 0.5, 2) : compare || extreme ? Coarse("b", sb) : In("b", sb);
            Func<Tensor, Tensor, Tensor> f = op switch
            {
                BinaryOp.Add => (x, y) => x + y,
                BinaryOp.Sub => (x, y) => x - y,
                BinaryOp.Mul => (x, y) => x * y,
                BinaryOp.Div => (x, y) => x / y,
                BinaryOp.Maximum => Tensor.Maximum,
                BinaryOp.Minimum => Tensor.Minimum,
                _ => (x, y) => Tensor.Compare(op, x, y),
            };
            cases.Add(new("binary " + op, label, [a, b], (_, x) => One(f(x[0], x[1])))
            {
                Backward = !compare,
                // One correctly rounded operation; max/min and comparisons pick a value. Gradients: terms up to
                // |dy|/b² ≤ 4 (division), summed over the broadcast.
                Tol = compare || extreme ? Tolerance.Exact : Tolerance.Ulps(1),
                GradTol = Tolerance.Sum(broadcast, 4),
                Kernels = [BinaryK],
            });
        }

        // A NaN stays NaN through relu, maximum and minimum, in either operand, as in PyTorch: (x / x)·x is x, and
        // NaN where the coarse grid has a zero, in a and in b at other places.
        cases.Add(new("nan propagation", "relu, maximum, minimum [37]", [Coarse("a", [37], -1, 1) with { Grad = false }, Coarse("b", [37], -1, 1) with { Grad = false }],
            (_, x) =>
            {
                Tensor a = x[0] / x[0] * x[0], b = x[1] / x[1] * x[1];
                return One(Tensor.Concat([a.Relu(), Tensor.Maximum(a, b), Tensor.Maximum(b, a), Tensor.Minimum(a, b), Tensor.Minimum(b, a)]));
            })
        {
            Backward = false, Tol = Tolerance.Exact, Kernels = [UnaryK, BinaryK],
        });

        // int32 arithmetic goes through float64 (Tensor.IntegerUnary): the conversions both ways around the float64
        // kernels, a comparison count, where, max, and true division to float32. b is in [1, 20): no division by 0.
        cases.Add(new("integer arithmetic", "[7, 9] with [9]",
            [new OpInput("a", [7, 9], InputKind.Index, -20, 20), new OpInput("b", [9], InputKind.Index, 1, 20)],
            (_, x) =>
            [
                (x[0] + x[1]) * x[0] - Tensor.Maximum(x[0], x[1]), x[0].Gt(x[1]).Sum(0),
                Tensor.Where(x[0].Lt(x[1]), x[0], -x[1]).Max(1), x[0] / x[1], (-x[0]).Abs().ArgMax(1),
            ])
        {
            // The dtype under test does not enter: the integers always go through float64's kernels.
            Backward = false, Tol = Tolerance.Exact, DTypes = [DType.Float64], Kernels = [BinaryK, WhereK],
        });

        // where(cond, a, b), all three broadcast; the condition as a float tensor and as int32 (converted first).
        foreach (bool intCond in (bool[])[false, true])
        {
            var cond = intCond ? Indices("cond", [7, 1, 5], 2) : Coarse("cond", [7, 1, 5], 0, 0.5) with { Grad = false };
            cases.Add(new("where", $"cond {(intCond ? "i32" : "float")} [7, 1, 5] a [1, 9, 5] b [7, 9, 1]",
                [cond, In("a", [1, 9, 5]), In("b", [7, 9, 1])], (_, x) => One(Tensor.Where(x[0], x[1], x[2])))
            {
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(9),
                Kernels = intCond ? [WhereK, "fill_copy.cu:copy_i32_{t}"] : [WhereK],
            });
        }
    }
}
