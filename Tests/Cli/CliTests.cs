using NUnit.Framework;
using Pade.Tests.Training;
using Pade.Training.Cli;
using Pade.Training.Runs;

namespace Pade.Tests.Cli;

public class CliTests
{
    /// <summary>Runs `pade` in-process, capturing stdout and stderr.</summary>
    public static (int Code, string Out, string Err) RunPade(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = PadeCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    static void OneErrorLine(string err)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), $"one line on stderr, got:\n{err}");
        Assert.That(lines[0], Does.StartWith("pade: "));
    }

    [TestCase("train", "--bogus")]
    [TestCase("train", "--epochs", "x")]
    [TestCase("train", "--model", "alexnet")]
    [TestCase("frobnicate")]
    [TestCase("eval")]
    [TestCase("plot", "run")]
    [TestCase("export", "runs/x")]
    public void ParseErrorsGiveOneLineAndExitCode2(params string[] args)
    {
        var (code, _, err) = RunPade(args);
        Assert.That(code, Is.EqualTo(PadeCli.Usage));
        OneErrorLine(err);
    }

    [TestCase("train", "--epochs", "0")]
    [TestCase("train", "--act", "nonsense")]
    [TestCase("train", "--schedule", "sometimes")]
    [TestCase("train", "--data", "imagenet")]
    [TestCase("train", "--device", "tpu")]
    [TestCase("train", "--lr", "-1")]
    [TestCase("compare", "--seeds", "0")]
    [TestCase("prune", "--fraction", "1.5")]
    public void BadValuesGiveOneLineAndExitCode2(params string[] args)
    {
        var (code, _, err) = RunPade(args);
        Assert.That(code, Is.EqualTo(PadeCli.Usage), err);
        OneErrorLine(err);
    }

    [TestCase("train")]
    [TestCase("eval")]
    [TestCase("info")]
    [TestCase("plot", "activations")]
    [TestCase("plot", "run")]
    [TestCase("plot", "pau")]
    [TestCase("fit")]
    [TestCase("compare")]
    [TestCase("prune")]
    [TestCase("export")]
    public void EveryCommandHasHelpWithExamples(params string[] command)
    {
        var (code, output, err) = RunPade([.. command, "--help"]);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Usage:").And.Contain("Example").And.Contain("pade " + string.Join(' ', command)));
    }

    [Test]
    public void FitTanhPrintsATableLikeTable6()
    {
        var (code, output, err) = RunPade("fit", "--target", "tanh");
        Assert.That(code, Is.EqualTo(0), err);
        foreach (var row in new[] { "a0", "a5", "b1", "b4", "max error", "tanh", "version A" })
            Assert.That(output, Does.Contain(row));
        var a0 = output.Split('\n').First(l => l.Contains(" a0 "));
        Assert.That(a0, Does.Contain("0.00000000"), "tanh is odd: a0 = 0");
        var err3 = output.Split('\n').First(l => l.Contains("max error"));
        double max = double.Parse(err3.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(max, Is.LessThan(1e-4), "a [5,4] rational fits tanh on [-3, 3] closely");
    }

    [Test]
    public void FitRejectsLearnableTargets()
    {
        var (code, _, err) = RunPade("fit", "--target", "pau");
        Assert.That(code, Is.EqualTo(PadeCli.Usage));
        OneErrorLine(err);
    }

    [Test]
    public void InfoDescribesTheMachine()
    {
        var (code, output, _) = RunPade("info");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("SIMD").And.Contain("Vector<float>.Count").And.Contain("cores").And.Contain("NVRTC"));
    }

    [Test]
    public void DivergenceExitsWith3NamingTheStep()
    {
        string dir = TrainingFixtures.TempDir("cli-nan");
        var (code, _, err) = RunPade("train", "--limit", "256", "--batch", "64", "--epochs", "1", "--lr", "1e30", "--out", dir);
        Assert.That(code, Is.EqualTo(PadeCli.Diverged), err);
        OneErrorLine(err);
        Assert.That(err, Does.Match(@"step \d+").And.Contain("last finite loss"));
    }

    [Test]
    public void PlotActivationsWritesPngs()
    {
        string dir = TrainingFixtures.TempDir("plot-acts");
        var (code, output, err) = RunPade("plot", "activations", "--names", "relu,pau", "--out", dir);
        Assert.That(code, Is.EqualTo(0), err);
        foreach (var f in new[] { "relu.png", "pau.png", "activations.png" })
        {
            string path = Path.Combine(dir, f);
            Assert.That(output, Does.Contain(path));
            Assert.That(File.ReadAllBytes(path).Take(8), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }));
        }
    }

    [Test]
    public void ActivationDerivativeComesFromAutograd()
    {
        var xs = new[] { -2.0, -0.5, 0.5, 3.0 };
        var (f, df) = PlotCommand.Evaluate(ModelZoo.CreateActivation("relu", 1), xs);
        Assert.That(f, Is.EqualTo(new[] { 0, 0, 0.5, 3.0 }));
        Assert.That(df, Is.EqualTo(new[] { 0.0, 0, 1, 1 }));
    }
}
