using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Activations;

/// <summary>An activation input: shape [N, C, L] (or [N, C]), float64 values, and a seed for the upstream gradient.</summary>
public sealed record ActCase(int[] Shape, double[] X, ulong Seed)
{
    public int Channels => Shape[1];
    public Tensor Tensor() => Pade.Engine.Tensor.FromSpan<double>(X, Shape);

    public override string ToString() =>
        $"{Shapes.Format(Shape)} {{{string.Join(", ", X.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}}} seed {Seed}";
}

/// <summary>
/// FsCheck generators for activation properties. Inputs are kept at least <see cref="Margin"/> away from every kink
/// of the function under test (central differences with step 1e-6 then see one smooth branch), and small (≤ 36
/// elements): a gradient check costs two forward passes per element.
/// </summary>
public static class ActivationGen
{
    public const double Margin = 0.02;

    public static Gen<double> Uniform(double lo, double hi) =>
        Gen.Choose(0, 1 << 24).Select(i => lo + (hi - lo) * (i / (double)(1 << 24)));

    public static Gen<double> Away(Gen<double> g, params double[] kinks) =>
        g.Where(v => kinks.All(k => Math.Abs(v - k) > Margin));

    public static readonly Gen<ulong> Seed = Gen.Choose(1, int.MaxValue).Select(i => (ulong)i);

    /// <summary>[N, C, L] with N, C ∈ 1..3, L ∈ 1..4, or [N, C] a quarter of the time.</summary>
    public static readonly Gen<int[]> Shape =
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 3)
        from l in Gen.Choose(1, 4)
        from flat in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        select flat ? new[] { n, c } : new[] { n, c, l };

    public static Gen<ActCase> Input(Gen<double> value, Gen<int[]>? shape = null) =>
        from s in shape ?? Shape
        from x in Gen.ArrayOf(value, s.Aggregate(1, (a, b) => a * b))
        from seed in Seed
        select new ActCase(s, x, seed);

    /// <summary>Inputs in [lo, hi] away from the given kinks.</summary>
    public static Arbitrary<ActCase> Inputs(double lo, double hi, params double[] kinks) => Input(Away(Uniform(lo, hi), kinks)).ToArbitrary();

    /// <summary>Checks a property on <paramref name="maxTest"/> generated cases; a failure throws with the (shrunk) case.</summary>
    public static void Run(Property property, int maxTest = 15) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true), property);

    /// <summary>Values for a parameter tensor of the given shape.</summary>
    public static Tensor Param(double[] values, params int[] shape) => Tensor.FromSpan<double>(values, shape);

    /// <summary>Runs the float64 gradient check on every input and throws (failing the property) with the report.</summary>
    public static void Grad(string op, Func<Tensor[], Tensor> f, ulong seed, params Tensor[] inputs) =>
        GradCheck.Assert(op, f, inputs, new GradCheckOptions(Seed: seed));

    /// <summary>Asserts elementwise closeness |actual − expected| ≤ atol + rtol·|expected|, naming the first bad element.</summary>
    public static void Close(double[] actual, double[] expected, double atol = 1e-12, double rtol = 1e-12, string what = "")
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: lengths");
        for (int i = 0; i < actual.Length; i++)
        {
            double tol = atol + rtol * Math.Abs(expected[i]);
            if (!(Math.Abs(actual[i] - expected[i]) <= tol) && !(double.IsNaN(actual[i]) && double.IsNaN(expected[i])))
                Assert.Fail($"{what}: element {i}: got {actual[i]:R}, expected {expected[i]:R} (tolerance {tol:G3})");
        }
    }
}
