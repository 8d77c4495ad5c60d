using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>What a training run does; both sides get the same configuration and data.</summary>
/// <param name="MaxBatchesPerEpoch">Cuts epochs short (the --quick mode); null: the whole training set.</param>
public sealed record TrainConfig(int Epochs, int BatchSize, double LearningRate, int Seed, int? MaxBatchesPerEpoch,
    int Threads)
{
    /// <summary>`pade train`'s default recipe: the weights' learning rate follows a per-epoch cosine,
    /// lr·(1 + cos(π·e/E))/2 for epoch e = 0..E−1; the PAU coefficients keep <see cref="LearningRate"/> (their own
    /// group, exempt from the schedule, as the paper's A.4.1).</summary>
    public double WeightLr(int epoch0) => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch0 / Epochs));
}

/// <summary>One epoch: wall time of the training loop (evaluation excluded), mean training loss, test accuracy.</summary>
public readonly record struct EpochResult(int Epoch, double Seconds, int Samples, double TrainLoss, double TestAccuracy)
{
    public double SamplesPerSecond => Samples / Seconds;
}

/// <summary>A side of the train suite: trains LeNet-PAU with Adam and reports each epoch as it ends.</summary>
public delegate IEnumerable<EpochResult> Trainer(TrainConfig config, Mnist data);

/// <summary>
/// LeNet with four PAUs on MNIST (32x32), batch 256, Adam lr 4e-3 with a cosine schedule over the weights and a
/// constant 4e-3 for the PAU coefficients (`pade train`'s default recipe),
/// the sample order of <see cref="Mnist.EpochOrder"/>; the last partial batch of an epoch is kept.
/// </summary>
public static class TrainSuite
{
    /// <summary>Pade's trainer: Program sets it to <see cref="TrainPade.Train"/> (Training's loop).</summary>
    public static Trainer? Pade { get; set; }

    public static readonly Trainer Torch = TorchTrain;

    /// <summary>The target for LeNet-PAU after 3 epochs.</summary>
    public const double TargetAccuracy = 0.985;

    public static void Run(Report report, TrainConfig baseConfig, IReadOnlyList<int> threads, string mnistDir)
    {
        var clock = Stopwatch.StartNew();
        Mnist data = Mnist.Load(mnistDir);
        Console.WriteLine($"MNIST: {data.TrainCount} train, {data.TestCount} test images from {mnistDir} " +
                          $"({clock.Elapsed.TotalSeconds:F1} s)");
        var rows = new List<string[]>();
        var targets = new List<string>();
        foreach (int t in threads)
            foreach (var (side, trainer) in new[] { ("Pade", Pade), ("Torch", (Trainer?)Torch) })
            {
                if (trainer is null) { rows.Add([side, $"{t}", "—", "—", "—", "—", "—"]); continue; }
                if (side == "Pade") Harness.SetPadeThreads?.Invoke(t);
                var epochs = new List<EpochResult>();
                foreach (EpochResult e in trainer(baseConfig with { Threads = t }, data))
                {
                    epochs.Add(e);
                    string[] row =
                    [
                        side, $"{t}", $"{e.Epoch}", F($"{e.Seconds:F2}"), F($"{e.SamplesPerSecond:F0}"),
                        F($"{e.TrainLoss:F4}"), F($"{100 * e.TestAccuracy:F2} %"),
                    ];
                    Console.WriteLine(string.Join("  ", row));
                    rows.Add(row);
                }
                if (epochs.Count > 0)
                {
                    EpochResult final = epochs[^1];
                    double rate = epochs.Sum(e => e.Samples) / epochs.Sum(e => e.Seconds);
                    targets.Add(F($"{side} at {t} thread(s): {100 * final.TestAccuracy:F2} % after {final.Epoch} epoch(s), ") +
                                (final.TestAccuracy >= TargetAccuracy ? "met" : "missed") + F($" ({rate:F0} samples/s over all epochs)"));
                    Console.WriteLine(targets[^1]);
                }
            }
        report.AddTable("train: LeNet-PAU on MNIST, Adam",
            ["side", "threads", "epoch", "wall s", "samples/s", "train loss", "test accuracy"], rows);
        report.AddNote($"train: target test accuracy ≥ {100 * TargetAccuracy:F1} % after 3 epochs: " + string.Join("; ", targets));
        report.AddNote($"train: batch {baseConfig.BatchSize}, Adam lr {baseConfig.LearningRate} (weights: cosine per epoch; PAU coefficients: constant), seed {baseConfig.Seed}, " +
                       (baseConfig.MaxBatchesPerEpoch is { } m ? $"epochs cut to {m} batches (--quick)" : "full epochs") +
                       "; wall time covers the training loop only, test accuracy is measured after each epoch.");
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    static IEnumerable<EpochResult> TorchTrain(TrainConfig config, Mnist data)
    {
        set_num_threads(config.Threads);
        manual_seed(config.Seed);
        using var model = TorchModels.LeNet(TorchModels.Activation("pau"));
        // Two Adams = two parameter groups (Adam is per parameter): weights on the cosine, PAU coefficients constant.
        var named = model.named_parameters().ToList();
        static bool IsPau(string name) => name.EndsWith("numerator", StringComparison.Ordinal) || name.EndsWith("denominator", StringComparison.Ordinal);
        using var optimizer = optim.Adam(named.Where(p => !IsPau(p.name)).Select(p => p.parameter), config.LearningRate);
        using var pauOptimizer = optim.Adam(named.Where(p => IsPau(p.name)).Select(p => p.parameter), config.LearningRate);
        using Tensor trainX = tensor(data.TrainImages, [data.TrainCount, 1, Mnist.Side, Mnist.Side]);
        using Tensor trainY = tensor(data.TrainLabels.Select(l => (long)l).ToArray());
        using Tensor testX = tensor(data.TestImages, [data.TestCount, 1, Mnist.Side, Mnist.Side]);
        using Tensor testY = tensor(data.TestLabels.Select(l => (long)l).ToArray());

        for (int epoch = 1; epoch <= config.Epochs; epoch++)
        {
            int[] order = Mnist.EpochOrder(data.TrainCount, config.Seed, epoch);
            int batches = (data.TrainCount + config.BatchSize - 1) / config.BatchSize;
            if (config.MaxBatchesPerEpoch is { } max) batches = Math.Min(batches, max);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = config.WeightLr(epoch - 1);
            model.train();
            double lossSum = 0;
            int samples = 0;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < batches; i++)
            {
                using var scope = NewDisposeScope();
                int from = i * config.BatchSize, count = Math.Min(config.BatchSize, data.TrainCount - from);
                Tensor index = tensor(order.AsSpan(from, count).ToArray().Select(k => (long)k).ToArray());
                Tensor x = trainX.index_select(0, index), y = trainY.index_select(0, index);
                optimizer.zero_grad();
                pauOptimizer.zero_grad();
                Tensor loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                optimizer.step();
                pauOptimizer.step();
                lossSum += loss.item<float>() * count;
                samples += count;
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            yield return new EpochResult(epoch, seconds, samples, lossSum / samples, TorchAccuracy(model, testX, testY));
        }
    }

    static double TorchAccuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        model.eval();
        using var _ = no_grad();
        long correct = 0, n = x.shape[0];
        for (long from = 0; from < n; from += 1000)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(1000, n - from);
            Tensor predicted = model.forward(x.narrow(0, from, count)).argmax(1);
            correct += predicted.eq(y.narrow(0, from, count)).sum().item<long>();
        }
        return (double)correct / n;
    }
}
