using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Cumulative sums and products along one axis (cumsum, and prod's backward). x is viewed as
/// [outer, len, inner]; each (o, i) is one sequential chain along len, so the order of the terms is the scan order
/// and the CUDA kernel (cuda/reduce.cu, scan_) gives the same bits.</summary>
public sealed partial class CpuBackend
{
    public override void Scan(ReduceOp op, Tensor x, int axis, Tensor y, bool reverse, bool exclusive)
    {
        if (op is not (ReduceOp.Sum or ReduceOp.Prod)) throw new ArgumentException($"Scan: op {op} is not Sum or Prod", nameof(op));
        if (x.DType == DType.Float32) Scan<float>(op == ReduceOp.Prod, x, axis, y, reverse, exclusive);
        else Scan<double>(op == ReduceOp.Prod, x, axis, y, reverse, exclusive);
        GC.KeepAlive(x); GC.KeepAlive(y);
    }

    private static void Scan<T>(bool prod, Tensor x, int axis, Tensor y, bool reverse, bool exclusive) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        int len = shape[axis], outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        if ((long)outer * len * inner == 0) return;
        T[] xs = Array<T>(x), ys = Array<T>(y);
        long xo = x.Offset, yo = y.Offset;
        CpuParallel.For(outer * inner, j =>
        {
            long first = (long)(j / inner) * len * inner + j % inner;
            T acc = prod ? T.One : T.Zero;   // the identity: the first output is x itself (or the identity if exclusive)
            for (int s = 0; s < len; s++)
            {
                long at = first + (long)(reverse ? len - 1 - s : s) * inner;
                T v = xs[xo + at];
                if (exclusive) ys[yo + at] = acc;
                acc = prod ? acc * v : acc + v;
                if (!exclusive) ys[yo + at] = acc;
            }
        }, len);
    }
}
