using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>Pointwise ops, broadcasting binary ops, reductions, matmul, softmax and the losses.</summary>
public static partial class OracleCases
{
    private static readonly (string Name, Func<PTensor, PTensor> Pade, Func<TTensor, TTensor> Torch, double Lo, double Hi)[] Unary =
    [
        ("exp", x => x.Exp(), x => x.exp(), -3, 3),
        ("log", x => x.Log(), x => x.log(), 0.05, 4),
        ("sqrt", x => x.Sqrt(), x => x.sqrt(), 0.05, 4),
        ("abs", x => x.Abs(), x => x.abs(), -2, 2),
        ("neg", x => x.Neg(), x => x.neg(), -2, 2),
        ("square", x => x.Square(), x => x.square(), -2, 2),
        ("reciprocal", x => x.Reciprocal(), x => x.reciprocal(), 0.2, 3),
        ("pow 2.5", x => x.Pow(2.5), x => x.pow(2.5), 0.05, 3),
        ("clamp", x => x.Clamp(-0.7, 0.9), x => x.clamp(-0.7, 0.9), -2, 2),
        ("sigmoid", x => x.Sigmoid(), x => x.sigmoid(), -4, 4),
        ("tanh", x => x.Tanh(), x => x.tanh(), -4, 4),
        ("relu", x => x.Relu(), x => TF.relu(x), -2, 2),
        ("relu6", x => x.Relu6(), x => TF.relu6(x), -2, 8),
        ("leaky_relu", x => x.LeakyRelu(0.07), x => TF.leaky_relu(x, 0.07), -2, 2),
        ("elu", x => x.Elu(0.8), x => TF.elu(x, 0.8), -3, 2),
        ("celu", x => x.Celu(0.6), x => TF.celu(x, 0.6), -3, 2),
        ("softplus", x => x.Softplus(1.5, 3), x => TF.softplus(x, 1.5, 3), -4, 4),
        ("softplus beta -1.5", x => x.Softplus(-1.5, 3), x => TF.softplus(x, -1.5, 3), -4, 4),
        ("silu", x => x.Silu(), x => TF.silu(x), -4, 4),
        ("gelu", x => x.Gelu(), x => TF.gelu(x), -4, 4),
        ("gelu tanh", x => x.Gelu(GeluApproximation.Tanh), x => TF.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh), -4, 4),
        ("mish", x => x.Mish(), x => TF.mish(x), -4, 4),
        ("hardtanh", x => x.Hardtanh(-0.6, 1.3), x => TF.hardtanh(x, -0.6, 1.3), -2, 2),
        // TorchSharp's own binding, checked against libtorch's clamp (the same function off the kinks).
        ("hardtanh (as clamp)", x => x.Hardtanh(-0.6, 1.3), x => x.clamp(-0.6, 1.3), -2, 2),
        ("log1p", x => x.Log1p(), x => x.log1p(), -0.9, 3),
        ("expm1", x => x.Expm1(), x => x.expm1(), -3, 3),
        ("selu", x => x.Selu(), x => TF.selu(x), -3, 2),
        ("hardsigmoid", x => x.Hardsigmoid(), x => TF.hardsigmoid(x), -5, 5),
        ("hardswish", x => x.Hardswish(), x => TF.hardswish(x), -5, 5),
        ("softsign", x => x.Softsign(), x => TF.softsign(x), -4, 4),
        ("logsigmoid", x => x.LogSigmoid(), x => TF.logsigmoid(x), -6, 6),
        ("tanhshrink", x => x.Tanhshrink(), x => TF.tanhshrink(x), -3, 3),
        ("softshrink", x => x.Softshrink(0.7), x => TF.softshrink(x, 0.7), -2, 2),
        ("hardshrink", x => x.Hardshrink(0.7), x => TF.hardshrink(x, 0.7), -2, 2),
    ];

    /// <summary>
    /// libtorch 2.10's CELU gradient (CPU, float64) differs from e^(x/α) by up to about 10⁻⁸ relative for x &lt; 0, as
    /// if 1/α were rounded to float32 (celu is elu with input_scale = 1/α); Pade's agrees with e^(x/α) computed in
    /// float64 to about 10⁻¹³ (x = −0.5, −1.7, −2.9 with α = 0.6 were checked by hand).
    /// </summary>
    private const string CeluGradient =
        "libtorch's CELU gradient is off by up to ~1e-8 relative for x < 0 (as if 1/alpha were rounded to float32); Pade matches exp(x/alpha) in float64";

    /// <summary>
    /// libtorch's hardsigmoid_backward (CPU) multiplies by <c>scalar_t one_sixth(1.0f / 6.0f)</c>: 1/6 rounded to float32
    /// even for float64, so its float64 gradient is 1/6·(1 + 2.98·10⁻⁸) inside (−3, 3) (the failing elements are off by
    /// exactly that ratio); Pade's is 1/6 in float64. The forward agrees and is compared apart.
    /// </summary>
    private const string HardsigmoidGradient =
        "libtorch's hardsigmoid gradient uses 1/6 rounded to float32 (1.0f / 6.0f) even in float64, ~3e-8 relative off; Pade's is 1/6 in float64";

    /// <summary>TorchSharp 0.107's functional.hardtanh(x, min_val, max_val) returned values outside [min_val, max_val]
    /// here; libtorch's clamp, the same function off the kinks, agrees with Pade (the "hardtanh (as clamp)" rows).</summary>
    private const string HardtanhBinding =
        "TorchSharp 0.107's nn.functional.hardtanh(x, min_val, max_val) returns values outside [min_val, max_val]; libtorch's clamp agrees with Pade";

    private static void AddOps(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        foreach (var (name, pade, torchOp, lo, hi) in Unary)
            for (int i = 0; i < perFamily; i++)
            {
                var shape = g.Shape();
                var input = g.Input("x", shape, lo, hi, avoid: 0.01);
                if (name == "hardtanh")
                {
                    cases.Add(new("pointwise", $"{name} {Fmt(shape)}", [input], x => pade(x[0]), x => torchOp(x[0]), OracleWrong: HardtanhBinding));
                    continue;
                }
                if (name == "hardsigmoid")
                {
                    cases.Add(new("pointwise", $"{name} {Fmt(shape)} forward", [input], x => pade(x[0]), x => torchOp(x[0]), Differentiable: false));
                    cases.Add(new("pointwise", $"{name} {Fmt(shape)} gradient", [input], x => pade(x[0]), x => torchOp(x[0]), OracleWrong: HardsigmoidGradient));
                    continue;
                }
                if (name == "celu")
                {
                    // The forward agrees; the gradient is compared apart (see CeluGradient).
                    cases.Add(new("pointwise", $"{name} {Fmt(shape)} forward", [input], x => pade(x[0]), x => torchOp(x[0]), Differentiable: false));
                    cases.Add(new("pointwise", $"{name} {Fmt(shape)} gradient", [input], x => pade(x[0]), x => torchOp(x[0]), OracleWrong: CeluGradient));
                    continue;
                }
                cases.Add(new("pointwise", $"{name} {Fmt(shape)}", [input], x => pade(x[0]), x => torchOp(x[0])));
            }

        (string, Func<PTensor, PTensor, PTensor>, Func<TTensor, TTensor, TTensor>)[] binary =
        [
            ("add", (a, b) => a + b, (a, b) => a + b), ("sub", (a, b) => a - b, (a, b) => a - b),
            ("mul", (a, b) => a * b, (a, b) => a * b), ("div", (a, b) => a / b, (a, b) => a / b),
            ("maximum", PTensor.Maximum, maximum), ("minimum", PTensor.Minimum, minimum),
        ];
        foreach (var (name, pade, torchOp) in binary)
            for (int i = 0; i < perFamily; i++)
            {
                var a = g.Shape(1, 4, 5);
                // b broadcasts against a: some trailing dims, each kept or set to 1.
                var b = a.Skip(g.Int(0, a.Length - 1)).Select(d => g.Coin(0.3) ? 1 : d).ToArray();
                if (g.Coin()) (a, b) = (b, a);
                var ia = g.Input("a", a, 0.3, 2);
                var ib = new OracleInput("b", b, g.Distinct(b.Aggregate(1L, (p, q) => p * q)).Select(v => v * 50 + (v >= 0 ? 0.3 : -0.3)).ToArray());
                cases.Add(new("binary", $"{name} {Fmt(a)} {Fmt(b)}", [ia, ib], x => pade(x[0], x[1]), x => torchOp(x[0], x[1])));
            }

        for (int i = 0; i < perFamily * 2; i++) AddReductions(cases, g, "reduce", g.Shape(1, 4, 6));

        for (int i = 0; i < perFamily * 2; i++)
        {
            int m = g.Int(1, 9), k = g.Int(1, 9), n = g.Int(1, 9);
            int[] batch = g.Pick<int[]>([], [g.Int(1, 3)], [g.Int(1, 3), g.Int(1, 2)]);
            bool ta = g.Coin(), tb = g.Coin(), broadcastB = batch.Length > 0 && g.Coin();
            // A transposed operand is stored the other way round and handed over as a transposed view.
            int[] sa = [.. batch, ta ? k : m, ta ? m : k];
            int[] sb = broadcastB ? [tb ? n : k, tb ? k : n] : [.. batch, tb ? n : k, tb ? k : n];
            cases.Add(new("matmul", $"{Fmt(sa)}{(ta ? "ᵀ" : "")} · {Fmt(sb)}{(tb ? "ᵀ" : "")}", [g.Input("a", sa), g.Input("b", sb)],
                x => PTensor.MatMul(ta ? x[0].Transpose(-1, -2) : x[0], tb ? x[1].Transpose(-1, -2) : x[1]),
                x => matmul(ta ? x[0].transpose(-1, -2) : x[0], tb ? x[1].transpose(-1, -2) : x[1])));
        }

        for (int i = 0; i < perFamily; i++)
        {
            var shape = g.Shape(1, 4, 6);
            int axis = g.Int(-shape.Length, shape.Length - 1);
            cases.Add(new("softmax", $"softmax {Fmt(shape)} dim {axis}", [g.Input("x", shape, -4, 4)], x => x[0].Softmax(axis), x => TF.softmax(x[0], axis)));
            cases.Add(new("softmax", $"log_softmax {Fmt(shape)} dim {axis}", [g.Input("x", shape, -4, 4)], x => x[0].LogSoftmax(axis), x => TF.log_softmax(x[0], axis)));
        }

        AddLosses(cases, g, perFamily);
    }

    private static void AddLosses(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 9), c = g.Int(1, 7);
            double smoothing = g.Pick(0.0, 0.0, 0.1, 0.35);
            cases.Add(new("cross_entropy", $"[{n},{c}] label_smoothing {smoothing}", [g.Input("logits", [n, c], -3, 3), g.Classes("target", [n], c)],
                x => PTensor.CrossEntropy(x[0], x[1], labelSmoothing: smoothing), x => TF.cross_entropy(x[0], x[1], label_smoothing: smoothing)));
            cases.Add(new("nll_loss", $"[{n},{c}]", [g.Input("logp", [n, c], -3, -0.1), g.Classes("target", [n], c)],
                x => PTensor.NllLoss(x[0], x[1]), x => TF.nll_loss(x[0], x[1])));
            var shape = g.Shape();
            var reduction = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum);
            cases.Add(new("mse_loss", $"{Fmt(shape)} reduction {reduction}", [g.Input("a", shape), g.Input("b", shape)],
                x => PTensor.MseLoss(x[0], x[1], reduction), x => TF.mse_loss(x[0], x[1], Torch(reduction))));
        }
        AddWeightedLosses(cases, g, perFamily);
    }

    /// <summary>
    /// L1, smooth L1 (β = 0 included: PyTorch's L1) and Huber, with targets of the input's shape or of a shape that
    /// broadcasts to it (PyTorch warns, and broadcasts); binary cross-entropy on probabilities in [0.03, 0.97] and on
    /// logits, weighted or not, pos_weight per class (the last axis). Weights take no gradient here: libtorch raises
    /// for a weight or pos_weight that requires grad ("not differentiable with respect to argument 'weight'"); Pade
    /// differentiates both (Tests/Engine/RegressionLossProperties checks them against central differences).
    /// </summary>
    private static void AddRegressionLosses(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape();
            var other = g.Coin(0.3) ? shape.Select(d => g.Coin(0.4) ? 1 : d).Skip(g.Int(0, 1)).ToArray() : shape;
            var reduction = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum);
            double beta = g.Pick(0.0, 0.3, 1.0, 1.7), delta = g.Pick(0.3, 1.0, 1.6);
            string pair = $"{Fmt(shape)} {Fmt(other)} reduction {reduction}";
            cases.Add(new("l1_loss", pair, [g.Input("a", shape), g.Input("b", other)],
                x => PTensor.L1Loss(x[0], x[1], reduction), x => TF.l1_loss(x[0], x[1], Torch(reduction))));
            cases.Add(new("smooth_l1_loss", $"{pair} beta {beta}", [g.Input("a", shape), g.Input("b", other)],
                x => PTensor.SmoothL1Loss(x[0], x[1], reduction, beta), x => TF.smooth_l1_loss(x[0], x[1], Torch(reduction), beta)));
            cases.Add(new("huber_loss", $"{pair} delta {delta}", [g.Input("a", shape), g.Input("b", other)],
                x => PTensor.HuberLoss(x[0], x[1], reduction, delta), x => TF.huber_loss(x[0], x[1], delta, Torch(reduction))));

            bool weighted = g.Coin(0.6), positive = g.Coin(0.6);
            int[] weightShape = g.Coin() ? shape : [shape[^1]];
            string config = $"{Fmt(shape)}{(weighted ? $" weight {Fmt(weightShape)}" : "")} reduction {reduction}";
            var weight = g.Input("weight", weightShape, 0.2, 2, grad: false);
            cases.Add(new("binary_cross_entropy", config, [g.Input("p", shape, 0.03, 0.97), g.Input("y", shape, 0, 1), weight],
                x => PTensor.BinaryCrossEntropy(x[0], x[1], weighted ? x[2] : null, reduction),
                x => TF.binary_cross_entropy(x[0], x[1], weighted ? x[2] : null, Torch(reduction))));
            var posWeight = g.Input("pos_weight", [shape[^1]], 0.2, 3, grad: false);
            cases.Add(new("binary_cross_entropy_with_logits", config + (positive ? $" pos_weight [{shape[^1]}]" : ""),
                [g.Input("x", shape, -6, 6), g.Input("y", shape, 0, 1), weight, posWeight],
                x => PTensor.BinaryCrossEntropyWithLogits(x[0], x[1], weighted ? x[2] : null, positive ? x[3] : null, reduction),
                x => TF.binary_cross_entropy_with_logits(x[0], x[1], weighted ? x[2] : null, Torch(reduction), positive ? x[3] : null)));
        }

        // p = 0 and 1 exactly: the logs clamped at −100 (a loss of 100 where the label disagrees) and dL/dp with
        // PyTorch's floor p(1 − p) ≥ 1e-12. The target takes no gradient here: libtorch's is −logit(p), ±∞ at the
        // ends, where Pade differentiates the clamped forward (finite).
        foreach (var reduction in new[] { Reduction.None, Reduction.Sum })
            cases.Add(new("binary_cross_entropy", $"p at 0 and 1 reduction {reduction}",
                [new OracleInput("p", [7], [0, 0, 1, 1, 0, 1, 0.5]), new OracleInput("y", [7], [1, 0, 0, 1, 0.25, 0.75, 1], Grad: false)],
                x => PTensor.BinaryCrossEntropy(x[0], x[1], reduction: reduction),
                x => TF.binary_cross_entropy(x[0], x[1], reduction: Torch(reduction))));
    }

    /// <summary>The PyTorch arguments of the class losses: weight, ignore_index (a class in range, so some targets
    /// are ignored), reduction, [N, C, d] inputs, and cross-entropy's probability targets.</summary>
    private static void AddWeightedLosses(List<OracleCase> cases, OracleGen g, int perFamily)
    {
        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 6), c = g.Int(1, 6), d = g.Int(1, 4);
            bool spatial = g.Coin(0.4), weighted = g.Coin(0.6);
            int[] shape = spatial ? [n, c, d] : [n, c], targetShape = spatial ? [n, d] : [n];
            int ignore = g.Pick(-100, 0);
            var reduction = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum);
            double smoothing = g.Pick(0.0, 0.0, 0.1, 0.35);
            string config = $"{Fmt(shape)}{(weighted ? " weight" : "")} ignore_index {ignore} reduction {reduction} label_smoothing {smoothing}";
            var weight = g.Input("weight", [c], 0.2, 2, grad: false);
            cases.Add(new("cross_entropy", config, [g.Input("logits", shape, -3, 3), g.Classes("target", targetShape, c), weight],
                x => PTensor.CrossEntropy(x[0], x[1], weighted ? x[2] : null, ignore, reduction, smoothing),
                x => TF.cross_entropy(x[0], x[1], weighted ? x[2] : null, ignore, Torch(reduction), smoothing)));
            cases.Add(new("cross_entropy probabilities", $"{Fmt(shape)}{(weighted ? " weight" : "")} reduction {reduction} label_smoothing {smoothing}",
                [g.Input("logits", shape, -3, 3), g.Input("q", shape, 0, 1), weight],
                x => PTensor.CrossEntropy(x[0], x[1], weighted ? x[2] : null, reduction: reduction, labelSmoothing: smoothing),
                x => TF.cross_entropy(x[0], x[1], weighted ? x[2] : null, reduction: Torch(reduction), label_smoothing: smoothing)));
            // TorchSharp's nll_loss has no ignore_index; cross-entropy's cases above check Pade's (the same code).
            cases.Add(new("nll_loss", $"{Fmt(shape)}{(weighted ? " weight" : "")} reduction {reduction}",
                [g.Input("logp", shape, -3, -0.1), g.Classes("target", targetShape, c), weight],
                x => PTensor.NllLoss(x[0], x[1], weighted ? x[2] : null, reduction: reduction),
                x => TF.nll_loss(x[0], x[1], weighted ? x[2] : null, reduction: Torch(reduction))));
        }
    }

    /// <summary>sum, mean, max and min over a random set of axes (at least one), with or without keepdim; max and min
    /// on distinct values (no ties, whose gradient the two libraries may route differently).</summary>
    private static void AddReductions(List<OracleCase> cases, OracleGen g, string family, int[] shape)
    {
        var axes = Enumerable.Range(0, shape.Length).Where(_ => g.Coin()).ToArray();
        if (axes.Length == 0) axes = [g.Int(0, shape.Length - 1)];
        bool keep = g.Coin();
        var t = axes.Select(a => (long)a).ToArray();
        var label = $"{Fmt(shape)} axes {Fmt(axes)} keepdim {keep}";
        cases.Add(new(family, "sum " + label, [g.Input("x", shape)], x => x[0].Sum(axes, keep), x => x[0].sum(t, keep)));
        cases.Add(new(family, "mean " + label, [g.Input("x", shape)], x => x[0].Mean(axes, keep), x => x[0].mean(t, keep)));
        var distinct = new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (p, q) => p * q)));
        cases.Add(new(family, "max " + label, [distinct], x => x[0].Max(axes, keep), x => x[0].amax(t, keep)));
        cases.Add(new(family, "min " + label, [distinct], x => x[0].Min(axes, keep), x => x[0].amin(t, keep)));
    }

    private static nn.Reduction Torch(Reduction r) => r switch
    {
        Reduction.None => nn.Reduction.None,
        Reduction.Sum => nn.Reduction.Sum,
        _ => nn.Reduction.Mean,
    };
}
