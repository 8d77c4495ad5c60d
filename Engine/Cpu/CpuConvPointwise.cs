using System.Numerics;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// A pointwise convolution (1x1 kernel, unit stride, no padding) multiplies channels at every pixel:
///   y[n, k, p] = b[k] + Σ_c w[k, c] x[n, c, p]
/// so with the batch of NCHW images read as one matrix X [C, N·H·W] (column (n, p) of channel c at x[n·C·HW + c·HW + p])
///   forward          Y  [K, N·H·W] = W · X
///   input gradient   dX [C, N·H·W] = Wᵀ · dY
///   weight gradient  dW [K, C]     = dY · Xᵀ
/// each one GEMM over the whole batch that reads and writes the NCHW tensors in place: the forward and the input
/// gradient through column batches (<see cref="GemmColumnBatches"/>: batch n of H·W columns, the images C·H·W and
/// K·H·W apart), the weight gradient, a sum over the batch, through depth batches (<see cref="GemmDepthBatches"/>).
/// No im2col copy, no scatter of a product back into NCHW, and the weight packed once per thread instead of once
/// per chunk of samples. Per group of a grouped convolution, the same with the group's rows.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Takes the pointwise path where it applies (default). Settable for timing it against im2col + GEMM and
    /// for the tests that compare the two.</summary>
    internal static bool PointwiseConvolution { get; set; } = true;

    private static bool PointwiseApplies(in Conv2dGeometry g) => PointwiseConvolution && g.IsPointwise;

    /// <summary>y = W·X (+ b) per group, one batched GEMM each.</summary>
    private static void PointwiseForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), w = Array<T>(wt), y = Array<T>(yt);
        int xo = (int)xt.Offset, wo = (int)wt.Offset, yo = (int)yt.Offset;
        int hw = g.H * g.W, kg = g.KPerGroup, cg = g.CPerGroup, n = g.N * hw;
        T beta = T.Zero;
        if (bt != null)
        {
            // The GEMM adds onto the bias: each output row starts as b[k].
            T[] b = Array<T>(bt);
            int bo = (int)bt.Offset, K = g.K;
            CpuParallel.For(g.N * K, r => y.AsSpan(yo + r * hw, hw).Fill(b[bo + r % K]), (long)hw);
            beta = T.One;
        }
        var batches = new GemmColumnBatches(hw, (long)g.C * hw, (long)g.K * hw);
        for (int gi = 0; gi < g.Groups; gi++)
            Gemm.Multiply(false, kg, n, cg, w.AsSpan(wo + gi * kg * cg, kg * cg), x.AsSpan(xo + gi * cg * hw), y.AsSpan(yo + gi * kg * hw), beta, batches);
    }

    /// <summary>dx = Wᵀ·dY per group, one batched GEMM each.</summary>
    private static void PointwiseBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] w = Array<T>(wt), dy = Array<T>(dyt), dx = Array<T>(dxt);
        int wo = (int)wt.Offset, dyo = (int)dyt.Offset, dxo = (int)dxt.Offset;
        int hw = g.H * g.W, kg = g.KPerGroup, cg = g.CPerGroup, n = g.N * hw;
        var batches = new GemmColumnBatches(hw, (long)g.K * hw, (long)g.C * hw);
        for (int gi = 0; gi < g.Groups; gi++)
            Gemm.Multiply(true, cg, n, kg, w.AsSpan(wo + gi * kg * cg, kg * cg), dy.AsSpan(dyo + gi * kg * hw), dx.AsSpan(dxo + gi * cg * hw), T.Zero, batches);
    }

    /// <summary>dW = dY·Xᵀ per group, one depth-batched GEMM each (the batch sum inside the GEMM's K loop). A small dW
    /// over a long batch (MobileNetV2's 1x1 layers: 16x32 outputs summed over 8192 pixels) gives the GEMM's threads
    /// too little to share: the batch is then cut into fixed parts, each summed by one thread into its own dW, the
    /// parts added in order, so the bits do not depend on the thread count.</summary>
    private static void PointwiseBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, in Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Array<T>(xt), dy = Array<T>(dyt), dw = Array<T>(dwt);
        int xo = (int)xt.Offset, dyo = (int)dyt.Offset, dwo = (int)dwt.Offset;
        int hw = g.H * g.W, kg = g.KPerGroup, cg = g.CPerGroup, N = g.N, K = g.K, C = g.C, groups = g.Groups;
        int size = K * cg, parts = Math.Min(N, PointwiseWeightParts(g));
        var batches = new GemmDepthBatches(hw, (long)K * hw, (long)C * hw);
        var partial = new T[parts][];
        for (int p = 1; p < parts; p++) partial[p] = BufferPool<T>.Rent(size);
        CpuParallel.For(parts, p =>
        {
            int n0 = p * N / parts, n1 = (p + 1) * N / parts;
            var acc = p == 0 ? dw.AsSpan(dwo, size) : partial[p].AsSpan(0, size);
            for (int gi = 0; gi < groups; gi++)
                Gemm.Multiply(kg, cg, (n1 - n0) * hw, dy.AsSpan(dyo + (n0 * K + gi * kg) * hw), x.AsSpan(xo + (n0 * C + gi * cg) * hw),
                    acc.Slice(gi * kg * cg, kg * cg), T.Zero, batches);
        }, (long)N / parts * hw * kg * cg);
        for (int p = 1; p < parts; p++)
        {
            LayerSimd.Add<T>(partial[p].AsSpan(0, size), dw.AsSpan(dwo, size));
            BufferPool<T>.Return(partial[p]);
        }
    }

    /// <summary>Parts of the batch the weight gradient is cut into: one while dW [K/G, C/G] gives the GEMM at least
    /// <see cref="PointwiseWeightMinimum"/> elements per part of 1024 pixels summed, else up to
    /// <see cref="ConvWeightPartials"/>. Shapes only, never the thread count.</summary>
    private static int PointwiseWeightParts(in Conv2dGeometry g)
    {
        long depth = (long)g.N * g.H * g.W, outputs = (long)g.KPerGroup * g.CPerGroup;
        return outputs * 1024 >= PointwiseWeightMinimum * depth ? 1 : ConvWeightPartials;
    }

    /// <summary>See <see cref="PointwiseWeightParts"/>; settable for experiments.</summary>
    internal static long PointwiseWeightMinimum { get; set; } = 4096;
}
