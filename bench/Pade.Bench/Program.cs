using System.Runtime.CompilerServices;
using Pade.Engine;
using TorchSharp;

namespace Pade.Bench;

/// <summary>
/// <c>dotnet run -c Release -- &lt;suite&gt; [--threads 1,2] [--quick] [--out DIR] [--topic NAME] [--mnist DIR]
/// [--epochs N] [--seed N] [--torch-malloc retain|system] [--filter TEXT,...]</c>; suites: check, gemm, elementwise, activations, layers, train, oracle (against libtorch, float64), all.
/// </summary>
public static class Program
{
    static readonly string[] Suites = ["check", "gemm", "elementwise", "activations", "layers", "train", "oracle", "profile", "all"];

    public static int Main(string[] args)
    {
        // First, before any code that mentions TorchSharp.torch runs (its static constructor loads libtorch):
        // make the GLIBCXX_3.4.32 requirement of libLibTorchSharp.so weak. See ElfVersionPatch.
        foreach (string line in ElfVersionPatch.PatchTorchSharpNative()) Console.WriteLine($"[elf] {line}");
        // The child process of the ResNet-101 memory measurement (started by the layers suite).
        if (args.Length > 0 && args[0] == ResNetMemory.ChildCommand) return ResNetMemory.ChildMain(args[1..]);

        Options options;
        try { options = Options.Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        string malloc = options.SystemMalloc
            ? "glibc malloc: system default (--torch-malloc system): large blocks are mmapped and unmapped per call"
            : GlibcMalloc.RetainFreedMemory();
        Console.WriteLine(malloc);
        return Run(options, malloc);
    }

    /// <summary>Kept out of <see cref="Main"/> so that compiling Main cannot trigger torch's static constructor
    /// before the patch ran.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Run(Options o, string mallocLine)
    {
        // Pade's kernels split their work over CpuParallel.Threads (what `pade train --threads` sets).
        Harness.SetPadeThreads = n => CpuBackend.Threads = n;
        TrainSuite.Pade = TrainPade.Train;
        var report = new Report(o.Topic ?? o.Suite);
        report.AddNote(mallocLine);
        foreach (string line in Report.MachineLines()) Console.WriteLine(line);
        if (o.Quick) report.AddNote("--quick: short measurements, for checking that the suite runs, not for results.");
        if (o.NoWinograd)
        {
            // For before/after rows: the 3x3 convolutions take the paths they took before CpuConvWinograd.cs.
            CpuBackend.WinogradConvolution = false;
            report.AddNote("--no-winograd: Pade's Winograd F(2x2, 3x3) convolution path is off (CpuBackend.WinogradConvolution = false).");
        }
        MeasureOptions measure = o.Quick ? MeasureOptions.Quick : MeasureOptions.Full;
        IReadOnlyList<int> threads = o.Threads ?? [1, 2];
        bool all = o.Suite == "all";

        if (o.Suite == "check") return CheckTorch();
        if (o.Suite == "profile")
        {
            // Not part of "all": one network's step by layer kind, for finding where the time goes.
            foreach (string net in o.Nets ?? ["resnet101"])
                foreach (string act in o.Acts ?? ["relu", "pau"])
                    foreach (int t in threads)
                    {
                        CpuBackend.Threads = t;
                        var (model, batch, channels) = LayersPade.Network(net, act);
                        var rows = NetProfile.Run(model, batch, channels, warmup: o.Quick ? 2 : 5, reps: o.Reps ?? (o.Quick ? 3 : 10),
                            verbose: Environment.GetEnvironmentVariable("PADE_PROFILE_STEPS") == "1");
                        string title = $"profile: {net}-{act} train step by layer kind, batch {batch}, {t} thread(s)";
                        report.AddTable(title, NetProfile.Header, rows);
                        Console.WriteLine(title);
                        foreach (string[] row in rows) Console.WriteLine("  " + string.Join(" | ", row));
                    }
            report.AddNote("profile: medians over 10 steps after 5 (3 after 2 with --quick); forward times from forward " +
                           "hooks on the leaf modules (the time since the previous leaf finished, so ops between layers " +
                           "such as a residual add or a concatenation count towards the next leaf), backward times per " +
                           "autograd node (Graph.BackwardTimer).");
            Console.WriteLine($"report: {report.Write(o.OutDir)}");
            return 0;
        }
        if (o.Suite == "oracle")
        {
            // Not a measurement: every public op, layer, loss and optimizer against libtorch in float64.
            bool single = o.OracleDType == Pade.Engine.DType.Float32;
            var md = Path.Combine(o.OutDir, $"{DateTime.UtcNow:yyyy-MM-dd}-oracle{(single ? "-float32" : "")}.md");
            int seed = o.Seed == 0 ? 7 : o.Seed;
            var cases = Oracle.OracleCases.All(seed).Where(c => o.FilterTexts is not { } texts
                || texts.Any(t => $"{c.Family} {c.Config}".Contains(t, StringComparison.OrdinalIgnoreCase))).ToList();
            return Oracle.OracleRunner.RunAll(cases, md,
                single ? $"dotnet cake --target=Oracle (bench/Pade.Bench oracle --dtype float32 --seed {seed})"
                       : $"dotnet cake --target=Oracle (bench/Pade.Bench oracle --seed {seed})", o.OracleDType);
        }

        if (all || o.Suite == "gemm")
        {
            report.Add(Harness.Run("gemm", o.Select(GemmSuite.Cases()), threads, measure));
            report.AddNote("gemm: both sides allocate C per call and free it at once (Pade: Dispose, back to its buffer pool).");
        }
        if (all || o.Suite == "elementwise")
        {
            var rows = Harness.Run("elementwise", o.Select(ElementwiseSuite.Cases()), threads, measure);
            report.Add(rows);
            foreach (string line in ElementwiseSuite.BandwidthLines(rows))
            {
                Console.WriteLine(line);
                report.AddNote(line);
            }
            report.AddNote("elementwise: bytes = reads + writes of 4-byte elements (a + b: 3 × 64 MiB); " +
                           "out-of-place ops also pay for allocating (and first touching) their result. The copy row " +
                           "is the bandwidth reference: its Pade column is plain C# Span.CopyTo, one chunk per thread. Pade's " +
                           "pointwise kernels stream (non-temporal stores) outputs of 16 MiB or more, which skips the read " +
                           "of each destination line that ordinary stores (as in the copy) cause, so they can exceed " +
                           "100 % of the copy.");
        }
        if (all || o.Suite == "activations")
        {
            var rows = Harness.Run("activations", o.Select(ActivationSuite.Cases()), threads, measure);
            report.Add(rows);
            AddTargets(report, "activations: targets (fused PAU fwd+bwd ≥ 20x faster than Torch's composed PAU, ≤ 2x Torch's ReLU)",
                ActivationSuite.TargetHeader, ActivationSuite.TargetRows(rows));
            AddTargets(report, "activations: GELU (exact) fwd+bwd target (Torch time / Pade time ≥ 1.0, issue 18)",
                ActivationSuite.GeluTargetHeader, ActivationSuite.GeluTargetRows(rows));
            report.AddNote("activations: GB/s of minimum traffic, forward 8 B/element, forward+backward 20 B/element. " +
                           "Torch's PAU (rows pau and pau-composed) is composed of ~20 torch ops (TorchPau.Compose); Pade's " +
                           "pau row is the fused kernel F.Pau, its pau-composed row the same composition of engine ops " +
                           "(F.PauComposed). Pade's fwd+bwd input is a non-leaf whose gradient is freed, not stored " +
                           "(PadeGrad.Discarding), as torch.autograd.grad returns it without storing.");
        }
        if (all || o.Suite == "layers")
        {
            foreach (string line in LayersSuite.CheckParameterCounts())
            {
                Console.WriteLine(line);
                report.AddNote(line);
            }
            var cases = o.Select(LayersSuite.Cases(o.Quick));
            if (o.Filter is { } f) report.AddNote($"layers: only the cases that contain one of '{f}' (--filter)");
            var rows = Harness.Run("layers", cases, threads, measure);
            report.Add(rows);
            AddTargets(report, "layers: targets (LeNet-ReLU ≥ 0.7x Torch at 2 threads; LeNet-PAU ≥ 2x Torch's composed-PAU LeNet; " +
                "issue 18: every network ≥ 1.2x Torch with ReLU, ≥ 1.5x Torch's composed PAU with PAU)",
                LayersSuite.TargetHeader, LayersSuite.TargetRows(rows));
            report.AddNote("layers: train steps are forward + cross-entropy + backward + SGD(lr 0.01) on random data; " +
                           "conv2d bwd is the input and weight gradients through a retained graph (2 × forward FLOPs). " +
                           "Pade's models are Pade.Layers.Models with the activation library (Activations.Create) and " +
                           "Training's Sgd; LeNet-pau-composed uses F.PauComposed on Pade's side (ComposedPau).");
            foreach (string act in o.Filter is null or "profile" ? ["relu", "pau"] : Array.Empty<string>())
                foreach (int t in threads)
                {
                    var profile = LayerProfile.Run(act, t, warmup: o.Quick ? 2 : 10, reps: o.Quick ? 3 : 20);
                    report.AddTable($"layers: LeNet-{act} step by layer, batch {LayerProfile.Batch}, {t} thread(s)",
                        LayerProfile.Header, profile);
                    Console.WriteLine($"LeNet-{act} profile at {t} thread(s): " +
                                      string.Join(", ", profile.Select(r => $"{r[0]} {r[1]}/{r[2]} vs {r[3]}/{r[4]}")));
                }
            report.AddNote("layers, per-layer profile: medians over the steps (3 with --quick after 2 warm-up steps, else 20 " +
                           "after 10); each layer's input is cut from the graph so its forward and its backward are timed " +
                           "alone (torch's pau is composed of its ops); the sum is close to the whole step's time.");
            int memoryThreads = threads.Max();
            if (o.Filter is null or "memory")
                foreach (var (net, title) in new[] { ("resnet101", "ResNet-101"), ("densenet121", "DenseNet-121") })
                    report.AddTable($"layers: {title} training step, batch {ResNetMemory.Batch}, 3x32x32, SGD: peak memory (own process per row)",
                        ResNetMemory.Header, ResNetMemory.Run(o.Quick, memoryThreads, o.SystemMalloc, net));
            report.AddNote("layers, ResNet-101 and DenseNet-121 memory: each row runs in a child process (the other side's memory would " +
                           "count otherwise). Baseline = VmRSS after building the model and batch (runtime + weights); the " +
                           "high-water mark is then reset (/proc/self/clear_refs) and read after the steps (VmHWM). " +
                           $"{(o.Quick ? 2 : 4)} steps; the step time is the median of all but the first.");
        }
        if (all || o.Suite == "train")
        {
            var config = new TrainConfig(
                Epochs: o.Epochs ?? (o.Quick ? 1 : 3), BatchSize: 256, LearningRate: 4e-3, Seed: o.Seed,
                MaxBatchesPerEpoch: o.Quick ? 40 : null, Threads: 0);
            TrainSuite.Run(report, config, o.Threads ?? [Environment.ProcessorCount], o.MnistDir);
        }

        string path = report.Write(o.OutDir);
        Console.WriteLine($"report: {path}");
        return 0;
    }

    /// <summary>Adds a targets table and prints it.</summary>
    static void AddTargets(Report report, string title, string[] header, List<string[]> rows)
    {
        report.AddTable(title, header, rows);
        Console.WriteLine(title);
        foreach (string[] row in rows) Console.WriteLine("  " + string.Join(" | ", row));
    }

    /// <summary>
    /// The <c>check</c> suite: proves libtorch loads and computes (after the ELF patch) with a 64x64 mm compared
    /// against a plain C# triple loop. Writes no report.
    /// </summary>
    static int CheckTorch()
    {
        const int n = 64;
        var rng = new Random(7);
        float[] a = Enumerable.Range(0, n * n).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, n * n).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        using var scope = torch.NewDisposeScope();
        float[] c = torch.mm(torch.tensor(a, [n, n]), torch.tensor(b, [n, n])).data<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += (double)a[i * n + k] * b[k * n + j];
                worst = Math.Max(worst, Math.Abs(sum - c[i * n + j]));
            }
        bool ok = worst < 1e-4;
        Console.WriteLine($"torch.mm {n}x{n}: max |torch - C#| = {worst:E2} ({(ok ? "OK" : "WRONG")}), " +
                          $"torch threads {torch.get_num_threads()}");
        return ok ? 0 : 1;
    }

    /// <summary>The command line, parsed by hand (it is small).</summary>
    sealed record Options(string Suite, IReadOnlyList<int>? Threads, bool Quick, string OutDir, string? Topic,
        string MnistDir, int? Epochs, int Seed, bool SystemMalloc,
        IReadOnlyList<string>? Nets = null, IReadOnlyList<string>? Acts = null, string? Filter = null, int? Reps = null,
        bool NoWinograd = false, Pade.Engine.DType OracleDType = Pade.Engine.DType.Float64)
    {
        /// <summary>--filter's texts, comma-separated (null without --filter).</summary>
        public IReadOnlyList<string>? FilterTexts =>
            Filter?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>The cases whose "name size" contains one of --filter's texts (all without --filter), in every
        /// suite: a few rows while iterating, e.g. --filter gelu,pau or --filter "B8 3x32".</summary>
        public IEnumerable<BenchCase> Select(IEnumerable<BenchCase> cases) =>
            FilterTexts is not { } texts ? cases
                : cases.Where(c => texts.Any(t => $"{c.Name} {c.Size}".Contains(t, StringComparison.OrdinalIgnoreCase)));

        public const string Usage =
            "usage: dotnet run -c Release -- <check|gemm|elementwise|activations|layers|train|oracle|all> [--threads 1,2] [--quick]\n" +
            "       [--out DIR (default bench/results)] [--topic NAME (default: the suite)] [--mnist DIR] [--epochs N] [--seed N]\n" +
            "       [--torch-malloc retain|system (default retain: glibc keeps freed memory, see GlibcMalloc)]\n" +
            "       [--filter TEXT,... (every suite: only the cases whose name or size contains one of them, any case;\n" +
            "       --only is the same option; in layers it skips the profiles and memory table\n" +
            "       unless TEXT is 'profile' or 'memory')]\n" +
            "       [--no-winograd (Pade's 3x3 convolutions without the Winograd path, for before/after rows)]\n" +
            "       oracle: [--dtype float64|float32 (Pade's side; libtorch always runs in float64)]\n" +
            "       profile: [--net resnet101,vgg8,mobilenetv2,densenet121] [--act relu,pau] [--reps N (default 10)]\n" +
            "       (PADE_PROFILE_STEPS=1 prints each step's time, loss, collections and buffer-pool counters)";

        public static Options Parse(string[] args)
        {
            if (args.Length == 0) throw new ArgumentException("missing the suite name");
            string suite = args[0];
            if (!Suites.Contains(suite))
                throw new ArgumentException($"unknown suite '{suite}', expected one of {string.Join(", ", Suites)}");
            IReadOnlyList<int>? threads = null;
            bool quick = false;
            string? outDir = null, topic = null, mnist = null;
            int? epochs = null;
            int seed = 0;
            bool systemMalloc = false;
            IReadOnlyList<string>? nets = null, acts = null;
            string? filter = null;
            int? reps = null;
            bool noWinograd = false;
            var oracleDType = Pade.Engine.DType.Float64;
            for (int i = 1; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--quick": quick = true; break;
                    case "--no-winograd": noWinograd = true; break;
                    case "--dtype":
                        oracleDType = Value() switch
                        {
                            "float64" => Pade.Engine.DType.Float64,
                            "float32" => Pade.Engine.DType.Float32,
                            var v => throw new ArgumentException($"--dtype '{v}': expected float64 or float32"),
                        };
                        break;
                    case "--only":   // the name it had in the gemm, elementwise and activations suites
                    case "--filter":
                        filter = Value();
                        if (filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length == 0)
                            throw new ArgumentException($"{args[i - 1]} lists no text");
                        break;
                    case "--threads": threads = ParseThreads(Value()); break;
                    case "--out": outDir = Value(); break;
                    case "--net": nets = Value().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                    case "--reps": reps = PositiveInt("--reps", Value()); break;
                    case "--act": acts = Value().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                    case "--topic": topic = Value(); break;
                    case "--mnist": mnist = Value(); break;
                    case "--epochs": epochs = PositiveInt("--epochs", Value()); break;
                    case "--seed": seed = int.TryParse(Value(), out int s) ? s : throw new ArgumentException($"--seed '{args[i]}' is not an integer"); break;
                    case "--torch-malloc":
                        systemMalloc = Value() switch
                        {
                            "retain" => false,
                            "system" => true,
                            var v => throw new ArgumentException($"--torch-malloc '{v}': expected retain or system"),
                        };
                        break;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            return new Options(suite, threads, quick, outDir ?? DefaultResultsDir(), topic, mnist ?? DefaultMnistDir(),
                epochs, seed, systemMalloc, nets, acts, filter, reps, noWinograd, oracleDType);
        }

        static List<int> ParseThreads(string text) =>
            text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => PositiveInt("--threads", t)).ToList() is { Count: > 0 } list
                ? list
                : throw new ArgumentException($"--threads '{text}' lists no thread count");

        static int PositiveInt(string option, string text) =>
            int.TryParse(text, out int n) && n > 0 ? n : throw new ArgumentException($"{option}: '{text}' is not a positive integer");

        /// <summary>bench/results of the repository that holds the current directory, else ./results.</summary>
        static string DefaultResultsDir()
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Bench.sln"))) return Path.Combine(dir.FullName, "results");
                if (File.Exists(Path.Combine(dir.FullName, "bench", "Bench.sln")))
                    return Path.Combine(dir.FullName, "bench", "results");
            }
            return Path.Combine(Environment.CurrentDirectory, "results");
        }

        /// <summary>shared/datasets/mnist beside the repository (as CI lays it out), else /work/shared/datasets/mnist.</summary>
        static string DefaultMnistDir()
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "datasets", "mnist");
                if (Directory.Exists(candidate)) return candidate;
            }
            return "/work/shared/datasets/mnist";
        }
    }
}
