using Pade.Engine;

namespace Pade.Training.Loop;

/// <summary>Running sums for one pass over a data set: mean loss, top-1 and top-5 accuracy.</summary>
public sealed class Metrics
{
    private double _lossSum;
    private long _samples, _top1, _top5;

    public void Add(Tensor logits, Tensor targets, double meanLoss)
    {
        int n = logits.Size(0);
        _lossSum += meanLoss * n;
        _samples += n;
        var (t1, t5) = TopK(logits, targets);
        _top1 += t1;
        _top5 += t5;
    }

    public long Samples => _samples;
    public double Loss => _samples == 0 ? double.NaN : _lossSum / _samples;
    public double Top1 => _samples == 0 ? double.NaN : (double)_top1 / _samples;
    public double Top5 => _samples == 0 ? double.NaN : (double)_top5 / _samples;

    /// <summary>Counts rows whose target is the highest logit (top-1) or among the five highest (top-5);
    /// ties count against the target, so a constant output never scores.</summary>
    public static (long Top1, long Top5) TopK(Tensor logits, Tensor targets)
    {
        var l = logits.Detach().To(DType.Float32).ToArray<float>();
        var t = targets.ToArray<int>();
        int n = logits.Size(0), c = logits.Size(1);
        long top1 = 0, top5 = 0;
        for (int r = 0; r < n; r++)
        {
            float target = l[r * c + t[r]];
            int higher = 0;
            for (int j = 0; j < c; j++)
                if (j != t[r] && l[r * c + j] >= target) higher++;
            if (higher == 0) top1++;
            if (higher < 5) top5++;
        }
        return (top1, top5);
    }
}

/// <summary>Training stopped because the loss became NaN or infinite at global step <c>step</c> (1-based, counted
/// over the whole run) of epoch <c>epoch</c> (1-based, as metrics.csv counts).</summary>
public sealed class NonFiniteLossException(int epoch, long step, double loss, double lastFinite)
    : Exception($"training stopped: the loss is {loss} at epoch {epoch}, step {step} (last finite loss: {lastFinite:G6}); " +
                "lower the learning rate, or check the activation (SLAF and unsafe PAU versions can blow up)")
{
    public int Epoch { get; } = epoch;
    public long Step { get; } = step;
    public double LastFiniteLoss { get; } = lastFinite;
}
