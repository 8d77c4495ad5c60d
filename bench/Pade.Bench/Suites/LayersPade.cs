using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Layers.Models;
using Pade.Training.Optim;
using PadeActivations = Pade.Layers.Activations.Activations;

namespace Pade.Bench;

/// <summary>
/// The Pade side of the layers suite: the paper's networks from Pade.Layers.Models with activations from the
/// activation library (<see cref="PadeActivations.Create"/>), trained one step at a time with Training's
/// <see cref="Sgd"/>, and the convolutions alone through <see cref="F.Conv2d"/>.
/// </summary>
public static class LayersPade
{
    /// <summary>The activation factory of a layers-suite name: "relu", "pau" (fused, Table 6 init) or
    /// "pau-composed" (the same PAU written with engine ops, <see cref="ComposedPau"/>).</summary>
    public static Func<int, Module> Activation(string name) => name switch
    {
        "pau-composed" => _ => new ComposedPau(),
        _ => channels => PadeActivations.Create(name, channels),
    };

    public static Module LeNet(string act) => new LeNet(Activation(act));
    public static Module Vgg8(string act) => new Vgg8(Activation(act));

    /// <summary>A network of the suite by name with its batch size and input channels: "vgg8" (MNIST, batch 64), or
    /// the CIFAR networks "resnet101", "mobilenetv2", "densenet121" (3x32x32, batch 8).</summary>
    public static (Module Model, int Batch, int Channels) Network(string name, string act) => name switch
    {
        "lenet" => (LeNet(act), LayersSuite.LeNetBatch, 1),
        "vgg8" => (Vgg8(act), LayersSuite.VggBatch, 1),
        "resnet101" => (ResNet.ResNet101(Activation(act)), LayersSuite.CifarBatch, 3),
        "mobilenetv2" => (new MobileNetV2(Activation(act)), LayersSuite.CifarBatch, 3),
        "densenet121" => (DenseNet.DenseNet121(Activation(act)), LayersSuite.CifarBatch, 3),
        _ => throw new ArgumentException($"unknown network '{name}', expected lenet, vgg8, resnet101, mobilenetv2 or densenet121"),
    };

    /// <summary>One training step as Training's loop does it (zero grads, forward, cross-entropy, backward, SGD
    /// with lr 0.01) on random inputs and labels (the values do not change the cost). Nothing is disposed by hand:
    /// intermediate tensors go back to the engine's buffer pool through their finalizers, as in a user's loop.</summary>
    public static Action TrainStep(Module model, int batch, int channels = 1)
    {
        Tensor x = Tensor.Randn([batch, channels, 32, 32]);
        var rng = new Random(3);
        Tensor y = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => rng.Next(10)).ToArray(), batch);
        var optimizer = new Sgd(model.Parameters(), lr: 0.01);
        model.Train();
        return () =>
        {
            optimizer.ZeroGrad();
            Tensor loss = Tensor.CrossEntropy(model.Forward(x), y);
            loss.Backward();
            optimizer.Step();
        };
    }

    static (Tensor X, Tensor W, Tensor B) ConvInputs(LayersSuite.ConvShape s) =>
        (Tensor.Randn([s.Batch, s.In, s.Side, s.Side]), Tensor.Randn([s.Out, s.In, s.Kernel, s.Kernel], std: 0.1),
         Tensor.Randn([s.Out], std: 0.1));

    /// <summary>conv2d forward without recording; the output is freed at once (back to the pool).</summary>
    public static Action ConvForward(LayersSuite.ConvShape s)
    {
        var (x, w, b) = ConvInputs(s);
        return () =>
        {
            using var _ = Tensor.NoGrad();
            F.Conv2d(x, w, b, padding: s.Padding).Dispose();
        };
    }

    /// <summary>The forward runs once in setup; each call is one backward through the retained graph computing dx,
    /// dw and db, which are freed as soon as computed (see <see cref="PadeGrad.Discarding"/>).</summary>
    public static Action ConvBackward(LayersSuite.ConvShape s)
    {
        var (x, w, b) = ConvInputs(s);
        Tensor y = F.Conv2d(PadeGrad.Discarding(x), PadeGrad.Discarding(w), PadeGrad.Discarding(b), padding: s.Padding);
        Tensor dy = Tensor.Randn(y.ShapeCopy());
        return () => y.Backward(dy, retainGraph: true);
    }

    /// <summary>F.Interpolate by 2 (align_corners false); bwd: the forward once, each call a backward.</summary>
    public static Action Interpolate(string mode, int n, int c, int side, bool backward)
    {
        var x = Tensor.Randn([n, c, side, side]);
        bool? align = mode == "nearest" ? null : false;
        if (!backward)
            return () =>
            {
                using var _ = Tensor.NoGrad();
                F.Interpolate(x, scaleFactor: [2.0, 2.0], mode: mode, alignCorners: align).Dispose();
            };
        Tensor y = F.Interpolate(PadeGrad.Discarding(x), scaleFactor: [2.0, 2.0], mode: mode, alignCorners: align);
        Tensor dy = Tensor.Randn(y.ShapeCopy());
        return () => y.Backward(dy, retainGraph: true);
    }

    static (Tensor X, Tensor W, Tensor B, Tensor Mean, Tensor Var) NormInputs(LayersSuite.NormShape s) =>
        (Tensor.Randn([s.Batch, s.Channels, s.Side, s.Side]), Tensor.Rand([s.Channels]) + 0.5, Tensor.Randn([s.Channels], std: 0.1),
         Tensor.Zeros(s.Channels), Tensor.Ones(s.Channels));

    /// <summary>Training-mode batch norm without recording; the output is freed at once (back to the pool).</summary>
    public static Action NormForward(LayersSuite.NormShape s)
    {
        var (x, w, b, mean, var) = NormInputs(s);
        return () =>
        {
            using var _ = Tensor.NoGrad();
            F.BatchNorm(x, mean, var, w, b, training: true).Dispose();
        };
    }

    /// <summary>The forward runs once in setup; each call is one backward through the retained graph (dx, dγ, dβ).</summary>
    public static Action NormBackward(LayersSuite.NormShape s)
    {
        var (x, w, b, mean, var) = NormInputs(s);
        Tensor y = F.BatchNorm(PadeGrad.Discarding(x), mean, var, PadeGrad.Discarding(w), PadeGrad.Discarding(b), training: true);
        Tensor dy = Tensor.Randn(y.ShapeCopy());
        return () => y.Backward(dy, retainGraph: true);
    }

    /// <summary>Pade's models checked against the paper's parameter counts (and 10 coefficients per PAU).</summary>
    public static IEnumerable<string> CheckParameterCounts()
    {
        foreach (var (name, build, expected, positions) in new (string, Func<string, Module>, long, int)[]
        {
            ("LeNet", LeNet, TorchModels.LeNetWeights, 4),
            ("VGG8", Vgg8, TorchModels.Vgg8Weights, 5),
        })
            foreach (string act in new[] { "relu", "pau" })
            {
                Module model = build(act);
                long pau = model.NamedModules().Where(m => m.Module is Pade.Layers.Activations.Pau)
                    .Sum(m => m.Module.LocalParameters().Sum(p => p.Parameter.Numel));
                long weights = model.ParameterCount() - pau;
                long expectedPau = act == "pau" ? 10L * positions : 0;
                if (weights != expected || pau != expectedPau)
                    throw new InvalidOperationException(
                        $"Pade {name}-{act} has {weights:N0} weights + {pau} PAU coefficients, expected {expected:N0} + {expectedPau}");
                yield return $"Pade {name}-{act}: {weights:N0} weights + {pau} PAU coefficients (expected {expected:N0} + {expectedPau}: OK)";
            }
    }
}

/// <summary>
/// A PAU layer (shared coefficients, version A, degrees 5/4, Table 6 LReLU(0.01) init) computed by
/// <see cref="F.PauComposed"/>: the engine's primitive ops and autograd, no fused kernel. The Pade peer of
/// <see cref="TorchPau"/>, to show what the fused kernel buys inside a network.
/// </summary>
public sealed class ComposedPau : Module
{
    public ComposedPau()
    {
        RegisterParameter("numerator", Tensor.FromArray(PauCoefficients.Numerator));
        RegisterParameter("denominator", Tensor.FromArray(PauCoefficients.Denominator));
    }

    public Tensor Numerator => Get("numerator");
    public Tensor Denominator => Get("denominator");

    public override Tensor Forward(Tensor input) => input.PauComposed(Numerator, Denominator, PauVersion.A);
}
