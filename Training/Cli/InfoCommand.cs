using System.CommandLine;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pade.Engine;
using Pade.Engine.Cpu;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>`pade info`: the machine as Pade sees it (CPU, SIMD, threads, GPU and NVRTC).</summary>
public static class InfoCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("info", "Show the CPU, SIMD width, threads, and whether a CUDA GPU and NVRTC were found.").With("""
            Show the CPU (model, cores, SIMD width), the kernel threads, and whether a CUDA GPU and NVRTC were found (or why not).
            Example:
              pade info
            """);
        cmd.SetAction(_ =>
        {
            var table = new Table().AddColumn("").AddColumn("");
            table.HideHeaders();
            foreach (var (k, v) in Collect()) table.AddRow(Markup.Escape(k), Markup.Escape(v));
            ctx.Console.Write(table);
            return PadeCli.Ok;
        });
        return cmd;
    }

    /// <summary>The rows of the table, in order.</summary>
    public static List<(string Key, string Value)> Collect()
    {
        var rows = new List<(string, string)>
        {
            ("pade", typeof(InfoCommand).Assembly.GetName().Version?.ToString() ?? "?"),
            (".NET", $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})"),
            ("OS", RuntimeInformation.OSDescription),
            ("CPU", CpuModel()),
            ("cores", Environment.ProcessorCount.ToString()),
            ("SIMD", $"Vector<float>.Count = {Vector<float>.Count} ({Vector<float>.Count * 32} bits); " +
                     $"Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, " +
                     $"Vector256 {(Vector256.IsHardwareAccelerated ? "accelerated" : "not accelerated")}"),
            ("CPU kernels", CpuIsa.Describe()),
            ("kernel threads", CpuBackend.Threads.ToString()),
        };
        foreach (var (k, v) in Gpu.Describe()) rows.Add((k, v));
        return rows;
    }

    static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return $"{RuntimeInformation.ProcessArchitecture} (model unknown)";
    }
}
