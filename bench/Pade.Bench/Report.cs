using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using TorchSharp;

namespace Pade.Bench;

/// <summary>
/// A markdown report of one run: command line, machine, date, one table of raw numbers per suite, extra tables
/// (e.g. per-epoch training results) and free-text notes. Written to <c>bench/results/&lt;yyyy-MM-dd&gt;-&lt;topic&gt;.md</c>
/// (an existing file of the same name is replaced).
/// </summary>
public sealed class Report(string topic)
{
    readonly List<CaseResult> results = [];
    readonly List<(string Title, string[] Header, List<string[]> Rows)> tables = [];
    readonly List<string> notes = [];
    readonly DateTime started = DateTime.Now;

    public string Topic { get; } = topic;

    public void Add(IEnumerable<CaseResult> rows) => results.AddRange(rows);

    /// <summary>Adds a free-form table (e.g. training epochs) under its own heading.</summary>
    public void AddTable(string title, string[] header, IEnumerable<string[]> rows) =>
        tables.Add((title, header, rows.ToList()));

    public void AddNote(string note) => notes.Add(note);

    /// <summary>Writes the file into <paramref name="directory"/> and returns its path.</summary>
    public string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"{started:yyyy-MM-dd}-{Topic}.md");
        File.WriteAllText(path, ToMarkdown());
        return path;
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"# Benchmark: {Topic}").AppendLine();
        md.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm} (local), {started.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
        md.AppendLine($"- Command: `dotnet run -c Release -- {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}`");
        foreach (string line in MachineLines()) md.AppendLine($"- {line}");
        md.AppendLine();

        foreach (var suite in results.GroupBy(r => r.Suite))
        {
            md.AppendLine($"## {suite.Key}").AppendLine();
            md.AppendLine("Times are the median (and minimum) of the timed calls; rates use the median. " +
                          "Ratio = Pade time / Torch time (below 1: Pade faster).").AppendLine();
            md.AppendLine("| case | size | threads | Pade ms (min) | Torch ms (min) | Pade rate | Torch rate | ratio |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (CaseResult r in suite)
            {
                BenchCase c = r.Case;
                string unit = Harness.UnitLabel(c.Unit);
                string Ms(Timing? t) => t is { } v ? F($"{v.MedianMs:F3} ({v.MinMs:F3})") : "—";
                string RateOf(Timing? t) => t is { } v ? F($"{v.Rate(c.Work, c.Unit):F2} {unit}") : "—";
                string ratio = r.Pade is { } p && r.Torch is { } q ? F($"{p.MedianMs / q.MedianMs:F2}") : "—";
                md.AppendLine($"| {c.Name} | {c.Size} | {r.Threads} | {Ms(r.Pade)} | {Ms(r.Torch)} | " +
                              $"{RateOf(r.Pade)} | {RateOf(r.Torch)} | {ratio} |");
            }
            md.AppendLine();
        }

        foreach (var (title, header, rows) in tables)
        {
            md.AppendLine($"## {title}").AppendLine();
            md.AppendLine($"| {string.Join(" | ", header)} |");
            md.AppendLine($"|{string.Concat(header.Select(_ => "---|"))}");
            foreach (string[] row in rows) md.AppendLine($"| {string.Join(" | ", row)} |");
            md.AppendLine();
        }

        if (notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (string note in notes) md.AppendLine($"- {note}");
            md.AppendLine();
        }
        return md.ToString();
    }

    /// <summary>Invariant-culture formatting, so a report reads the same on every machine.</summary>
    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The machine: CPU model, cores, memory, OS, .NET, TorchSharp/libtorch versions, AVX-512.</summary>
    public static IEnumerable<string> MachineLines()
    {
        yield return $"CPU: {CpuModel()}, {Environment.ProcessorCount} logical cores visible to .NET";
        yield return $"Memory: {MemoryTotal()}";
        yield return $"OS: {OsName()} (kernel {FirstLine("/proc/sys/kernel/osrelease") ?? "?"}, {RuntimeInformation.OSArchitecture})";
        yield return $"Load average at start (1, 5, 15 min): {LoadAverage()} — a quiet machine reads near 0";
        yield return $".NET: {RuntimeInformation.FrameworkDescription}";
        yield return $"TorchSharp: {TorchSharpVersion()}, libtorch {torch.__version__}";
        yield return $"AVX-512: Vector512.IsHardwareAccelerated = {Vector512.IsHardwareAccelerated}; Pade's CPU kernels: {Pade.Engine.Cpu.CpuIsa.Describe()}";
        yield return Harness.SetPadeThreads is null
            ? "Pade thread control: not wired (Harness.SetPadeThreads is null), Pade ran with its default"
            : "Pade thread control: Harness.SetPadeThreads → CpuBackend.Threads (CpuParallel.Threads)";
    }

    static string CpuModel() => ProcInfo("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    static string MemoryTotal()
    {
        string? kb = ProcInfo("/proc/meminfo", "MemTotal");
        if (kb is null) return "unknown";
        string digits = new(kb.TakeWhile(char.IsDigit).ToArray());
        return long.TryParse(digits, out long k) ? F($"{k / 1024.0 / 1024.0:F1} GiB") : kb;
    }

    static string OsName()
    {
        try
        {
            string? line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME="));
            if (line is not null) return line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException) { }
        return RuntimeInformation.OSDescription;
    }

    static string LoadAverage() =>
        FirstLine("/proc/loadavg") is { } l ? string.Join(", ", l.Split(' ').Take(3)) : "unknown";

    static string? FirstLine(string file)
    {
        try { return File.ReadLines(file).FirstOrDefault()?.Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The first "key : value" line of a /proc file whose key matches, or null.</summary>
    static string? ProcInfo(string file, string key)
    {
        try
        {
            foreach (string line in File.ReadLines(file))
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim() == key) return line[(colon + 1)..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    static string TorchSharpVersion()
    {
        var assembly = typeof(torch).Assembly;
        string? informational = assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        return informational ?? assembly.GetName().Version?.ToString() ?? "unknown";
    }
}
