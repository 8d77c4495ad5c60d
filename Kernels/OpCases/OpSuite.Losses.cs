using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>
/// The losses' PyTorch arguments on every device: cross-entropy's reductions and [N, C, d1, ...] inputs through the
/// fused kernel (cuda/softmax.cu cross_entropy), class weights, ignored targets, label smoothing and probability
/// targets through the composition (log-softmax, one-hot, elementwise, reductions); NLL and MSE with theirs.
/// </summary>
public static partial class OpSuite
{
    private const string CrossEntropyK = "softmax.cu:cross_entropy_{t}", OneHotK = "softmax.cu:one_hot_{t}", SoftmaxK = "softmax.cu:softmax_{t}";

    /// <summary>Class indices in [-1, classes): -1 is the ignore index of the cases that ignore targets.</summary>
    private static OpInput IndicesOrIgnored(string name, int[] shape, int classes) => new(name, shape, InputKind.Index, -1, classes);

    private static void AddLossCases(List<OpCase> cases)
    {
        // The fused kernel with each reduction; a [N, C, d1, d2] input moves its classes last (a copy) and back.
        (int[] Shape, Reduction Reduction, double Smoothing, string[] Kernels)[] fused =
        [
            ([33, 10], Reduction.None, 0.0, [CrossEntropyK, OneHotK]),
            ([21, 7], Reduction.Sum, 0.1, [CrossEntropyK, OneHotK]),
            ([3, 5, 4, 6], Reduction.Mean, 0.0, [CrossEntropyK, OneHotK, CopyK]),
            ([2, 6, 7], Reduction.None, 0.2, [CrossEntropyK, OneHotK, CopyK]),
        ];
        foreach (var (shape, reduction, smoothing, kernels) in fused)
        {
            int c = shape[1], rows = shape.Aggregate(1, (a, b) => a * b) / c;
            cases.Add(new("cross_entropy", $"{Fmt(shape)} {reduction} smoothing {smoothing}",
                [In("logits", shape, -6, 6), Indices("targets", Without(shape, 1), c)],
                (_, x) => One(Tensor.CrossEntropy(x[0], x[1], reduction: reduction, labelSmoothing: smoothing)))
            {
                // log Σ exp over c terms, values up to 12 apart, then a sum or mean of the rows; the gradient (p − q)·g.
                Tol = Tolerance.Sum(c + rows, 12), GradTol = Tolerance.Sum(c),
                Kernels = kernels,
            });
        }

        // Composed: class weights and ignored targets (-1, or a class in range), with and without smoothing.
        (int[] Shape, bool Weighted, int Ignore, Reduction Reduction, double Smoothing)[] composed =
        [
            ([17, 6], true, -1, Reduction.Mean, 0.1),
            ([17, 6], false, -1, Reduction.Sum, 0.0),
            ([4, 5, 3, 2], true, 2, Reduction.None, 0.0),
            ([3, 4, 9], true, -1, Reduction.Mean, 0.25),
        ];
        foreach (var (shape, weighted, ignore, reduction, smoothing) in composed)
        {
            int c = shape[1], rows = shape.Aggregate(1, (a, b) => a * b) / c;
            var targets = ignore < 0 ? IndicesOrIgnored("targets", Without(shape, 1), c) : Indices("targets", Without(shape, 1), c);
            cases.Add(new("cross_entropy", $"{Fmt(shape)}{(weighted ? " weight" : "")} ignore {ignore} {reduction} smoothing {smoothing}",
                [In("logits", shape, -6, 6), targets, Fixed("weight", [c], 0.2, 2)],
                (_, x) => One(Tensor.CrossEntropy(x[0], x[1], weighted ? x[2] : null, ignore, reduction, smoothing)))
            {
                // As the fused case, with weights up to 2 on every term; the mean divides by a weight sum.
                Tol = Tolerance.Sum(c + rows, 24), GradTol = Tolerance.Sum(c, 2),
                Kernels = [SoftmaxK, OneHotK],
            });
        }

        // Probability targets (a gradient for them too), weighted and smoothed, classes on axis 1 of a 3-d input.
        (int[] Shape, bool Weighted, Reduction Reduction, double Smoothing)[] soft =
            [([13, 7], true, Reduction.Mean, 0.1), ([3, 4, 5], false, Reduction.None, 0.0), ([6, 9], false, Reduction.Sum, 0.3)];
        foreach (var (shape, weighted, reduction, smoothing) in soft)
        {
            int c = shape[1], rows = shape.Aggregate(1, (a, b) => a * b) / c;
            cases.Add(new("cross_entropy probabilities", $"{Fmt(shape)}{(weighted ? " weight" : "")} {reduction} smoothing {smoothing}",
                [In("logits", shape, -6, 6), In("q", shape, 0, 1), Fixed("weight", [c], 0.2, 2)],
                (_, x) => One(Tensor.CrossEntropy(x[0], x[1], weighted ? x[2] : null, reduction: reduction, labelSmoothing: smoothing)))
            {
                // Σ_c w q log p: c products of log-probabilities up to 12, then the rows; dq = -w log p (up to 24).
                Tol = Tolerance.Sum(c + rows, 24), GradTols = [Tolerance.Sum(c, 2), Tolerance.Sum(c, 24)],
                Kernels = [SoftmaxK],
            });
        }

        // NLL of any values (log-probabilities or not): weighted, ignored targets, each reduction.
        (int[] Shape, Reduction Reduction)[] nll = [([21, 5], Reduction.Mean), ([3, 4, 6], Reduction.None), ([9, 3], Reduction.Sum)];
        foreach (var (shape, reduction) in nll)
        {
            int c = shape[1], rows = shape.Aggregate(1, (a, b) => a * b) / c;
            cases.Add(new("nll_loss", $"{Fmt(shape)} weight ignore -1 {reduction}",
                [In("logp", shape, -4, 0), IndicesOrIgnored("targets", Without(shape, 1), c), Fixed("weight", [c], 0.2, 2)],
                (_, x) => One(Tensor.NllLoss(x[0], x[1], x[2], -1, reduction)))
            {
                Tol = Tolerance.Sum(c + rows, 8), GradTol = Tolerance.Ulps(4),
                Kernels = [OneHotK],
            });
        }

        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            cases.Add(new("mse_loss", $"[37, 11] {reduction}", [In("a", [37, 11]), In("b", [37, 11])],
                (_, x) => One(Tensor.MseLoss(x[0], x[1], reduction)))
            {
                // Squares of differences up to 2, summed over 407 elements; the gradient 2(a − b)·g, a few roundings.
                Tol = Tolerance.Sum(407, 4), GradTol = Tolerance.Ulps(8),
                Kernels = [BinaryK],
            });

        // L1, smooth L1 and Huber: d = a − b, its abs (and a where for the two branches), reduced; the backward is
        // sign(d), clamp(d/β, −1, 1) or clamp(d, −δ, δ) times g, summed back to a broadcast target's shape.
        cases.Add(new("l1_loss", "[37, 11] [11] Mean", [In("a", [37, 11]), In("b", [11])],
            (_, x) => One(Tensor.L1Loss(x[0], x[1], Reduction.Mean)))
        {
            // |d| up to 2 over 407 elements; db sums 37 shares of g/407.
            Tol = Tolerance.Sum(407, 2), GradTols = [Tolerance.Ulps(4), Tolerance.Sum(37)],
            Kernels = [UnaryK, BinaryK, RowsK, StridedK],
        });
        cases.Add(new("smooth_l1_loss", "[37, 11] Sum beta 0.5", [In("a", [37, 11]), In("b", [37, 11])],
            (_, x) => One(Tensor.SmoothL1Loss(x[0], x[1], Reduction.Sum, beta: 0.5)))
        {
            Tol = Tolerance.Sum(407, 2), GradTol = Tolerance.Ulps(4),
            Kernels = [UnaryK, BinaryK, WhereK, RowsK],
        });
        cases.Add(new("huber_loss", "[6, 5, 7] None delta 0.7", [In("a", [6, 5, 7], -2, 2), In("b", [6, 5, 7], -2, 2)],
            (_, x) => One(Tensor.HuberLoss(x[0], x[1], Reduction.None, delta: 0.7)))
        {
            // δ(|d| − δ/2) and ½d², a few roundings each.
            Tol = Tolerance.Ulps(8), GradTol = Tolerance.Ulps(4),
            Kernels = [UnaryK, BinaryK, WhereK],
        });

        // Binary cross-entropy on probabilities in [0.05, 0.95] (the [0, 1] check is a comparison and a sum), a
        // weight per column with its gradient (the unweighted loss summed over the rows).
        cases.Add(new("binary_cross_entropy", "[23, 9] weight [9] Mean", [In("p", [23, 9], 0.05, 0.95), In("y", [23, 9], 0, 1), In("weight", [9], 0.2, 2)],
            (_, x) => One(Tensor.BinaryCrossEntropy(x[0], x[1], x[2], Reduction.Mean)))
        {
            // −log p up to 3, weighted up to 2, over 207 elements; dp = w(p − y)/(p(1 − p)) up to 40; dw sums 23 rows.
            Tol = Tolerance.Sum(207, 6), GradTols = [Tolerance.Ulps(16), Tolerance.Ulps(16), Tolerance.Sum(23, 3)],
            Kernels = [UnaryK, BinaryK, RowsK, StridedK],
        });

        // On logits: the stable softplus(−x) = log(1 + e^(−|x|)) + max(−x, 0), σ(x) in the backward; a weight per
        // row and a pos_weight per column, both with gradients.
        cases.Add(new("binary_cross_entropy_with_logits", "[17, 6] weight [17, 1] pos_weight [6] Sum",
            [In("x", [17, 6], -4, 4), In("y", [17, 6], 0, 1), In("weight", [17, 1], 0.2, 2), In("pos_weight", [6], 0.5, 2)],
            (_, x) => One(Tensor.BinaryCrossEntropyWithLogits(x[0], x[1], x[2], x[3], Reduction.Sum)))
        {
            // Terms up to about 16 over 102 elements; dy = w(−x + (pw − 1)·softplus(−x)) may cancel (absolute bound);
            // dw sums 6 columns, dpw 17 rows.
            Tol = Tolerance.Sum(102, 16), GradTols = [Tolerance.Ulps(16), Tolerance.Sum(4, 8), Tolerance.Sum(6, 16), Tolerance.Sum(17, 16)],
            Kernels = [UnaryK, BinaryK, RowsK, StridedK],
        });
    }

    private static int[] Without(int[] shape, int axis) => shape.Where((_, i) => i != axis).ToArray();
}
