using Pade.Engine.Functional;
using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// Depthwise convolution by row loops, for the planes the gather kernels of CpuConvDepthwise.cs do not take (see
/// <see cref="CpuBackend.DepthwiseGathers"/>): every kernel tap (i, j) is one SIMD axpy over the valid part of an
/// output row:
///   y[oh, lo..hi) += w[i, j] · x[oh·SH − PH + i·DH, (lo..hi)·SW − PW + j·DW]
/// (unit stride reads a contiguous run of the input row). The input gradient runs the same loops with the roles
/// of x and y exchanged; the weight gradient is a dot product per tap, one channel per task.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Valid output column range (lo, hi) of each kernel column j; empty (0, 0) where the column reads
    /// only padding, which every loop below skips.</summary>
    private static (int Lo, int Hi)[] TapRanges(in Conv2dGeometry g)
    {
        var r = new (int, int)[g.KW];
        for (int j = 0; j < g.KW; j++) r[j] = LayerSimd.ValidRange(j * g.DW - g.PW, g.SW, g.W, g.OW);
        return r;
    }

    private static void DepthwiseRowsForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), w = Array<T>(wt), y = Array<T>(yt);
        T[]? b = bt == null ? null : Array<T>(bt);
        int xo = (int)xt.Offset, wo = (int)wt.Offset, yo = (int)yt.Offset, bo = bt == null ? 0 : (int)bt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW, taps = g.KH * g.KW;
        var ranges = TapRanges(g);
        CpuParallel.For(g.N * g.C, plane =>
        {
            int c = plane % g.C;
            var yp = y.AsSpan(yo + plane * ohw, ohw);
            yp.Fill(b != null ? b[bo + c] : T.Zero);
            var xp = x.AsSpan(xo + plane * hw, hw);
            DepthwiseTaps<T>(xp, yp, w.AsSpan(wo + c * taps, taps), ranges, g, transposed: false);
        }, (long)ohw * taps);
    }

    private static void DepthwiseRowsBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] w = Array<T>(wt), dy = Array<T>(dyt), dx = Array<T>(dxt);
        int wo = (int)wt.Offset, dyo = (int)dyt.Offset, dxo = (int)dxt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW, taps = g.KH * g.KW;
        var ranges = TapRanges(g);
        CpuParallel.For(g.N * g.C, plane =>
        {
            int c = plane % g.C;
            var dxp = dx.AsSpan(dxo + plane * hw, hw);
            dxp.Clear();
            var dyp = dy.AsSpan(dyo + plane * ohw, ohw);
            DepthwiseTaps<T>(dxp, dyp, w.AsSpan(wo + c * taps, taps), ranges, g, transposed: true);
        }, (long)ohw * taps);
    }

    /// <summary>
    /// The tap loops of one plane, shared by the forward pass and the input gradient: for every output row oh,
    /// kernel tap (i, j) whose input row ih = oh·SH − PH + i·DH is inside the image, and output column ow in the
    /// tap's valid range,
    ///   forward:                     output[oh, ow] += w[i, j] · image[ih, ow·SW − PW + j·DW]
    ///   input gradient (transposed): image[ih, ow·SW − PW + j·DW] += w[i, j] · output[oh, ow]
    /// </summary>
    private static void DepthwiseTaps<T>(Span<T> image, Span<T> output, ReadOnlySpan<T> wk, (int Lo, int Hi)[] ranges,
        in Conv2dGeometry g, bool transposed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int oh = 0; oh < g.OH; oh++)
        {
            var orow = output.Slice(oh * g.OW, g.OW);
            for (int i = 0; i < g.KH; i++)
            {
                int ih = oh * g.SH - g.PH + i * g.DH;
                if ((uint)ih >= (uint)g.H) continue;
                var irow = image.Slice(ih * g.W, g.W);
                for (int j = 0; j < g.KW; j++)
                {
                    var (lo, hi) = ranges[j];
                    if (hi <= lo) continue;   // column j reads only padding
                    int joff = j * g.DW - g.PW;
                    T wv = wk[i * g.KW + j];
                    if (g.SW == 1)
                    {
                        if (transposed) LayerSimd.Axpy(wv, orow.Slice(lo, hi - lo), irow.Slice(lo + joff, hi - lo));
                        else LayerSimd.Axpy(wv, irow.Slice(lo + joff, hi - lo), orow.Slice(lo, hi - lo));
                    }
                    else if (transposed) for (int ow = lo; ow < hi; ow++) irow[ow * g.SW + joff] += wv * orow[ow];
                    else for (int ow = lo; ow < hi; ow++) orow[ow] += wv * irow[ow * g.SW + joff];
                }
            }
        }
    }

    /// <summary>dw[c, i, j] = Σ_{n, oh, ow} dy[n, c, oh, ow] · x[n, c, ih, iw]: each task owns one channel and sums
    /// over the batch in order, so no partial copies are needed.</summary>
    private static void DepthwiseRowsBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), dy = Array<T>(dyt), dw = Array<T>(dwt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset, dwo = (int)dwt.Offset;
        int hw = g.H * g.W, ohw = g.OH * g.OW, taps = g.KH * g.KW;
        var ranges = TapRanges(g);
        CpuParallel.For(g.C, c =>
        {
            var acc = dw.AsSpan(dwo + c * taps, taps);
            acc.Clear();
            for (int n = 0; n < g.N; n++)
            {
                int plane = n * g.C + c;
                var xp = x.AsSpan(xo + plane * hw, hw);
                var dyp = dy.AsSpan(dyo + plane * ohw, ohw);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var dyrow = dyp.Slice(oh * g.OW, g.OW);
                    for (int i = 0; i < g.KH; i++)
                    {
                        int ih = oh * g.SH - g.PH + i * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        var xrow = xp.Slice(ih * g.W, g.W);
                        for (int j = 0; j < g.KW; j++)
                        {
                            var (lo, hi) = ranges[j];
                            if (hi <= lo) continue;   // column j reads only padding: its gradient stays 0
                            int joff = j * g.DW - g.PW;
                            T s = T.Zero;
                            if (g.SW == 1) s = LayerSimd.Dot<T>(dyrow.Slice(lo, hi - lo), xrow.Slice(lo + joff, hi - lo));
                            else for (int ow = lo; ow < hi; ow++) s += dyrow[ow] * xrow[ow * g.SW + joff];
                            acc[i * g.KW + j] += s;
                        }
                    }
                }
            }
        }, (long)g.N * ohw * taps);
    }
}
