using NUnit.Framework;
using Pade.Engine;
using Pade.Tests.Generators;

namespace Pade.Tests.Engine;

/// <summary>numpy-style matmul: 2-D, batched, broadcast batch dims, 1-D operands, operands fed as transposed
/// views (the GEMM's transA/transB path), against a triple loop, and its gradients.</summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 100)]
public class MatMulProperties
{
    /// <summary>The tensor fed to the op: the operand itself, or its last two axes stored transposed and viewed
    /// back with .T (so the op sees a non-contiguous, column-major matrix).</summary>
    private static Tensor Stored(Spec s, bool transposed) => transposed ? s.Tensor().Transpose(-1, -2).Contiguous() : s.Tensor();

    private static Tensor Logical(Tensor stored, bool transposed) => transposed ? stored.T : stored;

    [FsCheck.NUnit.Property]
    public void MatMul(MatMulCase c)
    {
        var a = Logical(Stored(c.A, c.TransposedA), c.TransposedA);
        var b = Logical(Stored(c.B, c.TransposedB), c.TransposedB);
        Expect.Close(Tensor.MatMul(a, b), Nd.MatMul(Nd.Of(c.A), Nd.Of(c.B)), atol: 1e-12, rtol: 1e-12, what: "matmul");
        Expect.Grad($"matmul {c.Kind}", xs => Tensor.MatMul(Logical(xs[0], c.TransposedA), Logical(xs[1], c.TransposedB)), c.Seed,
            Stored(c.A, c.TransposedA), Stored(c.B, c.TransposedB));
    }

    [Test]
    public void VectorDotVectorIsAScalar()
    {
        var y = Tensor.MatMul(Tensor.FromArray([1.0, 2.0, 3.0]), Tensor.FromArray([4.0, 5.0, 6.0]));
        Assert.That(y.Rank, Is.EqualTo(0));
        Assert.That(y.Item(), Is.EqualTo(32.0));
    }
}
