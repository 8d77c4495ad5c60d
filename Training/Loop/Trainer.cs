using System.Diagnostics;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Optim;

namespace Pade.Training.Loop;

/// <summary>One epoch's numbers, the row of metrics.csv.</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, double TrainTop1, double TestLoss, double TestTop1, double TestTop5,
    double Seconds, double SamplesPerSecond, double Lr);

/// <summary>
/// The train/eval loop: forward, cross-entropy, backward, optimizer step, per batch; evaluation after each epoch.
/// It stops with <see cref="NonFiniteLossException"/> at the first NaN/Inf loss, naming the step.
/// </summary>
public sealed class Trainer(Module model, Optimizer optimizer, LrSchedule? schedule = null, Func<ParamGroup, bool>? scheduleExempt = null)
{
    public Module Model { get; } = model;
    public Optimizer Optimizer { get; } = optimizer;
    public long GlobalStep { get; set; }
    public double LastFiniteLoss { get; private set; } = double.NaN;
    public double LabelSmoothing { get; init; }

    /// <summary>When set, the gradients of all parameters are scaled after each backward pass so that their joint
    /// L2 norm is at most this (PyTorch's <c>clip_grad_norm_</c>, which the official PAU MNIST script applies with 5).</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Called after every batch with (batch index, batches in epoch, samples so far, running loss).</summary>
    public Action<int, int, long, double>? OnBatch { get; set; }

    public (double Loss, double Top1, long Samples) TrainEpoch(int epoch, IEnumerable<(Tensor X, Tensor Y)> batches, int batchCount)
    {
        if (schedule is { PerBatch: false }) schedule.Apply(Optimizer, epoch, scheduleExempt);
        Model.Train();
        var m = new Metrics();
        int b = 0;
        foreach (var (x, y) in batches)
        {
            if (schedule is { PerBatch: true }) schedule.ApplyBatch(Optimizer, epoch, b, batchCount, scheduleExempt);
            Optimizer.ZeroGrad();
            var logits = Model.Forward(x);
            var loss = Tensor.CrossEntropy(logits, y, labelSmoothing: LabelSmoothing);
            double value = loss.Item();
            GlobalStep++;
            if (!double.IsFinite(value)) throw new NonFiniteLossException(epoch + 1, GlobalStep, value, LastFiniteLoss);
            LastFiniteLoss = value;
            loss.Backward();
            if (ClipGradNorm is double max) ClipGradients(max);
            Optimizer.Step();
            m.Add(logits, y, value);
            OnBatch?.Invoke(b++, batchCount, m.Samples, m.Loss);
        }
        return (m.Loss, m.Top1, m.Samples);
    }

    /// <summary>Scales every gradient by max / (‖g‖ + 1e-6) when the joint L2 norm ‖g‖ exceeds <paramref name="max"/>:
    /// torch.nn.utils.clip_grad_norm_, <see cref="Utils.ClipGradNorm"/>.</summary>
    void ClipGradients(double max) => Utils.ClipGradNorm(Optimizer.Groups.SelectMany(g => g.Parameters), max);

    public Metrics Evaluate(IEnumerable<(Tensor X, Tensor Y)> batches)
    {
        Model.Eval();
        var m = new Metrics();
        using var _ = Tensor.NoGrad();
        foreach (var (x, y) in batches)
        {
            var logits = Model.Forward(x);
            m.Add(logits, y, Tensor.CrossEntropy(logits, y).Item());
        }
        return m;
    }

    public EpochResult RunEpoch(int epoch, IEnumerable<(Tensor X, Tensor Y)> train, int trainBatches, IEnumerable<(Tensor X, Tensor Y)> test)
    {
        var sw = Stopwatch.StartNew();
        var (loss, top1, samples) = TrainEpoch(epoch, train, trainBatches);
        double seconds = sw.Elapsed.TotalSeconds;
        var eval = Evaluate(test);
        return new EpochResult(epoch, loss, top1, eval.Loss, eval.Top1, eval.Top5, seconds, samples / Math.Max(seconds, 1e-9), Optimizer.Groups[0].Lr);
    }
}
