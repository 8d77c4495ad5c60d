using System.Numerics;
using System.Runtime.CompilerServices;
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
    private const int InnerPiece = 1 << 12;

    public override void Reduce(ReduceOp op, Tensor x, int[] axes, Tensor y)
    {
        if (x.DType == DType.Float32) Reduce<float>(op, x, axes, y);
        else Reduce<double>(op, x, axes, y);
    }

    private static void Reduce<T>(ReduceOp op, Tensor x, int[] axes, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = x.ShapeCopy();
        // Group axes into runs of adjacent axes, reduce the last run first.
        var runs = new List<(int Start, int End)>();
        foreach (var a in axes)
        {
            if (runs.Count > 0 && runs[^1].End == a - 1) runs[^1] = (runs[^1].Start, a);
            else runs.Add((a, a));
        }
        // The first run reads x in place, the last writes y in place; runs between go through pooled buffers.
        if (runs.Count == 0) { Span<T>(x).CopyTo(Span<T>(y)); return; }
        T[] current = Array<T>(x);
        long currentOffset = x.Offset;
        T[]? rented = null;
        for (int r = runs.Count - 1; r >= 0; r--)
        {
            var (s, e) = runs[r];
            long outer = 1, inner = 1, len = 1;
            for (int i = 0; i < s; i++) outer *= shape[i];
            for (int i = s; i <= e; i++) { len *= shape[i]; shape[i] = 1; }
            for (int i = e + 1; i < shape.Length; i++) inner *= shape[i];
            T[] next; long nextOffset;
            if (r == 0) { next = Array<T>(y); nextOffset = y.Offset; }
            else { next = BufferPool<T>.Rent(checked((int)(outer * inner))); nextOffset = 0; }
            ReduceRun(op, current, currentOffset, next, nextOffset, (int)outer, (int)len, (int)inner);
            if (rented != null) BufferPool<T>.Return(rented);
            rented = r == 0 ? null : next;
            current = next; currentOffset = nextOffset;
        }
    }

    /// <summary>y[o, i] = reduce over r of x[o, r, i].</summary>
    public static void ReduceRun<T>(ReduceOp op, T[] x, T[] y, int outer, int len, int inner) where T : unmanaged, IFloatingPointIeee754<T> =>
        ReduceRun(op, x, 0, y, 0, outer, len, inner);

    /// <summary>y[yo + o·inner + i] = reduce over r of x[xo + (o·len + r)·inner + i].</summary>
    public static void ReduceRun<T>(ReduceOp op, T[] x, long xo, T[] y, long yo, int outer, int len, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            if (outer == 1 && len > SumChunk)
            {
                // One long row: fixed chunks in parallel, partials combined in order.
                int chunks = (len + SumChunk - 1) / SumChunk;
                var partial = new T[chunks];
                CpuParallel.For(chunks, c => partial[c] = ReduceRow(op, x.AsSpan((int)xo + c * SumChunk, Math.Min(SumChunk, len - c * SumChunk))), SumChunk);
                y[yo] = ReduceRow(op, partial);
                return;
            }
            CpuParallel.For(outer, o => y[yo + o] = ReduceRow(op, x.AsSpan((int)(xo + (long)o * len), len)), len);
            return;
        }
        // Strided: accumulate whole inner rows, vectorised along the inner axis; the inner axis is cut into
        // fixed pieces so that a column sum ([N, C] -> [1, C], outer = 1) still uses every core.
        int pieces = (inner + InnerPiece - 1) / InnerPiece;
        CpuParallel.For(outer * pieces, t =>
        {
            int o = t / pieces, i0 = t % pieces * InnerPiece, w = Math.Min(InnerPiece, inner - i0);
            var acc = y.AsSpan((int)(yo + (long)o * inner + i0), w);
            long row0 = xo + (long)o * len * inner + i0;
            x.AsSpan((int)row0, w).CopyTo(acc);
            for (int r = 1; r < len; r++) Combine(op, acc, x.AsSpan((int)(row0 + (long)r * inner), w));
        }, (long)len * Math.Min(inner, InnerPiece));
    }

    /// <summary>Reduction of one contiguous row: four independent vector accumulators (an add has 3-4 cycles of
    /// latency, so one accumulator would leave the vector unit mostly idle), folded in a fixed order.</summary>
    private static T ReduceRow<T>(ReduceOp op, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, w = Vector512<T>.Count;
        T result = op == ReduceOp.Sum ? T.Zero : x[0];
        if (Vector512.IsHardwareAccelerated && x.Length >= 4 * w)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            var acc0 = Vector512.LoadUnsafe(ref rx);
            var acc1 = Vector512.LoadUnsafe(ref rx, (nuint)w);
            var acc2 = Vector512.LoadUnsafe(ref rx, (nuint)(2 * w));
            var acc3 = Vector512.LoadUnsafe(ref rx, (nuint)(3 * w));
            for (i = 4 * w; i <= x.Length - 4 * w; i += 4 * w)
            {
                acc0 = Combine(op, acc0, Vector512.LoadUnsafe(ref rx, (nuint)i));
                acc1 = Combine(op, acc1, Vector512.LoadUnsafe(ref rx, (nuint)(i + w)));
                acc2 = Combine(op, acc2, Vector512.LoadUnsafe(ref rx, (nuint)(i + 2 * w)));
                acc3 = Combine(op, acc3, Vector512.LoadUnsafe(ref rx, (nuint)(i + 3 * w)));
            }
            for (; i <= x.Length - w; i += w) acc0 = Combine(op, acc0, Vector512.LoadUnsafe(ref rx, (nuint)i));
            var acc = Combine(op, Combine(op, acc0, acc1), Combine(op, acc2, acc3));
            result = op switch { ReduceOp.Sum => Vector512.Sum(acc), ReduceOp.Max => HorizontalMax(acc), _ => HorizontalMin(acc) };
        }
        for (; i < x.Length; i++)
            result = op switch { ReduceOp.Sum => result + x[i], ReduceOp.Max => T.Max(result, x[i]), _ => T.Min(result, x[i]) };
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Combine<T>(ReduceOp op, Vector512<T> a, Vector512<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        op switch { ReduceOp.Sum => a + v, ReduceOp.Max => Vector512.Max(a, v), _ => Vector512.Min(a, v) };

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
                Combine(op, a, v).StoreUnsafe(ref ra, (nuint)i);
            }
        }
        for (; i < acc.Length; i++)
            acc[i] = op switch { ReduceOp.Sum => acc[i] + x[i], ReduceOp.Max => T.Max(acc[i], x[i]), _ => T.Min(acc[i], x[i]) };
    }

    public override void ArgMax(Tensor x, int axis, Tensor y)
    {
        if (x.DType == DType.Float32) ArgMax<float>(x, axis, y);
        else ArgMax<double>(x, axis, y);
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
