using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// torch.sort, argsort, topk, kthvalue and median, all on one backend kernel (<see cref="Backend.Sort"/>): a stable sort
/// along one dim with NaN the largest value. Indices are int32 (PyTorch's are int64), as argmax's and gather's. Pade's
/// sort is always stable, so stable = false gives the stable order too (PyTorch's order of equal values is then
/// unspecified). The sorted values are one recorded op whose gradient scatters dL/dvalues back through the indices
/// (<see cref="ScatterAddInto"/>, gather's backward); topk, kthvalue and median select from the sorted values with
/// differentiable views and gathers, so their gradients reach the input element each result came from. Indices have
/// no gradient.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.sort: the elements along <paramref name="dim"/> in ascending order (descending when
    /// <paramref name="descending"/>), with the position each came from. NaN sorts as the largest value; equal values
    /// keep their input order (the sort is stable whatever <paramref name="stable"/> says). A 0-d tensor gives itself
    /// and index 0.</summary>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false, bool stable = false)
    {
        _ = stable;   // always stable: PyTorch allows any order of ties when stable = false, the stable one included
        if (DType == DType.Int32)
        {
            var (v, i) = To(DType.Float64).Sort(dim, descending);
            return (v.To(DType.Int32), i);
        }
        Ops.CheckFloating("sort", this);
        if (Shapes.IsScalarAxis(dim, Rank))
        {
            var (v, i) = Reshape(1).Sort(0, descending);
            return (v.Reshape([]), i.Reshape([]));
        }
        return SortAlong(DimOf("sort", dim), descending);
    }

    /// <summary>torch.argsort: the indices of <see cref="Sort"/>.</summary>
    public Tensor ArgSort(int dim = -1, bool descending = false, bool stable = false) => Sort(dim, descending, stable).Indices;

    /// <summary>
    /// torch.topk: the <paramref name="k"/> largest elements along <paramref name="dim"/> (the smallest when not
    /// <paramref name="largest"/>) and their indices, in sorted order (largest first, or smallest first). NaN counts as
    /// the largest value. k in [0, size of dim]; <paramref name="sorted"/> = false may give any order in PyTorch and is
    /// ignored here: the result is always sorted, which PyTorch allows. Equal values are taken in input order.
    /// </summary>
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true, bool sorted = true)
    {
        _ = sorted;
        int size = ScalarAxis("topk", dim) ? 1 : _shape[DimOf("topk", dim)];
        if (k < 0 || k > size)
            throw new ArgumentOutOfRangeException(nameof(k), $"topk: k ({k}) is out of range for dimension {dim} of size {size} of a tensor of shape " +
                                                             $"{Shapes.Format(_shape)} (expected 0 ≤ k ≤ {size})");
        var (v, i) = Sort(dim, descending: largest);
        if (Rank == 0) return k == 1 ? (v, i) : (v.Reshape(1).Narrow(0, 0, 0), i.Reshape(1).Narrow(0, 0, 0));
        int a = DimOf("topk", dim);
        return (v.Narrow(a, 0, k).Contiguous(), i.Narrow(a, 0, k).Contiguous());
    }

    /// <summary>torch.kthvalue: the <paramref name="k"/>-th smallest element along <paramref name="dim"/> (k from 1)
    /// and its index, NaN the largest value; among equal values the k-th in input order. k in [1, size of dim].</summary>
    public (Tensor Values, Tensor Indices) Kthvalue(int k, int dim = -1, bool keepDim = false)
    {
        int size = ScalarAxis("kthvalue", dim) ? 1 : _shape[DimOf("kthvalue", dim)];
        if (k < 1 || k > size)
            throw new ArgumentOutOfRangeException(nameof(k), $"kthvalue: k ({k}) is out of range for dimension {dim} of size {size} of a tensor of shape " +
                                                             $"{Shapes.Format(_shape)} (expected 1 ≤ k ≤ {size})");
        var (v, i) = Sort(dim);
        if (Rank == 0) return (v, i);
        int a = DimOf("kthvalue", dim);
        // An empty tensor's view at an offset past its (empty) storage cannot be read back: start at 0 there.
        int start = Numel == 0 ? 0 : k - 1;
        var (sv, si) = (v.Narrow(a, start, 1).Contiguous(), i.Narrow(a, start, 1).Contiguous());
        return keepDim ? (sv, si) : (sv.Squeeze(a), si.Squeeze(a));
    }

    /// <summary>
    /// torch.median along <paramref name="dim"/>: the lower median, the element at position (n − 1) / 2 of the sorted
    /// values (the smaller of the two middle ones for even n), and its index. A slice with a NaN gives NaN and the
    /// position of its first NaN, as PyTorch. The gradient goes to that one element.
    /// </summary>
    public (Tensor Values, Tensor Indices) Median(int dim, bool keepDim = false)
    {
        if (ScalarAxis("median", dim)) return Sort(dim);
        int a = DimOf("median", dim);
        int n = _shape[a];
        if (n == 0)
            throw new InvalidOperationException($"median: dimension {a} of a tensor of shape {Shapes.Format(_shape)} has size 0: the median of no elements is undefined");
        var (v, i) = Sort(a);
        // NaNs sort last and stay in input order, so a slice's first NaN sits at n − (its NaN count).
        Tensor position;
        using (NoGrad())
        {
            var x = v.DType == DType.Int32 ? v.To(DType.Float64) : v;
            var nans = 1.0 - x.Eq(x);
            var count = nans.Sum(a, keepDim: true);
            position = (count.Gt(0.0) * (n - count - (n - 1) / 2) + (n - 1) / 2).To(DType.Int32);
        }
        var values = Gather(v, a, position);
        var indices = Gather(i, a, position);
        return keepDim ? (values, indices) : (values.Squeeze(a), indices.Squeeze(a));
    }

    /// <summary>
    /// torch.median of all elements: the lower median of the flattened tensor as a 0-d tensor; NaN if any element is
    /// NaN, and NaN for an empty tensor. As PyTorch, the gradient is shared evenly among the elements equal to the
    /// median (among the NaNs when it is NaN).
    /// </summary>
    public Tensor Median()
    {
        if (DType == DType.Int32)
        {
            if (Numel == 0) throw new InvalidOperationException("median: an empty int32 tensor has no median (NaN is not an int32)");
            return To(DType.Float64).Median().To(DType.Int32);
        }
        Ops.CheckFloating("median", this);
        if (Numel == 0) return Graph.Record(Full([], double.NaN, DType, Device), "median", [this], g => [Zeros(ShapeCopy(), g.DType, g.Device)]);
        Tensor m;
        using (NoGrad()) m = Reshape(checked((int)Numel)).Median(0).Values;
        return Graph.Record(m, "median", [this], g =>
        {
            var isNan = 1.0 - Eq(this);
            var mask = Eq(m) + isNan * (1.0 - m.Eq(m));
            return [mask * (g / mask.Sum())];
        }, this, m);
    }

    /// <summary>True for a 0-d tensor and dim 0 or −1 (its one element); a 0-d tensor with another dim throws
    /// PyTorch's out-of-range error; false for a tensor of rank ≥ 1 (whose dim <see cref="DimOf"/> checks).</summary>
    private bool ScalarAxis(string op, int dim) =>
        Rank == 0 && (Shapes.IsScalarAxis(dim, 0) ? true : throw new ArgumentOutOfRangeException(nameof(dim),
            $"{op}: dim {dim} is out of range for a tensor of shape [] (expected to be in [-1, 0])"));

    private (Tensor Values, Tensor Indices) SortAlong(int axis, bool descending)
    {
        var x = Contiguous();
        var values = x.EmptyLike();
        var indices = Empty(_shape, DType.Int32, Device);
        if (Numel > 0) Backend.Sort(x, axis, values, indices, descending);
        var shape = ShapeCopy();
        var y = Graph.Record(values, "sort", [this], g => [ScatterAddInto(null, shape, axis, indices, g).Reshape(shape)], indices);
        return (y, indices);
    }
}
