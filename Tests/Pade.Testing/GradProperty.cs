using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Engine.Autograd;

namespace Pade.Testing;

/// <summary>
/// Property-based gradient checks for your own ops. FsCheck draws float64 tensors of random shapes (rank 0 to 4,
/// dims 1 to 5, size 1 often: where broadcasting and reductions go wrong) with values away from the points where
/// the op is not differentiable, and <see cref="GradCheck"/> compares the op's backward with central differences.
/// A failing case shrinks to the smallest shape that still fails, and FsCheck prints it with its values.
/// </summary>
/// <example>
/// <code>
/// [FsCheck.NUnit.Property]
/// public Property SoftplusGradient() => GradProperty.ForAll(x => MyOps.Softplus(x), lo: -3, hi: 3);
/// </code>
/// </example>
public static class GradProperty
{
    /// <summary>f's gradient is right on every tensor FsCheck draws (values in [lo, hi], at least
    /// <paramref name="gap"/> from each of <paramref name="kinks"/>).</summary>
    public static Property ForAll(Func<Tensor, Tensor> f, double lo = -2, double hi = 2, double[]? kinks = null,
        double gap = 0.05, int minRank = 0, int maxRank = 4, GradCheckOptions? options = null, string name = "op") =>
        Prop.ForAll(PadeArb.Tensor(lo, hi, kinks, gap, minRank, maxRank), x => Check(name, xs => f(xs[0]), [x], options));

    /// <summary>The same for an op of two tensors of one shape (drawn independently, shrunk together).</summary>
    public static Property ForAll(Func<Tensor, Tensor, Tensor> f, double lo = -2, double hi = 2, double[]? kinks = null,
        double gap = 0.05, int minRank = 0, int maxRank = 4, GradCheckOptions? options = null, string name = "op") =>
        Prop.ForAll(PadeArb.TensorPair(lo, hi, kinks, gap, minRank, maxRank), p => Check(name, xs => f(xs[0], xs[1]), [p.A, p.B], options));

    /// <summary>Runs <see cref="GradCheck"/> on the inputs; a failure throws its report (FsCheck then shrinks).</summary>
    public static void Check(string name, Func<Tensor[], Tensor> f, Spec[] inputs, GradCheckOptions? options = null)
    {
        var result = GradCheck.Run(name, f, inputs.Select(s => s.Tensor()).ToArray(), options);
        if (!result.Passed) throw new GradCheckException(result);
    }
}

/// <summary>Arbitraries (generator and shrinker) of tensors as <see cref="Spec"/>s, for FsCheck properties.</summary>
public static class PadeArb
{
    /// <summary>A value in [lo, hi] at least <paramref name="gap"/> from every kink.</summary>
    public static Gen<double> ValueAwayFrom(double lo, double hi, double[]? kinks, double gap) =>
        EngineGen.Uniform(lo, hi).Where(v => kinks == null || kinks.All(k => Math.Abs(v - k) >= gap));

    /// <summary>One tensor: a shape from <see cref="EngineGen.Shape"/>, values from <see cref="ValueAwayFrom"/>;
    /// it shrinks by shortening a dimension by one (keeping the leading block) or dropping a size-1 dimension.</summary>
    public static Arbitrary<Spec> Tensor(double lo = -2, double hi = 2, double[]? kinks = null, double gap = 0.05,
        int minRank = 0, int maxRank = 4) =>
        Arb.From(EngineGen.Shape(minRank, maxRank).SelectMany(s => EngineGen.Values(s, ValueAwayFrom(lo, hi, kinks, gap))),
            s => Shrink(s, minRank));

    /// <summary>Two tensors of one shape, shrunk together.</summary>
    public static Arbitrary<SpecPair> TensorPair(double lo = -2, double hi = 2, double[]? kinks = null, double gap = 0.05,
        int minRank = 0, int maxRank = 4)
    {
        var value = ValueAwayFrom(lo, hi, kinks, gap);
        var gen = from s in EngineGen.Shape(minRank, maxRank)
                  from a in EngineGen.Values(s, value)
                  from b in EngineGen.Values(s, value)
                  select new SpecPair(a, b);
        return Arb.From(gen, p => Shrink(p.A, minRank).Zip(Shrink(p.B, minRank), (a, b) => new SpecPair(a, b)));
    }

    /// <summary>Smaller tensors: each dimension above 1 shortened by one, each size-1 dimension dropped (never
    /// below <paramref name="minRank"/>); the values are those of the leading block, so a failure that depends on
    /// a value keeps it while the shape shrinks around it.</summary>
    public static IEnumerable<Spec> Shrink(Spec s, int minRank = 0)
    {
        for (int axis = 0; axis < s.Rank; axis++)
        {
            if (s.Shape[axis] == 1)
            {
                if (s.Rank > minRank) yield return new Spec(s.Shape.Where((_, i) => i != axis).ToArray(), s.Values);
                continue;
            }
            var shape = (int[])s.Shape.Clone();
            shape[axis]--;
            yield return new Spec(shape, LeadingBlock(s, shape));
        }
    }

    private static double[] LeadingBlock(Spec s, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var values = new double[n];
        var index = new int[shape.Length];
        for (int i = 0; i < n; i++)
        {
            int flat = 0;
            for (int d = 0; d < shape.Length; d++) flat = flat * s.Shape[d] + index[d];
            values[i] = s.Values[flat];
            for (int d = shape.Length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        return values;
    }
}

/// <summary>Two tensors of one shape.</summary>
public sealed record SpecPair(Spec A, Spec B)
{
    public override string ToString() => $"A {A}, B {B}";
}
