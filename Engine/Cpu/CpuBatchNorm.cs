using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Batch-norm kernels on x viewed as [N, C, S]. Per-channel sums run one channel per task (each sums
/// its N planes in order, partial sums in double), so statistics do not depend on the thread count; the
/// elementwise passes run one (sample, channel) plane per task.</summary>
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
        double count = (double)n * s;
        CpuParallel.For(c, ch =>
        {
            // Two passes (mean, then squared deviations from it): no cancellation as in E[x²] − E[x]².
            double sum = 0;
            for (int i = 0; i < n; i++) sum += double.CreateTruncating(LayerSimd.Sum<T>(x.AsSpan(xo + (i * c + ch) * s, s)));
            double mu = sum / count;
            T muT = T.CreateTruncating(mu);
            double sq = 0;
            for (int i = 0; i < n; i++) sq += double.CreateTruncating(LayerSimd.SumSquaredDeviation<T>(x.AsSpan(xo + (i * c + ch) * s, s), muT));
            mean[mo + ch] = muT;
            var[vo + ch] = T.CreateTruncating(sq / count);
        }, (long)n * s);
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

        // Per channel: Σdy and Σ dy·x̂ = invStd · Σ dy·(x − μ).
        var sumDy = new double[c];
        var sumDyXhat = new double[c];
        bool needSums = dwt != null || dbt != null || (dxt != null && training);
        if (needSums)
            CpuParallel.For(c, ch =>
            {
                double sd = 0, sdx = 0;
                for (int i = 0; i < n; i++)
                {
                    int at = (i * c + ch) * s;
                    sd += double.CreateTruncating(LayerSimd.Sum<T>(dy.AsSpan(dyo + at, s)));
                    sdx += double.CreateTruncating(LayerSimd.DotCentered<T>(dy.AsSpan(dyo + at, s), x.AsSpan(xo + at, s), mean[ch]));
                }
                sumDy[ch] = sd;
                sumDyXhat[ch] = sdx * double.CreateTruncating(inv[ch]);
            }, (long)n * s);

        if (dwt != null)
        {
            var dw = Array<T>(dwt);
            for (int ch = 0; ch < c; ch++) dw[(int)dwt.Offset + ch] = T.CreateTruncating(sumDyXhat[ch]);
        }
        if (dbt != null)
        {
            var db = Array<T>(dbt);
            for (int ch = 0; ch < c; ch++) db[(int)dbt.Offset + ch] = T.CreateTruncating(sumDy[ch]);
        }
        if (dxt == null) return;

        // dx = a·dy + b·x + d per channel. Training: with k = γ·invStd,
        //   dx = k·(dy − Σdy/M − x̂·Σ(dy·x̂)/M),  x̂ = (x − μ)·invStd
        //   ⇒ a = k, b = −k·invStd·Σ(dy·x̂)/M, d = −k·Σdy/M − b·μ.
        // Evaluation: μ and invStd are constants, dx = k·dy.
        var ca = new T[c];
        var cb = new T[c];
        var cd = new T[c];
        for (int ch = 0; ch < c; ch++)
        {
            double k = double.CreateTruncating(w[ch]) * double.CreateTruncating(inv[ch]);
            ca[ch] = T.CreateTruncating(k);
            if (!training) continue;
            double bcoef = -k * double.CreateTruncating(inv[ch]) * sumDyXhat[ch] / count;
            cb[ch] = T.CreateTruncating(bcoef);
            cd[ch] = T.CreateTruncating(-k * sumDy[ch] / count - bcoef * double.CreateTruncating(mean[ch]));
        }
        T[] dx = Array<T>(dxt);
        int dxo = (int)dxt.Offset;
        CpuParallel.For(n * c, plane =>
        {
            int ch = plane % c;
            if (training) LayerSimd.Affine2<T>(dy.AsSpan(dyo + plane * s, s), x.AsSpan(xo + plane * s, s), dx.AsSpan(dxo + plane * s, s), ca[ch], cb[ch], cd[ch]);
            else LayerSimd.ScaleShift<T>(dy.AsSpan(dyo + plane * s, s), dx.AsSpan(dxo + plane * s, s), ca[ch], T.Zero);
        }, s);
    }
}
