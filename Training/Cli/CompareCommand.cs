using System.CommandLine;
using System.Globalization;
using System.Text;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
using Pade.Training.Plots;
using Pade.Training.Runs;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>`pade compare`: the paper's Table 2 protocol (several activations x several seeds, same everything else).</summary>
public static class CompareCommand
{
    public const string DefaultActs = "relu,relu6,lrelu,rrelu,elu,celu,swish,prelu,apl,srelu,slaf,pau,rpau";

    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("compare", "Compare activations over several seeds (the paper's Table 2 protocol).").With("""
            Train one network with each activation and several seeds (the paper's Table 2 protocol) and write
            compare.md (mean ± std of the final test accuracy over seeds, and the best test accuracy of any seed at
            any epoch) and compare-accuracy.png (mean test-accuracy curve per activation). Each run's metrics.csv
            is kept in OUT/ACT/seedK/.

            Examples:
              pade compare --model lenet --data mnist --epochs 100 --seeds 5
              pade compare --acts relu,pau --seeds 2 --epochs 3 --limit 5000 --out runs/quick-compare
            """);
        var options = new TrainOptions();
        options.AddTo(cmd, withAct: false);
        var acts = new Option<string>("--acts") { Description = "Activations, comma-separated", DefaultValueFactory = _ => DefaultActs };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per activation (seed, seed+1, ...)", DefaultValueFactory = _ => 5 };
        var output = new Option<string?>("--out") { Description = "Folder [default: runs/compare-MODEL-DATA]" };
        cmd.Add(acts);
        cmd.Add(seeds);
        cmd.Add(output);
        cmd.SetAction(p =>
        {
            var config = options.Read(p);
            var list = p.GetValue(acts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (list.Count == 0) throw new UsageException("--acts lists no activation");
            foreach (var a in list) PadeCli.Check(() => { ModelZoo.ValidateActivation(a); return 0; });
            int n = p.GetValue(seeds);
            if (n < 1) throw new UsageException($"--seeds must be at least 1, got {n}");
            string dir = p.GetValue(output) ?? RunFolders.Fresh(Path.Combine("runs", $"compare-{config.Model}-{config.Resolve().Data}"));
            var rows = Compare(ctx, config, list, n, dir);
            Print(ctx, rows);
            ctx.Out.WriteLine(Path.Combine(dir, "compare.md"));
            ctx.Out.WriteLine(Path.Combine(dir, "compare-accuracy.png"));
            return PadeCli.Ok;
        });
        return cmd;
    }

    /// <summary>One activation's results over the seeds.</summary>
    public sealed record Row(string Act, List<IReadOnlyList<EpochResult>> Runs, List<string> Diverged)
    {
        public double[] Final => Runs.Select(r => r[^1].TestTop1).ToArray();
        public double Mean => Final.Length == 0 ? double.NaN : Final.Average();
        public double Std => Final.Length < 2 ? 0 : Math.Sqrt(Final.Sum(v => (v - Mean) * (v - Mean)) / (Final.Length - 1));
        public double Best => Runs.Count == 0 ? double.NaN : Runs.Max(r => r.Max(e => e.TestTop1));
        public double SecondsPerEpoch => Runs.Count == 0 ? double.NaN : Runs.Average(r => r.Average(e => e.Seconds));
    }

    public static List<Row> Compare(CliContext ctx, RunConfig config, IReadOnlyList<string> acts, int seeds, string dir)
    {
        var resolved = config.Resolve();
        var data = Datasets.DatasetCatalog.Load(resolved.Data, resolved.DataDir, resolved.Limit);
        var rows = new List<Row>();
        foreach (var act in acts)
        {
            var row = new Row(act, [], []);
            for (int s = 0; s < seeds; s++)
            {
                var c = config with { Act = act, Seed = config.Seed + (ulong)s };
                string runDir = Path.Combine(dir, act.Replace(':', '_'), $"seed{s}");
                try
                {
                    var history = ProgressReporter.Show(ctx, reporter =>
                        new TrainingRun(c, runDir, new RunOptions { Reporter = reporter, Data = data, WriteCheckpoints = false, WritePlots = false }).Run());
                    row.Runs.Add(history);
                }
                catch (NonFiniteLossException e)
                {
                    ctx.Console.MarkupLine($"[red]{Markup.Escape(act)} seed {s}: {Markup.Escape(e.Message)}[/]");
                    row.Diverged.Add($"seed {s}: step {e.Step}");
                }
            }
            rows.Add(row);
            Write(dir, resolved, seeds, rows);   // after each activation, so a long comparison shows its progress
        }
        return rows;
    }

    static void Write(string dir, RunConfig c, int seeds, List<Row> rows)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {c.Model} on {c.Data}: test accuracy by activation\n\n");
        string limit = c.Limit is int l ? $", first {l} train/test images" : "";
        sb.Append(CultureInfo.InvariantCulture,
            $"{seeds} seed(s) from {c.Seed}, {c.Epochs} epoch(s), {c.Opt} lr {c.EffectiveLr:G4} (activations {c.EffectivePauLr:G4}), batch {c.Batch}{limit}.\n");
        sb.Append("Mean ± std: final-epoch test top-1 over the seeds; best: highest test top-1 of any seed at any epoch.\n\n");
        sb.Append("| activation | mean ± std (%) | best (%) | runs | s/epoch | diverged |\n|---|---|---|---|---|---|\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Act} | {Pct(r.Mean)} ± {100 * r.Std:F2} | {Pct(r.Best)} | {r.Runs.Count} | {r.SecondsPerEpoch:F1} | {(r.Diverged.Count == 0 ? "" : string.Join("; ", r.Diverged))} |\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "compare.md"), sb.ToString());

        var withRuns = rows.Where(r => r.Runs.Count > 0).ToList();
        if (withRuns.Count == 0) return;
        int epochs = withRuns.Min(r => r.Runs.Min(h => h.Count));
        var xs = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
        Charts.Overlay(Path.Combine(dir, "compare-accuracy.png"), $"{c.Model} on {c.Data}: mean test top-1", "epoch", "accuracy (%)", xs,
            withRuns.Select(r => (r.Act, Enumerable.Range(0, epochs).Select(e => 100 * r.Runs.Average(h => h[e].TestTop1)).ToArray())),
            ScottPlot.Alignment.LowerRight);
    }

    static string Pct(double v) => double.IsNaN(v) ? "—" : (100 * v).ToString("F2", CultureInfo.InvariantCulture);

    static void Print(CliContext ctx, List<Row> rows)
    {
        var t = new Table().AddColumn("activation").AddColumn(new TableColumn("mean ± std").RightAligned())
            .AddColumn(new TableColumn("best").RightAligned()).AddColumn(new TableColumn("runs").RightAligned());
        foreach (var r in rows.OrderByDescending(r => double.IsNaN(r.Mean) ? -1 : r.Mean))
            t.AddRow(Markup.Escape(r.Act), $"{Pct(r.Mean)} ± {100 * r.Std:F2}", Pct(r.Best), $"{r.Runs.Count}");
        ctx.Console.Write(t);
    }
}
