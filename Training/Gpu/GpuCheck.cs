using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pade.Kernels;
using Pade.Kernels.Interop;
using Pade.Kernels.Parity;

namespace Pade.Training.Gpu;

/// <summary>
/// `pade gpu check`: runs every op case of <see cref="Kernels.OpCases.OpSuite"/> on the first GPU (values and
/// gradients through the public API, against the CPU in float64: the cases the op tests run on every device), then
/// the kernel-level cases of <see cref="ParitySuite"/>; prints a table and writes it as markdown with the GPU,
/// driver and NVRTC versions.
/// </summary>
/// <remarks>Exit codes: <see cref="AllPassed"/> (0) every kernel agrees with the CPU; <see cref="SomeFailed"/> (1) at
/// least one case failed (mismatches or a kernel error, listed); <see cref="ContextLost"/> (3) a case ended in a
/// sticky CUDA error (a fault inside a kernel), so the check stopped there, naming the case and the kernels it had
/// launched; <see cref="NoGpu"/> (4) nothing was checked because there is no CUDA driver, no GPU or no NVRTC (the
/// reason is printed).
/// Every case ends with a synchronisation, so a kernel's fault is charged to the case that launched it.</remarks>
public static class GpuCheck
{
    public const int AllPassed = 0, SomeFailed = 1, ContextLost = 3, NoGpu = 4;

    /// <summary>Runs the check. <paramref name="markdownPath"/> null writes no file; <paramref name="filter"/>
    /// keeps the cases whose name contains it and <paramref name="exclude"/> drops those containing it (both
    /// case-insensitive, comma-separated alternatives); <paramref name="synchronous"/> synchronises after every
    /// launch so that a fault names its kernel.</summary>
    public static int Run(TextWriter output, string? markdownPath = "gpu-check.md", string? filter = null,
        string? exclude = null, bool synchronous = false)
    {
        if (!OpenGpu(output, "gpu check", out var device)) return NoGpu;
        return Run(output, markdownPath, device!, ParitySuite.All.Where(c => Selected(c.Name, filter, exclude)).ToList(), synchronous);
    }

    /// <summary>Runs <paramref name="cases"/> on <paramref name="device"/> (the command's body; tests plant faulty cases).</summary>
    internal static int Run(TextWriter output, string? markdownPath, CudaDevice device, List<ParityCase> cases, bool synchronous)
    {
        device.SynchronousLaunches |= synchronous;
        // The device stays open until the process ends: the tensors of the cases are released by the GC later.
        (string, string)[] header =
        [
            ("GPU", device.ToString()),
            ("Driver", $"CUDA {device.DriverVersionText} ({CudaLibraries.DriverPath})"),
            ("NVRTC", $"{NvrtcText()} ({CudaLibraries.NvrtcPath}), target {device.Arch}"),
            ("Date", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
            ("Launches", device.SynchronousLaunches ? "synchronous (a fault names its kernel)" : "asynchronous, synchronised after each case"),
        ];
        foreach (var (k, v) in header) output.WriteLine($"{k,-7} {v}");
        output.WriteLine();

        var rows = new List<(ParityCase Case, ParityResult Result, double Seconds)>();
        ParityCase? lost = null;
        int width = Math.Max(10, cases.Count == 0 ? 0 : cases.Max(c => c.Name.Length));
        output.WriteLine($"{"case".PadRight(width)}  {"max |err|",10}  {"time",7}  result");
        foreach (var c in cases)
        {
            var clock = Stopwatch.StartNew();
            var result = c.Run(device);
            rows.Add((c, result, clock.Elapsed.TotalSeconds));
            output.WriteLine($"{c.Name.PadRight(width)}  {Err(result.MaxAbsErr),10}  {clock.Elapsed.TotalSeconds,6:F2}s  {(result.Passed ? "ok" : "FAILED")}");
            foreach (var m in result.FirstMismatches) output.WriteLine($"    {m}");
            if (result.ContextLost)
            {
                lost = c;
                break;
            }
        }
        int failed = rows.Count(r => !r.Result.Passed);
        output.WriteLine();
        output.WriteLine($"{rows.Count - failed} of {rows.Count} cases passed{(failed > 0 ? $", {failed} FAILED" : "")}.");
        var stopped = lost == null ? null :
            $"Stopped at case '{lost.Name}': it ended in a sticky CUDA error, so the context is dead and the " +
            $"{cases.Count - rows.Count} remaining cases cannot run in this process. Rerun it alone with " +
            $"`pade gpu check --sync --filter \"{lost.Name}\"` to name the kernel, and the rest with `--exclude`.";
        if (stopped != null) output.WriteLine(stopped);
        // Known only now that the kernels are loaded: SASS for this GPU, or PTX the driver JIT-compiled (and why).
        var modules = ("Modules", ModuleSummary(device.ModuleFormats));
        output.WriteLine($"{modules.Item1,-7} {modules.Item2}");
        if (CudaLibraries.NvrtcNote.Length > 0) output.WriteLine($"NVRTC   {CudaLibraries.NvrtcNote}");
        header = [.. header, modules];

        if (markdownPath != null)
        {
            File.WriteAllText(markdownPath, Markdown(header, rows, failed, stopped));
            output.WriteLine($"Written to {Path.GetFullPath(markdownPath)}.");
        }
        return lost != null ? ContextLost : failed == 0 ? AllPassed : SomeFailed;
    }

    /// <summary>"SASS sm_90 (all 12 files)", or each file's format where they differ.</summary>
    internal static string ModuleSummary(IReadOnlyDictionary<string, string> formats)
    {
        if (formats.Count == 0) return "none loaded";
        var kinds = formats.Values.Distinct().ToList();
        return kinds.Count == 1
            ? $"{kinds[0]} (all {formats.Count} files)"
            : string.Join("; ", formats.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}"));
    }

    /// <summary>`pade gpu check --list`: the names of the selected cases, one per line (no GPU needed).</summary>
    public static int List(TextWriter output, string? filter, string? exclude)
    {
        foreach (var c in ParitySuite.All.Where(c => Selected(c.Name, filter, exclude))) output.WriteLine(c.Name);
        return AllPassed;
    }

    /// <summary>Whether a case name passes --filter and --exclude (comma-separated alternatives, case-insensitive).</summary>
    public static bool Selected(string name, string? filter, string? exclude)
    {
        static bool Any(string name, string? list) => list!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase));
        return (string.IsNullOrWhiteSpace(filter) || Any(name, filter)) && (string.IsNullOrWhiteSpace(exclude) || !Any(name, exclude));
    }

    /// <summary>
    /// `pade gpu check --compile-only`: compiles every embedded kernel file with NVRTC for each architecture
    /// (default compute_80 and compute_90) and loads nothing, so it needs NVRTC but no driver or GPU. Exit codes:
    /// 0 all compile, 1 a compile error (NVRTC's log is printed), <see cref="NoGpu"/> (4) no NVRTC.
    /// </summary>
    public static int CompileOnly(TextWriter output, IReadOnlyList<string>? archs = null)
    {
        if (!CudaLibraries.TryLoadNvrtc(out var why))
        {
            output.WriteLine($"pade gpu check: NVRTC (the CUDA run-time compiler) not found, nothing was compiled: {OneLine(why)}");
            return NoGpu;
        }
        archs ??= ["compute_80", "compute_90"];
        output.WriteLine($"NVRTC {NvrtcText()} ({CudaLibraries.NvrtcPath})");
        int failed = 0;
        foreach (var file in KernelSource.Names)
            foreach (var arch in archs)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    var ptx = NvrtcCompiler.CompileToPtx(file, KernelSource.Read(file), arch);
                    int entries = ptx.Split(".entry ").Length - 1;
                    output.WriteLine($"{file,-18} {arch,-11} ok   {entries,3} kernels  {clock.Elapsed.TotalSeconds,5:F2}s");
                }
                catch (NvrtcException e)
                {
                    failed++;
                    output.WriteLine($"{file,-18} {arch,-11} FAILED\n{e.Message}");
                }
            }
        return failed == 0 ? AllPassed : SomeFailed;
    }

    /// <summary>Opens GPU 0 for the backend, or prints why it cannot ("no CUDA driver: ...") and returns false.</summary>
    internal static bool OpenGpu(TextWriter output, string command, out CudaDevice? device)
    {
        device = null;
        if (!CudaLibraries.TryLoadDriver(out var why))
        {
            output.WriteLine($"pade {command}: no CUDA driver, nothing was run: {OneLine(why)}");
            return false;
        }
        if (!CudaDevice.TryOpen(out device, out why))
        {
            output.WriteLine($"pade {command}: no usable GPU, nothing was run: {OneLine(why)}");
            return false;
        }
        if (!CudaLibraries.TryLoadNvrtc(out why))
        {
            device!.Dispose();
            device = null;
            output.WriteLine($"pade {command}: NVRTC (the CUDA run-time compiler) not found, nothing was run: {OneLine(why)}");
            return false;
        }
        return true;
    }

    private static string Markdown(IEnumerable<(string, string)> header, List<(ParityCase Case, ParityResult Result, double Seconds)> rows,
        int failed, string? stopped)
    {
        var md = new StringBuilder();
        md.AppendLine("# pade gpu check: CUDA kernels against the CPU backend").AppendLine();
        foreach (var (k, v) in header) md.AppendLine($"- **{k}**: {v}");
        md.AppendLine($"- **Result**: {rows.Count - failed} of {rows.Count} cases passed").AppendLine();
        if (stopped != null) md.AppendLine($"**{stopped}**").AppendLine();
        md.AppendLine("An element passes when |gpu − cpu| ≤ atol + rtol·|cpu|; op cases compare with the CPU in float64, " +
            "in units of the tested dtype's epsilon.").AppendLine();
        md.AppendLine("| case | kernel | shapes | max abs err | tolerance | time (s) | result |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (c, r, s) in rows)
            md.AppendLine($"| {Cell(c.Name)} | {Cell(r.Kernel)} | {Cell(r.Shapes)} | {Err(r.MaxAbsErr)} | {Cell(r.Tolerance)} | {s:F2} | {(r.Passed ? "ok" : "**FAILED**")} |");
        var failures = rows.Where(r => !r.Result.Passed).ToList();
        if (failures.Count > 0)
        {
            md.AppendLine().AppendLine("## First mismatches").AppendLine();
            foreach (var (c, r, _) in failures)
            {
                md.AppendLine($"### {c.Name}").AppendLine();
                foreach (var m in r.FirstMismatches) md.AppendLine($"- `{m.Replace('`', '\'')}`");
                md.AppendLine();
            }
        }
        return md.ToString();
    }

    private static string Err(double v) => double.IsNaN(v) ? "NaN" : v.ToString("G3", CultureInfo.InvariantCulture);

    private static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    /// <summary>"12.4": NVRTC's version.</summary>
    internal static string NvrtcText()
    {
        var (major, minor) = NvrtcCompiler.Version();
        return $"{major}.{minor}";
    }

    internal static string OneLine(string s) =>
        string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
