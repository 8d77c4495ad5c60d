using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Row-wise softmax, cross-entropy and one-hot, all over the last axis of contiguous tensors.</summary>
public sealed partial class CpuBackend
{
    public override void Softmax(Tensor x, Tensor y, bool log)
    {
        if (x.DType == DType.Float32) Softmax<float>(x, y, log);
        else Softmax<double>(x, y, log);
        GC.KeepAlive(x); GC.KeepAlive(y);   // see CpuBackend's remarks on lifetime
    }

    /// <summary>Softmax: y = exp(x - m) / Σ exp(x - m) with m the row max; log form: y = x - m - log Σ exp(x - m).</summary>
    private static void Softmax<T>(Tensor x, Tensor y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = Array<T>(x); var ys = Array<T>(y);
        int c = x.ShapeArray.Length == 0 ? 1 : x.ShapeArray[^1];
        int rows = c == 0 ? 0 : (int)(x.Numel / c);
        long xo = x.Offset, yo = y.Offset;
        CpuParallel.For(rows, r =>
        {
            var row = xs.AsSpan((int)(xo + (long)r * c), c);
            var outRow = ys.AsSpan((int)(yo + (long)r * c), c);
            T m = row[0];
            foreach (var v in row) m = T.Max(m, v);
            T sum = T.Zero;
            for (int i = 0; i < c; i++) { var e = T.Exp(row[i] - m); outRow[i] = e; sum += e; }
            if (log)
            {
                T lse = m + T.Log(sum);
                for (int i = 0; i < c; i++) outRow[i] = row[i] - lse;
            }
            else
            {
                T inv = T.One / sum;
                for (int i = 0; i < c; i++) outRow[i] *= inv;
            }
        }, c);
    }

    public override void CrossEntropy(Tensor logits, Tensor targets, double smoothing, Tensor loss, Tensor probs)
    {
        if (logits.DType == DType.Float32) CrossEntropy<float>(logits, targets, smoothing, loss, probs);
        else CrossEntropy<double>(logits, targets, smoothing, loss, probs);
        GC.KeepAlive(logits); GC.KeepAlive(targets); GC.KeepAlive(loss); GC.KeepAlive(probs);
    }

    private static void CrossEntropy<T>(Tensor logits, Tensor targets, double smoothing, Tensor loss, Tensor probs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = Array<T>(logits); var ps = Array<T>(probs); var ls = Array<T>(loss);
        var ts = targets.IsContiguous ? Span<int>(targets).ToArray() : targets.ToArray<int>();
        int n = logits.ShapeArray[0], c = logits.ShapeArray[1];
        for (int r = 0; r < n; r++)
            if ((uint)ts[r] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(targets), $"cross_entropy: target {ts[r]} at row {r} is outside [0, {c})");
        T s = T.CreateChecked(smoothing), one = T.One, cls = T.CreateChecked(c);
        long xo = logits.Offset, po = probs.Offset, lo = loss.Offset;
        CpuParallel.For(n, r =>
        {
            var row = xs.AsSpan((int)(xo + (long)r * c), c);
            var p = ps.AsSpan((int)(po + (long)r * c), c);
            T m = row[0];
            foreach (var v in row) m = T.Max(m, v);
            T sum = T.Zero, total = T.Zero;
            for (int i = 0; i < c; i++) { var e = T.Exp(row[i] - m); p[i] = e; sum += e; total += row[i]; }
            T lse = m + T.Log(sum);
            T inv = one / sum;
            for (int i = 0; i < c; i++) p[i] *= inv;
            // -log p[t] = lse - x[t];  -Σ_c log p[c] / C = lse - Σ x / C
            ls[lo + r] = (one - s) * (lse - row[ts[r]]) + s * (lse - total / cls);
        }, c);
    }

    public override void OneHot(Tensor indices, Tensor y, double on, double off)
    {
        var idx = indices.ToArray<int>();
        int c = y.ShapeArray[1];
        for (int r = 0; r < idx.Length; r++)
            if ((uint)idx[r] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(indices), $"one_hot: index {idx[r]} at row {r} is outside [0, {c})");
        Fill(y, off);
        if (y.DType == DType.Float32) { var s = Span<float>(y); for (int r = 0; r < idx.Length; r++) s[r * c + idx[r]] = (float)on; }
        else { var s = Span<double>(y); for (int r = 0; r < idx.Length; r++) s[r * c + idx[r]] = on; }
        GC.KeepAlive(y);
    }

    /// <summary>Random: element i draws from words offset + 4i .. offset + 4i + 3 of the Philox stream.</summary>
    public override void Random(Tensor y, Distribution d, ulong seed, ulong offset, double p1, double p2)
    {
        // Uniform [low, high): low + (high - low)·u rounds up to high for some u < 1 (in float32 [10, 11) gave 11
        // about once in 2.4 million draws), so values are capped at the largest number below high.
        bool cap = d == Distribution.Uniform && p2 > p1;
        if (y.DType == DType.Float32)
        {
            var s = Array<float>(y); long yo = y.Offset;
            float top = cap ? MathF.BitDecrement((float)p2) : float.PositiveInfinity;
            CpuParallel.ForRange(y.Numel, 1 << 14, (a, b) => { for (long i = a; i < b; i++) s[yo + i] = MathF.Min((float)Draw(d, seed, offset + 4 * (ulong)i, p1, p2, single: true), top); });
        }
        else if (y.DType == DType.Float64)
        {
            var s = Array<double>(y); long yo = y.Offset;
            double top = cap ? Math.BitDecrement(p2) : double.PositiveInfinity;
            CpuParallel.ForRange(y.Numel, 1 << 14, (a, b) => { for (long i = a; i < b; i++) s[yo + i] = Math.Min(Draw(d, seed, offset + 4 * (ulong)i, p1, p2, single: false), top); });
        }
        else throw new ArgumentException("random: int32 tensors are not supported");
        GC.KeepAlive(y);
    }

    /// <summary>One draw from 4 words starting at w (w a multiple of 4). Normal: Box-Muller on two uniforms.</summary>
    public static double Draw(Distribution d, ulong seed, ulong w, double p1, double p2, bool single)
    {
        double u1 = single ? Philox.UniformFloat(seed, w) : Philox.UniformDouble(seed, w / 2);
        switch (d)
        {
            case Distribution.Uniform: return p1 + (p2 - p1) * u1;
            case Distribution.Bernoulli: return u1 < p1 ? 1 : 0;
            default:
                double u2 = single ? Philox.UniformFloat(seed, w + 1) : Philox.UniformDouble(seed, w / 2 + 1);
                return p1 + p2 * Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
