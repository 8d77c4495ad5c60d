using Pade.Engine;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// Padé Activation Units (cuda/pau.cu): safe PAU (version A) F(x) = P(x) / (1 + Σ_k |b_k| |x|^k) with numerator
/// coefficients a [m + 1] and denominator coefficients b [n] shared by the whole tensor, forward and closed-form
/// backward, and the randomized RPAU. All tensors contiguous and of one float dtype.
/// </summary>
public sealed partial class CudaBackend
{
    private const string PauFile = "pau.cu";

    /// <summary>Highest degrees the generic PAU kernels take (pau.cu's PAU_MAXM, PAU_MAXN).</summary>
    public const int PauMaxDegree = 9;

    /// <summary>Most blocks a PAU backward pass uses: fixed so the coefficient sums do not depend on the GPU.</summary>
    internal const int PauMaxBlocks = 1024;

    /// <summary>y = P(x) / Q(x) elementwise.</summary>
    public void PauForward(Tensor x, Tensor a, Tensor b, Tensor y)
    {
        var (m, n) = CheckPau("PauForward", x, a, b, y);
        long count = x.Numel;
        if (count == 0) return;
        Launch1D(PauFile, PauKernel("pau", "forward", m, n, x.DType), count,
            PointerOf(x, "PauForward"), PointerOf(y, "PauForward"), count, PointerOf(a, "PauForward"), PointerOf(b, "PauForward"), m, n);
    }

    /// <summary>dx = dy·∂F/∂x; da_j = Σ dy·x^j/Q; db_k = −sign(b_k) Σ dy·P/Q²·|x|^k (written, not accumulated).</summary>
    public void PauBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db) =>
        Backward("PauBackward", "pau", x, a, b, dy, dx, da, db, []);

    /// <summary>RPAU in training: the PAU with every coefficient scaled per element by 1 + α(2u − 1), u from the
    /// noise stream (seed, offset) (see cuda/pau.cu for which number goes where).</summary>
    public void RpauForward(Tensor x, Tensor a, Tensor b, Tensor y, ulong seed, ulong offset, double alpha)
    {
        var (m, n) = CheckPau("RpauForward", x, a, b, y);
        long count = x.Numel;
        if (count == 0) return;
        Launch1D(PauFile, PauKernel("rpau", "forward", m, n, x.DType), count,
            PointerOf(x, "RpauForward"), PointerOf(y, "RpauForward"), count, PointerOf(a, "RpauForward"), PointerOf(b, "RpauForward"),
            m, n, seed, offset, Scalar(x.DType, alpha));
    }

    /// <summary>RPAU backward from the same noise (recomputed from the same Philox words, nothing stored).</summary>
    public void RpauBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db, ulong seed, ulong offset, double alpha) =>
        Backward("RpauBackward", "rpau", x, a, b, dy, dx, da, db, [seed, offset, Scalar(x.DType, alpha)]);

    private void Backward(string op, string family, Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db,
        ReadOnlySpan<KernelArg> noise)
    {
        var (m, n) = CheckPau(op, x, a, b, dx);
        CheckSame(op, x, dy);
        CheckSame(op, a, da);
        CheckSame(op, b, db);
        long count = x.Numel;
        int columns = m + 1 + n;
        int blocks = PauBlocks(count);
        using var partials = Scratch((long)blocks * columns, x.DType);
        Span<KernelArg> args = stackalloc KernelArg[12];
        int k = 0;
        args[k++] = PointerOf(x, op); args[k++] = PointerOf(dy, op); args[k++] = PointerOf(dx, op); args[k++] = partials.Pointer;
        args[k++] = count; args[k++] = PointerOf(a, op); args[k++] = PointerOf(b, op); args[k++] = m; args[k++] = n;
        foreach (var extra in noise) args[k++] = extra;
        // Stage 1: dx and one row of coefficient partials per block. Stage 2: one block per coefficient.
        CudaDevice.Launch(CudaDevice.GetKernel(PauFile, PauKernel(family, "backward", m, n, x.DType)), new Dim3((uint)blocks),
            Threads, 0, CuStream.Default, args[..k]);
        CudaDevice.Launch(CudaDevice.GetKernel(PauFile, "pau_coeff_reduce_" + Suffix(x.DType)), new Dim3((uint)columns),
            Threads, 0, CuStream.Default, partials.Pointer, blocks, PointerOf(da, op), PointerOf(db, op), PointerOf(b, op), m, n);
    }

    /// <summary>Blocks of the backward pass: one per 256 elements up to <see cref="PauMaxBlocks"/> (a function of
    /// the element count only, so results are the same on every GPU).</summary>
    internal static int PauBlocks(long count) => (int)Math.Clamp((count + Threads - 1) / Threads, 1, PauMaxBlocks);

    /// <summary>The entry point: the (5, 4) specialisation when the degrees are the paper's, else the generic one.</summary>
    internal static string PauKernel(string family, string pass, int m, int n, DType dtype) =>
        $"{family}{(m == 5 && n == 4 ? "54" : "")}_{pass}_{Suffix(dtype)}";

    private (int M, int N) CheckPau(string op, Tensor x, Tensor a, Tensor b, Tensor y)
    {
        RequireFloating(op, x);
        foreach (var t in (Tensor[])[x, a, b, y]) RequireContiguous(op, t);
        CheckSame(op, x, y);
        if (a.DType != x.DType || b.DType != x.DType)
            throw new ArgumentException($"{op}: coefficients are {a.DType.TorchName()} and {b.DType.TorchName()}, the input {x.DType.TorchName()}");
        int m = (int)a.Numel - 1, n = (int)b.Numel;
        if (m < 0 || m > PauMaxDegree || n < 1 || n > PauMaxDegree)
            throw new ArgumentException(
                $"{op}: {a.Numel} numerator and {n} denominator coefficients; the CUDA kernels take degrees m in [0, {PauMaxDegree}] (m + 1 numerator coefficients) and n in [1, {PauMaxDegree}]");
        return (m, n);
    }

    private static void CheckSame(string op, Tensor x, Tensor y)
    {
        if (x.DType != y.DType || !Shapes.SameShape(x.Shape, y.Shape))
            throw new ArgumentException($"{op}: {x.DType.TorchName()} {Shapes.Format(x.Shape)} and {y.DType.TorchName()} {Shapes.Format(y.Shape)} differ");
        RequireContiguous(op, y);
    }
}
