using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// PyTorch's connectionist temporal classification loss, <c>F.ctc_loss</c>. The alpha and beta recursions are
/// sequential in time with data-dependent lengths, so they run on the host in float64 from a contiguous copy of the
/// log-probabilities (on the CUDA backend the data is copied through the host; there is no device kernel). The
/// per-sample losses form one autograd node with ATen's closed-form backward; the reductions are ordinary
/// differentiable ops on those losses.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// CTC loss, PyTorch's <c>F.ctc_loss</c>: for log-probabilities <paramref name="logProbs"/> [T, N, C] (or
    /// unbatched [T, C]), the negative log of the total probability of every alignment of length inputLengths[n]
    /// that collapses (merge repeats, drop blanks) to the target sequence n. Targets are int32, either padded
    /// [N, S] (row n holds its targetLengths[n] labels first) or 1-D, the targets of the batch concatenated (its
    /// length must be the sum of the target lengths); unbatched, a 1-D target. <see cref="Reduction.Mean"/> divides
    /// each loss by its target length (at least 1) and averages over the batch, as PyTorch does; 'none' gives [N]
    /// ([] unbatched). A target that no alignment reaches (too long for its input, counting repeats) has an
    /// infinite loss (and NaN gradients, as ATen's); <paramref name="zeroInfinity"/> sets those losses and their
    /// gradients to 0. Gradient (ATen's ctc_loss_backward):
    /// ∂l/∂x[t, c] = e^(x[t, c]) − e^(log Σ_{s: l'(s) = c} α_t(s)β_t(s) + l − x[t, c]) for t &lt; inputLength, 0 after.
    /// Like PyTorch's, it assumes normalised log-probabilities (the output of log_softmax): the e^x term is what
    /// log_softmax's backward would add, so the gradient through log_softmax is exact, the one of raw x is not.
    /// </summary>
    public static Tensor CtcLoss(Tensor logProbs, Tensor targets, int[] inputLengths, int[] targetLengths, int blank = 0,
                                 Reduction reduction = Reduction.Mean, bool zeroInfinity = false)
    {
        const string op = "ctc_loss";
        Ops.CheckFloating(op, logProbs);
        if (logProbs.Rank is not (2 or 3))
            throw new ArgumentException($"{op}: log_probs must be [T, N, C] or unbatched [T, C], got {Shapes.Format(logProbs._shape)}", nameof(logProbs));
        if (targets.DType != DType.Int32)
            throw new ArgumentException($"{op}: targets must be int32 class indices, got {targets.DType.TorchName()}", nameof(targets));
        Ops.CheckSameDevice(op, logProbs, targets);
        if (reduction == Reduction.BatchMean) throw BatchMeanRefused();
        bool batched = logProbs.Rank == 3;
        if (!batched && targets.Rank != 1)
            throw new ArgumentException($"{op}: unbatched log_probs [T, C] take 1-D targets, got {Shapes.Format(targets._shape)}", nameof(targets));
        if (targets.Rank is not (1 or 2))
            throw new ArgumentException($"{op}: targets must be [N, S] (padded) or 1-D (concatenated), got {Shapes.Format(targets._shape)}", nameof(targets));
        int T = logProbs._shape[0], N = batched ? logProbs._shape[1] : 1, C = logProbs._shape[^1];
        if (blank < 0 || blank >= C) throw new ArgumentOutOfRangeException(nameof(blank), $"{op}: blank must be in label range [0, {C}), got {blank}");
        if (inputLengths.Length != N) throw new ArgumentException($"{op}: input_lengths must be of size batch_size ({N}), got {inputLengths.Length}", nameof(inputLengths));
        if (targetLengths.Length != N) throw new ArgumentException($"{op}: target_lengths must be of size batch_size ({N}), got {targetLengths.Length}", nameof(targetLengths));
        foreach (var l in inputLengths)
            if (l < 0 || l > T)
                throw new ArgumentOutOfRangeException(nameof(inputLengths), $"{op}: Expected input_lengths to have value {(l < 0 ? "at least 0" : $"at most {T}")}, but got value {l}");
        foreach (var l in targetLengths)
            if (l < 0) throw new ArgumentOutOfRangeException(nameof(targetLengths), $"{op}: Expected target_lengths to have value at least 0, but got value {l}");

        // Where each sample's labels start in the host copy of the targets, and the stride between its labels.
        var offsets = new int[N];
        if (targets.Rank == 1)
        {
            int pos = 0;
            for (int b = 0; b < N; b++) { offsets[b] = pos; pos += targetLengths[b]; }
            if (targets._shape[0] != pos)
                throw new ArgumentException($"{op}: Expected 1-D targets to have size {pos} (the sum of target_lengths), but got size {targets._shape[0]}", nameof(targets));
        }
        else
        {
            int max = targetLengths.Length == 0 ? 0 : targetLengths.Max();
            if (targets._shape[0] != N)
                throw new ArgumentException($"{op}: Expected targets to have size {N} at dimension 0, but got size {targets._shape[0]}", nameof(targets));
            if (targets._shape[1] < max)
                throw new ArgumentException($"{op}: Expected targets to have size at least {max} at dimension 1 (the largest target length), but got size {targets._shape[1]}", nameof(targets));
            for (int b = 0; b < N; b++) offsets[b] = b * targets._shape[1];
        }
        var tg = targets.ToArray<int>();
        for (int b = 0; b < N; b++)
            for (int i = 0; i < targetLengths[b]; i++)
            {
                int label = tg[offsets[b] + i];
                if (label < 0 || label >= C) throw new ArgumentOutOfRangeException(nameof(targets), $"{op}: target {label} is out of the label range [0, {C})");
            }

        var problem = new CtcProblem(logProbs.ToArray<double>(), tg, offsets, inputLengths.ToArray(), targetLengths.ToArray(), N, C, blank, zeroInfinity);
        var nll = new double[N];
        for (int b = 0; b < N; b++) nll[b] = problem.Sample(b, null);
        var perSample = FromArray(nll, N).To(logProbs.DType).To(logProbs.Device);
        var lp = logProbs;
        perSample = Graph.Record(perSample, "ctc_loss", [logProbs], g =>
        {
            var upstream = g.ToArray<double>();
            var grad = new double[T * N * C];
            for (int b = 0; b < N; b++) problem.Sample(b, (grad, upstream[b]));
            return [FromArray(grad, lp._shape).To(lp.DType).To(lp.Device)];
        }, logProbs);

        switch (reduction)
        {
            case Reduction.None: return batched ? perSample : perSample.Reshape();
            case Reduction.Sum: return perSample.Sum();
            default:
                var scale = new double[N];
                for (int b = 0; b < N; b++) scale[b] = 1.0 / Math.Max(targetLengths[b], 1);
                return MeanOf((perSample * FromArray(scale, N).To(logProbs.DType).To(logProbs.Device)).Sum(), N);
        }
    }

    /// <summary>
    /// <see cref="CtcLoss(Tensor, Tensor, int[], int[], int, Reduction, bool)"/> with the lengths as int32 tensors
    /// ([N], or [] / [1] unbatched), read back to the host as PyTorch reads them.
    /// </summary>
    public static Tensor CtcLoss(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, int blank = 0,
                                 Reduction reduction = Reduction.Mean, bool zeroInfinity = false)
    {
        foreach (var (t, name) in new[] { (inputLengths, "input_lengths"), (targetLengths, "target_lengths") })
            if (t.DType != DType.Int32 || t.Rank > 1)
                throw new ArgumentException($"ctc_loss: {name} must be a 0-d or 1-D int32 tensor, got {Shapes.Format(t._shape)} ({t.DType.TorchName()})");
        return CtcLoss(logProbs, targets, inputLengths.ToArray<int>(), targetLengths.ToArray<int>(), blank, reduction, zeroInfinity);
    }

    /// <summary>
    /// One batch of CTC on the host, in float64: lp is [T, N, C] row-major. Sample(b) runs the alpha recursion in log
    /// space over the extended labels l' = (blank, y₁, blank, y₂, …, blank) and returns −log p(y | x); given a
    /// gradient buffer it also runs beta and accumulates ATen's closed form times the upstream gradient.
    /// </summary>
    private sealed class CtcProblem(double[] lp, int[] targets, int[] offsets, int[] inputLengths, int[] targetLengths,
                                    int N, int C, int blank, bool zeroInfinity)
    {
        private int Label(int b, int s) => (s & 1) == 0 ? blank : targets[offsets[b] + (s >> 1)];

        private double Lp(int t, int b, int c) => lp[(t * N + b) * C + c];

        private static double LogAdd(double a, double b, double c = double.NegativeInfinity)
        {
            double m = Math.Max(a, Math.Max(b, c));
            if (double.IsNegativeInfinity(m)) return m;
            return Math.Log(Math.Exp(a - m) + Math.Exp(b - m) + Math.Exp(c - m)) + m;
        }

        public double Sample(int b, (double[] Grad, double Upstream)? backward)
        {
            int len = inputLengths[b], L = targetLengths[b], S = 2 * L + 1;
            // No frames: only the empty target has an alignment (ATen's special case).
            if (len == 0) return L == 0 ? 0 : zeroInfinity ? 0 : double.PositiveInfinity;
            var alpha = new double[len * S];
            Array.Fill(alpha, double.NegativeInfinity);
            alpha[0] = Lp(0, b, blank);
            if (L > 0) alpha[1] = Lp(0, b, Label(b, 1));
            for (int t = 1; t < len; t++)
                for (int s = 0; s < S; s++)
                {
                    int l = Label(b, s);
                    double a = alpha[(t - 1) * S + s];
                    double p = s > 0 ? alpha[(t - 1) * S + s - 1] : double.NegativeInfinity;
                    // The skip over a blank, allowed between two different labels.
                    double q = s > 1 && Label(b, s - 2) != l ? alpha[(t - 1) * S + s - 2] : double.NegativeInfinity;
                    alpha[t * S + s] = LogAdd(a, p, q) + Lp(t, b, l);
                }
            int last = (len - 1) * S;
            double nll = -LogAdd(alpha[last + S - 1], L > 0 ? alpha[last + S - 2] : double.NegativeInfinity);
            bool zeroed = zeroInfinity && double.IsPositiveInfinity(nll);
            if (backward is not { } bw || zeroed) return zeroed ? 0 : nll;

            var beta = new double[len * S];
            Array.Fill(beta, double.NegativeInfinity);
            beta[last + S - 1] = Lp(len - 1, b, blank);
            if (L > 0) beta[last + S - 2] = Lp(len - 1, b, Label(b, S - 2));
            for (int t = len - 2; t >= 0; t--)
                for (int s = 0; s < S; s++)
                {
                    int l = Label(b, s);
                    double a = beta[(t + 1) * S + s];
                    double p = s < S - 1 ? beta[(t + 1) * S + s + 1] : double.NegativeInfinity;
                    double q = s < S - 2 && Label(b, s + 2) != l ? beta[(t + 1) * S + s + 2] : double.NegativeInfinity;
                    beta[t * S + s] = LogAdd(a, p, q) + Lp(t, b, l);
                }
            // log Σ_{s: l'(s) = c} α_t(s)β_t(s) per class, then ATen's e^x − e^(lcab + nll − x).
            var lcab = new double[C];
            for (int t = 0; t < len; t++)
            {
                Array.Fill(lcab, double.NegativeInfinity);
                for (int s = 0; s < S; s++)
                {
                    int l = Label(b, s);
                    lcab[l] = LogAdd(lcab[l], alpha[t * S + s] + beta[t * S + s]);
                }
                for (int c = 0; c < C; c++)
                {
                    double x = Lp(t, b, c);
                    bw.Grad[(t * N + b) * C + c] = (Math.Exp(x) - Math.Exp(lcab[c] + nll - x)) * bw.Upstream;
                }
            }
            return nll;
        }
    }
}
