using Pade.Engine.Functional;
using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Pooling kernels: one task per (sample, channel) plane, so planes never share outputs and the results
/// do not depend on the thread count.</summary>
public sealed partial class CpuBackend
{
    public override void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dGeometry g)
    {
        if (x.DType == DType.Float32) MaxPool2d<float>(x, y, indices, g);
        else MaxPool2d<double>(x, y, indices, g);
    }

    /// <summary>The first tap t·dilation + start (t in [0, kernel)) inside [0, size) and one past the last, stepping by
    /// dilation: [first, end). first ≥ end when every tap falls in the padding.</summary>
    private static (int First, int End) PoolTaps(int start, int kernel, int dilation, int size)
    {
        int first = start >= 0 ? start : start + (-start + dilation - 1) / dilation * dilation;
        return (first, Math.Min(start + (kernel - 1) * dilation + 1, size));
    }

    private static void MaxPool2d<T>(Tensor xt, Tensor yt, Tensor it, Pool2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int[] idx = Array<int>(it);
        int xo = (int)xt.Offset, yo = (int)yt.Offset, io = (int)it.Offset, hw = g.H * g.W, ohw = g.OH * g.OW;
        if (typeof(T) == typeof(float) && MaxPool2x2.Applies(g))
        {
            float[] xf = (float[])(object)x, yf = (float[])(object)y;
            CpuParallel.For(g.N * g.C, plane => MaxPool2x2.Plane(xf, xo + plane * hw, yf, yo + plane * ohw, idx, io + plane * ohw, g),
                (long)ohw * 4);
            return;
        }
        CpuParallel.For(g.N * g.C, plane =>
        {
            var xp = x.AsSpan(xo + plane * hw, hw);
            var yp = y.AsSpan(yo + plane * ohw, ohw);
            var ip = idx.AsSpan(io + plane * ohw, ohw);
            for (int oh = 0; oh < g.OH; oh++)
            {
                var (h0, h1) = PoolTaps(oh * g.SH - g.PH, g.KH, g.DH, g.H);
                for (int ow = 0; ow < g.OW; ow++)
                {
                    var (w0, w1) = PoolTaps(ow * g.SW - g.PW, g.KW, g.DW, g.W);
                    // Row-major scan with a strict comparison: the first maximum wins ties. NaN wins and sticks,
                    // as in PyTorch, so a NaN input shows in the output instead of vanishing. A window with no tap
                    // in the image (dilation) keeps −∞ and index −1: no input receives its gradient.
                    T best = T.NegativeInfinity;
                    int at = h0 < h1 && w0 < w1 ? h0 * g.W + w0 : -1;
                    for (int ih = h0; ih < h1; ih += g.DH)
                        for (int iw = w0; iw < w1; iw += g.DW)
                        {
                            T v = xp[ih * g.W + iw];
                            if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; at = ih * g.W + iw; }
                        }
                    yp[oh * g.OW + ow] = best;
                    ip[oh * g.OW + ow] = at;
                }
            }
        }, (long)ohw * g.KH * g.KW);
    }

    public override void MaxPool2dBackward(Tensor dy, Tensor indices, Tensor dx, Pool2dGeometry g)
    {
        if (dy.DType == DType.Float32) MaxPool2dBackward<float>(dy, indices, dx, g);
        else MaxPool2dBackward<double>(dy, indices, dx, g);
    }

    private static void MaxPool2dBackward<T>(Tensor dyt, Tensor it, Tensor dxt, Pool2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] dy = Array<T>(dyt), dx = Array<T>(dxt);
        int[] idx = Array<int>(it);
        int dyo = (int)dyt.Offset, dxo = (int)dxt.Offset, io = (int)it.Offset, hw = g.H * g.W, ohw = g.OH * g.OW;
        CpuParallel.For(g.N * g.C, plane =>
        {
            var dxp = dx.AsSpan(dxo + plane * hw, hw);
            var dyp = dy.AsSpan(dyo + plane * ohw, ohw);
            var ip = idx.AsSpan(io + plane * ohw, ohw);
            dxp.Clear();
            for (int o = 0; o < ohw; o++)
                if (ip[o] >= 0) dxp[ip[o]] += dyp[o];
        }, (long)hw + ohw);
    }

    /// <summary>The divisor of an average-pool window starting at (h0, w0) before clipping to the image (PyTorch's
    /// avg_pool2d): the override when nonzero; with countIncludePad the window clipped to the padded image (a
    /// ceil-mode window past the right padding counts only up to it); else the positions inside the image.</summary>
    private static int AvgDivisor(in Pool2dGeometry g, int h0, int w0, bool countIncludePad, int divisorOverride)
    {
        if (divisorOverride != 0) return divisorOverride;
        if (countIncludePad)
        {
            int hEnd = Math.Min(h0 + g.KH, g.H + g.PH), wEnd = Math.Min(w0 + g.KW, g.W + g.PW);
            return (hEnd - h0) * (wEnd - w0);
        }
        return (Math.Min(h0 + g.KH, g.H) - Math.Max(h0, 0)) * (Math.Min(w0 + g.KW, g.W) - Math.Max(w0, 0));
    }

    public override void AvgPool2d(Tensor x, Tensor y, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        if (x.DType == DType.Float32) AvgPool2d<float>(x, y, g, countIncludePad, divisorOverride);
        else AvgPool2d<double>(x, y, g, countIncludePad, divisorOverride);
    }

    private static void AvgPool2d<T>(Tensor xt, Tensor yt, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int xo = (int)xt.Offset, yo = (int)yt.Offset, hw = g.H * g.W, ohw = g.OH * g.OW;
        CpuParallel.For(g.N * g.C, plane =>
        {
            var xp = x.AsSpan(xo + plane * hw, hw);
            var yp = y.AsSpan(yo + plane * ohw, ohw);
            for (int oh = 0; oh < g.OH; oh++)
            {
                int hs = oh * g.SH - g.PH, h0 = Math.Max(hs, 0), h1 = Math.Min(hs + g.KH, g.H);
                for (int ow = 0; ow < g.OW; ow++)
                {
                    int ws = ow * g.SW - g.PW, w0 = Math.Max(ws, 0), w1 = Math.Min(ws + g.KW, g.W);
                    // PyTorch's rules keep every window's start inside the image or its left padding and the padding
                    // at most half the kernel, so no window is empty; it would give 0, as PyTorch's guard has it.
                    if (h0 >= h1 || w0 >= w1) { yp[oh * g.OW + ow] = T.Zero; continue; }
                    T s = T.Zero;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) s += xp[ih * g.W + iw];
                    yp[oh * g.OW + ow] = s / T.CreateChecked(AvgDivisor(g, hs, ws, countIncludePad, divisorOverride));
                }
            }
        }, (long)ohw * g.KH * g.KW);
    }

    public override void AvgPool2dBackward(Tensor dy, Tensor dx, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        if (dy.DType == DType.Float32) AvgPool2dBackward<float>(dy, dx, g, countIncludePad, divisorOverride);
        else AvgPool2dBackward<double>(dy, dx, g, countIncludePad, divisorOverride);
    }

    private static void AvgPool2dBackward<T>(Tensor dyt, Tensor dxt, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] dy = Array<T>(dyt), dx = Array<T>(dxt);
        int dyo = (int)dyt.Offset, dxo = (int)dxt.Offset, hw = g.H * g.W, ohw = g.OH * g.OW;
        CpuParallel.For(g.N * g.C, plane =>
        {
            var dxp = dx.AsSpan(dxo + plane * hw, hw);
            var dyp = dy.AsSpan(dyo + plane * ohw, ohw);
            dxp.Clear();
            for (int oh = 0; oh < g.OH; oh++)
            {
                int hs = oh * g.SH - g.PH, h0 = Math.Max(hs, 0), h1 = Math.Min(hs + g.KH, g.H);
                for (int ow = 0; ow < g.OW; ow++)
                {
                    int ws = ow * g.SW - g.PW, w0 = Math.Max(ws, 0), w1 = Math.Min(ws + g.KW, g.W);
                    if (h0 >= h1 || w0 >= w1) continue;
                    T share = dyp[oh * g.OW + ow] / T.CreateChecked(AvgDivisor(g, hs, ws, countIncludePad, divisorOverride));
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) dxp[ih * g.W + iw] += share;
                }
            }
        }, (long)ohw * g.KH * g.KW);
    }

    /// <summary>PyTorch's adaptive window of output index o: [⌊o·in/out⌋, ⌈(o+1)·in/out⌉).</summary>
    private static (int Start, int End) AdaptiveWindow(int o, int inSize, int outSize) =>
        (o * inSize / outSize, ((o + 1) * inSize + outSize - 1) / outSize);

    public override void AdaptiveAvgPool2d(Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) AdaptiveAvgPool2d<float>(x, y, false);
        else AdaptiveAvgPool2d<double>(x, y, false);
    }

    public override void AdaptiveAvgPool2dBackward(Tensor dy, Tensor dx)
    {
        if (dy.DType == DType.Float32) AdaptiveAvgPool2d<float>(dx, dy, true);
        else AdaptiveAvgPool2d<double>(dx, dy, true);
    }

    public override void AdaptiveMaxPool2d(Tensor x, Tensor y, Tensor indices)
    {
        if (x.DType == DType.Float32) AdaptiveMaxPool2d<float>(x, y, indices);
        else AdaptiveMaxPool2d<double>(x, y, indices);
    }

    private static void AdaptiveMaxPool2d<T>(Tensor xt, Tensor yt, Tensor it) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int[] idx = Array<int>(it);
        int n = xt.Size(0), c = xt.Size(1), h = xt.Size(2), w = xt.Size(3), oh = yt.Size(2), ow = yt.Size(3);
        int xo = (int)xt.Offset, yo = (int)yt.Offset, io = (int)it.Offset, hw = h * w, ohw = oh * ow;
        CpuParallel.For(n * c, plane =>
        {
            var xp = x.AsSpan(xo + plane * hw, hw);
            var yp = y.AsSpan(yo + plane * ohw, ohw);
            var ip = idx.AsSpan(io + plane * ohw, ohw);
            for (int i = 0; i < oh; i++)
            {
                var (h0, h1) = AdaptiveWindow(i, h, oh);
                for (int j = 0; j < ow; j++)
                {
                    var (w0, w1) = AdaptiveWindow(j, w, ow);
                    // PyTorch's cpu_adaptive_max_pool: from −∞ at the window's first element, a strictly greater value
                    // or any NaN takes the place (so the last NaN of the window is the one whose gradient flows).
                    T best = T.NegativeInfinity;
                    int at = h0 * w + w0;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            T v = xp[ih * w + iw];
                            if (v > best || T.IsNaN(v)) { best = v; at = ih * w + iw; }
                        }
                    yp[i * ow + j] = best;
                    ip[i * ow + j] = at;
                }
            }
        }, (long)hw);
    }

    public override void AdaptiveMaxPool2dBackward(Tensor dy, Tensor indices, Tensor dx)
    {
        if (dy.DType == DType.Float32) AdaptiveMaxPool2dBackward<float>(dy, indices, dx);
        else AdaptiveMaxPool2dBackward<double>(dy, indices, dx);
    }

    private static void AdaptiveMaxPool2dBackward<T>(Tensor dyt, Tensor it, Tensor dxt) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] dy = Array<T>(dyt), dx = Array<T>(dxt);
        int[] idx = Array<int>(it);
        int hw = dxt.Size(2) * dxt.Size(3), ohw = dyt.Size(2) * dyt.Size(3);
        int dyo = (int)dyt.Offset, dxo = (int)dxt.Offset, io = (int)it.Offset;
        CpuParallel.For(dxt.Size(0) * dxt.Size(1), plane =>
        {
            var dxp = dx.AsSpan(dxo + plane * hw, hw);
            var dyp = dy.AsSpan(dyo + plane * ohw, ohw);
            var ip = idx.AsSpan(io + plane * ohw, ohw);
            dxp.Clear();
            for (int o = 0; o < ohw; o++) dxp[ip[o]] += dyp[o];   // in order of o, as the CUDA gather
        }, (long)hw + ohw);
    }

    /// <summary>Forward (y = window means of x) or backward (x = gradient spread from y), sharing the windows.</summary>
    private static void AdaptiveAvgPool2d<T>(Tensor xt, Tensor yt, bool backward) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int n = xt.Size(0), c = xt.Size(1), h = xt.Size(2), w = xt.Size(3), oh = yt.Size(2), ow = yt.Size(3);
        int xo = (int)xt.Offset, yo = (int)yt.Offset, hw = h * w, ohw = oh * ow;
        CpuParallel.For(n * c, plane =>
        {
            var xp = x.AsSpan(xo + plane * hw, hw);
            var yp = y.AsSpan(yo + plane * ohw, ohw);
            if (backward) xp.Clear();
            for (int i = 0; i < oh; i++)
            {
                var (h0, h1) = AdaptiveWindow(i, h, oh);
                for (int j = 0; j < ow; j++)
                {
                    var (w0, w1) = AdaptiveWindow(j, w, ow);
                    T count = T.CreateChecked((h1 - h0) * (w1 - w0));
                    if (backward)
                    {
                        T share = yp[i * ow + j] / count;
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++) xp[ih * w + iw] += share;
                    }
                    else
                    {
                        T s = T.Zero;
                        for (int ih = h0; ih < h1; ih++) s += LayerSimd.Sum<T>(xp.Slice(ih * w + w0, w1 - w0));
                        yp[i * ow + j] = s / count;
                    }
                }
            }
        }, (long)hw);
    }
}
