using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>Reductions over each axis and several (cuda/reduce.cu), argmax, softmax, cross-entropy and one-hot
/// (cuda/softmax.cu).</summary>
public static partial class OpSuite
{
    private static void AddReductionCases(List<OpCase> cases)
    {
        // (op, shape, axes, kernels). Which kernel runs is a function of the shape (CudaBackend.ChunkFor):
        // inner == 1 reduces rows, else strided; rows longer than 8192 and strided reductions with few outputs and
        // more than 64 terms take several passes over partial results.
        (string Op, int[] Shape, int[] Axes, string[] Kernels)[] plans =
        [
            ("sum", [37, 29], [1], [RowsK]),
            ("sum", [29, 37], [0], [StridedK]),
            ("sum", [200, 3], [0], [StridedK]),           // 7 partials of 32 rows, then a second pass
            ("sum", [2, 20000], [1], [RowsK]),            // 3 chunks of 8192 per row, then a second pass
            ("sum", [1, 5, 1], [0, 2], []),               // only size-1 axes: a copy
            ("mean", [5, 6, 7, 8], [1, 3], [RowsK, StridedK]),
            ("mean", [3, 1001], [0, 1], [RowsK]),
            ("max", [7, 33, 13], [0, 2], [RowsK, StridedK]),
            ("max", [129, 7], [0], [StridedK]),
            ("min", [3, 1001], [0, 1], [RowsK]),
            ("min", [9, 11], [1], [RowsK]),
        ];
        foreach (var (op, shape, axes, kernels) in plans)
        {
            long len = axes.Aggregate(1L, (n, a) => n * shape[a]);
            bool sum = op is "sum" or "mean";
            cases.Add(new(op, $"{Fmt(shape)} axes {Fmt(axes)}", [sum ? In("x", shape) : Coarse("x", shape)], (_, x) => One(op switch
            {
                "sum" => x[0].Sum(axes),
                "mean" => x[0].Mean(axes, keepDim: true),
                "max" => x[0].Max(axes),
                _ => x[0].Min(axes),
            }))
            {
                // Sums of len terms in [-1, 1) in another order; max and min pick an element (ties on the 1/4 grid:
                // the gradient is shared between them, dy/count, one rounding).
                Tol = sum ? Tolerance.Sum(len) : Tolerance.Exact,
                GradTol = Tolerance.Ulps(1),
                Kernels = kernels,
            });
        }

        AddStatisticsCases(cases);

        // argmax: the first maximum wins among ties.
        foreach (var (shape, axis) in new[] { (new[] { 17, 31 }, 1), (new[] { 9, 7, 5 }, 1), (new[] { 1000 }, 0), (new[] { 6, 1 }, 0) })
            cases.Add(new("argmax", $"{Fmt(shape)} axis {axis}", [Coarse("x", shape, -4, 4)], (_, x) => One(x[0].ArgMax(axis)))
                { Backward = false, Tol = Tolerance.Exact, Kernels = [Reduce + "argmax_{t}"] });

        // softmax / log-softmax along the last axis and along the first (transposed to the last and back); a row of
        // 1003 (a warp loops 32 times), a single element.
        (bool Log, int[] Shape, int Axis)[] softmaxes =
        [
            (false, [37, 29], -1), (false, [29, 37], 0), (true, [9, 1003], -1), (true, [13, 7], 0), (false, [1, 1], -1),
        ];
        foreach (var (log, shape, axis) in softmaxes)
        {
            int n = shape[axis < 0 ? shape.Length + axis : axis];
            cases.Add(new(log ? "log_softmax" : "softmax", $"{Fmt(shape)} axis {axis}", [In("x", shape, -8, 8)],
                (_, x) => One(log ? x[0].LogSoftmax(axis) : x[0].Softmax(axis)))
            {
                // exp of values ≤ 0 and a sum of n terms ≤ 1; log-softmax subtracts values up to 16 (8 ulps of them).
                Tol = log ? new Tolerance(8, 4 * n + 8 * 16) : Tolerance.Sum(n),
                GradTol = Tolerance.Sum(n),
                Kernels = axis == 0 ? ["softmax.cu:softmax_{t}", CopyK] : ["softmax.cu:softmax_{t}"],
            });
        }

        // Mean cross-entropy over the batch, with and without label smoothing; its backward builds the smoothed
        // one-hot targets (one_hot kernel).
        foreach (var (n, c, smoothing) in new[] { (33, 10, 0.0), (9, 1003, 0.1), (1, 2, 0.0) })
            cases.Add(new("cross_entropy", $"[{n}, {c}] smoothing {smoothing}", [In("logits", [n, c], -6, 6), Indices("targets", [n], c)],
                (_, x) => One(Tensor.CrossEntropy(x[0], x[1], labelSmoothing: smoothing)))
            {
                // log Σ exp over c terms, values up to 12 apart, then the mean of n rows; the gradient (p − q)/n.
                Tol = Tolerance.Sum(c + n, 12), GradTol = Tolerance.Sum(c),
                Kernels = ["softmax.cu:cross_entropy_{t}", "softmax.cu:one_hot_{t}"],
            });

        cases.Add(new("one_hot", "[37] x 10", [Indices("i", [37], 10)], (e, x) => One(Tensor.OneHot(x[0], 10, e.DType)))
            { Backward = false, Tol = Tolerance.Exact, Kernels = ["softmax.cu:one_hot_{t}"] });
    }

    /// <summary>var, std and logsumexp: compositions of the reductions above and elementwise kernels (no kernel of
    /// their own), so these cases check the composition on each device, rows and strided passes alike.</summary>
    private static void AddStatisticsCases(List<OpCase> cases)
    {
        // (op, shape, axes, correction, keepDim, kernels of the reductions).
        (string Op, int[] Shape, int[] Axes, double Correction, bool KeepDim, string[] Reductions)[] moments =
        [
            ("var", [37, 29], [1], 1, false, [RowsK]),
            ("var", [29, 37], [0], 0, true, [StridedK]),
            ("var", [5, 6, 7], [0, 2], 2, false, [RowsK, StridedK]),
            ("std", [37, 29], [-1], 1, false, [RowsK]),
            ("std", [6, 7, 8], [0, 2], 0.5, true, [RowsK, StridedK]),
            ("std", [9, 1], [1], 0, false, []),           // one element: s = 0, PyTorch's zero gradient (a copy, no reduction)
        ];
        foreach (var (op, shape, axes, correction, keepDim, reductions) in moments)
        {
            long len = axes.Aggregate(1L, (n, a) => n * shape[a < 0 ? shape.Length + a : a]);
            cases.Add(new(op, $"{Fmt(shape)} axes {Fmt(axes)} correction {correction}{(keepDim ? " keepdim" : "")}", [In("x", shape)],
                (_, x) => One(op == "var" ? x[0].Var(axes, correction, keepDim) : x[0].Std(axes, correction, keepDim)))
            {
                // The mean (len terms), then len squares of deviations up to 2; the gradient 2(x − x̄)/(N − correction)
                // (divided by 2s for std) carries the mean's rounding, a few ulps of the deviations.
                Tol = Tolerance.Sum(len, 4),
                GradTol = Tolerance.Sum(len),
                // mean and var's scaling, square, sqrt (unary); x − x̄, the backward's products (binary); std's
                // backward picks 0 where s = 0 (where).
                Kernels = [.. reductions, UnaryK, BinaryK, .. op == "std" ? [WhereK] : Array.Empty<string>()],
            });
        }

        // logsumexp of values in [-8, 8], and of values with -inf and +inf among them: rows of 2 where x < -0.5
        // becomes -inf (all -inf in about one row in 16: -inf) and x > 0.9 becomes +inf (+inf), so the max kernels
        // meet infinities and the max is replaced by 0 there, on the device.
        (int[] Shape, int[] Axes, bool KeepDim, bool Infinite, string[] Reductions)[] lses =
        [
            ([37, 29], [1], false, false, [RowsK]),
            ([29, 37], [0], true, false, [StridedK]),
            ([5, 6, 7], [0, -1], false, false, [RowsK, StridedK]),
            ([40, 2], [1], false, true, [RowsK]),
        ];
        foreach (var (shape, axes, keepDim, infinite, reductions) in lses)
        {
            long len = axes.Aggregate(1L, (n, a) => n * shape[a < 0 ? shape.Length + a : a]);
            cases.Add(new("logsumexp", $"{Fmt(shape)} axes {Fmt(axes)}{(keepDim ? " keepdim" : "")}{(infinite ? " with infinities" : "")}",
                [In("x", shape, infinite ? -1 : -8, infinite ? 1 : 8)], (e, x) =>
                {
                    var v = x[0];
                    if (infinite)
                    {
                        var ninf = Tensor.Full([], double.NegativeInfinity, e.DType, e.Device);
                        var pinf = Tensor.Full([], double.PositiveInfinity, e.DType, e.Device);
                        v = Tensor.Where(v.Lt(-0.5), ninf, Tensor.Where(v.Gt(0.9), pinf, v * 8));
                    }
                    return One(v.LogSumExp(axes, keepDim));
                })
            {
                // As log-softmax: e^(x − m) ≤ 1 summed over len terms, its log, plus m up to 8; the gradient e^(x − y).
                Tol = new Tolerance(8, 4 * len + 8 * 16),
                GradTol = Tolerance.Sum(len),
                // max, sum (reductions); |m|, exp, log (unary); the infinity test, x − m, + m (binary); m → 0 (where).
                Kernels = [.. reductions, UnaryK, BinaryK, WhereK],
                // The inputs drawn for this case do reach both edges.
                Property = infinite ? (_, y) =>
                {
                    var v = y[0].To(DType.Float64).ToArray<double>();
                    return v.Contains(double.NegativeInfinity) && v.Contains(double.PositiveInfinity) ? null : "no row of -inf or none with +inf";
                } : null,
            });
        }
    }

    private static void AddLinearCases(List<OpCase> cases)
    {
        // (label, a, b, views). A view .T of a stored [.., k, m] matrix reaches the GEMM as a transposed operand
        // (no copy), so the four transpose combinations come from the public API; the backward adds nt and tn.
        (string Label, int[] A, int[] B, bool TA, bool TB, string[] Kernels)[] plans =
        [
            ("[67, 95] x [95, 129]", [67, 95], [95, 129], false, false, [GemmNN, GemmNT, GemmTN]),
            ("[95, 67]^T x [95, 129]", [95, 67], [95, 129], true, false, [GemmTN]),
            ("[67, 95] x [129, 95]^T", [67, 95], [129, 95], false, true, [GemmNT]),
            ("[95, 67]^T x [129, 95]^T", [95, 67], [129, 95], true, true, ["gemm.cu:gemm_{t}_*_tt"]),
            ("batched [3, 5, 7] x [3, 7, 4]", [3, 5, 7], [3, 7, 4], false, false, [GemmNN]),
            ("broadcast [2, 1, 5, 6] x [3, 6, 4]", [2, 1, 5, 6], [3, 6, 4], false, false, [GemmNN]),
            ("vector [7] x [7, 5]", [7], [7, 5], false, false, [GemmNN]),
            ("K=1 [70, 1] x [1, 30]", [70, 1], [1, 30], false, false, [GemmNN]),
        ];
        foreach (var (label, sa, sb, ta, tb, kernels) in plans)
        {
            int k = ta ? sa[^2] : sa[^1], m = sa.Length == 1 ? 1 : ta ? sa[^1] : sa[^2], n = tb ? sb[^2] : sb[^1];
            // Batch elements a gradient sums over when its operand was broadcast (b [3, 6, 4] against a batch of 2·3).
            int batch = Math.Max(1, sa.Length > 2 ? sa[..^2].Aggregate(1, (p, d) => p * d) : 1) * (sa.Length == 4 ? 3 : 1);
            cases.Add(new("matmul", label,
                [In("a", sa) with { View = ta ? t => t.T : null }, In("b", sb) with { View = tb ? t => t.T : null }],
                (_, x) => One(Tensor.MatMul(x[0], x[1])))
            {
                // Dot products of k terms in [-1, 1); dA sums n, dB sums m (times the broadcast batch) products.
                Tol = Tolerance.Sum(k),
                GradTols = [Tolerance.Sum(n), Tolerance.Sum((double)m * batch)],
                Kernels = kernels,
            });
        }
    }
}
