using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Layers.Activations;
using Pade.Layers.Models;
using Acts = Pade.Layers.Activations.Activations;

namespace Pade.Tests.Onnx;

/// <summary>
/// Every activation exported, alone on a wide input range (so that both sides of every kink and switch are hit:
/// softplus's threshold, SReLU's thresholds, APL's hinges) and inside LeNet: every PAU version and degree, shared
/// and per channel, RPAU, the learnable baselines, and the fixed activations.
/// </summary>
public class OnnxActivationTests
{
    /// <summary>Every PAU version with degrees from the paper's (5, 4) down to a constant numerator or denominator.</summary>
    public static IEnumerable<string> PauSpecs()
    {
        foreach (var v in new[] { "A", "B", "C", "D" })
            foreach (var d in new[] { "5/4", "3/2", "2/1", "4/0", "0/2", "1/3" })
                foreach (var c in new[] { "", ":channel" })
                    yield return $"pau:{v}:{d}{c}";
        yield return "rpau";
        yield return "rpau:0.2:C:3/3:channel";
        yield return "pau:C:0/0";
    }

    /// <summary>The learnable baselines, shared and per channel where they have both.</summary>
    public static readonly string[] LearnableSpecs =
        ["prelu", "prelu:shared", "apl", "apl:1", "apl:3", "srelu", "slaf", "slaf:0", "slaf:5", "mixture", "mixture:identity+relu+tanh+sigmoid"];

    /// <summary>Every fixed activation the spec table names, with non-default arguments where it takes them.</summary>
    public static readonly string[] FixedSpecs =
    [
        "identity", "sigmoid", "tanh", "relu", "relu6", "hardtanh", "hardtanh:-2/0.5", "lrelu", "lrelu:0.2", "rrelu", "rrelu:0.1/0.4",
        "elu", "elu:0.5", "celu", "celu:2", "softplus", "softplus:2", "swish", "swish:1.5", "silu", "gelu", "gelu-tanh", "mish",
        "selu", "hardsigmoid", "hardswish", "softsign", "logsigmoid", "tanhshrink", "softshrink", "softshrink:2", "hardshrink", "hardshrink:3",
    ];

    [Test]
    public void EverySpecNameIsCovered()
    {
        var covered = PauSpecs().Concat(LearnableSpecs).Concat(FixedSpecs).Append("maxout").Select(s => s.Split(':')[0]).ToHashSet();
        Assert.That(Acts.Names.Select(n => n.Name).Where(n => !covered.Contains(n)), Is.Empty, "activation names without an ONNX test");
    }

    private static IEnumerable<TestCaseData> AllSpecs(string prefix) =>
        PauSpecs().Concat(LearnableSpecs).Concat(FixedSpecs).Select(s => new TestCaseData(s).SetName($"{prefix}_{s.Replace(':', '_').Replace('/', '_')}"));

    public static IEnumerable<TestCaseData> AloneSpecs() => AllSpecs("Alone");
    public static IEnumerable<TestCaseData> LeNetSpecs() => AllSpecs("LeNet");

    /// <summary>The activation alone on [N, 6, 5, 7] with values from −25 to 25 (per-channel parameters for 6 channels).</summary>
    [TestCaseSource(nameof(AloneSpecs))]
    public void ActivationAloneMatchesPadeOnAWideRange(string spec)
    {
        var act = Acts.Create(spec, 6);
        OnnxCheck.Randomize(act, 11);
        if (act is SLAF s) s.CheckFinite = false;
        OnnxCheck.AssertMatches(act, Tensor.Rand([2, 6, 5, 7], -25, 25, generator: new Generator(4)), spec);
    }

    /// <summary>The activation in LeNet (after convolutions on [N, C, H, W] and after the linear layer on [N, 84]).</summary>
    [TestCaseSource(nameof(LeNetSpecs))]
    public void LeNetWithActivationMatchesPade(string spec)
    {
        Tensor.ManualSeed(21);
        var net = new LeNet(c => Acts.Create(spec, c));
        OnnxCheck.Randomize(net, 12);
        OnnxCheck.AssertMatches(net, OnnxCheck.Input(8, 2, 1, 32, 32), $"LeNet with {spec}");
    }

    [Test]
    public void MaxoutBetweenConvolutionsMatchesPade([Values(1, 2, 3)] int pieces)
    {
        Tensor.ManualSeed(5);
        var net = new Sequential(new Conv2d(2, 6 * pieces, 3, padding: 1), new Maxout(pieces), new Conv2d(6, 4, 3),
            new Flatten(), new Linear(4 * 6 * 6, 6 * pieces), new Maxout(pieces));
        OnnxCheck.AssertMatches(net, OnnxCheck.Input(2, 3, 2, 8, 8), $"maxout:{pieces}");
    }

    [Test]
    public void MixtureOfLearnableMembersExportsItsMembers()
    {
        var mix = new Mixture([new Pade.Layers.Activations.Pau(version: PauVersion.C), new PReLU(6), new APL(2, 6)], channels: 6);
        OnnxCheck.Randomize(mix, 2);
        OnnxCheck.AssertMatches(mix, Tensor.Rand([3, 6, 4, 4], -4, 4, generator: new Generator(1)), "mixture of pau, prelu, apl");
    }
}
