using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// flip, roll, repeat, tile, repeat_interleave, chunk, split, tril, triu, diagonal, diag and trace against plain
/// float64 loops of their definitions (exactly: they move values, never round them), and their gradients against
/// central differences, on random shapes with size-1 and size-0 dims, negative dims, shifts beyond the size and
/// negative, diagonals beyond the matrix. masked_fill, amax/amin, argmin, all and any are in
/// <see cref="TensorOpsReductionProperties"/>.
/// </summary>
[FsCheck.NUnit.Properties(MaxTest = 60)]
public class TensorOpsProperties
{
    private static int Ax(int dim, int rank) => rank == 0 ? 0 : dim < 0 ? dim + rank : dim;

    private static int[] With(int[] idx, int axis, int v) { var j = (int[])idx.Clone(); j[axis] = v; return j; }

    private static int Mod(int a, int n) => ((a % n) + n) % n;

    [FsCheck.NUnit.Property]
    public Property Flip() => Prop.ForAll(TensorOpsGen.Flip.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        var axes = c.X.Rank == 0 ? [] : c.Args.Select(d => Ax(d, c.X.Rank)).ToArray();
        var expected = Nd.Build(c.X.Shape, idx =>
        {
            var j = (int[])idx.Clone();
            foreach (var a in axes) j[a] = c.X.Shape[a] - 1 - idx[a];
            return c.X.Rank == 0 ? x.Data[0] : x[j];
        });
        Expect.Exact(c.X.Tensor().Flip(c.Args), expected, "flip");
        Expect.Grad("flip", xs => xs[0].Flip(c.Args), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Roll() => Prop.ForAll(TensorOpsGen.Roll.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        Nd expected;
        if (c.Flag)
        {
            int n = x.Data.Length;
            expected = new Nd(c.X.Shape, Enumerable.Range(0, n).Select(i => x.Data[Mod(i - c.More[0], n)]).ToArray());
        }
        else
        {
            // Each (shift, dim) in turn, as the definition reads: out[i] = in[(i − shift) mod n].
            expected = x;
            for (int k = 0; k < c.Args.Length; k++)
            {
                var cur = expected;
                int a = Ax(c.Args[k], c.X.Rank), s = c.More[k];
                expected = c.X.Rank == 0 ? cur : Nd.Build(c.X.Shape, idx => cur[With(idx, a, Mod(idx[a] - s, c.X.Shape[a]))]);
            }
        }
        Func<Tensor, Tensor> f = c.Flag ? t => t.Roll(c.More[0]) : t => t.Roll(c.More, c.Args);
        Expect.Exact(f(c.X.Tensor()), expected, "roll");
        Expect.Grad("roll", xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property RepeatAndTile() => Prop.ForAll(TensorOpsGen.Repeat.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        var sizes = c.Flag && c.Args.Length < c.X.Rank ? Enumerable.Repeat(1, c.X.Rank - c.Args.Length).Concat(c.Args).ToArray() : c.Args;
        int lead = sizes.Length - c.X.Rank;
        var inShape = Enumerable.Repeat(1, lead).Concat(c.X.Shape).ToArray();
        var outShape = sizes.Select((r, d) => r * inShape[d]).ToArray();
        var expected = Nd.Build(outShape, idx => x.Data[Nd.Ravel(idx.Skip(lead).Select((v, d) => v % c.X.Shape[d]).ToArray(), c.X.Shape)]);
        Func<Tensor, Tensor> f = c.Flag ? t => t.Tile(c.Args) : t => t.Repeat(c.Args);
        Expect.Exact(f(c.X.Tensor()), expected, c.Flag ? "tile" : "repeat");
        Expect.Grad(c.Flag ? "tile" : "repeat", xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property RepeatInterleave() => Prop.ForAll(TensorOpsGen.RepeatInterleave.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int? dim = c.Args.Length == 0 ? null : c.Args[0];
        var src = dim is null ? new Nd([x.Data.Length], x.Data) : c.X.Rank == 0 ? new Nd([1], x.Data) : x;
        int a = dim is null ? 0 : Ax(dim.Value, c.X.Rank), n = src.Shape[a];
        var counts = c.More.Length == 1 ? Enumerable.Repeat(c.More[0], n).ToArray() : c.More;
        var from = Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat(i, counts[i])).ToArray();
        var expected = Nd.Build(With(src.Shape, a, from.Length), idx => src[With(idx, a, from[idx[a]])]);
        Func<Tensor, Tensor> f = c.Flag ? t => t.RepeatInterleave(Tensor.FromSpan<int>(c.More, [c.More.Length]), dim) : t => t.RepeatInterleave(c.More[0], dim);
        Expect.Exact(f(c.X.Tensor()), expected, "repeat_interleave");
        Expect.Grad("repeat_interleave", xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property ChunkAndSplit() => Prop.ForAll(TensorOpsGen.Split.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int dim = c.Args[1], a = Ax(dim, c.X.Rank), n = c.X.Shape[a];
        // PyTorch's sizes: chunk takes ceil(n / chunks) per piece (an empty dim: chunks empty pieces); split the size.
        int[] sizes;
        if (c.Flag)
        {
            int chunks = c.Args[0], size = (n + chunks - 1) / chunks;
            sizes = n == 0 ? new int[chunks] : Enumerable.Range(0, (n + size - 1) / size).Select(k => Math.Min(size, n - k * size)).ToArray();
        }
        else if (c.More.Length > 0) sizes = c.More;
        else
        {
            int size = c.Args[0];
            sizes = n == 0 ? [0] : Enumerable.Range(0, (n + size - 1) / size).Select(k => Math.Min(size, n - k * size)).ToArray();
        }
        Func<Tensor, Tensor[]> f = c.Flag ? t => t.Chunk(c.Args[0], dim) : c.More.Length > 0 ? t => t.Split(c.More, dim) : t => t.Split(c.Args[0], dim);
        var pieces = f(c.X.Tensor());
        Assert.That(pieces.Select(p => p.Shape[a]), Is.EqualTo(sizes), "piece sizes");
        for (int k = 0, at = 0; k < sizes.Length; at += sizes[k], k++) Expect.Exact(pieces[k], x.Narrow(a, at, sizes[k]), $"piece {k}");
        // Each piece weighted differently, so a gradient sent to the wrong piece shows.
        Expect.Grad("split", xs => Tensor.Concat(f(xs[0]).Select((p, k) => p * (k + 1.0)).ToArray(), a), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property TrilAndTriu() => Prop.ForAll(TensorOpsGen.Triangle.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int k = c.Args[0], r = c.X.Rank;
        var expected = Nd.Build(c.X.Shape, idx =>
        {
            int i = idx[r - 2], j = idx[r - 1];
            return (c.Flag ? j - i >= k : j - i <= k) ? x[idx] : 0;
        });
        Func<Tensor, Tensor> f = c.Flag ? t => t.Triu(k) : t => t.Tril(k);
        Expect.Exact(f(c.X.Tensor()), expected, c.Flag ? "triu" : "tril");
        Expect.Grad(c.Flag ? "triu" : "tril", xs => f(xs[0]), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property Diagonal() => Prop.ForAll(TensorOpsGen.Diagonal.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int offset = c.Args[0], a = Ax(c.Args[1], c.X.Rank), b = Ax(c.Args[2], c.X.Rank);
        int len = Math.Max(0, offset >= 0 ? Math.Min(c.X.Shape[a], c.X.Shape[b] - offset) : Math.Min(c.X.Shape[a] + offset, c.X.Shape[b]));
        var rest = Enumerable.Range(0, c.X.Rank).Where(d => d != a && d != b).ToArray();
        var outShape = rest.Select(d => c.X.Shape[d]).Append(len).ToArray();
        var expected = Nd.Build(outShape, idx =>
        {
            var j = new int[c.X.Rank];
            for (int q = 0; q < rest.Length; q++) j[rest[q]] = idx[q];
            int t = idx[^1];
            j[a] = offset >= 0 ? t : t - offset;
            j[b] = offset >= 0 ? t + offset : t;
            return x[j];
        });
        Expect.Exact(c.X.Tensor().Diagonal(offset, c.Args[1], c.Args[2]), expected, "diagonal");
        Expect.Grad("diagonal", xs => xs[0].Diagonal(offset, c.Args[1], c.Args[2]), c.Seed, c.X.Tensor());
        // Second order: the backward (diagonal_scatter) has the diagonal as its own gradient.
        Expect.Grad("diagonal backward", xs => (xs[0].Diagonal(offset, c.Args[1], c.Args[2]).Square()).Sum(), c.Seed, c.X.Tensor());
    });

    [FsCheck.NUnit.Property]
    public Property DiagAndTrace() => Prop.ForAll(TensorOpsGen.Diag.ToArbitrary(), c =>
    {
        var x = Nd.Of(c.X);
        int k = c.Args[0];
        Nd expected;
        if (c.X.Rank == 1)
        {
            int n = c.X.Shape[0] + Math.Abs(k);
            expected = Nd.Build([n, n], idx => idx[1] - idx[0] == k ? x.Data[k >= 0 ? idx[0] : idx[1]] : 0);
        }
        else
        {
            int len = Math.Max(0, k >= 0 ? Math.Min(c.X.Shape[0], c.X.Shape[1] - k) : Math.Min(c.X.Shape[0] + k, c.X.Shape[1]));
            expected = Nd.Build([len], idx => x[k >= 0 ? [idx[0], idx[0] + k] : [idx[0] - k, idx[0]]]);
            double trace = 0;
            for (int i = 0; i < Math.Min(c.X.Shape[0], c.X.Shape[1]); i++) trace += x[[i, i]];
            Expect.Close(c.X.Tensor().Trace(), new Nd([], [trace]), atol: 1e-14, rtol: 1e-14, what: "trace");
            Expect.Grad("trace", xs => xs[0].Trace(), c.Seed, c.X.Tensor());
        }
        Expect.Exact(c.X.Tensor().Diag(k), expected, "diag");
        Expect.Grad("diag", xs => xs[0].Diag(k), c.Seed, c.X.Tensor());
    });
}
