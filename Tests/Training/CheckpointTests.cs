using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
using Pade.Training.Optim;
using Pade.Training.Runs;

namespace Pade.Tests.Training;

public class CheckpointTests
{
    sealed class Tiny : Pade.Layers.Module
    {
        public Tiny(double w)
        {
            RegisterParameter("weight", Tensor.Full([2, 3], w));
            RegisterParameter("bias", Tensor.Full([2], -w));
        }
        public override Tensor Forward(Tensor input) => input;
        public Tensor W => Get("weight");
    }

    static CheckpointState State(int epoch) => new()
    {
        Config = new RunConfig { Act = "relu", Seed = 99 }.Resolve(),
        Epoch = epoch,
        GlobalStep = 10L * epoch,
        GeneratorSeed = ulong.MaxValue - 3,
        GeneratorOffset = 123456789012345UL,
        DataSeed = 99,
        BestEpoch = epoch,
        BestTop1 = 0.5 + epoch / 100.0,
        History = Enumerable.Range(1, epoch).Select(e => new EpochResult(e, 1.0 / e, 0.9, 0.2, 0.95, 0.99, 1.5, 1000, 1e-3)).ToList(),
    };

    static Adam StepOnce(Tiny m)
    {
        var opt = new Adam(m.Parameters(), lr: 0.1);
        foreach (var p in m.Parameters()) p.Grad = p.OnesLike();
        opt.Step();
        return opt;
    }

    [Test]
    public void RoundTripKeepsTensorsStateAndConfig()
    {
        string run = TrainingFixtures.TempDir("ck");
        string dir = Path.Combine(run, "checkpoints", "last");
        var model = new Tiny(0.25);
        var opt = StepOnce(model);
        Checkpoint.Save(dir, model, opt, State(2));

        var ck = Checkpoint.Load(dir);
        Assert.That(ck.State.Epoch, Is.EqualTo(2));
        Assert.That(ck.State.GlobalStep, Is.EqualTo(20));
        Assert.That(ck.State.GeneratorSeed, Is.EqualTo(ulong.MaxValue - 3), "64-bit seeds survive JSON exactly");
        Assert.That(ck.State.GeneratorOffset, Is.EqualTo(123456789012345UL));
        Assert.That(ck.State.Config, Is.EqualTo(State(2).Config));
        Assert.That(ck.State.History, Is.EqualTo(State(2).History));
        Assert.That(ck.Model.Keys, Is.EquivalentTo(new[] { "weight", "bias" }), "PyTorch state_dict names");
        Assert.That(ck.Model["weight"].ToArray<float>(), Is.EqualTo(model.W.ToArray<float>()));
        Assert.That(ck.OptimizerSteps, Is.EqualTo(1));
        Assert.That(ck.Optimizer.Keys, Is.EquivalentTo(new[] { "0.exp_avg", "0.exp_avg_sq", "0.step", "1.exp_avg", "1.exp_avg_sq", "1.step" }),
            "PyTorch's per-parameter state: the moments and the parameter's own step count");
        Assert.That(Checkpoint.Resolve(run), Is.EqualTo(Path.GetFullPath(dir)), "a run folder names its checkpoints/last");
        Assert.That(Checkpoint.Resolve(Path.Combine(dir, Checkpoint.ModelFile)), Is.EqualTo(Path.GetFullPath(dir)));
    }

    /// <summary>
    /// Before per-parameter step counts, optimizer.safetensors held only the moments and one step_count in its
    /// metadata (every parameter had had a gradient at every step, so that count was each parameter's). Such a
    /// checkpoint still resumes: each parameter continues from that count.
    /// </summary>
    [Test]
    public void ACheckpointWithOneStepCountStillLoads()
    {
        string dir = Path.Combine(TrainingFixtures.TempDir("old"), "checkpoints", "last");
        var (straight, saved) = (new Tiny(0.5), new Tiny(0.5));
        var straightOpt = new Adam(straight.Parameters(), lr: 0.1);
        var savedOpt = new Adam(saved.Parameters(), lr: 0.1);
        void Step(Tiny m, Adam opt, double g) { foreach (var p in m.Parameters()) p.Grad = Tensor.Full(p.ShapeCopy(), g); opt.Step(); }
        foreach (var g in new[] { 0.3, -0.2 }) { Step(straight, straightOpt, g); Step(saved, savedOpt, g); }
        Checkpoint.Save(dir, saved, savedOpt, State(1));
        // The old layout, written as the old Checkpoint.Save wrote it.
        var oldState = savedOpt.StateDict().Where(kv => !kv.Key.EndsWith(".step", StringComparison.Ordinal)).ToDictionary();
        TensorFiles.Save(Path.Combine(dir, Checkpoint.OptimizerFile), oldState, new Dictionary<string, string> { ["step_count"] = "2" });

        var ck = Checkpoint.Load(dir);
        Assert.That(ck.Optimizer.Keys.Any(k => k.EndsWith(".step", StringComparison.Ordinal)), Is.False);
        Assert.That(ck.OptimizerSteps, Is.EqualTo(2));
        var resumed = new Tiny(0);
        resumed.LoadStateDict(ck.Model);
        var resumedOpt = new Adam(resumed.Parameters(), lr: 0.1);
        resumedOpt.LoadStateDict(ck.Optimizer, ck.OptimizerSteps);
        Assert.That(resumedOpt.StateDict()["1.step"].Item(), Is.EqualTo(2), "the checkpoint's one count is each parameter's");
        Step(straight, straightOpt, 0.1);
        Step(resumed, resumedOpt, 0.1);
        Assert.That(resumed.W.ToArray<float>(), Is.EqualTo(straight.W.ToArray<float>()), "the third step as without the checkpoint");
    }

    [Test]
    public void CrashWhileWritingLeavesThePreviousCheckpointIntact()
    {
        string run = TrainingFixtures.TempDir("crash");
        string dir = Path.Combine(run, "checkpoints", "last");
        var first = new Tiny(1.0);
        Checkpoint.Save(dir, first, StepOnce(first), State(1));

        var second = new Tiny(2.0);
        foreach (var crashAfter in new[] { Checkpoint.ModelFile, Checkpoint.OptimizerFile, Checkpoint.StateFile })
        {
            var e = Assert.Throws<IOException>(() => Checkpoint.Save(dir, second, StepOnce(second), State(2),
                afterFile: f => { if (f == crashAfter) throw new IOException($"simulated crash after {f}"); }));
            Assert.That(e!.Message, Does.Contain(crashAfter));

            var ck = Checkpoint.Load(run);
            Assert.That(ck.State.Epoch, Is.EqualTo(1), $"crash after {crashAfter}: still the first checkpoint");
            Assert.That(ck.Model["weight"].ToArray<float>(), Is.EqualTo(first.W.ToArray<float>()));
            Assert.That(Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName), Is.EqualTo(new[] { "last" }),
                "the temporary folder is removed");
        }

        Checkpoint.Save(dir, second, StepOnce(second), State(2));
        Assert.That(Checkpoint.Load(run).State.Epoch, Is.EqualTo(2), "a complete write replaces it");
    }

    [Test]
    public void ADeathBetweenTheTwoRenamesFallsBackToThePreviousCheckpoint()
    {
        string run = TrainingFixtures.TempDir("swap");
        string dir = Path.Combine(run, "checkpoints", "last");
        var m = new Tiny(3.0);
        Checkpoint.Save(dir, m, StepOnce(m), State(4));
        // The state a kill between "last -> .last.old" and ".last.tmp -> last" leaves behind.
        Directory.Move(dir, Path.Combine(run, "checkpoints", ".last.old"));
        Assert.That(Checkpoint.Load(run).State.Epoch, Is.EqualTo(4));
    }

    [Test]
    public void MissingCheckpointNamesWhatWasExpected()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(TrainingFixtures.TempDir("none")));
        Assert.That(e!.Message, Does.Contain(Checkpoint.StateFile).And.Contain("checkpoints/last"));
    }

    [Test]
    public void MetricsCsvAndConfigJsonRoundTrip()
    {
        string dir = TrainingFixtures.TempDir("csv");
        var rows = State(3).History;
        MetricsFile.Write(Path.Combine(dir, "metrics.csv"), rows);
        Assert.That(MetricsFile.Read(Path.Combine(dir, "metrics.csv")), Is.EqualTo(rows));
        Assert.That(File.ReadLines(Path.Combine(dir, "metrics.csv")).First(), Is.EqualTo(MetricsFile.Header));

        var c = new RunConfig { Model = "vgg8-cifar", Act = "lrelu:0.2", Data = "cifar10", DataDir = "/d", Lr = 0.02, PauLr = null, Limit = 7, Augment = false, Seed = ulong.MaxValue };
        var bytes = Json.Build(c.WriteJson);
        using var doc = System.Text.Json.JsonDocument.Parse(bytes);
        Assert.That(RunConfig.FromJson(doc.RootElement, "test"), Is.EqualTo(c));
    }
}
