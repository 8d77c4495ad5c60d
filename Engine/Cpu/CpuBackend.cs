using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// The reference backend: every kernel written once over generic math (float and double), SIMD where it pays,
/// split across cores with <see cref="CpuParallel"/>. A CUDA kernel mirrors the method of the same name.
/// </summary>
/// <remarks>
/// Lifetime: a kernel works on the arrays behind its tensors. Once it has taken them, nothing may reference the
/// tensors any more (in <c>(x * 2).ToArray()</c> the product is garbage as soon as the copy starts), and a
/// collection can then run the storage finalizer, which returns the array to the <see cref="BufferPool{T}"/>
/// while the kernel is still reading it; another thread renting it would overwrite the data mid-kernel. Every
/// public kernel therefore ends with <c>GC.KeepAlive</c> on its tensors.
/// </remarks>
public sealed partial class CpuBackend : Backend
{
    public static readonly CpuBackend Instance = new();

    private CpuBackend() { }

    public override Device Device => Device.Cpu;

    /// <summary>Threads used by CPU kernels (same as <see cref="CpuParallel.Threads"/>).</summary>
    public static int Threads { get => CpuParallel.Threads; set => CpuParallel.Threads = value; }

    public override Storage Allocate(DType dtype, long length, bool zero) => dtype switch
    {
        DType.Float32 => new CpuStorage<float>(length, zero),
        DType.Float64 => new CpuStorage<double>(length, zero),
        _ => new CpuStorage<int>(length, zero),
    };

    /// <summary>The whole backing array of a CPU tensor (index with t.Offset and strides).</summary>
    public static T[] Array<T>(Tensor t) where T : unmanaged =>
        t.Storage is CpuStorage<T> s ? s.Array
            : throw new InvalidOperationException($"expected a CPU {DTypeExtensions.Of<T>().TorchName()} tensor, got {t.DType.TorchName()} on {t.Device}");

    /// <summary>The elements of a contiguous CPU tensor (an empty one has offset 0: see the Tensor constructor).</summary>
    public static Span<T> Span<T>(Tensor t) where T : unmanaged => Array<T>(t).AsSpan((int)t.Offset, (int)t.Numel);

    public override void Fill(Tensor y, double value)
    {
        switch (y.DType)
        {
            case DType.Float32: Span<float>(y).Fill((float)value); break;
            case DType.Float64: Span<double>(y).Fill(value); break;
            default: Span<int>(y).Fill((int)value); break;
        }
        GC.KeepAlive(y);
    }

    public override void Unary(UnaryOp op, Tensor x, Tensor y, double alpha = 0, double beta = 0)
    {
        if (x.DType == DType.Float32) Unary<float>(op, Span<float>(x), Span<float>(y), (float)alpha, (float)beta);
        else Unary<double>(op, Span<double>(x), Span<double>(y), alpha, beta);
        GC.KeepAlive(x); GC.KeepAlive(y);
    }

    private static void Unary<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: Pointwise.Map(x, y, new NegK<T>()); break;
            case UnaryOp.Exp: Pointwise.Map(x, y, new ExpK<T>()); break;
            case UnaryOp.Log: Pointwise.Map(x, y, new LogK<T>()); break;
            case UnaryOp.Sqrt: Pointwise.Map(x, y, new SqrtK<T>()); break;
            case UnaryOp.Abs: Pointwise.Map(x, y, new AbsK<T>()); break;
            case UnaryOp.Sign: Pointwise.Map(x, y, new SignK<T>()); break;
            case UnaryOp.Pow: Pointwise.Map(x, y, new PowK<T>(a)); break;
            case UnaryOp.Clamp: Pointwise.Map(x, y, new ClampK<T>(a, b)); break;
            case UnaryOp.Square: Pointwise.Map(x, y, new SquareK<T>()); break;
            case UnaryOp.Reciprocal: Pointwise.Map(x, y, new ReciprocalK<T>()); break;
            case UnaryOp.AddScalar: Pointwise.Map(x, y, new AddScalarK<T>(a)); break;
            case UnaryOp.MulScalar: Pointwise.Map(x, y, new MulScalarK<T>(a)); break;
            case UnaryOp.Sigmoid: Pointwise.Map(x, y, new SigmoidK<T>()); break;
            case UnaryOp.Tanh: Pointwise.Map(x, y, new TanhK<T>()); break;
            case UnaryOp.Relu: Pointwise.Map(x, y, new ReluK<T>()); break;
            case UnaryOp.Log1p: Pointwise.Map(x, y, new Log1pK<T>()); break;
            case UnaryOp.Expm1: Pointwise.Map(x, y, new Expm1K<T>()); break;
            case UnaryOp.Sin: Pointwise.Map(x, y, new SinK<T>()); break;
            case UnaryOp.Cos: Pointwise.Map(x, y, new CosK<T>()); break;
            case UnaryOp.Rsqrt: Pointwise.Map(x, y, new RsqrtK<T>()); break;
            case UnaryOp.Erf: Pointwise.Map(x, y, new ErfK<T>()); break;
            case UnaryOp.Floor: Pointwise.Map(x, y, new FloorK<T>()); break;
            case UnaryOp.Ceil: Pointwise.Map(x, y, new CeilK<T>()); break;
            case UnaryOp.Round: Pointwise.Map(x, y, new RoundK<T>()); break;
            case UnaryOp.Trunc: Pointwise.Map(x, y, new TruncK<T>()); break;
            case UnaryOp.Tan: Pointwise.Map(x, y, new TanK<T>()); break;
            case UnaryOp.Asin: Pointwise.Map(x, y, new AsinK<T>()); break;
            case UnaryOp.Acos: Pointwise.Map(x, y, new AcosK<T>()); break;
            case UnaryOp.Atan: Pointwise.Map(x, y, new AtanK<T>()); break;
            case UnaryOp.Sinh: Pointwise.Map(x, y, new SinhK<T>()); break;
            case UnaryOp.Cosh: Pointwise.Map(x, y, new CoshK<T>()); break;
            case UnaryOp.Asinh: Pointwise.Map(x, y, new AsinhK<T>()); break;
            case UnaryOp.Acosh: Pointwise.Map(x, y, new AcoshK<T>()); break;
            case UnaryOp.Atanh: Pointwise.Map(x, y, new AtanhK<T>()); break;
            case UnaryOp.Log2: Pointwise.Map(x, y, new Log2K<T>()); break;
            case UnaryOp.Log10: Pointwise.Map(x, y, new Log10K<T>()); break;
            case UnaryOp.Exp2: Pointwise.Map(x, y, new Exp2K<T>()); break;
            case UnaryOp.Erfc: Pointwise.Map(x, y, new ErfcK<T>()); break;
            case UnaryOp.Erfinv: Pointwise.Map(x, y, new ErfinvK<T>()); break;
            case UnaryOp.Lgamma: Pointwise.Map(x, y, new LgammaK<T>()); break;
            case UnaryOp.Digamma: Pointwise.Map(x, y, new DigammaK<T>()); break;
            case UnaryOp.Trigamma: Pointwise.Map(x, y, new TrigammaK<T>()); break;
            case UnaryOp.Frac: Pointwise.Map(x, y, new FracK<T>()); break;
            case UnaryOp.Sinc: Pointwise.Map(x, y, new SincK<T>()); break;
            case UnaryOp.Logit: Pointwise.Map(x, y, new LogitK<T>(a)); break;
            default: UnaryExtension<T>(op, x, y, a, b); break;
        }
    }

    public override void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha = 0, double beta = 0)
    {
        if (x.DType == DType.Float32)
            UnaryBackward<float>(op, Span<float>(x), Span<float>(y), Span<float>(dy), Span<float>(dx), (float)alpha, (float)beta);
        else UnaryBackward<double>(op, Span<double>(x), Span<double>(y), Span<double>(dy), Span<double>(dx), alpha, beta);
        GC.KeepAlive(x); GC.KeepAlive(y); GC.KeepAlive(dy); GC.KeepAlive(dx);
    }

    private static void UnaryBackward<T>(UnaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Sigmoid: Pointwise.MapBackward(x, y, dy, dx, new SigmoidK<T>()); break;
            case UnaryOp.Tanh: Pointwise.MapBackward(x, y, dy, dx, new TanhK<T>()); break;
            case UnaryOp.Relu: Pointwise.MapBackward(x, y, dy, dx, new ReluK<T>()); break;
            default: UnaryBackwardExtension<T>(op, x, y, dy, dx, a, b); break;
        }
    }

    // Activation families add their functors in other files of this partial class.
    static partial void UnaryExtensionImpl<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T a, T b, ref bool handled) where T : unmanaged, IFloatingPointIeee754<T>;
    static partial void UnaryBackwardExtensionImpl<T>(UnaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T a, T b, ref bool handled) where T : unmanaged, IFloatingPointIeee754<T>;

    private static void UnaryExtension<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool handled = false;
        UnaryExtensionImpl(op, x, y, a, b, ref handled);
        if (!handled) throw new NotSupportedException($"CPU backend has no kernel for unary op {op}");
    }

    private static void UnaryBackwardExtension<T>(UnaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool handled = false;
        UnaryBackwardExtensionImpl(op, x, y, dy, dx, a, b, ref handled);
        if (!handled) throw new NotSupportedException($"CPU backend has no backward kernel for unary op {op}");
    }

    public override void ToHost<T>(Tensor x, Span<T> dst)
    {
        var c = x.IsContiguous ? x : x.Clone();
        Span<T>(c).CopyTo(dst);
        GC.KeepAlive(x);
        if (!ReferenceEquals(c, x)) c.Dispose();     // the temporary copy goes back to the pool now (and lives until here)
    }

    public override void FromHost<T>(ReadOnlySpan<T> src, Tensor y)
    {
        src.CopyTo(Span<T>(y));
        GC.KeepAlive(y);
    }
}
