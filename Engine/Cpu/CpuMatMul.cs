using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

public sealed partial class CpuBackend
{
    /// <summary>Per-matrix work (m·n·k) below which a batch runs its matrices in parallel rather than each
    /// matrix's GEMM: small products cannot keep two cores busy on their own.</summary>
    private const long BatchParallelWork = 128L * 128 * 128;

    public override void MatMul(Tensor a, Tensor b, Tensor c, bool transA, bool transB, double beta = 0)
    {
        if (a.DType == DType.Float32) MatMul<float>(a, b, c, transA, transB, (float)beta);
        else MatMul<double>(a, b, c, transA, transB, beta);
        GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(c);   // see CpuBackend's remarks on lifetime
    }

    private static void MatMul<T>(Tensor a, Tensor b, Tensor c, bool transA, bool transB, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = c.ShapeArray[0], m = c.ShapeArray[1], n = c.ShapeArray[2];
        int k = transA ? a.ShapeArray[1] : a.ShapeArray[2];
        var aa = Array<T>(a); var ba = Array<T>(b); var ca = Array<T>(c);
        long ao = a.Offset, bo = b.Offset, co = c.Offset;
        void One(int i) =>
            Gemm.Multiply(transA, transB, m, n, k,
                aa.AsSpan((int)(ao + (long)i * m * k), m * k),
                ba.AsSpan((int)(bo + (long)i * k * n), k * n),
                ca.AsSpan((int)(co + (long)i * m * n), m * n), beta);
        long work = (long)m * n * k;
        if (batch > 1 && work < BatchParallelWork) CpuParallel.For(batch, One, work);
        else for (int i = 0; i < batch; i++) One(i);
    }
}
