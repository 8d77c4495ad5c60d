using System.CommandLine;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Checkpoints;
using Pade.Training.Plots;
using Pade.Training.Runs;

namespace Pade.Training.Cli;

/// <summary>`pade plot activations | run | pau`: PNG figures.</summary>
public static class PlotCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("plot", "Draw PNG figures of activations, runs and learned PAUs.").With("""
            Draw PNG figures: activation functions and their derivatives, a run's curves, or learned PAUs.
            Examples:
              pade plot activations --out docs/img
              pade plot activations --names pau,relu,swish
              pade plot run runs/lenet-pau-mnist
              pade plot pau runs/lenet-pau-mnist
            """);
        cmd.Add(Activations(ctx));
        cmd.Add(Run(ctx));
        cmd.Add(Pau(ctx));
        return cmd;
    }

    static Command Activations(CliContext ctx)
    {
        var cmd = new Command("activations", "Plot activations and their derivatives on [-5, 5].").With("""
            Plot each activation f and its derivative f' (from autograd) on [-5, 5]: one PNG per activation, and
            activations.png with all of them.

            Examples:
              pade plot activations
              pade plot activations --names pau,rpau,relu,lrelu:0.2 --out plots
            """);
        var names = new Option<string[]>("--names")
        {
            Description = "Activations to draw (comma-separated or repeated) [default: all]",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out") { Description = "Folder of the PNGs", DefaultValueFactory = _ => "plots/activations" };
        cmd.Add(names);
        cmd.Add(output);
        cmd.SetAction(p =>
        {
            var list = (p.GetValue(names) ?? []).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (list.Count == 0) list = ModelZoo.Activations.Where(Supported).ToList();
            foreach (var n in list) PadeCli.Check(() => { ModelZoo.ValidateActivation(n); return 0; });
            var files = DrawActivations(list, p.GetValue(output)!);
            foreach (var f in files) ctx.Out.WriteLine(f);
            return PadeCli.Ok;
        });
        return cmd;
    }

    static bool Supported(string name)
    {
        try { ModelZoo.ValidateActivation(name); return true; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>f and f' of activation <paramref name="spec"/> at <paramref name="xs"/>: one forward over a
    /// [1, 1, 1, N] input, then backward of Σf, whose gradient is f'(x) elementwise (the activations are pointwise).
    /// Randomized activations are drawn in evaluation mode (no noise).</summary>
    public static (double[] F, double[] dF) Evaluate(Module act, double[] xs)
    {
        act.Eval();
        var x = Tensor.FromArray(xs.Select(v => (float)v).ToArray(), 1, 1, 1, xs.Length);
        x.RequiresGrad = true;
        var y = act.Forward(x);
        y.Sum().Backward();
        return (y.ToArray<double>(), x.Grad!.ToArray<double>());
    }

    public static double[] Grid(double lo, double hi, int n) => Enumerable.Range(0, n).Select(i => lo + (hi - lo) * i / (n - 1)).ToArray();

    public static List<string> DrawActivations(IReadOnlyList<string> names, string dir)
    {
        Directory.CreateDirectory(dir);
        var xs = Grid(-5, 5, 1001);
        var files = new List<string>();
        var all = new List<(string, double[])>();
        foreach (var name in names)
        {
            var (f, df) = Evaluate(ModelZoo.CreateActivation(name, 1), xs);
            string path = Path.Combine(dir, $"{FileName(name)}.png");
            Charts.Activation(path, name, xs, f, df);
            files.Add(path);
            all.Add((name, f));
        }
        if (all.Count > 1)
        {
            string path = Path.Combine(dir, "activations.png");
            Charts.Overlay(path, "activations on [-5, 5]", "x", "f(x)", xs, all);
            files.Add(path);
        }
        return files;
    }

    static string FileName(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));

    static Command Run(CliContext ctx)
    {
        var cmd = new Command("run", "Plot a run's loss and accuracy curves from its metrics.csv (loss.png, accuracy.png).").With("""
            Example:
              pade plot run runs/lenet-pau-mnist --out docs/img
            """);
        var dir = new Argument<string>("DIR") { Description = "Run folder (holding metrics.csv)" };
        var output = new Option<string?>("--out") { Description = "Folder of the PNGs [default: DIR]" };
        cmd.Add(dir);
        cmd.Add(output);
        cmd.SetAction(p =>
        {
            string d = p.GetValue(dir)!;
            string csv = File.Exists(d) ? d : Path.Combine(d, "metrics.csv");
            if (!File.Exists(csv)) throw new FileNotFoundException($"no metrics.csv in '{d}' (is it a run folder of `pade train`?)");
            var rows = MetricsFile.Read(csv);
            if (rows.Count == 0) throw new FormatException($"{csv} has no epochs yet");
            string title = Path.GetFileName(Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(csv))!));
            var (loss, acc) = Charts.RunCurves(rows, p.GetValue(output) ?? Path.GetDirectoryName(Path.GetFullPath(csv))!, title);
            ctx.Out.WriteLine(loss);
            ctx.Out.WriteLine(acc);
            return PadeCli.Ok;
        });
        return cmd;
    }

    static Command Pau(CliContext ctx)
    {
        var cmd = new Command("pau", "Plot each learned PAU next to its initial function, over its input histogram.").With("""
            Plot each learned activation of a checkpoint (PAU, RPAU, ...) next to its initial function, over the
            histogram of the inputs it saw during the run's last evaluation pass.

            Example:
              pade plot pau runs/lenet-pau-mnist
            """);
        var path = new Argument<string>("CHECKPOINT") { Description = "Run folder, checkpoint folder or model.safetensors" };
        var output = new Option<string?>("--out") { Description = "Folder of the PNGs [default: RUN/pau]" };
        cmd.Add(path);
        cmd.Add(output);
        cmd.SetAction(p =>
        {
            foreach (var f in DrawPau(p.GetValue(path)!, p.GetValue(output))) ctx.Out.WriteLine(f);
            return PadeCli.Ok;
        });
        return cmd;
    }

    public static List<string> DrawPau(string checkpoint, string? outDir)
    {
        var ck = Checkpoint.Load(checkpoint);
        var config = ck.State.Config.Resolve();
        var data = Datasets.DatasetCatalog.Normalization(config.Data);
        int channels = data.Mean.Length;
        // The same seed rebuilds the initial weights; the second copy receives the learned ones.
        var (initial, initialActs) = TrainingRun.BuildModel(config, channels, 10);
        var (learned, learnedActs) = TrainingRun.BuildModel(config, channels, 10);
        learned.LoadStateDict(ck.Model);
        var names = learned.NamedModules().ToDictionary(m => m.Module, m => m.Name, (IEqualityComparer<Module>)ReferenceEqualityComparer.Instance);
        string histPath = Path.Combine(ck.Directory, InputHistograms.FileName);
        var histograms = File.Exists(histPath) ? InputHistograms.Load(histPath) : [];

        string dir = outDir ?? Path.Combine(TrainCommand.RunFolderOf(ck.Directory), "pau");
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        for (int i = 0; i < learnedActs.Count; i++)
        {
            if (learnedActs[i].ParameterCount() == 0) continue;
            string name = names[learnedActs[i]];
            histograms.TryGetValue(name, out var h);
            double range = h is null ? 5 : Math.Max(Math.Abs(h.Low), Math.Abs(h.High));
            var xs = Grid(-range, range, 801);
            var (fl, _) = Evaluate(learnedActs[i], xs);
            var (fi, _) = Evaluate(initialActs[i], xs);
            string file = Path.Combine(dir, $"{FileName(name)}.png");
            Charts.Pau(file, $"{config.Label}: {name}", xs, fl, fi, h);
            files.Add(file);
        }
        if (files.Count == 0)
            throw new InvalidOperationException($"the run's activation '{config.Act}' has no learned parameters to plot");
        return files;
    }
}
