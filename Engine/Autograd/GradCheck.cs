using System.Globalization;
using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>Options of a gradient check: central differences with step Eps, and the test
/// |analytic - numeric| ≤ Atol + Rtol·|numeric| for every element.</summary>
public sealed record GradCheckOptions(double Eps = 1e-6, double Atol = 1e-5, double Rtol = 1e-3, ulong Seed = 1);

/// <summary>The outcome of a gradient check, naming the worst element of the worst input.</summary>
public sealed record GradCheckResult(string Op, bool Passed, int Input, string InputName, int[] WorstIndex, double Analytic, double Numeric, double Tolerance)
{
    public override string ToString() => Passed
        ? $"gradcheck {Op}: passed (worst: input {Input} '{InputName}' at [{string.Join(", ", WorstIndex)}], analytic {F(Analytic)} vs numeric {F(Numeric)})"
        : $"gradcheck {Op}: FAILED for input {Input} '{InputName}' at element [{string.Join(", ", WorstIndex)}]: analytic {F(Analytic)}, numeric {F(Numeric)}, |difference| {F(Math.Abs(Analytic - Numeric))} > tolerance {F(Tolerance)}";

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

public sealed class GradCheckException(GradCheckResult result) : Exception(result.ToString())
{
    public GradCheckResult Result { get; } = result;
}

/// <summary>
/// Checks a function's analytic gradients (from <see cref="Tensor.Backward"/>) against central finite differences
/// in float64. With a random upstream gradient u, the scalar L = Σ f(x) ⊙ u has dL/dxᵢ = analytic gradient, and
/// numerically dL/dxᵢ ≈ (L(x + ε eᵢ) - L(x - ε eᵢ)) / 2ε. The same harness checks every op of Pade and any
/// function a user writes from them.
/// </summary>
public static class GradCheck
{
    /// <summary>Runs the check; inputs are converted to float64 CPU leaves that require grad.</summary>
    public static GradCheckResult Run(string op, Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options = null, Tensor? upstream = null)
    {
        var o = options ?? new GradCheckOptions();
        var xs = inputs.Select(x => { var c = x.Detach().To(DType.Float64).Cpu().Clone(); c.RequiresGrad = true; c.Name = x.Name; return c; }).ToArray();
        var y = f(xs);
        var u = upstream?.Detach().To(DType.Float64).Cpu() ?? Tensor.Rand(y.ShapeCopy(), -1, 1, DType.Float64, generator: new Generator(o.Seed));
        if (!Shapes.SameShape(u.Shape, y.Shape))
            throw new ArgumentException($"gradcheck {op}: upstream gradient shape {Shapes.Format(u.Shape)} differs from output shape {Shapes.Format(y.Shape)}");
        if (!y.RequiresGrad)
            throw new InvalidOperationException($"gradcheck {op}: the output does not require grad (no input reaches it through differentiable ops)");
        (y * u).Sum().Backward();

        GradCheckResult? worst = null;
        double worstRatio = -1;
        for (int i = 0; i < xs.Length; i++)
        {
            var analytic = xs[i].Grad?.ToArray<double>() ?? new double[xs[i].Numel];
            var values = xs[i].ToArray<double>();
            var shape = xs[i].ShapeCopy();
            for (int j = 0; j < values.Length; j++)
            {
                double numeric = (Loss(f, xs, u, i, values, shape, j, o.Eps) - Loss(f, xs, u, i, values, shape, j, -o.Eps)) / (2 * o.Eps);
                double tol = o.Atol + o.Rtol * Math.Abs(numeric);
                double err = Math.Abs(analytic[j] - numeric);
                double ratio = double.IsNaN(err) ? double.PositiveInfinity : err / tol;
                if (ratio > worstRatio)
                {
                    worstRatio = ratio;
                    worst = new GradCheckResult(op, ratio <= 1, i, xs[i].Name ?? $"x{i}", Unravel(j, shape), analytic[j], numeric, tol);
                }
            }
        }
        return worst ?? new GradCheckResult(op, true, -1, "", [], 0, 0, 0);
    }

    /// <summary>Runs the check and throws <see cref="GradCheckException"/> with the report when it fails.</summary>
    public static GradCheckResult Assert(string op, Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options = null, Tensor? upstream = null)
    {
        var r = Run(op, f, inputs, options, upstream);
        return r.Passed ? r : throw new GradCheckException(r);
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor u, int input, double[] values, int[] shape, int element, double delta)
    {
        using var _ = Tensor.NoGrad();
        var perturbed = (double[])values.Clone();
        perturbed[element] += delta;
        var args = (Tensor[])xs.Clone();
        args[input] = Tensor.FromSpan<double>(perturbed, shape);
        return (f(args) * u).Sum().Item();
    }

    private static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = flat % Math.Max(shape[d], 1); flat /= Math.Max(shape[d], 1); }
        return idx;
    }
}
