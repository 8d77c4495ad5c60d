using System.Numerics;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// 1-D resampling along an axis with host-built taps (see Backend.Indexing.cs), interpolate's and pad's pass per axis and its
/// adjoint. Along the last axis (I = 1) each task takes whole rows and walks the taps of each output; along an inner
/// axis (I &gt; 1) an output row is a weighted sum of whole input rows, in 512-bit lanes. Every output has one writer
/// and sums its taps in order, so the result does not depend on the thread count (and the lanes round as the tail).
/// </summary>
public sealed partial class CpuBackend
{
    public override void Resample(Tensor x, Tensor offsets, Tensor taps, Tensor weights, Tensor y)
    {
        if (x.DType == DType.Float32) Resample<float>(x, offsets, taps, weights, y);
        else Resample<double>(x, offsets, taps, weights, y);
        GC.KeepAlive(x); GC.KeepAlive(offsets); GC.KeepAlive(taps); GC.KeepAlive(weights); GC.KeepAlive(y);
    }

    private static void Resample<T>(Tensor xt, Tensor ot, Tensor tt, Tensor wt, Tensor yt) where T : unmanaged, INumberBase<T>
    {
        T[] x = Array<T>(xt), y = Array<T>(yt), w = Array<T>(wt);
        int[] off = Array<int>(ot), tap = Array<int>(tt);
        int o = yt.ShapeArray[0], k = yt.ShapeArray[1], n = yt.ShapeArray[2], d = xt.ShapeArray[1];
        long xo = xt.Offset, yo = yt.Offset, oo = ot.Offset, to = tt.Offset, wo = wt.Offset;
        if ((long)o * k * n == 0) return;
        int taps = off[oo + k];
        if (n == 1)
        {
            CpuParallel.ForRange(o, Math.Max(1, 16_384 / k), (r0, r1) =>
            {
                ReadOnlySpan<int> os = off.AsSpan((int)oo, k + 1), ts = tap.AsSpan((int)to, taps);
                ReadOnlySpan<T> ws = w.AsSpan((int)wo, taps);
                for (long r = r0; r < r1; r++)
                {
                    ReadOnlySpan<T> xs = x.AsSpan((int)(xo + r * d), d);
                    Span<T> ys = y.AsSpan((int)(yo + r * k), k);
                    for (int kk = 0; kk < ys.Length; kk++)
                    {
                        int t0 = os[kk], t1 = os[kk + 1];
                        T s = T.Zero;
                        if (t0 < t1)
                        {
                            s = ws[t0] * xs[ts[t0]];
                            for (int t = t0 + 1; t < t1; t++) s += ws[t] * xs[ts[t]];
                        }
                        ys[kk] = s;
                    }
                }
            });
            return;
        }
        CpuParallel.ForRange((long)o * k, Math.Max(1, 16_384 / n), (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long ob = r / k, kk = r % k;
                var yr = y.AsSpan((int)(yo + r * n), n);
                long xbase = xo + ob * d * n;
                int t0 = off[oo + kk], t1 = off[oo + kk + 1];
                if (t0 == t1) { yr.Clear(); continue; }
                for (int t = t0; t < t1; t++)
                    Scaled(yr, x.AsSpan((int)(xbase + (long)tap[to + t] * n), n), w[wo + t], t > t0);
            }
        });
    }

    /// <summary>y = w·x, or y += w·x when <paramref name="add"/>: lanes, then the tail with the same roundings.</summary>
    private static void Scaled<T>(Span<T> y, ReadOnlySpan<T> x, T w, bool add) where T : unmanaged, INumberBase<T>
    {
        int i = 0, n = y.Length, lanes = Vector512<T>.Count;
        var wv = Vector512.Create(w);
        for (; i <= n - lanes; i += lanes)
        {
            var v = Vector512.Create(x.Slice(i, lanes)) * wv;
            if (add) v = Vector512.Create((ReadOnlySpan<T>)y.Slice(i, lanes)) + v;
            v.CopyTo(y.Slice(i, lanes));
        }
        for (; i < n; i++) y[i] = add ? y[i] + w * x[i] : w * x[i];
    }
}
