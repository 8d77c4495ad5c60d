using TorchSharp;
using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>pytorch-cifar's MobileNetV2 inverted residual block in TorchSharp, the peer of
/// Pade.Layers.Models.InvertedResidual: expand 1x1 → bn → act, depthwise 3x3 (stride s) → bn → act, project 1x1 → bn,
/// plus the shortcut when s = 1 (identity, or 1x1 conv + bn when the width changes).</summary>
public sealed class TorchInvertedResidual : nn.Module<Tensor, Tensor>
{
    readonly int stride;
    // Field names are the registered component names.
    readonly nn.Module<Tensor, Tensor> conv1, bn1, act1, conv2, bn2, act2, conv3, bn3, shortcut;

    public TorchInvertedResidual(int inPlanes, int outPlanes, int expansion, int stride, Func<nn.Module<Tensor, Tensor>> act)
        : base("InvertedResidual")
    {
        this.stride = stride;
        int planes = expansion * inPlanes;
        conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        act1 = act();
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, groups: planes, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        act2 = act();
        conv3 = nn.Conv2d(planes, outPlanes, 1, bias: false);
        bn3 = nn.BatchNorm2d(outPlanes);
        shortcut = stride == 1 && inPlanes != outPlanes
            ? nn.Sequential(nn.Conv2d(inPlanes, outPlanes, 1, bias: false), nn.BatchNorm2d(outPlanes))
            : nn.Identity();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        Tensor x = act1.forward(bn1.forward(conv1.forward(input)));
        x = act2.forward(bn2.forward(conv2.forward(x)));
        x = bn3.forward(conv3.forward(x));
        return stride == 1 ? x + shortcut.forward(input) : x;
    }
}

/// <summary>pytorch-cifar's DenseNet bottleneck layer in TorchSharp, the peer of Pade.Layers.Models.DenseLayer:
/// conv 3x3(act(bn(conv 1x1(act(bn(x)))))) concatenated before x.</summary>
public sealed class TorchDenseLayer : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> bn1, act1, conv1, bn2, act2, conv2;

    public TorchDenseLayer(int inPlanes, int growth, Func<nn.Module<Tensor, Tensor>> act) : base("DenseLayer")
    {
        bn1 = nn.BatchNorm2d(inPlanes);
        act1 = act();
        conv1 = nn.Conv2d(inPlanes, 4 * growth, 1, bias: false);
        bn2 = nn.BatchNorm2d(4 * growth);
        act2 = act();
        conv2 = nn.Conv2d(4 * growth, growth, 3, padding: 1, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        Tensor x = conv1.forward(act1.forward(bn1.forward(input)));
        x = conv2.forward(act2.forward(bn2.forward(x)));
        return cat([x, input], 1);
    }
}

/// <summary>The CIFAR networks of the paper beside ResNet-101 (<see cref="TorchResNet"/>), in TorchSharp, built as
/// Pade.Layers.Models builds them (the parameter counts are checked against Pade's).</summary>
public static class TorchCifarModels
{
    static readonly (int Expansion, int Planes, int Blocks, int Stride)[] MobileNetConfig =
        [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    /// <summary>MobileNetV2 for 3x32x32: conv3x3 32 → bn → act, 17 inverted residual blocks, conv1x1 1280 → bn → act,
    /// 4x4 average pool, linear 1280 → 10 (2,296,922 parameters).</summary>
    public static nn.Module<Tensor, Tensor> MobileNetV2(Func<nn.Module<Tensor, Tensor>> act)
    {
        var blocks = new List<nn.Module<Tensor, Tensor>>();
        int inPlanes = 32;
        foreach (var (expansion, planes, count, stride) in MobileNetConfig)
            for (int i = 0; i < count; i++)
            {
                blocks.Add(new TorchInvertedResidual(inPlanes, planes, expansion, i == 0 ? stride : 1, act));
                inPlanes = planes;
            }
        return nn.Sequential(
            ("conv1", nn.Conv2d(3, 32, 3, padding: 1, bias: false)), ("bn1", nn.BatchNorm2d(32)), ("act1", act()),
            ("layers", nn.Sequential(blocks)),
            ("conv2", nn.Conv2d(320, 1280, 1, bias: false)), ("bn2", nn.BatchNorm2d(1280)), ("act2", act()),
            // Stride given explicitly: with the default (null) libtorch 2.10's avg_pool2d backward dies of SIGFPE.
            ("pool", nn.AvgPool2d(4, stride: 4)), ("flatten", nn.Flatten()), ("linear", nn.Linear(1280, 10)));
    }

    /// <summary>DenseNet-121 for 3x32x32 (blocks 6, 12, 24, 16, growth 32, reduction 0.5): conv3x3, dense blocks with
    /// transitions bn → act → conv1x1 → 2x2 average pool, bn → act → 4x4 average pool → linear (6,956,298 parameters).</summary>
    public static nn.Module<Tensor, Tensor> DenseNet121(Func<nn.Module<Tensor, Tensor>> act)
    {
        const int growth = 32;
        int planes = 2 * growth;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("conv1", nn.Conv2d(3, planes, 3, padding: 1, bias: false)) };
        int[] blocks = [6, 12, 24, 16];
        for (int b = 0; b < blocks.Length; b++)
        {
            var dense = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < blocks[b]; i++)
            {
                dense.Add(new TorchDenseLayer(planes, growth, act));
                planes += growth;
            }
            layers.Add(($"dense{b + 1}", nn.Sequential(dense)));
            if (b == blocks.Length - 1) break;
            int outPlanes = planes / 2;
            layers.Add(($"trans{b + 1}", nn.Sequential(nn.BatchNorm2d(planes), act(), nn.Conv2d(planes, outPlanes, 1, bias: false),
                nn.AvgPool2d(2, stride: 2))));
            planes = outPlanes;
        }
        layers.AddRange([("bn", nn.BatchNorm2d(planes)), ("act", act()), ("pool", nn.AvgPool2d(4, stride: 4)),
            ("flatten", nn.Flatten()), ("linear", nn.Linear(planes, 10))]);
        return nn.Sequential(layers.ToArray());
    }
}
