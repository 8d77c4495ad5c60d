using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>
/// A safe PAU (version A, m = 5, n = 4) composed of ordinary torch ops, as a PyTorch user without a custom kernel
/// would write it; autograd differentiates the composition. This is the peer of Pade's fused PAU kernel.
/// </summary>
/// <remarks>F(x) = P(x)/Q(x), P(x) = a_0 + x(a_1 + x(a_2 + x(a_3 + x(a_4 + x a_5)))) (Horner), and
/// Q(x) = 1 + |x|(|b_1| + |x|(|b_2| + |x|(|b_3| + |x| |b_4|))) = 1 + Σ_k |b_k| |x|^k.
/// Note torch's d|x|/dx is 0 at x = 0.</remarks>
public sealed class TorchPau : nn.Module<Tensor, Tensor>
{
    // Field names are the parameter names RegisterComponents records ("numerator", "denominator").
    readonly Parameter numerator;
    readonly Parameter denominator;

    public TorchPau() : base("PAU")
    {
        numerator = new Parameter(tensor(PauCoefficients.Numerator));
        denominator = new Parameter(tensor(PauCoefficients.Denominator));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Compose(x, numerator, denominator);

    /// <summary>The PAU as a chain of torch ops: <paramref name="a"/> has 6 elements, <paramref name="b"/> 4.</summary>
    public static Tensor Compose(Tensor x, Tensor a, Tensor b)
    {
        Tensor p = a[5] * x + a[4];
        for (int j = 3; j >= 0; j--) p = p * x + a[j];
        Tensor ax = x.abs();
        Tensor bAbs = b.abs();
        Tensor q = bAbs[3] * ax + bAbs[2];
        for (int k = 1; k >= 0; k--) q = q * ax + bAbs[k];
        q = q * ax + 1;
        return p / q;
    }
}

/// <summary>The two networks of the paper's MNIST experiments (A.3.1), on 32x32 inputs, in TorchSharp.</summary>
public static class TorchModels
{
    /// <summary>Weights of LeNet on 32x32 without PAU coefficients (paper README: 61,706).</summary>
    public const long LeNetWeights = 61_706;
    /// <summary>Weights of VGG-8 for MNIST without PAU coefficients (paper README: 9,224,458).</summary>
    public const long Vgg8Weights = 9_224_458;

    /// <summary>Makes one activation module per activation position.</summary>
    public static Func<nn.Module<Tensor, Tensor>> Activation(string name) => name switch
    {
        "relu" => () => nn.ReLU(),
        "pau" => () => new TorchPau(),
        _ => throw new ArgumentException($"unknown activation '{name}', expected relu or pau", nameof(name)),
    };

    /// <summary>
    /// LeNet: conv 5x5 1→6, act, maxpool 2, conv 5x5 6→16, act, maxpool 2, conv 5x5 16→120, act, flatten,
    /// linear 120→84, act, linear 84→10. Four activation positions.
    /// </summary>
    public static nn.Module<Tensor, Tensor> LeNet(Func<nn.Module<Tensor, Tensor>> act) => nn.Sequential(
        ("conv1", nn.Conv2d(1, 6, 5)), ("act1", act()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(6, 16, 5)), ("act2", act()), ("pool2", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(16, 120, 5)), ("act3", act()),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(120, 84)), ("act4", act()),
        ("fc2", nn.Linear(84, 10)));

    /// <summary>
    /// VGG-8 for MNIST: conv 3x3 pad 1 with bias, no batch norm: [64] M [128] M [256 256] M [512 512] M [512 512] M,
    /// one activation after the last conv of each block (5), five max-pools (32 → 1), linear 512→10.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Vgg8(Func<nn.Module<Tensor, Tensor>> act)
    {
        int[][] blocks = [[64], [128], [256, 256], [512, 512], [512, 512]];
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inChannels = 1;
        for (int b = 0; b < blocks.Length; b++)
        {
            for (int c = 0; c < blocks[b].Length; c++)
            {
                layers.Add(($"conv{b + 1}_{c + 1}", nn.Conv2d(inChannels, blocks[b][c], 3, padding: 1)));
                inChannels = blocks[b][c];
            }
            layers.Add(($"act{b + 1}", act()));
            layers.Add(($"pool{b + 1}", nn.MaxPool2d(2)));
        }
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("fc", nn.Linear(512, 10)));
        return nn.Sequential(layers.ToArray());
    }

    /// <summary>Parameters of a model split into ordinary weights and PAU coefficients.</summary>
    public static (long Weights, long PauCoefficients) CountParameters(nn.Module model)
    {
        long weights = 0, pau = 0;
        foreach (var (_, module) in model.named_modules())
        {
            // named_modules yields every module in the tree; count each module's own parameters once.
            long own = module.named_parameters(recurse: false).Sum(p => p.parameter.numel());
            if (module is TorchPau) pau += own; else weights += own;
        }
        return (weights, pau);
    }
}
