namespace Pade.Engine;

/// <summary>
/// Random creation ops beyond Rand/Randn/Bernoulli: torch.randint, randperm, multinomial, normal and the *_like
/// forms. All draw their uniforms from Pade's counter-based generator (<see cref="Generator.Default"/> unless one
/// is given), so <see cref="ManualSeed"/> makes them reproducible; values do not match libtorch's (another
/// generator). Where the result is integral or depends on the data (multinomial), the uniforms come to the host
/// and the result is built there, as <see cref="Unique"/> does. None has a gradient (as PyTorch).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>Uniform float64 draws in [0, 1) on the host.</summary>
    private static double[] HostUniforms(long count, Generator? generator)
    {
        if (count == 0) return [];
        using var _ = NoGrad();
        return Rand([checked((int)count)], 0, 1, DType.Float64, Device.Cpu, generator).ToArray<double>();
    }

    /// <summary>torch.randint(low, high, size): integers uniform in [low, high), int32 (PyTorch's default is int64).</summary>
    public static Tensor Randint(long low, long high, int[] shape, Device? device = null, Generator? generator = null)
    {
        if (low >= high)
            throw new ArgumentException($"randint: random_ expects 'from' to be less than 'to', but got from={low} >= to={high}");
        if (low < int.MinValue || high - 1 > int.MaxValue)
            throw new ArgumentException($"randint: [{low}, {high}) does not fit the int32 result");
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"randint: negative dimension in shape {Shapes.Format(shape)}");
        var u = HostUniforms(Shapes.Numel(shape), generator);
        long range = high - low;
        // u · range < range always (u < 1), so floor stays in [0, range - 1]; the Min guards rounding at 2^53 ranges.
        var r = u.Select(x => (int)(low + Math.Min(range - 1, (long)Math.Floor(x * range)))).ToArray();
        return FromSpan<int>(r, (int[])shape.Clone(), device);
    }

    /// <summary>torch.randint(high, size): integers uniform in [0, high).</summary>
    public static Tensor Randint(long high, int[] shape, Device? device = null, Generator? generator = null) =>
        Randint(0, high, shape, device, generator);

    /// <summary>torch.randperm: a random permutation of 0 … n − 1 (int32), the order of n uniform keys.</summary>
    public static Tensor Randperm(int n, Device? device = null, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"randperm: n must be non-negative, got {n}");
        var keys = HostUniforms(n, generator);
        var perm = Enumerable.Range(0, n).ToArray();
        // Stable order on the keys: ties (probability ~n²/2^53) keep index order, still a permutation.
        Array.Sort(keys, perm);
        return FromSpan<int>(perm, [n], device);
    }

    /// <summary>
    /// torch.multinomial: <paramref name="numSamples"/> category indices (int32) per row of <paramref name="probs"/>
    /// (1-D: one distribution, 2-D: one per row; weights need not sum to 1). With replacement each draw inverts the
    /// cumulative weights; without, PyTorch's exponential trick: the categories of the numSamples largest p / E
    /// (E ~ Exp(1)), which is sequential sampling without replacement in distribution.
    /// </summary>
    public Tensor Multinomial(int numSamples, bool replacement = false, Generator? generator = null)
    {
        if (Rank is not (1 or 2)) throw new ArgumentException($"multinomial: prob_dist must be 1 or 2 dim, got shape {Shapes.Format(_shape)}");
        if (!DType.IsFloating()) throw new ArgumentException($"multinomial: only supports floating-point dtypes for input, got {DType.TorchName()}");
        if (numSamples <= 0) throw new ArgumentException($"multinomial: cannot sample n_sample <= 0 samples (got {numSamples})");
        int rows = Rank == 1 ? 1 : _shape[0], cats = _shape[^1];
        if (!replacement && numSamples > cats)
            throw new ArgumentException($"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement ({numSamples} > {cats})");
        if (cats == 0) throw new ArgumentException("multinomial: number of categories cannot be zero");
        double[] p;
        using (NoGrad()) p = Detach().To(DType.Float64).ToArray<double>();
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cats; c++)
            {
                double v = p[r * cats + c];
                if (!double.IsFinite(v) || v < 0) throw new ArgumentException("multinomial: probability tensor contains either `inf`, `nan` or element < 0");
                sum += v;
            }
            if (sum <= 0) throw new ArgumentException("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
        }
        var result = new int[rows * numSamples];
        if (replacement)
        {
            var u = HostUniforms((long)rows * numSamples, generator);
            var cdf = new double[cats];
            for (int r = 0; r < rows; r++)
            {
                double acc = 0;
                for (int c = 0; c < cats; c++) cdf[c] = acc += p[r * cats + c];
                for (int s = 0; s < numSamples; s++)
                {
                    double t = u[r * numSamples + s] * acc;
                    // First category whose cumulative weight exceeds t; zero-weight categories are never chosen.
                    int lo = 0, hi = cats - 1;
                    while (lo < hi) { int mid = (lo + hi) / 2; if (cdf[mid] > t) hi = mid; else lo = mid + 1; }
                    result[r * numSamples + s] = lo;
                }
            }
        }
        else
        {
            var u = HostUniforms((long)rows * cats, generator);
            var keys = new double[cats];
            var idx = new int[cats];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cats; c++)
                {
                    // E = −log(1 − u) ~ Exp(1), finite since u < 1; a zero weight has key 0 and comes last.
                    keys[c] = -(p[r * cats + c] / -Math.Log(1 - u[r * cats + c]));
                    idx[c] = c;
                }
                Array.Sort(keys, idx); // ascending on −key: largest p / E first
                Array.Copy(idx, 0, result, r * numSamples, numSamples);
            }
        }
        return FromSpan<int>(result, Rank == 1 ? [numSamples] : [rows, numSamples], Device);
    }

    /// <summary>torch.normal(mean, std) with tensors: one draw per element of their broadcast shape, in their promoted
    /// dtype, on mean's device. Not differentiable here (PyTorch gives mean a zero gradient and std none).</summary>
    public static Tensor Normal(Tensor mean, Tensor std, Generator? generator = null)
    {
        CheckStd(std);
        var shape = Shapes.Broadcast("normal", mean.ShapeCopy(), std.ShapeCopy());
        using var _ = NoGrad();
        var dtype = mean.DType.Promote(std.DType);
        if (!dtype.IsFloating()) throw new ArgumentException($"normal: expects floating-point mean and std, got {mean.DType.TorchName()} and {std.DType.TorchName()}");
        var z = Randn(shape, 0, 1, dtype, mean.Device, generator);
        return z * std.Detach().To(dtype) + mean.Detach().To(dtype);
    }

    /// <summary>torch.normal(mean, std) with a tensor mean and a scalar std.</summary>
    public static Tensor Normal(Tensor mean, double std = 1, Generator? generator = null)
    {
        if (!(std >= 0)) throw new ArgumentException($"normal: expects std >= 0.0, but found std {std}");
        if (!mean.DType.IsFloating()) throw new ArgumentException($"normal: expects a floating-point mean, got {mean.DType.TorchName()}");
        using var _ = NoGrad();
        return Randn(mean.ShapeCopy(), 0, std, mean.DType, mean.Device, generator) + mean.Detach();
    }

    /// <summary>torch.normal(mean, std) with a scalar mean and a tensor std.</summary>
    public static Tensor Normal(double mean, Tensor std, Generator? generator = null)
    {
        CheckStd(std);
        if (!std.DType.IsFloating()) throw new ArgumentException($"normal: expects a floating-point std, got {std.DType.TorchName()}");
        using var _ = NoGrad();
        return Randn(std.ShapeCopy(), 0, 1, std.DType, std.Device, generator) * std.Detach() + mean;
    }

    /// <summary>torch.normal(mean, std, size) with scalars: the same as <see cref="Randn"/>.</summary>
    public static Tensor Normal(double mean, double std, int[] size, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (!(std >= 0)) throw new ArgumentException($"normal: expects std >= 0.0, but found std {std}");
        return Randn(size, mean, std, dtype, device, generator);
    }

    private static void CheckStd(Tensor std)
    {
        if (std.Numel == 0) return;
        double min;
        using (NoGrad()) min = std.Detach().To(DType.Float64).ToArray<double>().Min();
        if (!(min >= 0)) throw new ArgumentException($"normal: expects all elements of std >= 0.0, found {min}");
    }

    /// <summary>torch.rand_like: uniform in [0, 1) (or [low, high)) with this tensor's shape, dtype and device.</summary>
    public Tensor RandLike(double low = 0, double high = 1, Generator? generator = null) =>
        Rand(_shape, low, high, DType, Device, generator);

    /// <summary>torch.randn_like: standard normal with this tensor's shape, dtype and device.</summary>
    public Tensor RandnLike(Generator? generator = null) => Randn(_shape, 0, 1, DType, Device, generator);

    /// <summary>torch.randint_like(input, low, high): integers in [low, high) with this tensor's shape and device, as
    /// int32 values in this tensor's dtype (PyTorch keeps the input's dtype).</summary>
    public Tensor RandintLike(long low, long high, Generator? generator = null)
    {
        var r = Randint(low, high, _shape, Device, generator);
        return DType == DType.Int32 ? r : r.To(DType);
    }

    /// <summary>torch.randint_like(input, high): integers in [0, high).</summary>
    public Tensor RandintLike(long high, Generator? generator = null) => RandintLike(0, high, generator);
}
