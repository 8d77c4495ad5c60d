using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Cumulative sums, products, maxima, minima and log-sum-exps along one axis (cumsum, cumprod, cummax,
/// cummin, logcumsumexp, and prod's backward). x is viewed as [outer, len, inner]; each (o, i) is one sequential chain
/// along len, so the order of the terms is the scan order and the CUDA kernel (cuda/reduce.cu, scan_) gives the same
/// bits.</summary>
public sealed partial class CpuBackend
{
    public override void Scan(ReduceOp op, Tensor x, int axis, Tensor y, bool reverse, bool exclusive)
    {
        if (x.DType == DType.Float32) Scan<float>(op, x, axis, y, reverse, exclusive);
        else Scan<double>(op, x, axis, y, reverse, exclusive);
        GC.KeepAlive(x); GC.KeepAlive(y);
    }

    private static void Scan<T>(ReduceOp op, Tensor x, int axis, Tensor y, bool reverse, bool exclusive) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        int len = shape[axis], outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        if ((long)outer * len * inner == 0) return;
        T[] xs = Array<T>(x), ys = Array<T>(y);
        long xo = x.Offset, yo = y.Offset;
        T identity = ScanIdentity<T>(op);
        CpuParallel.For(outer * inner, j =>
        {
            long first = (long)(j / inner) * len * inner + j % inner;
            T acc = identity;   // the first output is x itself (or the identity if exclusive)
            for (int s = 0; s < len; s++)
            {
                long at = first + (long)(reverse ? len - 1 - s : s) * inner;
                T v = xs[xo + at];
                if (exclusive) ys[yo + at] = acc;
                acc = ScanCombine(op, acc, v);
                if (!exclusive) ys[yo + at] = acc;
            }
        }, len);
    }

    /// <summary>The op's identity: 0, 1, −∞ for max and log-sum-exp, +∞ for min.</summary>
    internal static T ScanIdentity<T>(ReduceOp op) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        ReduceOp.Sum => T.Zero,
        ReduceOp.Prod => T.One,
        ReduceOp.Min => T.PositiveInfinity,
        _ => T.NegativeInfinity,
    };

    /// <summary>a ⊕ b. Max and min propagate NaN (as T.Max and T.Min, and the CUDA kernel's combine). Log-sum-exp is
    /// max + log1p(exp(min − max)), PyTorch's _log_add_exp_helper: two equal infinities give themselves (not
    /// ∞ − ∞ = NaN), and NaN propagates through the arithmetic.</summary>
    internal static T ScanCombine<T>(ReduceOp op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: return a + b;
            case ReduceOp.Prod: return a * b;
            case ReduceOp.Max: return T.IsNaN(a) ? a : T.IsNaN(b) ? b : a > b ? a : b;
            case ReduceOp.Min: return T.IsNaN(a) ? a : T.IsNaN(b) ? b : a < b ? a : b;
            default:
                if (T.IsNaN(a) || T.IsNaN(b)) return a + b;
                T hi = a > b ? a : b, lo = a > b ? b : a;
                if (lo == hi && !T.IsFinite(lo)) return a;
                return hi + ActMath.Log1p(T.Exp(lo - hi));
        }
    }
}
