using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// Every view op: its values equal an explicitly indexed copy (Nd, plain loops), it shares storage where it
/// promises to, and its gradient passes GradCheck. The op's parameters (axes, sizes) are drawn from a
/// System.Random seeded by the case, so a failing case prints everything needed to replay it.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 60)]
public class ViewProperties
{
    /// <summary>Checks values (exactly) and gradients of a view op given as a pair (engine, reference).</summary>
    private static void View(string op, Spec x, ulong seed, Func<Tensor, Tensor> f, Func<Nd, Nd> reference)
    {
        Expect.Exact(f(x.Tensor()), reference(Nd.Of(x)), op);
        Expect.Grad(op, xs => f(xs[0]), seed, x.Tensor());
    }

    /// <summary>A random shape with the same number of elements (row-major reshape), one dim sometimes -1.</summary>
    private static int[] Refactor(int[] shape, Random r)
    {
        var factors = shape.Where(d => d > 1).SelectMany(PrimeFactors).OrderBy(_ => r.Next()).ToList();
        var dims = new List<int>();
        foreach (var f in factors)
            if (dims.Count > 0 && r.Next(2) == 0) dims[^1] *= f; else dims.Add(f);
        for (int k = r.Next(3); k > 0; k--) dims.Insert(r.Next(dims.Count + 1), 1);
        var result = dims.ToArray();
        if (result.Length > 0 && r.Next(3) == 0) result[r.Next(result.Length)] = -1;
        return result;
    }

    private static IEnumerable<int> PrimeFactors(int n)
    {
        for (int p = 2; n > 1; p++)
            while (n % p == 0) { yield return p; n /= p; }
    }

    private static int[] Inferred(int[] shape, int numel)
    {
        var r = (int[])shape.Clone();
        int i = Array.IndexOf(r, -1);
        if (i >= 0) r[i] = numel / r.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
        return r;
    }

    [FsCheck.NUnit.Property]
    public void Reshape(Smooth c)
    {
        var target = Refactor(c.X.Shape, new Random((int)c.Seed));
        View($"reshape {Shapes.Format(target)}", c.X, c.Seed, x => x.Reshape(target), x => x.Reshape(Inferred(target, c.X.Numel)));
        View($"view {Shapes.Format(target)}", c.X, c.Seed, x => x.View(target), x => x.Reshape(Inferred(target, c.X.Numel)));
        // A contiguous reshape is a view: same storage, no copy.
        var t = c.X.Tensor();
        Assert.That(t.View(target).Storage, Is.SameAs(t.Storage));
    }

    /// <summary>Reshape of a non-contiguous tensor copies first; the values follow the logical (transposed) order.</summary>
    [FsCheck.NUnit.Property]
    public void ReshapeOfTranspose(Smooth c)
    {
        if (c.X.Rank < 2) return;
        var target = Refactor(c.X.Shape, new Random((int)c.Seed));
        View("transpose+reshape", c.X, c.Seed, x => x.Transpose(0, -1).Reshape(target), x => x.Transpose(0, -1).Reshape(Inferred(target, c.X.Numel)));
    }

    [FsCheck.NUnit.Property]
    public void Permute(Smooth c)
    {
        var r = new Random((int)c.Seed);
        var dims = Enumerable.Range(0, c.X.Rank).OrderBy(_ => r.Next()).Select(d => r.Next(2) == 0 ? d : d - c.X.Rank).ToArray();
        var twice = Enumerable.Range(0, c.X.Rank).OrderBy(_ => r.Next()).ToArray();
        View($"permute [{string.Join(", ", dims)}]", c.X, c.Seed, x => x.Permute(dims), x => x.Permute(dims));
        View("permute twice", c.X, c.Seed, x => x.Permute(dims).Permute(twice), x => x.Permute(dims).Permute(twice));
        var t = c.X.Tensor();
        Assert.That(t.Permute(dims).Storage, Is.SameAs(t.Storage));
    }

    [FsCheck.NUnit.Property]
    public void Transpose(Smooth c)
    {
        if (c.X.Rank == 0) return;
        var r = new Random((int)c.Seed);
        int a = r.Next(c.X.Rank), b = r.Next(c.X.Rank) - c.X.Rank;
        View($"transpose({a}, {b})", c.X, c.Seed, x => x.Transpose(a, b), x => x.Transpose(a, b));
    }

    [FsCheck.NUnit.Property]
    public void NarrowSliceSelect(AxisCase c)
    {
        var r = new Random((int)c.Seed);
        int n = c.X.Shape[Nd.Axis(c.Axis, c.X.Rank)];
        int start = r.Next(n), length = r.Next(n - start + 1);
        View($"narrow({c.Axis}, {start}, {length})", c.X, c.Seed, x => x.Narrow(c.Axis, start, length), x => x.Narrow(c.Axis, start, length));
        // A negative start counts from the end (torch.narrow): start - n is the same range.
        View($"narrow({c.Axis}, {start - n}, {length})", c.X, c.Seed, x => x.Narrow(c.Axis, start - n, length), x => x.Narrow(c.Axis, start, length));
        // Python-style slice with negative bounds: [start - n, end - n) is the same range.
        int end = start + length;
        View($"slice({c.Axis}, {start - n}, {end - n})", c.X, c.Seed, x => x.Slice(c.Axis, start - n, end == n ? n : end - n), x => x.Narrow(c.Axis, start, length));
        // With a step: every step-th element of [start, end), as x[start:end:step] in PyTorch.
        int step = r.Next(1, 4);
        var picks = Enumerable.Range(0, length).Where(i => i % step == 0).Select(i => start + i).ToArray();
        View($"slice({c.Axis}, {start}, {end}, {step})", c.X, c.Seed, x => x.Slice(c.Axis, start, end, step),
            x => Nd.Concat(picks.Select(p => x.Narrow(c.Axis, p, 1)).DefaultIfEmpty(x.Narrow(c.Axis, start, 0)).ToArray(), c.Axis));
        int index = r.Next(n);
        View($"select({c.Axis}, {index})", c.X, c.Seed, x => x.Select(c.Axis, index), x => x.Select(c.Axis, index));
        View($"select({c.Axis}, {index - n})", c.X, c.Seed, x => x.Select(c.Axis, index - n), x => x.Select(c.Axis, index));
        // x[i] and x[i, j] as in PyTorch: an index over the leading axes only.
        int i0 = r.Next(c.X.Shape[0]);
        View($"index({i0})", c.X, c.Seed, x => x.Index(i0), x => x.Select(0, i0));
        if (c.X.Rank > 1)
        {
            int i1 = r.Next(c.X.Shape[1]) - c.X.Shape[1];
            View($"index({i0}, {i1})", c.X, c.Seed, x => x.Index(i0, i1), x => x.Select(0, i0).Select(0, i1 + c.X.Shape[1]));
        }
        var t = c.X.Tensor();
        Assert.That(t.Narrow(c.Axis, start, length).Storage, Is.SameAs(t.Storage));
        Assert.That(t.Slice(c.Axis, start, end, step).Storage, Is.SameAs(t.Storage));
    }

    [FsCheck.NUnit.Property]
    public void Expand(Smooth c)
    {
        var r = new Random((int)c.Seed);
        var target = c.X.Shape.Select(d => d == 1 ? r.Next(1, 4) : r.Next(3) == 0 ? -1 : d).ToList();
        for (int k = r.Next(3); k > 0; k--) target.Insert(0, r.Next(1, 3));
        var t = target.ToArray();
        var full = t.Select((d, i) => d == -1 ? c.X.Shape[i - (t.Length - c.X.Rank)] : d).ToArray();
        View($"expand {Shapes.Format(t)}", c.X, c.Seed, x => x.Expand(t), x => x.BroadcastTo(full));
        var e = c.X.Tensor();
        Assert.That(e.Expand(t).Storage, Is.SameAs(e.Storage));
    }

    [FsCheck.NUnit.Property]
    public void SqueezeUnsqueeze(Smooth c)
    {
        var r = new Random((int)c.Seed);
        View("squeeze()", c.X, c.Seed, x => x.Squeeze(), x => x.Reshape(x.Shape.Where(d => d != 1).ToArray()));
        if (c.X.Rank > 0)
        {
            int a = r.Next(c.X.Rank) - (r.Next(2) == 0 ? 0 : c.X.Rank);
            int pa = Nd.Axis(a, c.X.Rank);
            View($"squeeze({a})", c.X, c.Seed, x => x.Squeeze(a),
                x => x.Shape[pa] == 1 ? x.Reshape(x.Shape.Where((_, i) => i != pa).ToArray()) : x);
        }
        int u = r.Next(-c.X.Rank - 1, c.X.Rank + 1);
        int pu = u < 0 ? u + c.X.Rank + 1 : u;
        View($"unsqueeze({u})", c.X, c.Seed, x => x.Unsqueeze(u), x => { var s = x.Shape.ToList(); s.Insert(pu, 1); return x.Reshape(s.ToArray()); });
    }

    [FsCheck.NUnit.Property]
    public void Flatten(Smooth c)
    {
        if (c.X.Rank == 0) { View("flatten", c.X, c.Seed, x => x.Flatten(), x => x.Reshape([1])); return; }
        var r = new Random((int)c.Seed);
        int s = r.Next(c.X.Rank), e = r.Next(s, c.X.Rank);
        var shape = c.X.Shape.Take(s).Append(c.X.Shape[s..(e + 1)].Aggregate(1, (a, b) => a * b)).Concat(c.X.Shape.Skip(e + 1)).ToArray();
        View($"flatten({s}, {e})", c.X, c.Seed, x => x.Flatten(s, e), x => x.Reshape(shape));
        View($"flatten({s - c.X.Rank}, -1) of transpose", c.X, c.Seed, x => x.Transpose(0, -1).Flatten(s - c.X.Rank),
            x => { var t = x.Transpose(0, -1); return t.Reshape(t.Shape.Take(s).Append(t.Shape.Skip(s).Aggregate(1, (a, b) => a * b)).ToArray()); });
    }

    [FsCheck.NUnit.Property]
    public void Contiguous(Smooth c)
    {
        var t = c.X.Tensor();
        Assert.That(t.Contiguous(), Is.SameAs(t), "a contiguous tensor is returned as is");
        if (c.X.Rank < 2) return;
        var p = t.Transpose(0, -1).Contiguous();
        Assert.That(p.IsContiguous, Is.True);
        View("transpose+contiguous", c.X, c.Seed, x => x.Transpose(0, -1).Contiguous(), x => x.Transpose(0, -1));
    }

    /// <summary>A random chain of three view ops, then arithmetic and a reduction on the strided result: the
    /// kernels must honour any stride/offset combination the views produce.</summary>
    [FsCheck.NUnit.Property(MaxTest = 200)]
    public void ViewChains(Smooth c)
    {
        var r = new Random((int)c.Seed);
        var steps = new List<(string Name, Func<Tensor, Tensor> F, Func<Nd, Nd> R)>();
        var shape = c.X.Shape;
        for (int k = 0; k < 3; k++)
        {
            var step = RandomStep(shape, r);
            steps.Add(step);
            shape = step.R(new Nd(shape, new double[Nd.Count(shape)])).Shape;
        }
        string name = string.Join(" -> ", steps.Select(s => s.Name));
        Tensor Apply(Tensor x) { foreach (var s in steps) x = s.F(x); return x; }
        Nd ApplyRef(Nd x) { foreach (var s in steps) x = s.R(x); return x; }
        View(name, c.X, c.Seed, Apply, ApplyRef);
        View(name + " -> *3+1", c.X, c.Seed, x => Apply(x) * 3.0 + 1.0, x => ApplyRef(x).Map(v => v * 3 + 1));
        Expect.Close(Apply(c.X.Tensor()).Exp().Sum(), new Nd([], [ApplyRef(Nd.Of(c.X)).Data.Sum(Math.Exp)]), 1e-12, 1e-12, name + " -> exp -> sum");
        Expect.Grad(name + " -> mul by itself transposed", xs => { var v = Apply(xs[0]); return v * v.Permute(Enumerable.Range(0, v.Rank).Reverse().ToArray()).Contiguous().Permute(Enumerable.Range(0, v.Rank).Reverse().ToArray()); }, c.Seed, c.X.Tensor());
    }

    private static (string Name, Func<Tensor, Tensor> F, Func<Nd, Nd> R) RandomStep(int[] shape, Random r)
    {
        int rank = shape.Length;
        switch (rank == 0 ? 0 : r.Next(6))
        {
            case 0:
            {
                int a = r.Next(rank + 1);
                return ($"unsqueeze({a})", x => x.Unsqueeze(a), x => { var s = x.Shape.ToList(); s.Insert(a, 1); return x.Reshape(s.ToArray()); });
            }
            case 1:
            {
                var p = Enumerable.Range(0, rank).OrderBy(_ => r.Next()).ToArray();
                return ($"permute [{string.Join(", ", p)}]", x => x.Permute(p), x => x.Permute(p));
            }
            case 2:
            {
                int a = r.Next(rank), s = r.Next(shape[a]), l = r.Next(1, shape[a] - s + 1);
                return ($"narrow({a}, {s}, {l})", x => x.Narrow(a, s, l), x => x.Narrow(a, s, l));
            }
            case 3:
            {
                var target = shape.Select(d => d == 1 ? r.Next(1, 3) : d).ToArray();
                return ($"expand {Shapes.Format(target)}", x => x.Expand(target), x => x.BroadcastTo(target));
            }
            case 4:
            {
                if (rank < 2) goto case 1;
                int a = r.Next(rank), i = r.Next(shape[a]);
                return ($"select({a}, {i})", x => x.Select(a, i), x => x.Select(a, i));
            }
            default:
            {
                var target = Refactor(shape, r);
                var inferred = Inferred(target, Nd.Count(shape));
                return ($"reshape {Shapes.Format(target)}", x => x.Reshape(target), x => x.Reshape(inferred));
            }
        }
    }

    /// <summary>A view of an empty tensor at a start beyond its (empty) storage, e.g. the second half of a
    /// [0, 8] tensor's columns as a recurrent layer's gates of an empty batch: pointwise ops, a matrix product, a
    /// reduction, a copy, the diagonal and the backward run on it and give empty results (they threw out of range
    /// before: the view kept offset 4 into a storage of 0 elements).</summary>
    [NUnit.Framework.Test]
    public void ViewsOfAnEmptyTensorRunOps()
    {
        var x = Tensor.Zeros([0, 8], DType.Float64).Detach();
        x.RequiresGrad = true;
        var w = Tensor.Ones([4, 3], DType.Float64);
        foreach (var (name, v) in new (string, Tensor)[] { ("narrow", x.Narrow(1, 4, 4)), ("slice", x.Slice(1, 4, 8)), ("transpose", x.Narrow(1, 4, 4).T.T) })
        {
            var y = Tensor.MatMul(v.Sigmoid(), w).Tanh() + v.Sum(1, keepDim: true);
            Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 0, 3 }), name);
            Assert.That(v.Contiguous().ShapeCopy(), Is.EqualTo(new[] { 0, 4 }), name);
            y.Sum().Backward();
            Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 0, 8 }), name);
            x.Grad = null;
        }
        Assert.That(x.Select(1, 7).Exp().ShapeCopy(), Is.EqualTo(new[] { 0 }), "select");
        // The diagonal's backward builds its view of the zero gradient directly (not through View): offset 2 of 0 elements.
        var d = x.Diagonal(2);
        d.Sum().Backward();
        Assert.That((d.ShapeCopy(), x.Grad!.ShapeCopy()), Is.EqualTo((new[] { 0 }, new[] { 0, 8 })), "diagonal");
    }
}
