using FsCheck;
using FsCheck.Fluent;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>Several tensors and the integer arguments of one of the shape ops (dims, k, sections or indices), a mode
/// and an upstream-gradient seed.</summary>
public sealed record ShapeCase(Spec[] Xs, int[] Args, int[] More, int Mode, ulong Seed)
{
    public Spec X => Xs[0];

    public override string ToString() =>
        $"Xs [{string.Join("; ", Xs.Select(x => x.ToString()))}], args [{string.Join(", ", Args)}], more [{string.Join(", ", More)}], mode {Mode}, seed {Seed}";
}

public static class ShapeOpsGen
{
    private static readonly Gen<double> Value = EngineGen.Uniform(-2, 2);

    /// <summary>Rank in [min, max], dims 1..5 (capped), one dim in eight set to 0.</summary>
    public static Gen<int[]> Shape(int minRank, int maxRank) =>
        from s in EngineGen.Shape(minRank, maxRank)
        from zeros in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (7, Gen.Constant(false))), s.Length)
        select s.Select((d, i) => zeros[i] ? 0 : d).ToArray();

    private static Gen<int> Negated(int d, int rank) => Gen.Elements(d, d - Math.Max(rank, 1));

    /// <summary>movedim (Mode 0: lists, 1: one int) or swapaxes (Mode 2): source dims (a random ordered subset) and as
    /// many distinct destinations, each negative half the time.</summary>
    public static readonly Gen<ShapeCase> Movedim =
        from s in Shape(0, 4)
        from x in EngineGen.Values(s, Value)
        from mode in Gen.Elements(0, 1, 2)
        from srcOrder in Gen.Shuffle(Enumerable.Range(0, Math.Max(s.Length, 1)))
        from dstOrder in Gen.Shuffle(Enumerable.Range(0, Math.Max(s.Length, 1)))
        from count in mode == 0 ? Gen.Choose(0, Math.Max(s.Length, 1)) : Gen.Constant(1)
        from srcNeg in Gen.ArrayOf(Gen.Elements(false, true), count)
        from dstNeg in Gen.ArrayOf(Gen.Elements(false, true), count)
        from seed in EngineGen.Seed
        let r = Math.Max(s.Length, 1)
        let src = srcOrder.Take(count).Select((d, i) => srcNeg[i] ? d - r : d).ToArray()
        let dst = (mode == 2 ? srcOrder.Skip(count).Concat(srcOrder).Take(1) : dstOrder.Take(count)).Select((d, i) => dstNeg[i] ? d - r : d).ToArray()
        select new ShapeCase([x], src, dst, mode, seed);

    /// <summary>The dim of the pre-atleast shape whose size may differ between the stacked tensors (null: each tensor
    /// gives exactly one slice along the joining dim), for hstack (0), vstack (1), dstack (2), column_stack (3).</summary>
    public static int? JoinDim(int mode, int rank) => mode switch
    {
        0 => rank == 0 ? null : rank == 1 ? 0 : 1,
        1 => rank >= 2 ? 0 : null,
        2 => rank >= 3 ? 2 : null,
        _ => rank >= 2 ? 1 : null,
    };

    /// <summary>hstack/vstack/dstack/column_stack (Mode 0..3) of 1..3 tensors of one rank 0..4 whose shapes agree but
    /// along the joined dim (sizes 0..3 there).</summary>
    public static readonly Gen<ShapeCase> Stacks =
        from mode in Gen.Elements(0, 1, 2, 3)
        from s in EngineGen.Shape(0, 4)
        from n in Gen.Choose(1, 3)
        from sizes in Gen.ArrayOf(Gen.Choose(0, 3), n)
        from xs in Gen.CollectToArray(sizes, k =>
        {
            var shape = (int[])s.Clone();
            if (JoinDim(mode, s.Length) is int d) shape[d] = k;
            return EngineGen.Values(shape, Value);
        })
        from seed in EngineGen.Seed
        select new ShapeCase(xs, [], [], mode, seed);

    /// <summary>rot90 (Mode 0; Args: k in [−9, 9], then two distinct dims, negative half the time), fliplr (1),
    /// flipud (2). Rank 2..4 (flipud 1..4).</summary>
    public static readonly Gen<ShapeCase> Rot90 =
        from mode in Gen.Elements(0, 0, 1, 2)
        from s in Shape(mode == 2 ? 1 : 2, 4)
        from x in EngineGen.Values(s, Value)
        from k in Gen.Choose(-9, 9)
        from dims in Gen.Shuffle(Enumerable.Range(0, s.Length))
        from d0 in Negated(dims[0], s.Length)
        from d1 in Negated(dims[Math.Min(1, s.Length - 1)], s.Length)
        from seed in EngineGen.Seed
        select new ShapeCase([x], [k, d0, d1], [], mode, seed);

    /// <summary>tensor_split (Mode 0: sections 1..6 in Args[1]; Mode 1: 0..3 indices in [−7, 7] in More) along dim
    /// Args[0], or unbind (Mode 2) along it. Rank 1..4.</summary>
    public static readonly Gen<ShapeCase> Split =
        from mode in Gen.Elements(0, 1, 2)
        from s in Shape(1, 4)
        from x in EngineGen.Values(s, Value)
        from dim in TensorOpsGen.DimOf(s.Length)
        from sections in Gen.Choose(1, 6)
        from count in Gen.Choose(0, 3)
        from indices in Gen.ArrayOf(Gen.Choose(-7, 7), count)
        from seed in EngineGen.Seed
        select new ShapeCase([x], [dim, sections], mode == 1 ? indices : [], mode, seed);

    /// <summary>meshgrid "ij" (Mode 0), "xy" (1), cartesian_prod (2): 1..3 tensors of rank 0 or 1 (cartesian_prod: 1),
    /// sizes 0..4.</summary>
    public static readonly Gen<ShapeCase> Grid =
        from mode in Gen.Elements(0, 1, 2)
        from n in Gen.Choose(1, 3)
        from ranks in Gen.ArrayOf(mode == 2 ? Gen.Constant(1) : Gen.Elements(0, 1, 1), n)
        from sizes in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4))), n)
        from xs in Gen.CollectToArray(Enumerable.Range(0, n), i => EngineGen.Values(ranks[i] == 0 ? [] : [sizes[i]], Value))
        from seed in EngineGen.Seed
        select new ShapeCase(xs, [], [], mode, seed);

    /// <summary>combinations: a vector of 0..6 elements, r in 0..4 (Args[0]), with replacement (Mode 1) or not (0).</summary>
    public static readonly Gen<ShapeCase> Combinations =
        from n in Gen.Choose(0, 6)
        from x in EngineGen.Values([n], Value)
        from r in Gen.Choose(0, 4)
        from mode in Gen.Elements(0, 1)
        from seed in EngineGen.Seed
        select new ShapeCase([x], [r], [], mode, seed);

    /// <summary>broadcast_tensors of 1..3 tensors whose shapes broadcast to one shape (some leading dims dropped, some
    /// dims set to 1).</summary>
    public static readonly Gen<ShapeCase> Broadcast =
        from full in Shape(0, 4)
        from n in Gen.Choose(1, 3)
        from drops in Gen.ArrayOf(Gen.Choose(0, full.Length), n)
        from ones in Gen.ArrayOf(Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (2, Gen.Constant(false))), full.Length), n)
        from xs in Gen.CollectToArray(Enumerable.Range(0, n), i => EngineGen.Values(full.Skip(drops[i]).Select((d, j) => ones[i][drops[i] + j] ? 1 : d).ToArray(), Value))
        from seed in EngineGen.Seed
        select new ShapeCase(xs, [], [], 0, seed);
}
