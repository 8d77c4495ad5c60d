using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Layers.Activations;
using Acts = Pade.Layers.Activations.Activations;

namespace Pade.Tests.Activations;

/// <summary>Modules and the factory: PAU initialisation, RPAU train/eval, SLAF's non-finite check, spec parsing and errors.</summary>
public class ActivationModuleTests
{
    private static double[] Grid => Enumerable.Range(0, 2001).Select(i => -3 + 6.0 * i / 2000).ToArray();

    [Test]
    public void PauWithTable6InitApproximatesItsTargetWithinTheTablesError([Values] PauInitKind kind)
    {
        var pau = new Pade.Layers.Activations.Pau(init: kind);
        pau.To(dtype: DType.Float64);
        var coefficients = PauInit.Get(kind);
        var target = PauInit.Target(kind);
        var y = pau.Forward(Tensor.FromArray(Grid, Grid.Length)).ToArray<double>();
        double worst = Grid.Select((x, i) => Math.Abs(y[i] - target(x))).Max();
        // The module holds float32 parameters: rounding the coefficients moves F by up to ~1e-7 on [−3, 3].
        Assert.That(worst, Is.LessThanOrEqualTo(coefficients.MaxError + 1e-6), $"{kind}: max |PAU − target| on [−3, 3]");
        if (PauInit.IsTabulated(kind)) Assert.That(worst, Is.LessThan(0.031), "Table 6 columns fit within ~0.03");
        TestContext.Out.WriteLine($"{kind}: max error {worst:G4} (table: {coefficients.MaxError:G4})");
    }

    [Test]
    public void ReadmeFitsAPauToTanhInThreeLines()
    {
        var fit = PauFit.Fit(Math.Tanh, m: 5, n: 4, PauVersion.A);        // least squares on [−3, 3]
        var pau = new Pade.Layers.Activations.Pau(fit.A, fit.B, PauVersion.A);   // a PAU layer that starts as tanh
        TestContext.Out.WriteLine($"max |F − tanh| = {fit.MaxError:G3}");
        Assert.That(fit.MaxError, Is.LessThan(1e-4));
        pau.To(dtype: DType.Float64);
        var y = pau.Forward(Tensor.FromArray(Grid, Grid.Length)).ToArray<double>();
        Assert.That(Grid.Select((x, i) => Math.Abs(y[i] - Math.Tanh(x))).Max(), Is.LessThan(fit.MaxError + 1e-6));
    }

    [Test]
    public void DefaultPauIsThePapersLayer()
    {
        var pau = new Pade.Layers.Activations.Pau();
        Assert.That(pau.ParameterCount(), Is.EqualTo(10));
        Assert.That(pau.Numerator.ToArray<double>()[1], Is.EqualTo(0.61837738).Within(1e-7), "LeakyReLU(0.01) column");
        Assert.That(pau.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "numerator", "denominator" }));
        Assert.That(new Pade.Layers.Activations.Pau(channels: 8).ParameterCount(), Is.EqualTo(80));
    }

    [Test]
    public void RpauIsNoisyInTrainingAndPlainInEval()
    {
        var x = Tensor.Rand([2, 3, 50], -2, 2, DType.Float32, generator: new Generator(1));
        var plain = new Pade.Layers.Activations.Pau().Forward(x).ToArray<float>();
        var rpau = Pade.Layers.Activations.Pau.Randomized(generator: new Generator(2));
        var train1 = rpau.Forward(x).ToArray<float>();
        var train2 = rpau.Forward(x).ToArray<float>();
        Assert.That(train1, Is.Not.EqualTo(plain));
        Assert.That(train2, Is.Not.EqualTo(train1), "each call draws new noise");
        rpau.Eval();
        Assert.That(rpau.Forward(x).ToArray<float>(), Is.EqualTo(plain));
        // Noise of ±10% of each coefficient moves F by a bounded amount.
        double worst = train1.Zip(plain, (p, q) => Math.Abs(p - q)).Max();
        Assert.That(worst, Is.LessThan(1.0));
    }

    [Test]
    public void OtherDegreesAndVersionsAreFittedToTheTarget([Values(PauVersion.B, PauVersion.C)] PauVersion version)
    {
        var pau = new Pade.Layers.Activations.Pau(4, 3, version);
        pau.To(dtype: DType.Float64);
        var y = pau.Forward(Tensor.FromArray(Grid, Grid.Length)).ToArray<double>();
        double worst = Grid.Select((x, i) => Math.Abs(y[i] - (x >= 0 ? x : 0.01 * x))).Max();
        Assert.That(worst, Is.LessThan(0.1), $"({4}, {3}) version {version} fit of LeakyReLU(0.01)");
    }

    [Test]
    public void PauArgumentErrorsAreClear()
    {
        Assert.That(() => new Pade.Layers.Activations.Pau(-1, 4), Throws.ArgumentException.With.Message.Contains("numerator degree must be ≥ 0, got -1"));
        Assert.That(() => new Pade.Layers.Activations.Pau(5, -2), Throws.ArgumentException.With.Message.Contains("denominator degree must be ≥ 0, got -2"));
        Assert.That(() => new Pade.Layers.Activations.Pau([1.0, 2.0], [], PauVersion.C), Throws.ArgumentException.With.Message.Contains("b_0..b_n"));
        Assert.That(() => new Pade.Layers.Activations.Pau([], [1.0]), Throws.ArgumentException.With.Message.Contains("a_0..a_m"));
        Assert.That(() => new Pade.Layers.Activations.Pau(noise: 1.5), Throws.ArgumentException.With.Message.Contains("alpha must be in [0, 1)"));
        var x = Tensor.Zeros(2, 3, 4);
        Assert.That(() => F.Pau(x, Tensor.Zeros(2, 6), Tensor.Zeros(2, 4)), Throws.ArgumentException.With.Message.Contains("3 channels on axis 1, the parameters have 2"));
        Assert.That(() => F.Pau(x, Tensor.Zeros(6), Tensor.Zeros(3, 4)), Throws.ArgumentException.With.Message.Contains("same rank"));
        Assert.That(() => F.Pau(x, Tensor.Zeros(0), Tensor.Zeros(4)), Throws.ArgumentException.With.Message.Contains("m + 1 ≥ 1"));
    }

    [Test]
    public void SlafReportsNonFiniteOutputsWithTheLayerName()
    {
        var model = new Sequential(new SLAF(degree: 4, coefficients: [0, 1, 0, 0, 1]));
        SLAF.NameLayers(model);
        var x = Tensor.FromArray([1f, 2f, 1e10f, 3f], 1, 4);
        var e = Assert.Throws<NonFiniteActivationException>(() => model.Forward(x))!;
        Assert.That(e.LayerName, Is.EqualTo("0"));
        Assert.That(e.Index, Is.EqualTo(2));
        Assert.That(e.Message, Does.Contain("SLAF layer '0'").And.Contain("element [0, 2]").And.Contain("input value 10000000000"));
        ((SLAF)model[0]).CheckFinite = false;
        Assert.That(float.IsInfinity(model.Forward(x).ToArray<float>()[2]));
    }

    [Test]
    public void SlafDefaultInitialisationFitsRelu()
    {
        var slaf = new SLAF(degree: 4);
        slaf.To(dtype: DType.Float64);
        var y = slaf.Forward(Tensor.FromArray(Grid, Grid.Length)).ToArray<double>();
        double worst = Grid.Select((x, i) => Math.Abs(y[i] - Math.Max(0, x))).Max();
        Assert.That(worst, Is.LessThan(0.25), "degree-4 least-squares ReLU on [−3, 3]");
    }

    private static readonly (string Spec, Type Type)[] Specs =
    [
        ("relu", typeof(ReLU)), ("relu6", typeof(ReLU6)), ("hardtanh", typeof(Hardtanh)), ("hardtanh:-2/3", typeof(Hardtanh)), ("lrelu", typeof(LeakyReLU)), ("lrelu:0.2", typeof(LeakyReLU)),
        ("rrelu", typeof(RReLU)), ("rrelu:0.1/0.2", typeof(RReLU)), ("elu", typeof(ELU)), ("celu:0.5", typeof(CELU)),
        ("softplus", typeof(Softplus)), ("swish", typeof(Swish)), ("swish:1.5", typeof(Swish)), ("silu", typeof(SiLU)),
        ("gelu", typeof(GELU)), ("gelu-tanh", typeof(GELU)), ("mish", typeof(Mish)), ("identity", typeof(Identity)),
        ("selu", typeof(SELU)), ("hardsigmoid", typeof(Hardsigmoid)), ("hardswish", typeof(Hardswish)), ("softsign", typeof(Softsign)),
        ("logsigmoid", typeof(LogSigmoid)), ("tanhshrink", typeof(Tanhshrink)), ("softshrink", typeof(Softshrink)),
        ("softshrink:1", typeof(Softshrink)), ("hardshrink", typeof(Hardshrink)), ("hardshrink:0.25", typeof(Hardshrink)),
        ("sigmoid", typeof(Sigmoid)), ("tanh", typeof(Tanh)), ("prelu", typeof(PReLU)), ("maxout:2", typeof(Maxout)),
        ("mixture", typeof(Mixture)), ("mixture:identity+relu+tanh", typeof(Mixture)), ("apl:2", typeof(APL)),
        ("srelu", typeof(SReLU)), ("slaf:3", typeof(SLAF)), ("pau", typeof(Pade.Layers.Activations.Pau)),
        ("pau:B", typeof(Pade.Layers.Activations.Pau)), ("pau:5/4", typeof(Pade.Layers.Activations.Pau)),
        ("pau:C:3/2:channel", typeof(Pade.Layers.Activations.Pau)), ("rpau", typeof(Pade.Layers.Activations.Pau)),
        ("rpau:0.05:B", typeof(Pade.Layers.Activations.Pau)), ("pau:D", typeof(Pade.Layers.Activations.Pau)),
    ];

    private static IEnumerable<TestCaseData> SpecCases() => Specs.Select(s => new TestCaseData(s.Spec, s.Type).SetArgDisplayNames(s.Spec));

    [TestCaseSource(nameof(SpecCases))]
    public void FactoryBuildsEverySpecAndItRuns(string spec, Type type)
    {
        var m = Acts.Create(spec, channels: 4);
        Assert.That(m, Is.InstanceOf(type));
        // Noisy modules draw from their own generator, leaving the default generator's stream to other tests.
        if (m is RReLU r) r.Generator = new Generator(3);
        if (m is Pade.Layers.Activations.Pau p) p.Generator = new Generator(3);
        var x = Tensor.Randn([2, 4, 3], generator: new Generator(1));
        var y = m.Forward(x);
        Assert.That(y.Size(1), Is.EqualTo(spec.StartsWith("maxout") ? 2 : 4));
        Assert.That(y.ToArray<float>().All(float.IsFinite));
    }

    [Test]
    public void FactoryArguments()
    {
        Assert.That(((LeakyReLU)Acts.Create("lrelu:0.2")).NegativeSlope, Is.EqualTo(0.2));
        Assert.That(((PReLU)Acts.Create("prelu", 16)).Weight.Numel, Is.EqualTo(16));
        Assert.That(((PReLU)Acts.Create("prelu:shared", 16)).Weight.Numel, Is.EqualTo(1));
        var p = (Pade.Layers.Activations.Pau)Acts.Create("pau:C:3/2:channel", 4);
        Assert.That((p.Version, p.NumeratorDegree, p.DenominatorDegree, p.Channels), Is.EqualTo((PauVersion.C, 3, 2, 4)));
        var r = (Pade.Layers.Activations.Pau)Acts.Create("rpau");
        Assert.That((r.Version, r.NoiseAlpha), Is.EqualTo((PauVersion.A, 0.1)));
        Assert.That(((Pade.Layers.Activations.Pau)Acts.Create("pau:D")).NoiseAlpha, Is.EqualTo(0.1));
        Assert.That(((APL)Acts.Create("apl:3", 5)).A.ShapeCopy(), Is.EqualTo(new[] { 3, 5 }));
        Assert.That(((SLAF)Acts.Create("slaf:2")).Degree, Is.EqualTo(2));
    }

    [TestCase("swoosh", "unknown activation 'swoosh': valid names are identity, sigmoid")]
    [TestCase("lrelu:abc", "lrelu argument 'abc' is not a number")]
    [TestCase("relu:2", "relu takes no arguments")]
    [TestCase("maxout:0", "maxout argument must be ≥ 1, got 0")]
    [TestCase("pau:-1/4", "degrees must be ≥ 0, got m = -1")]
    [TestCase("pau:E", "unknown argument 'e'")]
    [TestCase("slaf:-2", "slaf argument must be ≥ 0, got -2")]
    [TestCase("maxout:3", "needs a channel count divisible by 3, got 4")]
    [TestCase("rpau:1.5", "alpha must be in [0, 1)")]
    public void FactoryErrorsAreClear(string spec, string message) =>
        Assert.That(() => Acts.Create(spec, 4), Throws.ArgumentException.With.Message.Contains(message));
}
