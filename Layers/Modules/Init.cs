using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// Parameter initialisers (torch.nn.init), drawing from the Philox generator given (or the default one). Each
/// fills its tensor in place without recording autograd and returns it. Values are computed on the host in float64
/// (drawn from the generator on the CPU, so a seed gives the same values on every device) and copied in, rounded
/// once to the tensor's dtype.
/// </summary>
public static class Init
{
    /// <summary>
    /// PyTorch's default for Linear and Conv2d: kaiming_uniform_(a = √5), i.e. U(−bound, bound) with
    /// bound = gain·√(3/fan_in), gain = √(2/(1 + a²)) = √(1/3), which is bound = 1/√fan_in. The bias uses the
    /// same bound. fan_in = in_features, or in_channels/groups · kH · kW for a convolution.
    /// </summary>
    public static Tensor DefaultUniform(int[] shape, int fanIn, Generator? generator = null)
    {
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        return Tensor.Rand(shape, -bound, bound, DType.Float32, null, generator);
    }

    private static readonly string[] LinearFns =
        ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];

    /// <summary>torch.nn.init.calculate_gain: the recommended gain for a nonlinearity (linear, conv*, sigmoid → 1,
    /// tanh → 5/3, relu → √2, leaky_relu → √(2/(1 + slope²)) with <paramref name="param"/> the slope, 0.01 by
    /// default, selu → 3/4).</summary>
    public static double CalculateGain(string nonlinearity, double? param = null)
    {
        if (Array.IndexOf(LinearFns, nonlinearity) >= 0 || nonlinearity == "sigmoid") return 1;
        switch (nonlinearity)
        {
            case "tanh": return 5.0 / 3;
            case "relu": return Math.Sqrt(2.0);
            case "leaky_relu":
                double slope = param ?? 0.01;
                if (!double.IsFinite(slope)) throw new ArgumentException($"negative_slope {slope} not a valid number", nameof(param));
                return Math.Sqrt(2.0 / (1 + slope * slope));
            case "selu": return 3.0 / 4;
            default: throw new ArgumentException($"Unsupported nonlinearity {nonlinearity}", nameof(nonlinearity));
        }
    }

    /// <summary>PyTorch's _calculate_fan_in_and_fan_out: fan_in = size(1)·receptive field, fan_out = size(0)·receptive
    /// field, the receptive field being the product of the dimensions after the first two.</summary>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        if (tensor.Rank < 2)
            throw new ArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", nameof(tensor));
        int receptive = 1;
        for (int i = 2; i < tensor.Rank; i++) receptive *= tensor.Size(i);
        return (tensor.Size(1) * receptive, tensor.Size(0) * receptive);
    }

    private static int CorrectFan(Tensor tensor, string mode)
    {
        var m = mode.ToLowerInvariant();
        if (m != "fan_in" && m != "fan_out")
            throw new ArgumentException($"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']", nameof(mode));
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return m == "fan_in" ? fanIn : fanOut;
    }

    // ---- host helpers ------------------------------------------------------------------------------------------

    private static double[] DrawUniform(long n, double low, double high, Generator? g) =>
        Tensor.Rand([checked((int)n)], low, high, DType.Float64, Device.Cpu, g).ToArray<double>();

    private static double[] DrawNormal(long n, double mean, double std, Generator? g) =>
        Tensor.Randn([checked((int)n)], mean, std, DType.Float64, Device.Cpu, g).ToArray<double>();

    /// <summary>Copies host values into the tensor (any dtype and device) outside autograd.</summary>
    private static Tensor Write(Tensor tensor, double[] values)
    {
        using (Tensor.NoGrad())
            tensor.CopyFrom(Tensor.FromArray(values, tensor.ShapeCopy()).To(tensor.DType).To(tensor.Device));
        return tensor;
    }

    // ---- plain fills ---------------------------------------------------------------------------------------------

    /// <summary>torch.nn.init.uniform_: U(a, b).</summary>
    public static Tensor Uniform(Tensor tensor, double a = 0, double b = 1, Generator? generator = null) =>
        Write(tensor, DrawUniform(tensor.Numel, a, b, generator));

    /// <summary>torch.nn.init.normal_: N(mean, std²).</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null) =>
        Write(tensor, DrawNormal(tensor.Numel, mean, std, generator));

    /// <summary>torch.nn.init.trunc_normal_: N(mean, std²) truncated to [a, b], by PyTorch's inverse-CDF method
    /// (uniform between the CDF at a and at b, through erfinv, clamped to [a, b] against rounding).</summary>
    public static Tensor TruncNormal(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
    {
        static double NormCdf(double x) => (1 + SpecialFunctions.Erf(x / Math.Sqrt(2))) / 2;
        double l = NormCdf((a - mean) / std), u = NormCdf((b - mean) / std);
        var v = DrawUniform(tensor.Numel, 2 * l - 1, 2 * u - 1, generator);
        for (int i = 0; i < v.Length; i++)
            v[i] = Math.Clamp(SpecialFunctions.Erfinv(v[i]) * std * Math.Sqrt(2) + mean, a, b);
        return Write(tensor, v);
    }

    /// <summary>torch.nn.init.constant_: every element <paramref name="val"/>.</summary>
    public static Tensor Constant(Tensor tensor, double val)
    {
        using (Tensor.NoGrad()) tensor.CopyFrom(Tensor.Scalar(val, tensor.DType, tensor.Device));
        return tensor;
    }

    /// <summary>torch.nn.init.ones_.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>torch.nn.init.zeros_.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>torch.nn.init.eye_: the identity on a 2-D tensor (ones on the main diagonal of a rectangle).</summary>
    public static Tensor Eye(Tensor tensor)
    {
        if (tensor.Rank != 2) throw new ArgumentException("Only tensors with 2 dimensions are supported", nameof(tensor));
        int r = tensor.Size(0), c = tensor.Size(1);
        var v = new double[(long)r * c];
        for (int i = 0; i < Math.Min(r, c); i++) v[(long)i * c + i] = 1;
        return Write(tensor, v);
    }

    /// <summary>torch.nn.init.dirac_: a 3/4/5-D convolution weight that passes its input through (a one at the
    /// spatial centre, size/2 per dimension, of [g·out/groups + d, d] for d below min(out/groups, in)).</summary>
    public static Tensor Dirac(Tensor tensor, int groups = 1)
    {
        int dims = tensor.Rank;
        if (dims is < 3 or > 5) throw new ArgumentException("Only tensors with 3, 4, or 5 dimensions are supported", nameof(tensor));
        if (groups < 1 || tensor.Size(0) % groups != 0) throw new ArgumentException("dim 0 must be divisible by groups", nameof(groups));
        var shape = tensor.ShapeCopy();
        int outPerGroup = shape[0] / groups, minDim = Math.Min(outPerGroup, shape[1]);
        // PyTorch indexes the centre of every spatial dimension, which fails on an empty one when a one is to be set.
        for (int i = 2; i < dims && minDim > 0; i++)
            if (shape[i] == 0) throw new ArgumentException($"dirac: index 0 is out of bounds for dimension {i} with size 0", nameof(tensor));
        long spatial = 1, centre = 0;
        for (int i = 2; i < dims; i++) { spatial *= shape[i]; centre = centre * shape[i] + shape[i] / 2; }
        var v = new double[tensor.Numel];
        for (int g = 0; g < groups; g++)
            for (int d = 0; d < minDim; d++)
                v[((long)(g * outPerGroup + d) * shape[1] + d) * spatial + centre] = 1;
        return Write(tensor, v);
    }

    // ---- scaled by fans ------------------------------------------------------------------------------------------

    /// <summary>torch.nn.init.xavier_uniform_: U(−a, a), a = gain·√(6/(fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        double a = Math.Sqrt(3.0) * gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Uniform(tensor, -a, a, generator);
    }

    /// <summary>torch.nn.init.xavier_normal_: N(0, std²), std = gain·√(2/(fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>torch.nn.init.kaiming_uniform_: U(−bound, bound), bound = gain·√(3/fan), gain =
    /// CalculateGain(nonlinearity, a), fan by <paramref name="mode"/>. A tensor with no elements is left alone.</summary>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        if (tensor.Numel == 0) return tensor;  // PyTorch warns "Initializing zero-element tensors is a no-op"
        double bound = Math.Sqrt(3.0) * CalculateGain(nonlinearity, a) / Math.Sqrt(CorrectFan(tensor, mode));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>torch.nn.init.kaiming_normal_: N(0, std²), std = gain/√fan.</summary>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        if (tensor.Numel == 0) return tensor;
        double std = CalculateGain(nonlinearity, a) / Math.Sqrt(CorrectFan(tensor, mode));
        return Normal(tensor, 0, std, generator);
    }

    // ---- structured ----------------------------------------------------------------------------------------------

    /// <summary>torch.nn.init.orthogonal_: the Q of a QR of a normal (rows × numel/rows) matrix, sign-corrected so R's
    /// diagonal is positive (PyTorch's q·sign(diag r)), transposed when rows &lt; cols, times <paramref name="gain"/>.</summary>
    public static Tensor Orthogonal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        if (tensor.Rank < 2) throw new ArgumentException("Only tensors with 2 or more dimensions are supported", nameof(tensor));
        if (tensor.Numel == 0) return tensor;
        int rows = tensor.Size(0), cols = (int)(tensor.Numel / rows);
        var flat = DrawNormal(tensor.Numel, 0, 1, generator);
        bool t = rows < cols;
        int m = t ? cols : rows, n = t ? rows : cols;   // QR of an m × n matrix, m ≥ n
        // Column j of the (possibly transposed) matrix, as contiguous vectors for the Gram-Schmidt below.
        var q = new double[n][];
        for (int j = 0; j < n; j++)
        {
            q[j] = new double[m];
            for (int i = 0; i < m; i++) q[j][i] = t ? flat[(long)j * cols + i] : flat[(long)i * cols + j];
        }
        // Classical Gram-Schmidt applied twice ("twice is enough") is orthogonal to rounding; its R has a positive
        // diagonal, which is the unique QR that PyTorch's sign correction of Householder's Q arrives at.
        for (int j = 0; j < n; j++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[k][i] * q[j][i];
                    for (int i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
                }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[j][i] * q[j][i];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++) q[j][i] /= norm;
        }
        var v = new double[tensor.Numel];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++)
                v[t ? (long)j * cols + i : (long)i * cols + j] = gain * q[j][i];
        return Write(tensor, v);
    }

    /// <summary>torch.nn.init.sparse_: a 2-D tensor drawn from N(0, std²) with, in each column, ⌈sparsity·rows⌉
    /// rows picked at random set to zero.</summary>
    public static Tensor Sparse(Tensor tensor, double sparsity, double std = 0.01, Generator? generator = null)
    {
        if (tensor.Rank != 2) throw new ArgumentException("Only tensors with 2 dimensions are supported", nameof(tensor));
        int rows = tensor.Size(0), cols = tensor.Size(1);
        int numZeros = (int)Math.Ceiling(sparsity * rows);
        var v = DrawNormal(tensor.Numel, 0, std, generator);
        // A random permutation of the rows per column: sort uniform keys (ties have probability ~2⁻⁵³).
        var keys = DrawUniform(tensor.Numel, 0, 1, generator);
        var order = new int[rows];
        var colKeys = new double[rows];
        for (int c = 0; c < cols; c++)
        {
            for (int r = 0; r < rows; r++) { order[r] = r; colKeys[r] = keys[(long)r * cols + c]; }
            Array.Sort(colKeys, order);
            for (int z = 0; z < Math.Min(numZeros, rows); z++) v[(long)order[z] * cols + c] = 0;
        }
        return Write(tensor, v);
    }
}
