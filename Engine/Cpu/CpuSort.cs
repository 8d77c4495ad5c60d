using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Stable sort along one axis (sort, argsort, topk, kthvalue, median). x is viewed as [outer, len, inner];
/// each (o, i) is one row, sorted on its own (rows across all cores). cuda/sort.cu gives the same values and indices:
/// the order is a total order on (value, input position), so any correct sort agrees.</summary>
public sealed partial class CpuBackend
{
    public override void Sort(Tensor x, int axis, Tensor values, Tensor indices, bool descending)
    {
        if (indices.DType != DType.Int32) throw new ArgumentException($"Sort: indices must be int32, got {indices.DType.TorchName()}", nameof(indices));
        if (x.DType == DType.Float32) Sort<float>(x, axis, values, indices, descending);
        else Sort<double>(x, axis, values, indices, descending);
        GC.KeepAlive(x); GC.KeepAlive(values); GC.KeepAlive(indices);
    }

    /// <summary>True when a goes strictly before b ascending: NaN is the largest value and equal to itself (PyTorch's
    /// order); descending is the same order reversed, ties still left to the input positions.</summary>
    internal static bool SortsBefore<T>(T a, T b, bool descending) where T : unmanaged, IFloatingPointIeee754<T> =>
        descending ? (!T.IsNaN(b) && (T.IsNaN(a) || a > b)) : (!T.IsNaN(a) && (T.IsNaN(b) || a < b));

    private static void Sort<T>(Tensor x, int axis, Tensor values, Tensor indices, bool descending) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        int len = shape[axis], outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        if ((long)outer * len * inner == 0) return;
        T[] xs = Array<T>(x), vs = Array<T>(values);
        int[] ids = Array<int>(indices);
        long xo = x.Offset, vo = values.Offset, io = indices.Offset;
        CpuParallel.For(outer * inner, j =>
        {
            long first = (long)(j / inner) * len * inner + j % inner;
            var row = new T[len];
            var order = new int[len];
            for (int r = 0; r < len; r++) { row[r] = xs[xo + first + (long)r * inner]; order[r] = r; }
            // Array.Sort is not stable; the input position breaks ties, which makes the order total and the result
            // the stable sort's.
            System.Array.Sort(order, (a, b) => SortsBefore(row[a], row[b], descending) ? -1 : SortsBefore(row[b], row[a], descending) ? 1 : a.CompareTo(b));
            for (int r = 0; r < len; r++)
            {
                long at = first + (long)r * inner;
                vs[vo + at] = row[order[r]];
                ids[io + at] = order[r];
            }
        }, (long)len * 16);
    }
}
