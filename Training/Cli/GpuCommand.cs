using System.CommandLine;
using Pade.Training.Gpu;

namespace Pade.Training.Cli;

/// <summary>`pade gpu check` and `pade bench gpu`: the CUDA parity suite and the GPU benchmarks (Training/Gpu),
/// runnable from a self-contained publish on a machine without the .NET SDK.</summary>
public static class GpuCommand
{
    public static Command CreateGpu(CliContext ctx)
    {
        var gpu = new Command("gpu", "CUDA checks: every kernel against the CPU backend.");
        var check = new Command("check", "Compile every cuda/*.cu with NVRTC and check each kernel against the CPU on random inputs.").With("""
            Compile every kernel file with NVRTC, then run each CUDA kernel against its CPU twin on random inputs and
            shapes that are not multiples of the block size (tolerance atol + rtol*|ref|), writing a markdown table.
            Every case ends with a synchronisation, so a kernel's fault is charged to the case that launched it; a
            fault that kills the CUDA context (a sticky error) stops the check there, naming the case.
            Exit code 0 when all pass, 1 on a mismatch, 3 when a sticky error stopped the check, 4 when no GPU or
            driver is found.

            Examples:
              pade gpu check
              pade gpu check --out bench/results/gpu-check.md --filter pau
              pade gpu check --compile-only
              pade gpu check --sync --filter "conv2d"      (synchronise after every launch: a fault names its kernel)
              pade gpu check --exclude "random,gemm"
            """);
        var outOpt = new Option<string>("--out") { Description = "Markdown file for the table", DefaultValueFactory = _ => "gpu-check.md" };
        var filter = new Option<string?>("--filter") { Description = "Only cases whose name contains this text (comma-separated alternatives)" };
        var exclude = new Option<string?>("--exclude") { Description = "Leave out cases whose name contains this text (comma-separated alternatives)" };
        var sync = new Option<bool>("--sync") { Description = "Synchronise after every kernel launch, so a fault names its kernel (slower)" };
        var list = new Option<bool>("--list") { Description = "Print the names of the cases (after --filter/--exclude) and run nothing (no GPU needed)" };
        var compileOnly = new Option<bool>("--compile-only") { Description = "Only compile the kernels to PTX (no GPU needed)" };
        check.Add(outOpt);
        check.Add(filter);
        check.Add(exclude);
        check.Add(sync);
        check.Add(list);
        check.Add(compileOnly);
        check.SetAction(p => p.GetValue(compileOnly) ? GpuCheck.CompileOnly(ctx.Out)
            : p.GetValue(list) ? GpuCheck.List(ctx.Out, p.GetValue(filter), p.GetValue(exclude))
            : GpuCheck.Run(ctx.Out, p.GetValue(outOpt)!, p.GetValue(filter), p.GetValue(exclude), p.GetValue(sync)));
        gpu.Add(check);
        return gpu;
    }

    public static Command CreateBench(CliContext ctx)
    {
        var bench = new Command("bench", "Benchmarks that need no .NET SDK (the CPU ones live in bench/).");
        var gpu = new Command("gpu", "PAU forward/backward bandwidth vs a device copy, GEMM TFLOP/s, LeNet/VGG8 step time.").With("""
            Time the PAU kernels on 16M and 64M elements (GB/s and fraction of a device-to-device copy measured in the
            same run), fp32 GEMM TFLOP/s and the LeNet and VGG8 training steps on the GPU; write a markdown file.

            Examples:
              pade bench gpu
              pade bench gpu --out bench/results/gpu-bench.md
              pade bench gpu --sizes 64K --gemm 256 --batch 8 --reps 2     (a dry run on the emulated driver)
            """);
        var outOpt = new Option<string>("--out") { Description = "Markdown file for the results", DefaultValueFactory = _ => "gpu-bench.md" };
        var sizes = new Option<string>("--sizes") { Description = "PAU element counts, comma-separated, with K/M suffixes", DefaultValueFactory = _ => "16M,64M" };
        var gemm = new Option<int>("--gemm") { Description = "Side of the square fp32 GEMM", DefaultValueFactory = _ => 4096 };
        var batch = new Option<int>("--batch") { Description = "Batch of the LeNet/VGG-8 training steps (0: leave them out)", DefaultValueFactory = _ => 128 };
        var reps = new Option<int>("--reps") { Description = "Timed repetitions per measurement (after 3 warm-up runs)", DefaultValueFactory = _ => 20 };
        foreach (var o in new Option[] { outOpt, sizes, gemm, batch, reps }) gpu.Add(o);
        gpu.SetAction(p => GpuBench.Run(ctx.Out, p.GetValue(outOpt)!, ParseSizes(p.GetValue(sizes)!), PadeCli.Check(() =>
                p.GetValue(reps) > 0 ? p.GetValue(reps) : throw new ArgumentException("--reps must be positive")),
            p.GetValue(gemm), p.GetValue(batch)));
        bench.Add(gpu);
        return bench;
    }

    /// <summary>"16M,64M" → [16·2²⁰, 64·2²⁰]; K and M are binary (1024, 1048576).</summary>
    internal static long[] ParseSizes(string text) => PadeCli.Check(() => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t =>
        {
            long unit = t.EndsWith('M') || t.EndsWith('m') ? 1L << 20 : t.EndsWith('K') || t.EndsWith('k') ? 1L << 10 : 1;
            var digits = unit == 1 ? t : t[..^1];
            return long.TryParse(digits, out var v) && v > 0 && v * unit <= int.MaxValue
                ? v * unit
                : throw new ArgumentException($"--sizes: '{t}' is not a positive element count below 2^31 (e.g. 65536, 64K, 16M)");
        }).ToArray());
}
