using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>layer_norm over the last dims of X (which are <see cref="Normalized"/>), with optional γ and β.</summary>
public sealed record LayerNormCase(Spec X, int[] Normalized, Spec? W, Spec? B, double Eps, ulong Seed)
{
    public override string ToString() =>
        $"X {X}, normalized_shape {Shapes.Format(Normalized)}, weight {W?.ToString() ?? "none"}, bias {B?.ToString() ?? "none"}, eps {Eps}, seed {Seed}";
}

/// <summary>group_norm of X [N, C, *] in <see cref="Groups"/> groups, with optional γ and β of shape [C].</summary>
public sealed record GroupNormCase(Spec X, int Groups, Spec? W, Spec? B, double Eps, ulong Seed)
{
    public override string ToString() =>
        $"X {X}, groups {Groups}, weight {W?.ToString() ?? "none"}, bias {B?.ToString() ?? "none"}, eps {Eps}, seed {Seed}";
}

public static class NormalizationGen
{
    private static readonly Gen<double> Value = EngineGen.Uniform(-2, 2);

    /// <summary>ε from PyTorch's default to one that dominates a small variance.</summary>
    private static readonly Gen<double> Eps = Gen.Elements(1e-5, 1e-5, 1e-3, 0.1, 1.0);

    private static Gen<Spec?> Optional(int[] shape) =>
        from present in Gen.Elements(true, true, false)
        from v in EngineGen.Values(shape, Value)
        select present ? v : null;

    /// <summary>Batch dims 0..2 and normalised dims 1..3 (EngineGen's dims: size 1 often), at most 96 elements.</summary>
    public static readonly Gen<LayerNormCase> LayerNorm =
        from batch in EngineGen.Shape(0, 2)
        from d in Gen.Choose(1, 3)
        from normalized in Gen.ArrayOf(EngineGen.Dim, d)
        let shape = EngineGen.Cap([.. batch, .. normalized])
        let ns = shape[^d..]
        from x in EngineGen.Values(shape, Value)
        from w in Optional(ns)
        from b in Optional(ns)
        from eps in Eps
        from seed in EngineGen.Seed
        select new LayerNormCase(x, ns, w, b, eps, seed);

    /// <summary>N 1..3, G 1..3 groups of 1..3 channels, 0..2 spatial dims (trimmed to at most 96 elements).</summary>
    public static readonly Gen<GroupNormCase> GroupNorm =
        from n in Gen.Choose(1, 3)
        from groups in Gen.Choose(1, 3)
        from perGroup in Gen.Choose(1, 3)
        from spatial in EngineGen.Shape(0, 2)
        let shape = CapSpatial([n, groups * perGroup, .. spatial])
        from x in EngineGen.Values(shape, Value)
        from w in Optional([groups * perGroup])
        from b in Optional([groups * perGroup])
        from eps in Eps
        from seed in EngineGen.Seed
        select new GroupNormCase(x, groups, w, b, eps, seed);

    /// <summary>Shrinks the largest spatial dim until the shape has at most 96 elements (N and C stay).</summary>
    private static int[] CapSpatial(int[] shape)
    {
        var s = (int[])shape.Clone();
        while (s.Aggregate(1, (a, b) => a * b) > EngineGen.MaxNumel)
        {
            int i = 2 + Array.IndexOf(s[2..], s[2..].Max());
            s[i]--;
        }
        return s;
    }
}

public static class NormalizationArbitraries
{
    public static Arbitrary<LayerNormCase> LayerNormArb() => NormalizationGen.LayerNorm.ToArbitrary();
    public static Arbitrary<GroupNormCase> GroupNormArb() => NormalizationGen.GroupNorm.ToArbitrary();
}

/// <summary>
/// torch.nn.functional.layer_norm / group_norm and the modules nn.LayerNorm / nn.GroupNorm: values against plain
/// float64 loops of the definitions, gradients of input, weight and bias against central differences, the
/// modules' parameters and descriptions, empty inputs (libtorch gives an empty output and zero weight and bias
/// gradients) and the messages for bad shapes.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(NormalizationArbitraries)], MaxTest = 80)]
public class NormalizationTests
{
    // ---- references: plain loops ---------------------------------------------------------------------------------

    /// <summary>Rows of M consecutive elements (the normalised dims are the last, so each row is contiguous):
    /// (x − μ)/√(σ² + ε)·w[j] + b[j], σ² the biased variance.</summary>
    private static double[] LayerNormRef(double[] x, int m, double[]? w, double[]? b, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r * m < x.Length; r++)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < m; j++) mean += x[r * m + j];
            mean /= m;
            for (int j = 0; j < m; j++) variance += (x[r * m + j] - mean) * (x[r * m + j] - mean);
            variance /= m;
            for (int j = 0; j < m; j++)
                y[r * m + j] = (x[r * m + j] - mean) / Math.Sqrt(variance + eps) * (w?[j] ?? 1) + (b?[j] ?? 0);
        }
        return y;
    }

    /// <summary>For each sample n and group: the C/G channels c of the group and every position s of them,
    /// x[n, c, s] at (n·C + c)·S + s; y = x̂·w[c] + b[c].</summary>
    private static double[] GroupNormRef(double[] x, int[] shape, int groups, double[]? w, double[]? b, double eps)
    {
        int n = shape[0], c = shape[1], per = c / groups;
        int s = shape.Skip(2).Aggregate(1, (a, d) => a * d);
        var y = new double[x.Length];
        for (int i = 0; i < n; i++)
            for (int grp = 0; grp < groups; grp++)
            {
                var at = new List<int>();
                for (int ch = grp * per; ch < (grp + 1) * per; ch++)
                    for (int p = 0; p < s; p++) at.Add((i * c + ch) * s + p);
                double mean = at.Sum(k => x[k]) / at.Count;
                double variance = at.Sum(k => (x[k] - mean) * (x[k] - mean)) / at.Count;
                foreach (int k in at)
                {
                    int ch = k / s % c;
                    y[k] = (x[k] - mean) / Math.Sqrt(variance + eps) * (w?[ch] ?? 1) + (b?[ch] ?? 0);
                }
            }
        return y;
    }

    private static Tensor Call(LayerNormCase c, Tensor[] t)
    {
        int k = 1;
        var w = c.W != null ? t[k++] : null;
        var b = c.B != null ? t[k] : null;
        return F.LayerNorm(t[0], c.Normalized, w, b, c.Eps);
    }

    private static Tensor Call(GroupNormCase c, Tensor[] t)
    {
        int k = 1;
        var w = c.W != null ? t[k++] : null;
        var b = c.B != null ? t[k] : null;
        return F.GroupNorm(t[0], c.Groups, w, b, c.Eps);
    }

    private static Tensor[] Inputs(Spec x, Spec? w, Spec? b) =>
        [x.Tensor(), .. w != null ? [w.Tensor()] : Array.Empty<Tensor>(), .. b != null ? [b.Tensor()] : Array.Empty<Tensor>()];

    // ---- properties ----------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void LayerNormMatchesTheDefinition(LayerNormCase c)
    {
        int m = c.Normalized.Aggregate(1, (a, d) => a * d);
        var y = Call(c, Inputs(c.X, c.W, c.B));
        Expect.Close(y, new Nd(c.X.Shape, LayerNormRef(c.X.Values, m, c.W?.Values, c.B?.Values, c.Eps)), 1e-10, 1e-10, "layer_norm");
    }

    [FsCheck.NUnit.Property]
    public void LayerNormGradients(LayerNormCase c) =>
        Expect.Grad("layer_norm", t => Call(c, t), c.Seed, Inputs(c.X, c.W, c.B));

    [FsCheck.NUnit.Property]
    public void GroupNormMatchesTheDefinition(GroupNormCase c)
    {
        var y = Call(c, Inputs(c.X, c.W, c.B));
        Expect.Close(y, new Nd(c.X.Shape, GroupNormRef(c.X.Values, c.X.Shape, c.Groups, c.W?.Values, c.B?.Values, c.Eps)), 1e-10, 1e-10, "group_norm");
    }

    [FsCheck.NUnit.Property]
    public void GroupNormGradients(GroupNormCase c) =>
        Expect.Grad("group_norm", t => Call(c, t), c.Seed, Inputs(c.X, c.W, c.B));

    // ---- fixed cases ---------------------------------------------------------------------------------------------

    /// <summary>A strided view gives what its contiguous copy gives (the composition reads through Contiguous).</summary>
    [Test]
    public void StridedInputIsNormalisedAsItsCopy()
    {
        var x = Tensor.Randn([5, 4, 3], dtype: DType.Float64, generator: new Generator(3)).Transpose(0, 2);   // [3, 4, 5]
        var w = Tensor.Randn([4, 5], dtype: DType.Float64, generator: new Generator(4));
        Assert.That(F.LayerNorm(x, [4, 5], w).ToArray<double>(), Is.EqualTo(F.LayerNorm(x.Contiguous(), [4, 5], w).ToArray<double>()));
        Assert.That(F.GroupNorm(x, 2).ToArray<double>(), Is.EqualTo(F.GroupNorm(x.Contiguous(), 2).ToArray<double>()));
    }

    /// <summary>One element per normalisation: x̂ = 0, so y = β and dx = 0 (as libtorch).</summary>
    [Test]
    public void OneElementGivesTheBias()
    {
        var x = Tensor.FromArray(new double[] { 3, -1, 7 }, 3, 1);
        x.RequiresGrad = true;
        var b = Tensor.FromArray(new double[] { 0.5 });
        var y = F.LayerNorm(x, [1], Tensor.FromArray(new double[] { 2.0 }), b);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new double[] { 0.5, 0.5, 0.5 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0 }));
    }

    /// <summary>Empty batch: an empty output, weight and bias gradients 0; M = 0 (a normalised dim of size 0, or
    /// spatial size 0): an empty output and empty gradients. libtorch 2.x does the same (checked through
    /// TorchSharp 0.107).</summary>
    [Test]
    public void EmptyInputsGiveEmptyOutputsAndZeroParameterGradients()
    {
        foreach (var (shape, normalized) in new (int[], int[])[] { ([0, 3], [3]), ([2, 0], [0]), ([0, 2, 0], [2, 0]) })
        {
            var x = Tensor.Zeros(shape, DType.Float64);
            x.RequiresGrad = true;
            var w = Tensor.Ones(normalized, DType.Float64); w.RequiresGrad = true;
            var b = Tensor.Zeros(normalized, DType.Float64); b.RequiresGrad = true;
            var y = F.LayerNorm(x, normalized, w, b);
            Assert.That(y.ShapeCopy(), Is.EqualTo(shape));
            y.Sum().Backward();
            Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(shape));
            Assert.That(w.Grad!.ToArray<double>(), Is.All.EqualTo(0.0), $"layer_norm {Shapes.Format(shape)} dweight");
            Assert.That(b.Grad!.ToArray<double>(), Is.All.EqualTo(0.0), $"layer_norm {Shapes.Format(shape)} dbias");
        }
        foreach (var shape in new[] { new[] { 0, 4, 3 }, [2, 4, 0], [2, 0, 3] })
        {
            var x = Tensor.Zeros(shape, DType.Float64);
            x.RequiresGrad = true;
            var w = Tensor.Ones([shape[1]], DType.Float64); w.RequiresGrad = true;
            var b = Tensor.Zeros([shape[1]], DType.Float64); b.RequiresGrad = true;
            var y = F.GroupNorm(x, 2, w, b);
            Assert.That(y.ShapeCopy(), Is.EqualTo(shape));
            y.Sum().Backward();
            Assert.That(w.Grad!.ToArray<double>(), Is.All.EqualTo(0.0), $"group_norm {Shapes.Format(shape)} dweight");
            Assert.That(b.Grad!.ShapeCopy(), Is.EqualTo(new[] { shape[1] }));
        }
    }

    /// <summary>float32: large offsets do not cancel (two passes: the mean, then the squared deviations).</summary>
    [Test]
    public void Float32WithALargeOffsetIsNormalised()
    {
        var x = Tensor.Randn([4, 256], 1000, 1, generator: new Generator(12));
        var y = F.LayerNorm(x, [256]).ToArray<float>();
        for (int r = 0; r < 4; r++)
        {
            var row = y.Skip(r * 256).Take(256).Select(v => (double)v).ToArray();
            Assert.That(row.Average(), Is.EqualTo(0).Within(1e-4));
            Assert.That(row.Average(v => v * v), Is.EqualTo(1).Within(1e-3));
        }
    }

    // ---- modules -------------------------------------------------------------------------------------------------

    [Test]
    public void LayerNormModuleParametersAndDescription()
    {
        var ln = new LayerNorm(8);
        Assert.That(ln.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(ln.Weight!.ShapeCopy(), Is.EqualTo(new[] { 8 }));
        Assert.That(ln.Weight!.ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(ln.Bias!.ToArray<float>(), Is.All.EqualTo(0f));
        Assert.That(ln.ExtraRepr(), Is.EqualTo("(8,), eps=1e-05, elementwise_affine=True"));
        Assert.That(ln.ToString(), Is.EqualTo("LayerNorm((8,), eps=1e-05, elementwise_affine=True)"));

        var plain = new LayerNorm([2, 3], eps: 1e-3, elementwiseAffine: false);
        Assert.That(plain.NamedParameters(), Is.Empty);
        Assert.That(plain.ExtraRepr(), Is.EqualTo("(2, 3), eps=0.001, elementwise_affine=False"));

        var noBias = new LayerNorm([4], eps: 0.1, bias: false);
        Assert.That(noBias.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight" }));
        Assert.That(noBias.Bias, Is.Null);
        Assert.That(noBias.ExtraRepr(), Is.EqualTo("(4,), eps=0.1, elementwise_affine=True"));
    }

    [Test]
    public void GroupNormModuleParametersAndDescription()
    {
        var gn = new GroupNorm(2, 6);
        Assert.That(gn.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(gn.Weight!.ShapeCopy(), Is.EqualTo(new[] { 6 }));
        Assert.That(gn.Weight!.ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(gn.Bias!.ToArray<float>(), Is.All.EqualTo(0f));
        Assert.That(gn.ToString(), Is.EqualTo("GroupNorm(2, 6, eps=1e-05, affine=True)"));
        var plain = new GroupNorm(3, 3, eps: 1e-4, affine: false);
        Assert.That(plain.NamedParameters(), Is.Empty);
        Assert.That(plain.ExtraRepr(), Is.EqualTo("3, 3, eps=0.0001, affine=False"));
        Assert.That(new GroupNorm(1, 1, eps: 1.5e-7).ExtraRepr(), Is.EqualTo("1, 1, eps=1.5e-07, affine=True"));
        Assert.That(new GroupNorm(1, 1, eps: 2).ExtraRepr(), Is.EqualTo("1, 1, eps=2.0, affine=True"));
        Assert.That(new GroupNorm(1, 1, eps: 1e20).ExtraRepr(), Is.EqualTo("1, 1, eps=1e+20, affine=True"));
    }

    /// <summary>No running statistics: training and evaluation give the same values; the modules call the ops.</summary>
    [Test]
    public void TrainingAndEvaluationAreTheSame()
    {
        var x = Tensor.Randn([2, 6, 3, 4], dtype: DType.Float64, generator: new Generator(5));
        foreach (Module m in new Module[] { new LayerNorm([3, 4]), new GroupNorm(3, 6) })
        {
            m.To(dtype: DType.Float64);
            using (Tensor.NoGrad())
                foreach (var (_, p) in m.NamedParameters()) p.CopyFrom(Tensor.Randn(p.ShapeCopy(), dtype: DType.Float64, generator: new Generator(6)));
            var train = m.Call(x).ToArray<double>();
            m.Eval();
            var eval = m.Call(x).ToArray<double>();
            Assert.That(eval, Is.EqualTo(train), m.ToString());
            var direct = m is LayerNorm ln
                ? F.LayerNorm(x, [3, 4], ln.Weight, ln.Bias)
                : F.GroupNorm(x, 3, ((GroupNorm)m).Weight, ((GroupNorm)m).Bias);
            Assert.That(eval, Is.EqualTo(direct.ToArray<double>()), m.ToString());
        }
    }

    // ---- bad input -----------------------------------------------------------------------------------------------

    [Test]
    public void BadShapesNameBothShapes()
    {
        var x = Tensor.Zeros(2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [3]))!;
        Assert.That(e.Message, Does.Contain("normalized_shape=[3]").And.Contain("[*, 3]").And.Contain("[2, 3, 4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [2, 3, 4, 5]))!.Message, Does.Contain("[2, 3, 4, 5]").And.Contain("[2, 3, 4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.LayerNorm(x, []))!.Message, Does.Contain("at least 1-dimensional"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [4], Tensor.Ones(3)))!.Message,
            Does.Contain("weight of shape [3]").And.Contain("normalized_shape = [4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [4], null, Tensor.Ones(4).To(DType.Float64)))!.Message,
            Does.Contain("layer_norm"));

        var g = Assert.Throws<ArgumentException>(() => F.GroupNorm(Tensor.Zeros(2, 6, 3), 4))!;
        Assert.That(g.Message, Does.Contain("[2, 6, 3]").And.Contain("6 channels").And.Contain("num_groups=4"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.GroupNorm(Tensor.Zeros(2, 6, 3), 3, Tensor.Ones(5)))!.Message,
            Does.Contain("weight of shape [5]").And.Contain("[2, 6, 3]"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.GroupNorm(Tensor.Zeros(4), 2))!.Message, Does.Contain("at least 2 dimensions"));
        Assert.Throws<ArgumentException>(() => F.GroupNorm(Tensor.Zeros(2, 4), 0));
        Assert.Throws<ArgumentException>(() => F.LayerNorm(Tensor.Zeros([2, 4], DType.Int32), [4]));

        Assert.That(Assert.Throws<ArgumentException>(() => new GroupNorm(4, 6))!.Message, Does.Contain("6 channels").And.Contain("4 groups"));
        var net = new Sequential(new LayerNorm(5), new GroupNorm(2, 4));
        Assert.That(Assert.Throws<ArgumentException>(() => net.Call(Tensor.Zeros(2, 4)))!.Message,
            Does.Contain("LayerNorm '0'").And.Contain("[*, 5]").And.Contain("[2, 4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Sequential(new GroupNorm(2, 4)).Call(Tensor.Zeros(2, 6, 3)))!.Message,
            Does.Contain("GroupNorm '0'").And.Contain("4 channels").And.Contain("[2, 6, 3]"));
    }
}
