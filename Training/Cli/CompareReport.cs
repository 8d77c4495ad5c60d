using System.Globalization;
using System.Text;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
using Pade.Training.Plots;
using Pade.Training.Runs;

namespace Pade.Training.Cli;

/// <summary>What one run of a sweep left in its folder.</summary>
public sealed record RunResult(SweepRun Run, RunState State, int EpochsDone, IReadOnlyList<EpochResult> History, long? DivergedAt);

/// <summary>One activation's results over the seeds.</summary>
public sealed record CompareRow(string Act, List<RunResult> Finished, List<RunResult> Diverged)
{
    public double[] Final => Finished.Select(r => r.History[^1].TestTop1).ToArray();
    public double Mean => Final.Length == 0 ? double.NaN : Final.Average();
    public double Std => Final.Length < 2 ? 0 : Math.Sqrt(Final.Sum(v => (v - Mean) * (v - Mean)) / (Final.Length - 1));
    public double Best => Finished.Count == 0 ? double.NaN : Finished.Max(r => r.History.Max(e => e.TestTop1));
    public double SecondsPerEpoch => Finished.Count == 0 ? double.NaN : Finished.Average(r => r.History.Average(e => e.Seconds));

    /// <summary>The finished seed with the highest final test accuracy (the one Fig. 3 shows).</summary>
    public RunResult? BestSeed => Finished.MaxBy(r => r.History[^1].TestTop1);
}

/// <summary>
/// The report of a sweep, built from whatever its run folders hold (`pade compare` after each activation when it
/// runs the whole sweep, `pade compare --merge OUT` for shards): compare.md, compare.csv, the mean curves, each
/// activation's curves per seed, and the learned PAUs of the best seed (the paper's Fig. 3).
/// </summary>
public static class CompareReport
{
    /// <summary>Reads every run folder of the plan: finished and diverged runs with their metrics, the rest as missing.</summary>
    public static List<RunResult> Collect(SweepPlan plan) => [.. plan.Runs.Select(run =>
    {
        var (state, epochs, divergedAt) = RunFolder.Status(run.Folder);
        IReadOnlyList<EpochResult> history = [];
        if (state == RunState.Finished)
        {
            history = MetricsFile.Read(Path.Combine(run.Folder, "metrics.csv"));
            if (history.Count != run.Config.Epochs)
                throw new FormatException($"{run.Folder}: summary.json says finished but metrics.csv holds {history.Count} of {run.Config.Epochs} epochs");
        }
        return new RunResult(run, state, epochs, history, divergedAt);
    })];

    public static List<CompareRow> Rows(SweepPlan plan, IReadOnlyList<RunResult> results) =>
        [.. plan.Acts.Select(act => new CompareRow(act,
            [.. results.Where(r => r.Run.Act == act && r.State == RunState.Finished)],
            [.. results.Where(r => r.Run.Act == act && r.State == RunState.Diverged)]))];

    /// <summary>Writes the report into the plan's folder; returns the rows and the runs still missing.</summary>
    public static (List<CompareRow> Rows, List<RunResult> Missing) Write(SweepPlan plan)
    {
        var results = Collect(plan);
        var rows = Rows(plan, results);
        var missing = results.Where(r => r.State is RunState.NotStarted or RunState.Running).ToList();
        AtomicFile.WriteAllText(Path.Combine(plan.Dir, "compare.md"), Markdown(plan, rows, missing));
        AtomicFile.WriteAllText(Path.Combine(plan.Dir, "compare.csv"), Csv(results));
        Figures(plan, rows);
        return (rows, missing);
    }

    static string Markdown(SweepPlan plan, List<CompareRow> rows, List<RunResult> missing)
    {
        var c = plan.Config;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {c.Model} on {c.Data}: test accuracy by activation\n\n");
        string limit = c.Limit is int l ? $", first {l} train/test images" : "";
        string clip = c.ClipGrad is double g ? string.Create(CultureInfo.InvariantCulture, $", gradient norm clipped at {g:G4}") : "";
        sb.Append(CultureInfo.InvariantCulture,
            $"{plan.Seeds} seed(s) from {c.Seed}, {c.Epochs} epoch(s), {c.Opt} lr {c.EffectiveLr:G4} (activations {c.EffectivePauLr:G4}), " +
            $"schedule {c.Schedule}, batch {c.Batch}, weight decay {c.WeightDecay:G4}{clip}{limit}.\n");
        sb.Append("Mean ± std: final-epoch test top-1 over the finished seeds; best: highest test top-1 of any seed at any epoch; " +
                  "s/epoch: training time per epoch (evaluation excluded), mean over runs.\n\n");
        sb.Append("| activation | mean ± std (%) | best (%) | finished | s/epoch | diverged |\n|---|---|---|---|---|---|\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Act} | {MeanStd(r)} | {Pct(r.Best)} | {r.Finished.Count}/{plan.Seeds} | {(r.Finished.Count == 0 ? "—" : r.SecondsPerEpoch.ToString("F1", CultureInfo.InvariantCulture))} | " +
                $"{string.Join("; ", r.Diverged.Select(d => $"seed {d.Run.SeedIndex}: step {d.DivergedAt}"))} |\n");
        if (missing.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n{missing.Count} run(s) missing or unfinished:\n\n");
            foreach (var m in missing) sb.Append(CultureInfo.InvariantCulture, $"- {Describe(m)}\n");
        }
        return sb.ToString();
    }

    public static string Describe(RunResult m) => m.State == RunState.Running
        ? $"{m.Run.Name}: unfinished, {m.EpochsDone} of {m.Run.Config.Epochs} epochs ({m.Run.Folder})"
        : $"{m.Run.Name}: not started ({m.Run.Folder})";

    /// <summary>One row per run with the numbers at full precision (what the tests compare between sweeps).</summary>
    static string Csv(IEnumerable<RunResult> results)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("act,seed,status,epochs,final_test_top1,best_test_top1,final_test_loss,final_train_loss,seconds_per_epoch\n");
        foreach (var r in results)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Run.Act},{r.Run.SeedIndex},{r.State.ToString().ToLowerInvariant()},{r.EpochsDone}");
            if (r.History.Count > 0)
                sb.Append(CultureInfo.InvariantCulture,
                    $",{F(r.History[^1].TestTop1)},{F(r.History.Max(h => h.TestTop1))},{F(r.History[^1].TestLoss)},{F(r.History[^1].TrainLoss)},{F(r.History.Average(h => h.Seconds))}");
            else sb.Append(",,,,,");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    static void Figures(SweepPlan plan, List<CompareRow> rows)
    {
        var c = plan.Config;
        var done = rows.Where(r => r.Finished.Count > 0).ToList();
        if (done.Count == 0) return;
        int epochs = c.Epochs;
        var xs = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
        double[] Mean(CompareRow r, Func<EpochResult, double> f) =>
            [.. Enumerable.Range(0, epochs).Select(e => r.Finished.Average(h => f(h.History[e])))];
        Charts.Overlay(Path.Combine(plan.Dir, "compare-accuracy.png"), $"{c.Model} on {c.Data}: mean test top-1 over seeds", "epoch",
            "accuracy (%)", xs, done.Select(r => (r.Act, Mean(r, e => 100 * e.TestTop1))), ScottPlot.Alignment.LowerRight);
        Charts.Overlay(Path.Combine(plan.Dir, "compare-loss.png"), $"{c.Model} on {c.Data}: mean training loss over seeds", "epoch",
            "cross-entropy", xs, done.Select(r => (r.Act, Mean(r, e => e.TrainLoss))), ScottPlot.Alignment.UpperRight);
        foreach (var r in done)
        {
            string dir = Path.Combine(plan.Dir, SweepPlan.FolderName(r.Act));
            Charts.Overlay(Path.Combine(dir, "accuracy.png"), $"{c.Model}-{r.Act} on {c.Data}: test top-1 per seed", "epoch", "accuracy (%)",
                xs, r.Finished.Select(f => ($"seed {f.Run.SeedIndex}", f.History.Select(e => 100 * e.TestTop1).ToArray())), ScottPlot.Alignment.LowerRight);
            Charts.Overlay(Path.Combine(dir, "loss.png"), $"{c.Model}-{r.Act} on {c.Data}: loss per seed", "epoch", "cross-entropy", xs,
                r.Finished.SelectMany(f => new[] { ($"seed {f.Run.SeedIndex} train", f.History.Select(e => e.TrainLoss).ToArray()),
                                                   ($"seed {f.Run.SeedIndex} test", f.History.Select(e => e.TestLoss).ToArray()) }),
                ScottPlot.Alignment.UpperRight);
            // The paper's Fig. 3: the learned rational functions of the best seed over their LeakyReLU(0.01) start.
            if (r.Act.StartsWith("pau", StringComparison.Ordinal) || r.Act.StartsWith("rpau", StringComparison.Ordinal))
                PlotCommand.DrawPau(r.BestSeed!.Run.Folder, Path.Combine(plan.Dir, "fig3", SweepPlan.FolderName(r.Act)));
        }
    }

    /// <summary>"98.93 ± 0.12", or "—" for an activation with no finished run yet (a sweep still under way).</summary>
    public static string MeanStd(CompareRow r) =>
        r.Finished.Count == 0 ? "—" : $"{Pct(r.Mean)} ± {(100 * r.Std).ToString("F2", CultureInfo.InvariantCulture)}";

    public static string Pct(double v) => double.IsNaN(v) ? "—" : (100 * v).ToString("F2", CultureInfo.InvariantCulture);
}
