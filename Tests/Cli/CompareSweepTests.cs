using System.Text.Json;
using NUnit.Framework;
using Pade.Tests.Training;
using Pade.Training.Runs;
using static Pade.Tests.Cli.CliTests;

namespace Pade.Tests.Cli;

/// <summary>
/// `pade compare` as a sweep that survives interruption and spreads over processes: a kill and a restart, two
/// concurrent shards, and the bad inputs (claims, other configs, corrupt summaries). Every sweep here runs in child
/// processes with one kernel thread, so that all of them compute the same numbers.
/// </summary>
[NonParallelizable]
public class CompareSweepTests
{
    // RPAU draws its noise from the generator a checkpoint stores; 4 epochs of 6 steps leave time to kill mid-run.
    static readonly string[] Sweep = ["compare", "--acts", "relu,rpau", "--seeds", "2", "--epochs", "4", "--limit", "600",
                                      "--batch", "100", "--threads", "1", "--seed", "7"];

    string _reference = "";

    static string[] With(params string[] extra) => [.. Sweep, .. extra];

    [OneTimeSetUp]
    public void UninterruptedSweep()
    {
        _reference = TrainingFixtures.TempDir("sweep-reference");
        var (code, output) = PadeProcess.Run(With("--out", _reference));
        Assert.That(code, Is.EqualTo(0), output);
    }

    /// <summary>Everything a sweep computed, without the timings: compare.csv and every run's metrics.csv.</summary>
    static List<string> Numbers(string dir)
    {
        var lines = new List<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(dir, "compare.csv")))
            lines.Add(string.Join(',', line.Split(',')[..^1]));            // drop seconds_per_epoch
        foreach (var act in new[] { "relu", "rpau" })
            for (int s = 0; s < 2; s++)
                foreach (var r in MetricsFile.Read(Path.Combine(dir, act, $"seed{s}", "metrics.csv")))
                    lines.Add($"{act} {s}: {r with { Seconds = 0, SamplesPerSecond = 0 }}");
        return lines;
    }

    [Test]
    public void AKilledSweepRestartedWithTheSameCommandEndsWithTheNumbersOfAnUninterruptedOne()
    {
        string dir = TrainingFixtures.TempDir("sweep-killed");
        using (var process = PadeProcess.Start(With("--out", dir)))
        {
            // Kill as soon as some run has a checkpoint and is not finished: mid-run, between two epochs or inside one.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Interrupted(dir) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.That(process.HasExited, Is.False, "the sweep ended before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var states = RunStates(dir);
        Assert.That(states, Has.Some.Matches<(RunState State, int Epochs)>(s => s.State == RunState.Running && s.Epochs >= 1),
            "the kill left a run with a checkpoint and unfinished");
        Assert.That(states, Has.Some.Matches<(RunState State, int Epochs)>(s => s.State != RunState.Finished));

        var (code, output) = PadeProcess.Run(With("--out", dir));
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("resuming after epoch"));
        if (states.Any(s => s.State == RunState.Finished)) Assert.That(output, Does.Contain("skipped"));
        Assert.That(Numbers(dir), Is.EqualTo(Numbers(_reference)));
        Assert.That(Directory.EnumerateFiles(dir, RunFolder.ClaimFile, SearchOption.AllDirectories), Is.Empty, "claims are released");
    }

    static bool Interrupted(string dir) => RunStates(dir).Any(s => s.State == RunState.Running && s.Epochs >= 1);

    static List<(RunState State, int Epochs)> RunStates(string dir)
    {
        var states = new List<(RunState, int)>();
        foreach (var act in new[] { "relu", "rpau" })
            for (int s = 0; s < 2; s++)
            {
                try
                {
                    var (state, epochs, _) = RunFolder.Status(Path.Combine(dir, act, $"seed{s}"));
                    states.Add((state, epochs));
                }
                catch (FormatException) { }      // being written right now (the tests read it concurrently)
                catch (IOException) { }
            }
        return states;
    }

    [Test]
    public void TwoConcurrentShardsMergeIntoTheTableOfOneProcess()
    {
        string dir = TrainingFixtures.TempDir("sweep-shards");
        using var first = PadeProcess.Start(With("--out", dir, "--shard", "0/2"));
        // The second shard takes its index from a Slurm array's environment.
        using var second = PadeProcess.Start(With("--out", dir), ("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "2"));
        var (c1, o1) = PadeProcess.Finish(first);
        var (c2, o2) = PadeProcess.Finish(second);
        Assert.That(c1, Is.EqualTo(0), o1);
        Assert.That(c2, Is.EqualTo(0), o2);
        Assert.That(o1, Does.Contain("relu seed 0 (1 of 4, shard 0/2)").And.Contain("rpau seed 0 (3 of 4, shard 0/2)").And.Not.Contain("seed 1 ("));
        Assert.That(o2, Does.Contain("relu seed 1 (2 of 4, shard 1/2)").And.Contain("rpau seed 1 (4 of 4, shard 1/2)").And.Not.Contain("seed 0 ("));

        var (code, output, err) = RunPade("compare", "--merge", dir);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Not.Contain("missing"));
        Assert.That(Numbers(dir), Is.EqualTo(Numbers(_reference)));
        foreach (var f in new[] { "compare.md", "compare-accuracy.png", "compare-loss.png", "relu/accuracy.png", "rpau/loss.png", "fig3/rpau/act1.png" })
            Assert.That(File.Exists(Path.Combine(dir, f)), Is.True, f);
    }

    [Test]
    public void MergeListsTheMissingRunsAndAFinishedSweepIsSkippedUntouched()
    {
        string dir = TrainingFixtures.TempDir("sweep-partial");
        foreach (var d in Directory.GetDirectories(_reference)) CopyDir(d, Path.Combine(dir, Path.GetFileName(d)));
        File.Copy(Path.Combine(_reference, SweepPlan.FileName), Path.Combine(dir, SweepPlan.FileName));
        Directory.Delete(Path.Combine(dir, "rpau", "seed1"), recursive: true);

        var (code, output, err) = RunPade("compare", "--merge", dir);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("missing: rpau seed 1: not started"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "compare.md")), Does.Contain("| rpau |").And.Contain("| 1/2 |").And.Contain("rpau seed 1: not started"));

        // The reference is finished: the same command trains nothing and rewrites no file of a run (only the report).
        var before = Directory.GetDirectories(_reference, "seed*", SearchOption.AllDirectories)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var (again, aout) = PadeProcess.Run(With("--out", _reference));
        Assert.That(again, Is.EqualTo(0), aout);
        Assert.That(aout, Does.Contain("relu seed 0: finished after 4 epoch(s), skipped").And.Not.Contain("epoch 1/4"));
        foreach (var (f, t) in before) Assert.That(File.GetLastWriteTimeUtc(f), Is.EqualTo(t), f);
    }

    static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
    }

    static readonly string[] Tiny = ["compare", "--acts", "relu", "--seeds", "1", "--epochs", "1", "--limit", "200", "--batch", "100"];

    [Test]
    public void ARunClaimedByALiveProcessOfAnotherShardIsAClearErrorNamingTheFolder()
    {
        string dir = TrainingFixtures.TempDir("sweep-claimed");
        string run = Path.Combine(dir, "relu", "seed0");
        Directory.CreateDirectory(run);
        // This test process is alive: its claim, made as shard 1/3, blocks shard 0/1 on the same host.
        File.WriteAllText(Path.Combine(run, RunFolder.ClaimFile), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["shard"] = "1/3", ["pid"] = Environment.ProcessId, ["host"] = Environment.MachineName, ["since"] = "now", ["token"] = "x",
        }));
        var (code, _, err) = RunPade([.. Tiny, "--out", dir]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain(run).And.Contain("claimed by shard 1/3").And.Contain("still running"));
        Assert.That(File.Exists(Path.Combine(run, "summary.json")), Is.False, "nothing was trained");

        var (taken, _, terr) = RunPade([.. Tiny, "--out", dir, "--reclaim"]);
        Assert.That(taken, Is.EqualTo(0), terr);
        Assert.That(RunFolder.Status(run).State, Is.EqualTo(RunState.Finished));
    }

    [Test]
    public void AClaimOfADeadProcessIsTakenOver()
    {
        string dir = TrainingFixtures.TempDir("sweep-stale");
        string run = Path.Combine(dir, "relu", "seed0");
        Directory.CreateDirectory(run);
        using (var dead = PadeProcess.Start(["info"])) { PadeProcess.Finish(dead); File.WriteAllText(Path.Combine(run, RunFolder.ClaimFile),
            $$"""{"shard": "2/5", "pid": {{dead.Id}}, "host": "{{Environment.MachineName}}", "since": "then", "token": "y"}"""); }
        var (code, _, err) = RunPade([.. Tiny, "--out", dir]);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(File.Exists(Path.Combine(run, RunFolder.ClaimFile)), Is.False);
    }

    [Test]
    public void ARunFolderOfAnotherConfigurationOrACorruptSummaryIsAClearErrorAndNothingIsOverwritten()
    {
        string dir = TrainingFixtures.TempDir("sweep-bad");
        Assert.That(RunPade([.. Tiny, "--out", dir]).Code, Is.EqualTo(0));
        string run = Path.Combine(dir, "relu", "seed0");
        string metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));

        // The folder's config.json says batch 50; the command (and compare.json) say 100.
        string config = Path.Combine(run, RunFolder.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"batch\": 100", "\"batch\": 50"));
        var (code, _, err) = RunPade([.. Tiny, "--out", dir]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain(run).And.Contain("different configuration").And.Contain("batch: 50 vs 100"));

        // The whole sweep asked with other epochs: compare.json names the difference.
        var (ecode, _, eerr) = RunPade("compare", "--acts", "relu", "--seeds", "1", "--epochs", "2", "--limit", "200", "--batch", "100", "--out", dir);
        Assert.That(ecode, Is.EqualTo(1));
        Assert.That(eerr, Does.Contain(Path.Combine(dir, SweepPlan.FileName)).And.Contain("epochs: 1 vs 2"));

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"batch\": 50", "\"batch\": 100"));
        File.WriteAllText(Path.Combine(run, "summary.json"), "{\"status\": \"fini");
        var (ccode, _, cerr) = RunPade([.. Tiny, "--out", dir]);
        Assert.That(ccode, Is.EqualTo(1));
        Assert.That(cerr, Does.Contain(Path.Combine(run, "summary.json")).And.Contain("corrupt"));
        var (mcode, _, merr) = RunPade("compare", "--merge", dir);
        Assert.That(mcode, Is.EqualTo(1));
        Assert.That(merr, Does.Contain(Path.Combine(run, "summary.json")));
        Assert.That(File.ReadAllText(Path.Combine(run, "metrics.csv")), Is.EqualTo(metrics), "the run's results are untouched");
    }

    [TestCase("3/2")]
    [TestCase("1")]
    [TestCase("-1/2")]
    public void ABadShardIsAUsageError(string shard)
    {
        var (code, _, err) = RunPade([.. Tiny, "--out", TrainingFixtures.TempDir("sweep-shard"), "--shard", shard]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("shard"));
    }

    [Test]
    public void ShardsComeFromSlurmOrKubernetesEnvironments()
    {
        Dictionary<string, string> env = [];
        string? Get(string n) => env.GetValueOrDefault(n);
        Assert.That(Shard.FromEnvironment(Get), Is.Null);
        env = new() { ["SLURM_ARRAY_TASK_ID"] = "5", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "8" };
        Assert.That(Shard.FromEnvironment(Get), Is.EqualTo(new Shard(4, 8)));
        env = new() { ["JOB_COMPLETION_INDEX"] = "3", [Shard.CountVariable] = "10" };
        Assert.That(Shard.FromEnvironment(Get), Is.EqualTo(new Shard(3, 10)));
        env = new() { ["JOB_COMPLETION_INDEX"] = "3" };
        Assert.That(() => Shard.FromEnvironment(Get), Throws.ArgumentException.With.Message.Contains(Shard.CountVariable));
        Assert.That(Enumerable.Range(0, 10).Where(new Shard(1, 4).Owns), Is.EqualTo(new[] { 1, 5, 9 }));
    }
}
