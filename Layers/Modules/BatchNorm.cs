using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// What batch and instance normalisation share, as PyTorch's _NormBase: num_features, eps and momentum; parameters
/// weight (γ, ones) and bias (β, zeros) of shape [num_features] when affine; buffers running_mean (zeros),
/// running_var (ones) and num_batches_tracked (int32 here, int64 in PyTorch) when tracking running statistics.
/// </summary>
public abstract class NormBase : Module
{
    protected NormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures < 1) throw new ArgumentException($"{GetType().Name}: num_features must be positive, got {numFeatures}");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        if (affine)
        {
            RegisterParameter("weight", Tensor.Ones([numFeatures], DType.Float32));
            RegisterParameter("bias", Tensor.Zeros([numFeatures], DType.Float32));
        }
        if (trackRunningStats)
        {
            RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], DType.Float32));
            RegisterBuffer("running_var", Tensor.Ones([numFeatures], DType.Float32));
            RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int32));
        }
    }

    public int NumFeatures { get; }
    public double Eps { get; }
    public double? Momentum { get; }
    public bool Affine { get; }
    public bool TrackRunningStats { get; }
    public Tensor? Weight => GetOptional("weight");
    public Tensor? Bias => GetOptional("bias");
    public Tensor? RunningMean => GetOptional("running_mean");
    public Tensor? RunningVar => GetOptional("running_var");
    public Tensor? NumBatchesTracked => GetOptional("num_batches_tracked");
}

/// <summary>
/// Batch normalisation as torch.nn.BatchNorm1d/2d/3d (see <see cref="F.BatchNorm"/> for the formulas); parameters and
/// buffers as <see cref="NormBase"/>'s (defaults: affine, tracking). Training uses batch
/// statistics and updates the running ones with the momentum (null: a cumulative average over all batches);
/// evaluation normalises with the running statistics.
/// </summary>
public abstract partial class BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    : NormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <summary>Whether the input's rank suits this layer (2 or 3 for 1d, 4 for 2d, 5 for 3d).</summary>
    protected abstract bool RankOk(int rank);

    protected abstract string ExpectedShape { get; }

    public override Tensor Forward(Tensor input)
    {
        if (!RankOk(input.Rank) || input.Size(1) != NumFeatures)
            throw new ArgumentException($"{Describe()}: expected input {ExpectedShape} with {NumFeatures} channels, got {Shapes.Format(input.Shape)}");
        bool useBatchStats = Training || RunningMean == null;
        double factor = Momentum ?? 0;
        if (Training && NumBatchesTracked is Tensor count)
        {
            int n = count.ToArray<int>()[0] + 1;
            using (Tensor.NoGrad()) count.Fill_(n);
            if (Momentum == null) factor = 1.0 / n;   // cumulative moving average
        }
        return F.BatchNorm(input, RunningMean, RunningVar, Weight, Bias,
            useBatchStats, factor, Eps, Describe());
    }

    public override string ExtraRepr() =>
        $"{NumFeatures}, eps={Eps}, momentum={(Momentum is double m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None")}, " +
        $"affine={(Weight != null ? "True" : "False")}, track_running_stats={(RunningMean != null ? "True" : "False")}";
}

/// <summary>Batch norm over [N, C] or [N, C, L] (statistics per feature C).</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override bool RankOk(int rank) => rank is 2 or 3;
    protected override string ExpectedShape => "[N, C] or [N, C, L]";
}

/// <summary>Batch norm over [N, C, H, W] (statistics per channel C).</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override bool RankOk(int rank) => rank == 4;
    protected override string ExpectedShape => "[N, C, H, W]";
}

/// <summary>Batch norm over [N, C, D, H, W] (statistics per channel C).</summary>
public sealed class BatchNorm3d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override bool RankOk(int rank) => rank == 5;
    protected override string ExpectedShape => "[N, C, D, H, W]";
}
