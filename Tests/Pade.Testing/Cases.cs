using System.Globalization;
using Pade.Engine;

namespace Pade.Testing;

/// <summary>A float64 tensor as plain data: a shape and its elements in row-major order. Tests build engine
/// tensors from it and compute reference results from the same arrays with plain loops.</summary>
public sealed record Spec(int[] Shape, double[] Values)
{
    public int Rank => Shape.Length;
    public int Numel => Values.Length;

    /// <summary>A new float64 CPU tensor holding these values (a fresh leaf every call).</summary>
    public Tensor Tensor() => Pade.Engine.Tensor.FromSpan<double>(Values, Shape);

    /// <summary>The values as a tensor of <paramref name="dtype"/> on <paramref name="device"/> (rounded to the dtype).</summary>
    public Tensor Tensor(DType dtype, Device? device = null) => Tensor().To(dtype).To(device ?? Device.Cpu);

    // FsCheck prints a failing case with ToString: show the shape and the values, not "System.Double[]".
    public override string ToString() =>
        $"{Shapes.Format(Shape)} {{{string.Join(", ", Values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}}}";
}

/// <summary>Values in [-2, 2]: for ops that are smooth everywhere (add, mul, exp, tanh, views...).</summary>
public sealed record Smooth(Spec X, ulong Seed);

/// <summary>Values with 0.1 ≤ |x| ≤ 2: away from the kink at 0 of abs, sign and relu.</summary>
public sealed record NonZero(Spec X, ulong Seed);

/// <summary>Values in [0.2, 3]: inside the domain of log, sqrt, reciprocal and non-integer powers.</summary>
public sealed record Positive(Spec X, ulong Seed);

/// <summary>Magnitudes spread log-uniformly over [1e-8, 10] with random signs: for accuracy checks of float32
/// kernels, where tiny inputs expose cancellation (tanh(x) ≈ x, not 0).</summary>
public sealed record Wide(Spec X, ulong Seed);

/// <summary>Pairwise distinct values at least 4/n apart: max/min reductions have no ties.</summary>
public sealed record Distinct(Spec X, ulong Seed);

/// <summary>Two broadcast-compatible tensors (dims set to 1 or dropped from the left on either side).
/// Values in [-2, 2].</summary>
public sealed record BroadcastPair(Spec A, Spec B, ulong Seed)
{
    public override string ToString() => $"A {A}, B {B}, seed {Seed}";
}

/// <summary>A broadcast pair whose B is in [0.2, 3] (a safe denominator).</summary>
public sealed record DivisionPair(Spec A, Spec B, ulong Seed)
{
    public override string ToString() => $"A {A}, B {B}, seed {Seed}";
}

/// <summary>A broadcast pair whose values are all distinct across both sides, so maximum/minimum never tie.</summary>
public sealed record DistinctPair(Spec A, Spec B, ulong Seed)
{
    public override string ToString() => $"A {A}, B {B}, seed {Seed}";
}

/// <summary>A broadcast pair plus a 0/1 mask broadcastable to their common shape.</summary>
public sealed record WhereCase(Spec Mask, Spec A, Spec B, ulong Seed)
{
    public override string ToString() => $"mask {Mask}, A {A}, B {B}, seed {Seed}";
}

/// <summary>x^p with x in [0.2, 3] and p from a set of integer and non-integer exponents (negative included).</summary>
public sealed record PowCase(Spec X, double P, ulong Seed);

/// <summary>clamp(x, lo, hi) with every value at least 0.05 away from lo and hi.</summary>
public sealed record ClampCase(Spec X, double Lo, double Hi, ulong Seed);

/// <summary>A reduction over a random subset of axes (possibly empty = all, possibly negative), distinct values.</summary>
public sealed record ReductionCase(Spec X, int[] Axes, bool KeepDim, ulong Seed)
{
    public override string ToString() => $"X {X}, axes [{string.Join(", ", Axes)}], keepDim {KeepDim}, seed {Seed}";
}

/// <summary>A tensor of rank ≥ 1 and one of its axes (given as negative half the time). Values in [-2, 2].</summary>
public sealed record AxisCase(Spec X, int Axis, ulong Seed);

public enum MatMulKind { Matrix, Batched, BroadcastBatch, VectorLeft, VectorRight, VectorVector }

/// <summary>Operands of numpy-style matmul of one of the <see cref="MatMulKind"/> layouts. Values in [-2, 2].</summary>
public sealed record MatMulCase(MatMulKind Kind, Spec A, Spec B, bool TransposedA, bool TransposedB, ulong Seed)
{
    public override string ToString() => $"{Kind}: A {A}{(TransposedA ? " (fed transposed)" : "")}, B {B}{(TransposedB ? " (fed transposed)" : "")}, seed {Seed}";
}

/// <summary>Logits [N, C], class targets in [0, C), a label smoothing in {0} ∪ (0, 0.5].</summary>
public sealed record ClassificationCase(Spec Logits, int[] Targets, double Smoothing, ulong Seed)
{
    public override string ToString() => $"logits {Logits}, targets [{string.Join(", ", Targets)}], smoothing {Smoothing}, seed {Seed}";
}

/// <summary>Several tensors that agree on every axis but Axis, for concat; SameShape ones for stack.</summary>
public sealed record JoinCase(Spec[] Parts, int Axis, ulong Seed)
{
    public override string ToString() => $"axis {Axis}, parts {string.Join(" | ", Parts.Select(p => p.ToString()))}, seed {Seed}";
}

/// <summary>A tensor and torch-style constant padding (before, after) pairs from the last axis.</summary>
public sealed record PadCase(Spec X, int[] Pads, double Value, ulong Seed)
{
    public override string ToString() => $"X {X}, pads [{string.Join(", ", Pads)}], value {Value}, seed {Seed}";
}

/// <summary>Equally shaped tensors for stack, and the new axis (0..rank).</summary>
public sealed record StackCase(Spec[] Parts, int Axis, ulong Seed)
{
    public override string ToString() => $"axis {Axis}, parts {string.Join(" | ", Parts.Select(p => p.ToString()))}, seed {Seed}";
}
