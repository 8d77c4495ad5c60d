using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>instance_norm of X [N, C, *] (at least 2 positions) with optional γ and β of shape [C].</summary>
public sealed record InstanceNormCase(Spec X, Spec? W, Spec? B, double Eps, ulong Seed)
{
    public override string ToString() => $"X {X}, weight {W?.ToString() ?? "none"}, bias {B?.ToString() ?? "none"}, eps {Eps}, seed {Seed}";
}

/// <summary>local_response_norm of X [N, C, *] (rank 3 to 5).</summary>
public sealed record LrnCase(Spec X, int Size, double Alpha, double Beta, double K, ulong Seed)
{
    public override string ToString() => $"X {X}, size {Size}, alpha {Alpha}, beta {Beta}, k {K}, seed {Seed}";
}

/// <summary>embedding with max_norm: a weight table, indices into it (repeats likely), max_norm and norm_type.</summary>
public sealed record MaxNormCase(Spec Weight, int[] Indices, double MaxNorm, double NormType)
{
    public override string ToString() => $"weight {Weight}, indices [{string.Join(", ", Indices)}], max_norm {MaxNorm}, norm_type {NormType}";
}

public static class InstanceNormGen
{
    private static Gen<Spec?> Optional(int c) =>
        from present in Gen.Elements(true, true, false)
        from v in EngineGen.Values([c], EngineGen.Uniform(0.5, 1.5))
        select present ? v : null;

    public static readonly Gen<InstanceNormCase> Instance =
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 4)
        from spatial in EngineGen.Shape(1, 2)
        let s = spatial.Aggregate(1, (a, b) => a * b) < 2 ? [.. spatial[..^1], 2] : spatial
        let shape = EngineGen.Cap([n, c, .. s])
        where shape.Skip(2).Aggregate(1, (a, b) => a * b) >= 2
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        // Cap may shrink C too: γ and β follow the capped shape.
        from w in Optional(shape[1])
        from b in Optional(shape[1])
        from eps in Gen.Elements(1e-5, 1e-3, 0.1, 1.0)
        from seed in EngineGen.Seed
        select new InstanceNormCase(x, w, b, eps, seed);

    public static readonly Gen<LrnCase> Lrn =
        from shape in EngineGen.Shape(3, 5)
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from size in Gen.Choose(1, 6)
        from alpha in Gen.Elements(1e-4, 0.1, 1.0)
        from beta in Gen.Elements(0.75, 0.5, 2.0)
        from k in Gen.Elements(1.0, 2.0, 0.5)
        from seed in EngineGen.Seed
        select new LrnCase(x, size, alpha, beta, k, seed);

    public static readonly Gen<MaxNormCase> MaxNorm =
        from n in Gen.Choose(1, 8)
        from d in Gen.Choose(1, 5)
        from w in EngineGen.Values([n, d], EngineGen.Uniform(-2, 2))
        from count in Gen.Choose(1, 10)
        from indices in Gen.ArrayOf(Gen.Choose(0, n - 1), count)
        from maxNorm in Gen.Elements(0.1, 0.5, 1.0, 2.0)
        from p in Gen.Elements(1.0, 2.0, 3.0, double.PositiveInfinity)
        select new MaxNormCase(w, indices, maxNorm, p);
}

public static class InstanceNormArbitraries
{
    public static Arbitrary<InstanceNormCase> InstanceArb() => InstanceNormGen.Instance.ToArbitrary();
    public static Arbitrary<LrnCase> LrnArb() => InstanceNormGen.Lrn.ToArbitrary();
    public static Arbitrary<MaxNormCase> MaxNormArb() => InstanceNormGen.MaxNorm.ToArbitrary();
}

/// <summary>
/// torch.nn.functional.instance_norm and local_response_norm, embedding's max_norm, and the modules
/// nn.InstanceNorm1d/2d and nn.LocalResponseNorm: values against plain float64 loops, gradients against central
/// differences, the running statistics (the batch average of the per-instance mean and unbiased variance),
/// evaluation with them, unbatched inputs, state dict names, reprs and messages.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(InstanceNormArbitraries)], MaxTest = 80)]
public class InstanceNormTests
{
    /// <summary>Per (n, c): the S positions at (n·C + c)·S + s; (x − μ)/√(σ² + ε)·w[c] + b[c], σ² biased.</summary>
    private static double[] InstanceRef(double[] x, int[] shape, double[]? w, double[]? b, double eps)
    {
        int c = shape[1], s = shape.Skip(2).Aggregate(1, (a, d) => a * d);
        var y = new double[x.Length];
        for (int r = 0; r * s < x.Length; r++)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < s; j++) mean += x[r * s + j];
            mean /= s;
            for (int j = 0; j < s; j++) variance += (x[r * s + j] - mean) * (x[r * s + j] - mean);
            variance /= s;
            for (int j = 0; j < s; j++)
                y[r * s + j] = (x[r * s + j] - mean) / Math.Sqrt(variance + eps) * (w?[r % c] ?? 1) + (b?[r % c] ?? 0);
        }
        return y;
    }

    /// <summary>x / (k + α/size·Σ x²)^β, the sum over channels c − size/2 … c + (size−1)/2 that exist.</summary>
    private static double[] LrnRef(double[] x, int[] shape, int size, double alpha, double beta, double k)
    {
        int n = shape[0], c = shape[1], s = shape.Skip(2).Aggregate(1, (a, d) => a * d);
        var y = new double[x.Length];
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < s; p++)
                {
                    double sum = 0;
                    for (int j = ch - size / 2; j <= ch + (size - 1) / 2; j++)
                        if (j >= 0 && j < c) sum += x[(i * c + j) * s + p] * x[(i * c + j) * s + p];
                    int at = (i * c + ch) * s + p;
                    y[at] = x[at] / Math.Pow(k + alpha * sum / size, beta);
                }
        return y;
    }

    private static Tensor[] Inputs(InstanceNormCase c) =>
        [c.X.Tensor(), .. c.W != null ? [c.W.Tensor()] : Array.Empty<Tensor>(), .. c.B != null ? [c.B.Tensor()] : Array.Empty<Tensor>()];

    private static Tensor Call(InstanceNormCase c, Tensor[] t)
    {
        int k = 1;
        var w = c.W != null ? t[k++] : null;
        var b = c.B != null ? t[k] : null;
        return F.InstanceNorm(t[0], weight: w, bias: b, eps: c.Eps);
    }

    [FsCheck.NUnit.Property]
    public void InstanceNormMatchesTheDefinition(InstanceNormCase c) =>
        Expect.Close(Call(c, Inputs(c)), new Nd(c.X.Shape, InstanceRef(c.X.Values, c.X.Shape, c.W?.Values, c.B?.Values, c.Eps)), 1e-10, 1e-10, "instance_norm");

    [FsCheck.NUnit.Property]
    public void InstanceNormGradients(InstanceNormCase c) => Expect.Grad("instance_norm", t => Call(c, t), c.Seed, Inputs(c));

    [FsCheck.NUnit.Property]
    public void LocalResponseNormMatchesTheDefinition(LrnCase c) =>
        Expect.Close(F.LocalResponseNorm(c.X.Tensor(), c.Size, c.Alpha, c.Beta, c.K),
            new Nd(c.X.Shape, LrnRef(c.X.Values, c.X.Shape, c.Size, c.Alpha, c.Beta, c.K)), 1e-13, 1e-12, "local_response_norm");

    [FsCheck.NUnit.Property]
    public void LocalResponseNormGradients(LrnCase c) =>
        Expect.Grad("local_response_norm", t => F.LocalResponseNorm(t[0], c.Size, c.Alpha, c.Beta, c.K), c.Seed, c.X.Tensor());

    /// <summary>Each referenced row whose norm exceeds max_norm is scaled by max_norm/(norm + 1e−7) once; the other
    /// rows keep their values bit for bit; the lookup reads the renormalised rows.</summary>
    [FsCheck.NUnit.Property]
    public void EmbeddingMaxNormRenormalisesTheReferencedRowsOnce(MaxNormCase c)
    {
        int n = c.Weight.Shape[0], d = c.Weight.Shape[1];
        var expected = (double[])c.Weight.Values.Clone();
        foreach (int r in c.Indices.Distinct())
        {
            var row = expected.Skip(r * d).Take(d).ToArray();
            double norm = double.IsPositiveInfinity(c.NormType) ? row.Max(Math.Abs) : Math.Pow(row.Sum(v => Math.Pow(Math.Abs(v), c.NormType)), 1 / c.NormType);
            if (norm > c.MaxNorm)
                for (int j = 0; j < d; j++) expected[r * d + j] = row[j] * (c.MaxNorm / (norm + 1e-7));
        }
        var weight = c.Weight.Tensor();
        var y = F.Embedding(Tensor.FromArray(c.Indices), weight, maxNorm: c.MaxNorm, normType: c.NormType);
        var w = weight.ToArray<double>();
        for (int i = 0; i < w.Length; i++)
            Assert.That(w[i], c.Indices.Contains(i / d) ? Is.EqualTo(expected[i]).Within(1e-15 + 1e-14 * Math.Abs(expected[i])) : Is.EqualTo(expected[i]), $"weight[{i / d}, {i % d}]");
        Assert.That(y.ToArray<double>(), Is.EqualTo(c.Indices.SelectMany(r => w.Skip(r * d).Take(d)).ToArray()));
        Assert.That(n, Is.GreaterThan(0));
    }
}
