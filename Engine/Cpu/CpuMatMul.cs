using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

public sealed partial class CpuBackend
{
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
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(transA, transB, m, n, k,
                aa.AsSpan((int)(a.Offset + (long)i * m * k), m * k),
                ba.AsSpan((int)(b.Offset + (long)i * k * n), k * n),
                ca.AsSpan((int)(c.Offset + (long)i * m * n), m * n), beta);
    }
}
