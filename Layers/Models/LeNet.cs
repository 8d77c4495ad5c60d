using Pade.Engine;

namespace Pade.Layers.Models;

/// <summary>
/// LeNet-5 as in the paper's Appendix A.3.1, for 1x32x32 images (MNIST zero-padded from 28):
///   conv 5x5x6 → act → max-pool 2 → conv 5x5x16 → act → max-pool 2 → conv 5x5x120 → act → linear 84 → act → linear 10
/// with sizes 32 → 28 → 14 → 10 → 5 → 1: 61,706 weights and 4 activation positions (6, 16, 120 and 84 wide).
/// The output is the logits (the softmax is part of the loss).
/// </summary>
public sealed partial class LeNet : Module
{
    private readonly Module[] _body;
    private readonly Module[] _head;

    public LeNet(Func<int, Module>? activation = null, int inChannels = 1, int numClasses = 10, Generator? generator = null)
    {
        var act = ActivationFactory.OrDefault(activation);
        _body =
        [
            RegisterModule("conv1", new Conv2d(inChannels, 6, 5, generator: generator)),
            RegisterModule("act1", act(6)),
            RegisterModule("pool1", new MaxPool2d(2)),
            RegisterModule("conv2", new Conv2d(6, 16, 5, generator: generator)),
            RegisterModule("act2", act(16)),
            RegisterModule("pool2", new MaxPool2d(2)),
            RegisterModule("conv3", new Conv2d(16, 120, 5, generator: generator)),
            RegisterModule("act3", act(120)),
        ];
        _head =
        [
            RegisterModule("fc1", new Linear(120, 84, generator: generator)),
            RegisterModule("act4", act(84)),
            RegisterModule("fc2", new Linear(84, numClasses, generator: generator)),
        ];
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var m in _body) x = m.Call(x);
        x = x.Flatten(1);                      // [N, 120, 1, 1] → [N, 120]
        foreach (var m in _head) x = m.Call(x);
        return x;
    }
}
