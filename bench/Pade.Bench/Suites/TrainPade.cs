using Pade.Engine;
using Pade.Layers;
using Pade.Training.Optim;
using Pade.Training.Runs;
using PadeLoopTrainer = Pade.Training.Loop.Trainer;

namespace Pade.Bench;

/// <summary>
/// The Pade side of the train suite, on the code `pade train` runs: the model is built by
/// <see cref="TrainingRun.BuildModel"/> (LeNet with the library's PAU, weights from the seeded default generator), the
/// optimizer gets `pade train`'s parameter groups (see <see cref="TrainingRun"/>: the activation parameters in a group
/// "activations" of their own, here with the same rate, lr 1e-3 and no weight decay, so Adam's update is the same as
/// the Torch side's single group), and every epoch is <see cref="PadeLoopTrainer.TrainEpoch"/> and
/// <see cref="PadeLoopTrainer.Evaluate"/>, Training's loop itself. Only the batches come from the benchmark: the same
/// normalised 32x32 arrays and the same <see cref="Mnist.EpochOrder"/> as the Torch side (`pade train`'s DataLoader
/// shuffles with its own generator).
/// </summary>
public static class TrainPade
{
    public static IEnumerable<EpochResult> Train(TrainConfig config, Mnist data)
    {
        CpuBackend.Threads = config.Threads;
        var run = new RunConfig
        {
            Model = "lenet", Act = "pau", Data = "mnist", Epochs = config.Epochs, Batch = config.BatchSize, Opt = "adam",
            Lr = config.LearningRate, PauLr = config.LearningRate, Seed = (ulong)config.Seed, Threads = config.Threads,
        }.Resolve();
        var (model, activations) = TrainingRun.BuildModel(run, channels: 1, classes: 10);
        // pade train's recipe: cosine over the epochs for the weights, the activation group exempt.
        var trainer = new PadeLoopTrainer(model, BuildAdam(model, activations, run), new CosineLr(config.Epochs),
            g => g.Name == TrainingRun.ActivationGroup);

        Tensor testX = Tensor.FromArray(data.TestImages, data.TestCount, 1, Mnist.Side, Mnist.Side);
        Tensor testY = Tensor.FromArray(data.TestLabels.Select(l => (int)l).ToArray(), data.TestCount);
        for (int epoch = 1; epoch <= config.Epochs; epoch++)
        {
            int[] order = Mnist.EpochOrder(data.TrainCount, config.Seed, epoch);
            int batches = (data.TrainCount + config.BatchSize - 1) / config.BatchSize;
            if (config.MaxBatchesPerEpoch is { } max) batches = Math.Min(batches, max);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            // Trainer epochs count from 0 (the schedule's epoch).
            var (loss, _, samples) = trainer.TrainEpoch(epoch - 1, Batches(data, order, config.BatchSize, batches), batches);
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            var eval = trainer.Evaluate(TestBatches(testX, testY, 1000));
            yield return new EpochResult(epoch, seconds, (int)samples, loss, eval.Top1);
        }
    }

    /// <summary>`pade train`'s optimizer for Adam (TrainingRun.BuildOptimizer): group "default" with everything but
    /// the activation parameters, group "activations" with those, in the model's parameter order.</summary>
    static Optimizer BuildAdam(Module model, IReadOnlyList<Module> activations, RunConfig c)
    {
        var actParams = new HashSet<Tensor>(activations.SelectMany(a => a.Parameters()), ReferenceEqualityComparer.Instance);
        var groups = new List<ParamGroup>
        {
            new(model.Parameters().Where(p => !actParams.Contains(p)), c.EffectiveLr, c.WeightDecay, TrainingRun.DefaultGroup),
            new(model.Parameters().Where(actParams.Contains), c.EffectivePauLr, 0, TrainingRun.ActivationGroup),
        };
        return new Adam(groups);
    }

    /// <summary>Gathers the samples of each batch in <paramref name="order"/> into fresh tensors, as the Torch side's
    /// index_select does; the last partial batch is kept.</summary>
    static IEnumerable<(Tensor X, Tensor Y)> Batches(Mnist data, int[] order, int batchSize, int batches)
    {
        for (int i = 0; i < batches; i++)
        {
            int from = i * batchSize, count = Math.Min(batchSize, data.TrainCount - from);
            var images = new float[count * Mnist.Pixels];
            var labels = new int[count];
            for (int j = 0; j < count; j++)
            {
                int k = order[from + j];
                data.TrainImages.AsSpan(k * Mnist.Pixels, Mnist.Pixels).CopyTo(images.AsSpan(j * Mnist.Pixels));
                labels[j] = data.TrainLabels[k];
            }
            yield return (Tensor.FromArray(images, count, 1, Mnist.Side, Mnist.Side), Tensor.FromArray(labels, count));
        }
    }

    static IEnumerable<(Tensor X, Tensor Y)> TestBatches(Tensor x, Tensor y, int batch)
    {
        int n = x.Size(0);
        for (int from = 0; from < n; from += batch)
        {
            int count = Math.Min(batch, n - from);
            yield return (x.Narrow(0, from, count), y.Narrow(0, from, count));
        }
    }
}
