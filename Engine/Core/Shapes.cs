namespace Pade.Engine;

/// <summary>Shape arithmetic shared by tensors and backends: element counts, contiguous strides, broadcasting.</summary>
public static class Shapes
{
    public static long Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= Math.Max(shape[i], 1); }
        return s;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>NumPy broadcasting: align from the right; each pair of dims must be equal or one of them 1.</summary>
    public static int[] Broadcast(string op, int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast (dim {i}: {da} vs {db})");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Turns a possibly negative axis into 0..rank-1, or throws naming the axis and the rank.</summary>
    public static int NormalizeAxis(string op, int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank}");
        return a;
    }

    /// <summary>PyTorch lets an op with an axis take a 0-d tensor with axis 0 or −1, as if it had one element along
    /// one axis: the ops that take an axis check this first (a reduction then reduces nothing, softmax sees one
    /// element).</summary>
    public static bool IsScalarAxis(int axis, int rank) => rank == 0 && axis is 0 or -1;

    public static int[] NormalizeAxes(string op, int[]? axes, int rank)
    {
        if (axes == null || axes.Length == 0) return Enumerable.Range(0, rank).ToArray();
        if (axes.Length == 1 && IsScalarAxis(axes[0], rank)) return [];
        var r = axes.Select(a => NormalizeAxis(op, a, rank)).Distinct().Order().ToArray();
        if (r.Length != axes.Length) throw new ArgumentException($"{op}: repeated axis in [{string.Join(", ", axes)}]");
        return r;
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}

/// <summary>One pass of a reduction: a view [Outer, Length, Inner] reduced over its middle axis to [Outer, Inner].</summary>
public readonly record struct ReductionPass(long Outer, long Length, long Inner);

/// <summary>
/// How every backend reduces a tensor over sorted axes: adjacent axes form one run, each run is one pass over the
/// view [outer, len, inner], and the runs go from the last to the first, so the earlier runs see the later ones'
/// axes already reduced to 1 and every pass reads a contiguous tensor.
/// </summary>
public static class ReductionPlan
{
    /// <summary>The passes in the order they run; empty when there are no axes (the reduction is a copy).</summary>
    public static ReductionPass[] Passes(ReadOnlySpan<int> shapeIn, int[] axes)
    {
        var runs = new List<(int Start, int End)>();
        foreach (var a in axes)
        {
            if (runs.Count > 0 && runs[^1].End == a - 1) runs[^1] = (runs[^1].Start, a);
            else runs.Add((a, a));
        }
        var shape = shapeIn.ToArray();
        var passes = new ReductionPass[runs.Count];
        for (int r = runs.Count - 1, p = 0; r >= 0; r--, p++)
        {
            var (s, e) = runs[r];
            long outer = 1, inner = 1, len = 1;
            for (int i = 0; i < s; i++) outer *= shape[i];
            for (int i = s; i <= e; i++) { len *= shape[i]; shape[i] = 1; }
            for (int i = e + 1; i < shape.Length; i++) inner *= shape[i];
            passes[p] = new ReductionPass(outer, len, inner);
        }
        return passes;
    }
}
