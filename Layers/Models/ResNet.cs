using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers.Models;

/// <summary>
/// pytorch-cifar's ResNet bottleneck block (expansion 4):
///   out = act1(bn1(conv1 1x1(x))) → act2(bn2(conv2 3x3, stride(out))) → bn3(conv3 1x1(out)) + shortcut(x) → act3
/// The shortcut is the identity (an empty Sequential) unless the stride or the width changes, then a strided
/// 1x1 conv + batch norm. Three activation positions (planes, planes, 4·planes wide).
/// </summary>
public sealed partial class Bottleneck : Module
{
    public const int Expansion = 4;

    private readonly Module _conv1, _bn1, _act1, _conv2, _bn2, _act2, _conv3, _bn3, _shortcut, _act3;

    public Bottleneck(int inPlanes, int planes, int stride, Func<int, Module> act, Generator? generator = null)
    {
        _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        _act1 = RegisterModule("act1", act(planes));
        _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        _act2 = RegisterModule("act2", act(planes));
        _conv3 = RegisterModule("conv3", new Conv2d(planes, Expansion * planes, 1, bias: false, generator: generator));
        _bn3 = RegisterModule("bn3", new BatchNorm2d(Expansion * planes));
        var shortcut = new Sequential();
        if (stride != 1 || inPlanes != Expansion * planes)
        {
            shortcut.Add(new Conv2d(inPlanes, Expansion * planes, 1, stride: stride, bias: false, generator: generator));
            shortcut.Add(new BatchNorm2d(Expansion * planes));
        }
        _shortcut = RegisterModule("shortcut", shortcut);
        _act3 = RegisterModule("act3", act(Expansion * planes));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        var out1 = _act1.Call(_bn1.Call(_conv1.Call(x)));
        var out2 = _act2.Call(_bn2.Call(_conv2.Call(out1)));
        var out3 = _bn3.Call(_conv3.Call(out2));
        return _act3.Call(out3 + _shortcut.Call(x));
    }
}

/// <summary>
/// pytorch-cifar's ResNet for 3x32x32 images: conv3x3 64 (no bias) → bn → act, four stages of bottlenecks
/// (64, 128, 256, 512 planes; strides 1, 2, 2, 2), a 4x4 average pool and linear 2048 → 10.
/// <see cref="ResNet101"/> ([3, 4, 23, 3] blocks) has 42,512,970 parameters and 100 activation positions.
/// </summary>
public sealed partial class ResNet : Module
{
    private readonly Module _conv1, _bn1, _act1, _layer1, _layer2, _layer3, _layer4, _linear;

    public ResNet(int[] numBlocks, Func<int, Module>? activation = null, int inChannels = 3, int numClasses = 10, Generator? generator = null)
    {
        if (numBlocks.Length != 4 || numBlocks.Any(n => n < 1))
            throw new ArgumentException($"ResNet: expected 4 positive block counts, got [{string.Join(", ", numBlocks)}]");
        var act = ActivationFactory.OrDefault(activation);
        int inPlanes = 64;
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, 64, 3, stride: 1, padding: 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        _act1 = RegisterModule("act1", act(64));
        Sequential Stage(int planes, int blocks, int stride)
        {
            var s = new Sequential();
            for (int i = 0; i < blocks; i++)
            {
                s.Add(new Bottleneck(inPlanes, planes, i == 0 ? stride : 1, act, generator));
                inPlanes = planes * Bottleneck.Expansion;
            }
            return s;
        }
        _layer1 = RegisterModule("layer1", Stage(64, numBlocks[0], 1));
        _layer2 = RegisterModule("layer2", Stage(128, numBlocks[1], 2));
        _layer3 = RegisterModule("layer3", Stage(256, numBlocks[2], 2));
        _layer4 = RegisterModule("layer4", Stage(512, numBlocks[3], 2));
        _linear = RegisterModule("linear", new Linear(512 * Bottleneck.Expansion, numClasses, generator: generator));
    }

    /// <summary>ResNet-101: bottleneck blocks [3, 4, 23, 3].</summary>
    public static ResNet ResNet101(Func<int, Module>? activation = null, int numClasses = 10, Generator? generator = null) =>
        new([3, 4, 23, 3], activation, 3, numClasses, generator);

    /// <summary>ResNet-50: bottleneck blocks [3, 4, 6, 3].</summary>
    public static ResNet ResNet50(Func<int, Module>? activation = null, int numClasses = 10, Generator? generator = null) =>
        new([3, 4, 6, 3], activation, 3, numClasses, generator);

    public override Tensor Forward(Tensor input)
    {
        var x = _act1.Call(_bn1.Call(_conv1.Call(input)));
        x = _layer4.Call(_layer3.Call(_layer2.Call(_layer1.Call(x))));
        x = F.AvgPool2d(x, 4);
        return _linear.Call(x.Flatten(1));
    }
}
