namespace Pade.Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// torch.unique on the flattened tensor: its distinct values in ascending order (<paramref name="sorted"/> = false
    /// may give any order in PyTorch and gives the sorted one here), with, when asked, the inverse (int32, of the
    /// input's shape: the position in Values of each input element) and the counts (int32, one per value). Built on
    /// <see cref="Sort"/>: equal neighbours of the sorted values are merged; NaN equals nothing, so each NaN is its own
    /// value (last), as PyTorch's CPU unique. Not differentiable (PyTorch's unique has no gradient): the results have
    /// none. With <paramref name="dim"/>, the distinct slices along it (rows as units), in lexicographic order, the
    /// inverse of size [size(dim)] and their counts.
    /// </summary>
    public (Tensor Values, Tensor? Inverse, Tensor? Counts) Unique(bool sorted = true, bool returnInverse = false, bool returnCounts = false, int? dim = null)
    {
        _ = sorted;
        if (dim is int d)
            return UniqueSlices(d, returnInverse, returnCounts);
        int n = (int)Numel;
        double[] values;
        int[] order;
        using (NoGrad())
        {
            var (v, i) = Detach().Reshape(n).Sort(0);
            values = v.To(DType.Float64).ToArray<double>();
            order = i.ToArray<int>();
        }
        var uniques = new List<double>();
        var counts = new List<int>();
        var inverse = new int[n];
        for (int k = 0; k < n; k++)
        {
            // NaN != NaN: every NaN starts a value of its own.
            if (k == 0 || values[k] != values[k - 1])
            {
                uniques.Add(values[k]);
                counts.Add(0);
            }
            counts[^1]++;
            inverse[order[k]] = uniques.Count - 1;
        }
        var u = FromSpan<double>(uniques.ToArray(), [uniques.Count]).To(DType).To(Device);
        return (u,
                returnInverse ? FromSpan<int>(inverse, ShapeCopy(), Device) : null,
                returnCounts ? FromSpan<int>(counts.ToArray(), [counts.Count], Device) : null);
    }
    /// <summary>torch.unique(dim): the slices along <paramref name="dim"/> compared as whole (element by element in
    /// row-major order), sorted lexicographically, equal ones merged; on the host, as the flattened form.</summary>
    private (Tensor Values, Tensor? Inverse, Tensor? Counts) UniqueSlices(int dim, bool returnInverse, bool returnCounts)
    {
        if (Rank == 0) throw new ArgumentException("unique: dim given for a 0-d tensor");
        int d = Shapes.NormalizeAxis("unique", dim, Rank);
        int size = _shape[d];
        double[][] slices;
        using (NoGrad())
        {
            var moved = Detach().Transpose(0, d).Contiguous().To(DType.Float64);
            slices = Enumerable.Range(0, size).Select(j => moved.Select(0, j).Contiguous().ToArray<double>()).ToArray();
        }
        int Compare(int a, int b)
        {
            for (int i = 0; i < slices[a].Length; i++)
            {
                int c = slices[a][i].CompareTo(slices[b][i]);
                if (c != 0) return c;
            }
            return 0;
        }
        var order = Enumerable.Range(0, size).ToArray();
        Array.Sort(order, (a, b) => Compare(a, b) is var c && c != 0 ? c : a.CompareTo(b));
        var keep = new List<int>();
        var counts = new List<int>();
        var inverse = new int[size];
        for (int k = 0; k < size; k++)
        {
            if (k == 0 || Compare(order[k - 1], order[k]) != 0)
            {
                keep.Add(order[k]);
                counts.Add(0);
            }
            counts[^1]++;
            inverse[order[k]] = keep.Count - 1;
        }
        Tensor values;
        using (NoGrad())
            values = Detach().IndexSelect(d, FromSpan<int>(keep.ToArray(), [keep.Count], Device));
        return (values, returnInverse ? FromSpan<int>(inverse, [size], Device) : null,
                returnCounts ? FromSpan<int>(counts.ToArray(), [counts.Count], Device) : null);
    }
}
