using FsCheck;
using FsCheck.Fluent;

namespace Pade.Testing;

/// <summary>
/// FsCheck generators for engine properties: shapes of rank 0..4 with dims 1..5 (size-1 dims often, since they are
/// where broadcasting and squeezing go wrong), broadcast-compatible pairs, and values kept away from the points
/// where an op is not differentiable, so central differences measure a real derivative.
/// </summary>
public static class EngineGen
{
    /// <summary>Shapes are capped at this many elements: gradient checks cost two forward passes per element.</summary>
    public const int MaxNumel = 96;

    /// <summary>A dimension: 1 is the most interesting size (broadcasting, squeeze), 4 and 5 the rarest.</summary>
    public static readonly Gen<int> Dim = Gen.Frequency(
        (3, Gen.Constant(1)), (3, Gen.Constant(2)), (2, Gen.Constant(3)), (1, Gen.Constant(4)), (1, Gen.Constant(5)));

    /// <summary>Upstream-gradient seeds for <c>GradCheckOptions.Seed</c>.</summary>
    public static readonly Gen<ulong> Seed = Gen.Choose(1, int.MaxValue).Select(i => (ulong)i);

    /// <summary>Uniform double in [lo, hi] on a fine grid (FsCheck's own double generator favours huge values).</summary>
    public static Gen<double> Uniform(double lo, double hi) =>
        Gen.Choose(0, 1 << 24).Select(i => lo + (hi - lo) * (i / (double)(1 << 24)));

    /// <summary>|x| in [0.1, 2] with a random sign.</summary>
    public static readonly Gen<double> NonZeroValue =
        from m in Uniform(0.1, 2) from negative in Gen.Elements(false, true) select negative ? -m : m;

    public static Gen<int[]> Shape(int minRank = 0, int maxRank = 4) =>
        from rank in Gen.Choose(minRank, maxRank)
        from dims in Gen.ArrayOf(Dim, rank)
        select Cap(dims);

    /// <summary>Shrinks the largest dims until the shape has at most <see cref="MaxNumel"/> elements.</summary>
    public static int[] Cap(int[] dims)
    {
        var d = (int[])dims.Clone();
        while (d.Aggregate(1, (a, b) => a * b) > MaxNumel)
        {
            int i = Array.IndexOf(d, d.Max());
            d[i]--;
        }
        return d;
    }

    public static Gen<Spec> Values(int[] shape, Gen<double> value) =>
        Gen.ArrayOf(value, shape.Aggregate(1, (a, b) => a * b)).Select(v => new Spec(shape, v));

    /// <summary>Pairwise distinct values: a shuffled grid over [-2, 2] with spacing 4/n, scaled by [0.5, 1.5].</summary>
    public static Gen<Spec> DistinctValues(int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return from order in Gen.Shuffle(Enumerable.Range(0, n))
               from scale in Uniform(0.5, 1.5)
               select new Spec(shape, order.Select(p => scale * (-2 + 4 * (p + 0.5) / n)).ToArray());
    }

    /// <summary>A shape that broadcasts to <paramref name="full"/>: some leading dims dropped (a third of the time),
    /// some dims set to 1 (a quarter of them).</summary>
    public static Gen<int[]> BroadcastableTo(int[] full) =>
        from drop in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(0, full.Length)))
        from ones in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false))), full.Length)
        select full.Skip(drop).Select((d, i) => ones[i + drop] ? 1 : d).ToArray();

    public static readonly Gen<(int[] A, int[] B)> BroadcastShapes =
        from full in Shape()
        from a in BroadcastableTo(full)
        from b in BroadcastableTo(full)
        select (a, b);

    public static readonly Gen<Smooth> Smooth =
        from s in Shape() from x in Values(s, Uniform(-2, 2)) from seed in Seed select new Smooth(x, seed);

    public static readonly Gen<NonZero> NonZero =
        from s in Shape() from x in Values(s, NonZeroValue) from seed in Seed select new NonZero(x, seed);

    public static readonly Gen<Positive> Positive =
        from s in Shape() from x in Values(s, Uniform(0.2, 3)) from seed in Seed select new Positive(x, seed);

    /// <summary>±10^e for e uniform in [-8, 1].</summary>
    public static readonly Gen<double> WideValue =
        from e in Uniform(-8, 1) from negative in Gen.Elements(false, true) select (negative ? -1 : 1) * Math.Pow(10, e);

    public static readonly Gen<Wide> Wide =
        from s in Shape() from x in Values(s, WideValue) from seed in Seed select new Wide(x, seed);

    public static readonly Gen<Distinct> Distinct =
        from s in Shape() from x in DistinctValues(s) from seed in Seed select new Distinct(x, seed);

    public static readonly Gen<BroadcastPair> BroadcastPair =
        from shapes in BroadcastShapes
        from a in Values(shapes.A, Uniform(-2, 2))
        from b in Values(shapes.B, Uniform(-2, 2))
        from seed in Seed
        select new BroadcastPair(a, b, seed);

    public static readonly Gen<DivisionPair> DivisionPair =
        from shapes in BroadcastShapes
        from a in Values(shapes.A, Uniform(-2, 2))
        from b in Values(shapes.B, Uniform(0.2, 3))
        from seed in Seed
        select new DivisionPair(a, b, seed);

    /// <summary>Both sides cut from one distinct-valued pool, so no element of A equals any element of B.</summary>
    public static readonly Gen<DistinctPair> DistinctPair =
        from shapes in BroadcastShapes
        from pool in DistinctValues([shapes.A.Aggregate(1, (x, y) => x * y) + shapes.B.Aggregate(1, (x, y) => x * y)])
        from seed in Seed
        let na = shapes.A.Aggregate(1, (x, y) => x * y)
        select new DistinctPair(new Spec(shapes.A, pool.Values[..na]), new Spec(shapes.B, pool.Values[na..]), seed);

    public static readonly Gen<WhereCase> Where =
        from full in Shape()
        from ms in BroadcastableTo(full)
        from sa in BroadcastableTo(full)
        from sb in BroadcastableTo(full)
        from mask in Values(ms, Gen.Elements(0.0, 1.0))
        from a in Values(sa, Uniform(-2, 2))
        from b in Values(sb, Uniform(-2, 2))
        from seed in Seed
        select new WhereCase(mask, a, b, seed);

    public static readonly Gen<PowCase> Pow =
        from s in Shape()
        from x in Values(s, Uniform(0.2, 3))
        from p in Gen.Elements(-1.5, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
        from seed in Seed
        select new PowCase(x, p, seed);

    /// <summary>lo &lt; hi four times in five, else lo &gt; hi (PyTorch: every element is hi).</summary>
    public static readonly Gen<ClampCase> Clamp =
        from lo in Uniform(-1.5, 0.5)
        from width in Gen.Frequency((4, Uniform(0.3, 2)), (1, Uniform(-1.5, -0.3)))
        from s in Shape()
        from x in Values(s, Uniform(-2, 2.5).Where(v => Math.Abs(v - lo) > 0.05 && Math.Abs(v - (lo + width)) > 0.05))
        from seed in Seed
        select new ClampCase(x, lo, lo + width, seed);

    public static readonly Gen<ReductionCase> Reduction =
        from s in Shape()
        from x in DistinctValues(s)
        from axes in Gen.SubListOf(Enumerable.Range(0, s.Length))
        from negate in Gen.ArrayOf(Gen.Elements(false, true), axes.Count)
        from keepDim in Gen.Elements(false, true)
        from seed in Seed
        select new ReductionCase(x, axes.Select((a, i) => negate[i] ? a - s.Length : a).ToArray(), keepDim, seed);

    public static readonly Gen<AxisCase> Axis =
        from s in Shape(minRank: 1)
        from x in Values(s, Uniform(-2, 2))
        from axis in Gen.Choose(0, s.Length - 1)
        from negative in Gen.Elements(false, true)
        from seed in Seed
        select new AxisCase(x, negative ? axis - s.Length : axis, seed);

    private static readonly Gen<int> Small = Gen.Choose(1, 5);

    private static Gen<int[]> BatchShape(int maxRank) =>
        from rank in Gen.Choose(1, maxRank) from dims in Gen.ArrayOf(Gen.Choose(1, 3), rank) select dims;

    public static readonly Gen<MatMulCase> MatMul =
        from kind in Gen.Elements(Enum.GetValues<MatMulKind>())
        from m in Small
        from k in Small
        from n in Small
        from batch in BatchShape(2)
        from ba in BroadcastableTo(batch)
        from bb in BroadcastableTo(batch)
        from vectorBatch in Gen.Elements(false, true)
        let shapes = kind switch
        {
            MatMulKind.Matrix => (new[] { m, k }, new[] { k, n }),
            MatMulKind.Batched => ([.. batch, m, k], [.. batch, k, n]),
            MatMulKind.BroadcastBatch => ([.. ba, m, k], [.. bb, k, n]),
            MatMulKind.VectorLeft => ([k], vectorBatch ? [.. batch, k, n] : [k, n]),
            MatMulKind.VectorRight => (vectorBatch ? [.. batch, m, k] : [m, k], [k]),
            _ => (new[] { k }, new[] { k }),
        }
        from a in Values(shapes.Item1, Uniform(-2, 2))
        from b in Values(shapes.Item2, Uniform(-2, 2))
        from ta in Gen.Elements(false, true)
        from tb in Gen.Elements(false, true)
        from seed in Seed
        select new MatMulCase(kind, a, b, ta && a.Rank >= 2, tb && b.Rank >= 2, seed);

    public static readonly Gen<ClassificationCase> Classification =
        from n in Gen.Choose(1, 5)
        from c in Gen.Choose(1, 6)
        from logits in Values([n, c], Uniform(-3, 3))
        from targets in Gen.ArrayOf(Gen.Choose(0, c - 1), n)
        from smoothing in Gen.Frequency((1, Gen.Constant(0.0)), (1, Uniform(0.05, 0.5)))
        from seed in Seed
        select new ClassificationCase(logits, targets, smoothing, seed);

    public static readonly Gen<JoinCase> Concat =
        from s in Shape(minRank: 1)
        from axis in Gen.Choose(0, s.Length - 1)
        from sizes in Gen.ArrayOf(Gen.Choose(1, 3), 1).SelectMany(first => Gen.ArrayOf(Gen.Choose(1, 3), 2).Select(rest => first.Concat(rest).ToArray()))
        from count in Gen.Choose(1, 3)
        from parts in Gen.CollectToArray(sizes.Take(count), size => Values(s.Select((d, i) => i == axis ? size : d).ToArray(), Uniform(-2, 2)))
        from negative in Gen.Elements(false, true)
        from seed in Seed
        select new JoinCase(parts, negative ? axis - s.Length : axis, seed);

    public static readonly Gen<StackCase> Stack =
        from s in Shape(maxRank: 3)
        from count in Gen.Choose(1, 3)
        from parts in Gen.CollectToArray(Enumerable.Range(0, count), _ => Values(s, Uniform(-2, 2)))
        from axis in Gen.Choose(0, s.Length)
        from seed in Seed
        select new StackCase(parts, axis, seed);

    public static readonly Gen<PadCase> Pad =
        from s in Shape(minRank: 1)
        from x in Values(s, Uniform(-2, 2))
        from axes in Gen.Choose(1, s.Length)
        from raw in Gen.ArrayOf(Gen.Frequency((3, Gen.Choose(0, 2)), (1, Gen.Choose(-3, -1))), 2 * axes)
        from value in Gen.Elements(0.0, 1.5)
        from seed in Seed
        select new PadCase(x, Croppable(raw, s), value, seed);

    /// <summary>Negative pads (crops) limited to what each axis holds: the "before" crop first, then the "after" one
    /// of what is left, down to an empty axis.</summary>
    private static int[] Croppable(int[] pads, int[] shape)
    {
        var r = (int[])pads.Clone();
        for (int i = 0; i < r.Length / 2; i++)
        {
            int size = shape[shape.Length - 1 - i];
            r[2 * i] = Math.Max(r[2 * i], -size);
            r[2 * i + 1] = Math.Max(r[2 * i + 1], -(size - Math.Max(-r[2 * i], 0)));
        }
        return r;
    }
}

/// <summary>Registers the generators for FsCheck: <c>[FsCheck.NUnit.Property(Arbitrary = [typeof(EngineArbitraries)])]</c>.</summary>
public static class EngineArbitraries
{
    public static Arbitrary<Smooth> SmoothArb() => EngineGen.Smooth.ToArbitrary();
    public static Arbitrary<NonZero> NonZeroArb() => EngineGen.NonZero.ToArbitrary();
    public static Arbitrary<Positive> PositiveArb() => EngineGen.Positive.ToArbitrary();
    public static Arbitrary<Wide> WideArb() => EngineGen.Wide.ToArbitrary();
    public static Arbitrary<Distinct> DistinctArb() => EngineGen.Distinct.ToArbitrary();
    public static Arbitrary<BroadcastPair> BroadcastPairArb() => EngineGen.BroadcastPair.ToArbitrary();
    public static Arbitrary<DivisionPair> DivisionPairArb() => EngineGen.DivisionPair.ToArbitrary();
    public static Arbitrary<DistinctPair> DistinctPairArb() => EngineGen.DistinctPair.ToArbitrary();
    public static Arbitrary<WhereCase> WhereArb() => EngineGen.Where.ToArbitrary();
    public static Arbitrary<PowCase> PowArb() => EngineGen.Pow.ToArbitrary();
    public static Arbitrary<ClampCase> ClampArb() => EngineGen.Clamp.ToArbitrary();
    public static Arbitrary<ReductionCase> ReductionArb() => EngineGen.Reduction.ToArbitrary();
    public static Arbitrary<AxisCase> AxisArb() => EngineGen.Axis.ToArbitrary();
    public static Arbitrary<MatMulCase> MatMulArb() => EngineGen.MatMul.ToArbitrary();
    public static Arbitrary<ClassificationCase> ClassificationArb() => EngineGen.Classification.ToArbitrary();
    public static Arbitrary<JoinCase> ConcatArb() => EngineGen.Concat.ToArbitrary();
    public static Arbitrary<StackCase> StackArb() => EngineGen.Stack.ToArbitrary();
    public static Arbitrary<PadCase> PadArb() => EngineGen.Pad.ToArbitrary();
}
