using Pade.Engine;

namespace Pade.Layers.Models;

/// <summary>
/// VGG-8 for MNIST / Fashion-MNIST as in the paper's Appendix A.3.1, on 1x32x32 images: 3x3 convolutions with
/// bias and padding 1, no batch norm, one activation at the end of each of the five blocks, each block ending in
/// a 2x2 max-pool (32 → 16 → 8 → 4 → 2 → 1), then linear 512 → 10:
///   [64] [128] [256, 256] [512, 512] [512, 512]
/// 9,224,458 weights, 5 activation positions. Children: features (Sequential), classifier (Linear).
/// </summary>
public sealed partial class Vgg8 : Module
{
    private static readonly int[][] Blocks = [[64], [128], [256, 256], [512, 512], [512, 512]];

    public Vgg8(Func<int, Module>? activation = null, int inChannels = 1, int numClasses = 10, Generator? generator = null)
    {
        var act = ActivationFactory.OrDefault(activation);
        var features = new Sequential();
        int c = inChannels;
        foreach (var block in Blocks)
        {
            foreach (var width in block)
            {
                features.Add(new Conv2d(c, width, 3, padding: 1, generator: generator));
                c = width;
            }
            features.Add(act(c));
            features.Add(new MaxPool2d(2));
        }
        Features = RegisterModule("features", features);
        Classifier = RegisterModule("classifier", new Linear(512, numClasses, generator: generator));
    }

    public Sequential Features { get; }
    public Linear Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(Features.Call(input).Flatten(1));
}

/// <summary>
/// VGG-8 for CIFAR-10 as pytorch-cifar's VGG with configuration [64, M, 128, M, 256, M, 512, M, 512, M]: each
/// number is conv3x3 (bias, padding 1) → BatchNorm2d → act, M a 2x2 max-pool, then the trailing AvgPool2d(1, 1)
/// of that code (an identity kept so the layer indices, and hence the parameter names features.N.*, match its
/// state dicts) and linear 512 → 10. 3,918,858 parameters, 5 activation positions.
/// </summary>
public sealed partial class Vgg8Cifar : Module
{
    private static readonly int[] Config = [64, 0, 128, 0, 256, 0, 512, 0, 512, 0];   // 0 = max-pool

    public Vgg8Cifar(Func<int, Module>? activation = null, int inChannels = 3, int numClasses = 10, Generator? generator = null)
    {
        var act = ActivationFactory.OrDefault(activation);
        var features = new Sequential();
        int c = inChannels;
        foreach (var v in Config)
        {
            if (v == 0) { features.Add(new MaxPool2d(2)); continue; }
            features.Add(new Conv2d(c, v, 3, padding: 1, generator: generator));
            features.Add(new BatchNorm2d(v));
            features.Add(act(v));
            c = v;
        }
        features.Add(new AvgPool2d(1, 1));
        Features = RegisterModule("features", features);
        Classifier = RegisterModule("classifier", new Linear(512, numClasses, generator: generator));
    }

    public Sequential Features { get; }
    public Linear Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(Features.Call(input).Flatten(1));
}
