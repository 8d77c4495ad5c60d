using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Reductions. Each run of adjacent reduced axes is a view [outer, R, inner] reduced to [outer, 1, inner];
/// runs are reduced from the last to the first. Sums over long rows use fixed-size chunks combined in order, so
/// results do not depend on the thread count.</summary>
public sealed partial class CpuBackend
{
    private const int SumChunk = 1 << 14;

    public override void Reduce(ReduceOp op, Tensor x, int[] axes, Tensor y)
    {
        if (x.DType == DType.Float32) Reduce<float>(op, x, axes, y);
        else Reduce<double>(op, x, axes, y);
        GC.KeepAlive(x); GC.KeepAlive(y);   // see CpuBackend's remarks on lifetime
    }

    private static void Reduce<T>(ReduceOp op, Tensor x, int[] axes, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = x.ShapeCopy();
        var current = Span<T>(x).ToArray();
        // Group axes into runs of adjacent axes, reduce the last run first.
        var runs = new List<(int Start, int End)>();
        foreach (var a in axes)
        {
            if (runs.Count > 0 && runs[^1].End == a - 1) runs[^1] = (runs[^1].Start, a);
            else runs.Add((a, a));
        }
        for (int r = runs.Count - 1; r >= 0; r--)
        {
            var (s, e) = runs[r];
            long outer = 1, inner = 1, len = 1;
            for (int i = 0; i < s; i++) outer *= shape[i];
            for (int i = s; i <= e; i++) { len *= shape[i]; shape[i] = 1; }
            for (int i = e + 1; i < shape.Length; i++) inner *= shape[i];
            var next = new T[outer * inner];
            ReduceRun(op, current, next, (int)outer, (int)len, (int)inner);
            current = next;
        }
        current.AsSpan().CopyTo(Span<T>(y));
    }

    /// <summary>y[o, i] = reduce over r of x[o, r, i].</summary>
    public static void ReduceRun<T>(ReduceOp op, T[] x, T[] y, int outer, int len, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            if (outer == 1 && len > SumChunk)
            {
                // One long row: fixed chunks in parallel, partials combined in order.
                int chunks = (len + SumChunk - 1) / SumChunk;
                var partial = new T[chunks];
                CpuParallel.For(chunks, c => partial[c] = ReduceRow(op, x.AsSpan(c * SumChunk, Math.Min(SumChunk, len - c * SumChunk))), SumChunk);
                y[0] = ReduceRow(op, partial);
                return;
            }
            CpuParallel.For(outer, o => y[o] = ReduceRow(op, x.AsSpan(o * len, len)), len);
            return;
        }
        // Strided: accumulate whole inner rows, vectorised along the inner axis.
        CpuParallel.For(outer, o =>
        {
            var acc = y.AsSpan(o * inner, inner);
            x.AsSpan(o * len * inner, inner).CopyTo(acc);
            for (int r = 1; r < len; r++) Combine(op, acc, x.AsSpan((o * len + r) * inner, inner));
        }, (long)len * inner);
    }

    private static T ReduceRow<T>(ReduceOp op, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T result = op == ReduceOp.Sum ? T.Zero : x[0];
        if (Vector512.IsHardwareAccelerated && x.Length >= 2 * Vector512<T>.Count)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            var acc0 = Vector512.LoadUnsafe(ref rx);
            i = Vector512<T>.Count;
            for (; i <= x.Length - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
                acc0 = op switch { ReduceOp.Sum => acc0 + v, ReduceOp.Max => Vector512.Max(acc0, v), _ => Vector512.Min(acc0, v) };
            }
            result = op switch { ReduceOp.Sum => Vector512.Sum(acc0), ReduceOp.Max => HorizontalMax(acc0), _ => HorizontalMin(acc0) };
        }
        for (; i < x.Length; i++)
            result = op switch { ReduceOp.Sum => result + x[i], ReduceOp.Max => T.Max(result, x[i]), _ => T.Min(result, x[i]) };
        return result;
    }

    private static T HorizontalMax<T>(Vector512<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = v[0];
        for (int i = 1; i < Vector512<T>.Count; i++) m = T.Max(m, v[i]);
        return m;
    }

    private static T HorizontalMin<T>(Vector512<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = v[0];
        for (int i = 1; i < Vector512<T>.Count; i++) m = T.Min(m, v[i]);
        return m;
    }

    private static void Combine<T>(ReduceOp op, Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref T ra = ref MemoryMarshal.GetReference(acc);
            ref T rx = ref MemoryMarshal.GetReference(x);
            for (; i <= acc.Length - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var a = Vector512.LoadUnsafe(ref ra, (nuint)i);
                var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
                (op switch { ReduceOp.Sum => a + v, ReduceOp.Max => Vector512.Max(a, v), _ => Vector512.Min(a, v) }).StoreUnsafe(ref ra, (nuint)i);
            }
        }
        for (; i < acc.Length; i++)
            acc[i] = op switch { ReduceOp.Sum => acc[i] + x[i], ReduceOp.Max => T.Max(acc[i], x[i]), _ => T.Min(acc[i], x[i]) };
    }

    public override void ArgMax(Tensor x, int axis, Tensor y)
    {
        if (x.DType == DType.Float32) ArgMax<float>(x, axis, y);
        else ArgMax<double>(x, axis, y);
        GC.KeepAlive(x); GC.KeepAlive(y);
    }

    private static void ArgMax<T>(Tensor x, int axis, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = Array<T>(x);
        var ys = Array<int>(y);
        int len = x.ShapeArray[axis], inner = 1, outer = 1;
        for (int i = 0; i < axis; i++) outer *= x.ShapeArray[i];
        for (int i = axis + 1; i < x.Rank; i++) inner *= x.ShapeArray[i];
        long xo = x.Offset, yo = y.Offset;
        CpuParallel.For(outer, o =>
        {
            for (int i = 0; i < inner; i++)
            {
                long b = xo + (long)o * len * inner + i;
                int best = 0;
                T bv = xs[b];
                for (int r = 1; r < len; r++)
                {
                    var v = xs[b + (long)r * inner];
                    if (v > bv || (T.IsNaN(v) && !T.IsNaN(bv))) { bv = v; best = r; }
                }
                ys[yo + (long)o * inner + i] = best;
            }
        }, (long)len * inner);
    }
}
