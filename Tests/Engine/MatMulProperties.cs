using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

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

    /// <summary>Operands that are views with offsets, gaps, zero strides or column-major layout: the op must
    /// either hand them to the GEMM as they are (packed or transposed) or copy them, never misread them.</summary>
    [FsCheck.NUnit.Property]
    public void MatMulOfStridedViews(MatMulCase c)
    {
        var r = new Random((int)c.Seed);
        var la = Layouts(c.A, r);
        var lb = Layouts(c.B, r);
        Expect.Close(Tensor.MatMul(la.View(c.A.Tensor()), lb.View(c.B.Tensor())), Nd.MatMul(Nd.Of(c.A), Nd.Of(c.B)), 1e-12, 1e-12, $"matmul of {la.Name} @ {lb.Name}");
        Expect.Grad($"matmul of {la.Name} @ {lb.Name}", xs => Tensor.MatMul(la.View(xs[0]), lb.View(xs[1])), c.Seed, c.A.Tensor(), c.B.Tensor());
    }

    /// <summary>A differentiable function of x whose value equals x but whose layout is unusual.</summary>
    private static (string Name, Func<Tensor, Tensor> View) Layouts(Spec s, Random r)
    {
        int rank = s.Rank;
        switch (r.Next(5))
        {
            case 0:     // embedded in a larger tensor: offset and row gaps
                return ("narrowed", x => x.Pad([1, 2]).Narrow(-1, 1, s.Shape[^1]));
            case 1:     // stored transposed (column-major matrix), viewed back
                return rank < 2 ? ("plain", x => x) : ("column-major", x => x.Transpose(-1, -2).Contiguous().Transpose(-1, -2));
            case 2:     // packed, but starting 3 elements into its storage
                return ("offset", x => x.Reshape(-1).Pad([3, 0]).Narrow(0, 3, s.Numel).Reshape(s.Shape));
            case 3:     // batch dims permuted (non-packed batch)
                return rank < 4 ? ("plain", x => x) : ("permuted batch", x => x.Transpose(0, 1).Contiguous().Transpose(0, 1));
            default:
                return ("plain", x => x);
        }
    }

    [Test]
    public void VectorDotVectorIsAScalar()
    {
        var y = Tensor.MatMul(Tensor.FromArray([1.0, 2.0, 3.0]), Tensor.FromArray([4.0, 5.0, 6.0]));
        Assert.That(y.Rank, Is.EqualTo(0));
        Assert.That(y.Item(), Is.EqualTo(32.0));
    }
}
