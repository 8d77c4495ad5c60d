using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Gather, scatter-add and scatter-reduce over [O, D, I] (see Backend.Indexing.cs). Gather splits the output rows over the
/// cores; scatter-add gives each task whole columns (o, a run of i) and walks k in order inside it, so no two tasks
/// write one element and every sum is taken in index order: deterministic, whatever the thread count.</summary>
public sealed partial class CpuBackend
{
    public override void Gather(Tensor x, Tensor index, Tensor y)
    {
        if (x.DType == DType.Float32) Gather<float>(x, index, y);
        else Gather<double>(x, index, y);
        GC.KeepAlive(x); GC.KeepAlive(index); GC.KeepAlive(y);
    }

    public override void ScatterAdd(Tensor src, Tensor index, Tensor y)
    {
        if (y.DType == DType.Float32) ScatterAdd<float>(src, index, y);
        else ScatterAdd<double>(src, index, y);
        GC.KeepAlive(src); GC.KeepAlive(index); GC.KeepAlive(y);
    }

    public override void ScatterReduce(Tensor src, Tensor index, Tensor y, ScatterReduceOp op)
    {
        if (y.DType == DType.Float32) ScatterReduce<float>(src, index, y, op);
        else ScatterReduce<double>(src, index, y, op);
        GC.KeepAlive(src); GC.KeepAlive(index); GC.KeepAlive(y);
    }

    private static void Gather<T>(Tensor xt, Tensor it, Tensor yt) where T : unmanaged, INumberBase<T>
    {
        T[] x = Array<T>(xt), y = Array<T>(yt);
        int[] idx = Array<int>(it);
        int o = yt.ShapeArray[0], k = yt.ShapeArray[1], n = yt.ShapeArray[2], d = xt.ShapeArray[1];
        long xo = xt.Offset, yo = yt.Offset, io = it.Offset, so = it.StridesArray[0], sk = it.StridesArray[1], si = it.StridesArray[2];
        long rows = (long)o * k;
        CpuParallel.ForRange(rows, Math.Max(1, 16_384 / Math.Max(n, 1)), (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long oo = r / k, kk = r % k;
                long xrow = xo + oo * d * n, yrow = yo + r * n, irow = io + oo * so + kk * sk;
                for (long i = 0; i < n; i++) y[yrow + i] = x[xrow + idx[irow + i * si] * (long)n + i];
            }
        });
    }

    private static void ScatterAdd<T>(Tensor st, Tensor it, Tensor yt) where T : unmanaged, INumberBase<T>
    {
        T[] s = Array<T>(st), y = Array<T>(yt);
        int[] idx = Array<int>(it);
        int o = st.ShapeArray[0], k = st.ShapeArray[1], n = st.ShapeArray[2], d = yt.ShapeArray[1];
        long so0 = st.Offset, yo = yt.Offset, io = it.Offset, so = it.StridesArray[0], sk = it.StridesArray[1], si = it.StridesArray[2];
        // Columns in runs of 256 consecutive i: the run's rows of src and y stay in cache while k advances.
        const int Run = 256;
        int runs = (n + Run - 1) / Run;
        CpuParallel.For(o * runs, c =>
        {
            long oo = c / runs, i0 = (long)(c % runs) * Run, i1 = Math.Min(n, i0 + Run);
            for (long kk = 0; kk < k; kk++)
            {
                long srow = so0 + (oo * k + kk) * n, irow = io + oo * so + kk * sk, ybase = yo + oo * d * n;
                for (long i = i0; i < i1; i++) y[ybase + idx[irow + i * si] * (long)n + i] += s[srow + i];
            }
        }, (long)k * Math.Min(n, Run));
    }

    /// <summary>As <see cref="ScatterAdd{T}"/>'s columns, the sum replaced by op.</summary>
    private static void ScatterReduce<T>(Tensor st, Tensor it, Tensor yt, ScatterReduceOp op) where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
    {
        T[] s = Array<T>(st), y = Array<T>(yt);
        int[] idx = Array<int>(it);
        int o = st.ShapeArray[0], k = st.ShapeArray[1], n = st.ShapeArray[2], d = yt.ShapeArray[1];
        long so0 = st.Offset, yo = yt.Offset, io = it.Offset, so = it.StridesArray[0], sk = it.StridesArray[1], si = it.StridesArray[2];
        const int Run = 256;
        int runs = (n + Run - 1) / Run;
        CpuParallel.For(o * runs, c =>
        {
            long oo = c / runs, i0 = (long)(c % runs) * Run, i1 = Math.Min(n, i0 + Run);
            for (long kk = 0; kk < k; kk++)
            {
                long srow = so0 + (oo * k + kk) * n, irow = io + oo * so + kk * sk, ybase = yo + oo * d * n;
                for (long i = i0; i < i1; i++)
                {
                    ref T t = ref y[ybase + idx[irow + i * si] * (long)n + i];
                    T v = s[srow + i];
                    switch (op)
                    {
                        case ScatterReduceOp.Prod: t *= v; break;
                        // A NaN in t stays (v > NaN is false); a NaN in v wins.
                        case ScatterReduceOp.Amax: if (T.IsNaN(v) || v > t) t = v; break;
                        case ScatterReduceOp.Amin: if (T.IsNaN(v) || v < t) t = v; break;
                        default: t = v; break;
                    }
                }
            }
        }, (long)k * Math.Min(n, Run));
    }
}
