using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pade.Engine;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;
using static TorchSharp.torch;

namespace Pade.Bench.Oracle;

/// <summary>One input of an oracle case: its values (float64, or class indices) and whether it needs a gradient.</summary>
public sealed record OracleInput(string Name, int[] Shape, double[] Values, bool Grad = true, bool Indices = false)
{
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// One configuration of a public op, layer, loss or optimizer, written twice: through Pade's API and through
/// TorchSharp's (libtorch). Both run in float64 on the same inputs; the oracle compares the output and, where the
/// output is differentiable, every input's gradient for the same random upstream gradient.
/// </summary>
/// <param name="Family">The op family ("conv2d", "cross_entropy", ...): the report's rows.</param>
/// <param name="Config">The configuration in words (shapes, strides, paddings, ...): where a failure is reported.</param>
/// <param name="Tolerance">|pade − torch| ≤ Tolerance·(1 + |torch|) per element; float64 on both sides, so the
/// default leaves room only for a different summation order.</param>
/// <param name="OracleWrong">Where libtorch itself is known to be wrong for this case, the reason: the case is
/// run and reported, not counted as Pade's failure.</param>
/// <param name="Tolerance32">The same bound when Pade runs in float32 (<c>oracle --dtype float32</c>: its fast paths,
/// against libtorch in float64): float32's rounding, grown by the sums a case makes.</param>
public sealed record OracleCase(string Family, string Config, OracleInput[] Inputs, Func<PTensor[], PTensor> Pade,
    Func<TTensor[], TTensor> Torch, double Tolerance = 1e-10, string? OracleWrong = null, bool Differentiable = true,
    double Tolerance32 = 1e-4);

/// <summary>The outcome of one case: the largest scaled error over output and gradients, and what failed.</summary>
public sealed record OracleResult(OracleCase Case, double WorstError, string? Failure);

/// <summary>Runs cases against libtorch and writes the report (pass counts and the worst error per family).</summary>
public static class OracleRunner
{
    /// <param name="dtype">Pade's dtype: float64 (the same arithmetic as libtorch's, so only the summation order may
    /// differ) or float32 (the kernels users run by default; libtorch stays in float64 as the exact reference).</param>
    public static OracleResult Run(OracleCase c, int seed, DType dtype = DType.Float64)
    {
        try
        {
            var rng = new Random(seed);
            var (padeOut, padeGrads) = RunPade(c, rng.Next(), dtype);
            var (torchOut, torchGrads) = RunTorch(c, padeOut.Length, new Random(seed).Next());
            double worst = 0, tol = dtype == DType.Float32 ? c.Tolerance32 : c.Tolerance;
            string? failure = Compare("output", padeOut, torchOut, tol, ref worst);
            for (int i = 0; i < c.Inputs.Length && failure == null; i++)
                if (padeGrads[i] is { } pg && torchGrads[i] is { } tg)
                    failure = Compare($"d{c.Inputs[i].Name}", pg, tg, tol, ref worst);
                else if ((padeGrads[i] == null) != (torchGrads[i] == null))
                    failure = $"d{c.Inputs[i].Name}: {(padeGrads[i] == null ? "Pade" : "torch")} computed no gradient";
            return new OracleResult(c, worst, failure);
        }
        catch (Exception e)
        {
            return new OracleResult(c, double.NaN, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }

    private static (double[] Out, double[]?[] Grads) RunPade(OracleCase c, int upstreamSeed, DType dtype)
    {
        var inputs = c.Inputs.Select(i =>
        {
            if (i.Indices) return PTensor.FromArray(i.Values.Select(v => (int)v).ToArray()).Reshape(i.Shape);
            var t = PTensor.FromArray(i.Values).Reshape(i.Shape).To(dtype).Contiguous().Detach();
            t.RequiresGrad = i.Grad && c.Differentiable;
            return t;
        }).ToArray();
        var y = c.Pade(inputs);
        var output = y.To(Pade.Engine.DType.Float64).ToArray<double>();
        var grads = new double[]?[inputs.Length];
        if (!c.Differentiable || !c.Inputs.Any(i => i.Grad && !i.Indices)) return (output, grads);
        var u = PTensor.FromArray(Upstream(output.Length, upstreamSeed)).Reshape(y.Shape.ToArray()).To(y.DType);
        (y * u).Sum().Backward();
        for (int i = 0; i < inputs.Length; i++)
            if (c.Inputs[i].Grad && !c.Inputs[i].Indices) grads[i] = inputs[i].Grad?.To(DType.Float64).ToArray<double>();
        return (output, grads);
    }

    private static (double[] Out, double[]?[] Grads) RunTorch(OracleCase c, int count, int upstreamSeed)
    {
        using var scope = NewDisposeScope();
        var inputs = c.Inputs.Select(i => i.Indices
            ? tensor(i.Values.Select(v => (long)v).ToArray(), i.Shape.Select(d => (long)d).ToArray())
            : tensor(i.Values, i.Shape.Select(d => (long)d).ToArray(), float64).requires_grad_(i.Grad && c.Differentiable)).ToArray();
        var y = c.Torch(inputs);
        // data<T>() of an empty tensor throws in TorchSharp 0.107 (as tensor(T[]) of an empty array does).
        var output = y.numel() == 0 ? [] : y.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var grads = new double[]?[inputs.Length];
        if (!c.Differentiable || !c.Inputs.Any(i => i.Grad && !i.Indices)) return (output, grads);
        // TorchSharp's tensor(double[], shape) throws on an empty array: an empty output gets an empty zeros.
        var u = count == 0 ? zeros(y.shape, float64) : tensor(Upstream(count, upstreamSeed), y.shape, float64);
        (y * u).sum().backward();
        for (int i = 0; i < inputs.Length; i++)
            if (c.Inputs[i].Grad && !c.Inputs[i].Indices && inputs[i].grad is { } g) grads[i] = g.contiguous().data<double>().ToArray();
        return (output, grads);
    }

    private static double[] Upstream(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1).ToArray();
    }

    private static string? Compare(string what, double[] pade, double[] torch, double tol, ref double worst)
    {
        if (pade.Length != torch.Length) return $"{what}: Pade has {pade.Length} elements, torch {torch.Length}";
        for (int i = 0; i < pade.Length; i++)
        {
            double a = pade[i], b = torch[i];
            if ((double.IsNaN(a) && double.IsNaN(b)) || a == b) continue; // equal infinities too (empty max-pool windows)
            double e = Math.Abs(a - b) / (1 + Math.Abs(b));
            if (double.IsNaN(e)) e = double.PositiveInfinity;
            worst = Math.Max(worst, e);
            if (e > tol) return $"{what}[{i}]: Pade {a:R}, torch {b:R} (scaled error {e:G3} > {tol:G2})";
        }
        return null;
    }

    /// <summary>Runs every case and writes the report to the console and, if given, a markdown file.</summary>
    public static int RunAll(IReadOnlyList<OracleCase> cases, string? markdownPath, string command, DType dtype = DType.Float64)
    {
        var clock = Stopwatch.StartNew();
        var results = cases.Select((c, i) => Run(c, 1000 + i, dtype)).ToList();
        var md = new StringBuilder();
        md.AppendLine(dtype == DType.Float32
            ? "# Oracle: Pade in float32 against libtorch in float64 (TorchSharp-cpu 0.107.0, libtorch 2.10)"
            : "# Oracle: Pade against libtorch (TorchSharp-cpu 0.107.0, libtorch 2.10), float64").AppendLine();
        md.AppendLine($"- **Command**: `{command}`");
        md.AppendLine($"- **Machine**: {string.Join("; ", Report.MachineLines())}");
        md.AppendLine($"- **Date**: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
        md.AppendLine($"- **Cases**: {results.Count} seeded random configurations, {clock.Elapsed.TotalSeconds:F0} s").AppendLine();
        md.AppendLine("Each case runs the same float64 inputs through Pade's public API and through libtorch, then backward with the " +
                      "same random upstream gradient; an element passes when |pade − torch| ≤ tol·(1 + |torch|). " +
                      "Cases where libtorch itself is wrong are listed apart with the reason, not counted as passes or failures.").AppendLine();
        if (dtype == DType.Float32)
            md.AppendLine("Pade runs in float32: its inputs are the float64 values rounded to float32, every fast path on " +
                          "(Winograd, the direct and depthwise kernels, the SIMD loops, all threads), and its output and " +
                          "gradients are compared with libtorch's float64 ones under each case's float32 tolerance " +
                          "(Tolerance32: 1e-4 unless the case's sums are long).").AppendLine();
        md.AppendLine("| family | passed | failed | oracle wrong | worst scaled error |");
        md.AppendLine("|---|---|---|---|---|");
        int failed = 0;
        foreach (var family in results.GroupBy(r => r.Case.Family))
        {
            var own = family.Where(r => r.Case.OracleWrong == null).ToList();
            int fail = own.Count(r => r.Failure != null);
            failed += fail;
            double worst = own.Where(r => r.Failure == null).Select(r => r.WorstError).DefaultIfEmpty(0).Max();
            md.AppendLine($"| {family.Key} | {own.Count - fail} | {fail} | {family.Count() - own.Count} | {worst:G3} |");
        }
        var failures = results.Where(r => r.Failure != null && r.Case.OracleWrong == null).ToList();
        if (failures.Count > 0)
        {
            md.AppendLine().AppendLine("## Failures").AppendLine();
            foreach (var r in failures) md.AppendLine($"- **{r.Case.Family}** {r.Case.Config}: {r.Failure}");
        }
        var wrong = results.Where(r => r.Case.OracleWrong != null).ToList();
        if (wrong.Count > 0)
        {
            md.AppendLine().AppendLine("## Where libtorch is wrong").AppendLine();
            foreach (var r in wrong) md.AppendLine($"- **{r.Case.Family}** {r.Case.Config}: {r.Case.OracleWrong} ({r.Failure ?? "agreed this time"})");
        }
        md.AppendLine().AppendLine($"**{results.Count - failed - wrong.Count} of {results.Count - wrong.Count} passed.**");
        Console.WriteLine(md.ToString());
        if (markdownPath != null)
        {
            File.WriteAllText(markdownPath, md.ToString());
            Console.WriteLine($"Written to {Path.GetFullPath(markdownPath)}");
        }
        return failed == 0 ? 0 : 1;
    }
}
