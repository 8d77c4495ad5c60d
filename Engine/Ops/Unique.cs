namespace Pade.Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// torch.unique on the flattened tensor: its distinct values in ascending order (<paramref name="sorted"/> = false
    /// may give any order in PyTorch and gives the sorted one here), with, when asked, the inverse (int32, of the
    /// input's shape: the position in Values of each input element) and the counts (int32, one per value). Built on
    /// <see cref="Sort"/>: equal neighbours of the sorted values are merged; NaN equals nothing, so each NaN is its own
    /// value (last), as PyTorch's CPU unique. Not differentiable (PyTorch's unique has no gradient): the results have
    /// none. <paramref name="dim"/> (unique slices) is not supported yet and throws.
    /// </summary>
    public (Tensor Values, Tensor? Inverse, Tensor? Counts) Unique(bool sorted = true, bool returnInverse = false, bool returnCounts = false, int? dim = null)
    {
        _ = sorted;
        if (dim is int d)
            throw new NotSupportedException($"unique: dim = {d} (unique slices along a dim) is not supported; call Unique() without dim for the flattened tensor");
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
}
