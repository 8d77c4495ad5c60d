using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Models;

namespace Pade.Tests.Layers;

/// <summary>An activation with 10 parameters (as a PAU of orders 5/4) that passes its input through, to count
/// activation positions by the parameters they add.</summary>
internal sealed class TenParameterStub : Module
{
    public TenParameterStub() => RegisterParameter("coefficients", Tensor.Zeros(10));
    public override Tensor Forward(Tensor input) => input;
}

public class ModelTests
{
    private static readonly Func<int, Module> Stub = _ => new TenParameterStub();

    public static IEnumerable<TestCaseData> Counts()
    {
        yield return new TestCaseData("LeNet", 61_706L, 4).SetName("ParameterCount_LeNet");
        yield return new TestCaseData("VGG8", 9_224_458L, 5).SetName("ParameterCount_VGG8");
        yield return new TestCaseData("VGG8Cifar", 3_918_858L, 5).SetName("ParameterCount_VGG8Cifar");
        yield return new TestCaseData("MobileNetV2", 2_296_922L, 36).SetName("ParameterCount_MobileNetV2");
        yield return new TestCaseData("ResNet101", 42_512_970L, 100).SetName("ParameterCount_ResNet101");
        yield return new TestCaseData("DenseNet121", 6_956_298L, 120).SetName("ParameterCount_DenseNet121");
    }

    internal static Module Build(string name, Func<int, Module>? act = null, Generator? g = null) => name switch
    {
        "LeNet" => new LeNet(act, generator: g),
        "VGG8" => new Vgg8(act, generator: g),
        "VGG8Cifar" => new Vgg8Cifar(act, generator: g),
        "MobileNetV2" => new MobileNetV2(act, generator: g),
        "ResNet101" => ResNet.ResNet101(act, generator: g),
        "DenseNet121" => DenseNet.DenseNet121(act, generator: g),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Models with the default activation, built once for the tests that only inspect them.</summary>
    private static readonly Dictionary<string, Module> Built = [];

    private static Module Cached(string name)
    {
        lock (Built)
        {
            if (!Built.TryGetValue(name, out var m)) Built[name] = m = Build(name);
            return m;
        }
    }

    [TestCaseSource(nameof(Counts))]
    public void ExactParameterCounts(string name, long parameters, int positions)
    {
        Assert.That(Cached(name).ParameterCount(), Is.EqualTo(parameters));
        Assert.That(Build(name, Stub).ParameterCount(), Is.EqualTo(parameters + 10L * positions));
    }

    [Test]
    public void BatchNormStatisticsAreBuffersNotParameters()
    {
        var m = Cached("VGG8Cifar");
        Assert.That(m.NamedParameters().Select(p => p.Name), Has.None.Contains("running"));
        Assert.That(m.NamedBuffers().Select(b => b.Name), Does.Contain("features.1.running_mean").And.Contain("features.1.running_var")
            .And.Contain("features.1.num_batches_tracked"));
    }

    [Test]
    public void PyTorchParameterNames()
    {
        var resnet = Cached("ResNet101");
        var names = resnet.StateDict().Keys.ToHashSet();
        Assert.That(names, Does.Contain("conv1.weight").And.Contain("layer1.0.shortcut.0.weight").And.Contain("layer1.0.shortcut.1.running_var")
            .And.Contain("layer3.22.conv3.weight").And.Contain("linear.bias"));
        Assert.That(names, Does.Not.Contain("layer1.1.shortcut.0.weight"));
        var mobile = Cached("MobileNetV2").StateDict().Keys;
        Assert.That(mobile, Does.Contain("layers.0.shortcut.0.weight").And.Contain("layers.16.bn3.bias").And.Contain("conv2.weight"));
        var dense = Cached("DenseNet121").StateDict().Keys;
        Assert.That(dense, Does.Contain("dense4.15.conv2.weight").And.Contain("trans3.conv.weight").And.Contain("bn.running_mean"));
        Assert.That(Cached("VGG8Cifar").StateDict().Keys, Does.Contain("features.0.weight").And.Contain("features.17.running_mean").And.Contain("features.16.bias").And.Contain("classifier.weight"));
    }

    public static IEnumerable<TestCaseData> Shapes()
    {
        yield return new TestCaseData("LeNet", 1, 4).SetName("OutputShape_LeNet");
        yield return new TestCaseData("VGG8", 1, 2).SetName("OutputShape_VGG8");
        yield return new TestCaseData("VGG8Cifar", 3, 2).SetName("OutputShape_VGG8Cifar");
        yield return new TestCaseData("MobileNetV2", 3, 2).SetName("OutputShape_MobileNetV2");
        yield return new TestCaseData("ResNet101", 3, 1).SetName("OutputShape_ResNet101");
        yield return new TestCaseData("DenseNet121", 3, 2).SetName("OutputShape_DenseNet121");
    }

    [TestCaseSource(nameof(Shapes))]
    public void OutputShapeOnSmallBatch(string name, int channels, int batch)
    {
        var m = Build(name, g: new Generator(3));
        if (batch == 1) m.Eval();   // batch norm needs more than one value per channel in training
        var y = m.Call(Tensor.Randn([batch, channels, 32, 32], generator: new Generator(4)));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { batch, 10 }));
        Assert.That(y.ToArray<float>().All(float.IsFinite), Is.True);
    }

    [Test]
    public void LeNetBackwardReachesEveryParameter()
    {
        var m = new LeNet(generator: new Generator(5));
        var x = Tensor.Randn([3, 1, 32, 32], generator: new Generator(6));
        m.Call(x).Square().Sum().Backward();
        foreach (var (name, p) in m.NamedParameters())
            Assert.That(p.Grad, Is.Not.Null, name);
    }

    [Test]
    public void StateDictRoundTrip()
    {
        var a = new Vgg8Cifar(generator: new Generator(7));
        var x = Tensor.Randn([4, 3, 32, 32], generator: new Generator(8));
        a.Call(x);                     // one training step moves the running statistics
        a.Eval();
        var expected = a.Call(x).ToArray<float>();
        var saved = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

        var b = new Vgg8Cifar(generator: new Generator(99));
        Assert.That(b.Eval().Call(x).ToArray<float>(), Is.Not.EqualTo(expected));
        b.LoadStateDict(saved);
        Assert.That(b.Call(x).ToArray<float>(), Is.EqualTo(expected));
        Assert.That(b.StateDict()["features.1.num_batches_tracked"].ToArray<int>()[0], Is.EqualTo(1));
    }

    [Test]
    public void SeededInitialisationIsReproducible()
    {
        var a = new LeNet(generator: new Generator(11)).StateDict();
        var b = new LeNet(generator: new Generator(11)).StateDict();
        foreach (var k in a.Keys) Assert.That(a[k].ToArray<float>(), Is.EqualTo(b[k].ToArray<float>()), k);
    }

    [Test]
    public void SummaryListsLayersAndTotals()
    {
        var m = new LeNet();
        var s = m.Summary(1, 32, 32);
        TestContext.Out.WriteLine(s);
        Assert.That(s, Does.Contain("conv1").And.Contain("[1, 6, 28, 28]").And.Contain("[1, 16, 5, 5]").And.Contain("[1, 120, 1, 1]")
            .And.Contain("Total params: 61,706").And.Contain("fc2"));
        Assert.That(m.Training, Is.True, "summary restores the training mode");
        var v = new Vgg8Cifar().Summary(3, 32, 32);
        Assert.That(v, Does.Contain("Total params: 3,918,858").And.Contain("BatchNorm2d"));
    }

    [Test]
    public void ConvWithWrongChannelsNamesLayerAndShapes()
    {
        var m = new Vgg8Cifar();
        var e = Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(2, 1, 32, 32)));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("Conv2d 'features.0'").And.Contain("[N, 3, H, W]").And.Contain("[2, 1, 32, 32]"));
    }

    [Test]
    public void TooSmallImageNamesLayerAndShapes()
    {
        var m = new LeNet();
        var e = Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(2, 1, 16, 16)));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("Conv2d 'conv3'").And.Contain("too small").And.Contain("[2, 16, 1, 1]").And.Contain("[N, 16, 5, 5]").And.Contain("5x5"));
    }
}
