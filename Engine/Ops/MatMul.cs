using Pade.Engine.Autograd;

namespace Pade.Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product as numpy.matmul: 1-D operands are promoted (and the added dim removed after), 2-D is the
    /// plain product, and leading batch dims broadcast. C = A B, dC/dA = G Bᵀ, dC/dB = Aᵀ G (summed over broadcast
    /// batch dims by the graph).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        Ops.CheckPair("matmul", a, b);
        Ops.CheckFloating("matmul", a);
        if (a.Rank == 0 || b.Rank == 0) throw new ArgumentException("matmul: both arguments need at least one dimension");
        // The dim added to a is the second-to-last of the result, or the last once b's added dim is gone too
        // (vector · vector is a scalar). Squeezing -2 unconditionally failed for 1-D @ 1-D.
        if (a.Rank == 1) return MatMul(a.Unsqueeze(0), b).Squeeze(b.Rank == 1 ? -1 : -2);
        if (b.Rank == 1) return MatMul(a, b.Unsqueeze(1)).Squeeze(-1);

        int m = a._shape[^2], k = a._shape[^1], k2 = b._shape[^2], n = b._shape[^1];
        if (k != k2)
            throw new ArgumentException($"matmul: inner dimensions differ: {Shapes.Format(a._shape)} @ {Shapes.Format(b._shape)} ({k} vs {k2})");
        var batch = Shapes.Broadcast("matmul", a._shape[..^2], b._shape[..^2]);
        int nb = (int)Shapes.Numel(batch);

        // A transposed operand (a view with unit stride along rows) is fed to the GEMM as-is instead of copied.
        var (a3, ta) = AsBatchedMatrix(a.BroadcastTo([.. batch, m, k]), nb, m, k);
        var (b3, tb) = AsBatchedMatrix(b.BroadcastTo([.. batch, k, n]), nb, k, n);
        var c = Empty([nb, m, n], a.DType, a.Device);
        a.Backend.MatMul(a3, b3, c, ta, tb);
        var y = c.Reshape([.. batch, m, n]);
        return Graph.Record(y, "matmul", [a, b], g => [MatMul(g, b.T), MatMul(a.T, g)], a, b);
    }

    /// <summary>Returns a packed [B, R, C] matrix stack, or its [B, C, R] transpose with the flag set.</summary>
    private static (Tensor, bool) AsBatchedMatrix(Tensor x, int nb, int r, int c)
    {
        var s = x._strides;
        int rank = x.Rank;
        bool rowMajor = (c == 1 || s[rank - 1] == 1) && (r == 1 || s[rank - 2] == c);
        bool colMajor = (r == 1 || s[rank - 2] == 1) && (c == 1 || s[rank - 1] == r);
        if (x.BatchPacked(r * c))
        {
            if (rowMajor) return (new Tensor(x.Storage, [nb, r, c], [r * c, c, 1], x.Offset), false);
            if (colMajor) return (new Tensor(x.Storage, [nb, c, r], [r * c, r, 1], x.Offset), true);
        }
        using var _ = NoGrad();
        return (x.Contiguous().Reshape(nb, r, c), false);
    }

    /// <summary>Whether the batch dims are packed back to back, one matrix every matrixSize elements.</summary>
    private bool BatchPacked(int matrixSize)
    {
        long expected = matrixSize;
        for (int i = Rank - 3; i >= 0; i--)
        {
            if (_shape[i] != 1 && _strides[i] != expected) return false;
            expected *= _shape[i];
        }
        return true;
    }
}
