using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;

namespace Pade.Testing;

/// <summary>
/// A class-index loss (cross-entropy, NLL) with PyTorch's arguments: logits [C], [N, C] or [N, C, d1, ...] (classes on
/// axis 1), targets of that shape without the class axis (some equal to <see cref="IgnoreIndex"/>), class weights
/// or none, a reduction and a label smoothing (0 half the time).
/// </summary>
public sealed record ClassLossCase(Spec Logits, int[] Targets, double[]? Weight, int IgnoreIndex, Reduction Reduction, double Smoothing, ulong Seed)
{
    public int ClassAxis => Logits.Rank == 1 ? 0 : 1;
    public int Classes => Logits.Shape[ClassAxis];
    public int[] TargetShape => Logits.Shape.Where((_, i) => i != ClassAxis).ToArray();

    public Tensor TargetTensor() => Tensor.FromSpan<int>(Targets, TargetShape);
    public Tensor? WeightTensor() => Weight == null ? null : Tensor.FromArray(Weight);

    /// <summary>Every target ignored: PyTorch's mean is then 0/0.</summary>
    public bool AllIgnored => Targets.All(t => t == IgnoreIndex);

    public override string ToString() =>
        $"logits {Logits}, targets [{string.Join(", ", Targets)}], weight {(Weight == null ? "none" : "[" + string.Join(", ", Weight.Select(w => w.ToString("G4"))) + "]")}, " +
        $"ignore_index {IgnoreIndex}, reduction {Reduction}, smoothing {Smoothing}, seed {Seed}";
}

/// <summary>Cross-entropy with class-probability targets: logits and targets of one shape, targets in [0, 1]
/// (PyTorch does not require them to sum to 1, and neither does the gradient).</summary>
public sealed record ProbabilityLossCase(Spec Logits, Spec Probabilities, double[]? Weight, Reduction Reduction, double Smoothing, ulong Seed)
{
    public int ClassAxis => Logits.Rank == 1 ? 0 : 1;
    public Tensor? WeightTensor() => Weight == null ? null : Tensor.FromArray(Weight);

    public override string ToString() =>
        $"logits {Logits}, probabilities {Probabilities}, weight {(Weight == null ? "none" : string.Join(", ", Weight))}, reduction {Reduction}, smoothing {Smoothing}, seed {Seed}";
}

/// <summary>MSE with a reduction.</summary>
public sealed record MseCase(Spec Input, Spec Target, Reduction Reduction, ulong Seed);

public static class LossGen
{
    /// <summary>Small: a gradient check costs two forward passes per logit.</summary>
    private const int MaxLogits = 48;

    /// <summary>[C] (unbatched), [N, C] (most often) or [N, C, d1] / [N, C, d1, d2], capped at <see cref="MaxLogits"/>.</summary>
    private static readonly Gen<int[]> LogitShape =
        from rank in Gen.Frequency((1, Gen.Constant(1)), (3, Gen.Constant(2)), (2, Gen.Choose(3, 4)))
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 5)
        from spatial in Gen.ArrayOf(Gen.Choose(1, 3), Math.Max(rank - 2, 0))
        select rank == 1 ? [c] : CapSpatial([n, c, .. spatial]);

    /// <summary>Shrinks the largest of the batch and spatial dims (never the classes) until the shape is small.</summary>
    private static int[] CapSpatial(int[] shape)
    {
        var d = (int[])shape.Clone();
        while (d.Aggregate(1, (a, b) => a * b) > MaxLogits)
        {
            int i = Enumerable.Range(0, d.Length).Where(j => j != 1).MaxBy(j => d[j]);
            d[i]--;
        }
        return d;
    }

    private static readonly Gen<Reduction> AnyReduction = Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum);
    private static readonly Gen<double> Smoothing = Gen.Frequency((1, Gen.Constant(0.0)), (1, EngineGen.Uniform(0.05, 0.5)));

    private static Gen<double[]?> Weights(int classes) =>
        Gen.Frequency((1, Gen.Constant<double[]?>(null)), (1, Gen.ArrayOf(EngineGen.Uniform(0.2, 2), classes).Select(w => (double[]?)w)));

    public static readonly Gen<ClassLossCase> ClassLoss =
        from shape in LogitShape
        from logits in EngineGen.Values(shape, EngineGen.Uniform(-3, 3))
        from ignore in Gen.Elements(-100, 0)   // PyTorch's default, and a real class that is then left out
        from ignoring in Gen.Elements(false, true)   // half the cases ignore nothing: the fused kernel's path
        from targets in Gen.ArrayOf(Gen.Frequency((ignoring ? 3 : 0, Gen.Constant(ignore)), (6, Gen.Choose(0, shape[shape.Length == 1 ? 0 : 1] - 1))),
                                    shape.Length == 1 ? 1 : shape.Aggregate(1, (a, b) => a * b) / shape[1])
        from weight in Weights(shape[shape.Length == 1 ? 0 : 1])
        from reduction in AnyReduction
        from smoothing in Smoothing
        from seed in EngineGen.Seed
        select new ClassLossCase(logits, targets, weight, ignore, reduction, smoothing, seed);

    public static readonly Gen<ProbabilityLossCase> ProbabilityLoss =
        from shape in LogitShape
        from logits in EngineGen.Values(shape, EngineGen.Uniform(-3, 3))
        from probabilities in EngineGen.Values(shape, EngineGen.Uniform(0, 1))
        from weight in Weights(shape[shape.Length == 1 ? 0 : 1])
        from reduction in AnyReduction
        from smoothing in Smoothing
        from seed in EngineGen.Seed
        select new ProbabilityLossCase(logits, probabilities, weight, reduction, smoothing, seed);

    /// <summary>Equal shapes three times in four, else shapes that broadcast against each other (as PyTorch allows).</summary>
    public static readonly Gen<MseCase> Mse =
        from shapes in Gen.Frequency((3, EngineGen.Shape().Select(s => (A: s, B: s))), (1, EngineGen.BroadcastShapes))
        from input in EngineGen.Values(shapes.A, EngineGen.Uniform(-2, 2))
        from target in EngineGen.Values(shapes.B, EngineGen.Uniform(-2, 2))
        from reduction in AnyReduction
        from seed in EngineGen.Seed
        select new MseCase(input, target, reduction, seed);
}

public static class LossArbitraries
{
    public static Arbitrary<ClassLossCase> ClassLossArb() => LossGen.ClassLoss.ToArbitrary();
    public static Arbitrary<ProbabilityLossCase> ProbabilityLossArb() => LossGen.ProbabilityLoss.ToArbitrary();
    public static Arbitrary<MseCase> MseArb() => LossGen.Mse.ToArbitrary();
}
