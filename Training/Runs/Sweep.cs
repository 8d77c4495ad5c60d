using System.Globalization;
using System.Text.Json;
using Pade.Training.Checkpoints;

namespace Pade.Training.Runs;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/>: the runs of a sweep whose index i satisfies i mod Count = Index.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard Whole = new(0, 1);

    /// <summary>Environment variables a shard is taken from when <c>--shard</c> is not given.</summary>
    public const string CountVariable = "PADE_SHARD_COUNT";

    public bool Owns(int runIndex) => runIndex % Count == Index;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Parses <c>K/N</c> with 0 ≤ K &lt; N.</summary>
    public static Shard Parse(string text)
    {
        var p = text.Split('/');
        if (p.Length != 2 || !int.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
                          || !int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new ArgumentException($"--shard '{text}' must be K/N (shard K of N, counted from 0), e.g. 0/4");
        return Of(k, n, "--shard");
    }

    static Shard Of(int k, int n, string source)
    {
        if (n < 1) throw new ArgumentException($"{source}: the shard count must be at least 1, got {n}");
        if (k < 0 || k >= n) throw new ArgumentException($"{source}: shard index {k} is not in 0..{n - 1}");
        return new Shard(k, n);
    }

    /// <summary>
    /// The shard the scheduler's environment names, or null: a Slurm array task (SLURM_ARRAY_TASK_ID minus
    /// SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), or a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX of
    /// PADE_SHARD_COUNT, which the manifest sets to the Job's completions: Kubernetes exports no count).
    /// PADE_SHARD_COUNT also overrides Slurm's count.
    /// </summary>
    public static Shard? FromEnvironment(Func<string, string?> env)
    {
        int? Int(string name)
        {
            if (env(name) is not { Length: > 0 } v) return null;
            return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)
                ? i : throw new ArgumentException($"environment variable {name}='{v}' is not an integer");
        }
        int? count = Int(CountVariable);
        if (Int("SLURM_ARRAY_TASK_ID") is int id)
        {
            int n = count ?? Int("SLURM_ARRAY_TASK_COUNT")
                ?? throw new ArgumentException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard K/N");
            return Of(id - (Int("SLURM_ARRAY_TASK_MIN") ?? 0), n, "SLURM_ARRAY_TASK_ID");
        }
        if (Int("JOB_COMPLETION_INDEX") is int index)
            return Of(index, count ?? throw new ArgumentException(
                $"JOB_COMPLETION_INDEX is set but {CountVariable} is not: set it to the Job's completions, or pass --shard K/N"), "JOB_COMPLETION_INDEX");
        return null;
    }
}

/// <summary>One run of a sweep: activation, seed, its config and its folder OUT/ACT/seedK.</summary>
public sealed record SweepRun(int Index, string Act, int SeedIndex, RunConfig Config, string Folder)
{
    public string Name => $"{Act} seed {SeedIndex}";
}

/// <summary>
/// A sweep (the paper's Table 2 protocol): every activation × seeds runs of one config, run i = (activation
/// i / seeds, seed i mod seeds). The plan is stored in OUT/compare.json so that every shard, a restart and
/// <c>pade compare --merge</c> agree on the list of runs.
/// </summary>
public sealed class SweepPlan
{
    public const string FileName = "compare.json";

    /// <summary>Fields a run may change when it continues (as `pade train --resume` allows).</summary>
    public static readonly string[] Mutable = ["threads", "device", "data_dir"];

    public SweepPlan(string dir, RunConfig config, IReadOnlyList<string> acts, int seeds)
    {
        Dir = Path.GetFullPath(dir);
        Config = config.Resolve();
        Acts = acts;
        Seeds = seeds;
        Runs = [.. acts.SelectMany((act, a) => Enumerable.Range(0, seeds).Select(s => new SweepRun(
            a * seeds + s, act, s, Config with { Act = act, Seed = Config.Seed + (ulong)s },
            Path.Combine(Dir, FolderName(act), $"seed{s}"))))];
    }

    public string Dir { get; }
    public RunConfig Config { get; }
    public IReadOnlyList<string> Acts { get; }
    public int Seeds { get; }
    public IReadOnlyList<SweepRun> Runs { get; }
    public string PlanFile => Path.Combine(Dir, FileName);

    public static string FolderName(string act) => act.Replace(':', '_').Replace('/', '-');

    /// <summary>Writes OUT/compare.json, or checks that the one there describes the same sweep.</summary>
    public void WriteOrCheck()
    {
        Directory.CreateDirectory(Dir);
        if (RunFolder.CreateOnce(PlanFile, Json.Build(Write))) return;
        var stored = Load(Dir);
        var diffs = new List<string>();
        if (!stored.Acts.SequenceEqual(Acts)) diffs.Add($"acts: {string.Join(',', stored.Acts)} vs {string.Join(',', Acts)}");
        if (stored.Seeds != Seeds) diffs.Add($"seeds: {stored.Seeds} vs {Seeds}");
        diffs.AddRange(stored.Config.Differences(Config, [.. Mutable, "act"]));
        if (diffs.Count > 0)
            throw new InvalidOperationException(
                $"{PlanFile}: this folder holds a different comparison ({string.Join("; ", diffs)}; stored vs this command); " +
                "use another --out, or repeat the command that made it");
    }

    void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("format", "pade-compare");
        w.WriteStartArray("acts");
        foreach (var a in Acts) w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteNumber("seeds", Seeds);
        w.WritePropertyName("config");
        Config.WriteJson(w);
        w.WriteEndObject();
    }

    /// <summary>Reads OUT/compare.json.</summary>
    public static SweepPlan Load(string dir)
    {
        string path = Path.Combine(Path.GetFullPath(dir), FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist: '{dir}' is not the output folder of a pade compare");
        using var doc = Json.Parse(path);
        var root = doc.RootElement;
        var acts = Json.Require(root, "acts", path);
        if (acts.ValueKind != JsonValueKind.Array || acts.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
            throw new FormatException($"{path}: \"acts\" must be an array of strings");
        int seeds = Json.Int(root, "seeds", path) ?? throw new FormatException($"{path}: missing \"seeds\"");
        var config = RunConfig.FromJson(Json.Require(root, "config", path), path);
        return new SweepPlan(dir, config, [.. acts.EnumerateArray().Select(a => a.GetString()!)], seeds);
    }
}
