using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// A plain n-dimensional array for reference results: every op below is a loop over output indices, written for
/// obviousness, not speed, and shares no code with the engine (not even its broadcasting or axis helpers).
/// </summary>
public sealed class Nd(int[] shape, double[] data)
{
    public int[] Shape { get; } = shape;
    public double[] Data { get; } = data;
    public int Rank => Shape.Length;

    public static Nd Of(Spec s) => new(s.Shape, s.Values);
    public static Nd Of(Tensor t) => new(t.ShapeCopy(), t.ToArray<double>());
    public static Nd Build(int[] shape, Func<int[], double> f)
    {
        var data = new double[Count(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = f(Unravel(i, shape));
        return new Nd(shape, data);
    }

    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat /= shape[d]; }
        return idx;
    }

    public static int Ravel(int[] idx, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    public double this[int[] idx] => Data[Ravel(idx, Shape)];

    public static int Axis(int axis, int rank) => axis < 0 ? axis + rank : axis;

    // ---- broadcasting --------------------------------------------------------------------------------------

    public static int[] BroadcastShape(params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            // The dim that is not 1 (0 included: [0] against [1] is empty), or 1.
            var dims = shapes.Select(s => i - (rank - s.Length) is var j && j >= 0 ? s[j] : 1).ToArray();
            r[i] = dims.FirstOrDefault(d => d != 1, 1);
        }
        return r;
    }

    /// <summary>The element of this array that lands at index idx of a broadcast result.</summary>
    public double At(int[] idx)
    {
        var own = new int[Rank];
        int lead = idx.Length - Rank;
        for (int d = 0; d < Rank; d++) own[d] = Shape[d] == 1 ? 0 : idx[d + lead];
        return this[own];
    }

    public Nd Map(Func<double, double> f) => new(Shape, Data.Select(f).ToArray());

    public static Nd Zip(Nd a, Nd b, Func<double, double, double> f) =>
        Build(BroadcastShape(a.Shape, b.Shape), i => f(a.At(i), b.At(i)));

    public Nd BroadcastTo(int[] shape) => Build(shape, At);

    // ---- reductions ----------------------------------------------------------------------------------------

    /// <summary>Reduces over the given axes (all when empty); f gets the reduced elements.</summary>
    public Nd Reduce(int[] axes, bool keepDim, Func<List<double>, double> f)
    {
        var ax = axes.Length == 0 ? Enumerable.Range(0, Rank).ToArray() : axes.Select(a => Axis(a, Rank)).ToArray();
        var keptShape = Shape.Select((d, i) => ax.Contains(i) ? 1 : d).ToArray();
        var groups = new List<double>[Count(keptShape)];
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        for (int i = 0; i < Data.Length; i++)
        {
            var idx = Unravel(i, Shape);
            foreach (var a in ax) idx[a] = 0;
            groups[Ravel(idx, keptShape)].Add(Data[i]);
        }
        var outShape = keepDim ? keptShape : Shape.Where((_, i) => !ax.Contains(i)).ToArray();
        return new Nd(outShape, groups.Select(f).ToArray());
    }

    // ---- views and structure -------------------------------------------------------------------------------

    public Nd Reshape(int[] shape) => new(shape, Data);

    public Nd Permute(int[] dims)
    {
        var d = dims.Select(a => Axis(a, Rank)).ToArray();
        return Build(d.Select(a => Shape[a]).ToArray(), i =>
        {
            var src = new int[Rank];
            for (int k = 0; k < Rank; k++) src[d[k]] = i[k];
            return this[src];
        });
    }

    public Nd Transpose(int a, int b)
    {
        var p = Enumerable.Range(0, Rank).ToArray();
        (p[Axis(a, Rank)], p[Axis(b, Rank)]) = (p[Axis(b, Rank)], p[Axis(a, Rank)]);
        return Permute(p);
    }

    public Nd Narrow(int axis, int start, int length)
    {
        int a = Axis(axis, Rank);
        var shape = (int[])Shape.Clone();
        shape[a] = length;
        return Build(shape, i => { var s = (int[])i.Clone(); s[a] += start; return this[s]; });
    }

    public Nd Select(int axis, int index)
    {
        int a = Axis(axis, Rank);
        return Build(Shape.Where((_, i) => i != a).ToArray(), i =>
        {
            var s = i.ToList();
            s.Insert(a, index);
            return this[s.ToArray()];
        });
    }

    public Nd Pad(int[] pads, double value)
    {
        var before = new int[Rank];
        var shape = (int[])Shape.Clone();
        for (int k = 0; k < pads.Length / 2; k++)
        {
            before[Rank - 1 - k] = pads[2 * k];
            shape[Rank - 1 - k] += pads[2 * k] + pads[2 * k + 1];
        }
        return Build(shape, i =>
        {
            var s = new int[Rank];
            for (int d = 0; d < Rank; d++)
            {
                s[d] = i[d] - before[d];
                if (s[d] < 0 || s[d] >= Shape[d]) return value;
            }
            return this[s];
        });
    }

    public static Nd Concat(Nd[] parts, int axis)
    {
        int a = Axis(axis, parts[0].Rank);
        var shape = (int[])parts[0].Shape.Clone();
        shape[a] = parts.Sum(p => p.Shape[a]);
        return Build(shape, i =>
        {
            var s = (int[])i.Clone();
            foreach (var p in parts)
            {
                if (s[a] < p.Shape[a]) return p[s];
                s[a] -= p.Shape[a];
            }
            throw new InvalidOperationException("unreachable");
        });
    }

    // ---- arithmetic --------------------------------------------------------------------------------------

    /// <summary>numpy.matmul by its definition: 1-D operands promoted and the added dim removed, batch dims broadcast.</summary>
    public static Nd MatMul(Nd a, Nd b)
    {
        var a2 = a.Rank == 1 ? a.Reshape([1, a.Shape[0]]) : a;
        var b2 = b.Rank == 1 ? b.Reshape([b.Shape[0], 1]) : b;
        int m = a2.Shape[^2], k = a2.Shape[^1], n = b2.Shape[^1];
        var batch = BroadcastShape(a2.Shape[..^2], b2.Shape[..^2]);
        var batchA = new Nd(a2.Shape[..^2], new double[Count(a2.Shape[..^2])]);
        var batchB = new Nd(b2.Shape[..^2], new double[Count(b2.Shape[..^2])]);
        var c = Build([.. batch, m, n], i =>
        {
            var bi = i[..^2];
            int oa = batchA.Rank == 0 ? 0 : Ravel(Own(bi, batchA.Shape), batchA.Shape);
            int ob = batchB.Rank == 0 ? 0 : Ravel(Own(bi, batchB.Shape), batchB.Shape);
            double s = 0;
            for (int p = 0; p < k; p++) s += a2.Data[oa * m * k + i[^2] * k + p] * b2.Data[ob * k * n + p * n + i[^1]];
            return s;
        });
        var shape = c.Shape.ToList();
        if (b.Rank == 1) shape.RemoveAt(shape.Count - 1);
        if (a.Rank == 1) shape.RemoveAt(shape.Count - (b.Rank == 1 ? 1 : 2));
        return c.Reshape(shape.ToArray());
    }

    private static int[] Own(int[] idx, int[] shape)
    {
        int lead = idx.Length - shape.Length;
        return shape.Select((d, j) => d == 1 ? 0 : idx[j + lead]).ToArray();
    }

    /// <summary>softmax (or log-softmax) along an axis, from the definition with the max subtracted.</summary>
    public Nd Softmax(int axis, bool log)
    {
        int a = Axis(axis, Rank);
        return Build(Shape, i =>
        {
            var row = new double[Shape[a]];
            for (int j = 0; j < row.Length; j++) { var s = (int[])i.Clone(); s[a] = j; row[j] = this[s]; }
            double max = row.Max();
            double sum = row.Sum(v => Math.Exp(v - max));
            return log ? this[i] - max - Math.Log(sum) : Math.Exp(this[i] - max) / sum;
        });
    }

    /// <summary>Mean over rows of -Σ_c q_c log p_c with q = (1-ε) onehot(t) + ε/C.</summary>
    public static double CrossEntropy(Nd logits, int[] targets, double smoothing)
    {
        var logp = logits.Softmax(1, log: true);
        int n = logits.Shape[0], c = logits.Shape[1];
        double total = 0;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < c; j++)
            {
                double q = (j == targets[r] ? 1 - smoothing : 0) + smoothing / c;
                total -= q * logp[[r, j]];
            }
        return total / n;
    }

    public override string ToString() => $"{Shapes.Format(Shape)} {{{string.Join(", ", Data.Select(v => v.ToString("G6")))}}}";
}

/// <summary>Assertions shared by the engine tests.</summary>
public static class Expect
{
    /// <summary>Same shape and values within atol + rtol·|expected|.</summary>
    public static void Close(Tensor actual, Nd expected, double atol = 1e-12, double rtol = 1e-12, string what = "")
    {
        Assert.That(actual.ShapeCopy(), Is.EqualTo(expected.Shape), $"{what} shape");
        var v = actual.ToArray<double>();
        for (int i = 0; i < v.Length; i++)
        {
            double e = expected.Data[i];
            if (!Expect.Near(v[i], e, atol + rtol * Math.Abs(e)))
                Assert.Fail($"{what} element [{string.Join(", ", Nd.Unravel(i, expected.Shape))}]: got {v[i]:R}, expected {e:R}\nactual   {Nd.Of(actual)}\nexpected {expected}");
        }
    }

    /// <summary>|actual − expected| ≤ bound, where NaN matches only NaN and an infinity only itself (a plain
    /// comparison with a NaN is false, so a wrong NaN would pass a "differs by more than" test).</summary>
    public static bool Near(double actual, double expected, double bound) =>
        double.IsFinite(expected) ? double.IsFinite(actual) && Math.Abs(actual - expected) <= bound : actual.Equals(expected);

    /// <summary>Values equal bit for bit (views and copies must not change a single value).</summary>
    public static void Exact(Tensor actual, Nd expected, string what = "") => Close(actual, expected, 0, 0, what);

    /// <summary>GradCheck in float64 with the case's upstream-gradient seed.</summary>
    public static GradCheckResult Grad(string op, Func<Tensor[], Tensor> f, ulong seed, params Tensor[] inputs) =>
        GradCheck.Assert(op, f, inputs, new GradCheckOptions(Seed: seed));
}
