using Pade.Datasets;
using Pade.Training.Runs;

namespace Pade.Tests.Training;

/// <summary>Shared data and temporary folders for the training tests.</summary>
static class TrainingFixtures
{
    static readonly Lazy<DatasetSplits> Mnist = new(() => DatasetCatalog.Load("mnist", null));

    /// <summary>The first <paramref name="n"/> training and test images of the embedded MNIST (decoded once).</summary>
    public static DatasetSplits MnistSubset(int n) =>
        Mnist.Value with { Train = Mnist.Value.Train.Take(n), Test = Mnist.Value.Test.Take(n) };

    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "pade-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A small, fast LeNet-PAU configuration.</summary>
    public static RunConfig Small(int epochs, string opt = "adam") => new()
    {
        Model = "lenet", Act = "pau", Data = "mnist", Epochs = epochs, Batch = 50, EvalBatch = 500, Opt = opt,
        Lr = opt == "sgd" ? 0.05 : 2e-3, PauLr = opt == "sgd" ? 0.01 : 1e-3, Seed = 5, Limit = 400,
    };
}
