using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// One case of the losses beyond the regression ones: float operands (input first), int32 class indices where the
/// loss takes them, the reduction and the loss's scalar arguments (margin, p, and two flags whose meaning depends on
/// the loss: log_target, swap, log_input, full, weighted).
/// </summary>
public sealed record LossCase(Spec[] Operands, Spec? Classes, Reduction Reduction, double Margin, double P, bool Flag, bool Flag2, ulong Seed)
{
    public override string ToString() =>
        $"operands [{string.Join("; ", Operands.Select(o => o.ToString()))}], classes {Classes?.ToString() ?? "none"}, reduction {Reduction}, " +
        $"margin {Margin}, p {P}, flags {Flag}/{Flag2}, seed {Seed}";
}

/// <summary>Generators for <see cref="MoreLossProperties"/>: shapes with size-1 and (one time in eight) empty dims,
/// operands that broadcast, targets ±1 (sometimes other values), class indices in range.</summary>
public static class MoreLossGen
{
    private static readonly Gen<Reduction> AnyReduction = Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum);

    private static Gen<int[]> MaybeEmpty(Gen<int[]> shapes) =>
        from shape in shapes
        from empty in Gen.Frequency((7, Gen.Constant(false)), (1, Gen.Constant(true)))
        from axis in Gen.Choose(0, Math.Max(shape.Length - 1, 0))
        select empty && shape.Length > 0 ? shape.Select((d, i) => i == axis ? 0 : d).ToArray() : shape;

    /// <summary>The shape itself three times in four, else one that broadcasts to it.</summary>
    private static Gen<int[]> SameOrBroadcast(int[] full) =>
        Gen.Frequency((3, Gen.Constant(full)), (1, EngineGen.BroadcastableTo(full)));

    /// <summary>Same as <see cref="SameOrBroadcast"/>, keeping the rank (some dims set to 1).</summary>
    private static Gen<int[]> SameRank(int[] full) =>
        from ones in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false))), full.Length)
        select full.Select((d, i) => ones[i] ? 1 : d).ToArray();

    private static readonly Gen<double> Sign = Gen.Frequency((5, Gen.Elements(1.0, -1.0)), (1, Gen.Elements(0.0, 2.0)));

    /// <summary>soft margin (input, target) and hinge embedding (input, target ±1): the target broadcasts to the input.</summary>
    public static readonly Gen<LossCase> InputTarget =
        from shape in MaybeEmpty(EngineGen.Shape())
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from ts in SameOrBroadcast(shape)
        from y in EngineGen.Values(ts, Sign)
        from reduction in AnyReduction
        from margin in Gen.Elements(0.0, 0.5, 1.0, 1.5)
        from seed in EngineGen.Seed
        select new LossCase([x, y], null, reduction, margin, 0, false, false, seed);

    public static readonly Gen<LossCase> MarginRanking =
        from shape in MaybeEmpty(EngineGen.Shape())
        from s1 in SameRank(shape)
        from s2 in SameRank(shape)
        from x1 in EngineGen.Values(s1, EngineGen.Uniform(-2, 2))
        from x2 in EngineGen.Values(s2, EngineGen.Uniform(-2, 2))
        from y in EngineGen.Values(shape, Sign)
        from reduction in AnyReduction
        from margin in Gen.Elements(0.0, 0.3, 1.0)
        from seed in EngineGen.Seed
        select new LossCase([x1, x2, y], null, reduction, margin, 0, false, false, seed);

    /// <summary>[N, D] with target [N] or [D] with a 0-d target; input2 sometimes [1, D].</summary>
    public static readonly Gen<LossCase> Cosine =
        from batched in Gen.Elements(true, true, false)
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        from d in Gen.Choose(1, 5)
        from broadcast in Gen.Elements(false, false, true)
        from x1 in EngineGen.Values(batched ? [n, d] : [d], EngineGen.Uniform(-2, 2))
        from x2 in EngineGen.Values(batched ? [broadcast ? 1 : n, d] : [d], EngineGen.Uniform(-2, 2))
        from y in EngineGen.Values(batched ? [n] : [], Sign)
        from reduction in AnyReduction
        from margin in Gen.Elements(-0.5, 0.0, 0.5)
        from seed in EngineGen.Seed
        select new LossCase([x1, x2, y], null, reduction, margin, 0, false, false, seed);

    public static readonly Gen<LossCase> Triplet =
        from batched in Gen.Elements(true, true, false)
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        from d in Gen.Choose(1, 5)
        from shapes in Gen.ArrayOf(Gen.Elements(false, false, true), 3)
        from a in EngineGen.Values(batched ? [shapes[0] ? 1 : n, d] : [d], EngineGen.Uniform(-2, 2))
        from pos in EngineGen.Values(batched ? [shapes[1] ? 1 : n, d] : [d], EngineGen.Uniform(-2, 2))
        from neg in EngineGen.Values(batched ? [shapes[2] ? 1 : n, d] : [d], EngineGen.Uniform(-2, 2))
        from reduction in AnyReduction
        from margin in Gen.Elements(0.5, 1.0, 2.0)
        from p in Gen.Elements(1.0, 2.0, 2.0, 3.0, 1.5, 0.7)
        from swap in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new LossCase([a, pos, neg], null, reduction, margin, p, swap, false, seed);

    /// <summary>multi_margin_loss: [N, C] (N may be 0) with targets [N], or [C] with a 0-d or [1] target; optional
    /// weight [C] (Flag), p 1 or 2.</summary>
    public static readonly Gen<LossCase> MultiMargin =
        from rank in Gen.Elements(2, 2, 1)
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        from c in Gen.Choose(1, 6)
        from x in EngineGen.Values(rank == 2 ? [n, c] : [c], EngineGen.Uniform(-2, 2))
        from zeroD in Gen.Elements(true, false)
        from t in Gen.ArrayOf(Gen.Choose(0, c - 1), rank == 2 ? n : 1)
        from w in EngineGen.Values([c], EngineGen.Uniform(0.2, 2))
        from weighted in Gen.Elements(true, false)
        from reduction in AnyReduction
        from margin in Gen.Elements(0.5, 1.0, 2.0)
        from p in Gen.Elements(1.0, 2.0)
        from seed in EngineGen.Seed
        select new LossCase([x, w], new Spec(rank == 2 ? [n] : zeroD ? [] : [1], t.Select(v => (double)v).ToArray()),
                            reduction, margin, p, weighted, false, seed);

    /// <summary>multilabel_margin_loss: each row a list of classes (repeats allowed) ended by −1, then anything in
    /// [−1, C).</summary>
    public static readonly Gen<LossCase> MultiLabelMargin =
        from rank in Gen.Elements(2, 2, 1)
        from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        from c in Gen.Choose(1, 6)
        from x in EngineGen.Values(rank == 2 ? [n, c] : [c], EngineGen.Uniform(-2, 2))
        from rows in Gen.ArrayOf(
            from count in Gen.Choose(0, c)
            from listed in Gen.ArrayOf(Gen.Choose(0, c - 1), count)
            from rest in Gen.ArrayOf(Gen.Choose(-1, c - 1), c)
            select listed.Concat(count < c ? new[] { -1 } : Array.Empty<int>()).Concat(rest).Take(c).ToArray(), rank == 2 ? n : 1)
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new LossCase([x], new Spec(rank == 2 ? [n, c] : [c], rows.SelectMany(r => r).Select(v => (double)v).ToArray()),
                            reduction, 0, 0, false, false, seed);

    /// <summary>multilabel_soft_margin_loss: rank ≥ 1, targets in [0, 1] broadcasting to x, optional weight (Flag).</summary>
    public static readonly Gen<LossCase> MultiLabelSoft =
        // No class axis of 0: its 0/0 per row is NaN whatever a broadcast target holds (no finite difference).
        from shape in MaybeEmpty(EngineGen.Shape(1, 3)).Select(s => s[^1] == 0 ? [.. s[..^1], 2] : s)
        from x in EngineGen.Values(shape, EngineGen.Uniform(-4, 4))
        from ts in SameOrBroadcast(shape)
        from y in EngineGen.Values(ts, Gen.Frequency((2, EngineGen.Uniform(0, 1)), (1, Gen.Elements(0.0, 1.0))))
        from ws in Gen.Elements<int[]>(shape, [shape[^1]])
        from w in EngineGen.Values(ws, EngineGen.Uniform(0.2, 2))
        from weighted in Gen.Elements(true, false)
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new LossCase([x, y, w], null, reduction, 0, 0, weighted, false, seed);

    /// <summary>kl_div: log-probabilities (any values), targets in (0, 1] or log targets in [−3, 1] (Flag); also
    /// batchmean.</summary>
    public static readonly Gen<LossCase> KlDiv =
        from shape in MaybeEmpty(EngineGen.Shape())
        from x in EngineGen.Values(shape, EngineGen.Uniform(-3, 0.5))
        from ts in SameOrBroadcast(shape)
        from logTarget in Gen.Elements(false, true)
        from y in EngineGen.Values(ts, logTarget ? EngineGen.Uniform(-3, 1) : EngineGen.Uniform(0.02, 1))
        from reduction in Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum, Reduction.BatchMean)
        from seed in EngineGen.Seed
        select new LossCase([x, y], null, reduction, 0, 0, logTarget, false, seed);

    /// <summary>poisson_nll_loss: log rates in [−2, 2] or rates in [0.05, 3] (Flag = log_input), counts in [0, 5] at
    /// least 0.05 from 1 (Flag2 = full adds Stirling's term above 1), integers a third of the time.</summary>
    public static readonly Gen<LossCase> Poisson =
        from shape in MaybeEmpty(EngineGen.Shape())
        from logInput in Gen.Elements(true, false)
        from x in EngineGen.Values(shape, logInput ? EngineGen.Uniform(-2, 2) : EngineGen.Uniform(0.05, 3))
        from ts in SameOrBroadcast(shape)
        from y in EngineGen.Values(ts, Gen.Frequency((2, EngineGen.Uniform(0, 5).Where(v => Math.Abs(v - 1) > 0.05)),
                                                        (1, Gen.Elements(0.0, 2.0, 3.0, 4.0))))
        from full in Gen.Elements(true, false)
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new LossCase([x, y], null, reduction, 0, 0, logInput, full, seed);

    /// <summary>gaussian_nll_loss: var of the input's shape, without its last dim, or with a last dim of 1; values
    /// above eps (Margin) so that the clamp is inactive where central differences measure.</summary>
    public static readonly Gen<LossCase> Gaussian =
        from shape in MaybeEmpty(EngineGen.Shape(1, 4))
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from ts in SameOrBroadcast(shape)
        from y in EngineGen.Values(ts, EngineGen.Uniform(-2, 2))
        from form in Gen.Elements(0, 1, 2)
        from v in EngineGen.Values(form == 0 ? shape : form == 1 ? shape[..^1] : [.. shape[..^1], 1], EngineGen.Uniform(0.1, 2))
        from full in Gen.Elements(true, false)
        from eps in Gen.Elements(1e-6, 0.05)
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new LossCase([x, y, v], null, reduction, eps, 0, full, false, seed);
}
