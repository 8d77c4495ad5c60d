using Pade.Engine;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>
/// Padé Activation Units (cuda/pau.cu): F(x) = P(x)/Q(x) in versions A (safe), B/D and C, coefficients shared by
/// the whole tensor or one set per channel, optional RPAU noise; forward and closed-form backward with the
/// coefficient gradients reduced per block and then across blocks (no atomics, deterministic).
/// </summary>
public sealed partial class CudaBackend
{
    /// <summary>Most coefficients per polynomial the generic PAU kernels take (pau.cu's PAU_MAXA, PAU_MAXB).</summary>
    public const int PauMaxCoefficients = PauKernels.MaxCoefficients;

    /// <summary>The denominator formulas of pau.cu (version D computes B's).</summary>
    public enum PauFormula { A = 0, B = 1, C = 2 }

    /// <summary>Elements per block of a channel the PAU kernels aim for, and the cap on blocks per call.</summary>
    internal const int PauElementsPerBlock = 2048, PauMaxBlocks = 1024;

    /// <summary>Safe PAU (version A) with coefficients a [m + 1], b [n] shared by all elements: y = P(x)/Q(x).</summary>
    public void PauForward(Tensor x, Tensor a, Tensor b, Tensor y) =>
        PauForward(PauFormula.A, x, a, b, y, 1, 1, x.Numel, 0, 0, 0);

    /// <summary>dx = dy·∂F/∂x; da_j = Σ dy·x^j/Q; db_k = −sgn(b_k) Σ dy·P/Q²·|x|^k (written, not accumulated).</summary>
    public void PauBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db) =>
        PauBackward(PauFormula.A, x, dy, a, b, dx, da, db, 1, 1, x.Numel, 0, 0, 0);

    /// <summary>RPAU (version A) in training: every coefficient of element i scaled by 1 + α(2u − 1), u from the
    /// noise stream (seed, offset) (see cuda/pau.cu for which number goes where).</summary>
    public void RpauForward(Tensor x, Tensor a, Tensor b, Tensor y, ulong seed, ulong offset, double alpha) =>
        PauForward(PauFormula.A, x, a, b, y, 1, 1, x.Numel, alpha, seed, offset);

    /// <summary>RPAU backward from the same noise (the same Philox words, recomputed: nothing is stored).</summary>
    public void RpauBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db, ulong seed, ulong offset, double alpha) =>
        PauBackward(PauFormula.A, x, dy, a, b, dx, da, db, 1, 1, x.Numel, alpha, seed, offset);

    /// <summary>
    /// The general forward: x viewed as [outer, channels, inner], coefficient row c of a [channels, na] and
    /// b [channels, nb] for channel c; alpha &gt; 0 adds the RPAU noise of stream (seed, offset).
    /// </summary>
    public void PauForward(PauFormula formula, Tensor x, Tensor a, Tensor b, Tensor y, long outer, int channels, long inner,
        double alpha, ulong seed, ulong offset)
    {
        var (na, nb) = CheckPau("PauForward", formula, x, a, b, y, outer, channels, inner);
        if (x.Numel == 0) return;
        int pieces = PauPieces(outer * inner, channels);
        PauKernels.For(formula, backward: false, na, nb, alpha, x.DType).Launch(CudaDevice, new Dim3((uint)channels, (uint)pieces),
            PointerOf(x, "PauForward"), PointerOf(y, "PauForward"), PointerOf(a, "PauForward"), PointerOf(b, "PauForward"),
            na, nb, outer, channels, inner, seed, offset, alpha);
    }

    /// <summary>The general backward (layout and noise as <see cref="PauForward(PauFormula, Tensor, Tensor, Tensor, Tensor, long, int, long, double, ulong, ulong)"/>):
    /// dx, and da [channels, na], db [channels, nb] summed over each channel's elements.</summary>
    public void PauBackward(PauFormula formula, Tensor x, Tensor dy, Tensor a, Tensor b, Tensor dx, Tensor da, Tensor db,
        long outer, int channels, long inner, double alpha, ulong seed, ulong offset)
    {
        const string op = "PauBackward";
        var (na, nb) = CheckPau(op, formula, x, a, b, dx, outer, channels, inner);
        CheckSame(op, x, dy);
        CheckSame(op, a, da);
        CheckSame(op, b, db);
        int pieces = PauPieces(outer * inner, channels), k = na + nb;
        using var partials = Scratch((long)channels * pieces * k, DType.Float64);
        if (x.Numel == 0)
        {
            Fill(da, 0);
            Fill(db, 0);
            return;
        }
        // Stage 1: dx and one row of coefficient partials per block. Stage 2: one block per coefficient and channel.
        PauKernels.For(formula, backward: true, na, nb, alpha, x.DType).Launch(CudaDevice, new Dim3((uint)channels, (uint)pieces),
            PointerOf(x, op), PointerOf(dy, op), PointerOf(dx, op), partials.Pointer, PointerOf(a, op), PointerOf(b, op),
            na, nb, outer, channels, inner, seed, offset, alpha);
        PauKernels.CoeffReduce[x.DType].Launch(CudaDevice, new Dim3((uint)channels, (uint)k), partials.Pointer, pieces, PointerOf(b, op), PointerOf(da, op), PointerOf(db, op), na, nb, (int)formula);
    }

    /// <summary>Blocks per channel: one per <see cref="PauElementsPerBlock"/> elements, at most
    /// <see cref="PauMaxBlocks"/> over all channels. A function of the shape only, so the coefficient sums come out
    /// the same on every GPU.</summary>
    internal static int PauPieces(long elementsPerChannel, int channels) =>
        (int)Math.Clamp((elementsPerChannel + PauElementsPerBlock - 1) / PauElementsPerBlock, 1, Math.Max(1, PauMaxBlocks / channels));

    private (int Na, int Nb) CheckPau(string op, PauFormula formula, Tensor x, Tensor a, Tensor b, Tensor y, long outer, int channels, long inner)
    {
        RequireFloating(op, x);
        foreach (var t in (Tensor[])[x, a, b, y]) RequireContiguous(op, t);
        CheckSame(op, x, y);
        if (a.DType != x.DType || b.DType != x.DType)
            throw new ArgumentException($"{op}: coefficients are {a.DType.TorchName()} and {b.DType.TorchName()}, the input {x.DType.TorchName()}");
        if (channels < 1 || outer * channels * inner != x.Numel)
            throw new ArgumentException($"{op}: layout [{outer}, {channels}, {inner}] does not describe {x.Numel} elements");
        if (a.Numel % channels != 0 || b.Numel % channels != 0)
            throw new ArgumentException($"{op}: coefficients {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)} are not {channels} rows");
        int na = (int)(a.Numel / channels), nb = (int)(b.Numel / channels);
        if (na < 1 || na > PauMaxCoefficients || nb > PauMaxCoefficients || (formula == PauFormula.C && nb < 1))
            throw new NotSupportedException(
                $"{op}: {na} numerator and {nb} denominator coefficients per channel; the CUDA kernels take 1 to {PauMaxCoefficients} of each");
        return (na, nb);
    }

    private static void CheckSame(string op, Tensor x, Tensor y)
    {
        if (x.DType != y.DType || !Shapes.SameShape(x.Shape, y.Shape))
            throw new ArgumentException($"{op}: {x.DType.TorchName()} {Shapes.Format(x.Shape)} and {y.DType.TorchName()} {Shapes.Format(y.Shape)} differ");
        RequireContiguous(op, y);
    }
}
