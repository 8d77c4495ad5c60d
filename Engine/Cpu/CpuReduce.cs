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
    private const int RowChunk = 256;

    public override void Reduce(ReduceOp op, Tensor x, int[] axes, Tensor y)
    {
        if (op == ReduceOp.LogSumExp) throw new ArgumentException("Reduce: LogSumExp is a scan op only", nameof(op));
        if (x.DType == DType.Float32) Reduce<float>(op, x, axes, y);
        else Reduce<double>(op, x, axes, y);
        GC.KeepAlive(x); GC.KeepAlive(y);   // see CpuBackend's remarks on lifetime
    }

    private static void Reduce<T>(ReduceOp op, Tensor x, int[] axes, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var passes = ReductionPlan.Passes(x.Shape, axes);
        if (passes.Length == 0) { Span<T>(x).CopyTo(Span<T>(y)); return; }
        // The first pass reads x in place, the last writes y in place; passes between go through pooled buffers.
        T[] current = Array<T>(x);
        long currentOffset = x.Offset;
        T[]? rented = null;
        for (int p = 0; p < passes.Length; p++)
        {
            var (outer, len, inner) = passes[p];
            bool last = p == passes.Length - 1;
            T[] next; long nextOffset;
            if (last) { next = Array<T>(y); nextOffset = y.Offset; }
            else { next = BufferPool<T>.Rent(checked((int)(outer * inner))); nextOffset = 0; }
            ReduceRun(op, current, currentOffset, next, nextOffset, (int)outer, (int)len, (int)inner);
            if (rented != null) BufferPool<T>.Return(rented);
            rented = last ? null : next;
            current = next; currentOffset = nextOffset;
        }
    }

    /// <summary>y[o, i] = reduce over r of x[o, r, i].</summary>
    public static void ReduceRun<T>(ReduceOp op, T[] x, T[] y, int outer, int len, int inner) where T : unmanaged, IFloatingPointIeee754<T> =>
        ReduceRun(op, x, 0, y, 0, outer, len, inner);

    /// <summary>y[yo + o·inner + i] = reduce over r of x[xo + (o·len + r)·inner + i].</summary>
    public static void ReduceRun<T>(ReduceOp op, T[] x, long xo, T[] y, long yo, int outer, int len, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: ReduceRun<T, SumOp<T>>(x, xo, y, yo, outer, len, inner); break;
            case ReduceOp.Max: ReduceRun<T, MaxOp<T>>(x, xo, y, yo, outer, len, inner); break;
            case ReduceOp.Prod: ReduceRun<T, ProdOp<T>>(x, xo, y, yo, outer, len, inner); break;
            default: ReduceRun<T, MinOp<T>>(x, xo, y, yo, outer, len, inner); break;
        }
    }

    private static void ReduceRun<T, TOp>(T[] x, long xo, T[] y, long yo, int outer, int len, int inner)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IReduceOp<T>
    {
        if (inner == 1)
        {
            if (outer == 1 && len > SumChunk)
            {
                // One long row: fixed chunks in parallel, partials combined in order.
                int chunks = (len + SumChunk - 1) / SumChunk;
                var partial = new T[chunks];
                CpuParallel.For(chunks, c => partial[c] = ReduceRow<T, TOp>(x.AsSpan((int)xo + c * SumChunk, Math.Min(SumChunk, len - c * SumChunk))), SumChunk);
                y[yo] = ReduceRow<T, TOp>(partial);
                return;
            }
            CpuParallel.For(outer, o => y[yo + o] = ReduceRow<T, TOp>(x.AsSpan((int)(xo + (long)o * len), len)), len);
            return;
        }
        // Strided: accumulate whole inner rows, vectorised along the inner axis; the inner axis is cut into
        // fixed pieces so that a column sum ([N, C] -> [1, C], outer = 1) still uses every core.
        int pieces = (inner + InnerPiece - 1) / InnerPiece;
        if (outer * pieces < 8 && len >= 2 * RowChunk)
        {
            ReduceColumnsChunked<T, TOp>(x, xo, y, yo, outer, len, inner);
            return;
        }
        CpuParallel.For(outer * pieces, t =>
        {
            int o = t / pieces, i0 = t % pieces * InnerPiece, w = Math.Min(InnerPiece, inner - i0);
            var acc = y.AsSpan((int)(yo + (long)o * inner + i0), w);
            long row0 = xo + (long)o * len * inner + i0;
            x.AsSpan((int)row0, w).CopyTo(acc);
            AccumulateRows<T, TOp>(acc, x, row0 + inner, inner, len - 1);
        }, (long)len * Math.Min(inner, InnerPiece));
    }

    /// <summary>
    /// Few, long columns ([N, C] -> [1, C] with large N): the rows are cut into fixed chunks of
    /// <see cref="RowChunk"/>, each reduced in parallel into a pooled partial, and the partials combined in order.
    /// The chunks depend on the shape only, so the result does not depend on the thread count.
    /// </summary>
    private static void ReduceColumnsChunked<T, TOp>(T[] x, long xo, T[] y, long yo, int outer, int len, int inner)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IReduceOp<T>
    {
        int chunks = (len + RowChunk - 1) / RowChunk;
        int pieces = (inner + InnerPiece - 1) / InnerPiece;
        var partial = BufferPool<T>.Rent(checked(chunks * inner));
        try
        {
            for (int o = 0; o < outer; o++)
            {
                long block = xo + (long)o * len * inner;
                CpuParallel.For(chunks * pieces, t =>
                {
                    int ch = t / pieces, i0 = t % pieces * InnerPiece, w = Math.Min(InnerPiece, inner - i0);
                    int r0 = ch * RowChunk, r1 = Math.Min(len, r0 + RowChunk);
                    var acc = partial.AsSpan(ch * inner + i0, w);
                    x.AsSpan((int)(block + (long)r0 * inner + i0), w).CopyTo(acc);
                    AccumulateRows<T, TOp>(acc, x, block + (long)(r0 + 1) * inner + i0, inner, r1 - r0 - 1);
                }, (long)RowChunk * Math.Min(inner, InnerPiece));
                var dst = y.AsSpan((int)(yo + (long)o * inner), inner);
                partial.AsSpan(0, inner).CopyTo(dst);
                for (int ch = 1; ch < chunks; ch++) Accumulate<T, TOp>(dst, partial.AsSpan(ch * inner, inner));
            }
        }
        finally { BufferPool<T>.Return(partial); }
    }

    /// <summary>Reduction of one contiguous row: four independent vector accumulators (an add has 3-4 cycles of
    /// latency, so one accumulator would leave the vector unit mostly idle), folded in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static T ReduceRow<T, TOp>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TOp : IReduceOp<T>
    {
        int i, w = Vector512<T>.Count;
        T result;
        if (CpuIsa.Vectors && x.Length >= 4 * w)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            var acc0 = Vector512.LoadUnsafe(ref rx);
            var acc1 = Vector512.LoadUnsafe(ref rx, (nuint)w);
            var acc2 = Vector512.LoadUnsafe(ref rx, (nuint)(2 * w));
            var acc3 = Vector512.LoadUnsafe(ref rx, (nuint)(3 * w));
            for (i = 4 * w; i <= x.Length - 4 * w; i += 4 * w)
            {
                acc0 = TOp.Combine(acc0, Vector512.LoadUnsafe(ref rx, (nuint)i));
                acc1 = TOp.Combine(acc1, Vector512.LoadUnsafe(ref rx, (nuint)(i + w)));
                acc2 = TOp.Combine(acc2, Vector512.LoadUnsafe(ref rx, (nuint)(i + 2 * w)));
                acc3 = TOp.Combine(acc3, Vector512.LoadUnsafe(ref rx, (nuint)(i + 3 * w)));
            }
            for (; i <= x.Length - w; i += w) acc0 = TOp.Combine(acc0, Vector512.LoadUnsafe(ref rx, (nuint)i));
            result = TOp.Horizontal(TOp.Combine(TOp.Combine(acc0, acc1), TOp.Combine(acc2, acc3)));
        }
        else { result = x[0]; i = 1; }
        for (; i < x.Length; i++) result = TOp.Combine(result, x[i]);
        return result;
    }

    /// <summary>
    /// acc[i] ⊕= x[first + r·stride + i] for r in [0, rows), four rows per pass as acc ⊕ ((x0 ⊕ x1) ⊕ (x2 ⊕ x3)):
    /// a quarter of the loads and stores of acc, which would otherwise compete with the stream of x (and, at
    /// power-of-two strides, alias it in the store buffer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void AccumulateRows<T, TOp>(Span<T> acc, T[] x, long first, int stride, int rows)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IReduceOp<T>
    {
        int r = 0, n = acc.Length, w = Vector512<T>.Count;
        ref T ra = ref MemoryMarshal.GetReference(acc);
        for (; r + 4 <= rows; r += 4)
        {
            ref T x0 = ref x[first + (long)r * stride];
            ref T x1 = ref Unsafe.Add(ref x0, stride);
            ref T x2 = ref Unsafe.Add(ref x1, stride);
            ref T x3 = ref Unsafe.Add(ref x2, stride);
            int i = 0;
            if (CpuIsa.Vectors)
                for (; i <= n - w; i += w)
                {
                    var pair01 = TOp.Combine(Vector512.LoadUnsafe(ref x0, (nuint)i), Vector512.LoadUnsafe(ref x1, (nuint)i));
                    var pair23 = TOp.Combine(Vector512.LoadUnsafe(ref x2, (nuint)i), Vector512.LoadUnsafe(ref x3, (nuint)i));
                    TOp.Combine(Vector512.LoadUnsafe(ref ra, (nuint)i), TOp.Combine(pair01, pair23)).StoreUnsafe(ref ra, (nuint)i);
                }
            for (; i < n; i++)
                acc[i] = TOp.Combine(acc[i], TOp.Combine(TOp.Combine(Unsafe.Add(ref x0, i), Unsafe.Add(ref x1, i)),
                                                          TOp.Combine(Unsafe.Add(ref x2, i), Unsafe.Add(ref x3, i))));
        }
        for (; r < rows; r++) Accumulate<T, TOp>(acc, x.AsSpan((int)(first + (long)r * stride), n));
    }

    /// <summary>acc[i] = acc[i] ⊕ x[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void Accumulate<T, TOp>(Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TOp : IReduceOp<T>
    {
        int i = 0;
        if (CpuIsa.Vectors)
        {
            ref T ra = ref MemoryMarshal.GetReference(acc);
            ref T rx = ref MemoryMarshal.GetReference(x);
            for (; i <= acc.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Combine(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ra, (nuint)i);
        }
        for (; i < acc.Length; i++) acc[i] = TOp.Combine(acc[i], x[i]);
    }

    /// <summary>An associative combine ⊕ with its vector form and the fold of a vector's lanes. As a type argument
    /// it gives each reduction its own compiled loop, with no test of the op inside.</summary>
    private interface IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract T Combine(T a, T b);
        static abstract Vector512<T> Combine(Vector512<T> a, Vector512<T> b);
        static abstract T Horizontal(Vector512<T> v);
    }

    private readonly struct SumOp<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Combine(T a, T b) => a + b;
        public static Vector512<T> Combine(Vector512<T> a, Vector512<T> b) => a + b;
        public static T Horizontal(Vector512<T> v) => Vector512.Sum(v);
    }

    private readonly struct ProdOp<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Combine(T a, T b) => a * b;
        public static Vector512<T> Combine(Vector512<T> a, Vector512<T> b) => a * b;
        public static T Horizontal(Vector512<T> v)
        {
            T m = v[0];
            for (int i = 1; i < Vector512<T>.Count; i++) m *= v[i];
            return m;
        }
    }

    private readonly struct MaxOp<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Combine(T a, T b) => T.Max(a, b);
        public static Vector512<T> Combine(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
        public static T Horizontal(Vector512<T> v)
        {
            T m = v[0];
            for (int i = 1; i < Vector512<T>.Count; i++) m = T.Max(m, v[i]);
            return m;
        }
    }

    private readonly struct MinOp<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Combine(T a, T b) => T.Min(a, b);
        public static Vector512<T> Combine(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
        public static T Horizontal(Vector512<T> v)
        {
            T m = v[0];
            for (int i = 1; i < Vector512<T>.Count; i++) m = T.Min(m, v[i]);
            return m;
        }
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
