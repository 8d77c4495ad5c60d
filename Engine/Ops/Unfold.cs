using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>torch.Tensor.unfold: the sliding windows along one dim as a strided view.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// torch.Tensor.unfold(dimension, size, step): every window of <paramref name="size"/> consecutive elements along
    /// <paramref name="dimension"/>, one every <paramref name="step"/>, as a view of the same storage: that dim becomes
    /// the window count ⌊(n − size)/step⌋ + 1 (its stride times step) and a new last dim of length size (the dim's
    /// stride) is appended, so overlapping windows share elements. A 0-d tensor reads as one element (size ≤ 1, result
    /// [size]). The gradient scatter-adds each window's gradient back to the elements it covers (overlaps sum), a
    /// differentiable <see cref="ScatterAdd(Tensor, int, Tensor, Tensor)"/> over the window index map.
    /// </summary>
    public Tensor Unfold(int dimension, int size, int step)
    {
        const string op = "unfold";
        int rank = Math.Max(Rank, 1);
        int a = Shapes.NormalizeAxis(op, dimension, rank);
        int n = Rank == 0 ? 1 : _shape[a];
        if (size < 0) throw new ArgumentException($"{op}: size is {size} but must be >= 0");
        if (size > n) throw new ArgumentException($"{op}: maximum size for tensor at dimension {a} is {n} but size is {size}");
        if (step <= 0) throw new ArgumentException($"{op}: step is {step} but must be > 0");
        if (Rank == 0)
            return Reshape(1).Unfold(0, size, step).Reshape(size);
        int count = (n - size) / step + 1;
        var shape = _shape.Append(size).ToArray();
        shape[a] = count;
        var strides = _strides.Append(_strides[a]).ToArray();
        strides[a] = _strides[a] * step;
        var y = View(shape, strides, Offset);
        var inShape = _shape;
        var dtype = DType;
        return Graph.Record(y, op, [this], g =>
        {
            // Window i's element j is element i·step + j of the dim: move the window axis beside the dim, merge the
            // two, and scatter-add along the dim with that map (broadcast over the other dims).
            var merged = g.Unsqueeze(a + 1).Transpose(a + 1, g.Rank).Squeeze(g.Rank);   // [..., count, size, ...]
            var mergedShape = (int[])inShape.Clone();
            mergedShape[a] = count * size;
            var src = merged.Reshape(mergedShape);
            var map = new int[count * size];
            for (int i = 0; i < count; i++)
                for (int j = 0; j < size; j++) map[i * size + j] = i * step + j;
            var viewShape = Enumerable.Repeat(1, inShape.Length).ToArray();
            viewShape[a] = count * size;
            var index = FromArray(map, viewShape).To(g.Device).Expand(mergedShape);
            return [ScatterAdd(Zeros(inShape, dtype, g.Device), a, index, src)];
        });
    }
}
