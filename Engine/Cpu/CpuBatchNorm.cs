using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// Batch-norm kernels on x viewed as [N, C, S]. Each channel is one task: its statistics (N planes summed in order,
/// partial sums in double, so they do not depend on the thread count) and, in training, its normalisation right
/// after, while the channel's planes are still in cache; the backward likewise sums a channel's Σdy and Σdy·x̂ and
/// writes its dx in the same task. One parallel loop per call: the CIFAR networks' batch norms are small (a ResNet-101
/// step runs 104 of them, most on 8x8 planes), so forking once instead of three times is most of the saving.
/// </summary>
public sealed partial class CpuBackend
{
    public override void BatchNormStats(Tensor x, Tensor mean, Tensor var)
    {
        if (x.DType == DType.Float32) BatchNormStats<float>(x, mean, var);
        else BatchNormStats<double>(x, mean, var);
    }

    private static void BatchNormStats<T>(Tensor xt, Tensor meant, Tensor vart) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), mean = Array<T>(meant), var = Array<T>(vart);
        int n = xt.Size(0), c = xt.Size(1), s = xt.Size(2), xo = (int)xt.Offset, mo = (int)meant.Offset, vo = (int)vart.Offset;
        CpuParallel.For(c, ch => (mean[mo + ch], var[vo + ch]) = ChannelStats(x, xo, n, c, s, ch), 2L * n * s);
    }

    /// <summary>Channel ch's mean and biased variance. Two passes (mean, then squared deviations from it): no
    /// cancellation as in E[x²] − E[x]².</summary>
    private static (T Mean, T Var) ChannelStats<T>(T[] x, int xo, int n, int c, int s, int ch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double count = (double)n * s;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += double.CreateTruncating(LayerSimd.Sum<T>(x.AsSpan(xo + (i * c + ch) * s, s)));
        T mu = T.CreateTruncating(sum / count);
        double sq = 0;
        for (int i = 0; i < n; i++) sq += double.CreateTruncating(LayerSimd.SumSquaredDeviation<T>(x.AsSpan(xo + (i * c + ch) * s, s), mu));
        return (mu, T.CreateTruncating(sq / count));
    }

    public override void BatchNormTraining(Tensor x, double eps, Tensor mean, Tensor var, Tensor invStd, Tensor? weight, Tensor? bias, Tensor y)
    {
        if (x.DType == DType.Float32) BatchNormTraining<float>(x, (float)eps, mean, var, invStd, weight, bias, y);
        else BatchNormTraining<double>(x, eps, mean, var, invStd, weight, bias, y);
    }

    private static void BatchNormTraining<T>(Tensor xt, T eps, Tensor meant, Tensor vart, Tensor invt, Tensor? wt, Tensor? bt, Tensor yt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Size(0), c = xt.Size(1), s = xt.Size(2);
        T[] x = Array<T>(xt), y = Array<T>(yt), mean = Array<T>(meant), var = Array<T>(vart), inv = Array<T>(invt);
        int xo = (int)xt.Offset, yo = (int)yt.Offset, mo = (int)meant.Offset, vo = (int)vart.Offset, io = (int)invt.Offset;
        var w = ChannelValues<T>(wt, c, T.One);
        var b = ChannelValues<T>(bt, c, T.Zero);
        CpuParallel.For(c, ch =>
        {
            var (mu, v) = ChannelStats(x, xo, n, c, s, ch);
            // As the ops AddScalar, Sqrt, Reciprocal compute it (Backend.BatchNormTraining's default).
            T invStd = T.One / T.Sqrt(v + eps);
            mean[mo + ch] = mu; var[vo + ch] = v; inv[io + ch] = invStd;
            T scale = w[ch] * invStd, shift = b[ch] - mu * scale;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                LayerSimd.ScaleShift<T>(x.AsSpan(xo + at, s), y.AsSpan(yo + at, s), scale, shift);
            }
        }, 3L * n * s);
    }

    public override void BatchNormForward(Tensor x, Tensor mean, Tensor invStd, Tensor? weight, Tensor? bias, Tensor y)
    {
        if (x.DType == DType.Float32) BatchNormForward<float>(x, mean, invStd, weight, bias, y);
        else BatchNormForward<double>(x, mean, invStd, weight, bias, y);
    }

    private static void BatchNormForward<T>(Tensor xt, Tensor meant, Tensor invt, Tensor? wt, Tensor? bt, Tensor yt) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Size(0), c = xt.Size(1), s = xt.Size(2);
        // y = x·scale + shift per channel, scale = γ·invStd, shift = β − μ·scale.
        var scale = new T[c];
        var shift = new T[c];
        var mean = ChannelValues<T>(meant, c, T.Zero);
        var inv = ChannelValues<T>(invt, c, T.One);
        var w = ChannelValues<T>(wt, c, T.One);
        var b = ChannelValues<T>(bt, c, T.Zero);
        for (int ch = 0; ch < c; ch++) { scale[ch] = w[ch] * inv[ch]; shift[ch] = b[ch] - mean[ch] * scale[ch]; }
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int xo = (int)xt.Offset, yo = (int)yt.Offset;
        CpuParallel.For(n * c, plane =>
        {
            int ch = plane % c;
            LayerSimd.ScaleShift<T>(x.AsSpan(xo + plane * s, s), y.AsSpan(yo + plane * s, s), scale[ch], shift[ch]);
        }, s);
    }

    /// <summary>A [C] tensor's values, or C copies of a default for an absent one (no weight: γ = 1).</summary>
    private static T[] ChannelValues<T>(Tensor? t, int c, T fallback) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new T[c];
        if (t == null) r.AsSpan().Fill(fallback);
        else Array<T>(t).AsSpan((int)t.Offset, c).CopyTo(r);
        return r;
    }

    public override void BatchNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor invStd, Tensor? weight, bool training,
        Tensor? dx, Tensor? dweight, Tensor? dbias)
    {
        if (x.DType == DType.Float32) BatchNormBackward<float>(x, dy, mean, invStd, weight, training, dx, dweight, dbias);
        else BatchNormBackward<double>(x, dy, mean, invStd, weight, training, dx, dweight, dbias);
    }

    private static void BatchNormBackward<T>(Tensor xt, Tensor dyt, Tensor meant, Tensor invt, Tensor? wt, bool training,
        Tensor? dxt, Tensor? dwt, Tensor? dbt) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Size(0), c = xt.Size(1), s = xt.Size(2);
        T[] x = Array<T>(xt), dy = Array<T>(dyt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset;
        var mean = ChannelValues<T>(meant, c, T.Zero);
        var inv = ChannelValues<T>(invt, c, T.One);
        var w = ChannelValues<T>(wt, c, T.One);
        double count = (double)n * s;
        T[]? dw = dwt == null ? null : Array<T>(dwt), db = dbt == null ? null : Array<T>(dbt), dx = dxt == null ? null : Array<T>(dxt);
        int dwo = (int)(dwt?.Offset ?? 0), dbo = (int)(dbt?.Offset ?? 0), dxo = (int)(dxt?.Offset ?? 0);
        bool needSums = dw != null || db != null || (dx != null && training);
        if (!needSums && dx == null) return;

        CpuParallel.For(c, ch =>
        {
            // Σdy and Σ dy·x̂ = invStd · Σ dy·(x − μ), the planes in order.
            double sumDy = 0, sumDyXhat = 0;
            if (needSums)
            {
                double sdx = 0;
                for (int i = 0; i < n; i++)
                {
                    int at = (i * c + ch) * s;
                    var (plane, dot) = LayerSimd.SumAndDotCentered<T>(dy.AsSpan(dyo + at, s), x.AsSpan(xo + at, s), mean[ch]);
                    sumDy += double.CreateTruncating(plane);
                    sdx += double.CreateTruncating(dot);
                }
                sumDyXhat = sdx * double.CreateTruncating(inv[ch]);
                if (dw != null) dw[dwo + ch] = T.CreateTruncating(sumDyXhat);
                if (db != null) db[dbo + ch] = T.CreateTruncating(sumDy);
            }
            if (dx == null) return;

            // dx = a·dy + b·x + d. Training: with k = γ·invStd,
            //   dx = k·(dy − Σdy/M − x̂·Σ(dy·x̂)/M),  x̂ = (x − μ)·invStd
            //   ⇒ a = k, b = −k·invStd·Σ(dy·x̂)/M, d = −k·Σdy/M − b·μ.
            // Evaluation: μ and invStd are constants, dx = k·dy.
            double k = double.CreateTruncating(w[ch]) * double.CreateTruncating(inv[ch]);
            T ca = T.CreateTruncating(k);
            double bcoef = -k * double.CreateTruncating(inv[ch]) * sumDyXhat / count;
            T cb = T.CreateTruncating(bcoef), cd = T.CreateTruncating(-k * sumDy / count - bcoef * double.CreateTruncating(mean[ch]));
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                if (training) LayerSimd.Affine2<T>(dy.AsSpan(dyo + at, s), x.AsSpan(xo + at, s), dx.AsSpan(dxo + at, s), ca, cb, cd);
                else LayerSimd.ScaleShift<T>(dy.AsSpan(dyo + at, s), dx.AsSpan(dxo + at, s), ca, T.Zero);
            }
        }, (needSums ? 2L : 0L) * n * s + (dx == null ? 0 : n * s));
    }
}
