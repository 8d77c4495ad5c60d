using System.CommandLine;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
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
            Train one network with each activation and several seeds (the paper's Table 2 protocol), each run in
            its own folder OUT/ACT/seedK/ (config.json, metrics.csv, summary.json, checkpoints/last after every
            epoch), and write compare.md (mean ± std of the final test accuracy over seeds, best test accuracy of
            any seed at any epoch, diverged runs, seconds per epoch), compare.csv, the curves (compare-accuracy.png,
            compare-loss.png, ACT/accuracy.png, ACT/loss.png) and the learned PAUs of the best seed (fig3/).

            Interrupted? Run the same command again: finished runs are skipped, interrupted ones resume from their
            last epoch's checkpoint and end with the numbers of an uninterrupted run.
            On a cluster: --shard K/N runs every N-th run from K (default from SLURM_ARRAY_TASK_ID and
            SLURM_ARRAY_TASK_COUNT, or Kubernetes' JOB_COMPLETION_INDEX with PADE_SHARD_COUNT), all shards on one
            shared OUT; then 'pade compare --merge OUT' writes the report and lists the runs still missing.

            Examples:
              pade compare --model lenet --data mnist --epochs 100 --seeds 5
              pade compare --acts relu,pau --seeds 2 --epochs 3 --limit 5000 --out runs/quick-compare
              pade compare --data fashion --data-dir ~/data --out /shared/table2-fashion --shard 3/8
              pade compare --merge /shared/table2-fashion
            """);
        var options = new TrainOptions();
        options.AddTo(cmd, withAct: false);
        var acts = new Option<string>("--acts") { Description = "Activations, comma-separated", DefaultValueFactory = _ => DefaultActs };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per activation (seed, seed+1, ...)", DefaultValueFactory = _ => 5 };
        var output = new Option<string?>("--out") { Description = "Folder [default: runs/compare-MODEL-DATA]" };
        var shard = new Option<string?>("--shard")
        {
            Description = $"Run only shard K/N: runs K, K+N, K+2N, ... [default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/{Shard.CountVariable}, else 0/1]",
        };
        var reclaim = new Option<bool>("--reclaim") { Description = "Take over runs claimed by processes that died on other machines" };
        var merge = new Option<string?>("--merge") { Description = "Write the report of the sweep in this folder from its finished runs (trains nothing)" };
        cmd.Add(acts);
        cmd.Add(seeds);
        cmd.Add(output);
        cmd.Add(shard);
        cmd.Add(reclaim);
        cmd.Add(merge);
        cmd.SetAction(p =>
        {
            if (p.GetValue(merge) is string mergeDir) return Merge(ctx, SweepPlan.Load(mergeDir));
            var config = options.Read(p);
            var list = p.GetValue(acts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (list.Count == 0) throw new UsageException("--acts lists no activation");
            if (list.Distinct().Count() != list.Count) throw new UsageException($"--acts lists an activation twice: {p.GetValue(acts)}");
            foreach (var a in list) PadeCli.Check(() => { ModelZoo.ValidateActivation(a); return 0; });
            int n = p.GetValue(seeds);
            if (n < 1) throw new UsageException($"--seeds must be at least 1, got {n}");
            var part = PadeCli.Check(() => p.GetValue(shard) is string s ? Shard.Parse(s)
                : Shard.FromEnvironment(Environment.GetEnvironmentVariable) ?? Shard.Whole);
            string dir = p.GetValue(output) ?? Path.Combine("runs", $"compare-{config.Model}-{config.Resolve().Data}");
            var plan = new SweepPlan(dir, config, list, n);
            plan.WriteOrCheck();
            Compare(ctx, plan, part, p.GetValue(reclaim));
            if (part.Count > 1)
            {
                ctx.Out.WriteLine($"shard {part} done; when every shard is, write the report with: pade compare --merge {dir}");
                return PadeCli.Ok;
            }
            return Merge(ctx, plan);
        });
        return cmd;
    }

    /// <summary>Trains the plan's runs that belong to <paramref name="shard"/> and are not finished yet.</summary>
    public static void Compare(CliContext ctx, SweepPlan plan, Shard shard, bool reclaim = false)
    {
        Datasets.DatasetSplits? data = null;
        foreach (var run in plan.Runs.Where(r => shard.Owns(r.Index)))
        {
            RunFolder.WriteOrCheckConfig(run.Folder, run.Config);
            if (Done(ctx, run)) continue;
            using (RunClaim.Acquire(run.Folder, shard, reclaim))
            {
                if (Done(ctx, run)) continue;   // another process finished it before we claimed it
                var ck = LastCheckpoint(run);
                var c = run.Config.Resolve();
                data ??= Datasets.DatasetCatalog.Load(c.Data, c.DataDir, c.Limit);
                ctx.Out.WriteLine($"{run.Name} ({run.Index + 1} of {plan.Runs.Count}, shard {shard}): {run.Folder}");
                try
                {
                    ProgressReporter.Show(ctx, reporter => new TrainingRun(run.Config, run.Folder, new RunOptions
                    {
                        Reporter = reporter, Data = data, Resume = ck, WriteBestCheckpoint = false, WritePlots = false,
                    }).Run());
                }
                catch (NonFiniteLossException e)
                {
                    ctx.Console.MarkupLine($"[red]{Markup.Escape(run.Name)}: {Markup.Escape(e.Message)}[/]");
                }
            }
            // A long comparison shows its progress: the report after each activation when one process runs them all.
            if (shard.Count == 1 && run.SeedIndex == plan.Seeds - 1) CompareReport.Write(plan);
        }
    }

    static bool Done(CliContext ctx, SweepRun run)
    {
        var (state, epochs, _) = RunFolder.Status(run.Folder);
        if (state is not (RunState.Finished or RunState.Diverged)) return false;
        ctx.Out.WriteLine($"{run.Name}: {state.ToString().ToLowerInvariant()} after {epochs} epoch(s), skipped");
        return true;
    }

    /// <summary>The run's last checkpoint, checked against the run's config, or null when it has none yet.</summary>
    static LoadedCheckpoint? LastCheckpoint(SweepRun run)
    {
        string dir;
        try { dir = Checkpoint.Resolve(run.Folder); }
        catch (FileNotFoundException) { return null; }
        var ck = Checkpoint.Load(dir);
        var diffs = ck.State.Config.Resolve().Differences(run.Config.Resolve(), SweepPlan.Mutable);
        if (diffs.Count > 0)
            throw new InvalidOperationException(
                $"{ck.Directory}: the checkpoint was made with a different configuration ({string.Join("; ", diffs)}; checkpoint vs this command)");
        return ck;
    }

    static int Merge(CliContext ctx, SweepPlan plan)
    {
        var (rows, missing) = CompareReport.Write(plan);
        Print(ctx, rows);
        foreach (var m in missing) ctx.Out.WriteLine($"missing: {CompareReport.Describe(m)}");
        ctx.Out.WriteLine(Path.Combine(plan.Dir, "compare.md"));
        ctx.Out.WriteLine(Path.Combine(plan.Dir, "compare-accuracy.png"));
        return PadeCli.Ok;
    }

    static void Print(CliContext ctx, List<CompareRow> rows)
    {
        var t = new Table().AddColumn("activation").AddColumn(new TableColumn("mean ± std").RightAligned())
            .AddColumn(new TableColumn("best").RightAligned()).AddColumn(new TableColumn("runs").RightAligned());
        foreach (var r in rows.OrderByDescending(r => double.IsNaN(r.Mean) ? -1 : r.Mean))
            t.AddRow(Markup.Escape(r.Act), CompareReport.MeanStd(r), CompareReport.Pct(r.Best), $"{r.Finished.Count}");
        ctx.Console.Write(t);
    }
}
