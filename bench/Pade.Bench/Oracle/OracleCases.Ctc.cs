using Pade.Engine;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// CTC loss against libtorch's ctc_loss (its CPU kernel): padded [N, S] and concatenated 1-D targets, lengths as
/// integer tensors, random blank, every reduction (mean divides by the target lengths), zero_infinity, repeated
/// labels, empty targets, zero-length inputs, targets too long for their input (infinite losses and NaN gradients),
/// the unbatched [T, C] form, and inputs both raw and through log_softmax.
/// </summary>
public static partial class OracleCases
{
    private static void AddCtc(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7949 + 101);
        // Unbatched with an input length below T: libtorch takes it (only the first frames count).
        cases.Add(new("ctc_loss", "[5, 3] targets [2] input_lengths [] = 3 target_lengths [] = 2 unbatched", [g.Input("log_probs", [5, 3], -3, 0),
            new("targets", [2], [1, 2], Grad: false, Indices: true), new("input_lengths", [], [3], Grad: false, Indices: true),
            new("target_lengths", [], [2], Grad: false, Indices: true)],
            x => PTensor.CtcLoss(x[0], x[1], x[2], x[3]), x => TF.ctc_loss(x[0], x[1], x[2], x[3])));
        // Labels equal to the blank, which PyTorch documents as not allowed but does not check: the losses agree,
        // libtorch's gradient does not, even through log_softmax, where Pade's matches central differences
        // (CtcLossProperties.LabelsEqualToTheBlankKeepTheExactGradient).
        cases.Add(new("ctc_loss", "[5, 1, 3] targets [1, 2] both the blank (1), log_softmax", [g.Input("logits", [5, 1, 3], -3, 3),
            new("targets", [1, 2], [1, 1], Grad: false, Indices: true), new("input_lengths", [1], [5], Grad: false, Indices: true),
            new("target_lengths", [1], [2], Grad: false, Indices: true)],
            x => PTensor.CtcLoss(x[0].LogSoftmax(-1), x[1], x[2], x[3], blank: 1), x => TF.ctc_loss(x[0].log_softmax(-1), x[1], x[2], x[3], 1),
            OracleWrong: "libtorch's ctc_loss gradient for targets equal to the blank (documented as invalid) is not the derivative of its loss; Pade's matches central differences"));
        for (int i = 0; i < perFamily * 2; i++)
        {
            var reduction = g.Pick(Reduction.Mean, Reduction.None, Reduction.Sum);
            bool unbatched = g.Coin(0.2), padded = !unbatched && g.Coin(), zeroInfinity = g.Coin(), softmax = g.Coin();
            int t = g.Int(1, 8), n = unbatched ? 1 : g.Int(1, 4), c = g.Int(2, 6), blank = g.Int(0, c - 1);
            var labels = Enumerable.Range(0, c).Where(k => k != blank).ToArray();
            var inputLengths = Enumerable.Range(0, n).Select(_ => unbatched || g.Coin(0.4) ? t : g.Int(0, t)).ToArray();
            // Up to one label more than the frames (impossible), from few classes so that repeats are common.
            int alphabet = g.Int(1, labels.Length);
            var targets = inputLengths.Select(l => Enumerable.Range(0, g.Int(0, Math.Min(l + 1, 5))).Select(_ => (double)labels[g.Int(0, alphabet - 1)]).ToArray()).ToArray();
            var targetLengths = targets.Select(x => x.Length).ToArray();
            OracleInput targetInput;
            if (padded)
            {
                int s = targetLengths.Max() + g.Int(0, 2);
                var data = new double[n * s];
                for (int b = 0; b < n; b++)
                    for (int k = 0; k < s; k++) data[b * s + k] = k < targets[b].Length ? targets[b][k] : g.Int(0, c - 1);   // padding: anything
                targetInput = new("targets", [n, s], data, Grad: false, Indices: true);
            }
            else targetInput = new("targets", [targetLengths.Sum()], targets.SelectMany(x => x).ToArray(), Grad: false, Indices: true);
            int[] lengthShape = unbatched ? [] : [n];
            OracleInput[] inputs =
            [
                softmax ? g.Input("logits", unbatched ? [t, c] : [t, n, c], -3, 3) : g.Input("log_probs", unbatched ? [t, c] : [t, n, c], -3, 0),
                targetInput,
                new("input_lengths", lengthShape, inputLengths.Select(l => (double)l).ToArray(), Grad: false, Indices: true),
                new("target_lengths", lengthShape, targetLengths.Select(l => (double)l).ToArray(), Grad: false, Indices: true),
            ];
            string config = $"{Fmt(inputs[0].Shape)} targets {Fmt(targetInput.Shape)} input_lengths {Fmt(inputLengths)} target_lengths {Fmt(targetLengths)} " +
                            $"blank {blank} reduction {reduction} zero_infinity {zeroInfinity}{(softmax ? " log_softmax" : "")}";
            cases.Add(new("ctc_loss", config, inputs,
                x => PTensor.CtcLoss(softmax ? x[0].LogSoftmax(-1) : x[0], x[1], x[2], x[3], blank, reduction, zeroInfinity),
                x => TF.ctc_loss(softmax ? x[0].log_softmax(-1) : x[0], x[1], x[2], x[3], blank, zeroInfinity, Torch(reduction))));
        }
    }
}
