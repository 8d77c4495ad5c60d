using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// torch.cdist(x1, x2, p): the p-norm distance between each row of x1 [B…, P, M] and each row of x2 [B…, R, M], an
    /// [B…, P, R] tensor, the batch dims broadcast. p = 0 counts differing coordinates, p = ∞ is the largest |difference|,
    /// any p ≥ 0. Computed directly on the differences (PyTorch's path for p ≠ 2 and for p = 2 with at most 25 rows per
    /// side; its matrix-product path for larger Euclidean inputs differs only by rounding), with PyTorch's backward
    /// (<see cref="PairDistance"/>).
    /// </summary>
    public static Tensor Cdist(Tensor x1, Tensor x2, double p = 2)
    {
        const string op = "cdist";
        Ops.CheckPair(op, x1, x2);
        if (!x1.DType.IsFloating()) throw new ArgumentException($"{op}: only supports floating-point dtypes, X1 got: {x1.DType.TorchName()}");
        if (x1.Rank < 2) throw new ArgumentException($"{op}: only supports at least 2D tensors, X1 got: {x1.Rank}D (shape {Shapes.Format(x1.Shape)})");
        if (x2.Rank < 2) throw new ArgumentException($"{op}: only supports at least 2D tensors, X2 got: {x2.Rank}D (shape {Shapes.Format(x2.Shape)})");
        if (x1.Size(-1) != x2.Size(-1))
            throw new ArgumentException($"{op}: X1 and X2 must have the same number of columns. X1: {x1.Size(-1)} X2: {x2.Size(-1)}");
        if (!(p >= 0)) throw new ArgumentException($"{op}: only supports non-negative p values, got {p}");
        var diff = x1.Unsqueeze(-2) - x2.Unsqueeze(-3);   // [B…, P, R, M]
        return PairDistance(diff, p);
    }

    /// <summary>
    /// torch.nn.functional.pdist(input, p): the p-norm distance between every pair of rows i &lt; j of the [N, M]
    /// input, in row-major order of the pairs (N(N−1)/2 values), as the upper triangle of cdist(input, input). The
    /// gradient is PyTorch's (<see cref="PairDistance"/>).
    /// </summary>
    public static Tensor Pdist(Tensor input, double p = 2)
    {
        const string op = "pdist";
        if (input.Rank != 2) throw new ArgumentException($"{op}: only supports 2D tensors, got: {input.Rank}D (shape {Shapes.Format(input.Shape)})");
        if (!input.DType.IsFloating()) throw new ArgumentException($"{op}: only supports floating-point dtypes, got: {input.DType.TorchName()}");
        if (!(p >= 0)) throw new ArgumentException($"{op}: only supports non-negative p values, got {p}");
        int n = input.Size(0);
        var first = new List<int>();
        var second = new List<int>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) { first.Add(i); second.Add(j); }
        var a = Tensor.FromArray(first.ToArray(), first.Count).To(input.Device);
        var b = Tensor.FromArray(second.ToArray(), second.Count).To(input.Device);
        return PairDistance(input.IndexSelect(0, a) - input.IndexSelect(0, b), p);
    }

    /// <summary>
    /// The p-norm of the differences <paramref name="diff"/> over the last dim, one recorded node whose backward is
    /// ATen's cdist/pdist backward (Distance.cpp), which differs from <see cref="VectorNorm(Tensor, double, int?, bool)"/>'s
    /// at its non-smooth points: for p = ∞ every coordinate whose |d| equals the distance gets the full gradient (not a
    /// share), and for p &lt; 1 a zero difference gets 0. Per coordinate d, with distance r and upstream g:
    /// p = 0: 0; p = 1: g·sign d; p = 2: g·d/r; p = ∞: g·sign d·[|d| = r]; p &lt; 2: g·sign d·|d|^(p−1)/r^(p−1);
    /// p &gt; 2: g·d·|d|^(p−2)/r^(p−1); 0 wherever r = 0. An empty last dim gives distance 0.
    /// </summary>
    private static Tensor PairDistance(Tensor diff, double p)
    {
        if (diff.Size(-1) == 0) return diff.Sum(-1);
        Tensor dist;
        using (Tensor.NoGrad()) dist = VectorNorm(diff, p, -1, keepDim: false);
        var d = diff.Detach();
        return Graph.Record(dist, "cdist", [diff], g => [PairDistanceBackward(d, dist, g, p)], d, dist);
    }

    private static Tensor PairDistanceBackward(Tensor diff, Tensor dist, Tensor g, double p)
    {
        if (p == 0) return diff.ZerosLike();
        var gr = g.Unsqueeze(-1);
        var r = dist.Unsqueeze(-1);
        if (p == 1) return gr * diff.Sign();
        if (double.IsPositiveInfinity(p)) return gr * diff.Sign() * diff.Abs().Eq(r);
        var zero = diff.ZerosLike();
        var rZero = r.Eq(r.ZerosLike());
        var safeR = Tensor.Where(rZero, r.OnesLike(), r);
        Tensor value;
        if (p == 2) value = gr * diff / safeR;
        else if (p < 2)
        {
            value = diff.Sign() * diff.Abs().Pow(p - 1) * gr / safeR.Pow(p - 1);
            if (p < 1) value = Tensor.Where(diff.Eq(zero), zero, value);
        }
        else value = diff * diff.Abs().Pow(p - 2) * gr / safeR.Pow(p - 1);
        return Tensor.Where(rZero, zero, value);
    }
}
