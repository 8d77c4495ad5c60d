using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pade.Training.Checkpoints;

namespace Pade.Training.Runs;

/// <summary>Where one run of a sweep stands, from its summary.json.</summary>
public enum RunState { NotStarted, Running, Finished, Diverged }

/// <summary>
/// One run folder of a sweep (OUT/ACT/seedK): <c>config.json</c> (the run's config, written when it is first
/// claimed), <c>claim.json</c> (who runs it now), <c>summary.json</c> (status), <c>metrics.csv</c>,
/// <c>checkpoints/last</c>.
/// </summary>
public static class RunFolder
{
    public const string ConfigFile = "config.json";
    public const string ClaimFile = "claim.json";
    public const string SummaryFile = "summary.json";

    /// <summary>The run's state from summary.json; a corrupt summary is a <see cref="FormatException"/> naming it.</summary>
    public static (RunState State, int Epochs, long? DivergedAt) Status(string folder)
    {
        string path = Path.Combine(folder, SummaryFile);
        if (!File.Exists(path)) return (RunState.NotStarted, 0, null);
        try
        {
            using var doc = Json.Parse(path);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"{path}: not a JSON object");
            string status = Json.String(root, "status", path) ?? throw new FormatException($"{path}: missing \"status\"");
            int epochs = Json.Int(root, "epochs_completed", path) ?? throw new FormatException($"{path}: missing \"epochs_completed\"");
            var state = status switch
            {
                "finished" => RunState.Finished,
                "diverged" => RunState.Diverged,
                "running" => RunState.Running,
                _ => throw new FormatException($"{path}: unknown status '{status}' (expected running, finished or diverged)"),
            };
            return (state, epochs, state == RunState.Diverged ? Json.Long(root, "diverged_at_step", path) : null);
        }
        catch (FormatException e)
        {
            throw new FormatException($"corrupt run summary: {e.Message}; delete {path} (and the run folder's " +
                                      "checkpoints to start the run over) or restore it", e);
        }
    }

    /// <summary>
    /// Writes config.json if the folder has none; otherwise (or when only an older summary.json holds the config)
    /// checks that it equals <paramref name="config"/> up to the fields a resumed run may change.
    /// </summary>
    public static void WriteOrCheckConfig(string folder, RunConfig config)
    {
        string path = Path.Combine(folder, ConfigFile);
        Directory.CreateDirectory(folder);
        RunConfig stored;
        if (File.Exists(path))
        {
            using var doc = Json.Parse(path);
            stored = RunConfig.FromJson(doc.RootElement, path);
        }
        else if (File.Exists(Path.Combine(folder, SummaryFile)))
        {
            string summary = Path.Combine(folder, SummaryFile);
            Status(folder);   // a corrupt summary is reported as such
            using var doc = Json.Parse(summary);
            stored = RunConfig.FromJson(Json.Require(doc.RootElement, "config", summary), summary);
        }
        else
        {
            CreateOnce(path, Json.Build(config.WriteJson));
            return;
        }
        var diffs = stored.Resolve().Differences(config.Resolve(), SweepPlan.Mutable);
        if (diffs.Count > 0)
            throw new InvalidOperationException(
                $"{folder}: this run folder was made with a different configuration ({string.Join("; ", diffs)}; " +
                "folder vs this command); nothing was changed: use another --out, or delete the folder to rerun it");
    }

    /// <summary>
    /// Creates <paramref name="path"/> holding <paramref name="bytes"/> unless it exists: the bytes go to a file of
    /// this process's own and are moved in without overwriting, so concurrent writers never mix contents and
    /// readers never see a partial file. Returns false when the file already existed.
    /// </summary>
    public static bool CreateOnce(string path, byte[] bytes)
    {
        string tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(tmp, bytes);
        try
        {
            File.Move(tmp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}

/// <summary>
/// The claim a process holds on a run folder while it trains the run: <c>claim.json</c> with the shard, the
/// process id, the host and the start time, created atomically (two processes cannot both create it) and removed
/// when the run ends, whatever the outcome (except when the process is killed).
/// </summary>
/// <remarks>
/// A claim left behind is taken over when (1) it names a process on this host that no longer runs, (2) it was
/// made by the same shard K/N (a restarted or requeued array task resumes its own runs, wherever it lands), or
/// (3) the command says <c>--reclaim</c> (the user vouches that its owner is dead). Any other claim is a
/// conflict: two shards of different splits, or a run still going elsewhere.
/// </remarks>
public sealed class RunClaim : IDisposable
{
    readonly string _path;
    readonly string _token;

    RunClaim(string path, string token) => (_path, _token) = (path, token);

    public static RunClaim Acquire(string folder, Shard shard, bool reclaim)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, RunFolder.ClaimFile);
        string token = Guid.NewGuid().ToString("N");
        byte[] bytes = Json.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("shard", shard.ToString());
            w.WriteNumber("pid", Environment.ProcessId);
            w.WriteString("host", Environment.MachineName);
            w.WriteString("since", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
            w.WriteString("token", token);
            w.WriteEndObject();
        });
        if (RunFolder.CreateOnce(path, bytes)) return new RunClaim(path, token);

        var (owner, pid, host, since, _) = Read(path);
        bool sameHost = host == Environment.MachineName;
        bool alive = sameHost && Running(pid);
        bool takeOver = reclaim || (sameHost && !alive) || (owner == shard.ToString() && !alive);
        if (!takeOver)
            throw new InvalidOperationException(
                $"{folder}: run claimed by shard {owner} (pid {pid} on {host}, since {since}), this is shard {shard}; " +
                (alive ? "that process is still running: two shards were given overlapping runs (use one shard count for the whole sweep)"
                       : "if that process is dead, rerun with --reclaim"));
        AtomicFile.WriteAllBytes(path, bytes);
        return new RunClaim(path, token);
    }

    static (string Shard, int Pid, string Host, string Since, string Token) Read(string path)
    {
        try
        {
            using var doc = Json.Parse(path);
            var r = doc.RootElement;
            return (Json.String(r, "shard", path) ?? "?", Json.Int(r, "pid", path) ?? -1, Json.String(r, "host", path) ?? "?",
                    Json.String(r, "since", path) ?? "?", Json.String(r, "token", path) ?? "");
        }
        catch (FormatException e)
        {
            throw new FormatException($"corrupt claim: {e.Message}; delete it if no process runs this run", e);
        }
    }

    static bool Running(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Removes the claim if it is still this one (a --reclaim elsewhere may have replaced it).</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(_path) && Read(_path).Token == _token) File.Delete(_path);
        }
        catch (IOException) { }
        catch (FormatException) { }
    }
}
