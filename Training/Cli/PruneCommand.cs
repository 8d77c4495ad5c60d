using System.CommandLine;
using System.Globalization;
using System.Text;
using Pade.Engine;
using Pade.Training.Checkpoints;
using Pade.Training.Plots;
using Pade.Training.Pruning;
using Pade.Training.Runs;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>`pade prune`: iterative lottery-ticket filter pruning (paper §4.4, A.4.3).</summary>
public static class PruneCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("prune", "Iterative lottery-ticket filter pruning of the convolutions (paper §4.4).").With("""
            Iterative filter pruning of the convolutions with lottery-ticket re-initialisation (paper §4.4, A.4.3):
            train; remove --fraction of every convolution's filters (lowest L1 norm); reset the surviving weights to
            their initial values; retrain; repeat --iterations times. Pruned filters are zeroed by a fixed mask
            re-applied after every optimizer step (shapes are kept). Writes prune.md and prune.png (test accuracy per
            pruning level) and each level's run in OUT/levelK/.

            Examples:
              pade prune --model vgg8-cifar --data cifar10 --data-dir ~/data --act pau --fraction 0.1 --iterations 3 --epochs 30
              pade prune --model lenet --epochs 2 --limit 5000 --iterations 2
            """);
        var options = new TrainOptions();
        options.AddTo(cmd);
        var fraction = new Option<double>("--fraction") { Description = "Fraction of each convolution's filters removed per iteration", DefaultValueFactory = _ => 0.1 };
        var iterations = new Option<int>("--iterations") { Description = "Pruning iterations after the unpruned run", DefaultValueFactory = _ => 3 };
        var output = new Option<string?>("--out") { Description = "Folder [default: runs/prune-MODEL-ACT-DATA]" };
        cmd.Add(fraction);
        cmd.Add(iterations);
        cmd.Add(output);
        cmd.SetAction(p =>
        {
            var config = options.Read(p);
            double f = p.GetValue(fraction);
            if (f is <= 0 or >= 1) throw new UsageException($"--fraction must lie in (0, 1), got {f}");
            int k = p.GetValue(iterations);
            if (k < 1) throw new UsageException($"--iterations must be at least 1, got {k}");
            string dir = p.GetValue(output) ?? RunFolders.Fresh(Path.Combine("runs", $"prune-{config.Resolve().Label}"));
            var levels = Prune(ctx, config, f, k, dir);
            var t = new Table().AddColumn("level").AddColumn(new TableColumn("filters pruned").RightAligned())
                .AddColumn(new TableColumn("test top-1").RightAligned()).AddColumn(new TableColumn("best").RightAligned());
            foreach (var l in levels)
                t.AddRow(l.Index.ToString(), $"{100 * l.Pruned:F1}%", $"{100 * l.FinalTop1:F2}%", $"{100 * l.BestTop1:F2}%");
            ctx.Console.Write(t);
            ctx.Out.WriteLine(Path.Combine(dir, "prune.md"));
            return PadeCli.Ok;
        });
        return cmd;
    }

    /// <summary>One pruning level: the fraction of filters removed and the accuracy reached.</summary>
    public sealed record Level(int Index, double Pruned, double FinalTop1, double BestTop1);

    public static List<Level> Prune(CliContext ctx, RunConfig config, double fraction, int iterations, string dir)
    {
        var resolved = config.Resolve();
        var data = Datasets.DatasetCatalog.Load(resolved.Data, resolved.DataDir, resolved.Limit);
        var pruner = new FilterPruner();
        Dictionary<string, Tensor>? theta0 = null;
        var levels = new List<Level>();
        for (int level = 0; level <= iterations; level++)
        {
            Action<Pade.Layers.Module>? apply = null;
            var options = new RunOptions
            {
                Data = data,
                WriteCheckpoints = true,
                InitialWeights = theta0,
                BeforeTraining = m =>
                {
                    // θ₀: the weights the unpruned network started from; every level restarts from them.
                    theta0 ??= m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
                    apply = pruner.Bind(m);
                    apply(m);
                },
                AfterStep = m => apply?.Invoke(m),
            };
            TrainingRun? run = null;
            var history = ProgressReporter.Show(ctx, reporter =>
            {
                ctx.Console.MarkupLine($"[bold]pruning level {level}[/]: {100 * pruner.PrunedFraction:F1}% of the convolution filters removed");
                run = new TrainingRun(config, Path.Combine(dir, $"level{level}"), options with { Reporter = reporter });
                if (FilterPruner.Convolutions(run.Model).Any() == false)
                    throw new UsageException($"model '{resolved.Model}' has no convolutions to prune");
                return run.Run();
            });
            levels.Add(new Level(level, pruner.PrunedFraction, history[^1].TestTop1, history.Max(h => h.TestTop1)));
            Write(dir, resolved, fraction, levels);
            if (level < iterations) pruner.PruneStep(run!.Model, fraction);
        }
        return levels;
    }

    static void Write(string dir, RunConfig c, double fraction, List<Level> levels)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Filter pruning: {c.Label}\n\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"{100 * fraction:G3}% of each convolution's original filters removed per level (lowest L1 norm), survivors reset to their initial " +
            $"values, {c.Epochs} epoch(s) per level, seed {c.Seed}. Pruned filters are zeroed by a fixed mask (shapes kept).\n\n");
        sb.Append("| level | filters pruned | final test top-1 | best test top-1 |\n|---|---|---|---|\n");
        foreach (var l in levels)
            sb.Append(CultureInfo.InvariantCulture, $"| {l.Index} | {100 * l.Pruned:F1}% | {100 * l.FinalTop1:F2}% | {100 * l.BestTop1:F2}% |\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "prune.md"), sb.ToString());
        Charts.Overlay(Path.Combine(dir, "prune.png"), $"{c.Label}: accuracy under pruning", "filters pruned (%)", "test top-1 (%)",
            levels.Select(l => 100 * l.Pruned).ToArray(), [(c.Act, levels.Select(l => 100 * l.FinalTop1).ToArray())], ScottPlot.Alignment.LowerLeft);
    }
}
