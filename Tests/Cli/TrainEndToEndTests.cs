using System.Globalization;
using NUnit.Framework;
using Pade.Tests.Training;
using Pade.Training.Checkpoints;
using Pade.Training.Runs;
using static Pade.Tests.Cli.CliTests;

namespace Pade.Tests.Cli;

/// <summary>`pade train` as a user runs it, in-process, then the commands that read its folder.</summary>
public class TrainEndToEndTests
{
    [Test]
    public void TrainOnAnMnistSubsetReaches90PercentThenEvalAndPlotsReadTheRun()
    {
        string dir = Path.Combine(TrainingFixtures.TempDir("e2e"), "run");
        // 63 Adam steps: a higher rate than the default (and a larger one for the PAU coefficients) gets past 90%.
        var (code, output, err) = RunPade("train", "--limit", "2000", "--epochs", "2", "--batch", "64", "--opt", "adam",
                                          "--lr", "0.003", "--pau-lr", "0.03", "--seed", "3", "--out", dir);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("epoch 1/2").And.Contain("epoch 2/2").And.Contain("img/s"));

        var rows = MetricsFile.Read(Path.Combine(dir, "metrics.csv"));
        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[^1].TestTop1, Is.GreaterThanOrEqualTo(0.90), "LeNet-PAU, 2 epochs of 2,000 images");
        foreach (var f in new[] { "summary.json", "loss.png", "accuracy.png", "checkpoints/last/model.safetensors",
                                  "checkpoints/best/state.json", "checkpoints/last/activation_inputs.safetensors" })
            Assert.That(File.Exists(Path.Combine(dir, f)), Is.True, f);

        // eval rebuilds the model from the checkpoint's config and finds the same accuracy on the same images.
        var (ecode, eout, eerr) = RunPade("eval", dir, "--limit", "2000");
        Assert.That(ecode, Is.EqualTo(0), eerr);
        Assert.That(eout, Does.Contain((100 * rows[^1].TestTop1).ToString("F2", CultureInfo.InvariantCulture) + "%"));

        var (pcode, pout, perr) = RunPade("plot", "pau", dir, "--out", Path.Combine(dir, "pau"));
        Assert.That(pcode, Is.EqualTo(0), perr);
        Assert.That(pout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.Not.Empty.And.All.EndsWith(".png"));

        File.Delete(Path.Combine(dir, "loss.png"));
        var (rcode, _, rerr) = RunPade("plot", "run", dir);
        Assert.That(rcode, Is.EqualTo(0), rerr);
        Assert.That(File.Exists(Path.Combine(dir, "loss.png")), Is.True);
    }

    /// <summary>`--opt rmsprop|adagrad|adamax|adadelta|nadam|radam|asgd|rprop` train with PyTorch's defaults (lr 0.01, 0.01, 2e-3, 1.0, 2e-3, 1e-3, 0.01, 0.01; RMSprop's momentum 0)
    /// and checkpoint their state under PyTorch's names; `--momentum` reaches RMSprop.</summary>
    [TestCase("rmsprop", null, "square_avg", 0.0)]
    [TestCase("rmsprop", "0.5", "momentum_buffer", 0.5)]
    [TestCase("adagrad", null, "sum", 0.0)]
    [TestCase("adamax", null, "exp_inf", 0.0, 2e-3)]
    [TestCase("adadelta", null, "acc_delta", 0.0, 1.0)]
    [TestCase("nadam", null, "mu_product", 0.0, 2e-3)]
    [TestCase("radam", null, "exp_avg_sq", 0.0, 1e-3)]
    [TestCase("asgd", null, "ax", 0.0, 0.01)]
    [TestCase("rprop", null, "step_size", 0.0, 0.01)]
    public void RmspropAdagradAdamaxTrainWithPyTorchDefaults(string opt, string? momentum, string state, double expectedMomentum, double lr = 0.01)
    {
        string dir = Path.Combine(TrainingFixtures.TempDir("cli-" + opt), "run");
        string[] args = ["train", "--opt", opt, "--limit", "300", "--epochs", "1", "--batch", "100", "--out", dir];
        var (code, _, err) = RunPade(momentum == null ? args : [.. args, "--momentum", momentum]);
        Assert.That(code, Is.EqualTo(0), err);
        var ck = Checkpoint.Load(dir);
        Assert.That(ck.State.Config.Opt, Is.EqualTo(opt));
        Assert.That(ck.State.Config.Lr, Is.EqualTo(lr), "PyTorch's default learning rate");
        Assert.That(ck.State.Config.Momentum, Is.EqualTo(expectedMomentum));
        Assert.That(ck.Optimizer.Keys, Does.Contain($"0.{state}").And.Contain("0.step"));
    }

    [Test]
    public void ResumeFromTheCommandLineContinuesTheRun()
    {
        string dir = Path.Combine(TrainingFixtures.TempDir("cli-resume"), "run");
        Assert.That(RunPade("train", "--limit", "300", "--epochs", "1", "--batch", "100", "--out", dir).Code, Is.EqualTo(0));
        var (code, output, err) = RunPade("train", "--resume", dir, "--epochs", "2");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("resuming after epoch 1").And.Contain("epoch 2/2"));
        Assert.That(MetricsFile.Read(Path.Combine(dir, "metrics.csv")).Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }));

        var (again, _, aerr) = RunPade("train", "--resume", dir, "--epochs", "2");
        Assert.That(again, Is.EqualTo(2), "nothing left to train is a usage error");
        Assert.That(aerr, Does.Contain("already completed 2 of 2 epochs"));
    }
}

public class CompareAndPruneTests
{
    [Test]
    public void CompareWritesATableAndACurvePerActivation()
    {
        string dir = TrainingFixtures.TempDir("compare");
        var (code, output, err) = RunPade("compare", "--acts", "relu,pau", "--seeds", "2", "--epochs", "1", "--limit", "300",
                                          "--batch", "100", "--out", dir);
        Assert.That(code, Is.EqualTo(0), err);
        string md = File.ReadAllText(Path.Combine(dir, "compare.md"));
        Assert.That(md, Does.Contain("| relu |").And.Contain("| pau |").And.Contain("mean ± std"));
        Assert.That(File.Exists(Path.Combine(dir, "compare-accuracy.png")), Is.True);
        Assert.That(File.Exists(Path.Combine(dir, "pau", "seed1", "metrics.csv")), Is.True);
        Assert.That(output, Does.Contain("relu").And.Contain("pau"));
    }
}

public class PruneCommandTests
{
    [Test]
    public void PruneTrainsEachLevelFromTheSameInitialWeights()
    {
        string dir = TrainingFixtures.TempDir("prune");
        var (code, output, err) = RunPade("prune", "--act", "relu", "--epochs", "1", "--limit", "300", "--batch", "100",
                                          "--fraction", "0.25", "--iterations", "2", "--out", dir);
        Assert.That(code, Is.EqualTo(0), err);
        string md = File.ReadAllText(Path.Combine(dir, "prune.md"));
        Assert.That(md, Does.Contain("| 0 | 0.0% |").And.Contain("| 2 |"));
        Assert.That(File.Exists(Path.Combine(dir, "prune.png")), Is.True);

        // Level 2's convolutions: half the filters of each (two steps of 25%) are zero in its final weights.
        var ck = Pade.Training.Checkpoints.Checkpoint.Load(Path.Combine(dir, "level2"));
        var w = ck.Model["conv1.weight"];
        var v = w.ToArray<float>();
        int filters = w.Size(0), per = v.Length / filters;
        int zero = Enumerable.Range(0, filters).Count(f => v.Skip(f * per).Take(per).All(x => x == 0));
        Assert.That(filters, Is.EqualTo(6));
        Assert.That(zero, Is.EqualTo(4), "conv1 has 6 filters; each level removes round(0.25 * 6) = 2 more");
        Assert.That(output, Does.Contain("pruning level 2"));
    }
}
