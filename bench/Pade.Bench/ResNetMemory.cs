using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using CpuBackend = Pade.Engine.CpuBackend;
using static TorchSharp.torch;
using PadeTensor = Pade.Engine.Tensor;

namespace Pade.Bench;

/// <summary>
/// Peak memory of a ResNet-101 training step (batch 8, 3x32x32, SGD) for each side, each measured in a child
/// process of its own: in the benchmark process the other side's memory (libtorch's arenas, the .NET heap of earlier
/// suites) would be counted too. The child builds the model and one batch, collects garbage, reads its resident set
/// (VmRSS, the baseline: runtime + weights + input), resets the kernel's high-water mark (writing 5 to
/// /proc/self/clear_refs), runs the steps and reads the high-water mark again (VmHWM, the peak). Peak − baseline is
/// what the steps add: activations saved for backward, gradients, temporaries, allocator caches.
/// </summary>
public static class ResNetMemory
{
    /// <summary>The hidden command line of the child: <c>resnet-memory pade|torch relu|pau STEPS THREADS [system]
    /// [NET]</c>, NET one of <see cref="LayersSuite.CifarNets"/> (default resnet101).</summary>
    public const string ChildCommand = "resnet-memory";
    public const int Batch = LayersSuite.CifarBatch;

    public static readonly string[] Header =
    [
        "side", "activation", "threads", "parameters", "baseline MiB", "peak MiB", "peak − baseline MiB", "step ms (median)",
        "samples/s",
    ];

    /// <summary>Runs the four children (Pade and Torch, ReLU and PAU; torch's PAU composed of its ops) and returns
    /// the table rows; a child that fails gives a row saying why.</summary>
    public static List<string[]> Run(bool quick, int threads, bool systemMalloc, string net = "resnet101")
    {
        int steps = quick ? 2 : 4;
        var rows = new List<string[]>();
        foreach (string side in new[] { "pade", "torch" })
            foreach (string act in new[] { "relu", "pau" })
            {
                string[] row = RunChild(side, act, steps, threads, systemMalloc, TimeSpan.FromSeconds(quick ? 180 : 600), net);
                Console.WriteLine($"{net} memory: {string.Join("  ", row)}");
                rows.Add(row);
            }
        return rows;
    }

    static string[] RunChild(string side, string act, int steps, int threads, bool systemMalloc, TimeSpan timeout, string net)
    {
        string label = side == "pade" ? "Pade" : "Torch";
        string actLabel = side == "torch" && act == "pau" ? "pau (composed)" : act;
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Under `dotnet Pade.Bench.dll` the process is the dotnet host, which needs the assembly path again.
        if (Path.GetFileNameWithoutExtension(psi.FileName) == "dotnet") psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (string a in new[] { ChildCommand, side, act, $"{steps}", $"{threads}" }) psi.ArgumentList.Add(a);
        if (systemMalloc) psi.ArgumentList.Add("system");
        psi.ArgumentList.Add(net);

        using var child = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEndAsync().WaitAsync(timeout).GetAwaiter().GetResult();
        if (!child.WaitForExit(timeout)) { child.Kill(); return [label, actLabel, $"{threads}", "timed out", "", "", "", "", ""]; }
        string? result = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (child.ExitCode != 0 || result is null)
        {
            // libtorch warnings ("[W...") are not the reason; a negative status is a signal (SIGFPE: 136 = 128 + 8).
            string? message = stderr.Result.Split('\n').Select(l => l.Trim())
                .LastOrDefault(l => l.Length > 0 && !l.StartsWith("[W", StringComparison.Ordinal));
            string why = $"exit code {child.ExitCode}" + (child.ExitCode > 128 ? $" (signal {child.ExitCode - 128})" : "") +
                         (message is null ? "" : $": {message}");
            return [label, actLabel, $"{threads}", $"failed: {why}", "", "", "", "", ""];
        }
        // RESULT parameters baselineKb peakKb resetOk ms1 ms2 ...
        string[] f = result.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double baseline = long.Parse(f[2], CultureInfo.InvariantCulture) / 1024.0;
        double peak = long.Parse(f[3], CultureInfo.InvariantCulture) / 1024.0;
        bool reset = f[4] == "1";
        double[] ms = f[5..].Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        // The first step pays JIT compilation and first-touch page faults: the median is over the others.
        double[] steady = (ms.Length > 1 ? ms[1..] : ms).Order().ToArray();
        double median = steady.Length % 2 == 1 ? steady[steady.Length / 2] : 0.5 * (steady[steady.Length / 2 - 1] + steady[steady.Length / 2]);
        return
        [
            label, actLabel, $"{threads}", long.Parse(f[1], CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture),
            F($"{baseline:F0}"), F($"{peak:F0}") + (reset ? "" : " (high-water mark not reset: includes setup)"),
            F($"{peak - baseline:F0}"), F($"{median:F0}"), F($"{Batch / (median / 1000):F1}"),
        ];
    }

    /// <summary>The child's entry point (called by Program.Main before anything else).</summary>
    public static int ChildMain(string[] args)
    {
        if (args.Length < 4 || args[0] is not ("pade" or "torch") || args[1] is not ("relu" or "pau"))
        {
            Console.Error.WriteLine($"usage: {ChildCommand} pade|torch relu|pau STEPS THREADS [system]");
            return 2;
        }
        int steps = int.Parse(args[2], CultureInfo.InvariantCulture), threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        string net = args.Skip(4).FirstOrDefault(a => a != "system") ?? "resnet101";
        if (args[0] == "pade") return PadeChild(args[1], steps, threads, net);
        if (!args.Skip(4).Contains("system")) GlibcMalloc.RetainFreedMemory();
        return TorchChild(args[1], steps, threads, net);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int PadeChild(string act, int steps, int threads, string net)
    {
        CpuBackend.Threads = threads;
        PadeTensor.ManualSeed(1);
        var (model, batch, channels) = LayersPade.Network(net, act);
        Action step = LayersPade.TrainStep(model, batch, channels);
        return Measure(step, steps, model.ParameterCount());
    }

    /// <summary>Kept out of <see cref="ChildMain"/> so torch's static constructor (which loads libtorch) runs only
    /// in the Torch child.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int TorchChild(string act, int steps, int threads, string net)
    {
        set_num_threads(threads);
        manual_seed(1);
        var model = LayersSuite.TorchCifar(net, act);
        Tensor x = randn(Batch, 3, 32, 32);
        Tensor y = randint(10, [Batch], dtype: ScalarType.Int64);
        var optimizer = optim.SGD(model.parameters(), 0.01);
        model.train();
        long parameters = model.parameters().Sum(p => p.numel());
        return Measure(() =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }, steps, parameters);
    }

    static int Measure(Action step, int steps, long parameters)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = StatusKb("VmRSS");
        bool reset = ResetPeak();
        var ms = new List<string>();
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            ms.Add(F($"{Stopwatch.GetElapsedTime(start).TotalMilliseconds:F1}"));
        }
        long peak = StatusKb("VmHWM");
        Console.WriteLine($"RESULT {parameters} {baseline} {peak} {(reset ? 1 : 0)} {string.Join(' ', ms)}");
        return 0;
    }

    /// <summary>Resets VmHWM to the current resident set (Linux ≥ 4.0).</summary>
    static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>A "Key: N kB" line of /proc/self/status.</summary>
    static long StatusKb(string key)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"/proc/self/status has no {key} line");
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
