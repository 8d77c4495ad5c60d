using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;

namespace Pade.Testing;

/// <summary>
/// L1, smooth L1 and Huber: input and target of one shape (or shapes that broadcast), a reduction, smooth L1's β
/// (0 a third of the time: exactly L1) and Huber's δ &gt; 0. Every difference a − b stays at least 0.06 from the kinks
/// 0, ±β and ±δ (see <see cref="RegressionLossGen.Difference"/>), so central differences measure the real slope.
/// </summary>
public sealed record DifferenceLossCase(Spec Input, Spec Target, Reduction Reduction, double Beta, double Delta, ulong Seed)
{
    public override string ToString() => $"input {Input}, target {Target}, reduction {Reduction}, beta {Beta}, delta {Delta}, seed {Seed}";
}

/// <summary>Binary cross-entropy on probabilities p (in [0.05, 0.95]: log p, log(1 − p) and their derivatives stay
/// moderate), targets y in [0.02, 0.98] (a central difference must not step outside [0, 1]), an optional weight of a
/// shape that broadcasts to p's.</summary>
public sealed record BceCase(Spec Input, Spec Target, Spec? Weight, Reduction Reduction, ulong Seed)
{
    public override string ToString() => $"p {Input}, y {Target}, weight {Weight?.ToString() ?? "none"}, reduction {Reduction}, seed {Seed}";
}

/// <summary>Binary cross-entropy on logits x in [-6, 6], targets y in [0, 1], optional weight and pos_weight that
/// broadcast to x's shape (pos_weight often [C], the last axis).</summary>
public sealed record BceLogitsCase(Spec Input, Spec Target, Spec? Weight, Spec? PosWeight, Reduction Reduction, ulong Seed)
{
    public override string ToString() =>
        $"x {Input}, y {Target}, weight {Weight?.ToString() ?? "none"}, pos_weight {PosWeight?.ToString() ?? "none"}, reduction {Reduction}, seed {Seed}";
}

public static class RegressionLossGen
{
    private static readonly Gen<Reduction> AnyReduction = Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum);

    /// <summary>A shape from <see cref="EngineGen.Shape"/>, one time in eight with a dimension set to 0 (empty).</summary>
    private static readonly Gen<int[]> MaybeEmptyShape =
        from shape in EngineGen.Shape()
        from empty in Gen.Frequency((7, Gen.Constant(false)), (1, Gen.Constant(true)))
        from axis in Gen.Choose(0, Math.Max(shape.Length - 1, 0))
        select empty && shape.Length > 0 ? shape.Select((d, i) => i == axis ? 0 : d).ToArray() : shape;

    /// <summary>Equal shapes three times in four, else two shapes that broadcast to a common one.</summary>
    private static readonly Gen<(int[] A, int[] B)> PairShapes =
        from full in MaybeEmptyShape
        from same in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from a in same ? Gen.Constant(full) : EngineGen.BroadcastableTo(full)
        from b in same ? Gen.Constant(full) : EngineGen.BroadcastableTo(full)
        select (a, b);

    /// <summary>
    /// A lattice that keeps differences off the kinks: targets are 0.25·k + j and inputs 0.25·m + 0.1 + j' with
    /// jitters |j|, |j'| ≤ 0.02, so |a − b| modulo 0.25 lies in [0.06, 0.19], at least 0.06 from every multiple of
    /// 0.25, where β and δ are drawn. Any input against any target of the lattice (broadcasting) is safe.
    /// </summary>
    public static Gen<double> Difference(double offset) =>
        from k in Gen.Choose(-8, 8)
        from j in EngineGen.Uniform(-0.02, 0.02)
        select 0.25 * k + offset + j;

    public static readonly Gen<DifferenceLossCase> DifferenceLoss =
        from shapes in PairShapes
        from input in EngineGen.Values(shapes.A, Difference(0.1))
        from target in EngineGen.Values(shapes.B, Difference(0))
        from reduction in AnyReduction
        from beta in Gen.Frequency((1, Gen.Constant(0.0)), (2, Gen.Choose(1, 10).Select(i => 0.25 * i)))
        from delta in Gen.Choose(1, 10).Select(i => 0.25 * i)
        from seed in EngineGen.Seed
        select new DifferenceLossCase(input, target, reduction, beta, delta, seed);

    /// <summary>No weight half the time, else one of a shape that broadcasts to <paramref name="shape"/>.</summary>
    private static Gen<Spec?> OptionalBroadcast(int[] shape, double lo, double hi) =>
        Gen.Frequency(
            (1, Gen.Constant<Spec?>(null)),
            (2, from s in EngineGen.BroadcastableTo(shape) from w in EngineGen.Values(s, EngineGen.Uniform(lo, hi)) select (Spec?)w));

    public static readonly Gen<BceCase> Bce =
        from shape in MaybeEmptyShape
        from p in EngineGen.Values(shape, EngineGen.Uniform(0.05, 0.95))
        from y in EngineGen.Values(shape, EngineGen.Uniform(0.02, 0.98))
        from weight in OptionalBroadcast(shape, 0.2, 2)
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new BceCase(p, y, weight, reduction, seed);

    /// <summary>pos_weight: none, a shape that broadcasts to x's, or [C] against the last axis (PyTorch's usual use).</summary>
    private static Gen<Spec?> PosWeight(int[] shape) =>
        Gen.Frequency(
            (2, OptionalBroadcast(shape, 0.2, 3)),
            (1, shape.Length == 0
                ? Gen.Constant<Spec?>(null)
                : EngineGen.Values([shape[^1]], EngineGen.Uniform(0.2, 3)).Select(w => (Spec?)w)));

    public static readonly Gen<BceLogitsCase> BceLogits =
        from shape in MaybeEmptyShape
        from x in EngineGen.Values(shape, EngineGen.Uniform(-6, 6))
        from y in EngineGen.Values(shape, Gen.Frequency((3, EngineGen.Uniform(0, 1)), (1, Gen.Elements(0.0, 1.0))))
        from weight in OptionalBroadcast(shape, 0.2, 2)
        from posWeight in PosWeight(shape)
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new BceLogitsCase(x, y, weight, posWeight, reduction, seed);
}

public static class RegressionLossArbitraries
{
    public static Arbitrary<DifferenceLossCase> DifferenceLossArb() => RegressionLossGen.DifferenceLoss.ToArbitrary();
    public static Arbitrary<BceCase> BceArb() => RegressionLossGen.Bce.ToArbitrary();
    public static Arbitrary<BceLogitsCase> BceLogitsArb() => RegressionLossGen.BceLogits.ToArbitrary();
}
