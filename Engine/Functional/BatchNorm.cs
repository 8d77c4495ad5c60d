using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Batch normalisation as torch.nn.functional.batch_norm, for input [N, C], [N, C, L], [N, C, H, W] or
    /// [N, C, D, H, W] (statistics per channel c over the M = N·L, N·H·W or N·D·H·W elements of that channel):
    ///   y = (x − μ) / √(σ² + ε) · γ + β
    /// In training μ and σ² are the batch mean and the biased variance, and the running statistics (when given)
    /// move towards the batch's: running_mean ← (1 − momentum)·running_mean + momentum·μ, and running_var likewise
    /// with the unbiased variance σ²·M/(M − 1). In evaluation μ and σ² are the running statistics.
    /// The backward pass is fused and closed-form (see <see cref="Backend.BatchNormBackward"/>): in training it
    /// includes the paths through μ and σ², dx = γ/σ̂ · (dy − mean(dy) − x̂ · mean(dy · x̂)).
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum = 0.1, double eps = 1e-5, string layer = "batch_norm")
    {
        Ops.CheckFloating(layer, input);
        if (input.Rank < 2)
            throw new ArgumentException($"{layer}: expected input [N, C, ...] of rank 2 or more, got {Shapes.Format(input.Shape)}");
        int n = input.Size(0), c = input.Size(1);
        long s = input.Numel / Math.Max(1L, (long)n * c);
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar) })
        {
            if (t == null) continue;
            Ops.CheckPair(layer, input, t);
            if (t.Rank != 1 || t.Size(0) != c)
                throw new ArgumentException($"{layer}: {name} must be [{c}] for an input with {c} channels, got {Shapes.Format(t.Shape)} (input {Shapes.Format(input.Shape)})");
        }
        if (!training && (runningMean == null || runningVar == null))
            throw new ArgumentException($"{layer}: evaluation mode needs the running mean and variance (track_running_stats)");
        long m = n * s;
        if (training && m <= 1)
            throw new ArgumentException($"{layer}: expected more than 1 value per channel when training, got input {Shapes.Format(input.Shape)}");

        var x = input.Contiguous();
        var x3 = new Tensor(x.Storage, [n, c, (int)s], Shapes.ContiguousStrides([n, c, (int)s]), x.Offset);
        var w = weight?.Contiguous();
        var b = bias?.Contiguous();
        var y = x.EmptyLike();
        var y3 = new Tensor(y.Storage, [n, c, (int)s], Shapes.ContiguousStrides([n, c, (int)s]), y.Offset);
        Tensor mean, invStd;
        using (Tensor.NoGrad())
        {
            if (training)
            {
                mean = Tensor.Empty([c], x.DType, x.Device);
                var variance = Tensor.Empty([c], x.DType, x.Device);
                invStd = Tensor.Empty([c], x.DType, x.Device);
                x.Backend.BatchNormTraining(x3, eps, mean, variance, invStd, w, b, y3);
                if (runningMean != null) runningMean.Mul_(1 - momentum).Add_(mean, momentum);
                if (runningVar != null) runningVar.Mul_(1 - momentum).Add_(variance, momentum * m / (m - 1));
            }
            else
            {
                mean = runningMean!;
                invStd = (runningVar! + eps).Sqrt().Reciprocal();
                x.Backend.BatchNormForward(x3, mean, invStd, w, b, y3);
            }
        }

        bool needX = input.RequiresGrad, needW = weight?.RequiresGrad ?? false, needB = bias?.RequiresGrad ?? false;
        var inputs = new List<Tensor> { input };
        if (weight != null) inputs.Add(weight);
        if (bias != null) inputs.Add(bias);
        return Graph.Record(y, "batch_norm", inputs.ToArray(), dy =>
        {
            var g = dy.Contiguous();
            var g3 = new Tensor(g.Storage, [n, c, (int)s], Shapes.ContiguousStrides([n, c, (int)s]), g.Offset);
            Tensor? dx = needX ? x.EmptyLike() : null;
            var dx3 = dx == null ? null : new Tensor(dx.Storage, [n, c, (int)s], Shapes.ContiguousStrides([n, c, (int)s]), dx.Offset);
            var dw = needW ? w!.EmptyLike() : null;
            var db = needB ? b!.EmptyLike() : null;
            x.Backend.BatchNormBackward(x3, g3, mean, invStd, w, training, dx3, dw, db);
            var grads = new List<Tensor?> { dx };
            if (weight != null) grads.Add(dw);
            if (bias != null) grads.Add(db);
            return grads.ToArray();
        }, x, mean, invStd);
    }
}
