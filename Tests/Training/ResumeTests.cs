using NUnit.Framework;
using Pade.Layers;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
using Pade.Training.Runs;

namespace Pade.Tests.Training;

public class ResumeTests
{
    static RunOptions Options => new() { Data = TrainingFixtures.MnistSubset(400), WritePlots = false };

    [TestCase("adam")]
    [TestCase("sgd")]
    [TestCase("rmsprop")]
    [TestCase("adagrad")]
    [TestCase("adamax")]
    public void ResumingAfterOneEpochEqualsTwoEpochsStraight(string opt)
    {
        string straight = TrainingFixtures.TempDir("straight"), resumed = TrainingFixtures.TempDir("resumed");
        var a = new TrainingRun(TrainingFixtures.Small(2, opt), straight, Options).Run();

        new TrainingRun(TrainingFixtures.Small(1, opt), resumed, Options).Run();
        var ck = Checkpoint.Load(resumed);
        Assert.That(ck.State.Epoch, Is.EqualTo(1));
        var b = new TrainingRun(ck.State.Config with { Epochs = 2 }, resumed, Options with { Resume = ck }).Run();

        static object[] Numbers(EpochResult r) => [r.Epoch, r.TrainLoss, r.TrainTop1, r.TestLoss, r.TestTop1, r.TestTop5, r.Lr];
        Assert.That(b.Select(Numbers), Is.EqualTo(a.Select(Numbers)), "identical metrics, bit for bit");
        Assert.That(MetricsFile.Read(Path.Combine(resumed, "metrics.csv")).Select(Numbers), Is.EqualTo(a.Select(Numbers)));

        var ca = Checkpoint.Load(straight);
        var cb = Checkpoint.Load(resumed);
        Assert.That(cb.Model.Keys, Is.EquivalentTo(ca.Model.Keys));
        foreach (var (name, t) in ca.Model)
            Assert.That(cb.Model[name].ToArray<float>(), Is.EqualTo(t.ToArray<float>()), $"weight '{name}'");
        foreach (var (name, t) in ca.Optimizer)
            Assert.That(cb.Optimizer[name].ToArray<float>(), Is.EqualTo(t.ToArray<float>()), $"optimizer state '{name}'");
        Assert.That(cb.OptimizerSteps, Is.EqualTo(ca.OptimizerSteps));
        Assert.That(cb.State.GlobalStep, Is.EqualTo(ca.State.GlobalStep));
        Assert.That((cb.State.GeneratorSeed, cb.State.GeneratorOffset), Is.EqualTo((ca.State.GeneratorSeed, ca.State.GeneratorOffset)));
    }

    [Test]
    public void ActivationParametersHaveTheirOwnGroupWithoutWeightDecay()
    {
        var run = new TrainingRun(TrainingFixtures.Small(1) with { WeightDecay = 1e-4, PauLr = 5e-4 }, TrainingFixtures.TempDir("groups"), Options);
        Assert.That(run.Optimizer.Groups.Select(g => g.Name), Is.EqualTo(new[] { TrainingRun.DefaultGroup, TrainingRun.ActivationGroup }));
        var acts = run.Optimizer.Groups[1];
        Assert.That(acts.Lr, Is.EqualTo(5e-4));
        Assert.That(acts.WeightDecay, Is.Zero);
        Assert.That(run.Optimizer.Groups[0].WeightDecay, Is.EqualTo(1e-4));
        Assert.That(acts.Parameters.Count, Is.EqualTo(2 * run.ActivationModules.Count), "numerator and denominator of every PAU");
        Assert.That(acts.Parameters.Count + run.Optimizer.Groups[0].Parameters.Count, Is.EqualTo(run.Model.Parameters().Count()));
    }
}

public class NanGuardTests
{
    /// <summary>Wraps a model and poisons its output with NaN on the k-th forward call.</summary>
    sealed class NanAt : Module
    {
        readonly int _k;
        int _calls;
        public NanAt(int k, Module inner) { _k = k; RegisterModule("inner", inner); }
        public override Pade.Engine.Tensor Forward(Pade.Engine.Tensor input)
        {
            var y = Children().First().Forward(input);
            return ++_calls == _k ? y * double.NaN : y;
        }
    }

    [Test]
    public void PlantedNaNStopsTrainingNamingTheStep()
    {
        string dir = TrainingFixtures.TempDir("nan");
        var options = new RunOptions
        {
            Data = TrainingFixtures.MnistSubset(400),
            ModelFactory = (act, ch, cls) => new NanAt(5, ModelZoo.CreateModel("lenet", act, ch, cls)),
        };
        var run = new TrainingRun(TrainingFixtures.Small(1), dir, options);
        var e = Assert.Throws<NonFiniteLossException>(() => run.Run());
        Assert.That(e!.Step, Is.EqualTo(5));
        Assert.That(e.Epoch, Is.EqualTo(1));
        Assert.That(double.IsFinite(e.LastFiniteLoss), Is.True);
        Assert.That(e.Message, Does.Contain("step 5").And.Contain("NaN").And.Contain("last finite loss"));
        string summary = File.ReadAllText(Path.Combine(dir, "summary.json"));
        Assert.That(summary, Does.Contain("\"status\": \"diverged\"").And.Contain("\"diverged_at_step\": 5"));
    }
}
