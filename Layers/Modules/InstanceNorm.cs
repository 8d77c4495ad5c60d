using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// Instance normalisation as torch.nn.InstanceNorm1d/2d/3d (see <see cref="F.InstanceNorm"/>): statistics per sample
/// and channel; parameters and buffers as <see cref="NormBase"/>'s (defaults: not affine, not tracking). Training
/// (or evaluation without running statistics) normalises with each instance's own statistics and, when tracking,
/// moves the running ones (momentum null counts as 0, as PyTorch's; num_batches_tracked is not advanced, as in
/// PyTorch's instance norm); evaluation with running statistics normalises with them. An unbatched input (one rank
/// less) is treated as a batch of one. As PyTorch, with affine = false an input whose channel count differs from
/// num_features is accepted (the count is unused) unless running statistics of num_features entries must match it.
/// </summary>
public abstract partial class InstanceNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    : NormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <summary>The rank of an unbatched input: 2 for 1d ([C, L]), 3 for 2d ([C, H, W]), 4 for 3d ([C, D, H, W]).</summary>
    protected abstract int NoBatchRank { get; }

    /// <summary>Whether the module normalises with the running statistics (evaluation while tracking them).</summary>
    public bool UsesRunningStats => !Training && TrackRunningStats;

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != NoBatchRank && input.Rank != NoBatchRank + 1)
            throw new ArgumentException($"{Describe()}: expected {NoBatchRank}D or {NoBatchRank + 1}D input (got {input.Rank}D input)");
        int featureDim = input.Rank - NoBatchRank;
        if (input.Size(featureDim) != NumFeatures && Affine)
            throw new ArgumentException($"{Describe()}: expected input's size at dim={featureDim} to match num_features ({NumFeatures}), but got: {input.Size(featureDim)}.");
        bool unbatched = input.Rank == NoBatchRank;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var y = F.InstanceNorm(x, RunningMean, RunningVar, Weight, Bias, !UsesRunningStats, Momentum ?? 0, Eps);
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>"3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False", as PyTorch prints it.</summary>
    public override string ExtraRepr() =>
        $"{NumFeatures}, eps={PyRepr.Float(Eps)}, momentum={(Momentum is double m ? PyRepr.Float(m) : "None")}, " +
        $"affine={PyRepr.Bool(Affine)}, track_running_stats={PyRepr.Bool(TrackRunningStats)}";
}

/// <summary>Instance norm over [N, C, L] or unbatched [C, L] (statistics per sample and channel over L).</summary>
public sealed class InstanceNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = false, bool trackRunningStats = false)
    : InstanceNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override int NoBatchRank => 2;
}

/// <summary>Instance norm over [N, C, H, W] or unbatched [C, H, W] (statistics per sample and channel over H·W).</summary>
public sealed class InstanceNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = false, bool trackRunningStats = false)
    : InstanceNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override int NoBatchRank => 3;
}

/// <summary>Instance norm over [N, C, D, H, W] or unbatched [C, D, H, W] (statistics per sample and channel over D·H·W).</summary>
public sealed class InstanceNorm3d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = false, bool trackRunningStats = false)
    : InstanceNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override int NoBatchRank => 4;
}

/// <summary>
/// Local response normalisation as torch.nn.LocalResponseNorm (see <see cref="F.LocalResponseNorm"/>): across
/// channels, for input [N, C, *] of rank at least 3. No parameters.
/// </summary>
public sealed partial class LocalResponseNorm(int size, double alpha = 1e-4, double beta = 0.75, double k = 1) : Module
{
    public int Size { get; } = size >= 1 ? size : throw new ArgumentOutOfRangeException(nameof(size), $"LocalResponseNorm: size must be positive, got {size}");
    public double Alpha { get; } = alpha;
    public double Beta { get; } = beta;
    public double K { get; } = k;

    public override Tensor Forward(Tensor input) => F.LocalResponseNorm(input, Size, Alpha, Beta, K);

    /// <summary>"2, alpha=0.0001, beta=0.75, k=1.0", as PyTorch prints it.</summary>
    public override string ExtraRepr() => $"{Size}, alpha={PyRepr.Float(Alpha)}, beta={PyRepr.Float(Beta)}, k={PyRepr.Float(K)}";
}
