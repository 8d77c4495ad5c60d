using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>A tensor and the integer arguments of one of the tensor ops (dims, shifts, sizes, a diagonal), a flag
/// (dims omitted, or a tensor of repeats) and an upstream-gradient seed.</summary>
public sealed record TensorOpCase(Spec X, int[] Args, int[] More, bool Flag, ulong Seed)
{
    public override string ToString() => $"X {X}, args [{string.Join(", ", Args)}], more [{string.Join(", ", More)}], flag {Flag}, seed {Seed}";
}

/// <summary>masked_fill: X, a mask of a shape that broadcasts with X's (0, 1 and NaN entries), the fill value.</summary>
public sealed record MaskCase(Spec X, Spec Mask, double Value, ulong Seed)
{
    public override string ToString() => $"X {X}, mask {Mask}, value {Value}, seed {Seed}";
}

public static class TensorOpsGen
{
    private static readonly Gen<double> Value = EngineGen.Uniform(-2, 2);

    /// <summary>A dim of a tensor of rank <paramref name="rank"/> (0 or −1 for a 0-d one), negative half the time.</summary>
    public static Gen<int> DimOf(int rank) =>
        from d in Gen.Choose(0, Math.Max(rank, 1) - 1)
        from negative in Gen.Elements(false, true)
        select negative ? d - Math.Max(rank, 1) : d;

    /// <summary>flip: distinct dims (a random subset, each negative half the time).</summary>
    public static readonly Gen<TensorOpCase> Flip =
        from s in StatisticsGen.Shape
        from x in EngineGen.Values(s, Value)
        from subset in Gen.SubListOf(Enumerable.Range(0, Math.Max(s.Length, 1)))
        from negate in Gen.ArrayOf(Gen.Elements(false, true), subset.Count)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, subset.Select((d, i) => negate[i] ? d - Math.Max(s.Length, 1) : d).ToArray(), [], false, seed);

    /// <summary>roll: 1 to 3 (dim, shift) pairs (a dim may repeat), shifts in [−9, 9] (beyond the size, negative);
    /// Flag: no dims, one shift of the flattened tensor.</summary>
    public static readonly Gen<TensorOpCase> Roll =
        from s in StatisticsGen.Shape
        from x in EngineGen.Values(s, Value)
        from flat in Gen.Frequency((1, Gen.Constant(true)), (2, Gen.Constant(false)))
        from k in Gen.Choose(1, 3)
        from dims in Gen.ArrayOf(DimOf(s.Length), flat ? 0 : k)
        from shifts in Gen.ArrayOf(Gen.Choose(-9, 9), flat ? 1 : k)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, dims, shifts, flat, seed);

    /// <summary>repeat (Flag false: rank..rank+2 sizes) or tile (Flag true: 0..rank+1 sizes), sizes 0..3 (0 rarely).</summary>
    public static readonly Gen<TensorOpCase> Repeat =
        from s in EngineGen.Shape(0, 3)
        from x in EngineGen.Values(s, Value)
        from tile in Gen.Elements(false, true)
        from n in tile ? Gen.Choose(0, s.Length + 1) : Gen.Choose(s.Length, s.Length + 2)
        from sizes in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 3))), n)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, sizes, [], tile, seed);

    /// <summary>repeat_interleave: Args [dim] or [] (flattened); More the counts (one, or one per element along the
    /// dim when Flag, the tensor form), 0..3.</summary>
    public static readonly Gen<TensorOpCase> RepeatInterleave =
        from s in StatisticsGen.Shape
        from x in EngineGen.Values(s, Value)
        from flat in Gen.Frequency((1, Gen.Constant(true)), (2, Gen.Constant(false)))
        from dim in DimOf(s.Length)
        let n = flat ? s.Aggregate(1, (a, b) => a * b) : s.Length == 0 ? 1 : s[dim < 0 ? dim + s.Length : dim]
        from perElement in Gen.Elements(false, true)
        from counts in Gen.ArrayOf(Gen.Choose(0, 3), perElement ? n : 1)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, flat ? [] : [dim], counts, perElement, seed);

    /// <summary>chunk (Flag: Args [chunks, dim]) or split (Args [size, dim], or More the sizes that add up).</summary>
    public static readonly Gen<TensorOpCase> Split =
        from s in StatisticsGen.Shape.Where(s => s.Length > 0)
        from x in EngineGen.Values(s, Value)
        from dim in DimOf(s.Length)
        let n = s[dim < 0 ? dim + s.Length : dim]
        from chunk in Gen.Elements(false, true)
        from count in Gen.Choose(1, 6)
        from size in n == 0 ? Gen.Elements(0, 1, 2) : Gen.Choose(1, n + 1)
        from withSizes in Gen.Elements(false, true)
        from cuts in Gen.ArrayOf(Gen.Choose(0, n), Math.Max(0, count - 1))
        let bounds = cuts.Order().Prepend(0).Append(n).ToArray()
        let sizes = bounds.Skip(1).Select((b, i) => b - bounds[i]).ToArray()
        from seed in EngineGen.Seed
        select new TensorOpCase(x, [chunk ? count : size, dim], !chunk && withSizes ? sizes : [], chunk, seed);

    /// <summary>tril/triu (Flag: triu): rank 2..4 with size-0 dims, a diagonal in [−7, 7] (beyond the matrix too).</summary>
    public static readonly Gen<TensorOpCase> Triangle =
        from s in StatisticsGen.Shape.Where(s => s.Length >= 2)
        from x in EngineGen.Values(s, Value)
        from diagonal in Gen.Choose(-7, 7)
        from upper in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, [diagonal], [], upper, seed);

    /// <summary>diagonal: rank 2..4, Args [offset, dim1, dim2] with distinct dims, each negative half the time.</summary>
    public static readonly Gen<TensorOpCase> Diagonal =
        from s in StatisticsGen.Shape.Where(s => s.Length >= 2)
        from x in EngineGen.Values(s, Value)
        from pair in Gen.Shuffle(Enumerable.Range(0, s.Length))
        from negate in Gen.ArrayOf(Gen.Elements(false, true), 2)
        from offset in Gen.Choose(-6, 6)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, [offset, negate[0] ? pair[0] - s.Length : pair[0], negate[1] ? pair[1] - s.Length : pair[1]], [], false, seed);

    /// <summary>diag: a vector (to a matrix) or a matrix (to a vector), an offset in [−6, 6].</summary>
    public static readonly Gen<TensorOpCase> Diag =
        from rank in Gen.Choose(1, 2)
        from s in StatisticsGen.Shape.Select(s => s.Concat(new[] { 3, 2 }).Take(rank).ToArray())
        from x in EngineGen.Values(s, Value)
        from offset in Gen.Choose(-6, 6)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, [offset], [], false, seed);

    /// <summary>Values on a coarse grid, so ties are common; with NaNs when <paramref name="nan"/>.</summary>
    public static Gen<double> Coarse(bool nan) => nan
        ? Gen.Frequency((1, Gen.Constant(double.NaN)), (8, Gen.Choose(-2, 2).Select(i => (double)i)))
        : Gen.Choose(-2, 2).Select(i => (double)i);

    /// <summary>amax/amin (Flag: amin; Args the dims, More [keepDim]); values distinct or (More[1] = 1) coarse with ties.</summary>
    public static readonly Gen<TensorOpCase> Extreme =
        from s in StatisticsGen.Shape
        from ties in Gen.Elements(false, true)
        from x in ties ? EngineGen.Values(s, Coarse(nan: false)) : EngineGen.DistinctValues(s)
        from subset in Gen.SubListOf(Enumerable.Range(0, s.Length))
        from negate in Gen.ArrayOf(Gen.Elements(false, true), subset.Count)
        from keepDim in Gen.Elements(0, 1)
        from amin in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        where subset.All(a => s[a] > 0) && (subset.Count > 0 || s.All(d => d > 0))
        select new TensorOpCase(x, subset.Select((d, i) => negate[i] ? d - s.Length : d).ToArray(), [keepDim, ties ? 1 : 0], amin, seed);

    /// <summary>argmin (Args [dim] or [] for the flattened tensor, More [keepDim]), all/any (same arguments);
    /// coarse values with NaNs and zeros.</summary>
    public static readonly Gen<TensorOpCase> Truth =
        from s in StatisticsGen.Shape
        from x in EngineGen.Values(s, Coarse(nan: true))
        from flat in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from dim in DimOf(s.Length)
        from keepDim in Gen.Elements(0, 1)
        from seed in EngineGen.Seed
        select new TensorOpCase(x, flat ? [] : [dim], [keepDim], false, seed);

    public static readonly Gen<MaskCase> Mask =
        from pair in EngineGen.BroadcastShapes
        from x in EngineGen.Values(pair.A, Value)
        from mask in EngineGen.Values(pair.B, Gen.Frequency((4, Gen.Constant(0.0)), (4, Gen.Constant(1.0)), (1, Gen.Constant(double.NaN)), (1, Gen.Constant(-0.5))))
        from value in Gen.Elements(0.0, -1.5, 3.25, double.NegativeInfinity)
        from seed in EngineGen.Seed
        select new MaskCase(x, mask, value, seed);
}
