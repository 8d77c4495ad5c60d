using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// masked_fill, amax/amin, argmin, all and any against float64 loops (NaNs in masks and inputs, ties, empty dims),
/// the differentiable ones against central differences too, and the bad inputs of every tensor op with PyTorch's
/// messages.
/// </summary>
[FsCheck.NUnit.Properties(MaxTest = 60)]
public class TensorOpsReductionProperties
{
    private static int Ax(int dim, int rank) => rank == 0 ? 0 : dim < 0 ? dim + rank : dim;

    [FsCheck.NUnit.Property]
    public Property MaskedFill() => Prop.ForAll(TensorOpsGen.Mask.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.X.Shape, c.Mask.Shape);
        var x = Nd.Of(c.X).BroadcastTo(shape);
        var m = Nd.Of(c.Mask).BroadcastTo(shape);
        // bool(v) in Python: true for any nonzero, NaN included.
        var expected = Nd.Build(shape, idx => m[idx] != 0 || double.IsNaN(m[idx]) ? c.Value : x[idx]);
        var mask = c.Mask.Tensor();
        Expect.Exact(c.X.Tensor().MaskedFill(mask, c.Value), expected, "masked_fill");
        Expect.Exact(c.X.Tensor().MaskedFill(mask.To(DType.Float32), c.Value), expected, "masked_fill with a float32 mask");
        Expect.Grad("masked_fill", xs => xs[0].MaskedFill(mask, 0.5), c.Seed, c.X.Tensor());
        // The 0-d value tensor gets the gradient summed where the mask holds.
        Expect.Grad("masked_fill value", xs => xs[0].MaskedFill(mask, xs[1]), c.Seed, c.X.Tensor(), Tensor.Scalar(0.75, DType.Float64));
    });

    [FsCheck.NUnit.Property]
    public Property AmaxAndAmin() => Prop.ForAll(TensorOpsGen.Extreme.ToArbitrary(), c =>
    {
        bool keepDim = c.More[0] == 1, ties = c.More[1] == 1, amin = c.Flag;
        var x = Nd.Of(c.X);
        var axes = c.Args.Length == 0 ? Enumerable.Range(0, c.X.Rank).ToArray() : c.Args.Select(d => Ax(d, c.X.Rank)).ToArray();
        var expected = x.Reduce(axes, keepDim, v => amin ? v.Min() : v.Max());
        Func<Tensor, Tensor> f = amin ? t => t.Amin(c.Args, keepDim) : t => t.Amax(c.Args, keepDim);
        Expect.Exact(f(c.X.Tensor()), expected, amin ? "amin" : "amax");
        if (!ties) Expect.Grad(amin ? "amin" : "amax", xs => f(xs[0]), c.Seed, c.X.Tensor());
        // The gradient of the sum: 1/count at each element equal to its slice's extreme (PyTorch's even split).
        var leaf = c.X.Tensor();
        leaf.RequiresGrad = true;
        f(leaf).Sum().Backward();
        var kept = x.Reduce(axes, keepDim: true, v => amin ? v.Min() : v.Max()).BroadcastTo(c.X.Shape);
        var count = Nd.Zip(x, kept, (a, b) => a == b ? 1 : 0).Reduce(axes, keepDim: true, v => v.Sum()).BroadcastTo(c.X.Shape);
        var share = Nd.Build(c.X.Shape, idx => x[idx] == kept[idx] ? 1 / count[idx] : 0);
        Expect.Close(leaf.Grad ?? Tensor.Zeros(c.X.Shape, DType.Float64), share, atol: 0, rtol: 1e-15, what: "tie gradient");
    });

    [FsCheck.NUnit.Property]
    public Property ArgMin() => Prop.ForAll(TensorOpsGen.Truth.ToArbitrary(), c =>
    {
        bool keepDim = c.More[0] == 1;
        var x = Nd.Of(c.X);
        // The first minimum, a NaN before any number (PyTorch's argmin).
        static int First(List<double> v)
        {
            int best = 0;
            for (int i = 1; i < v.Count; i++)
                if (double.IsNaN(v[i]) && !double.IsNaN(v[best]) || !double.IsNaN(v[best]) && v[i] < v[best]) best = i;
            return best;
        }
        if (c.Args.Length == 0)
        {
            if (x.Data.Length == 0) { Assert.That(() => c.X.Tensor().ArgMin(), Throws.ArgumentException.With.Message.Contains("numel() == 0")); return; }
            var y = c.X.Tensor().ArgMin(null, keepDim);
            Assert.That(y.DType, Is.EqualTo(DType.Int32));
            Expect.Exact(y, new Nd(keepDim ? Enumerable.Repeat(1, c.X.Rank).ToArray() : [], [First(x.Data.ToList())]), "argmin");
            return;
        }
        int a = Ax(c.Args[0], c.X.Rank);
        if (c.X.Rank > 0 && c.X.Shape[a] == 0)
        {
            Assert.That(() => c.X.Tensor().ArgMin(c.Args[0]), Throws.ArgumentException.With.Message.Contains("non-zero size"));
            return;
        }
        var expected = c.X.Rank == 0 ? new Nd([], [0]) : x.Reduce([a], keepDim, v => First(v));
        Expect.Exact(c.X.Tensor().ArgMin(c.Args[0], keepDim), expected, "argmin");
        Expect.Exact(c.X.Tensor().To(DType.Float32).ArgMin(c.Args[0], keepDim), expected, "argmin float32");
    });

    [FsCheck.NUnit.Property]
    public Property AllAndAny() => Prop.ForAll(TensorOpsGen.Truth.ToArbitrary(), c =>
    {
        bool keepDim = c.More[0] == 1;
        var x = Nd.Of(c.X);
        var axes = c.Args.Length == 0 || c.X.Rank == 0 ? Enumerable.Range(0, c.X.Rank).ToArray() : [Ax(c.Args[0], c.X.Rank)];
        bool keep = keepDim;
        static bool True(double v) => v != 0 || double.IsNaN(v);
        var all = x.Reduce(axes, keep, v => v.All(True) ? 1 : 0);
        var any = x.Reduce(axes, keep, v => v.Any(True) ? 1 : 0);
        int? dim = c.Args.Length == 0 ? null : c.Args[0];
        Expect.Exact(c.X.Tensor().All(dim, keepDim), all, "all");
        Expect.Exact(c.X.Tensor().Any(dim, keepDim), any, "any");
        Assert.That(c.X.Tensor(DType.Float32).Any(dim, keepDim).DType, Is.EqualTo(DType.Float32));
    });

    /// <summary>PyTorch's error conditions, each naming the argument and the shapes.</summary>
    [Test]
    public void BadInputs()
    {
        var x = Tensor.Zeros(2, 3);
        static void Fails(TestDelegate f, params string[] parts)
        {
            var e = Assert.Catch<ArgumentException>(f)!;
            foreach (var p in parts) Assert.That(e.Message, Does.Contain(p));
        }
        Fails(() => x.Flip(0, -2), "flip", "dim 0 appears multiple times");
        Fails(() => x.Flip(2), "flip: dim 2", "[-2, 1]");
        Fails(() => x.Roll([1, 2], [0]), "roll", "shifts and dimensions must align. shifts: 2, dims: 1");
        Fails(() => x.Roll([], []), "`shifts` required");
        Fails(() => x.Roll(1, 3), "roll: dim 3");
        Fails(() => x.Repeat(2), "repeat", "can not be smaller than number of dimensions of tensor");
        Fails(() => x.Repeat(2, -1), "negative dimension -1");
        Fails(() => x.RepeatInterleave(-1), "repeats can not be negative");
        Fails(() => x.RepeatInterleave(Tensor.FromArray([1, 2]), 1), "repeats must have the same size as input along dim", "repeats.size(0) = 2", "input.size(1) = 3");
        Fails(() => x.RepeatInterleave(Tensor.FromArray([1f, 2f]), 0), "int32");
        Fails(() => x.RepeatInterleave(Tensor.FromArray([1, -2]), 0), "can not be negative");
        Fails(() => x.Chunk(0), "chunk", "greater than 0, got: 0");
        Fails(() => Tensor.Scalar(1).Chunk(2), "at least a 1-dimensional tensor");
        Fails(() => x.Split(-1), "split_size be non-negative");
        Fails(() => x.Split(0, 1), "split_size can only be 0 if dimension size is 0", "size of 3");
        Fails(() => x.Split([1, 1], 1), "split_sizes to sum exactly to 3", "[1, 1]");
        Fails(() => x.Split([4, -1], 1), "non-negative entries");
        Fails(() => Tensor.Zeros(3).Tril(), "tril", "at least 2 dimensions", "[3]");
        Fails(() => Tensor.Zeros(3).Triu(1), "triu", "at least 2 dimensions");
        Fails(() => x.MaskedFill(Tensor.Zeros(4), 1), "masked_fill", "[2, 3]", "[4]");
        Fails(() => x.MaskedFill(Tensor.Zeros(3), Tensor.Zeros(1)), "0-dimensional value tensor", "1 dimension(s)");
        Fails(() => x.Diagonal(0, 1, -1), "diagonal dimensions cannot be identical 1, -1");
        Fails(() => Tensor.Zeros(3).Diagonal(), "diagonal: dim 1");
        Fails(() => Tensor.Zeros(2, 2, 2).Diag(), "diag", "1D or 2D", "3D");
        Fails(() => Tensor.Zeros(3).Trace(), "trace: expected a matrix", "dim 1");
        Fails(() => Tensor.Zeros(0, 3).ArgMin(0), "argmin", "reduction dim 0 to have non-zero size");
        Fails(() => Tensor.Zeros(0).ArgMin(), "numel() == 0");
        Fails(() => x.All(2), "all: dim 2");
        Assert.That(() => Tensor.Zeros(0, 3).Amax(0), Throws.InvalidOperationException.With.Message.Contains("amax: reduction over axis 0 of size 0"));
    }

    /// <summary>int32 tensors keep their dtype through the ops that move values (through float64, exact), and give
    /// int32 indices and int32 truth values.</summary>
    [Test]
    public void Integers()
    {
        var x = Tensor.FromArray([3, -2, 5, 0, 7, 5], 2, 3);
        Assert.That(x.Flip(1).ToArray<int>(), Is.EqualTo(new[] { 5, -2, 3, 5, 7, 0 }));
        Assert.That(x.Roll(1).ToArray<int>(), Is.EqualTo(new[] { 5, 3, -2, 5, 0, 7 }));
        Assert.That(x.Repeat(1, 2).ToArray<int>(), Is.EqualTo(new[] { 3, -2, 5, 3, -2, 5, 0, 7, 5, 0, 7, 5 }));
        Assert.That(x.RepeatInterleave(2, 0).Shape.ToArray(), Is.EqualTo(new[] { 4, 3 }));
        Assert.That(x.Tril().ToArray<int>(), Is.EqualTo(new[] { 3, 0, 0, 0, 7, 0 }));
        Assert.That(x.MaskedFill(Tensor.FromArray([1, 0, 0], 3), 9).ToArray<int>(), Is.EqualTo(new[] { 9, -2, 5, 9, 7, 5 }));
        Assert.That(x.Amax(1).ToArray<int>(), Is.EqualTo(new[] { 5, 7 }));
        Assert.That(x.Amin([]).ToArray<int>(), Is.EqualTo(new[] { -2 }));
        Assert.That(x.ArgMin(1).ToArray<int>(), Is.EqualTo(new[] { 1, 0 }));
        Assert.That(x.All(1).ToArray<int>(), Is.EqualTo(new[] { 1, 0 }));
        Assert.That(x.Any().ToArray<int>(), Is.EqualTo(new[] { 1 }));
        Assert.That(x.Trace().ToArray<int>(), Is.EqualTo(new[] { 10 }));
        Assert.That(x.Diagonal(1).ToArray<int>(), Is.EqualTo(new[] { -2, 5 }));
        foreach (var t in new[] { x.Flip(0), x.Roll(1, 0), x.Tile(2), x.Tril(), x.Amax(), x.All(), x.Diag() }) Assert.That(t.DType, Is.EqualTo(DType.Int32));
    }
}
