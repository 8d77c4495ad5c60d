using TorchSharp;
using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>
/// Whole training steps of the paper's MNIST networks (forward, cross-entropy, backward, SGD update) in samples/s,
/// and the convolutions of those networks alone in GFLOP/s.
/// </summary>
public static class LayersSuite
{
    public const int LeNetBatch = 256, VggBatch = 64;
    /// <summary>The batch of the CIFAR networks' steps (ResNet-101, MobileNetV2, DenseNet-121), as the ResNet-101
    /// memory measurement.</summary>
    public const int CifarBatch = 8;

    /// <summary>A conv2d shape: batch, channels in/out, square input side, square kernel, padding.</summary>
    public readonly record struct ConvShape(string Net, int Batch, int In, int Out, int Side, int Kernel, int Padding)
    {
        public int OutSide => Side + 2 * Padding - Kernel + 1;
        /// <summary>Forward FLOPs: one multiply-add per output element per input channel per kernel tap.</summary>
        public double ForwardFlops => 2.0 * Batch * Out * OutSide * OutSide * In * Kernel * Kernel;
        public string Label => $"{Net} B{Batch} {In}→{Out} {Side}² k{Kernel}";
    }

    /// <summary>The distinct conv shapes of LeNet (batch 256) and VGG-8 (batch 64) on 32x32 MNIST, ResNet-101's
    /// unit-stride 3x3 ones on CIFAR, and 1x1 ones of ResNet-101, MobileNetV2 and DenseNet-121.</summary>
    public static readonly ConvShape[] ConvShapes =
    [
        new("LeNet", LeNetBatch, 1, 6, 32, 5, 0),
        new("LeNet", LeNetBatch, 6, 16, 14, 5, 0),
        new("LeNet", LeNetBatch, 16, 120, 5, 5, 0),
        new("VGG8", VggBatch, 1, 64, 32, 3, 1),
        new("VGG8", VggBatch, 64, 128, 16, 3, 1),
        new("VGG8", VggBatch, 128, 256, 8, 3, 1),
        new("VGG8", VggBatch, 256, 256, 8, 3, 1),
        new("VGG8", VggBatch, 256, 512, 4, 3, 1),
        new("VGG8", VggBatch, 512, 512, 4, 3, 1),
        new("VGG8", VggBatch, 512, 512, 2, 3, 1),
        // ResNet-101's unit-stride 3x3 convolutions on CIFAR (batch 8), one per stage; layer3's 256→256 8² runs 22
        // times per step (about 29 % of it, bench/results/2026-12-06-resnet101-profile-order.md).
        new("ResNet101", CifarBatch, 64, 64, 32, 3, 1),
        new("ResNet101", CifarBatch, 128, 128, 16, 3, 1),
        new("ResNet101", CifarBatch, 256, 256, 8, 3, 1),
        new("ResNet101", CifarBatch, 512, 512, 4, 3, 1),
        // 1x1 convolutions (the pointwise path, CpuConvPointwise.cs): ResNet-101's bottlenecks, about 40 % of its step
        // before that path (bench/results/2026-12-06-resnet101-profile-winograd.md), MobileNetV2's expansions and
        // projections, DenseNet-121's bottleneck (its input grows by 32 channels per layer).
        new("ResNet101", CifarBatch, 64, 256, 32, 1, 0),
        new("ResNet101", CifarBatch, 512, 128, 16, 1, 0),
        new("ResNet101", CifarBatch, 1024, 256, 8, 1, 0),
        new("ResNet101", CifarBatch, 256, 1024, 8, 1, 0),
        new("ResNet101", CifarBatch, 512, 2048, 4, 1, 0),
        new("MobileNetV2", CifarBatch, 16, 96, 32, 1, 0),
        new("MobileNetV2", CifarBatch, 144, 24, 16, 1, 0),
        new("MobileNetV2", CifarBatch, 192, 32, 8, 1, 0),
        new("MobileNetV2", CifarBatch, 384, 64, 4, 1, 0),
        new("DenseNet121", CifarBatch, 256, 128, 16, 1, 0),
        new("DenseNet121", CifarBatch, 512, 128, 8, 1, 0),
    ];

    /// <summary>Builds each network once and checks its parameter count against the paper's; returns lines for the
    /// log and the report.</summary>
    public static List<string> CheckParameterCounts()
    {
        var lines = new List<string>();
        foreach (var (name, build, expected, pauPositions) in new[]
        {
            ("LeNet", (Func<Func<nn.Module<Tensor, Tensor>>, nn.Module<Tensor, Tensor>>)TorchModels.LeNet, TorchModels.LeNetWeights, 4),
            ("VGG8", TorchModels.Vgg8, TorchModels.Vgg8Weights, 5),
        })
            foreach (string act in new[] { "relu", "pau" })
            {
                using var model = build(TorchModels.Activation(act));
                var (weights, pau) = TorchModels.CountParameters(model);
                long expectedPau = act == "pau" ? 10L * pauPositions : 0;
                if (weights != expected || pau != expectedPau)
                    throw new InvalidOperationException(
                        $"Torch {name}-{act} has {weights:N0} weights + {pau} PAU coefficients, " +
                        $"expected {expected:N0} + {expectedPau}");
                lines.Add($"Torch {name}-{act}: {weights:N0} weights + {pau} PAU coefficients (expected {expected:N0} + {expectedPau}: OK)");
            }
        lines.AddRange(LayersPade.CheckParameterCounts());
        // The CIFAR networks: Torch's twin must have Pade's weights and 10 PAU coefficients per activation position.
        foreach (var (name, positions) in CifarNets)
            foreach (string act in new[] { "relu", "pau" })
            {
                using var model = TorchCifar(name, act);
                var (weights, pau) = TorchModels.CountParameters(model);
                long padeWeights = LayersPade.Network(name, "relu").Model.ParameterCount();
                long expectedPau = act == "pau" ? 10L * positions : 0;
                if (weights != padeWeights || pau != expectedPau)
                    throw new InvalidOperationException(
                        $"Torch {name}-{act} has {weights:N0} weights + {pau} PAU coefficients, Pade's {padeWeights:N0} + {expectedPau}");
                lines.Add($"Torch {name}-{act}: {weights:N0} weights + {pau} PAU coefficients (Pade: {padeWeights:N0} + {expectedPau}: OK)");
            }
        return lines;
    }

    public static IEnumerable<BenchCase> Cases(bool quick)
    {
        // A VGG-8 step at batch 64 is ~58 GFLOP: a few reps are enough. At least 4 warm-up steps: with 2, the first
        // network of the process (VGG8-relu) was still paying Pade's first touches of pooled buffers and the JIT,
        // which made it look slower than VGG8-pau (issue 18).
        MeasureOptions vgg = quick
            ? new(WarmupMs: 0, MinWarmup: 1, MaxWarmupMs: 0, TargetMs: 0, MinReps: 2, MaxReps: 2)
            : new(WarmupMs: 0, MinWarmup: 4, MaxWarmupMs: 10_000, TargetMs: 10_000, MinReps: 5, MaxReps: 50);
        // LeNet-pau is the comparison: Pade's fused PAU kernel against TorchSharp's LeNet with the PAU composed
        // of torch ops. LeNet-pau-composed puts Pade's own composed PAU (F.PauComposed) against the same torch model.
        foreach (string act in new[] { "relu", "pau", "pau-composed" })
            yield return new BenchCase($"LeNet-{act} train step (SGD)", $"B{LeNetBatch} 32²", LeNetBatch, WorkUnit.Sample)
            {
                Torch = () => TorchTrainStep(TorchModels.LeNet(TorchModels.Activation(act == "pau-composed" ? "pau" : act)), LeNetBatch),
                Pade = () => LayersPade.TrainStep(LayersPade.LeNet(act), LeNetBatch),
            };
        foreach (string act in new[] { "relu", "pau" })
            yield return new BenchCase($"VGG8-{act} train step (SGD)", $"B{VggBatch} 32²", VggBatch, WorkUnit.Sample)
            {
                Torch = () => TorchTrainStep(TorchModels.Vgg8(TorchModels.Activation(act)), VggBatch),
                Pade = () => LayersPade.TrainStep(LayersPade.Vgg8(act), VggBatch),
                Options = vgg,
            };
        // The CIFAR networks at batch 8: a ResNet-101 step is ~20 GFLOP. Pade's buffer pool needs a few steps to
        // reach its steady state (fresh pages fault until then), hence the warm-up of at least 4 steps.
        MeasureOptions cifar = quick
            ? new(WarmupMs: 0, MinWarmup: 1, MaxWarmupMs: 0, TargetMs: 0, MinReps: 2, MaxReps: 2)
            : new(WarmupMs: 0, MinWarmup: 4, MaxWarmupMs: 20_000, TargetMs: 8_000, MinReps: 5, MaxReps: 30);
        foreach (var (net, _) in CifarNets)
            foreach (string act in new[] { "relu", "pau" })
                yield return new BenchCase($"{CifarLabel(net)}-{act} train step (SGD)", $"B{CifarBatch} 3x32²", CifarBatch, WorkUnit.Sample)
                {
                    Torch = () => TorchTrainStep(TorchCifar(net, act), CifarBatch, channels: 3),
                    Pade = () =>
                    {
                        var (model, batch, channels) = LayersPade.Network(net, act);
                        return LayersPade.TrainStep(model, batch, channels);
                    },
                    Options = cifar,
                };
        foreach (NormShape s in NormShapes)
        {
            yield return new BenchCase("batch_norm2d train fwd", s.Label, s.ForwardBytes, WorkUnit.Byte)
            {
                Torch = () => TorchNormForward(s),
                Pade = () => LayersPade.NormForward(s),
            };
            yield return new BenchCase("batch_norm2d train bwd (dx, dγ, dβ)", s.Label, s.BackwardBytes, WorkUnit.Byte)
            {
                Torch = () => TorchNormBackward(s),
                Pade = () => LayersPade.NormBackward(s),
            };
        }
        foreach (ConvShape s in ConvShapes)
        {
            yield return new BenchCase("conv2d fwd", s.Label, s.ForwardFlops, WorkUnit.Flop)
            {
                Torch = () => TorchConvForward(s),
                Pade = () => LayersPade.ConvForward(s),
            };
            // Backward = input gradient + weight gradient: two convolutions' worth of FLOPs (the bias gradient, a
            // sum, is negligible).
            yield return new BenchCase("conv2d bwd (dx, dw)", s.Label, 2 * s.ForwardFlops, WorkUnit.Flop)
            {
                Torch = () => TorchConvBackward(s),
                Pade = () => LayersPade.ConvBackward(s),
            };
        }
        // F.Interpolate x2 (upsampling in a decoder): bytes read and written per call (fwd: x and y; bwd: dy and dx).
        foreach (string mode in new[] { "nearest", "bilinear" })
        {
            const int n = 8, c = 64, side = 64;
            double bytes = 4.0 * n * c * side * side * 5;   // x plus the 4x larger y
            string size = $"{n}x{c}x{side}² x2";
            yield return new BenchCase($"interpolate {mode} fwd", size, bytes, WorkUnit.Byte)
            {
                Torch = () => TorchInterpolate(mode, n, c, side, backward: false),
                Pade = () => LayersPade.Interpolate(mode, n, c, side, backward: false),
            };
            yield return new BenchCase($"interpolate {mode} bwd", size, bytes, WorkUnit.Byte)
            {
                Torch = () => TorchInterpolate(mode, n, c, side, backward: true),
                Pade = () => LayersPade.Interpolate(mode, n, c, side, backward: true),
            };
        }
    }

    /// <summary>
    /// The issues' layer targets per thread count: Pade's LeNet-ReLU step at least 0.7x TorchSharp's samples/s (the
    /// target is stated at 2 threads), Pade's LeNet-PAU (fused kernel) at least 2x TorchSharp's LeNet with the
    /// PAU composed of torch ops, and issue 18's: every network's step at least 1.2x Torch's with ReLU and 1.5x
    /// with PAU.
    /// </summary>
    public static List<string[]> TargetRows(IReadOnlyList<CaseResult> results)
    {
        var rows = new List<string[]>();
        // Issue 18: every network's step ≥ 1.2x Torch with ReLU and ≥ 1.5x Torch's composed PAU with PAU.
        var targets = new List<(string, double, string)>
        {
            ("LeNet-relu train step (SGD)", 0.7, "LeNet-ReLU: Pade / Torch samples/s ≥ 0.7 (at 2 threads)"),
            ("LeNet-pau train step (SGD)", 2.0, "LeNet-PAU: Pade (fused) / Torch (composed PAU) samples/s ≥ 2"),
        };
        foreach (string net in new[] { "LeNet", "VGG8" }.Concat(CifarNets.Select(n => CifarLabel(n.Name))))
        {
            targets.Add(($"{net}-relu train step (SGD)", 1.2, $"{net}-ReLU: Pade / Torch samples/s ≥ 1.2 (issue 18)"));
            targets.Add(($"{net}-pau train step (SGD)", 1.5, $"{net}-PAU: Pade / Torch (composed PAU) samples/s ≥ 1.5 (issue 18)"));
        }
        foreach (var (name, target, label) in targets)
            foreach (CaseResult r in results.Where(r => r.Case.Name == name))
            {
                if (r.Pade is not { } p || r.Torch is not { } t) continue;
                double speed = t.MedianMs / p.MedianMs;
                rows.Add(
                [
                    label, $"{r.Threads}", F($"{p.Rate(r.Case.Work, r.Case.Unit):F0}"), F($"{t.Rate(r.Case.Work, r.Case.Unit):F0}"),
                    F($"{speed:F2}x"), ActivationSuite.Verdict(speed >= target),
                ]);
            }
        return rows;
    }

    public static readonly string[] TargetHeader =
        ["target", "threads", "Pade samples/s", "Torch samples/s", "Pade / Torch", "verdict"];

    static string F(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The CIFAR networks of the suite (names as <see cref="LayersPade.Network"/>) and their activation
    /// positions.</summary>
    public static readonly (string Name, int Positions)[] CifarNets = [("resnet101", 100), ("mobilenetv2", 36), ("densenet121", 120)];

    /// <summary>A training-mode batch norm's input [Batch, Channels, Side, Side] in one of the CIFAR networks.</summary>
    public sealed record NormShape(string Net, int Batch, int Channels, int Side)
    {
        public long Elements => (long)Batch * Channels * Side * Side;
        /// <summary>Bytes the fused kernels must move at least: forward reads x and writes y; backward reads x and dy
        /// and writes dx.</summary>
        public double ForwardBytes => 8.0 * Elements;
        public double BackwardBytes => 12.0 * Elements;
        public string Label => $"{Net} B{Batch} {Channels}×{Side}²";
    }

    /// <summary>Batch norms of the CIFAR networks (104 per ResNet-101 step, 120 per DenseNet-121 step): small planes,
    /// many channels.</summary>
    public static readonly NormShape[] NormShapes =
    [
        new("ResNet101", CifarBatch, 64, 32),
        new("ResNet101", CifarBatch, 256, 8),
        new("ResNet101", CifarBatch, 1024, 8),
        new("ResNet101", CifarBatch, 2048, 4),
        new("DenseNet121", CifarBatch, 256, 32),
        new("DenseNet121", CifarBatch, 480, 16),
        new("DenseNet121", CifarBatch, 128, 8),
        new("MobileNetV2", CifarBatch, 144, 16),
    ];

    static string CifarLabel(string net) => net switch
    {
        "resnet101" => "ResNet101",
        "mobilenetv2" => "MobileNetV2",
        _ => "DenseNet121",
    };

    public static nn.Module<Tensor, Tensor> TorchCifar(string net, string act) => net switch
    {
        "resnet101" => TorchResNet.ResNet101(TorchModels.Activation(act)),
        "mobilenetv2" => TorchCifarModels.MobileNetV2(TorchModels.Activation(act)),
        _ => TorchCifarModels.DenseNet121(TorchModels.Activation(act)),
    };

    /// <summary>One SGD training step on random inputs and labels (the data's values do not change the cost).</summary>
    static Action TorchTrainStep(nn.Module<Tensor, Tensor> model, int batch, int channels = 1)
    {
        Tensor x = randn(batch, channels, 32, 32);
        Tensor y = randint(10, [batch], dtype: ScalarType.Int64);
        var optimizer = optim.SGD(model.parameters(), 0.01);
        model.train();
        return () =>
        {
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        };
    }

    static (Tensor X, Tensor W, Tensor B, Tensor Mean, Tensor Var) NormInputs(NormShape s, bool requiresGrad)
    {
        Tensor x = randn(s.Batch, s.Channels, s.Side, s.Side);
        Tensor w = rand(s.Channels) + 0.5;
        Tensor b = randn(s.Channels) * 0.1;
        if (requiresGrad) { x.requires_grad_(); w.requires_grad_(); b.requires_grad_(); }
        return (x, w, b, zeros(s.Channels), ones(s.Channels));
    }

    /// <summary>Training-mode batch norm (batch statistics, running statistics updated), no graph recorded.</summary>
    static Action TorchNormForward(NormShape s)
    {
        var (x, w, b, mean, var) = NormInputs(s, requiresGrad: false);
        return () =>
        {
            using var _ = no_grad();
            nn.functional.batch_norm(x, mean, var, w, b, training: true).Dispose();
        };
    }

    /// <summary>The forward runs once in setup; each call is one backward through the retained graph.</summary>
    static Action TorchNormBackward(NormShape s)
    {
        var (x, w, b, mean, var) = NormInputs(s, requiresGrad: true);
        Tensor y = nn.functional.batch_norm(x, mean, var, w, b, training: true);
        Tensor dy = randn_like(y);
        return () => autograd.grad([y], [x, w, b], [dy], retain_graph: true);
    }

    static (Tensor X, Tensor W, Tensor B) ConvInputs(ConvShape s, bool requiresGrad)
    {
        Tensor x = randn(s.Batch, s.In, s.Side, s.Side);
        Tensor w = randn(s.Out, s.In, s.Kernel, s.Kernel) * 0.1;
        Tensor b = randn(s.Out) * 0.1;
        if (requiresGrad) { x.requires_grad_(); w.requires_grad_(); b.requires_grad_(); }
        return (x, w, b);
    }

    static Tensor Conv(ConvShape s, Tensor x, Tensor w, Tensor b) =>
        nn.functional.conv2d(x, w, b, padding: [s.Padding, s.Padding]);

    static Action TorchConvForward(ConvShape s)
    {
        var (x, w, b) = ConvInputs(s, requiresGrad: false);
        return () =>
        {
            using var _ = no_grad();
            Conv(s, x, w, b);
        };
    }

    /// <summary>interpolate by 2 (align_corners false); bwd: the forward once in setup, each call a backward.</summary>
    static Action TorchInterpolate(string mode, int n, int c, int side, bool backward)
    {
        var m = mode == "nearest" ? InterpolationMode.Nearest : InterpolationMode.Bilinear;
        bool? align = mode == "nearest" ? null : false;
        var x = randn(n, c, side, side, requires_grad: backward);
        if (!backward)
            return () =>
            {
                using var _ = no_grad();
                using var y = nn.functional.interpolate(x, null, [2.0, 2.0], m, align);
            };
        Tensor yb = nn.functional.interpolate(x, null, [2.0, 2.0], m, align);
        Tensor dy = randn_like(yb);
        return () => autograd.grad([yb], [x], [dy], retain_graph: true);
    }

    /// <summary>The forward runs once in setup; each call is one backward through the retained graph.</summary>
    static Action TorchConvBackward(ConvShape s)
    {
        var (x, w, b) = ConvInputs(s, requiresGrad: true);
        Tensor y = Conv(s, x, w, b);
        Tensor dy = randn_like(y);
        return () => autograd.grad([y], [x, w, b], [dy], retain_graph: true);
    }
}
