using Pade.Engine;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// The losses beyond cross-entropy and the regression ones against libtorch's: kl_div (batchmean as
/// torch.nn.functional computes it, the sum over the batch size), soft margin, margin ranking, hinge embedding,
/// cosine embedding, pairwise_distance, triplet margin (swap), multi margin (p, margin, weight), multilabel margin,
/// multilabel soft margin, Poisson and Gaussian NLL, with every reduction, unbatched forms and broadcast operands.
/// Values stay off the hinges' kinks (margins and inputs on different lattices), where the two libraries may take
/// different one-sided slopes.
/// </summary>
public static partial class OracleCases
{
    private static void AddMoreLosses(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7907 + 59);
        for (int i = 0; i < perFamily; i++)
        {
            var reduction = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum);
            var shape = g.Shape();
            var other = g.Coin(0.3) ? shape.Select(d => g.Coin(0.4) ? 1 : d).ToArray() : shape;
            string config = $"{Fmt(shape)} {Fmt(other)} reduction {reduction}";

            bool logTarget = g.Coin();
            var kl = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum, Reduction.BatchMean);
            cases.Add(new("kl_div", $"{Fmt(shape)} {Fmt(other)} reduction {kl} log_target {logTarget}",
                [g.Input("input", shape, -3, 0.5), logTarget ? g.Input("target", other, -3, 1) : g.Input("target", other, 0.02, 1)],
                x => PTensor.KlDiv(x[0], x[1], kl, logTarget),
                x => kl == Reduction.BatchMean
                    ? TF.kl_div(x[0], x[1], logTarget, TorchSharp.torch.nn.Reduction.Sum) / (shape.Length == 0 ? 1 : shape[0])
                    : TF.kl_div(x[0], x[1], logTarget, Torch(kl))));

            // libtorch refuses a target that requires a gradient here (soft_margin_loss is not differentiable in it).
            cases.Add(new("soft_margin_loss", config, [g.Input("input", shape), g.Input("target", other, grad: false)],
                x => PTensor.SoftMarginLoss(x[0], x[1], reduction), x => TF.soft_margin_loss(x[0], x[1], Torch(reduction))));

            double margin = g.Pick(0.05, 0.55, 1.05);
            var signs = Signs(g, other);
            cases.Add(new("hinge_embedding_loss", $"{config} margin {margin}", [g.Input("input", shape), signs],
                x => PTensor.HingeEmbeddingLoss(x[0], x[1], margin, reduction), x => TF.hinge_embedding_loss(x[0], x[1], margin, Torch(reduction))));
            cases.Add(new("margin_ranking_loss", $"{Fmt(shape)} reduction {reduction} margin {margin}",
                [g.Input("input1", shape), g.Input("input2", shape), Signs(g, shape)],
                x => PTensor.MarginRankingLoss(x[0], x[1], x[2], margin, reduction), x => TF.margin_ranking_loss(x[0], x[1], x[2], margin, Torch(reduction))));

            bool logInput = g.Coin(), full = g.Coin();
            // TorchSharp 0.107's poisson_nll_loss does not apply eps (with log_input false its values are those of
            // eps = 0, 1e-8 off): the reference is ATen's poisson_nll_loss formula on libtorch tensors.
            cases.Add(new("poisson_nll_loss", $"{config} log_input {logInput} full {full}",
                [logInput ? g.Input("input", shape) : g.Input("input", shape, 0.05, 3), Counts(g, other)],
                x => PTensor.PoissonNllLoss(x[0], x[1], logInput, full, 1e-8, reduction),
                x => TorchReduce(AtenPoissonNll(x[0], x[1], logInput, full, 1e-8), reduction)));
            if (i == 0)
                cases.Add(new("poisson_nll_loss", "TorchSharp's own op (it applies no eps) against eps = 0 [3]", [g.Input("input", [3], 0.05, 3), Counts(g, [3])],
                    x => PTensor.PoissonNllLoss(x[0], x[1], false, false, 0, Reduction.None),
                    x => TF.poisson_nll_loss(x[0], x[1], false, false, 1e-8f, TorchSharp.torch.nn.Reduction.None)));

            int[] varShape = g.Pick(0, 1, 2) switch { 0 => shape, 1 => shape[..^1], _ => [.. shape[..^1], 1] };
            bool gaussFull = g.Coin();
            cases.Add(new("gaussian_nll_loss", $"{config} var {Fmt(varShape)} full {gaussFull}",
                [g.Input("input", shape), g.Input("target", other), g.Input("var", varShape, 0.1, 2)],
                x => PTensor.GaussianNllLoss(x[0], x[1], x[2], gaussFull, 1e-6f, reduction),
                x => TorchReduce(FunctionalGaussianNll(x[0], x[1], x[2], gaussFull, 1e-6), reduction)));
        }

        AddLossKinks(cases);
        for (int i = 0; i < perFamily; i++)
        {
            var reduction = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum);
            bool batched = g.Coin(0.75);
            int n = g.Int(1, 6), d = g.Int(1, 6);
            int[] full = batched ? [n, d] : [d], partial = batched && g.Coin(0.3) ? [1, d] : full;
            double margin = g.Pick(-0.45, 0.05, 0.55);
            cases.Add(new("cosine_embedding_loss", $"{Fmt(full)} {Fmt(partial)} reduction {reduction} margin {margin}",
                [g.Input("input1", full), g.Input("input2", partial), Signs(g, batched ? [n] : [])],
                x => PTensor.CosineEmbeddingLoss(x[0], x[1], x[2], margin, reduction),
                x => TF.cosine_embedding_loss(x[0], x[1], x[2], margin, Torch(reduction))));

            double p = g.Pick(1, 2, 2, 3), tripletMargin = g.Pick(0.5, 1.0, 2.0);
            bool swap = g.Coin();
            cases.Add(new("triplet_margin_loss", $"{Fmt(full)} {Fmt(partial)} p {p} margin {tripletMargin} swap {swap} reduction {reduction}",
                [g.Input("anchor", full), g.Input("positive", partial), g.Input("negative", full)],
                x => PTensor.TripletMarginLoss(x[0], x[1], x[2], tripletMargin, p, 1e-6, swap, reduction),
                x => TF.triplet_margin_loss(x[0], x[1], x[2], tripletMargin, (long)p, 1e-6, swap, Torch(reduction))));
            bool keepDim = g.Coin();
            cases.Add(new("pairwise_distance", $"{Fmt(full)} {Fmt(partial)} p {p} keepdim {keepDim}",
                [g.Input("x1", full), g.Input("x2", partial)],
                x => PTensor.PairwiseDistance(x[0], x[1], p, 1e-6, keepDim), x => TF.pairwise_distance(x[0], x[1], p, 1e-6, keepDim)));

            int c = g.Int(1, 6), mp = g.Pick(1, 2);
            bool weighted = g.Coin();
            int[] rows = batched ? [n, c] : [c];
            // Input differences are multiples of 0.05 and the margins 0.03 more than multiples of 0.1, so
            // margin − x[y] + x[i] stays 0.02 from the kink; for the multilabel hinge 1 − x[j] + x[i], differences
            // 0.15k ± 0.02 keep it 0.03 away.
            cases.Add(new("multi_margin_loss", $"{Fmt(rows)} p {mp} margin {margin}{(weighted ? " weight" : "")} reduction {reduction}",
                [Lattice(g, "input", rows, 0.1, 0, 0.05), g.Classes("target", batched ? [n] : [], c), g.Input("weight", [c], 0.2, 2, grad: false)],
                x => PTensor.MultiMarginLoss(x[0], x[1], mp, Math.Round(margin, 1) + 0.03, weighted ? x[2] : null, reduction),
                x => TF.multi_margin_loss(x[0], x[1], mp, Math.Round(margin, 1) + 0.03, weighted ? x[2] : null, Torch(reduction))));
            cases.Add(new("multilabel_margin_loss", $"{Fmt(rows)} reduction {reduction}",
                [Lattice(g, "input", rows, 0.15, 0, 0.02), LabelLists(g, rows)],
                x => PTensor.MultiLabelMarginLoss(x[0], x[1], reduction), x => TF.multi_label_margin_loss(x[0], x[1], Torch(reduction))));

            bool softWeighted = g.Coin();
            int[] softShape = batched && g.Coin(0.3) ? [n, g.Int(1, 3), c] : rows;
            cases.Add(new("multilabel_soft_margin_loss", $"{Fmt(softShape)}{(softWeighted ? " weight" : "")} reduction {reduction}",
                [g.Input("input", softShape, -4, 4), g.Input("target", softShape, 0, 1), g.Input("weight", [c], 0.2, 2)],
                x => PTensor.MultiLabelSoftMarginLoss(x[0], x[1], softWeighted ? x[2] : null, reduction),
                x => TF.multilabel_soft_margin_loss(x[0], x[1], softWeighted ? x[2] : null, Torch(reduction))));
        }
    }

    /// <summary>The hinges exactly at their kinks, where the one-sided slope each library takes shows: clamp_min's
    /// (1 at 0) for margin ranking, hinge embedding and triplet, ATen's z &gt; 0 (0 at 0) for the multi-class ones.</summary>
    private static void AddLossKinks(List<OracleCase> cases)
    {
        var sum = TorchSharp.torch.nn.Reduction.Sum;
        cases.Add(new("margin_ranking_loss", "at the kink [3]",
            [new("input1", [3], [1, 2, 0.5]), new("input2", [3], [1, 2.5, 0.5]), new("target", [3], [1, 1, -1])],
            x => PTensor.MarginRankingLoss(x[0], x[1], x[2], 0, Reduction.Sum), x => TF.margin_ranking_loss(x[0], x[1], x[2], 0, sum)));
        cases.Add(new("margin_ranking_loss", "broadcast [2,3] [1,3] [2,1]",
            [new("input1", [2, 3], [1, 2, 0.5, -1, 0.3, 2]), new("input2", [1, 3], [0.2, 2.5, 0.7]), new("target", [2, 1], [1, -1])],
            x => PTensor.MarginRankingLoss(x[0], x[1], x[2], 0.1, Reduction.Sum), x => TF.margin_ranking_loss(x[0], x[1], x[2], 0.1, sum)));
        cases.Add(new("hinge_embedding_loss", "at the kink [3]",
            [new("input", [3], [1, 0.5, 2]), new("target", [3], [-1, -1, 1], Grad: false)],
            x => PTensor.HingeEmbeddingLoss(x[0], x[1], 1, Reduction.Sum), x => TF.hinge_embedding_loss(x[0], x[1], 1, sum)));
        cases.Add(new("triplet_margin_loss", "at the kink [1,2]",
            [new("anchor", [1, 2], [0, 0]), new("positive", [1, 2], [3, 4]), new("negative", [1, 2], [6, 8])],
            x => PTensor.TripletMarginLoss(x[0], x[1], x[2], 5, 2, 0, false, Reduction.Sum), x => TF.triplet_margin_loss(x[0], x[1], x[2], 5, 2, 0, false, sum)));
        cases.Add(new("multi_margin_loss", "at the kink [1,3]",
            [new("input", [1, 3], [2, 1, 1.5]), new("target", [1], [0], Grad: false, Indices: true)],
            x => PTensor.MultiMarginLoss(x[0], x[1], reduction: Reduction.Sum), x => TF.multi_margin_loss(x[0], x[1], reduction: sum)));
        cases.Add(new("multilabel_margin_loss", "at the kink [1,3]",
            [new("input", [1, 3], [2, 1, 1.5]), new("target", [1, 3], [0, -1, 2], Grad: false, Indices: true)],
            x => PTensor.MultiLabelMarginLoss(x[0], x[1], Reduction.Sum), x => TF.multi_label_margin_loss(x[0], x[1], sum)));
    }

    /// <summary>ATen's poisson_nll_loss before its reduction.</summary>
    private static TTensor AtenPoissonNll(TTensor input, TTensor target, bool logInput, bool full, double eps)
    {
        var loss = logInput ? input.exp() - target * input : input - target * (input + eps).log();
        if (!full) return loss;
        var stirling = target * target.log() - target + 0.5 * (2 * Math.PI * target).log();
        return loss + stirling.masked_fill(target <= 1, 0);
    }

    /// <summary>
    /// torch.nn.functional.gaussian_nll_loss (Python, so not in libtorch; TorchSharp 0.107's own differs: it sums
    /// each sample's loss and refuses PyTorch's var shapes) on libtorch tensors: var unsqueezed when it lacks the last
    /// dim, clamped at eps in place under no_grad on a clone, 0.5·(log var + (x − y)²/var) (+ ½ log 2π).
    /// </summary>
    private static TTensor FunctionalGaussianNll(TTensor input, TTensor target, TTensor var, bool full, double eps)
    {
        if (!var.shape.SequenceEqual(input.shape) && input.shape[..^1].SequenceEqual(var.shape)) var = var.unsqueeze(-1);
        var clamped = var.clone();
        using (TorchSharp.torch.no_grad()) clamped.clamp_(min: eps);
        var loss = 0.5 * (clamped.log() + (input - target).square() / clamped);
        return full ? loss + 0.5 * Math.Log(2 * Math.PI) : loss;
    }

    private static TTensor TorchReduce(TTensor loss, Reduction reduction) =>
        reduction == Reduction.None ? loss : reduction == Reduction.Sum ? loss.sum() : loss.mean();

    /// <summary>Targets ±1 (no gradient: the losses only compare them).</summary>
    private static OracleInput Signs(OracleGen g, int[] shape) =>
        new("target", shape, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => g.Coin() ? 1.0 : -1.0).ToArray(), Grad: false);

    /// <summary>Counts 0..5, integers half the time, else reals at least 0.05 from 1 (Stirling's term starts above 1).</summary>
    private static OracleInput Counts(OracleGen g, int[] shape) =>
        new("target", shape, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b))
            .Select(_ => g.Coin() ? g.Int(0, 5) : g.Pick(0.3, 0.9, 1.2, 2.5, 4.4) + g.Values(1, 0, 0.04, 0)[0]).ToArray(), Grad: false);

    /// <summary>Values step·k + one of <paramref name="offsets"/> in about [−2, 2]: the differences of two lie on a
    /// lattice the callers keep away from the hinges' kinks.</summary>
    private static OracleInput Lattice(OracleGen g, string name, int[] shape, double step, params double[] offsets) =>
        new(name, shape, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b))
            .Select(_ => g.Int(-(int)(2 / step), (int)(2 / step)) * step + g.Pick(offsets)).ToArray());

    /// <summary>multilabel targets: per row some classes (repeats allowed), then −1, then anything in [−1, C).</summary>
    private static OracleInput LabelLists(OracleGen g, int[] shape)
    {
        int c = shape[^1], rows = shape.Length == 2 ? shape[0] : 1;
        var v = new List<double>();
        for (int r = 0; r < rows; r++)
        {
            int count = g.Int(0, c);
            var row = Enumerable.Range(0, count).Select(_ => (double)g.Int(0, c - 1)).ToList();
            if (count < c) row.Add(-1);
            while (row.Count < c) row.Add(g.Int(-1, c - 1));
            v.AddRange(row);
        }
        return new OracleInput("target", shape, [.. v], Grad: false, Indices: true);
    }
}
