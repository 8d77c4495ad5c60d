using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers.Models;

/// <summary>
/// pytorch-cifar's DenseNet bottleneck layer: out = conv2 3x3(act2(bn2(conv1 1x1(act1(bn1(x)))))) with
/// 4·growth intermediate channels and growth output channels, returned as the channel concatenation [out, x]
/// (new features first, as that code). Two activation positions (in and 4·growth wide).
/// </summary>
public sealed partial class DenseLayer : Module
{
    private readonly Module _bn1, _act1, _conv1, _bn2, _act2, _conv2;

    public DenseLayer(int inPlanes, int growthRate, Func<int, Module> act, Generator? generator = null)
    {
        _bn1 = RegisterModule("bn1", new BatchNorm2d(inPlanes));
        _act1 = RegisterModule("act1", act(inPlanes));
        _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, 4 * growthRate, 1, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(4 * growthRate));
        _act2 = RegisterModule("act2", act(4 * growthRate));
        _conv2 = RegisterModule("conv2", new Conv2d(4 * growthRate, growthRate, 3, padding: 1, bias: false, generator: generator));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = _conv1.Call(_act1.Call(_bn1.Call(input)));
        x = _conv2.Call(_act2.Call(_bn2.Call(x)));
        return Tensor.Concat([x, input], 1);
    }
}

/// <summary>DenseNet transition: bn → act → conv 1x1 → 2x2 average pool (halves the image and the width).</summary>
public sealed partial class Transition : Module
{
    private readonly Module _bn, _act, _conv;

    public Transition(int inPlanes, int outPlanes, Func<int, Module> act, Generator? generator = null)
    {
        _bn = RegisterModule("bn", new BatchNorm2d(inPlanes));
        _act = RegisterModule("act", act(inPlanes));
        _conv = RegisterModule("conv", new Conv2d(inPlanes, outPlanes, 1, bias: false, generator: generator));
    }

    public override Tensor Forward(Tensor input) => F.AvgPool2d(_conv.Call(_act.Call(_bn.Call(input))), 2);
}

/// <summary>
/// pytorch-cifar's DenseNet for 3x32x32 images: conv3x3 (2·growth channels, no bias), four dense blocks with
/// transitions (width ⌊reduction · width⌋) between them, bn → act → 4x4 average pool → linear.
/// <see cref="DenseNet121"/> (blocks [6, 12, 24, 16], growth 32, reduction 0.5): 6,956,298 parameters and 120
/// activation positions.
/// </summary>
public sealed partial class DenseNet : Module
{
    private readonly Module _conv1, _dense1, _trans1, _dense2, _trans2, _dense3, _trans3, _dense4, _bn, _act, _linear;

    public DenseNet(int[] numBlocks, int growthRate = 12, double reduction = 0.5, Func<int, Module>? activation = null,
        int inChannels = 3, int numClasses = 10, Generator? generator = null)
    {
        if (numBlocks.Length != 4 || numBlocks.Any(n => n < 1))
            throw new ArgumentException($"DenseNet: expected 4 positive block counts, got [{string.Join(", ", numBlocks)}]");
        var act = ActivationFactory.OrDefault(activation);
        int planes = 2 * growthRate;
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, planes, 3, padding: 1, bias: false, generator: generator));
        Sequential Dense(int blocks)
        {
            var s = new Sequential();
            for (int i = 0; i < blocks; i++)
            {
                s.Add(new DenseLayer(planes, growthRate, act, generator));
                planes += growthRate;
            }
            return s;
        }
        Transition Trans()
        {
            int outPlanes = (int)Math.Floor(planes * reduction);
            var t = new Transition(planes, outPlanes, act, generator);
            planes = outPlanes;
            return t;
        }
        _dense1 = RegisterModule("dense1", Dense(numBlocks[0]));
        _trans1 = RegisterModule("trans1", Trans());
        _dense2 = RegisterModule("dense2", Dense(numBlocks[1]));
        _trans2 = RegisterModule("trans2", Trans());
        _dense3 = RegisterModule("dense3", Dense(numBlocks[2]));
        _trans3 = RegisterModule("trans3", Trans());
        _dense4 = RegisterModule("dense4", Dense(numBlocks[3]));
        _bn = RegisterModule("bn", new BatchNorm2d(planes));
        _act = RegisterModule("act", act(planes));
        _linear = RegisterModule("linear", new Linear(planes, numClasses, generator: generator));
    }

    /// <summary>DenseNet-121 for CIFAR: blocks [6, 12, 24, 16], growth rate 32, reduction 0.5.</summary>
    public static DenseNet DenseNet121(Func<int, Module>? activation = null, int numClasses = 10, Generator? generator = null) =>
        new([6, 12, 24, 16], 32, 0.5, activation, 3, numClasses, generator);

    public override Tensor Forward(Tensor input)
    {
        var x = _conv1.Call(input);
        x = _trans1.Call(_dense1.Call(x));
        x = _trans2.Call(_dense2.Call(x));
        x = _trans3.Call(_dense3.Call(x));
        x = _dense4.Call(x);
        x = F.AvgPool2d(_act.Call(_bn.Call(x)), 4);
        return _linear.Call(x.Flatten(1));
    }
}
