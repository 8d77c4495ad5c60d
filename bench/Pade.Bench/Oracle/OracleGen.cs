namespace Pade.Bench.Oracle;

/// <summary>Seeded random configurations: shapes with size-1 and odd dimensions, values kept off the kinks of
/// piecewise functions (where a central difference, or two libraries, may legitimately disagree).</summary>
public sealed class OracleGen(int seed)
{
    private readonly Random _r = new(seed);

    public int Int(int lo, int hi) => _r.Next(lo, hi + 1);
    public bool Coin(double p = 0.5) => _r.NextDouble() < p;
    public T Pick<T>(params T[] options) => options[_r.Next(options.Length)];

    public int[] Shape(int minRank = 1, int maxRank = 4, int maxDim = 7) =>
        Enumerable.Range(0, Int(minRank, maxRank)).Select(_ => Coin(0.2) ? 1 : Int(1, maxDim)).ToArray();

    public double[] Values(long n, double lo = -2, double hi = 2, double avoid = 1e-3)
    {
        var v = new double[n];
        for (long i = 0; i < n; i++)
        {
            double x;
            do x = lo + (hi - lo) * _r.NextDouble(); while (Math.Abs(x) < avoid);
            v[i] = x;
        }
        return v;
    }

    /// <summary>Distinct values in random order (max pooling and max reductions: no ties, whose gradient the two
    /// libraries may route to different elements).</summary>
    public double[] Distinct(long n)
    {
        var v = Enumerable.Range(0, (int)n).Select(i => (i - n / 2.0) * 0.01 + _r.NextDouble() * 0.001).ToArray();
        for (int i = v.Length - 1; i > 0; i--)
        {
            int j = _r.Next(i + 1);
            (v[i], v[j]) = (v[j], v[i]);
        }
        return v;
    }

    public OracleInput Input(string name, int[] shape, double lo = -2, double hi = 2, bool grad = true, double avoid = 1e-3) =>
        new(name, shape, Values(shape.Aggregate(1L, (a, b) => a * b), lo, hi, avoid), grad);

    public OracleInput Classes(string name, int[] shape, int classes) =>
        new(name, shape, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (double)_r.Next(classes)).ToArray(),
            Grad: false, Indices: true);

    public static string Fmt(int[] shape) => "[" + string.Join(",", shape) + "]";
}
