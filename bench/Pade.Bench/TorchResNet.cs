using TorchSharp;
using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>
/// pytorch-cifar's ResNet bottleneck block in TorchSharp, the peer of Pade.Layers.Models.Bottleneck:
/// act(bn(conv1x1)) → act(bn(conv3x3, stride)) → bn(conv1x1) + shortcut → act; the shortcut is a strided 1x1 conv +
/// batch norm when the shape changes, else the identity.
/// </summary>
public sealed class TorchBottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    // Field names are the registered component names.
    readonly nn.Module<Tensor, Tensor> conv1, bn1, act1, conv2, bn2, act2, conv3, bn3, shortcut, act3;

    public TorchBottleneck(int inPlanes, int planes, int stride, Func<nn.Module<Tensor, Tensor>> act) : base("Bottleneck")
    {
        conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        act1 = act();
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        act2 = act();
        conv3 = nn.Conv2d(planes, Expansion * planes, 1, bias: false);
        bn3 = nn.BatchNorm2d(Expansion * planes);
        shortcut = stride != 1 || inPlanes != Expansion * planes
            ? nn.Sequential(new TorchStridedPointwiseConv(inPlanes, Expansion * planes, stride), nn.BatchNorm2d(Expansion * planes))
            : nn.Identity();
        act3 = act();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        Tensor out1 = act1.forward(bn1.forward(conv1.forward(x)));
        Tensor out2 = act2.forward(bn2.forward(conv2.forward(out1)));
        Tensor out3 = bn3.forward(conv3.forward(out2));
        return act3.forward(out3 + shortcut.forward(x));
    }
}

/// <summary>
/// A 1x1 convolution with stride s (no bias) computed as a 1x1 convolution with stride 1 of the input sampled every
/// s pixels (x[:, :, ::s, ::s]): the same function, parameters and gradients. Needed because libtorch 2.10's oneDNN
/// dies of SIGFPE (integer division by zero) in <c>dnnl_convolution_backward_data_primitive_desc_create</c> for the
/// strided 1x1 convolution 512→1024 on 16x16 (batch 8) on this machine's CPU, which kills the process.
/// </summary>
public sealed class TorchStridedPointwiseConv : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly long stride;

    public TorchStridedPointwiseConv(int inChannels, int outChannels, int stride) : base("StridedPointwiseConv")
    {
        conv = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        this.stride = stride;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        conv.forward(stride == 1 ? x : x.slice(2, 0, x.shape[2], stride).slice(3, 0, x.shape[3], stride));
}

/// <summary>pytorch-cifar's ResNet on 3x32x32 images: conv3x3 64 → bn → act, four stages of bottlenecks (64, 128, 256,
/// 512 planes; strides 1, 2, 2, 2), 4x4 average pool, linear 2048 → 10. ResNet-101: [3, 4, 23, 3] blocks,
/// 42,512,970 parameters, as Pade's.</summary>
public sealed class TorchResNet : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1, act1, layer1, layer2, layer3, layer4, linear;

    public TorchResNet(int[] blocks, Func<nn.Module<Tensor, Tensor>> act, int classes = 10) : base("ResNet")
    {
        int inPlanes = 64;
        nn.Module<Tensor, Tensor> Stage(int planes, int count, int stride)
        {
            var modules = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < count; i++)
            {
                modules.Add(new TorchBottleneck(inPlanes, planes, i == 0 ? stride : 1, act));
                inPlanes = planes * TorchBottleneck.Expansion;
            }
            return nn.Sequential(modules);
        }
        conv1 = nn.Conv2d(3, 64, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(64);
        act1 = act();
        layer1 = Stage(64, blocks[0], 1);
        layer2 = Stage(128, blocks[1], 2);
        layer3 = Stage(256, blocks[2], 2);
        layer4 = Stage(512, blocks[3], 2);
        linear = nn.Linear(512 * TorchBottleneck.Expansion, classes);
        RegisterComponents();
    }

    public static TorchResNet ResNet101(Func<nn.Module<Tensor, Tensor>> act) => new([3, 4, 23, 3], act);

    public override Tensor forward(Tensor x)
    {
        Tensor h = act1.forward(bn1.forward(conv1.forward(x)));
        h = layer4.forward(layer3.forward(layer2.forward(layer1.forward(h))));
        // Stride given explicitly: with the default (null) libtorch 2.10's avg_pool2d backward dies of SIGFPE.
        h = nn.functional.avg_pool2d(h, 4, stride: 4);
        return linear.forward(h.flatten(1));
    }
}
