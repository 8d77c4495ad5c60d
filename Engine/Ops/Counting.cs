namespace Pade.Engine;

/// <summary>
/// Counting and bucketing ops: torch.bincount, histc, bucketize, searchsorted, unique_consecutive. Their result size
/// depends on the data (bincount, unique_consecutive) or they are integer searches, so they are computed on the host
/// from a float64 copy and the result is put back on the input's device, as <see cref="Unique"/>. None has a
/// gradient (PyTorch's have none either). Indices and counts are int32 (PyTorch's int64).
/// </summary>
public sealed partial class Tensor
{
    private double[] HostValues()
    {
        using var _ = NoGrad();
        return Detach().To(DType.Float64).ToArray<double>();
    }

    /// <summary>
    /// torch.bincount: the number of occurrences of each value 0 … max(input) of a 1-D non-negative int32 tensor, at
    /// least <paramref name="minlength"/> bins; with <paramref name="weights"/> (1-D, same length) the sum of the
    /// weights of each value, in the weights' dtype (int32 weights give float64, as PyTorch's double accumulation).
    /// </summary>
    public Tensor Bincount(Tensor? weights = null, int minlength = 0)
    {
        if (minlength < 0) throw new ArgumentException($"bincount: minlength should be >= 0, got {minlength}");
        if (Rank != 1 || DType != DType.Int32)
            throw new ArgumentException($"bincount: only supports 1-d non-negative integral inputs, got shape {Shapes.Format(_shape)} of {DType.TorchName()}");
        if (weights is not null && (weights.Rank != 1 || weights._shape[0] != _shape[0]))
            throw new ArgumentException($"bincount: weights should be 1-d and have the same length as input, got weights {Shapes.Format(weights._shape)} and input {Shapes.Format(_shape)}");
        var x = ToArray<int>();
        foreach (var v in x)
            if (v < 0) throw new ArgumentException($"bincount: only supports 1-d non-negative integral inputs, found {v}");
        int bins = Math.Max(minlength, x.Length == 0 ? 0 : x.Max() + 1);
        if (weights is null)
        {
            var counts = new int[bins];
            foreach (var v in x) counts[v]++;
            return FromSpan<int>(counts, [bins], Device);
        }
        var w = weights.HostValues();
        var sums = new double[bins];
        var wd = weights.DType == DType.Float32 ? DType.Float32 : DType.Float64;
        // float32 weights are summed in float (ATen accumulates in the weights' type), float64 and int32 in double.
        if (wd == DType.Float32)
        {
            var f = new float[bins];
            for (int i = 0; i < x.Length; i++) f[x[i]] += (float)w[i];
            for (int i = 0; i < bins; i++) sums[i] = f[i];
        }
        else
            for (int i = 0; i < x.Length; i++) sums[x[i]] += w[i];
        return FromSpan<double>(sums, [bins]).To(wd).To(Device);
    }

    /// <summary>
    /// torch.histc: a histogram of <paramref name="bins"/> equal-width bins over [min, max], in this tensor's dtype.
    /// PyTorch's edge rules: elements outside [min, max] (and NaN) are ignored, max falls in the last bin, and
    /// min == max (the default 0, 0) takes the data's range instead (widened by 1 each way if that is one value
    /// too; a NaN or ±∞ there is an error, as PyTorch). As ATen, the bin edges are linspace(min, max, bins + 1) in the
    /// tensor's dtype, an element's bin is first guessed by ⌊(x − min) · bins / (max − min)⌋ and then settled among
    /// its neighbours against those edges, so an element equal to an edge goes to the bin that edge opens.
    /// </summary>
    public Tensor Histc(int bins = 100, double min = 0, double max = 0)
    {
        if (!DType.IsFloating()) throw new ArgumentException($"histc: input must be a floating-point tensor, got {DType.TorchName()}");
        if (bins <= 0) throw new ArgumentException($"histc: bins must be > 0, but got {bins}");
        var x = HostValues();
        double lo = min, hi = max;
        if (lo == hi && x.Length > 0) { lo = x.Min(); hi = x.Max(); } // Enumerable.Min/Max give NaN if any is NaN, as aminmax
        if (lo == hi) { lo -= 1; hi += 1; }
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
            throw new ArgumentException($"histc: range of [{lo}, {hi}] is not finite");
        if (!(lo < hi)) throw new ArgumentException($"histc: max must be larger than min, got min {lo} and max {hi}");
        bool f32 = DType == DType.Float32;
        var edges = HostSpaced(lo, hi, bins + 1, null, DType);
        double left = edges[0], rightEdge = edges[bins];
        var counts = new double[bins];
        foreach (var v in x)
        {
            if (!(v >= left && v <= rightEdge)) continue;
            long pos = f32
                ? (long)(((float)v - (float)left) * bins / ((float)rightEdge - (float)left))
                : (long)((v - left) * bins / (rightEdge - left));
            // Local search among the neighbouring edges (ATen's LINEAR_INTERPOLATION_WITH_LOCAL_SEARCH): the last
            // edge ≤ v in [pos − 1, pos + 2).
            long pmin = Math.Max(0, pos - 1), pmax = Math.Min(pos + 2, bins + 1), p = pmin;
            while (p < pmax && edges[p] <= v) p++;
            pos = p - 1;
            if (pos == bins) pos = bins - 1; // the last bin holds its right edge
            counts[pos]++;
        }
        return FromSpan<double>(counts, [bins]).To(DType).To(Device);
    }

    /// <summary>
    /// torch.bucketize: for each element, the index of its bucket among the 1-D ascending
    /// <paramref name="boundaries"/>: with right = false the first i with x ≤ boundaries[i] (boundaries[i−1] &lt; x ≤
    /// boundaries[i]), with right = true the first i with x &lt; boundaries[i]. int32, of this tensor's shape.
    /// </summary>
    public Tensor Bucketize(Tensor boundaries, bool right = false)
    {
        if (boundaries.Rank != 1)
            throw new ArgumentException($"bucketize: boundaries tensor must be 1 dimension, but got dim({boundaries.Rank})");
        return Searchsorted(boundaries, this, right);
    }

    /// <summary>
    /// torch.searchsorted: for each of <paramref name="values"/>, the index at which it would be inserted into
    /// <paramref name="sortedSequence"/> keeping it sorted along its last dim: the first such index (side "left",
    /// x ≤ seq[i]) or the last (side "right" or right = true, x &lt; seq[i]). A 1-D sequence serves every value; an
    /// N-D one has its leading dims equal to the values' and each row serves its own row of values. NaN values go
    /// last, as ATen's comparisons put them. int32, of the values' shape.
    /// </summary>
    public static Tensor Searchsorted(Tensor sortedSequence, Tensor values, bool right = false, string? side = null)
    {
        if (side is not null and not ("left" or "right"))
            throw new ArgumentException($"searchsorted: side can only be 'left' or 'right' but got side of {side}");
        if (side == "left" && right)
            throw new ArgumentException("searchsorted: side and right can't be set to opposites, got side of left while right was True");
        bool upper = right || side == "right";
        var seqShape = sortedSequence._shape;
        if (sortedSequence.Rank == 0)
            throw new ArgumentException("searchsorted: boundaries tensor should have positive dimension, but got 0 dimension");
        bool batched = sortedSequence.Rank > 1;
        if (batched && (values.Rank != sortedSequence.Rank || !seqShape[..^1].SequenceEqual(values._shape[..^1])))
            throw new ArgumentException(
                "searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor " +
                $"must match, but we got boundaries tensor {Shapes.Format(seqShape)} and input value tensor {Shapes.Format(values._shape)}");
        var seq = sortedSequence.HostValues();
        var v = values.HostValues();
        int n = seqShape[^1];
        int rowLen = batched ? values._shape[^1] : Math.Max(1, v.Length);
        var result = new int[v.Length];
        for (int k = 0; k < v.Length; k++)
        {
            int start = batched ? k / rowLen * n : 0;
            double x = v[k];
            // ATen's cus_lower_bound / cus_upper_bound: the same negated comparisons, so NaN goes to the end.
            int lo = 0, hi = n;
            while (lo < hi)
            {
                int mid = lo + (hi - lo) / 2;
                double m = seq[start + mid];
                bool goRight = upper ? !(m > x) : !(m >= x);
                if (goRight) lo = mid + 1; else hi = mid;
            }
            result[k] = lo;
        }
        return FromSpan<int>(result, values.ShapeCopy(), values.Device);
    }

    /// <summary>
    /// torch.unique_consecutive: collapses each run of equal consecutive elements (of the flattened tensor, or of
    /// slices along <paramref name="dim"/>) to one, with, when asked, the inverse (each element's or slice's run
    /// index, int32, of the input's shape or [size(dim)]) and the counts (run lengths, int32). NaN equals nothing.
    /// </summary>
    public (Tensor Values, Tensor? Inverse, Tensor? Counts) UniqueConsecutive(bool returnInverse = false, bool returnCounts = false, int? dim = null)
    {
        var x = HostValues();
        if (dim is null)
        {
            var (keep, inverse, counts) = Runs(x.Length, (a, b) => x[a] == x[b]);
            var vals = FromSpan<double>(keep.Select(i => x[i]).ToArray(), [keep.Length]).To(DType).To(Device);
            return (vals, returnInverse ? FromSpan<int>(inverse, ShapeCopy(), Device) : null,
                    returnCounts ? FromSpan<int>(counts, [counts.Length], Device) : null);
        }
        int d = Rank == 0 ? throw new ArgumentException("unique_consecutive: dim given for a 0-d tensor") : Shapes.NormalizeAxis("unique_consecutive", dim.Value, Rank);
        int size = _shape[d];
        long outer = Shapes.Numel(_shape.AsSpan(0, d)), inner = Shapes.Numel(_shape.AsSpan(d + 1));
        // Slices a and b along d are equal when every (outer, inner) element is.
        bool Same(int a, int b)
        {
            for (long o = 0; o < outer; o++)
                for (long i = 0; i < inner; i++)
                    if (x[(o * size + a) * inner + i] != x[(o * size + b) * inner + i]) return false;
            return true;
        }
        var (k2, inv2, cnt2) = Runs(size, Same);
        Tensor values;
        using (NoGrad())
            values = Detach().IndexSelect(d, FromSpan<int>(k2, [k2.Length], Device));
        return (values, returnInverse ? FromSpan<int>(inv2, [size], Device) : null,
                returnCounts ? FromSpan<int>(cnt2, [cnt2.Length], Device) : null);
    }

    /// <summary>Runs of equal consecutive items: the first index of each run, each item's run, each run's length.</summary>
    private static (int[] Keep, int[] Inverse, int[] Counts) Runs(int n, Func<int, int, bool> same)
    {
        var keep = new List<int>();
        var counts = new List<int>();
        var inverse = new int[n];
        for (int k = 0; k < n; k++)
        {
            if (k == 0 || !same(k - 1, k))
            {
                keep.Add(k);
                counts.Add(0);
            }
            counts[^1]++;
            inverse[k] = keep.Count - 1;
        }
        return (keep.ToArray(), inverse, counts.ToArray());
    }
}
