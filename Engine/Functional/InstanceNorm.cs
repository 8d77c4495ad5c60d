namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Instance normalisation as torch.nn.functional.instance_norm, for input [N, C, *]: statistics per sample and
    /// channel over the positions *, y = (x − μ)/√(σ² + ε)·γ[c] + β[c]. As ATen's instance_norm it is
    /// <see cref="BatchNorm"/> on the view [1, N·C, *] with γ, β and the running statistics repeated N times, so the
    /// batch-norm kernels and their closed-form backward serve. With <paramref name="useInputStats"/> the running
    /// statistics (when given) move towards the batch average of the per-instance mean and unbiased variance:
    /// running ← (1 − momentum)·running + momentum·mean_n(stat[n, c]); without it they normalise every instance.
    /// </summary>
    public static Tensor InstanceNorm(Tensor input, Tensor? runningMean = null, Tensor? runningVar = null, Tensor? weight = null,
        Tensor? bias = null, bool useInputStats = true, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "instance_norm";
        Ops.CheckFloating(op, input);
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected input [N, C, *] of rank at least 2, got {Shapes.Format(input.Shape)}");
        int n = input.Size(0), c = input.Size(1);
        var shape = input.ShapeCopy();
        long spatial = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        if (useInputStats && spatial == 1)
            throw new ArgumentException($"{op}: Expected more than 1 spatial element when training, got input size {Shapes.Format(shape)}");
        if (!useInputStats && (runningMean == null || runningVar == null))
            throw new ArgumentException($"{op}: Expected running_mean and running_var to be defined when use_input_stats is false");
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar) })
        {
            if (t == null) continue;
            Ops.CheckPair(op, input, t);
            if (t.Rank != 1 || t.Size(0) != c)
                throw new ArgumentException($"{op}: {name} must be [{c}] for an input with {c} channels, got {Shapes.Format(t.Shape)} (input {Shapes.Format(input.Shape)})");
        }

        if (input.Numel == 0)
        {
            // As ATen's batch norm of an empty input: an empty result still connected to x, γ and β (zero gradients).
            var empty = input.MulScalar(1);
            if (weight != null) empty = empty + weight.Sum().MulScalar(0);
            if (bias != null) empty = empty + bias.Sum().MulScalar(0);
            return empty;
        }
        int[] folded = [1, n * c, .. shape.Skip(2)];
        var x = input.Contiguous().Reshape(folded);
        Tensor? rm = null, rv = null;
        using (Tensor.NoGrad())
        {
            // Fresh copies: batch norm updates them in place, one per (sample, channel).
            if (runningMean != null) rm = RepeatChannels(runningMean, n).Clone();
            if (runningVar != null) rv = RepeatChannels(runningVar, n).Clone();
        }
        var y = BatchNorm(x, rm, rv, weight == null ? null : RepeatChannels(weight, n), bias == null ? null : RepeatChannels(bias, n),
            useInputStats, momentum, eps, op);
        if (useInputStats)
            using (Tensor.NoGrad())
            {
                runningMean?.CopyFrom(rm!.Reshape(n, c).Mean(0));
                runningVar?.CopyFrom(rv!.Reshape(n, c).Mean(0));
            }
        return y.Reshape(shape);
    }

    /// <summary>[C] → [N·C], the channel vector once per sample (differentiable: the gradient sums over the copies).</summary>
    private static Tensor RepeatChannels(Tensor t, int n) => t.Unsqueeze(0).Expand(n, t.Size(0)).Reshape(n * t.Size(0));

    /// <summary>
    /// Local response normalisation as torch.nn.functional.local_response_norm, for input [N, C, *] (rank ≥ 3):
    /// y = x / (k + α·a)^β with a[n, c] the mean of x² over the channel window c − ⌊size/2⌋ … c + ⌊(size−1)/2⌋,
    /// the channels outside [0, C) counting as zeros (always divided by size, as PyTorch's zero padding and average
    /// pool). Composed of existing differentiable ops (pad, narrow, sum, pow, div): the backward follows from them.
    /// An empty input is returned as it is.
    /// </summary>
    public static Tensor LocalResponseNorm(Tensor input, int size, double alpha = 1e-4, double beta = 0.75, double k = 1)
    {
        const string op = "local_response_norm";
        Ops.CheckFloating(op, input);
        if (input.Rank < 3)
            throw new ArgumentException($"{op}: Expected 3D or higher dimensionality input (got {input.Rank} dimensions)");
        if (size < 1)
            throw new ArgumentOutOfRangeException(nameof(size), $"{op}: size must be positive, got {size}");
        if (input.Numel == 0) return input;
        var shape = input.ShapeCopy();
        int n = shape[0], c = shape[1], rest = (int)(input.Numel / ((long)n * c));
        var squared = input.Square().Reshape(n, c, rest).Pad([0, 0, size / 2, (size - 1) / 2]);
        var window = squared.Narrow(1, 0, c);
        for (int j = 1; j < size; j++) window = window + squared.Narrow(1, j, c);
        var div = (window.MulScalar(alpha / size).AddScalar(k)).Pow(beta).Reshape(shape);
        return input / div;
    }
}
