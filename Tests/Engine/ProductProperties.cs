using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>Random operands for the products: sizes 0..4 per dim, values in [−2, 2].</summary>
public sealed record ProductCase(Spec[] Operands, int Dim, double Beta, double Alpha, ulong Seed)
{
    public override string ToString() => $"{string.Join(" | ", Operands.Select(o => o.ToString()))}, dim {Dim}, beta {Beta}, alpha {Alpha}, seed {Seed}";
}

public static class ProductGen
{
    private static readonly Gen<int> Size = Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (3, Gen.Choose(2, 4)));
    private static readonly Gen<double> Value = EngineGen.Uniform(-2, 2);

    private static Gen<Spec> Of(int[] shape) => EngineGen.Values(shape, Value);

    /// <summary>Operands of the given shapes (dims named by letters shared between shapes), plus beta, alpha, seed.</summary>
    public static Gen<ProductCase> Shapes(string[] shapes) =>
        from sizes in Gen.ArrayOf(Size, 26)
        from ops in Gen.CollectToArray(shapes.Select(s => Of(s.Select(ch => sizes[ch - 'a']).ToArray())))
        from dim in Gen.Choose(-3, 2)
        from beta in Gen.Elements(0.0, 1.0, -0.5)
        from alpha in Gen.Elements(1.0, 2.5)
        from seed in EngineGen.Seed
        select new ProductCase(ops, dim, beta, alpha, seed);
}

/// <summary>
/// outer, dot, vdot, mv, mm, bmm, addmm, addmv, addbmm, baddbmm, cross, kron and tensordot against plain float64 loops,
/// and their gradients against central differences, on random sizes (0 and 1 included).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class ProductProperties
{
    /// <summary>Σ_k a[.., i, k] b[.., k, j] as a loop over the last two dims of [B, n, m] and [B, m, p].</summary>
    private static Nd BatchedProduct(Nd a, Nd b)
    {
        int nb = a.Shape[0], n = a.Shape[1], m = a.Shape[2], p = b.Shape[2];
        return Nd.Build([nb, n, p], idx =>
        {
            double s = 0;
            for (int k = 0; k < m; k++) s += a[[idx[0], idx[1], k]] * b[[idx[0], k, idx[2]]];
            return s;
        });
    }

    private static void Check(string what, Tensor actual, Nd expected, Func<Tensor[], Tensor> f, ProductCase c)
    {
        Expect.Close(actual, expected, atol: 1e-12, rtol: 1e-12, what: what);
        Expect.Grad(what, f, c.Seed, [.. c.Operands.Select(o => o.Tensor())]);
    }

    [FsCheck.NUnit.Property]
    public Property OuterDotMv() => Prop.ForAll(ProductGen.Shapes(["a", "b", "a", "ba"]).ToArbitrary(), c =>
    {
        Nd u = Nd.Of(c.Operands[0]), v = Nd.Of(c.Operands[1]), w = Nd.Of(c.Operands[2]), m = Nd.Of(c.Operands[3]);
        int na = u.Shape[0], nb = v.Shape[0];
        Check("outer", Tensor.Outer(c.Operands[0].Tensor(), c.Operands[1].Tensor()), Nd.Build([na, nb], i => u[[i[0]]] * v[[i[1]]]), xs => xs[0].Outer(xs[1]), c);
        double dot = Enumerable.Range(0, na).Sum(i => u[[i]] * w[[i]]);
        Check("dot", c.Operands[0].Tensor().Dot(c.Operands[2].Tensor()), new Nd([], [dot]), xs => Tensor.Dot(xs[0], xs[2]), c);
        Check("vdot", Tensor.Vdot(c.Operands[0].Tensor(), c.Operands[2].Tensor()), new Nd([], [dot]), xs => xs[0].Vdot(xs[2]), c);
        var mv = Nd.Build([nb], i => Enumerable.Range(0, na).Sum(k => m[[i[0], k]] * u[[k]]));
        Check("mv", c.Operands[3].Tensor().Mv(c.Operands[0].Tensor()), mv, xs => Tensor.Mv(xs[3], xs[0]), c);
        var addmv = Nd.Build([nb], i => c.Beta * v[[i[0]]] + c.Alpha * mv[[i[0]]]);
        Check("addmv", Tensor.Addmv(c.Operands[1].Tensor(), c.Operands[3].Tensor(), c.Operands[0].Tensor(), c.Beta, c.Alpha), addmv,
            xs => xs[1].Addmv(xs[3], xs[0], c.Beta, c.Alpha), c);
    });

    [FsCheck.NUnit.Property]
    public Property MmBmmAndTheirAdds() => Prop.ForAll(ProductGen.Shapes(["ab", "bc", "ac", "c", "dab", "dbc", "dac"]).ToArbitrary(), c =>
    {
        Nd a = Nd.Of(c.Operands[0]), b = Nd.Of(c.Operands[1]), x = Nd.Of(c.Operands[2]), row = Nd.Of(c.Operands[3]);
        Nd ba = Nd.Of(c.Operands[4]), bb = Nd.Of(c.Operands[5]), bx = Nd.Of(c.Operands[6]);
        var mm = BatchedProduct(a.Reshape([1, .. a.Shape]), b.Reshape([1, .. b.Shape])).Reshape([a.Shape[0], b.Shape[1]]);
        Check("mm", Tensor.Mm(c.Operands[0].Tensor(), c.Operands[1].Tensor()), mm, xs => xs[0].Mm(xs[1]), c);
        Check("addmm", Tensor.Addmm(c.Operands[2].Tensor(), c.Operands[0].Tensor(), c.Operands[1].Tensor(), c.Beta, c.Alpha),
            Nd.Zip(x, mm, (p, q) => c.Beta * p + c.Alpha * q), xs => xs[2].Addmm(xs[0], xs[1], c.Beta, c.Alpha), c);
        // A [p] input broadcasts over the rows.
        Check("addmm (broadcast input)", Tensor.Addmm(c.Operands[3].Tensor(), c.Operands[0].Tensor(), c.Operands[1].Tensor(), c.Beta, c.Alpha),
            Nd.Build(mm.Shape, i => c.Beta * row[[i[1]]] + c.Alpha * mm[i]), xs => Tensor.Addmm(xs[3], xs[0], xs[1], c.Beta, c.Alpha), c);
        var bmm = BatchedProduct(ba, bb);
        Check("bmm", Tensor.Bmm(c.Operands[4].Tensor(), c.Operands[5].Tensor()), bmm, xs => xs[4].Bmm(xs[5]), c);
        Check("baddbmm", Tensor.Baddbmm(c.Operands[6].Tensor(), c.Operands[4].Tensor(), c.Operands[5].Tensor(), c.Beta, c.Alpha),
            Nd.Zip(bx, bmm, (p, q) => c.Beta * p + c.Alpha * q), xs => xs[6].Baddbmm(xs[4], xs[5], c.Beta, c.Alpha), c);
        var summed = bmm.Reduce([0], keepDim: false, l => l.Sum());
        Check("addbmm", Tensor.Addbmm(c.Operands[2].Tensor(), c.Operands[4].Tensor(), c.Operands[5].Tensor(), c.Beta, c.Alpha),
            Nd.Zip(x, summed, (p, q) => c.Beta * p + c.Alpha * q), xs => xs[2].Addbmm(xs[4], xs[5], c.Beta, c.Alpha), c);
    });

    /// <summary>β = 0 ignores the input, NaN included, as PyTorch.</summary>
    [Test]
    public void BetaZeroIgnoresNaN()
    {
        var input = Tensor.Full([2, 2], double.NaN, DType.Float64);
        var eye = Tensor.FromArray([1.0, 0, 0, 1], 2, 2);
        input.RequiresGrad = true;
        var y = Tensor.Addmm(input, eye, eye, beta: 0);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, 0, 1 }));
        y.Sum().Backward();
        Assert.That(input.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));   // β·g, as PyTorch (not "no gradient")
    }

    [FsCheck.NUnit.Property]
    public Property Cross() => Prop.ForAll(ProductGen.Shapes(["ab", "ab"]).ToArbitrary(), c =>
    {
        // Shapes [a, b] with one dim replaced by 3 for the cross product, the other broadcast (size 1 on one side now and then).
        var sa = c.Operands[0].Shape;
        int d = c.Dim & 1;
        int other = sa[1 - d];
        int[] shapeA = d == 0 ? [3, other] : [other, 3];
        int[] shapeB = (int[])shapeA.Clone();
        if (c.Beta == 0) shapeB[1 - d] = 1;
        var rng = new Random((int)(c.Seed % int.MaxValue));
        Spec A = new(shapeA, [.. Enumerable.Range(0, Nd.Count(shapeA)).Select(_ => rng.NextDouble() * 4 - 2)]);
        Spec B = new(shapeB, [.. Enumerable.Range(0, Nd.Count(shapeB)).Select(_ => rng.NextDouble() * 4 - 2)]);
        Nd a = Nd.Of(A), b = Nd.Of(B).BroadcastTo(shapeA);
        int dim = d == 0 ? -2 : 1;
        var expected = Nd.Build(shapeA, idx =>
        {
            int k = idx[d];
            int[] I(int j) { var t = (int[])idx.Clone(); t[d] = j; return t; }
            int k1 = (k + 1) % 3, k2 = (k + 2) % 3;
            return a[I(k1)] * b[I(k2)] - a[I(k2)] * b[I(k1)];
        });
        Expect.Close(Tensor.Cross(A.Tensor(), B.Tensor(), dim), expected, 1e-12, 1e-12, "cross");
        Expect.Grad("cross", xs => xs[0].Cross(xs[1], dim), c.Seed, A.Tensor(), B.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Kron() => Prop.ForAll(ProductGen.Shapes(["ab", "cde"]).ToArbitrary(), c =>
    {
        Nd a = Nd.Of(c.Operands[0]), b = Nd.Of(c.Operands[1]);
        // Pad to rank 3 with leading 1s; out[i·b_d + j] = a[i]·b[j] per dim.
        var pa = a.Reshape([1, .. a.Shape]);
        var shape = pa.Shape.Zip(b.Shape, (p, q) => p * q).ToArray();
        var expected = Nd.Build(shape, idx => pa[[.. idx.Select((v, i) => v / b.Shape[i])]] * b[[.. idx.Select((v, i) => v % b.Shape[i])]]);
        Check("kron", Tensor.Kron(c.Operands[0].Tensor(), c.Operands[1].Tensor()), expected, xs => xs[0].Kron(xs[1]), c);
    });

    [FsCheck.NUnit.Property]
    public Property Tensordot() => Prop.ForAll(ProductGen.Shapes(["abc", "cbd", "bad"]).ToArbitrary(), c =>
    {
        Nd a = Nd.Of(c.Operands[0]), b = Nd.Of(c.Operands[1]), e = Nd.Of(c.Operands[2]);
        int na = a.Shape[0], nb = a.Shape[1], nc = a.Shape[2], nd = b.Shape[2];
        // dims = 1: a's last (c) with b's first (c), as an int.
        var one = Nd.Build([na, nb, nb, nd], i => Enumerable.Range(0, nc).Sum(k => a[[i[0], i[1], k]] * b[[k, i[2], i[3]]]));
        Check("tensordot(1)", Tensor.Tensordot(c.Operands[0].Tensor(), c.Operands[1].Tensor(), 1), one, xs => Tensor.Tensordot(xs[0], xs[1], 1), c);
        // Pairs: a's (b, c) = dims (1, −1) with b's (1, 0).
        var pairs = Nd.Build([na, nd], i =>
        {
            double s = 0;
            for (int j = 0; j < nb; j++) for (int k = 0; k < nc; k++) s += a[[i[0], j, k]] * b[[k, j, i[1]]];
            return s;
        });
        Check("tensordot(pairs)", Tensor.Tensordot(c.Operands[0].Tensor(), c.Operands[1].Tensor(), [1, -1], [1, 0]), pairs,
            xs => Tensor.Tensordot(xs[0], xs[1], [1, -1], [1, 0]), c);
        // dims = 0 is the outer product; dims = 3 over equal shapes a full contraction.
        Expect.Close(Tensor.Tensordot(c.Operands[2].Tensor(), c.Operands[2].Tensor(), 3), new Nd([], [e.Data.Sum(v => v * v)]), 1e-12, 1e-12, "tensordot(3)");
        Assert.That(Tensor.Tensordot(c.Operands[0].Tensor(), c.Operands[2].Tensor(), 0).ShapeCopy(), Is.EqualTo(new[] { na, nb, nc, nb, na, nd }));
    });

    /// <summary>PyTorch's conditions and messages.</summary>
    [Test]
    public void BadInputs()
    {
        Tensor M(params int[] s) => Tensor.Zeros(s, DType.Float64);
        Assert.That(() => Tensor.Dot(M(3), M(4)), Throws.ArgumentException.With.Message.Contains("inconsistent tensor size, expected tensor [3] and src [4]"));
        Assert.That(() => Tensor.Dot(M(2, 3), M(3)), Throws.ArgumentException.With.Message.Contains("1D tensors expected, but got 2D and 1D tensors"));
        Assert.That(() => Tensor.Dot(M(3), Tensor.Zeros(3)), Throws.ArgumentException.With.Message.Contains("expected both vectors to have same dtype"));
        Assert.That(() => Tensor.Outer(M(2, 2), M(2)), Throws.ArgumentException.With.Message.Contains("outer: expected 1-D argument self, but got 2-D"));
        Assert.That(() => Tensor.Mv(M(2, 3), M(4)), Throws.ArgumentException.With.Message.Contains("size mismatch, got input (2), mat (2x3), vec (4)"));
        Assert.That(() => Tensor.Mv(M(3), M(3)), Throws.ArgumentException.With.Message.Contains("vector + matrix @ vector expected, got 1, 1, 1"));
        Assert.That(() => Tensor.Mm(M(2, 3), M(4, 5)), Throws.ArgumentException.With.Message.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"));
        Assert.That(() => Tensor.Mm(M(2, 3, 1), M(3, 5)), Throws.ArgumentException.With.Message.Contains("self must be a matrix"));
        Assert.That(() => Tensor.Bmm(M(2, 3), M(2, 3, 4)), Throws.ArgumentException.With.Message.Contains("self must be a 3D tensor"));
        Assert.That(() => Tensor.Bmm(M(2, 2, 3), M(1, 3, 4)), Throws.ArgumentException.With.Message.Contains("Expected size for first two dimensions of mat2 tensor to be: [2, 3] but got: [1, 3]"));
        Assert.That(() => Tensor.Baddbmm(M(3, 2, 4), M(2, 2, 3), M(2, 3, 4)), Throws.ArgumentException.With.Message.Contains("does not broadcast"));
        Assert.That(() => Tensor.Addmm(M(3), M(2, 3), M(3, 4)), Throws.ArgumentException.With.Message.Contains("addmm"));
        Assert.That(() => Tensor.Cross(M(4), M(4)), Throws.ArgumentException.With.Message.Contains("linalg.cross: inputs dimension -1 must have length 3. Got 4 and 4"));
        Assert.That(() => Tensor.Cross(M(2, 3), M(3)), Throws.ArgumentException.With.Message.Contains("inputs must have the same number of dimensions"));
        Assert.That(() => Tensor.Tensordot(M(2, 3), M(4, 2), [1], [0]), Throws.ArgumentException.With.Message.Contains("contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 0"));
        var ones = Tensor.Ones([2, 1], DType.Float64);
        Assert.That(Tensor.Tensordot(ones, Tensor.Ones([3, 4], DType.Float64), [1], [0]).ToArray<double>(), Is.All.EqualTo(3.0));   // size 1 broadcasts
        Assert.That(() => Tensor.Tensordot(M(2, 3), M(3, 2), [1, 0], [0]), Throws.ArgumentException.With.Message.Contains("both dimension lists should have same length"));
        Assert.That(() => Tensor.Tensordot(M(2, 3), M(3, 2), -1), Throws.ArgumentException.With.Message.Contains("expects dims >= 0, but got dims=-1"));
    }
}
