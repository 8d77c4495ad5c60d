namespace Pade.Engine;

/// <summary>Elementwise functions of one input. Activation ops append theirs here; alpha/beta carry parameters.</summary>
public enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Abs, Sign, Pow, Clamp, Square, Reciprocal, AddScalar, MulScalar,
    Sigmoid, Tanh, Relu,
    // Activations (Engine/Functional/Activations.Pointwise.cs documents each formula; alpha/beta as noted):
    Relu6,
    /// <summary>alpha = negative slope.</summary>
    LeakyRelu,
    /// <summary>alpha = α.</summary>
    Elu,
    /// <summary>alpha = α (nonzero).</summary>
    Celu,
    /// <summary>alpha = β, beta = threshold.</summary>
    Softplus,
    /// <summary>Swish x·σ(βx); alpha = β (1 for SiLU).</summary>
    Silu,
    /// <summary>Exact GELU x·Φ(x) with Φ from erf.</summary>
    Gelu,
    /// <summary>GELU's tanh approximation.</summary>
    GeluTanh,
    Mish,
    /// <summary>alpha = min_val, beta = max_val.</summary>
    Hardtanh,
    // Core functions added after the activations, so that the codes the .cu files share stay as they were:
    /// <summary>log(1 + x), accurate for small x.</summary>
    Log1p,
    /// <summary>eˣ − 1, accurate for small x.</summary>
    Expm1,
    // torch's sin, cos, rsqrt, erf and its four roundings, appended in turn:
    Sin,
    Cos,
    /// <summary>1/√x.</summary>
    Rsqrt,
    Erf,
    Floor,
    Ceil,
    /// <summary>To the nearest integer, halves to even (torch.round).</summary>
    Round,
    /// <summary>Toward zero.</summary>
    Trunc,
    // torch's trigonometric, hyperbolic, logarithmic and special functions (Engine/Ops/Elementwise.MoreMath.cs), appended:
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Asinh,
    Acosh,
    Atanh,
    Log2,
    Log10,
    /// <summary>2ˣ.</summary>
    Exp2,
    /// <summary>1 − erf x, accurate in the right tail.</summary>
    Erfc,
    Erfinv,
    /// <summary>ln |Γ(x)|.</summary>
    Lgamma,
    /// <summary>ψ(x) = Γ'(x)/Γ(x), as PyTorch's calc_digamma.</summary>
    Digamma,
    /// <summary>ψ'(x) (torch.polygamma(1, x)), digamma's derivative.</summary>
    Trigamma,
    /// <summary>x − trunc(x).</summary>
    Frac,
    /// <summary>sin(πx)/(πx), 1 at 0.</summary>
    Sinc,
    /// <summary>ln(x/(1 − x)); alpha = eps: x clamped to [eps, 1 − eps] first, no clamp when eps &lt; 0 (torch's None).</summary>
    Logit,
}

/// <summary>Elementwise functions of two broadcast inputs; comparisons give 1 or 0 in the inputs' dtype.</summary>
public enum BinaryOp
{
    Add, Sub, Mul, Div, Maximum, Minimum, Greater, GreaterEqual, Equal, Less,
    // Appended (Engine/Ops/Elementwise.Binary.cs): a comparison, then torch's binary math functions.
    NotEqual,
    /// <summary>aᵇ (torch.pow with a tensor exponent).</summary>
    Pow,
    Atan2,
    /// <summary>√(a² + b²) without overflow.</summary>
    Hypot,
    /// <summary>a − ⌊a/b⌋·b: the sign of b (Python's %).</summary>
    Remainder,
    /// <summary>a − trunc(a/b)·b: the sign of a (C's fmod).</summary>
    Fmod,
    /// <summary>⌊a/b⌋, as PyTorch's div_floor.</summary>
    FloorDivide,
    /// <summary>a·ln b, 0 where a = 0 (unless b is NaN).</summary>
    Xlogy,
    /// <summary>|a| with the sign of b.</summary>
    Copysign,
    /// <summary>ln(eᵃ + eᵇ).</summary>
    LogAddExp,
}

/// <summary>Sum, max, min and product reduce and scan; LogSumExp (log(eᵃ + eᵇ), stable) is a scan op only
/// (torch.logcumsumexp), which <see cref="Backend.Reduce"/> refuses.</summary>
public enum ReduceOp { Sum, Max, Min, Prod, LogSumExp }

public enum Distribution { Uniform, Normal, Bernoulli }

/// <summary>
/// The kernels one device provides. Ops in Pade.Engine compute shapes, check arguments and record autograd; they
/// call these methods for the arithmetic, on the backend of their inputs' device. Output tensors arrive allocated
/// and contiguous; inputs may be any strided view unless a method says otherwise. The CPU backend is the reference;
/// a CUDA kernel mirrors the CPU method of the same name.
/// </summary>
public abstract partial class Backend
{
    public abstract Device Device { get; }

    /// <summary>Allocates storage; contents are undefined unless <paramref name="zero"/>.</summary>
    public abstract Storage Allocate(DType dtype, long length, bool zero);

    /// <summary>y[i] = value for every element of the contiguous tensor y.</summary>
    public abstract void Fill(Tensor y, double value);

    /// <summary>y = x elementwise, for x and y any strided views of the same shape (dtype may differ: a conversion).</summary>
    public abstract void Copy(Tensor x, Tensor y);

    /// <summary>y = op(x) elementwise, for contiguous x and y of the same shape.</summary>
    public abstract void Unary(UnaryOp op, Tensor x, Tensor y, double alpha = 0, double beta = 0);

    /// <summary>dx = dy * op'(x) elementwise (y = op(x) may be used where cheaper), all contiguous.</summary>
    public abstract void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha = 0, double beta = 0);

    /// <summary>y = a op b, for a and b broadcast views (strides may be 0) of y's shape.</summary>
    public abstract void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary>y = cond != 0 ? a : b for broadcast views of y's shape.</summary>
    public abstract void Where(Tensor cond, Tensor a, Tensor b, Tensor y);

    /// <summary>y = reduction of contiguous x over the sorted axes; y has x's shape with those axes set to 1.</summary>
    public abstract void Reduce(ReduceOp op, Tensor x, int[] axes, Tensor y);

    /// <summary>Inclusive scan of contiguous x along axis into contiguous y of the same shape, with any op (Max and Min
    /// propagate NaN, LogSumExp is log(eᵃ + eᵇ) computed stably, with −∞ as its identity):
    /// y[.., k, ..] = x[.., 0, ..] ⊕ … ⊕ x[.., k, ..], or from the end (x[.., k, ..] ⊕ … ⊕ x[.., n−1, ..]) when
    /// <paramref name="reverse"/>; <paramref name="exclusive"/> leaves out x[.., k, ..] itself (the identity at the
    /// first position). Terms are combined one after another in scan order, on every device.</summary>
    public abstract void Scan(ReduceOp op, Tensor x, int axis, Tensor y, bool reverse, bool exclusive);

    /// <summary>y (Int32) = index of the first maximum of contiguous x along axis; y has x's shape with axis set to 1.</summary>
    public abstract void ArgMax(Tensor x, int axis, Tensor y);

    /// <summary>c[b] = op(a[b]) @ op(b[b]) for contiguous 3-D a [B, M, K] (or [B, K, M] when transA),
    /// b [B, K, N] (or [B, N, K] when transB), c [B, M, N]; beta = 1 accumulates into c.</summary>
    public abstract void MatMul(Tensor a, Tensor b, Tensor c, bool transA, bool transB, double beta = 0);

    /// <summary>Fills contiguous y from the counter-based generator: element i uses Philox words (seed, offset + i...).</summary>
    public abstract void Random(Tensor y, Distribution d, ulong seed, ulong offset, double p1, double p2);

    /// <summary>Softmax or log-softmax of contiguous x over its last axis.</summary>
    public abstract void Softmax(Tensor x, Tensor y, bool log);

    /// <summary>Per row of logits [N, C] and Int32 targets [N]: loss[n] = -(1-s) logp[t] - s/C Σ_c logp[c],
    /// probs = softmax(logits) kept for the backward pass.</summary>
    public abstract void CrossEntropy(Tensor logits, Tensor targets, double smoothing, Tensor loss, Tensor probs);

    /// <summary>y [N, C] = one-hot rows of Int32 indices [N] with on/off values.</summary>
    public abstract void OneHot(Tensor indices, Tensor y, double on, double off);

    /// <summary>Copies a tensor's elements to a host array (in its logical row-major order).</summary>
    public abstract void ToHost<T>(Tensor x, Span<T> dst) where T : unmanaged;

    /// <summary>Writes host elements into a contiguous tensor on this device.</summary>
    public abstract void FromHost<T>(ReadOnlySpan<T> src, Tensor y) where T : unmanaged;

    private static readonly Dictionary<DeviceType, Backend> Registry = new() { [DeviceType.Cpu] = CpuBackend.Instance };

    /// <summary>Backends other than the CPU's register here when their assembly initialises (Pade.Kernels for CUDA).</summary>
    public static void Register(Backend backend)
    {
        lock (Registry) Registry[backend.Device.Type] = backend;
    }

    /// <summary>Hook for a backend to register itself lazily the first time its device is asked for.</summary>
    public static Func<Device, Backend?>? Resolver { get; set; }

    public static Backend For(Device device)
    {
        lock (Registry)
        {
            if (Registry.TryGetValue(device.Type, out var b)) return b;
        }
        var resolved = Resolver?.Invoke(device);
        if (resolved != null) { Register(resolved); return resolved; }
        throw new InvalidOperationException(
            $"no backend for device {device}: reference Pade.Kernels and call CudaBackend.Register() (or use Device.Cpu)");
    }
}
