using NUnit.Framework;
using Pade.Tests.Training;
using Pade.Training.Runs;
using static Pade.Tests.Cli.CliTests;

namespace Pade.Tests.Cuda;

/// <summary>
/// `pade train --device cuda` end to end, against the same run on the CPU: LeNet-PAU, Adam, one epoch of 512 images,
/// then a resumed second epoch from the cuda checkpoint. On a machine without a GPU this runs on the emulated driver,
/// so every optimizer step, checkpoint write and resume goes through the CUDA backend in CI.
/// </summary>
[NonParallelizable]
public class CudaTrainingTests
{
    private static string[] Args(string device, string dir) =>
        ["train", "--device", device, "--limit", "512", "--epochs", "1", "--batch", "64", "--opt", "adam", "--seed", "5",
         "--threads", "2", "--out", dir];

    [Test]
    public void LeNetPauTrainsOnCudaAsOnTheCpuAndResumes()
    {
        CudaTestEnvironment.RequireDevice();
        string root = TrainingFixtures.TempDir("cuda-train");
        string cpu = Path.Combine(root, "cpu"), cuda = Path.Combine(root, "cuda");

        var (code, output, err) = RunPade(Args("cpu", cpu));
        Assert.That(code, Is.EqualTo(0), err);
        (code, output, err) = RunPade(Args("cuda", cuda));
        Assert.That(code, Is.EqualTo(0), err);
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Contain("cuda"));

        // Resume both for a second epoch: the cuda run continues from its own checkpoint (weights, Adam moments).
        foreach (var dir in new[] { cpu, cuda })
        {
            (code, output, err) = RunPade("train", "--resume", dir, "--epochs", "2");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("resuming after epoch 1"));
        }

        var a = MetricsFile.Read(Path.Combine(cpu, "metrics.csv"));
        var b = MetricsFile.Read(Path.Combine(cuda, "metrics.csv"));
        Assert.That(b.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }));
        for (int i = 0; i < 2; i++)
        {
            TestContext.Out.WriteLine($"epoch {i + 1}: train loss cpu {a[i].TrainLoss:R} cuda {b[i].TrainLoss:R}; " +
                                      $"test loss cpu {a[i].TestLoss:R} cuda {b[i].TestLoss:R}");
            // float32 on both sides, summed in different orders: after 16 Adam steps the losses agree to a few parts
            // in 10⁴ (a step that went another way would change them in the second or first digit).
            Assert.That(b[i].TrainLoss, Is.EqualTo(a[i].TrainLoss).Within(2e-3).Percent.Or.EqualTo(a[i].TrainLoss).Within(1e-4));
            Assert.That(b[i].TestLoss, Is.EqualTo(a[i].TestLoss).Within(2e-3).Percent.Or.EqualTo(a[i].TestLoss).Within(1e-4));
            Assert.That(b[i].TestTop1, Is.EqualTo(a[i].TestTop1).Within(0.005), "at most 2 of 512 test images change their class");
        }
        Assert.That(File.Exists(Path.Combine(cuda, "checkpoints", "last", "model.safetensors")), Is.True);
    }
}
