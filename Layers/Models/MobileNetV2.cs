using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers.Models;

/// <summary>
/// pytorch-cifar's MobileNetV2 inverted residual block: expand (1x1 conv, expansion·in channels) → bn → act,
/// depthwise 3x3 (stride s) → bn → act, project (1x1 conv) → bn, plus the shortcut when s = 1 (the identity, or a
/// 1x1 conv + bn when the width changes). The projection stays linear: two activation positions per block.
/// </summary>
public sealed partial class InvertedResidual : Module
{
    private readonly int _stride;
    private readonly Module _conv1, _bn1, _act1, _conv2, _bn2, _act2, _conv3, _bn3, _shortcut;

    public InvertedResidual(int inPlanes, int outPlanes, int expansion, int stride, Func<int, Module> act, Generator? generator = null)
    {
        _stride = stride;
        int planes = expansion * inPlanes;
        _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        _act1 = RegisterModule("act1", act(planes));
        _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, stride: stride, padding: 1, groups: planes, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        _act2 = RegisterModule("act2", act(planes));
        _conv3 = RegisterModule("conv3", new Conv2d(planes, outPlanes, 1, bias: false, generator: generator));
        _bn3 = RegisterModule("bn3", new BatchNorm2d(outPlanes));
        var shortcut = new Sequential();
        if (stride == 1 && inPlanes != outPlanes)
        {
            shortcut.Add(new Conv2d(inPlanes, outPlanes, 1, bias: false, generator: generator));
            shortcut.Add(new BatchNorm2d(outPlanes));
        }
        _shortcut = RegisterModule("shortcut", shortcut);
    }

    public override Tensor Forward(Tensor input)
    {
        var x = _act1.Call(_bn1.Call(_conv1.Call(input)));
        x = _act2.Call(_bn2.Call(_conv2.Call(x)));
        x = _bn3.Call(_conv3.Call(x));
        return _stride == 1 ? x + _shortcut.Call(input) : x;
    }
}

/// <summary>
/// pytorch-cifar's MobileNetV2 for 3x32x32 images (first conv and the second stage with stride 1 instead of 2):
/// conv3x3 32 → bn → act, 17 inverted residual blocks (expansion, width, blocks, stride) = (1,16,1,1), (6,24,2,1),
/// (6,32,3,2), (6,64,4,2), (6,96,3,1), (6,160,3,2), (6,320,1,1), conv1x1 1280 → bn → act, 4x4 average pool,
/// linear 1280 → 10. 2,296,922 parameters, 36 activation positions.
/// </summary>
public sealed partial class MobileNetV2 : Module
{
    private static readonly (int Expansion, int Planes, int Blocks, int Stride)[] Config =
        [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    private readonly Module _conv1, _bn1, _act1, _layers, _conv2, _bn2, _act2, _linear;

    public MobileNetV2(Func<int, Module>? activation = null, int inChannels = 3, int numClasses = 10, Generator? generator = null)
    {
        var act = ActivationFactory.OrDefault(activation);
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, 32, 3, stride: 1, padding: 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(32));
        _act1 = RegisterModule("act1", act(32));
        var layers = new Sequential();
        int inPlanes = 32;
        foreach (var (expansion, planes, blocks, stride) in Config)
            for (int i = 0; i < blocks; i++)
            {
                layers.Add(new InvertedResidual(inPlanes, planes, expansion, i == 0 ? stride : 1, act, generator));
                inPlanes = planes;
            }
        _layers = RegisterModule("layers", layers);
        _conv2 = RegisterModule("conv2", new Conv2d(320, 1280, 1, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(1280));
        _act2 = RegisterModule("act2", act(1280));
        _linear = RegisterModule("linear", new Linear(1280, numClasses, generator: generator));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = _act1.Call(_bn1.Call(_conv1.Call(input)));
        x = _layers.Call(x);
        x = _act2.Call(_bn2.Call(_conv2.Call(x)));
        x = F.AvgPool2d(x, 4);
        return _linear.Call(x.Flatten(1));
    }
}
