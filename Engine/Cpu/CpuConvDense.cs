using System.Numerics;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// A convolution whose window covers the whole unpadded image (output 1x1, one group; LeNet's conv3, 16x5x5 → 120)
/// is a fully connected layer. With x read as [N, C·H·W] and w as [K, C·KH·KW] (the same (c, i, j) order):
///   y = x · wᵀ + b,   dx = dy · w,   dw = dyᵀ · x
/// One GEMM each over the whole batch. The im2col path would copy x into columns and then scatter N·K products
/// of one element each back into y's [N, K] layout, which cost ten times the arithmetic at batch 256.
/// </summary>
public sealed partial class CpuBackend
{
    private static bool DenseApplies(in Conv2dGeometry g) =>
        g.Groups == 1 && g.OH == 1 && g.OW == 1 && g.PH == 0 && g.PW == 0 && g.KH == g.H && g.KW == g.W && g.DH == 1 && g.DW == 1;

    private static void DenseForward<T>(Tensor xt, Tensor wt, Tensor? bt, Tensor yt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.ColRows;
        var y = Array<T>(yt).AsSpan((int)yt.Offset, g.N * g.K);
        if (bt != null)
        {
            var b = Array<T>(bt).AsSpan((int)bt.Offset, g.K);
            for (int n = 0; n < g.N; n++) b.CopyTo(y.Slice(n * g.K, g.K));
        }
        Gemm.Multiply(false, true, g.N, g.K, rows, Array<T>(xt).AsSpan((int)xt.Offset, g.N * rows),
            Array<T>(wt).AsSpan((int)wt.Offset, g.K * rows), y, bt != null ? T.One : T.Zero);
    }

    private static void DenseBackwardInput<T>(Tensor wt, Tensor dyt, Tensor dxt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.ColRows;
        Gemm.Multiply(false, false, g.N, rows, g.K, Array<T>(dyt).AsSpan((int)dyt.Offset, g.N * g.K),
            Array<T>(wt).AsSpan((int)wt.Offset, g.K * rows), Array<T>(dxt).AsSpan((int)dxt.Offset, g.N * rows), T.Zero);
    }

    private static void DenseBackwardWeight<T>(Tensor xt, Tensor dyt, Tensor dwt, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.ColRows;
        Gemm.Multiply(true, false, g.K, rows, g.N, Array<T>(dyt).AsSpan((int)dyt.Offset, g.N * g.K),
            Array<T>(xt).AsSpan((int)xt.Offset, g.N * rows), Array<T>(dwt).AsSpan((int)dwt.Offset, g.K * rows), T.Zero);
    }
}
