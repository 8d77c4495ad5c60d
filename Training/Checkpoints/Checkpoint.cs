using System.Text.Json;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Loop;
using Pade.Training.Optim;
using Pade.Training.Runs;

namespace Pade.Training.Checkpoints;

/// <summary>Where a run stands after a whole epoch: what <see cref="Checkpoint"/> stores beside the tensors.</summary>
public sealed record CheckpointState
{
    /// <summary>The run's configuration (resolved): enough to rebuild the model and the optimizer.</summary>
    public required RunConfig Config { get; init; }

    /// <summary>Epochs completed; a resumed run starts at this (0-based) epoch.</summary>
    public int Epoch { get; init; }

    /// <summary>Training batches seen so far.</summary>
    public long GlobalStep { get; init; }

    /// <summary>State of <see cref="Generator.Default"/> (dropout masks, RPAU noise, any Tensor.Rand).</summary>
    public ulong GeneratorSeed { get; init; }
    public ulong GeneratorOffset { get; init; }

    /// <summary>Seed of the data order and augmentation (see <see cref="Datasets.DataLoader"/>).</summary>
    public ulong DataSeed { get; init; }

    public int BestEpoch { get; init; } = -1;
    public double BestTop1 { get; init; } = double.NaN;

    /// <summary>One row per completed epoch (also in metrics.csv, which is rebuilt from it on resume).</summary>
    public IReadOnlyList<EpochResult> History { get; init; } = [];
}

/// <summary>A checkpoint read back: its state, the model's tensors by PyTorch name, the optimizer's.</summary>
public sealed record LoadedCheckpoint(string Directory, CheckpointState State, Dictionary<string, Tensor> Model,
                                      Dictionary<string, Tensor> Optimizer, int OptimizerSteps);

/// <summary>
/// A checkpoint is a folder:
/// <code>
/// model.safetensors      the model's StateDict (PyTorch parameter names: `features.0.weight`, ...)
/// optimizer.safetensors  the optimizer's state tensors by parameter index, PyTorch's names (`3.exp_avg`,
///                        `3.exp_avg_sq`, `3.max_exp_avg_sq`, `3.step`: Adam's count is per parameter; SGD's
///                        `3.momentum_buffer`; RMSprop's `3.square_avg`, `3.grad_avg`, `3.momentum_buffer`;
///                        Adagrad's `3.sum`; Adamax's `3.exp_avg`, `3.exp_inf`; the composed optimizers'
///                        tensors and scalars, see ComposedOptimizer), and
///                        the optimizer's own step count in the metadata (checkpoints written before per-parameter
///                        counts have no `i.step`; that one count is then each parameter's)
/// state.json             epoch, global step, RNG state, best accuracy, metrics history, the run's config
/// </code>
/// </summary>
/// <remarks>
/// <para>Atomicity: each file is written atomically, but a crash between two files would still mix epochs. So a
/// checkpoint is first written whole into a sibling folder <c>.NAME.tmp</c>, then swapped in: NAME →
/// <c>.NAME.old</c>, <c>.NAME.tmp</c> → NAME, delete <c>.NAME.old</c>. Each rename is atomic; if the process dies
/// between the two, NAME is missing and <see cref="Resolve"/> falls back to <c>.NAME.old</c>, the previous complete
/// checkpoint. An exception while writing deletes the temporary folder and leaves NAME untouched.</para>
/// </remarks>
public static class Checkpoint
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";
    const int FormatVersion = 1;

    /// <summary>
    /// Writes a checkpoint of <paramref name="model"/>, <paramref name="optimizer"/> and <paramref name="state"/>
    /// into the folder <paramref name="dir"/>, replacing any previous one only once the new one is complete.
    /// <paramref name="writeExtra"/> may add files (it receives the folder being written); <paramref name="afterFile"/>
    /// is called after each file is written (with its name): tests use it to simulate a crash.
    /// </summary>
    public static void Save(string dir, Module model, Optimizer? optimizer, CheckpointState state,
                            Action<string>? writeExtra = null, Action<string>? afterFile = null)
    {
        string full = Path.GetFullPath(dir);
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"checkpoint folder '{dir}' has no parent");
        string name = Path.GetFileName(full);
        string tmp = Path.Combine(parent, $".{name}.tmp"), old = Path.Combine(parent, $".{name}.old");
        Directory.CreateDirectory(parent);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        try
        {
            Directory.CreateDirectory(tmp);
            var meta = new Dictionary<string, string> { ["format"] = "pade", ["epoch"] = state.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            TensorFiles.Save(Path.Combine(tmp, ModelFile), model.StateDict(), meta);
            afterFile?.Invoke(ModelFile);

            int steps = optimizer?.StepCount ?? 0;
            var optMeta = new Dictionary<string, string> { ["step_count"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            TensorFiles.Save(Path.Combine(tmp, OptimizerFile), optimizer?.StateDict() ?? [], optMeta);
            afterFile?.Invoke(OptimizerFile);

            writeExtra?.Invoke(tmp);

            AtomicFile.WriteAllBytes(Path.Combine(tmp, StateFile), Json.Build(w => WriteState(w, state, optimizer)));
            afterFile?.Invoke(StateFile);
        }
        catch
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }

        // The swap. Before it the old checkpoint is complete at `full`; after it the new one is.
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(tmp, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// The checkpoint folder a path names: a checkpoint folder itself, a run folder (its <c>checkpoints/last</c>),
    /// or a <c>model.safetensors</c> file (its folder). Falls back to <c>.last.old</c> after a crash mid-swap.
    /// </summary>
    public static string Resolve(string path)
    {
        string p = Path.GetFullPath(path);
        if (File.Exists(p) && Path.GetFileName(p) == ModelFile) p = Path.GetDirectoryName(p)!;
        foreach (var candidate in new[] { p, Path.Combine(p, "checkpoints", "last") })
        {
            if (File.Exists(Path.Combine(candidate, StateFile))) return candidate;
            string old = Path.Combine(Path.GetDirectoryName(candidate)!, $".{Path.GetFileName(candidate)}.old");
            if (File.Exists(Path.Combine(old, StateFile))) return old;
        }
        throw new FileNotFoundException(
            $"no checkpoint at '{path}': expected a folder holding {StateFile}, {ModelFile} and {OptimizerFile}, " +
            "or a run folder holding checkpoints/last");
    }

    /// <summary>Reads the checkpoint at <paramref name="path"/> (see <see cref="Resolve"/>).</summary>
    public static LoadedCheckpoint Load(string path)
    {
        string dir = Resolve(path);
        string statePath = Path.Combine(dir, StateFile);
        CheckpointState state;
        using (var doc = Json.Parse(statePath)) state = ReadState(doc.RootElement, statePath);
        var model = TensorFiles.Load(Path.Combine(dir, ModelFile));
        string optPath = Path.Combine(dir, OptimizerFile);
        var optFile = Engine.IO.Safetensors.Read(optPath);
        var optimizer = optFile.Entries.ToDictionary(e => e.Name, e => TensorFiles.ToTensor(e, optPath), StringComparer.Ordinal);
        int steps = optFile.Metadata.TryGetValue("step_count", out var s) && int.TryParse(s, out int n) ? n : 0;
        return new LoadedCheckpoint(dir, state, model, optimizer, steps);
    }

    /// <summary>Reads only state.json (fast: no tensors).</summary>
    public static CheckpointState ReadState(string path)
    {
        string statePath = Path.Combine(Resolve(path), StateFile);
        using var doc = Json.Parse(statePath);
        return ReadState(doc.RootElement, statePath);
    }

    static void WriteState(Utf8JsonWriter w, CheckpointState s, Optimizer? optimizer)
    {
        w.WriteStartObject();
        w.WriteNumber("format_version", FormatVersion);
        w.WriteNumber("epoch", s.Epoch);
        w.WriteNumber("global_step", s.GlobalStep);
        w.WriteStartObject("rng");
        w.WriteString("generator_seed", s.GeneratorSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("generator_offset", s.GeneratorOffset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("data_seed", s.DataSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteNumber("best_epoch", s.BestEpoch);
        Json.WriteDouble(w, "best_test_top1", s.BestTop1);
        if (optimizer is not null)
        {
            w.WriteStartObject("optimizer");
            w.WriteString("type", optimizer.GetType().Name.ToLowerInvariant());
            w.WriteNumber("step_count", optimizer.StepCount);
            w.WriteStartArray("groups");
            foreach (var g in optimizer.Groups)
            {
                w.WriteStartObject();
                w.WriteString("name", g.Name);
                w.WriteNumber("parameters", g.Parameters.Count);
                w.WriteNumber("lr", g.Lr);
                w.WriteNumber("initial_lr", g.InitialLr);
                w.WriteNumber("weight_decay", g.WeightDecay);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WritePropertyName("config");
        s.Config.WriteJson(w);
        w.WriteStartArray("history");
        foreach (var r in s.History) MetricsFile.WriteJson(w, r);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static CheckpointState ReadState(JsonElement root, string source)
    {
        int version = Json.Int(root, "format_version", source) ?? 0;
        if (version != FormatVersion)
            throw new FormatException($"{source}: format_version {version}, this pade reads version {FormatVersion}");
        var rng = Json.Require(root, "rng", source);
        var history = new List<EpochResult>();
        if (root.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array)
            foreach (var row in h.EnumerateArray()) history.Add(MetricsFile.ReadJson(row, source));
        return new CheckpointState
        {
            Config = RunConfig.FromJson(Json.Require(root, "config", source), source),
            Epoch = Json.Int(root, "epoch", source) ?? throw new FormatException($"{source}: missing \"epoch\""),
            GlobalStep = Json.Long(root, "global_step", source) ?? 0,
            GeneratorSeed = Json.UInt64(rng, "generator_seed", source) ?? 0,
            GeneratorOffset = Json.UInt64(rng, "generator_offset", source) ?? 0,
            DataSeed = Json.UInt64(rng, "data_seed", source) ?? 0,
            BestEpoch = Json.Int(root, "best_epoch", source) ?? -1,
            BestTop1 = Json.Double(root, "best_test_top1", source) ?? double.NaN,
            History = history,
        };
    }
}
