using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>
/// The losses composed from existing ops (kl_div, soft margin, cosine embedding, triplet margin, multi margin,
/// multilabel margin and soft margin, Poisson and Gaussian NLL, and CTC, whose recursions run on the host) on every device: no kernel of their own, but each
/// composition (gathers, [N, C, C] broadcasts, masks built from host targets, clamps and wheres) must give the CPU's
/// values and gradients on the device too.
/// </summary>
public static partial class OpSuite
{
    private static void AddMoreLossCases(List<OpCase> cases)
    {
        cases.Add(new("kl_div", "[13, 7] BatchMean", [In("input", [13, 7], -3, 0), In("target", [13, 7], 0.05, 1)],
            (_, x) => One(Tensor.KlDiv(x[0], x[1], Reduction.BatchMean)))
        {
            // p(log p − x) up to 6 over 91 terms; dp = (log p + 1 − x)/13 may cancel (absolute bound).
            Tol = Tolerance.Sum(91, 6), GradTols = [Tolerance.Ulps(4), Tolerance.Sum(4, 8)],
        });
        cases.Add(new("soft_margin_loss", "[9, 8] Mean", [In("input", [9, 8], -2, 2), Fixed("target", [9, 8])],
            (_, x) => One(Tensor.SoftMarginLoss(x[0], x[1], Reduction.Mean)))
        {
            Tol = Tolerance.Sum(72, 3), GradTol = Tolerance.Ulps(8),
        });
        cases.Add(new("cosine_embedding_loss", "[12, 5] [1, 5] margin 0.2 Sum", [In("input1", [12, 5]), In("input2", [1, 5]), Indices("target", [12], 2)],
            (_, x) => One(Tensor.CosineEmbeddingLoss(x[0], x[1], x[2].To(x[0].DType).MulScalar(2).AddScalar(-1), 0.2, Reduction.Sum)))
        {
            // Cosines from sums of 5 products, 12 of them summed; input2's gradient sums 12 rows.
            Tol = Tolerance.Sum(60, 4), GradTols = [Tolerance.Sum(10, 4), Tolerance.Sum(60, 4)],
        });
        cases.Add(new("triplet_margin_loss", "[10, 6] p 2 swap Mean", [In("anchor", [10, 6]), In("positive", [10, 6]), In("negative", [10, 6])],
            (_, x) => One(Tensor.TripletMarginLoss(x[0], x[1], x[2], 1.0, 2, 1e-6, swap: true, Reduction.Mean)))
        {
            Tol = Tolerance.Sum(60, 4), GradTol = Tolerance.Sum(6, 4),
        });
        cases.Add(new("multi_margin_loss", "[11, 6] p 2 weight Sum", [In("input", [11, 6], -2, 2), Indices("target", [11], 6), Fixed("weight", [6], 0.2, 2)],
            (_, x) => One(Tensor.MultiMarginLoss(x[0], x[1], 2, 1.0, x[2], Reduction.Sum)))
        {
            // Squared hinges up to 25, weighted up to 2, over 66 terms; x[y]'s gradient sums 5 of them.
            Tol = Tolerance.Sum(66, 50), GradTol = Tolerance.Sum(6, 20),
        });
        cases.Add(new("multilabel_margin_loss", "[7, 5] Mean", [In("input", [7, 5], -2, 2), new OpInput("target", [7, 5], InputKind.Index, -1, 5)],
            (_, x) => One(Tensor.MultiLabelMarginLoss(x[0], x[1], Reduction.Mean)))
        {
            // Hinges up to 5 over 7·5·5 pairs; a class's gradient counts up to 25 pairs.
            Tol = Tolerance.Sum(175, 5), GradTol = Tolerance.Sum(25, 1),
        });
        cases.Add(new("multilabel_soft_margin_loss", "[9, 7] weight [7] Mean", [In("input", [9, 7], -4, 4), In("target", [9, 7], 0, 1), Fixed("weight", [7], 0.2, 2)],
            (_, x) => One(Tensor.MultiLabelSoftMarginLoss(x[0], x[1], x[2], Reduction.Mean)))
        {
            Tol = Tolerance.Sum(63, 8), GradTol = Tolerance.Sum(4, 4),
        });
        cases.Add(new("poisson_nll_loss", "[10, 4] rates full Mean", [In("input", [10, 4], 0.2, 3), Fixed("target", [10, 4], 0, 5)],
            (_, x) => One(Tensor.PoissonNllLoss(x[0], x[1], logInput: false, full: true, reduction: Reduction.Mean)))
        {
            Tol = Tolerance.Sum(40, 16), GradTol = Tolerance.Ulps(16),
        });
        cases.Add(new("gaussian_nll_loss", "[8, 6] var [8] full None", [In("input", [8, 6], -2, 2), In("target", [8, 6], -2, 2), In("var", [8], 0.2, 2)],
            (_, x) => One(Tensor.GaussianNllLoss(x[0], x[1], x[2], full: true, reduction: Reduction.None)))
        {
            // ½(log v + d²/v) may cancel near 0 (absolute bound); var's gradient sums 6 columns.
            Tol = Tolerance.Sum(4, 16), GradTols = [Tolerance.Ulps(16), Tolerance.Ulps(16), Tolerance.Sum(6, 16)],
        });
        // CTC runs on the host (float64 recursions from a copy of the data): the device must give the CPU's values
        // and gradients after the copies through the host and log_softmax on the device.
        cases.Add(new("ctc_loss", "[10, 3, 5] padded [3, 4] blank 4 log_softmax Mean", [In("logits", [10, 3, 5], -3, 3), Indices("targets", [3, 4], 4)],
            (_, x) => One(Tensor.CtcLoss(x[0].LogSoftmax(-1), x[1], [10, 7, 9], [4, 2, 0], blank: 4, reduction: Reduction.Mean)))
        {
            Tol = Tolerance.Sum(30, 8), GradTol = Tolerance.Sum(5, 4),
        });
        cases.Add(new("ctc_loss", "[6, 2, 4] concatenated [5] None zero_infinity", [In("log_probs", [6, 2, 4], -3, 0), new OpInput("targets", [5], InputKind.Index, 1, 4)],
            (_, x) => One(Tensor.CtcLoss(x[0], x[1], [6, 5], [3, 2], reduction: Reduction.None, zeroInfinity: true)))
        {
            Tol = Tolerance.Sum(30, 8), GradTol = Tolerance.Sum(5, 4),
        });
    }
}
